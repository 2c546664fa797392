"""Writes bench/corpus/places-*.tsv: labelled addresses no one at kefu wrote, for bench/places.py.

Sources (read from a local copy of each public repository; no code of theirs is used):
- China: leodotnet/neural-chinese-address-parsing, data/{train,dev,test}.txt — the labelled
  address corpus of "Neural Chinese Address Parsing" (Li et al., NAACL 2019): real addresses,
  each character tagged prov/city/district/town/road…; the repository states no licence (research
  data published with the paper). The label is the province and city the annotators tagged; a
  tagged district or county-level city gives its prefecture-level city from the division codes.
  Addresses whose tags name no city (a town or road only) are left out: they have no label.
- China, unlabelled: DQinYuan/chinese_province_city_area_mapper (cpca, MIT), tests/addr.csv —
  18,000 addresses of companies: only placed / unplaced can be counted there.
- Japan: geolonia/normalize-japanese-addresses (MIT), test/addresses/addresses.csv — 7,190 real
  addresses with their prefecture (都道府県) and municipality (市区町村). Each is used twice:
  as written, and with the prefecture taken off the front (the "without prefecture" set).

The two MIT sets are committed under bench/corpus with their licence in bench/corpus/NOTICE.md.
The China labelled set (places-cn.tsv) is NOT committed: its source states no licence, so it is
rebuilt locally from a copy of that repository and .gitignore keeps it out; bench/places.py and
tests/test_places.py measure it where it has been built and say so where it has not.

Each row is `split<TAB>address<TAB>province<TAB>city` (city: the prefecture-level city for
China, the municipality as Japan Post writes it for Japan). `split` is `tune` for one address in
four (chosen by a hash of the text) and `held` for the rest: bench/places.py reports both, and
only the tune rows are ever looked at to improve the rules.

Usage: python tools/make_place_corpus.py SRC_DIR  (naacl_{train,dev,test}.txt, cpca_addr.csv,
geolonia_addresses.csv in SRC_DIR); writes at most N rows a set (--rows, default 4000).
"""

import argparse
import csv
import hashlib
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kefu_cli.orders.gazetteer import Division, cn_table  # noqa: E402
from kefu_cli.orders.regions import JP_PREFECTURES  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "bench" / "corpus"


def split_of(text: str) -> str:
    return "tune" if hashlib.sha1(text.encode("utf-8")).digest()[0] < 64 else "held"


def _naacl(path: Path):
    chars, tags = [], []
    for line in list(open(path, encoding="utf-8")) + [""]:
        line = line.rstrip("\n")
        if not line.strip():
            if chars:
                yield chars, tags
            chars, tags = [], []
            continue
        token, _sep, tag = line.rpartition(" ")
        chars.append(token)
        tags.append(tag)


def _spans(chars, tags) -> dict[str, str]:
    found: dict[str, str] = {}
    current, kind = "", None
    for ch, tag in zip(chars, tags):
        if tag.startswith("B-") or tag == "O" or tag[2:] != kind:
            if kind and kind not in found:
                found[kind] = current
            kind, current = (tag[2:], ch) if tag != "O" else (None, "")
        else:
            current += ch
    if kind and kind not in found:
        found[kind] = current
    return found


def cn_label(spans: dict[str, str]) -> tuple[str, str] | None:
    """(province, prefecture-level city) the tags name, or None when they name no city."""
    table = cn_table()
    prov = table.provinces.get(spans.get("prov", ""))
    readings: list[Division] = []
    for kind in ("city", "district"):
        name = spans.get(kind)
        if not name:
            continue
        if table.provinces.get(name) and name.startswith(("北京", "天津", "上海", "重庆")):
            p = table.provinces[name]
            found = [Division(p, p + "市", None)]
        else:
            found = table.full.get(name) or table.short.get(name) or []
        found = [d for d in found if prov is None or d.province == prov]
        if readings:
            found = [d for d in found if d.city == readings[0].city] or readings
        readings = found
        if {(d.province, d.city) for d in readings}.__len__() == 1:
            break
    cities = {(d.province, d.city) for d in readings}
    return next(iter(cities)) if len(cities) == 1 and readings[0].city else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("--rows", type=int, default=4000)
    args = ap.parse_args()
    src = Path(args.src)
    OUT.mkdir(exist_ok=True)
    rng = random.Random(2026)

    cn = []
    for part in ("train", "dev", "test"):
        for chars, tags in _naacl(src / f"naacl_{part}.txt"):
            label = cn_label(_spans(chars, tags))
            if label:
                cn.append(("".join(chars), *label))
    cn = sorted(set(cn))
    rng.shuffle(cn)
    write("places-cn.tsv", cn[:args.rows], "leodotnet/neural-chinese-address-parsing data/{train,dev,test}.txt "
          "(NAACL 2019; no licence stated)", len(cn))

    rows = list(csv.DictReader(open(src / "cpca_addr.csv", encoding="utf-8")))
    unlabelled = sorted({r["原始地址"].strip() for r in rows if r["原始地址"].strip()})
    rng.shuffle(unlabelled)
    write("places-cn-unlabelled.tsv", [(a, "", "") for a in unlabelled[:args.rows]],
          "DQinYuan/chinese_province_city_area_mapper tests/addr.csv (MIT, Copyright (c) 2018 QinYuan Du; see NOTICE.md)", len(unlabelled))

    jp, bare = [], []
    for r in csv.DictReader(open(src / "geolonia_addresses.csv", encoding="utf-8")):
        address, pref, city = r["住所"].strip(), r["都道府県"].strip(), r["市区町村"].strip()
        if pref not in JP_PREFECTURES or not city or not address.startswith(pref):
            continue
        jp.append((address, pref, city))
        bare.append((address[len(pref):], pref, city))
    order = list(range(len(jp)))
    rng.shuffle(order)
    source = ("geolonia/normalize-japanese-addresses test/addresses/addresses.csv "
              "(MIT, Copyright 2020 Geolonia Inc.; see NOTICE.md)")
    write("places-jp.tsv", [jp[i] for i in order[:args.rows]], source, len(jp))
    write("places-jp-bare.tsv", [bare[i] for i in order[:args.rows]], source + ", prefecture taken off", len(bare))


def write(name: str, rows, source: str, total: int) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        f.write(f"# source: {source}; {len(rows)} of {total} rows; made by tools/make_place_corpus.py\n")
        for address, prov, city in rows:
            address = address.replace("\t", " ").replace("\n", " ")
            f.write(f"{split_of(address)}\t{address}\t{prov}\t{city}\n")
    print(f"{name}: {len(rows)} rows (of {total})")


if __name__ == "__main__":
    main()
