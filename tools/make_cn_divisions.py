"""Writes kefu_cli/orders/cn_divisions.json: China's provinces, prefecture-level cities and
county-level divisions (districts, counties, county-level cities, banners) with their codes.

Source: the National Bureau of Statistics' 统计用区划代码 (the GB/T 2260 codes as the Ministry of
Civil Affairs publishes them, extended with statistical zones such as 苏州工业园区), 2023 edition
(as of 2023-06-30), as compiled by modood/Administrative-divisions-of-China (dist/provinces.csv,
dist/cities.csv, dist/areas.csv; data and code under the WTFPL licence).

Renamed and merged divisions are added from the Ministry's announcements (RENAMED below), so an
address written with an old name (襄樊市, 思茅市, 闸北区) is still placed where it is now.

Usage: python tools/make_cn_divisions.py DIST_DIR   (DIST_DIR holds the three csv files)
"""

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kefu_cli" / "orders" / "cn_divisions.json"

# old name -> the code of the division it is now part of (民政部 approvals of the changes)
RENAMED = {
    "襄樊市": "4206",  # 2010: renamed 襄阳市
    "思茅市": "5308",  # 2007: renamed 普洱市
    "巢湖市": "340181",  # 2011: the prefecture dissolved; its seat is a county-level city of 合肥
    "莱芜市": "3701",  # 2019: merged into 济南市 (莱芜区, 钢城区)
    "崇文区": "110101", "宣武区": "110102",  # 2010: merged into 东城区 / 西城区
    "卢湾区": "310101", "闸北区": "310106", "南汇区": "310115",  # 2011, 2015, 2009
    "塘沽区": "120116", "汉沽区": "120116", "大港区": "120116",  # 2009: 滨海新区
    "萧山市": "330109", "余杭市": "330110", "富阳市": "330111", "临安市": "330112",  # 市 -> 区
    "江都市": "321012", "番禺市": "440113", "花都市": "440114", "增城市": "440118", "从化市": "440117",
}


def main(dist: str) -> None:
    base = Path(dist)
    provinces = {r["code"]: r["name"] for r in csv.DictReader(open(base / "provinces.csv", encoding="utf-8"))}
    cities = {r["code"]: r["name"] for r in csv.DictReader(open(base / "cities.csv", encoding="utf-8"))}
    areas = {r["code"]: r["name"] for r in csv.DictReader(open(base / "areas.csv", encoding="utf-8"))}
    for old, code in RENAMED.items():
        if code not in cities and code not in areas:
            raise SystemExit(f"{old}: no division {code} in the source")
    OUT.write_text(json.dumps({
        "source": "国家统计局 统计用区划代码 2023 (GB/T 2260 codes), via modood/Administrative-divisions-of-China",
        "licence": "WTFPL (the compilation); the codes are official public data",
        "regenerate": "python tools/make_cn_divisions.py DIST_DIR",
        "provinces": provinces, "cities": cities, "areas": areas, "renamed": RENAMED,
    }, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(provinces)} provinces, {len(cities)} cities, {len(areas)} areas -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
