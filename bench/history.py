"""Issue 16's figures: `kefu stats transit` over 1,000,000 stored deliveries, `kefu eta` in batch
with calibration on, and `kefu report` for a 100,000-order day.

Usage: python bench/history.py [--deliveries 1000000] [--rows 1000000] [--repeat 3]
Floors: stats transit <= 5 s over 1,000,000 deliveries (SQL aggregates, not Python loops); eta
with calibration on >= 50,000 orders/s on the bench file; report of 100,000 orders <= 10 s.
Baselines measured in the same run: a bare SQLite GROUP BY over the same table; eta in batch
with calibration off (no state file); a bare csv.reader pass over the report's file.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile

from common import COLUMNS, OUT, bare_csv_command, best, generate, kefu_command, python, table

PROVINCES = ["北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "湖南", "河南", "河北", "山东", "福建", "新疆", "西藏",
             "云南", "贵州", "陕西", "甘肃", "辽宁", "吉林", "黑龙江", "天津", "重庆", "安徽", "江西", "广西", "海南", "山西",
             "内蒙古", "宁夏", "青海"]


def history(n: int):
    """A state file with n delivered parcels over every route (2 warehouses × 31 provinces × 4 carriers)."""
    path = OUT / f"history_{n}.db"
    if path.exists():
        return path
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from kefu_cli.state import State

    tmp = path.with_suffix(".tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        leftover.unlink(missing_ok=True)
    state = State(tmp)
    rnd = random.Random(16)
    rows = []
    for i in range(n):
        days = max(0, int(rnd.gauss(5, 2)))
        rows.append((f"W{i}", rnd.choice(("ZTO", "SF", "DEPPON", "EMS")), "delivered", None, rnd.choice(("SOUTH", "NORTH")),
                     "CN", rnd.choice(PROVINCES), None, None, None, f"2026-{rnd.randint(1, 11):02d}-{rnd.randint(1, 28):02d}",
                     days, max(0, days - days // 5), "bench", "order"))
        if len(rows) == 100_000:
            state.record_deliveries(rows)
            rows = []
    state.record_deliveries(rows)
    state.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    state.close()
    tmp.rename(path)
    return path


def bare_group_by(path) -> list[str]:
    code = ("import sqlite3,sys\n"
            "db = sqlite3.connect(sys.argv[1])\n"
            "db.execute(\"SELECT warehouse, province, carrier, calendar_days, work_days, COUNT(*) FROM deliveries "
            "WHERE outcome = 'delivered' GROUP BY 1, 2, 3, 4, 5\").fetchall()\n")
    return [python(), "-c", code, str(path)]


def measure(deliveries: int, rows_n: int, repeat: int) -> list[tuple]:
    out = []
    store = history(deliveries)
    bare, _ = best(bare_group_by(store), repeat)
    stats, rss = best([*kefu_command(), "-q", "stats", "transit", "--state", str(store), "-f", "tsv"], repeat)
    out.append(("stats transit", f"bare SQLite GROUP BY {bare:.2f}s", f"{stats:.2f}s", f"{stats / bare:.2f}x",
                f"{rss / 1024:.0f} MB", f"{deliveries:,} deliveries (floor 5 s)"))
    orders = generate(OUT / f"taobao_{rows_n}_utf-8.csv", rows_n, "utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        none = os.path.join(tmp, "none.db")
        eta = [*kefu_command(), "-q", "--now", "2026-11-22 09:00", "eta", str(orders), "-f", "jsonl"]
        off, _ = best([*eta, "--state", none], repeat)
        on, rss = best([*eta, "--state", str(store)], repeat)
    out.append(("eta batch, calibrated", f"calibration off {off:.2f}s", f"{on:.2f}s", f"{on / off:.2f}x",
                f"{rss / 1024:.0f} MB", f"{rows_n / on:,.0f} orders/s (floor 50,000)"))
    day = generate(OUT / "taobao_100000_utf-8.csv", 100_000, "utf-8")
    bare_day, _ = best(bare_csv_command(day, "utf-8"), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        report, rss = best([*kefu_command(), "-q", "--now", "2026-03-30 18:00", "report", str(day), "--state", str(store),
                            "-o", os.path.join(tmp, "day.html")], repeat)
    out.append(("report", f"bare csv.reader {bare_day:.2f}s", f"{report:.2f}s", f"{report / bare_day:.2f}x",
                f"{rss / 1024:.0f} MB", "100,000 orders (floor 10 s)"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deliveries", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"best of {args.repeat}")
    print(table(measure(args.deliveries, args.rows, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
