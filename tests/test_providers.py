"""Tracking as the providers really answer: 快递100's resultv2=4 events and failure codes, 17TRACK
for Japan's carriers, detection on real numbers, and every non-zero exit explained."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from k100_server import CUSTOMER, KEY, K100Server
from kefu_cli.config import load_config
from kefu_cli.logistics.carriers import carrier_index, detect, japan_check_digit, normalise_waybill, unique
from kefu_cli.tracking.batch import run_batch
from kefu_cli.tracking.cache import build_query
from kefu_cli.tracking.kuaidi100 import Kuaidi100
from kefu_cli.tracking.provider import phone_digits
from kefu_cli.tracking.seventeen import SeventeenTrack
from seventeen_server import TOKEN, SeventeenServer

K100_URL = "http://k100.test/poll/query.do"
S17_URL = "http://17track.test/track/v2.2"
NOW = "2026-11-22 10:00"
YAMATO = "123456789013"  # 12 digits whose check digit holds (12345678901 mod 7 = 3)


def cfg():
    return load_config(None)


def q(waybill, carrier=None, phone="5678", config=None, **kw):
    config = config or cfg()
    return build_query(config, carrier_index(config), waybill, carrier, phone, **kw)


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("KEFU_KUAIDI100_CUSTOMER", CUSTOMER)
    monkeypatch.setenv("KEFU_KUAIDI100_KEY", KEY)
    monkeypatch.setenv("KEFU_17TRACK_TOKEN", TOKEN)


@pytest.fixture
def servers(env, monkeypatch):
    k100, s17 = K100Server().start(), SeventeenServer().start()
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", k100.url)
    monkeypatch.setenv("KEFU_17TRACK_ENDPOINT", s17.url)
    yield k100, s17
    k100.stop()
    s17.stop()


# --------------------------------------------------------------------------- 快递100 answers

RESULTV2_4 = {  # the shape of a real resultv2=4 answer (see tests/k100_server.py for the sources)
    "message": "ok", "nu": "73512345678901", "ischeck": "0", "com": "zhongtong", "status": "200",
    "state": "2", "condition": "F00", "isLoop": False,
    "routeInfo": {"from": {"number": "CN440600000000", "name": "广东,佛山市"}, "cur": None,
                  "to": {"number": "CN110105000000", "name": "北京,朝阳区"}},
    "data": [
        {"time": "2026-11-21 18:30:00", "ftime": "2026-11-21 18:30:00", "context": "收件人拒收，快件将退回",
         "location": "北京市朝阳区", "areaCode": "CN110105000000", "areaName": "北京,朝阳区", "status": "拒收",
         "statusCode": "203", "areaCenter": "116.443205,39.921506", "areaPinYin": "chao yang qu"},
        {"time": "2026-11-21 08:00:00", "ftime": "2026-11-21 08:00:00", "context": "快件已到达【北京转运中心】",
         "location": "", "areaCode": None, "areaName": None, "status": "干线", "statusCode": "1002",
         "areaCenter": None, "areaPinYin": None},
        {"time": "2026-11-20 09:00:00", "ftime": "2026-11-20 09:00:00", "context": "快件已揽收",
         "location": "", "areaCode": "CN440600000000", "areaName": "广东,佛山市", "status": "揽收",
         "statusCode": "1", "areaCenter": None, "areaPinYin": None}]}


def test_resultv2_4_events_keep_their_sub_states():
    result = Kuaidi100._answer(RESULTV2_4)
    assert result["status"] == "refused"  # 203 拒收 under state 2 疑难
    assert result["raw_state"] == "2" and result["raw_code"] == "203"
    first, second, third = result["events"]
    assert (first["status"], first["status_name"], first["raw_status"], first["area"], first["area_code"]) == (
        "refused", "拒收", "203", "北京,朝阳区", "CN110105000000")
    assert (second["status"], second["status_name"], second["location"]) == ("in_transit", "干线", None)
    assert third["status"] == "picked_up" and third["location"] == "广东,佛山市"  # areaName when location is empty


def test_an_older_answer_with_numbers_in_status_still_reads():
    body = {"message": "ok", "status": "200", "state": "3",
            "data": [{"time": "2026-11-21 10:00:00", "context": "已签收", "status": "3"}]}
    result = Kuaidi100._answer(body)
    assert result["status"] == "delivered" and result["events"][0]["status_name"] is None


@pytest.mark.parametrize("code,message,kind", [
    ("400", "不支持此快递公司", "answer"), ("400", "customer不存在", "account"), ("400", "账户余额不足", "account"),
    ("408", "手机号码校验失败", "answer"), ("503", "验证签名失败", "credentials"), ("601", "查询次数已达上限", "account"),
    ("601", "key过期", "account")])
def test_return_codes_are_classified(code, message, kind):
    with respx.mock as router:
        route = router.post(K100_URL).mock(return_value=httpx.Response(
            200, json={"result": False, "returnCode": code, "message": message}))
        results = run_batch(Kuaidi100(CUSTOMER, KEY, K100_URL), [q(f"7351234567890{i}", "ZTO") for i in range(5)],
                            rate=None, backoff=0, concurrency=1)
    assert all(r["error_kind"] == kind for r in results)
    if kind in ("credentials", "account"):  # the account fails every waybill alike: asked once, not five times
        assert route.call_count == 1 and results[0]["fix"]
    else:
        assert route.call_count == 5


def test_from_to_and_the_privacy_number_are_sent():
    with respx.mock as router:
        route = router.post(K100_URL).mock(return_value=httpx.Response(200, json=RESULTV2_4))
        query = q("SF1234567890123", "SF", "13012345678-1234", origin="广东佛山市", destination="北京北京市")
        run_batch(Kuaidi100(CUSTOMER, KEY, K100_URL), [query], rate=None)
    param = json.loads(parse_qs(route.calls[0].request.content.decode())["param"][0])
    assert param == {"com": "shunfeng", "num": "SF1234567890123", "resultv2": "4", "phone": "1234",
                     "from": "广东佛山市", "to": "北京北京市"}


@pytest.mark.parametrize("phone,digits", [("13012345678-1234", "1234"), ("13012345678转1234", "1234"),
                                          ("021-12345678-808", "5678"), ("0755 87654321转12", "4321"),
                                          ("+86 138 1234 5678", "5678"), ("138****1234", "1234"), ("12", None)])
def test_phone_digits(phone, digits):
    assert phone_digits(phone) == digits


def test_history_shows_per_event_statuses_from_the_imitation(run, servers):
    k100, _s17 = servers
    k100.states["73500000000031"] = "203"
    r = run("--now", NOW, "track", "73500000000031", "--carrier", "ZTO", "--phone", "1234", "--history", "-f", "jsonl")
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(e["status"], e["status_name"], e["raw_status"]) for e in events] == [
        ("refused", "拒收", "203"), ("picked_up", "揽收", "1")]
    assert r.exit_code == 1 and "1 refused" in r.stderr and "73500000000031" in r.stderr


def test_an_empty_quota_is_exit_3_with_the_fix_and_stops_asking(run, env, monkeypatch):
    srv = K100Server(quota=0).start()
    try:
        monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", srv.url)
        waybills = [f"7350000000{i:04d}" for i in range(6)]
        r = run("--now", NOW, "track", *waybills, "--carrier", "ZTO", "--phone", "1234", "--concurrency", "1",
                "-f", "jsonl")
    finally:
        srv.stop()
    assert r.exit_code == 3 and sum(srv.queries.values()) == 1
    line = [ln for ln in r.stderr.splitlines() if "error" in ln]
    assert len(line) == 1 and "601" in line[0] and "6 of 6 waybills" in line[0] and "top up" in line[0]
    assert len(r.stdout.splitlines()) == 6


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize("waybill,carrier", [
    ("SF1234567890123", "SF"),  # 顺丰速运 or 顺丰快运: the shop's preference
    ("DPK123456789012", "DEPPON"),  # 德邦物流 or 德邦快递: likewise
    ("7712345678901", "STO"), ("8812345678901", "STO"), ("6612345678901", "STO"), ("773123456789012", "STO"),
    ("431234567890123", "YUNDA"), ("461234567890123", "YUNDA"),  # Yunda's 43…, no longer STO's
    ("73123456789012", "ZTO"), ("78123456789012", "ZTO"),
    ("1012345678901", "EMS"), ("9812345678901", "CHINAPOST"), ("9912345678901", "CHINAPOST"),
    ("1234-5678-9013", "YAMATO"), (YAMATO, "YAMATO"),  # hyphens dropped; check digit; preference
    ("12345678901", "JAPANPOST"), ("EJ123456785JP", "JAPANPOST"),
    ("JDVA12345678901-1-1-", "JD"), ("JDVA12345678901", "JD"), ("YT1234567890123", "YTO"), ("JT1234567890123", "JT"),
])
def test_formats_are_detected(waybill, carrier):
    config = cfg()
    assert unique(detect(config, waybill), config.carrier_preference).code == carrier


def test_true_ties_are_ranked_and_reported_without_a_preference():
    config = cfg()
    config.carrier_preference = ()
    for waybill, tied in (("SF1234567890123", {"SF", "SF_FREIGHT"}), ("DPK123456789012", {"DEPPON", "DEPPON_EXPRESS"}),
                          (YAMATO, {"YAMATO", "SAGAWA", "JAPANPOST"})):
        candidates = detect(config, waybill)
        assert unique(candidates) is None
        assert {c.carrier.code for c in candidates if c.rank == candidates[0].rank} == tied
    # the check digit ranks the Japanese carriers above a legacy 12-digit SF number
    assert [c.carrier.code for c in detect(config, YAMATO)][-1] == "SF"
    assert japan_check_digit(YAMATO) and not japan_check_digit("123456789012")


def test_the_named_carrier_always_wins_and_the_shop_can_prefer_freight():
    assert q("SF1234567890123", "顺丰快运").carrier.code == "SF_FREIGHT"
    config = cfg()
    config.carrier_preference = ("SF_FREIGHT",)
    assert q("SF1234567890123", config=config).carrier.code == "SF_FREIGHT"
    assert normalise_waybill(" ７３５１２３４５６７８９０１ ") == "73512345678901"


# --------------------------------------------------------------------------- 17TRACK


def s17_body(accepted=(), rejected=()):
    return {"code": 0, "data": {"accepted": list(accepted), "rejected": list(rejected)}}


def test_seventeen_track_answers_are_normalised():
    info = SeventeenServer._track_info(100062, "Exception", "Exception_Rejected")
    result = SeventeenTrack._answer(info)
    assert result["status"] == "refused" and result["raw_state"] == "Exception"
    assert [e["status"] for e in result["events"]] == ["refused", "pending"] and result["events"][0]["area"] == "新宿区"
    delivered = SeventeenTrack._answer(SeventeenServer._track_info(100040, "Delivered", "Delivered_Other"))
    assert delivered["status"] == "delivered" and delivered["events"][0]["time"] == "2026-11-21T18:30:00+09:00"


def test_seventeen_track_registers_the_unknown_and_batches_forty():
    numbers = [f"1234567890{i:02d}" for i in range(45)]
    config = cfg()
    queries = [q(n, "YAMATO", config=config) for n in numbers]

    def info(request):
        items = json.loads(request.content)
        assert request.headers["17token"] == TOKEN and len(items) <= 40
        return httpx.Response(200, json=s17_body(
            accepted=[{"number": i["number"], "carrier": i["carrier"],
                       "track_info": SeventeenServer._track_info(i["carrier"], "InTransit", "InTransit_Other")}
                      for i in items if i["number"] != numbers[0]],
            rejected=[{"number": numbers[0], "error": {"code": -18019902, "message": "does not register"}}]
            if any(i["number"] == numbers[0] for i in items) else []))

    with respx.mock as router:
        gets = router.post(f"{S17_URL}/gettrackinfo").mock(side_effect=info)
        reg = router.post(f"{S17_URL}/register").mock(return_value=httpx.Response(200, json=s17_body(
            accepted=[{"origin": 1, "number": numbers[0], "carrier": 100062}])))
        results = run_batch(SeventeenTrack(TOKEN, S17_URL), queries, rate=None)
    assert gets.call_count == 2 and reg.call_count == 1  # 45 numbers: 40 + 5, and one registration
    assert json.loads(reg.calls[0].request.content) == [{"number": numbers[0], "carrier": 100062}]
    assert results[0]["status"] == "pending" and "17TRACK" in results[0]["status_text"]
    assert all(r["status"] == "in_transit" for r in results[1:])


@pytest.mark.parametrize("body,status,kind", [
    ({"code": -18010002, "data": {"errors": [{"code": -18010002, "message": "Access token is invalid."}]}}, 200,
     "credentials"),
    ({"code": -18019908, "data": {"errors": [{"code": -18019908, "message": "Quota is not enough for use."}]}}, 200,
     "account"),
    ({}, 401, "credentials"),
])
def test_seventeen_track_account_failures(body, status, kind):
    with respx.mock as router:
        route = router.post(f"{S17_URL}/gettrackinfo").mock(return_value=httpx.Response(status, json=body))
        results = run_batch(SeventeenTrack(TOKEN, S17_URL), [q(YAMATO, "YAMATO")], rate=None, backoff=0)
    assert results[0]["error_kind"] == kind and route.call_count == 1 and TOKEN not in json.dumps(results)


def test_seventeen_track_per_number_answers_and_retries():
    with respx.mock as router:
        router.post(f"{S17_URL}/gettrackinfo").mock(side_effect=[
            httpx.Response(429), httpx.Response(200, json=s17_body(rejected=[
                {"number": YAMATO, "error": {"code": -18019909, "message": "No tracking information at this time."}},
                {"number": "123456789020", "error": {"code": -18019910, "message": "The carrier is not correct."}}]))])
        results = run_batch(SeventeenTrack(TOKEN, S17_URL), [q(YAMATO, "YAMATO"), q("123456789020", "YAMATO")],
                            rate=None, backoff=0)
    assert results[0]["status"] == "not_found"
    assert results[1]["error_kind"] == "answer" and "-18019910" in results[1]["error"]


def test_a_mixed_file_tracks_through_two_providers_in_one_run(run, servers, tmp_path):
    k100, s17 = servers
    path = tmp_path / "shipped.csv"
    path.write_text("订单编号,物流单号,物流公司,联系手机,收货地址\n"
                    "1,73512345678901,中通快递,13812345678,广东省 深圳市 南山区 1号\n"
                    "2,SF1234567890123,顺丰,13012345678-4321,北京 北京市 朝阳区 2号\n"
                    f"3,{YAMATO},ヤマト運輸,09012345678,東京都新宿区西新宿2-8-1\n", encoding="utf-8")
    first = run("--now", NOW, "track", "--orders", path, "-f", "jsonl")
    recs = {r["waybill"]: r for r in map(json.loads, first.stdout.splitlines())}
    assert recs["73512345678901"]["status"] == "in_transit" and recs["SF1234567890123"]["status"] == "in_transit"
    assert recs[YAMATO]["status"] == "pending"  # registered with 17TRACK just now
    assert s17.requests == {"gettrackinfo": 1, "register": 1} and sum(k100.queries.values()) == 2
    sf = next(p for p in k100.params if p["num"] == "SF1234567890123")
    assert sf["phone"] == "4321" and sf["to"] == "北京北京市" and "from" not in sf  # no warehouse city configured
    later = run("--now", "2026-11-22 11:00", "track", "--orders", path, "-f", "jsonl")
    recs = {r["waybill"]: r for r in map(json.loads, later.stdout.splitlines())}
    assert recs[YAMATO]["status"] == "in_transit" and recs[YAMATO]["location"] == "東京都新宿区"


def test_a_warehouse_city_is_sent_as_from(run, servers, tmp_path):
    k100, _s17 = servers
    conf = tmp_path / "conf"
    conf.mkdir()
    from kefu_cli.config import packaged_dir

    text = (packaged_dir() / "warehouses.toml").read_text(encoding="utf-8")
    (conf / "warehouses.toml").write_text(text.replace('province = "广东"', 'province = "广东"\ncity = "佛山市"', 1),
                                          encoding="utf-8")
    path = tmp_path / "shipped.csv"
    path.write_text("订单编号,物流单号,物流公司,联系手机,收货地址,宝贝标题\n"
                    "1,73512345678901,中通快递,13812345678,广东省 深圳市 南山区 1号,乳胶床垫\n", encoding="utf-8")
    r = run("--config-dir", conf, "--now", NOW, "track", "--orders", path, "-f", "jsonl")
    assert r.exit_code in (0, 1), r
    assert k100.params[0]["from"] == "广东佛山市" and k100.params[0]["to"] == "广东深圳市"


def test_a_missing_17track_token_is_exit_2_before_any_query(run, servers, monkeypatch):
    k100, s17 = servers
    monkeypatch.delenv("KEFU_17TRACK_TOKEN")
    r = run("--now", NOW, "track", "73512345678901", YAMATO, "--phone", "5678")
    assert r.exit_code == 2 and "KEFU_17TRACK_TOKEN" in r.stderr
    assert sum(k100.queries.values()) == 0 and sum(s17.requests.values()) == 0


def test_a_wrong_17track_token_is_exit_3_and_never_shown(run, servers, monkeypatch):
    monkeypatch.setenv("KEFU_17TRACK_TOKEN", "wrong-token")
    r = run("--now", NOW, "track", YAMATO, "--carrier", "YAMATO", "-f", "jsonl")
    assert r.exit_code == 3 and "-18010002" in r.stderr and "KEFU_17TRACK_TOKEN" in r.stderr
    assert "wrong-token" not in r.stdout + r.stderr


# --------------------------------------------------------------------------- exits and global options


def test_exit_1_for_unaskable_waybills_says_why(run, env):
    r = run("--now", NOW, "track", "x1", "x2", "-q")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == ["kefu: 2 of 2 waybills need attention: 2 not asked or not answered (x1, x2)"]


def test_stale_parcels_are_named_on_exit_1(run, servers):
    r = run("--now", "2026-12-20 10:00", "track", "73500000000041", "--carrier", "ZTO", "--phone", "1234")
    assert r.exit_code == 1 and "1 stale" in r.stderr and "73500000000041" in r.stderr


@pytest.mark.parametrize("command", [["orders", "EXAMPLE"], ["audit", "EXAMPLE"], ["route", "EXAMPLE"],
                                     ["eta", "EXAMPLE"], ["remind", "EXAMPLE", "--dry-run"],
                                     ["notify", "accepted", "EXAMPLE", "--dry-run"], ["config", "check"],
                                     ["messages", "lint"], ["track", "x"]])
def test_global_options_work_after_the_command_name(run, command):
    from conftest import EXAMPLES

    args = [str(EXAMPLES / "taobao_orders.csv") if a == "EXAMPLE" else a for a in command]
    before = run("--now", NOW, "-q", "--lang", "zh", *args)
    after = run(*args, "--now", NOW, "-q", "--lang", "zh")
    assert (after.exit_code, after.stdout, after.stderr) == (before.exit_code, before.stdout, before.stderr)
    assert after.exit_code != 2


def test_traceback_after_the_command_is_no_usage_error_and_keeps_the_exit_code(run):
    r = run("track", "x", "--traceback", "--now", NOW)
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    r = run("orders", "no-such.csv", "--traceback")
    assert r.exit_code == 2 and "Traceback" in r.stderr and "no such file" in r.stderr.splitlines()[-1]
    r = run("orders", "--no-such-option", "--traceback")
    assert r.exit_code == 2 and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- answers as they really come (issue 22)


def _k100_run(server, queries):
    return run_batch(Kuaidi100(CUSTOMER, KEY, server.url), queries, rate=None)


def test_kuaidi100_older_failure_and_events_without_status_codes():
    """The older failure shape (status 201, no result/returnCode) is the waybill's not_found, never
    in_transit; an answer without resultv2's fields gets each event's status from its context's
    words or the documented state (tests/k100_server.py names both shapes' sources)."""
    server = K100Server().start()
    try:
        old, bare = _k100_run(server, [q("88881234567890", "中通"), q("77771234567890", "中通")])
    finally:
        server.stop()
    assert old["status"] == "not_found" and "单号不存在" in old["status_text"] and old["raw_code"] == "500"
    assert bare["status"] == "out_for_delivery"  # the newest event says 派件; state 5
    assert [e["status"] for e in bare["events"]] == ["out_for_delivery", "in_transit", "picked_up"]
    assert all(e["raw_status"] is None for e in bare["events"])  # nothing claimed the provider did not say


@pytest.mark.parametrize("body,expect", [
    ({"status": "201", "message": "快递公司参数异常：单号不存在或者已经过期", "data": []}, "not_found"),
    ({"status": "0", "message": "物流单暂无结果", "data": []}, "not_found"),
    ({"status": "400", "message": "找不到对应公司"}, "rejected"),
    ({"status": "2", "message": "接口出现异常"}, "retry"),
    ({"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}, "not_found"),
    ({"message": "ok", "status": "200", "state": "99", "data": [{"time": "2026-11-21 08:10:00", "context": "?"}]},
     "exception"),
])
def test_every_kuaidi100_status_is_an_error_or_not_found_never_in_transit(body, expect):
    k = Kuaidi100(CUSTOMER, KEY, K100_URL)
    with respx.mock as router:
        router.post(K100_URL).mock(return_value=httpx.Response(200, json=body))
        result = run_batch(k, [q("73512345678901", "中通")], rate=None)[0]
    if expect in ("not_found", "exception"):
        assert result["status"] == expect
    else:
        # a 2 is retried, and once the retries are spent the provider could not answer
        assert result["error_kind"] == ("unreachable" if expect == "retry" else "answer"), result
    assert result.get("status") != "in_transit"


def test_japanese_shared_format_is_left_to_17track_detection(servers, run, tmp_path):
    """12 digits with the mod-7 check digit fit Yamato, Sagawa and Japan Post: without a carrier
    column or --carrier, 17TRACK's detection tells (the shop's `prefer` list is not a guess for
    them); the order file's carrier column is always taken."""
    config = cfg()
    config.carrier_preference = ("YAMATO",)
    query = q(YAMATO, config=config)
    assert query.carrier is None and query.com is None and query.provider == "17track"
    assert {c.code for c in query.candidates} == {"YAMATO", "SAGAWA", "JAPANPOST"}
    assert q(YAMATO, "郵便局", config=config).carrier.code == "JAPANPOST"  # a named carrier wins


def test_17track_detects_and_a_carrier_mismatch_is_said(env):
    from kefu_cli.tracking.cache import results_detected

    japan_post = "123456789024"  # 12345678902 mod 7 = 4
    server = SeventeenServer(registered={YAMATO, japan_post}, carriers={YAMATO: 100040, japan_post: 10021}).start()
    try:
        config = cfg()
        detected = q(japan_post, config=config)
        asked_yamato = q(YAMATO, "YAMATO", config=config)
        auto, mismatch = run_batch(SeventeenTrack(TOKEN, server.url), [detected, asked_yamato], rate=None)
    finally:
        server.stop()
    # asked without a carrier: 17TRACK's key names Japan Post, among the candidates
    assert results_detected(detected, auto) is auto and detected.carrier.code == "JAPANPOST"
    # asked as Yamato, answered as Sagawa (100040): said, not taken
    assert "error" in mismatch and "100040" in mismatch["error"] and "100062" in mismatch["error"]
    # a detection 17TRACK could not make names the candidates
    undecided = q(japan_post, config=config)
    out = results_detected(undecided, {"status": "not_found", "events": [], "carrier_key": 0})
    assert "error" in out and "ヤマト運輸" in out["error"] and "pass --carrier" in out["error"]
