"""`kefu remind` over the generated 1,000,000-order export (about 10% unpaid), against a bare
csv.reader pass over the same file, with and without the ledger.

Usage: python bench/remind.py [--rows 1000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from common import COLUMNS, OUT, bare_csv_command, best, generate, kefu_command, table


def measure(rows_n: int, repeat: int) -> list[tuple]:
    path = generate(OUT / f"taobao_{rows_n}_utf-8.csv", rows_n, "utf-8")
    bare, _ = best(bare_csv_command(path, "utf-8"), repeat)
    base = [*kefu_command(), "-q", "--now", "2026-03-15 10:00", "remind", str(path), "-f", "jsonl"]
    dry, dry_rss = best([*base, "--dry-run"], repeat)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KEFU_STATE=os.path.join(tmp, "state.db"))
        ledger, ledger_rss = best(base, 1, env=env)
    return [("remind --dry-run", f"bare csv.reader {bare:.2f}s", f"{dry:.2f}s", f"{dry / bare:.2f}x",
             f"{dry_rss / 1024:.0f} MB", f"{rows_n:,} orders"),
            ("remind, ledger written", f"bare csv.reader {bare:.2f}s", f"{ledger:.2f}s", f"{ledger / bare:.2f}x",
             f"{ledger_rss / 1024:.0f} MB", "one run")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(table(measure(args.rows, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
