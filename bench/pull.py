"""`kefu pull` against local imitations of SP-API and RMS answering in 50 ms.

Usage: python bench/pull.py [--orders 10000] [--repeat 3]
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

Like for like. That CPU floor compares a pull, which must go through HTTP and JSON, with the read
of a file, which has neither, so the bench also measures, in the same run, a bare baseline for
each side doing only its irreducible part, as every other bench's floor is a ratio against one:
- the bare pull (BARE_PULL): Python, asyncio, httpx's AsyncClient with its defaults (its SSL
  context included, as any client of an https API builds one), the same requests one after another
  against the same imitation at the same pace (the token, then every page kefu asked for: it starts
  from the searches kefu's run made, as the imitation logged them, and follows the pagination
  itself), each answer parsed by orjson and read only for what the next request needs; no rows,
  no records, no state, no output. The bench checks that it made as many requests as kefu and
  received every order;
- the bare csv.reader pass over the export (BARE_CSV), as bench/orders.py's baseline.
The third row of each platform is then kefu's CPU per order above the bare pull against `kefu
orders`' CPU per order above the bare csv.reader pass: what kefu itself adds to the irreducible
work on each side (its start-up, the rows and converter, state, output), held to the same 2x. Its
note gives each side's own ratio too (kefu pull / bare pull, kefu orders / bare csv); those are
not comparable with each other, as the bare csv pass of 10,000 orders is mostly Python's start-up.
The four sides run in turn in each round (pull, bare pull, orders, bare csv), so a load that comes
and goes falls on all of them; the least CPU of each side over the rounds is kept. The wall row's
note gives the bare pull's wall time as well (the least of the rounds, and kefu's against it): what
the imitations' pace leaves of the 1.15x to a client that does nothing but ask and parse.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "tools" / "imitation"))  # loopback.py, shared with the tracking imitations

from common import COLUMNS, kefu_command, table  # noqa: E402
from rms_server import RmsServer, rms_order  # noqa: E402
from spapi_server import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SpApiServer, jp_order  # noqa: E402

NOW = "2026-11-21T00:00+09:00"
START = datetime(2026, 11, 1, tzinfo=timezone.utc)
DELAY = 0.05


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


# The irreducible part of a pull, as a client of the platform's API would write it with no more
# than it needs: httpx's AsyncClient (its defaults), the same requests one after another against
# the same imitation, each answer parsed by orjson and read only for what the next request needs
# (the pagination token, the order numbers). It prints the number of orders it received.
BARE_PULL = """\
import asyncio, sys
import httpx, orjson

async def amazon(http, c):
    token = orjson.loads((await http.post(c["token_url"], data=c["form"])).content)["access_token"]
    params, n = dict(c["params"]), 0
    while True:
        body = orjson.loads((await http.get(c["url"], params=params, headers={"x-amz-access-token": token})).content)
        n += len(body["orders"])
        token_next = (body.get("pagination") or {}).get("nextToken")
        if not token_next:
            return n
        params["paginationToken"] = token_next

async def rakuten(http, c):
    headers, numbers, n = {"Authorization": c["auth"], "Content-Type": "application/json; charset=utf-8"}, [], 0
    for search in c["searches"]:
        page = 1
        while True:
            search["PaginationRequestModel"]["requestPage"] = page
            body = orjson.loads((await http.post(c["url"] + "searchOrder/", content=orjson.dumps(search),
                                                 headers=headers)).content)
            numbers += body["orderNumberList"] or []
            if page >= ((body["PaginationResponseModel"] or {}).get("totalPages") or 0):
                break
            page += 1
    for i in range(0, len(numbers), 100):
        body = orjson.loads((await http.post(c["url"] + "getOrder/", headers=headers, content=orjson.dumps(
            {"orderNumberList": numbers[i:i + 100], "version": 10}))).content)
        n += len(body["OrderModelList"])
    return n

async def main():
    async with httpx.AsyncClient(timeout=30) as http:
        print(await globals()[sys.argv[1]](http, orjson.loads(sys.argv[2])))

asyncio.run(main())
"""

# A bare csv.reader pass over the export, as bench/orders.py's baseline (with the file's delimiter).
BARE_CSV = """\
import csv, sys
with open(sys.argv[1], encoding=sys.argv[2], newline="") as f:
    for row in csv.reader(f, delimiter=sys.argv[3]):
        pass
"""


def _run(cmd: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the process and its children, the process) of one run
    (getrusage: microseconds, where os.times counts 10 ms ticks)."""
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, env=env, timeout=900)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, proc


