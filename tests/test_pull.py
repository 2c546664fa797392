"""`kefu pull`: orders from the platforms' APIs (imitations on loopback built from the documented
answers: tests/spapi_server.py, tests/rms_server.py), read through the platform's profile as its
export is, incrementally and once for cron."""

from __future__ import annotations

import copy
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from spapi_server import CLIENT_SECRET, JP_ORDER, SpApiServer, jp_order

NOW = "2026-11-21T00:00+09:00"
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def spapi(monkeypatch):
    servers = []

    def start(orders, **kw):
        server = SpApiServer(orders, **kw).start()
        servers.append(server)
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        return server

    yield start
    for server in servers:
        server.stop()


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def cursor(platform="amazon_jp", shop=""):
    db = sqlite3.connect(os.environ["KEFU_STATE"])
    try:
        row = db.execute("SELECT cursor, claim_pid FROM pull_cursors WHERE platform = ? AND shop = ?",
                         (platform, shop)).fetchone()
    finally:
        db.close()
    return row


# --------------------------------------------------------------------------- parity

# The sandbox's JP order (untouched) and one with a phone, a prefecture, freight and a parcel, as
# Amazon's order report writes them (tab-separated, one row per item, times in +09:00).
REPORT_HEADERS = ["order-id", "order-item-id", "order-status", "purchase-date", "payments-date", "buyer-name",
                  "sku", "product-name", "quantity-purchased", "item-price", "shipping-price", "recipient-name",
                  "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state", "ship-postal-code",
                  "ship-country", "ship-phone-number", "tracking-number", "carrier"]
REPORT = [
    ["250-1234567-8901234", "25012345678901", "Shipped", "2024-12-25T11:30:00+09:00", "", "John Smith",
     "ECHO-DOT-4-JP-CHARCOAL", "Echo Dot (第4世代) スマートスピーカー with Alexa チャコール", "1", "5980", "",
     "John Smith", "123 Business Park", "Suite 456", "", "Tokyo", "", "150-0002", "JP", "", "", ""],
    ["250-1234567-8901234", "25012345678902", "Shipped", "2024-12-25T11:30:00+09:00", "", "John Smith",
     "FIRE-TV-4K-MAX-JP", "Fire TV Stick 4K Max ストリーミングデバイス", "2", "13960", "",
     "John Smith", "123 Business Park", "Suite 456", "", "Tokyo", "", "150-0002", "JP", "", "", ""],
    ["250-0000000-0000007", "25012345678901", "Unshipped", "2026-11-20T10:07:00+09:00", "", "山田 太郎",
     "ECHO-DOT-4-JP-CHARCOAL", "Echo Dot (第4世代) スマートスピーカー with Alexa チャコール", "1", "5980", "500",
     "山田 太郎", "神宮前1-2-3", "", "", "渋谷区", "東京都", "150-0001", "JP", "03-1234-5678", "123456789012", "YAMATO"],
    ["250-0000000-0000007", "25012345678902", "Unshipped", "2026-11-20T10:07:00+09:00", "", "山田 太郎",
     "FIRE-TV-4K-MAX-JP", "Fire TV Stick 4K Max ストリーミングデバイス", "2", "13960", "",
     "山田 太郎", "神宮前1-2-3", "", "", "渋谷区", "東京都", "150-0001", "JP", "03-1234-5678", "123456789012", "YAMATO"],
]


def comparable(record: dict) -> dict:
    """A record without what only says where it was read from: the file's row and the problems'
    row and column."""
    out = {k: v for k, v in record.items() if k != "row"}
    out["problems"] = [{k: v for k, v in p.items() if k not in ("row", "column", "message")} for p in record["problems"]]
    return out


def test_an_order_pulled_and_the_same_order_exported_give_the_same_record(spapi, run, tmp_path):
    spapi([JP_ORDER, jp_order(7, T0 + timedelta(minutes=7), tracking="123456789012")])
    pulled = run("--now", NOW, "pull", "amazon_jp", "--since", "2024-12-01", "-f", "jsonl")
    assert pulled.exit_code == 0, pulled
    report = tmp_path / "report.txt"
    report.write_text("\n".join("\t".join(r) for r in [REPORT_HEADERS, *REPORT]) + "\n", encoding="utf-8")
    exported = run("orders", report, "-f", "jsonl")
    assert exported.exit_code == 0, exported
    assert [comparable(r) for r in lines(pulled.stdout)] == [comparable(r) for r in lines(exported.stdout)]
    first = lines(pulled.stdout)[0]
    assert first["row"] is None and first["goods_amount"] == "19940"  # 5980 + 2 × 6980, as the sandbox's grandTotal
    assert first["status"] == "shipped" and first["created_at"] == "2024-12-25T11:30:00+09:00"


