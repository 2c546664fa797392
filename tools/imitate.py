"""Local imitations of 快递100 and 17TRACK, for trying `kefu track` without an account.

    eval "$(python tools/imitate.py)"      # start both in the background, set the variables
    kefu track 73512345678901 --phone 5678
    kill "$KEFU_IMITATION_PID"               # or let it stop by itself after --for seconds

The imitations are the ones the tests and bench/track.py use (tools/imitation/: one definition):
they answer with the shapes the real services send — each shape's source is named in
tools/imitation/k100_server.py and seventeen_server.py — check the sign and the token, and
register an unseen 17TRACK number before answering with its events. kefu itself has no fake
provider: it is pointed at these through the ordinary endpoint variables
(KEFU_KUAIDI100_ENDPOINT, KEFU_17TRACK_ENDPOINT), exactly as at a staging endpoint.

stdout carries the `export …` line for the shell (the endpoints, the imitations' throwaway
credentials and the background process's id); `--foreground` serves until Ctrl-C instead.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "imitation"))

from k100_server import CUSTOMER, KEY, K100Server  # noqa: E402
from seventeen_server import TOKEN, SeventeenServer  # noqa: E402


def exports(k100: K100Server, seventeen: SeventeenServer, pid: int) -> str:
    pairs = {"KEFU_KUAIDI100_ENDPOINT": k100.url, "KEFU_KUAIDI100_CUSTOMER": CUSTOMER, "KEFU_KUAIDI100_KEY": KEY,
             "KEFU_17TRACK_ENDPOINT": seventeen.url, "KEFU_17TRACK_TOKEN": TOKEN, "KEFU_IMITATION_PID": str(pid)}
    return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in pairs.items())


def serve(lifetime: float, ready) -> int:
    k100, seventeen = K100Server().start(), SeventeenServer().start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ready(exports(k100, seventeen, os.getpid()))
    try:
        stop.wait(lifetime)
    finally:
        k100.stop()
        seventeen.stop()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--for", dest="lifetime", type=float, default=3600,
                    help="stop after this many seconds (default 3600)")
    ap.add_argument("--foreground", action="store_true", help="serve in this process until Ctrl-C")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.foreground or args.child:
        def ready(line: str) -> None:
            print(line, flush=True)
            if args.child:  # the parent has read the line: let the shell's $(…) end
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
            else:
                print("imitations of 快递100 and 17TRACK running; Ctrl-C stops them", file=sys.stderr)
        return serve(args.lifetime, ready)
    child = subprocess.Popen([sys.executable, __file__, "--child", "--for", str(args.lifetime)],
                             stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True, text=True)
    line = child.stdout.readline().strip()
    child.stdout.close()
    if not line.startswith("export "):
        print("imitate: the imitations did not start", file=sys.stderr)
        return 1
    print(line)
    print(f"imitate: 快递100 and 17TRACK imitations in process {child.pid} for {args.lifetime:g} s "
          "(kill \"$KEFU_IMITATION_PID\" stops them)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
