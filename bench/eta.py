"""`kefu eta` in batch over the generated 1,000,000-order export, and a single query's start-up.

Usage: python bench/eta.py [--rows 1000000] [--repeat 3]
Floors: >= 50,000 orders/s in batch; a single query <= 8x `python -c pass` (issue 12).
The batch figure is also given as a ratio to a bare csv.reader pass over the same file.
"""

from __future__ import annotations

import argparse
import sys

from common import COLUMNS, OUT, bare_csv_command, best, generate, kefu_command, python, table

QUERY = ["eta", "--sku", "DS1205", "--to", "广东省深圳市南山区科技园", "--paid", "2026-09-30T10:00", "--stock", "in_stock"]


def measure(rows_n: int, repeat: int) -> list[tuple]:
    path = generate(OUT / f"taobao_{rows_n}_utf-8.csv", rows_n, "utf-8")
    bare, _ = best(bare_csv_command(path, "utf-8"), repeat)
    batch, rss = best([*kefu_command(), "-q", "--now", "2026-11-22 09:00", "eta", str(path), "-f", "jsonl"], repeat)
    base, _ = best([python(), "-c", "pass"], 15)
    query, _ = best([*kefu_command(), "-q", *QUERY], 15)
    return [("eta batch", f"bare csv.reader {bare:.2f}s", f"{batch:.2f}s", f"{batch / bare:.2f}x", f"{rss / 1024:.0f} MB",
             f"{rows_n / batch:,.0f} orders/s"),
            ("eta single query", f"python -c pass {base * 1000:.0f}ms", f"{query * 1000:.0f}ms", f"{query / base:.2f}x",
             "-", "start-up included")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(table(measure(args.rows, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
