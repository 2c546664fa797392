"""`kefu pull` against local imitations of SP-API and RMS answering in 50 ms.

Usage: python bench/pull.py [--orders 10000] [--repeat 2]
Floors (issue 26): with --rate high enough that the 50 ms answers set the pace, wall time <= 1.15x
the ideal (requests one after another × 50 ms: the pages depend on each other); kefu's CPU per
order <= 2x its CPU per order reading the same orders from the platform's export (`kefu orders`
on the order report / the RMS CSV, in the same run), the least of the repeats on both sides.

What each side counts. The imitations answer each request 50 ms after it came in, their own work
(finding and encoding a page) inside those 50 ms, as a platform's answer time is; they run in this
process and are not counted. Wall time is the kefu process's, start to exit (the least of the
repeats): its start-up, every request, and the last page's conversion and output. The ratio is
against requests × 50 ms; the note also gives what the imitation really took per answer (asyncio's
timer wakes it up to a millisecond or two late) and the wall time against the sum of those. CPU (user +
system) is the kefu process's own, start-up included on both sides: for the pull, Python and its
imports (httpx, asyncio), the state file (claim, printed versions, cursor), the requests, reading
and parsing the answers, writing them as the export's rows, the profile's converter and the
output; for the export, Python and its imports, reading and decoding the file, CSV parsing, the
same converter and the same output. Both print the same 10,000 orders as `-f jsonl`, and the
bench checks that the records are the same but for `row` (the line of the file; null when pulled).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "tools" / "imitation"))  # loopback.py, shared with the tracking imitations

from common import COLUMNS, kefu_command, table  # noqa: E402
from rms_server import RmsServer, rms_order  # noqa: E402
from spapi_server import SpApiServer, jp_order  # noqa: E402

NOW = "2026-11-21T00:00+09:00"
START = datetime(2026, 11, 1, tzinfo=timezone.utc)
DELAY = 0.05


def _kefu(args: list[str], env: dict, stdin=None) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of kefu, the process) of one run."""
    start, before = time.perf_counter(), os.times()
    proc = subprocess.run([*kefu_command(), *args], capture_output=True, env=env, timeout=900, input=stdin)
    wall, after = time.perf_counter() - start, os.times()
    cpu = after.children_user - before.children_user + after.children_system - before.children_system
    return wall, cpu, proc


def _same_records(pulled: bytes, exported: bytes) -> str:
    """"same records" when both outputs hold the same records but for `row`, else what differs."""
    import json

    def records(raw: bytes) -> list:
        return [{k: v for k, v in json.loads(line).items() if k != "row"} for line in raw.splitlines()]

    a, b = records(pulled), records(exported)
    if a == b:
        return "same records"
    return f"DIFFERENT records ({len(a)} pulled, {len(b)} read)"


def _env(tmp: str, server_env: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}  # loopback only
    env.update(server_env, KEFU_STATE=os.path.join(tmp, "state.db"))
    return env


def _compare(name: str, server, asked_so_far, pull: list[str], export: Path, baseline: str, tmp: str, n: int,
             repeat: int) -> list[tuple]:
    """The pull against requests × 50 ms (wall, best of `repeat`) and its CPU against `kefu orders`
    on `export` (the least of `repeat` on both sides). `asked_so_far()`: the requests the imitation
    has answered until now."""
    best = least = None
    for _ in range(repeat):
        state = Path(tmp) / "state.db"
        if state.exists():
            state.unlink()
        requests, answering = asked_so_far(), server.answer_time
        wall, cpu, proc = _kefu(["-q", "--now", NOW, "pull", name, *pull, "--rate", "1000", "-f", "jsonl"],
                                _env(tmp, server.env()))
        asked = asked_so_far() - requests
        answered = (server.answer_time - answering) / asked  # the imitation's own pace
        printed = proc.stdout.count(b"\n")
        if best is None or wall < best[0]:
            best = (wall, proc.returncode, printed, asked, answered)
        least = cpu if least is None else min(least, cpu)  # best of n for CPU too, as the baseline's
        pulled = proc.stdout
    runs = [_kefu(["-q", "orders", str(export), "-f", "jsonl"], _env(tmp, {})) for _ in range(repeat)]
    base = min(r[1] for r in runs)
    same = _same_records(pulled, runs[-1][2].stdout)
    md5 = hashlib.md5(pulled).hexdigest()[:8]  # output byte-identical across changes
    wall, rc, printed, asked, answered = best
    ideal = asked * DELAY
    return [(f"pull {name}, 50 ms answers", f"ideal {ideal:.2f}s", f"{wall:.2f}s", f"{wall / ideal:.2f}x", "-",
             f"{printed}/{n} orders, {asked} requests answered in {answered * 1000:.1f} ms on average "
             f"({wall / (asked * answered):.2f}x their sum), exit {rc}, md5 {md5}"),
            (f"pull {name} CPU per order", f"{baseline} {base / n * 1000:.3f} ms",
             f"{least / n * 1000:.3f} ms", f"{least / base:.2f}x", "-", f"kefu's CPU, start-up included; {same}")]


def _export(path: Path, mapping, orders: list[dict], encoding: str, **dialect) -> Path:
    """The orders as the platform's export writes them (its mapping's rows), for the baseline."""
    from zoneinfo import ZoneInfo

    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, **dialect)
        w.writerow(mapping.HEADERS)
        for order in orders:
            w.writerows(mapping.rows(order, ZoneInfo("Asia/Tokyo")))
    return path


def amazon(n: int, repeat: int) -> list[tuple]:
    from kefu_cli.pull import amazon as mapping

    orders = [jp_order(i, START + timedelta(seconds=i * 60), tracking=f"{i:012d}" if i % 2 else None)
              for i in range(1, n + 1)]
    server = SpApiServer(orders, delay=DELAY, rate=10_000, burst=10_000).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # the same orders as Amazon's order report (one row per item)
            report = _export(Path(tmp) / "report.txt", mapping, orders, "utf-8", delimiter="\t", lineterminator="\n")
            return _compare("amazon_jp", server, lambda: len(server.searches) + server.token_requests,
                            ["--since", "2026-11-01"], report, "orders on the report", tmp, n, repeat)
    finally:
        server.stop()


def rakuten(n: int, repeat: int) -> list[tuple]:
    from kefu_cli.pull import rakuten as mapping

    orders = [rms_order(i, START + timedelta(seconds=i * 60), progress=300 if i % 3 else 500,
                        shipping=f"{i:012d}" if i % 3 == 0 else None) for i in range(1, n + 1)]
    server = RmsServer(orders, delay=DELAY).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            export = _export(Path(tmp) / "rakuten.csv", mapping, orders, "cp932", quoting=csv.QUOTE_ALL)
            return _compare("rakuten", server, lambda: len(server.searches) + len(server.gets),
                            ["--since", "2026-11-01T00:00+09:00"], export, "orders on the CSV", tmp, n, repeat)
    finally:
        server.stop()


def measure(n: int = 10_000, repeat: int = 2) -> list[tuple]:
    return amazon(n, repeat) + rakuten(n, repeat)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(f"{args.orders} orders, local imitations answering in {DELAY * 1000:.0f} ms, --rate 1000, best of {args.repeat}")
    print(table(measure(args.orders, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