def test_every_output_format_is_the_one_kefu_orders_writes(spapi, run, tmp_path):
    spapi([jp_order(7, T0 + timedelta(minutes=7), tracking="123456789012")])
    report = tmp_path / "report.txt"
    report.write_text("\n".join("\t".join(r) for r in [REPORT_HEADERS, *REPORT[2:]]) + "\n", encoding="utf-8")
    for fmt in ("tsv", "csv", "json", "table"):
        pulled = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-01", "--all", "-f", fmt,
                     "--fields", "order_id,status,paid,province,waybill,items")
        exported = run("orders", report, "-f", fmt, "--fields", "order_id,status,paid,province,waybill,items")
        assert pulled.stdout == exported.stdout and pulled.stdout, (fmt, pulled, exported)


# --------------------------------------------------------------------------- cron: once each


def test_cron_twice_prints_each_order_once_and_a_changed_order_again(spapi, run):
    orders = [jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 251)]  # three pages of 100
    server = spapi(orders)
    first = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl")
    assert first.exit_code == 0, first
    assert [r["order_id"] for r in lines(first.stdout)] == [o["orderId"] for o in orders]
    assert len(server.searches) == 3 and "paginationToken" in server.searches[1]
    # the token is only sent with the same other parameters
    assert {k: v for k, v in server.searches[1].items() if k != "paginationToken"} == server.searches[0]
    assert server.searches[0]["lastUpdatedBefore"] == "2026-11-20T14:58:00Z"  # now less two minutes, in UTC
    assert cursor() == ("2026-11-20T14:58:00+00:00", None)
    later = "2026-11-21T00:05+09:00"
    again = run("--now", later, "pull", "amazon_jp", "-f", "jsonl")
    assert again.exit_code == 0 and again.stdout == "", again
    # the overlap: ten minutes before the cursor are read again
    assert server.searches[-1]["lastUpdatedAfter"] == "2026-11-20T14:48:00Z"
    changed = copy.deepcopy(orders[10])
    changed["lastUpdatedTime"] = "2026-11-20T14:59:00Z"
    changed["fulfillment"]["fulfillmentStatus"] = "SHIPPED"
    server.orders.append(changed)
    server.orders.append(jp_order(999, datetime(2026, 11, 20, 14, 59, tzinfo=timezone.utc)))
    third = run("--now", "2026-11-21T00:10+09:00", "pull", "amazon_jp", "-f", "jsonl")
    assert [(r["order_id"], r["status"]) for r in lines(third.stdout)] == [
        (changed["orderId"], "shipped"), ("250-0000000-0000999", "paid")]
    assert run("--now", "2026-11-21T00:15+09:00", "pull", "amazon_jp", "-f", "jsonl").stdout == ""


def test_a_first_run_needs_since(spapi, run):
    server = spapi([])
    r = run("--now", NOW, "pull", "amazon_jp")
    assert r.exit_code == 2 and "--since" in r.stderr and r.stdout == ""
    assert server.searches == []