def _compare(name: str, server, asked_so_far, pull: list[str], bare: Callable[[list], tuple[str, dict]], export: Path,
             encoding: str, delimiter: str, baseline: str, tmp: str, n: int, repeat: int) -> list[tuple]:
    """The pull against requests × 50 ms (wall, best of `repeat`) and its CPU against `kefu orders`
    on `export`; then like for like: each above its own bare baseline (the bare pull, to which
    `bare(searches)` gives (platform, request data) from the searches kefu's pull just made, as
    the imitation logged them; a bare csv.reader pass over `export`). The four sides run in turn, `repeat` rounds, the least CPU of each side kept.
    `asked_so_far()`: the requests the imitation has answered until now."""
    env = _env(tmp, server.env())
    best = None
    cpu = {"pull": [], "bare pull": [], "orders": [], "bare csv": []}
    bare_walls, bare_asked, bare_out = [], set(), set()
    orders_cmd = [*kefu_command(), "-q", "orders", str(export), "-f", "jsonl"]
    csv_cmd = [sys.executable, "-c", BARE_CSV, str(export), encoding, delimiter]
    for _ in range(repeat):
        state = Path(tmp) / "state.db"
        if state.exists():
            state.unlink()
        requests, answering, logged = asked_so_far(), server.answer_time, len(server.searches)
        wall, used, proc = _run([*kefu_command(), "-q", "--now", NOW, "pull", name, *pull, "--rate", "1000",
                                 "-f", "jsonl"], env)
        asked = asked_so_far() - requests
        answered = (server.answer_time - answering) / asked  # the imitation's own pace
        printed = proc.stdout.count(b"\n")
        if best is None or wall < best[0]:
            best = (wall, proc.returncode, printed, asked, answered)
        cpu["pull"].append(used)
        pulled = proc.stdout
        platform, data = bare(server.searches[logged:])
        requests = asked_so_far()
        wall, used, proc = _run([sys.executable, "-c", BARE_PULL, platform, json.dumps(data)], env)
        bare_asked.add(asked_so_far() - requests)
        bare_out.add((proc.returncode, proc.stdout.strip().decode(), proc.stderr.decode()[-300:]))
        bare_walls.append(wall)
        cpu["bare pull"].append(used)
        _w, used, read = _run(orders_cmd, _env(tmp, {}))
        cpu["orders"].append(used)
        cpu["bare csv"].append(_run(csv_cmd, env)[1])
    least = {side: min(times) / n * 1000 for side, times in cpu.items()}  # ms per order
    same = _same_records(pulled, read.stdout)
    md5 = hashlib.md5(pulled).hexdigest()[:8]  # output byte-identical across changes
    wall, rc, printed, asked, answered = best
    ideal = asked * DELAY
    bare_ok = "" if bare_out == {(0, str(n), "")} and bare_asked == {asked} else \
        f"; BARE PULL DIFFERS: {sorted(bare_asked)} requests, {sorted(bare_out)}"
    pull_above, orders_above = least["pull"] - least["bare pull"], least["orders"] - least["bare csv"]
    return [(f"pull {name}, 50 ms answers", f"ideal {ideal:.2f}s", f"{wall:.2f}s", f"{wall / ideal:.2f}x", "-",
             f"{printed}/{n} orders, {asked} requests answered in {answered * 1000:.1f} ms on average "
             f"({wall / (asked * answered):.2f}x their sum), exit {rc}, md5 {md5}; the bare pull "
             f"{min(bare_walls):.2f}s ({min(bare_walls) / ideal:.2f}x; kefu {wall / min(bare_walls):.2f}x of it){bare_ok}"),
            (f"pull {name} CPU per order", f"{baseline} {least['orders']:.3f} ms",
             f"{least['pull']:.3f} ms", f"{least['pull'] / least['orders']:.2f}x", "-",
             f"kefu's CPU, start-up included; {same}"),
            (f"pull {name} CPU/order over bare", f"{baseline} over bare csv {orders_above:.3f} ms",
             f"{pull_above:.3f} ms", f"{pull_above / orders_above:.2f}x", "-",
             f"bare pull {least['bare pull']:.3f} ms, bare csv.reader {least['bare csv']:.3f} ms; "
             f"kefu pull / bare pull {least['pull'] / least['bare pull']:.2f}x, "
             f"kefu orders / bare csv {least['orders'] / least['bare csv']:.2f}x")]


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

    def bare(searches: list[dict]) -> tuple[str, dict]:  # kefu's first search, its pages followed
        form = {"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET}
        return "amazon", {"token_url": server.token_url, "form": form, "params": searches[0],
                          "url": f"{server.origin()}/orders/2026-01-01/orders"}

    try:
        with tempfile.TemporaryDirectory() as tmp:
            # the same orders as Amazon's order report (one row per item)
            report = _export(Path(tmp) / "report.txt", mapping, orders, "utf-8", delimiter="\t", lineterminator="\n")
            return _compare("amazon_jp", server, lambda: len(server.searches) + server.token_requests,
                            ["--since", "2026-11-01"], bare, report, "utf-8", "\t", "orders on the report", tmp, n,
                            repeat)
    finally:
        server.stop()


def rakuten(n: int, repeat: int) -> list[tuple]:
    import base64

    from kefu_cli.pull import rakuten as mapping

    orders = [rms_order(i, START + timedelta(seconds=i * 60), progress=300 if i % 3 else 500,
                        shipping=f"{i:012d}" if i % 3 == 0 else None) for i in range(1, n + 1)]
    server = RmsServer(orders, delay=DELAY).start()

    def bare(searches: list[dict]) -> tuple[str, dict]:  # kefu's searches (their first pages), then getOrder
        env = server.env()
        secret, key = env["KEFU_RMS_SERVICE_SECRET"], env["KEFU_RMS_LICENSE_KEY"]
        return "rakuten", {"auth": "ESA " + base64.b64encode(f"{secret}:{key}".encode()).decode(),
                           "url": f"{server.origin()}/es/2.0/order/",
                           "searches": [s for s in searches if s["PaginationRequestModel"]["requestPage"] == 1]}

    try:
        with tempfile.TemporaryDirectory() as tmp:
            export = _export(Path(tmp) / "rakuten.csv", mapping, orders, "cp932", quoting=csv.QUOTE_ALL)
            return _compare("rakuten", server, lambda: len(server.searches) + len(server.gets),
                            ["--since", "2026-11-01T00:00+09:00"], bare, export, "cp932", ",", "orders on the CSV", tmp,
                            n, repeat)
    finally:
        server.stop()


def measure(n: int = 10_000, repeat: int = 3) -> list[tuple]:
    return amazon(n, repeat) + rakuten(n, repeat)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{args.orders} orders, local imitations answering in {DELAY * 1000:.0f} ms, --rate 1000, best of {args.repeat}")
    print(table(measure(args.orders, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
