"""Make docs/report.png: the README's picture of `kefu report`.

Builds a demo state file (a season of delivered parcels on each route, parcels in the tracking
cache, the reminders of the sample's unpaid orders; random with a fixed seed), writes the report
of examples/taobao_orders.csv against it, and photographs the page in headless Chromium
(Debian's package). Run from the repository root:

    python tools/make_report_demo.py [--lang zh] [--state demo.db]

--state keeps the demo state file (the README's `kefu stats` examples read demo.db).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kefu_cli.state import State  # noqa: E402

ROUTES = {("SOUTH", "广东"): (1, 1), ("SOUTH", "北京"): (4, 2), ("SOUTH", "上海"): (3, 1), ("SOUTH", "四川"): (5, 2),
          ("SOUTH", "新疆"): (9, 3), ("NORTH", "北京"): (1, 1), ("NORTH", "上海"): (3, 1), ("NORTH", "广东"): (5, 2),
          ("JAPAN", "東京都"): (1, 1), ("JAPAN", "大阪府"): (2, 1), ("JAPAN", "北海道"): (3, 1)}
STATUSES = ["in_transit"] * 6 + ["out_for_delivery"] * 2 + ["delivered"] * 8 + ["exception", "refused", "picked_up"]


def demo(path: Path) -> None:
    rnd = random.Random(16)
    state = State(path)
    rows = []
    for (warehouse, province), (mean, spread) in ROUTES.items():
        for i in range(rnd.randint(30, 160)):
            days = max(0, round(rnd.gauss(mean, spread)))
            carrier = rnd.choice(["ZTO", "SF", "DEPPON"] if warehouse != "JAPAN" else ["YAMATO", "SAGAWA"])
            rows.append((f"D{len(rows)}", carrier, "delivered", None, warehouse, "JP" if warehouse == "JAPAN" else "CN",
                         province, None, None, None, f"2026-09-{1 + i % 28:02d}", days, max(0, days - days // 5), "demo", "order"))
    state.record_deliveries(rows)
    for i in range(60):
        status = rnd.choice(STATUSES)
        carrier = rnd.choice(["ZTO", "SF", "DEPPON", "YTO"])
        hour = rnd.randint(60, 107) if i % 12 else rnd.randint(0, 40)  # a few parcels gone quiet
        day = 1 + hour // 24
        record = {"status": status, "events": [
            {"time": f"2026-10-0{day} {hour % 24:02d}:00:00", "status": status, "area": "北京,朝阳区",
             "location": "北京市朝阳区", "context": "快件已到达【北京朝阳营业部】"},
            {"time": f"2026-09-{27 + day % 3} 09:00:00", "status": "picked_up", "area": "广东,佛山市",
             "location": "佛山市", "context": "快件已揽收"}]}
        state.db.execute("INSERT INTO tracking (waybill, carrier, status, record, queried_at, final) VALUES (?, ?, ?, ?, 0, ?)",
                         (f"7350000000{i:04d}", carrier, status, json.dumps(record, ensure_ascii=False),
                          int(status == "delivered")))
    for order_id, stage, template in (("3391204456781230004", "first", "remind_silent"),
                                      ("3391204456781230001", "first", "remind_consulted"),
                                      ("3391204456781230002", "first", "remind_silent"),
                                      ("3391204456781230008", "first", "remind_silent"),
                                      ("3391204456781230008", "last", "remind_silent")):
        at = "2026-09-29T20:00:00+08:00" if stage == "first" else "2026-09-30T20:00:00+08:00"
        state.claim(order_id, f"remind:{stage}", at, [], at[:10], template)
        state.confirm(order_id, f"remind:{stage}")
    from kefu_cli.config import load_config
    from kefu_cli.tracking.cache import import_cached

    import_cached(load_config(None), state)  # the cached deliveries are history too, as kefu stats would find
    state.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", default="en")
    ap.add_argument("--out", default=str(ROOT / "docs" / "report.png"))
    ap.add_argument("--state", help="keep the demo state file here (and take no picture)")
    args = ap.parse_args()
    if args.state:
        for suffix in ("", "-wal", "-shm"):  # a second run starts over rather than doubling the history
            Path(args.state + suffix).unlink(missing_ok=True)
        demo(Path(args.state))
        print(f"wrote {args.state}")
        return 0
    chromium = shutil.which("chromium")
    if chromium is None:
        print("needs Chromium: apt-get install chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.db"
        demo(state)
        page = Path(tmp) / "day.html"
        subprocess.run([sys.executable, "-m", "kefu_cli", "--lang", args.lang, "--now", "2026-10-05 12:00", "report",
                        "examples/taobao_orders.csv", "--items", "examples/taobao_items.csv",
                        "--state", str(state), "-o", str(page)], check=True, cwd=ROOT)
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp}/profile", "--hide-scrollbars", "--window-size=1150,2900",
                        f"--screenshot={args.out}", page.as_uri()], check=True, capture_output=True)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