def test_runs_started_together_do_not_both_print(spapi, tmp_path):
    server = spapi([jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 4)], delay=0.6)
    cmd = [sys.executable, "-m", "kefu_cli", "--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    printed = [o for out, _err in results for o in lines(out)]
    assert sorted(r["order_id"] for r in printed) == sorted(o["orderId"] for o in server.orders)
    assert sum("in progress by pid" in err for _out, err in results) >= 1


def test_the_cursor_stays_when_the_output_is_not_written(spapi, tmp_path):
    spapi([jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 251)])
    cmd = [sys.executable, "-m", "kefu_cli", "--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl"]
    full = subprocess.run(cmd + ["-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert full.returncode == 0
    # a reader that closes the pipe after one line: exit 141, nothing more recorded, cursor not moved
    os.remove(os.environ["KEFU_STATE"])
    head = subprocess.run(f"{' '.join(cmd)} | head -1", shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    assert len(lines(head.stdout)) == 1 and "Traceback" not in head.stderr
    assert cursor()[0] is None and cursor()[1] is None
    rest = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert rest.returncode == 0 and 150 <= len(lines(rest.stdout)) <= 250  # at least the pages never flushed


# --------------------------------------------------------------------------- credentials


def test_credentials_come_from_the_environment_and_are_checked_first(spapi, run, monkeypatch):
    server = spapi([])
    monkeypatch.delenv("KEFU_SPAPI_REFRESH_TOKEN")
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20")
    assert r.exit_code == 2 and "KEFU_SPAPI_REFRESH_TOKEN" in r.stderr and CLIENT_SECRET not in r.stderr
    assert server.token_requests == 0 and server.searches == []
    # --shop NAME reads the variables suffixed _NAME, and keeps a cursor of its own
    for k, v in server.env("tokyo").items():
        monkeypatch.setenv(k, v)
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "--shop", "tokyo")
    assert r.exit_code == 0, r
    assert cursor(shop="tokyo")[0] == "2026-11-20T14:58:00+00:00" and cursor() is None


def test_a_refused_refresh_token_is_exit_3_with_the_pages_before_it_printed(spapi, run):
    orders = [jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 251)]
    server = spapi(orders, token_ttl=60)  # a token a minute long: kefu asks for a new one each page
    server.grants_left = 1
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl")
    assert r.exit_code == 3, r
    assert "invalid_grant" in r.stderr and "KEFU_SPAPI_REFRESH_TOKEN" in r.stderr
    assert [x["order_id"] for x in lines(r.stdout)] == [o["orderId"] for o in orders[:100]]
    assert cursor()[0] is None  # the window was not finished
    server.revoked, server.grants_left = False, None
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl")
    assert [x["order_id"] for x in lines(r.stdout)] == [o["orderId"] for o in orders[100:]]


def test_an_unrotated_client_secret_is_exit_3_with_the_fix(spapi, run):
    server = spapi([])
    server.secret = "amzn1.oa2-cs.v1.the-rotated-one"
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20")
    assert r.exit_code == 3 and "invalid_client" in r.stderr and "180 days" in r.stderr
    assert CLIENT_SECRET not in r.stderr


def test_an_expired_access_token_is_refused_as_the_platform_says(spapi, run):
    server = spapi([jp_order(1, T0)], token_ttl=3600)
    server.faults = []
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20")
    assert r.exit_code == 0
    server.expire_tokens()  # a token kefu still believes valid, refused by the platform: 403
    from kefu_cli.pull.amazon import SpApi

    api = SpApi({}, server.origin(), server.token_url, ["A1VC38T7YXB528"], None, 5)
    err = api.classify(403, {"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied."}]}, {})
    assert err.kind == "credentials" and "Orders role" in err.fix


# --------------------------------------------------------------------------- limits and faults


def test_429_5xx_drops_and_a_malformed_page_are_retried(spapi, run):
    orders = [jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 151)]
    server = spapi(orders, stated_rate="50")  # a plan of 50/s stated in x-amzn-RateLimit-Limit
    server.faults = [None, "429", "503", None, "drop", "malformed"]  # the token; page 1 twice; page 2 twice
    # --rate: after a 429 kefu waits one interval of the plan (180 s for searchOrders' own)
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl", "--rate", "100")
    assert r.exit_code == 0, r
    assert [x["order_id"] for x in lines(r.stdout)] == [o["orderId"] for o in orders]


def test_a_page_malformed_for_good_is_that_pages_error(spapi, run):
    orders = [jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 151)]
    server = spapi(orders)
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl", "--all")
    assert r.exit_code == 0
    server.faults = [None, None] + ["malformed"] * 4  # the token, page 1, then page 2 four times
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl", "--all")
    assert r.exit_code == 3 and "searchOrders page 2" in r.stderr and "malformed" in r.stderr, r
    assert len(lines(r.stdout)) == 100 and "Traceback" not in r.stderr


def test_an_answer_past_the_cap_is_an_error_not_a_crash(spapi, run):
    server = spapi([jp_order(1, T0)])
    server.faults = [None] + ["huge"] * 4
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20")
    assert r.exit_code == 3 and "larger than 8 MiB" in r.stderr, r


