"""`kefu orders FILE -f jsonl > /dev/null` against a bare csv.reader pass over the same file.

Usage: python bench/orders.py [--rows 1000000] [--repeat 3]
Floors (issue 12): orders <= 3.0x and audit <= 10x the bare pass, peak RSS <= 150 MB;
start-up `kefu --version` <= 3x `python -c pass`.
"""

from __future__ import annotations

import argparse
import sys

from common import COLUMNS, OUT, bare_csv_command, best, generate, kefu_command, python, table


def startup(repeat: int = 15) -> tuple[float, float]:
    base, _ = best([python(), "-c", "pass"], repeat)
    kefu, _ = best([*kefu_command(), "--version"], repeat)
    return base, kefu


def measure(rows_n: int, repeat: int, command: str = "orders", with_startup: bool = True) -> list[tuple]:
    """(benchmark, baseline, kefu, ratio, peak RSS, note) rows."""
    rows = []
    for encoding in ("utf-8", "gb18030"):
        path = generate(OUT / f"taobao_{rows_n}_{encoding}.csv", rows_n, encoding)
        bare, _bare_rss = best(bare_csv_command(path, encoding), repeat)
        kefu, kefu_rss = best([*kefu_command(), "-q", command, str(path), "-f", "jsonl"], repeat)
        rows.append((f"{command} -f jsonl, {encoding}", f"bare csv.reader {bare:.2f}s", f"{kefu:.2f}s",
                     f"{kefu / bare:.2f}x", f"{kefu_rss / 1024:.0f} MB", f"{rows_n:,} orders"))
    if with_startup:
        base, kefu = startup()
        rows.append(("kefu --version", f"python -c pass {base * 1000:.0f}ms", f"{kefu * 1000:.0f}ms",
                     f"{kefu / base:.2f}x", "-", "start-up"))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--command", default="orders", help="kefu command to time (orders, audit)")
    args = ap.parse_args()
    print(f"best of {args.repeat}; peak RSS is kefu and its workers summed")
    print(table(measure(args.rows, args.repeat, args.command), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
