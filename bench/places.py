"""Right / wrong / unplaced on public labelled addresses (bench/corpus, see tools/make_place_corpus.py).

Each address is placed as `kefu orders` places an address column with nothing else known (no
platform, phone or postal code column): regions.place(address). Right = the labelled province
and city (China: the prefecture-level city; Japan: the municipality, ward included); wrong = a
province or city other than the label; province only = the right province and no city;
unplaced = nothing. `held` rows were never looked at while the rules were written; `tune` rows were.

Usage: python bench/places.py [--show wrong|unplaced|partial] [--split held|tune|all]
Goals (issue 23, held-out rows): China right >= 97%, wrong <= 0.1%; Japan with the prefecture
right >= 99.5%, wrong 0; Japan without it right >= 95%, wrong <= 0.1%.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kefu_cli.orders.regions import place  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
SETS = (("China", "places-cn.tsv"), ("Japan, prefecture written", "places-jp.tsv"),
        ("Japan, no prefecture", "places-jp-bare.tsv"), ("China, unlabelled (cpca)", "places-cn-unlabelled.tsv"))


def verdict(p, province: str, city: str) -> str:
    if p.province is None:
        return "unplaced"
    if not province:
        return "placed" if p.city else "partial"
    if p.province != province:
        return "wrong"
    if p.city is None:
        return "partial"
    got = p.city if p.country == "CN" else "".join(x for x in (p.city, p.district) if x)
    return "right" if got == city else "wrong"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="both", choices=("held", "tune", "both", "all"))
    ap.add_argument("--show", choices=("wrong", "unplaced", "partial"))
    args = ap.parse_args()
    splits = ("held", "tune") if args.split == "both" else (args.split,)
    print(f"{'set':28} {'split':5} {'rows':>5} {'right':>7} {'wrong':>6} {'prov.only':>9} {'unplaced':>8}  µs/address")
    for label, name in SETS:
        if not (CORPUS / name).exists():
            # places-cn.tsv is not committed (its source states no licence: bench/corpus/NOTICE.md)
            print(f"{label:28} not built here: python tools/make_place_corpus.py SRC_DIR writes {name}")
            continue
        rows = [line.rstrip("\n").split("\t") for line in open(CORPUS / name, encoding="utf-8")
                if not line.startswith("#")]
        for split in splits:
            mine = [r for r in rows if split == "all" or r[0] == split]
            if not mine:
                continue
            counts = {"right": 0, "wrong": 0, "partial": 0, "unplaced": 0, "placed": 0}
            start = time.perf_counter()
            for _s, address, province, city in mine:
                p = place(address).place
                v = verdict(p, province, city)
                counts[v] += 1
                if args.show == v and split != "held":
                    print(f"  {v}: {address} -> {p.province} {p.city} {p.district} (label {province} {city})")
            took = (time.perf_counter() - start) / len(mine) * 1e6
            n = len(mine)
            right = counts["right"] + counts["placed"]
            print(f"{label:28} {split:5} {n:5} {right / n:7.2%} {counts['wrong'] / n:6.2%} "
                  f"{counts['partial'] / n:9.2%} {counts['unplaced'] / n:8.2%}  {took:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