def test_the_rate_limit_is_the_plan_lowered_by_the_answer():
    from kefu_cli.pull.amazon import SpApi

    api = SpApi({}, "http://x", "http://x/t", ["A1VC38T7YXB528"], None, 5)
    limit = api.limits["searchOrders"]
    assert (round(1 / limit.interval, 4), limit.burst) == (0.0056, 20)  # the documented plan
    api.lowered("searchOrders", {"x-amzn-ratelimit-limit": "0.0030"})
    assert round(1 / limit.interval, 4) == 0.003
    api.lowered("searchOrders", {"x-amzn-ratelimit-limit": "5"})  # a header never raises it
    assert round(1 / limit.interval, 4) == 0.003


@pytest.fixture
def slept(monkeypatch):
    """The rate limiter's sleeps, on a clock that moves only when it sleeps."""
    clock = [100.0]
    sleeps = []
    monkeypatch.setattr("kefu_cli.http.time.monotonic", lambda: clock[0])

    async def sleep(s):
        sleeps.append(round(s, 3))
        clock[0] += s

    monkeypatch.setattr("kefu_cli.http.asyncio.sleep", sleep)
    return sleeps


def test_the_burst_goes_at_once_then_the_grid(slept):
    import asyncio

    from kefu_cli.http import RateLimit

    limit = RateLimit(2.0, burst=3)

    async def go():
        for _ in range(5):
            await limit.wait()

    asyncio.run(go())
    assert slept == [0.5, 0.5]  # three at once, then one every 1/rate s


