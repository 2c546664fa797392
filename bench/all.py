"""Every benchmark in one run and one table: ratios against baselines measured in the same run.

Usage: python bench/all.py [--rows 1000000] [--repeat 2]   (bench/run calls this)
"""

from __future__ import annotations

import argparse
import platform
import os
import sys

import aftersales
import eta
import history
import orders
import remind
import track
import xlsx
from common import COLUMNS, table


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    rows = []
    rows += orders.measure(args.rows, args.repeat, "orders")
    rows += orders.measure(args.rows, args.repeat, "audit", with_startup=False)
    rows += eta.measure(args.rows, args.repeat)
    rows += remind.measure(args.rows, args.repeat)
    rows += xlsx.measure(100_000, args.repeat)
    rows += history.measure(1_000_000, args.rows, args.repeat)
    rows += track.measure()
    rows += aftersales.measure(100_000, args.repeat)
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
          f"best of {args.repeat}; peak RSS is kefu and its workers summed")
    print(table(rows, COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
