"""`kefu track` throughput against a local imitation of 快递100 answering in 50 ms.

Usage: python bench/track.py [--waybills 5000] [--concurrency 50] [--rate 200] [--only-17track]
Floors (issue 12): at --rate 200, above any provider's quota, the rate sets the pace: wall time
<= 1.15x the rate-limited ideal (waybills / rate, 25 s); with 10% 5xx and 5% timeouts injected,
every waybill still has a record. kefu's CPU per request is reported beside it.
Issue 22: 17TRACK at its real quota, 3 requests a second and 40 numbers a request: 5,000 waybills
at --rate 3, and with no --rate (17TRACK's own default, 3), <= 1.15x the ideal (125 requests / 3).
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
sys.path.insert(0, str(HERE.parent / "tools" / "imitation"))

from common import COLUMNS, kefu_command, table  # noqa: E402
from k100_server import CUSTOMER, KEY, K100Server  # noqa: E402
from seventeen_server import TOKEN, SeventeenServer  # noqa: E402


def run(n: int, concurrency: int, rate: float, **faults) -> tuple[float, int, int, int, float]:
    server = K100Server(delay=0.05, **faults).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            waybills = "".join(f"7{i:013d}\tZTO\t1380000{i % 10000:04d}\n" for i in range(n))
            env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}  # loopback only
            env.update(KEFU_KUAIDI100_CUSTOMER=CUSTOMER, KEFU_KUAIDI100_KEY=KEY, KEFU_KUAIDI100_ENDPOINT=server.url,
                       KEFU_STATE=os.path.join(tmp, "state.db"))
            start, cpu_before = time.perf_counter(), os.times()
            proc = subprocess.run([*kefu_command(), "-q", "track", "-", "--concurrency", str(concurrency),
                                   "--rate", str(rate), "--timeout", "1", "-f", "jsonl"],
                                  input=waybills.encode(), capture_output=True, env=env, timeout=600)
            elapsed, cpu_after = time.perf_counter() - start, os.times()
            cpu = (cpu_after.children_user - cpu_before.children_user
                   + cpu_after.children_system - cpu_before.children_system)
        records = [json.loads(line) for line in proc.stdout.splitlines()]
        answered = sum(1 for r in records if r["status"])
        return elapsed, len(records), answered, proc.returncode, cpu
    finally:
        server.stop()


def run17(n: int, concurrency: int, rate: float | None) -> tuple[float, int, int, int, float, int]:
    """17TRACK: numbers already registered (a first run registers them in one more request per
    batch), 40 a request."""
    numbers = [f"{i:011d}" for i in range(n)]
    numbers = [f"{x}{int(x) % 7}" for x in numbers]  # Yamato's check digit
    server = SeventeenServer(delay=0.05, registered=set(numbers)).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
            env.update(KEFU_17TRACK_TOKEN=TOKEN, KEFU_17TRACK_ENDPOINT=server.url, KEFU_STATE=os.path.join(tmp, "s.db"))
            start, cpu_before = time.perf_counter(), os.times()
            pace = ["--rate", str(rate)] if rate is not None else []  # none: the provider's own default
            proc = subprocess.run([*kefu_command(), "-q", "track", "-", "--concurrency", str(concurrency),
                                   *pace, "--timeout", "2", "-f", "jsonl"],
                                  input="".join(f"{x}\tYAMATO\n" for x in numbers).encode(), capture_output=True,
                                  env=env, timeout=600)
            elapsed, cpu_after = time.perf_counter() - start, os.times()
        cpu = cpu_after.children_user - cpu_before.children_user + cpu_after.children_system - cpu_before.children_system
        records = [json.loads(line) for line in proc.stdout.splitlines()]
        return elapsed, len(records), sum(1 for r in records if r["status"]), proc.returncode, cpu, \
            sum(server.requests.values())
    finally:
        server.stop()


def measure(n: int = 5000, concurrency: int = 50, rate: float = 200) -> list[tuple]:
    ideal = max(n / rate, n * 0.05 / concurrency)
    clean = run(n, concurrency, rate)
    faulty = run(n, concurrency, rate, fail_5xx=0.10, timeouts=0.05)
    return [("track, 50 ms answers", f"ideal {ideal:.2f}s", f"{clean[0]:.2f}s", f"{clean[0] / ideal:.2f}x", "-",
             f"{clean[1]}/{n} records, exit {clean[3]}, CPU {clean[4] / n * 1000:.2f} ms/request"),
            ("track, 10% 5xx + 5% timeouts", f"ideal {ideal:.2f}s", f"{faulty[0]:.2f}s", f"{faulty[0] / ideal:.2f}x", "-",
             f"{faulty[1]}/{n} records, {faulty[2]} answered, exit {faulty[3]}"),
            track17(n, concurrency, rate), track17(n, concurrency, 3.0, "track 17TRACK --rate 3 (its quota)")]


def track17(n: int, concurrency: int, rate: float | None, label: str = "track 17TRACK, 40 a request") -> tuple:
    elapsed, records, answered, rc, cpu, requests = run17(n, concurrency, rate)
    batches = -(-n // 40)  # one request per batch of 40
    ideal = max(batches / (rate or 3.0), batches * 0.05 / concurrency)
    return (label, f"ideal {ideal:.2f}s", f"{elapsed:.2f}s", f"{elapsed / ideal:.2f}x", "-",
            f"{records}/{n} records, {answered} answered, {requests} requests, exit {rc}, "
            f"CPU {cpu / requests * 1000:.1f} ms/request")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--waybills", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--only-17track", action="store_true", help="only 17TRACK at its quota (--rate 3, and its default)")
    args = ap.parse_args()
    if args.only_17track:
        print(f"{args.waybills} waybills, local 17TRACK imitation answering in 50 ms, concurrency {args.concurrency}")
        print(table([track17(args.waybills, args.concurrency, 3.0, "track 17TRACK --rate 3"),
                     track17(args.waybills, args.concurrency, None, "track 17TRACK, default rate")], COLUMNS))
        return 0
    print(f"{args.waybills} waybills, local imitation answering in 50 ms, concurrency {args.concurrency}, "
          f"--rate {args.rate:g}")
    print(table(measure(args.waybills, args.concurrency, args.rate), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