def test_the_sandbox_entry_is_answered_as_the_model_has_it(spapi):
    """The imitation replays the static sandbox's JP entry verbatim (its source)."""
    import httpx

    from spapi_server import JP_REQUEST, JP_RESPONSE, REFRESH_TOKEN, CLIENT_ID

    server = spapi([])
    token = httpx.post(server.token_url, data={"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
                                               "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}).json()
    params = {k: ",".join(v["value"]) if isinstance(v["value"], list) else v["value"] for k, v in JP_REQUEST.items()}
    answer = httpx.get(f"{server.origin()}/orders/2026-01-01/orders", params=params,
                       headers={"x-amz-access-token": token["access_token"]})
    assert answer.json() == JP_RESPONSE and answer.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    late = dict(params, createdAfter=None)
    del late["createdAfter"]
    late.update(lastUpdatedAfter="2026-11-20T00:00:00Z", lastUpdatedBefore="2099-01-01T00:00:00Z")
    refused = httpx.get(f"{server.origin()}/orders/2026-01-01/orders", params=late,
                        headers={"x-amz-access-token": token["access_token"]})
    assert refused.status_code == 400 and "2 minutes" in refused.json()["errors"][0]["message"]


# --------------------------------------------------------------------------- Rakuten RMS

from rms_server import LICENSE, SECRET, RmsServer, rms_order  # noqa: E402

JST = timezone(timedelta(hours=9))


@pytest.fixture
def rms(monkeypatch):
    servers = []

    def start(orders, **kw):
        server = RmsServer(orders, **kw).start()
        servers.append(server)
        for k, v in server.env().items():
            monkeypatch.setenv(k, v)
        return server

    yield start
    for server in servers:
        server.stop()


# order 3 of rms_order as RMS's order CSV writes it (注文データダウンロード, cp932, one row per item)
RMS_CSV_HEADERS = ["注文番号", "ステータス", "注文日時", "商品合計金額", "送料合計", "請求金額", "合計金額", "ポイント利用額",
                   "クーポン利用総額", "送付先郵便番号1", "送付先郵便番号2", "送付先住所都道府県", "送付先住所郡市区",
                   "送付先住所それ以降の住所", "送付先姓", "送付先名", "送付先電話番号1", "送付先電話番号2", "送付先電話番号3",
                   "商品名", "商品番号", "単価", "個数", "お届け日指定", "お荷物伝票番号", "配送会社", "コメント", "ひとことメモ",
                   "決済方法"]
RMS_CSV_ORDER = ["123456-20261120-00000003", "発送済", "2026-11-20 10:03:00", "87000", "0", "86500", "87000", "500",
                 "0", "163", "8001", "東京都", "新宿区", "西新宿2-8-1", "山田", "花子", "090", "1234", "0003"]
RMS_CSV_ROWS = [RMS_CSV_ORDER + ["北欧 パイン材 シングルベッド", "DS1205", "39800", "1", "2026-12-12", "425792094324",
                                 "ヤマト運輸", "[配送日時指定:]\n12月12日(土)", "", "クレジットカード"],
                RMS_CSV_ORDER + ["パイン材 チェスト 3段", "DS0305", "23600", "2", "2026-12-12", "425792094324",
                                 "ヤマト運輸", "[配送日時指定:]\n12月12日(土)", "", "クレジットカード"]]


def rms_orders(n, start=datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc), **kw):
    return [rms_order(i, start + timedelta(minutes=i), **kw) for i in range(1, n + 1)]


def test_a_rakuten_order_pulled_and_the_same_order_in_rms_csv_give_the_same_record(rms, run, tmp_path):
    import csv

    rms([rms_order(3, datetime(2026, 11, 20, 1, 3, tzinfo=timezone.utc), progress=500, shipping="425792094324")])
    pulled = run("--now", NOW, "pull", "rakuten", "--since", "2026-11-20", "-f", "jsonl")
    assert pulled.exit_code == 0, pulled
    export = tmp_path / "rakuten.csv"
    with open(export, "w", encoding="cp932", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL).writerows([RMS_CSV_HEADERS, *RMS_CSV_ROWS])
    exported = run("orders", export, "-f", "jsonl")
    assert exported.exit_code == 0, exported
    assert [comparable(r) for r in lines(pulled.stdout)] == [comparable(r) for r in lines(exported.stdout)]
    (record,) = lines(pulled.stdout)
    assert (record["status"], record["paid"], record["waybill"], record["mobile"]) == (
        "shipped", "86500", "425792094324", "090-1234-0003")
    assert [i["qty"] for i in record["items"]] == [1, 2]


def test_rakuten_prints_each_order_once_and_a_changed_one_again(rms, run):
    orders = rms_orders(250)
    server = rms(orders)
    first = run("--now", NOW, "pull", "rakuten", "--since", "2026-11-20", "-f", "jsonl")
    assert first.exit_code == 0, first
    assert [r["order_id"] for r in lines(first.stdout)] == [o["orderNumber"] for o in orders]
    assert [len(g) for g in server.gets] == [100, 100, 50]  # getOrder takes 100 numbers at most
    assert server.searches[0]["dateType"] == 1 and server.searches[0]["endDatetime"] == "2026-11-21T00:00:00+0900"
    assert run("--now", "2026-11-21T00:05+09:00", "pull", "rakuten", "-f", "jsonl").stdout == ""
    # an open order that changed (shipped, with its waybill) is seen by the lookback and printed again
    server.change(orders[4]["orderNumber"], orderProgress=500, PackageModelList=[dict(
        orders[4]["PackageModelList"][0], ShippingModelList=[{"shippingNumber": "425792094324",
                                                              "deliveryCompany": "1001",
                                                              "deliveryCompanyName": "ヤマト運輸"}])])
    again = run("--now", "2026-11-21T00:10+09:00", "pull", "rakuten", "-f", "jsonl")
    assert [(r["order_id"], r["status"], r["waybill"]) for r in lines(again.stdout)] == [
        (orders[4]["orderNumber"], "shipped", "425792094324")]
    assert server.searches[-1]["orderProgressList"] == [100, 200, 300, 400, 500, 600, 800]


def test_rakuten_windows_are_63_days_at_most(rms, run):
    server = rms(rms_orders(3, start=datetime(2026, 8, 1, tzinfo=timezone.utc)))
    r = run("--now", NOW, "pull", "rakuten", "--since", "2026-08-01T00:00+09:00", "-f", "jsonl")
    assert r.exit_code == 0 and len(lines(r.stdout)) == 3, r
    spans = [(s["startDatetime"], s["endDatetime"]) for s in server.searches if "orderProgressList" not in s]
    assert spans == [("2026-08-01T00:00:00+0900", "2026-10-03T00:00:00+0900"),
                     ("2026-10-03T00:00:00+0900", "2026-11-21T00:00:00+0900")]


def test_an_unsettled_amount_is_empty_with_a_problem_not_minus_9999(rms, run):
    rms([rms_order(1, T0, unsettled=True)])
    r = run("--now", NOW, "pull", "rakuten", "--since", "2026-11-20", "-f", "jsonl")
    (record,) = lines(r.stdout)
    assert (record["shipping_fee"], record["total"], record["paid"]) == (None, None, None)
    assert {p["code"] for p in record["problems"]} == {"unsettled_amount"}
    assert {p["column"] for p in record["problems"]} == {"送料合計", "合計金額", "請求金額"}


def test_a_status_that_is_not_a_number_is_the_orders_problem_not_a_crash(rms, run):
    odd = rms_order(2, T0)
    odd["orderProgress"] = {"code": 500}  # an object where RMS writes 100 … 900
    listed = rms_order(3, T0)
    listed["orderProgress"] = [500]
    rms([rms_order(1, T0), odd, listed])
    r = run("--now", NOW, "pull", "rakuten", "--since", "2026-11-20", "-f", "jsonl")
    assert r.exit_code == 0, r
    records = {rec["order_id"]: rec for rec in lines(r.stdout)}
    assert len(records) == 3 and records[odd["orderNumber"]]["status"] is None
    problems = {p["code"]: p["value"] for p in records[listed["orderNumber"]]["problems"]}
    assert problems == {"unknown_status": "[500]"}


def test_an_expired_license_key_is_exit_3_with_the_fix_and_what_came_before_printed(rms, run):
    orders = rms_orders(150)
    server = rms(orders)
    server.faults = [None, None]  # searchOrder (the window), searchOrder (the lookback)
    import threading

    def expire():  # the key expires after the first getOrder
        while not server.gets:
            time.sleep(0.01)
        server.license = "SL123456_the-new-key"

    threading.Thread(target=expire, daemon=True).start()
    r = run("--now", NOW, "pull", "rakuten", "--since", "2026-11-20", "-f", "jsonl", "--rate", "5")
    assert r.exit_code == 3, r
    assert "ES01-01" in r.stderr and "licenseKey" in r.stderr and LICENSE not in r.stderr and SECRET not in r.stderr
    assert len(lines(r.stdout)) == 100 and cursor("rakuten")[0] is None


def test_rms_credentials_are_checked_before_any_request(rms, run, monkeypatch):
    server = rms([])
    monkeypatch.delenv("KEFU_RMS_LICENSE_KEY")
    r = run("--now", NOW, "pull", "rakuten", "--since", "2026-11-20")
    assert r.exit_code == 2 and "KEFU_RMS_LICENSE_KEY" in r.stderr and server.searches == []


# --------------------------------------------------------------------------- the README's examples


def test_the_readme_examples_are_what_the_imitations_give(monkeypatch, tmp_path):
    """README's `kefu pull` block, run against the imitations seeded with its orders."""
    import re
    import shlex

    from conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## `kefu pull`"):]
    block = re.search(r"```console\n(.*?)```", section, re.S).group(1)
    spapi_orders = [jp_order(1, T0, tracking="123456789012", status="SHIPPED"),
                    jp_order(2, T0 + timedelta(minutes=5), postal="530-0001", state="大阪府", city="大阪市北区",
                             line1="梅田3-1-3", phone="06-6345-6789"),
                    jp_order(3, T0 + timedelta(minutes=9), status="PENDING", items=1)]
    rms_orders_ = [rms_order(3, T0 + timedelta(minutes=3), progress=500, shipping="425792094324"),
                   rms_order(4, T0 + timedelta(minutes=4), unsettled=True)]
    amazon, rakuten = SpApiServer(spapi_orders).start(), RmsServer(rms_orders_).start()
    try:
        env = dict(os.environ, **amazon.env(), **rakuten.env(), KEFU_STATE=str(tmp_path / "s.db"), LANG="C.UTF-8")
        commands = re.split(r"^\$ ", block, flags=re.M)[1:]
        assert len(commands) == 3
        for chunk in commands:
            command, *expected = chunk.rstrip("\n").split("\n")
            shell = re.sub(r"^kefu\b", f"{shlex.quote(sys.executable)} -m kefu_cli", command)
            proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, env=env, timeout=120)
            assert proc.stdout.splitlines() == [x for x in expected if not x.startswith("kefu: ")], proc.stderr
            assert [x for x in expected if x.startswith("kefu: ")] == proc.stderr.splitlines(), proc.stderr
    finally:
        amazon.stop()
        rakuten.stop()


