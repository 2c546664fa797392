"""`kefu track` throughput against a local imitation of 快递100 answering in 50 ms.

Usage: python bench/track.py [--waybills 5000] [--concurrency 50]
Floors (issue 5): wall time <= 1.25x the ideal (waybills x 0.05 s / concurrency); with 10% 5xx
and 5% timeouts injected, every waybill still has a record.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from common import COLUMNS, kefu_command, table  # noqa: E402
from k100_server import CUSTOMER, KEY, K100Server  # noqa: E402


def run(n: int, concurrency: int, **faults) -> tuple[float, int, int, int]:
    server = K100Server(delay=0.05, **faults).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            waybills = "".join(f"7{i:013d}\tZTO\t1380000{i % 10000:04d}\n" for i in range(n))
            env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}  # loopback only
            env.update(KEFU_KUAIDI100_CUSTOMER=CUSTOMER, KEFU_KUAIDI100_KEY=KEY, KEFU_KUAIDI100_ENDPOINT=server.url,
                       KEFU_STATE=os.path.join(tmp, "state.db"))
            start = time.perf_counter()
            proc = subprocess.run([*kefu_command(), "-q", "track", "-", "--concurrency", str(concurrency),
                                   "--rate", "100000", "--timeout", "1", "-f", "jsonl"],
                                  input=waybills.encode(), capture_output=True, env=env, timeout=600)
            elapsed = time.perf_counter() - start
        records = [json.loads(line) for line in proc.stdout.splitlines()]
        answered = sum(1 for r in records if r["status"])
        return elapsed, len(records), answered, proc.returncode
    finally:
        server.stop()


def measure(n: int = 5000, concurrency: int = 50) -> list[tuple]:
    ideal = n * 0.05 / concurrency
    clean = run(n, concurrency)
    faulty = run(n, concurrency, fail_5xx=0.10, timeouts=0.05)
    return [("track, 50 ms answers", f"ideal {ideal:.2f}s", f"{clean[0]:.2f}s", f"{clean[0] / ideal:.2f}x", "-",
             f"{clean[1]}/{n} records, exit {clean[3]}"),
            ("track, 10% 5xx + 5% timeouts", f"ideal {ideal:.2f}s", f"{faulty[0]:.2f}s", f"{faulty[0] / ideal:.2f}x", "-",
             f"{faulty[1]}/{n} records, {faulty[2]} answered, exit {faulty[3]}")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--waybills", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=50)
    args = ap.parse_args()
    print(f"{args.waybills} waybills, local imitation answering in 50 ms, concurrency {args.concurrency}")
    print(table(measure(args.waybills, args.concurrency), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