def test_sigterm_mid_run_keeps_what_was_printed_and_the_cursor(spapi, tmp_path):
    """SIGTERM while pages are being printed: exit 143, every line printed is whole and recorded,
    the cursor does not move, and the next run prints exactly the rest."""
    import signal

    orders = [jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 501)]
    spapi(orders, delay=0.3)
    cmd = [sys.executable, "-m", "kefu_cli", "--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # the first page is out
    proc.send_signal(signal.SIGTERM)
    out = proc.stdout.read()  # the rest, after what readline's buffer holds
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 143, err
    printed = lines((first + out).decode())
    assert 100 <= len(printed) < 500 and len(printed) % 100 == 0  # whole pages
    assert cursor()[0] is None and cursor()[1] is None  # cursor not moved, claim released
    rest = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert rest.returncode == 0
    assert [r["order_id"] for r in printed + lines(rest.stdout)] == [o["orderId"] for o in orders]


def test_shop_toml_pull_section_is_checked_and_refuses_credentials(tmp_path, run, spapi, monkeypatch):
    from kefu_cli.cli.context import config_checks
    from kefu_cli.config import check_config

    confdir = tmp_path / "conf"
    confdir.mkdir()
    (confdir / "shop.toml").write_text(
        '[pull.amazon_jp]\nendpoint = "ftp://x"\nclient_secret = "amzn1.oa2-cs.v1.abc"\nmarketplace_ids = ["A1VC38T7YXB528"]\n'
        '[pull.rakuten]\nlookback_days = 800\nlicense_key = "SL1"\n', encoding="utf-8")
    problems, _ = check_config(confdir, config_checks())
    found = {p.key: p.message for p in problems}
    assert "is not an http(s) URL" in found["pull.amazon_jp.endpoint"]
    assert "environment variable" in found["pull.amazon_jp.client_secret"]
    assert "environment variable" in found["pull.rakuten.license_key"]
    assert "0 to 729" in found["pull.rakuten.lookback_days"]
    assert "abc" not in " ".join(str(p) for p in problems)
    # the endpoint in shop.toml is used when no variable overrides it
    server = spapi([jp_order(1, T0)])
    (confdir / "shop.toml").write_text(f'[pull.amazon_jp]\nendpoint = "{server.origin()}"\n', encoding="utf-8")
    monkeypatch.setenv("KEFU_SPAPI_ENDPOINT", "")
    r = run("--config-dir", confdir, "--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl")
    assert r.exit_code == 0 and len(lines(r.stdout)) == 1, r


def test_bad_times_and_shop_names_are_usage_errors(spapi, run):
    spapi([])
    assert run("--now", NOW, "pull", "amazon_jp", "--since", "yesterday-ish").exit_code == 2
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "--shop", "../x")
    assert r.exit_code == 2 and "--shop" in r.stderr
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-22")
    assert r.exit_code == 2 and "window is empty" in r.stderr


def test_a_429_waits_for_the_plan_the_answers_state(spapi, run):
    """The imitation's bucket holds 2 requests refilled at 2 a second and says so in
    x-amzn-RateLimit-Limit; kefu starts at --rate 1000 with a burst of 20, so it runs into 429s:
    the stated rate lowers its limit, and after each 429 it waits for the bucket — no page is lost."""
    orders = [jp_order(i, T0 + timedelta(minutes=i)) for i in range(1, 601)]
    server = spapi(orders, rate=2.0, burst=2)
    started = time.monotonic()
    r = run("--now", NOW, "pull", "amazon_jp", "--since", "2026-11-20", "-f", "jsonl", "--rate", "1000")
    assert r.exit_code == 0, r
    assert [x["order_id"] for x in lines(r.stdout)] == [o["orderId"] for o in orders]
    assert time.monotonic() - started >= 1.5  # 6 searches through a bucket of 2 at 2/s


def test_after_a_429_the_next_start_waits_one_interval(slept):
    import asyncio

    from kefu_cli.http import RateLimit

    limit = RateLimit(2.0, burst=3)

    async def go():
        await limit.wait()
        limit.exhausted()
        for _ in range(3):
            await limit.wait()

    asyncio.run(go())
    assert slept == [0.5, 0.5, 0.5]
