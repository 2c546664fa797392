import hashlib
import json
import os
import subprocess
import signal
import sys
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from conftest import EXAMPLES, ROOT
from k100_server import CUSTOMER, KEY, K100Server
from kefu_cli.config import load_config
from kefu_cli.logistics.carriers import carrier_index
from kefu_cli.tracking.cache import build_query
from kefu_cli.tracking.kuaidi100 import Kuaidi100, normalise_state
from kefu_cli.tracking.provider import ProviderError
from kefu_cli.tracking.batch import run_batch

URL = "http://k100.test/poll/query.do"
OK_BODY = {"message": "ok", "nu": "73512345678901", "ischeck": "0", "com": "zhongtong", "status": "200", "state": "5",
           "data": [{"time": "2026-11-21 18:30:00", "ftime": "2026-11-21 18:30:00", "context": "派件中", "location": "北京"}]}


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("KEFU_KUAIDI100_CUSTOMER", CUSTOMER)
    monkeypatch.setenv("KEFU_KUAIDI100_KEY", KEY)


@pytest.fixture
def k100():
    """respx in front of httpx's transport."""
    with respx.mock as router:
        yield router


@pytest.fixture
def server():
    srv = K100Server().start()
    yield srv
    srv.stop()


def query(waybill="73512345678901", carrier="ZTO", phone="5678"):
    cfg = load_config(None)
    return build_query(cfg, carrier_index(cfg), waybill, carrier, phone)


def test_form_and_sign_are_byte_exact(k100):
    route = k100.post(URL).mock(return_value=httpx.Response(200, json=OK_BODY))
    result = run_batch(Kuaidi100(CUSTOMER, KEY, URL), [query()], rate=None)[0]
    form = {k: v[0] for k, v in parse_qs(route.calls[0].request.content.decode()).items()}
    assert route.calls[0].request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert json.loads(form["param"]) == {"com": "zhongtong", "num": "73512345678901", "resultv2": "4", "phone": "5678"}
    assert form["sign"] == hashlib.md5((form["param"] + KEY + CUSTOMER).encode()).hexdigest().upper()
    assert form["customer"] == CUSTOMER and KEY not in route.calls[0].request.content.decode()
    assert result["status"] == "out_for_delivery" and result["events"][0]["context"] == "派件中"


@pytest.mark.parametrize("state,status", [("0", "in_transit"), ("1", "picked_up"), ("2", "exception"), ("3", "delivered"),
                                          ("4", "returned"), ("5", "out_for_delivery"), ("6", "returning"),
                                          ("8", "customs"), ("14", "refused"), ("301", "delivered"), ("205", "exception"),
                                          ("1002", "in_transit"), ("101", "pending")])
def test_states(state, status):
    assert normalise_state(state) == status


@pytest.mark.parametrize("code,kind", [("400", "answer"), ("408", "answer"), ("503", "credentials"),
                                       ("601", "account")])
def test_failures_are_not_retried(k100, code, kind):
    route = k100.post(URL).mock(return_value=httpx.Response(200, json={"result": False, "returnCode": code,
                                                                       "message": "x"}))
    result = run_batch(Kuaidi100(CUSTOMER, KEY, URL), [query()], rate=None, backoff=0)[0]
    assert result["error_kind"] == kind and route.call_count == 1


def test_no_result_is_not_found_and_5xx_is_retried(k100):
    k100.post(URL).mock(side_effect=[httpx.Response(502), httpx.ConnectError("down"),
                                      httpx.Response(200, json={"result": False, "returnCode": "500", "message": "无结果"})])
    result = run_batch(Kuaidi100(CUSTOMER, KEY, URL), [query()], rate=None, backoff=0)[0]
    assert result["status"] == "not_found"


def test_retries_exhausted_is_unreachable(k100):
    k100.post(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    result = run_batch(Kuaidi100(CUSTOMER, KEY, URL), [query()], rate=None, backoff=0)[0]
    assert result["error_kind"] == "unreachable" and "k100.test" in result["error"]


def test_a_retry_waits_without_holding_up_other_waybills(k100):
    # one connection: while the first waybill waits out its backoff, the second is asked
    asked = []

    def answer(request):
        num = json.loads(parse_qs(request.content.decode())["param"][0])["num"]
        asked.append(num)
        if num == "73500000000001" and asked.count(num) == 1:
            return httpx.Response(502)
        return httpx.Response(200, json=OK_BODY | {"nu": num})

    k100.post(URL).mock(side_effect=answer)
    results = run_batch(Kuaidi100(CUSTOMER, KEY, URL), [query("73500000000001"), query("73500000000002")],
                        concurrency=1, rate=None, backoff=0.2)
    assert asked == ["73500000000001", "73500000000002", "73500000000001"]
    assert [r["status"] for r in results] == ["out_for_delivery", "out_for_delivery"]


def test_a_body_that_does_not_decode_is_retried_then_reported(k100):
    k100.post(URL).mock(return_value=httpx.Response(200, headers={"Content-Encoding": "gzip"},
                                                   stream=httpx.ByteStream(b"not gzip")))
    result = run_batch(Kuaidi100(CUSTOMER, KEY, URL), [query()], rate=None, backoff=0)[0]
    assert result["error_kind"] == "unreachable" and "malformed" in result["error"]


def test_query_building_and_detection():
    assert query(carrier=None, phone=None).error.startswith("中通快递 needs the receiver's phone")
    cfg = load_config(None)
    cfg.carrier_preference = ()  # no preference: a true tie is reported, never guessed
    amb = build_query(cfg, carrier_index(cfg), "123456789012", None, None)
    assert "12 characters: 顺丰速运" in amb.error and "pass --carrier" in amb.error
    assert query("SF1234567890123", carrier="顺丰", phone="13812345678").phone == "5678"
    assert "unknown carrier" in query(carrier="火箭").error
    assert "no tracking code" in query("X1", carrier="东瀚物流").error


def run_track(args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "kefu_cli", "--now", "2026-11-22 10:00", "track", *args, "-f", "jsonl"],
                          capture_output=True, text=True, env=env, timeout=120)


def test_against_local_server_cache_changed_and_final(run, creds, server, monkeypatch):
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", server.url)
    server.states["73500000000002"] = "3"
    args = ["track", "73500000000001", "73500000000002", "99990000000000", "--carrier", "ZTO", "--phone", "1234",
            "-f", "jsonl"]
    r = run("--now", "2026-11-22 10:00", *args)
    recs = {x["waybill"]: x for x in map(json.loads, r.stdout.splitlines())}
    assert recs["73500000000001"]["status"] == "in_transit" and recs["73500000000001"]["location"] == "北京市朝阳区"
    assert recs["73500000000002"]["status"] == "delivered" and recs["99990000000000"]["status"] == "not_found"
    assert recs["73500000000001"]["stale"] is False and r.exit_code == 0
    # within 30 minutes: answered from the cache, no query
    r = run("--now", "2026-11-22 10:20", *args)
    assert len(r.stdout.splitlines()) == 3 and sum(server.queries.values()) == 3
    # --changed: nothing changed
    r = run("--now", "2026-11-22 11:00", *args, "--changed")
    assert r.stdout == "" and server.queries["73500000000002"] == 1  # delivered: never again
    server.states["73500000000001"] = "14"  # refused
    r = run("--now", "2026-11-22 12:00", *args, "--changed")
    changed = [json.loads(line) for line in r.stdout.splitlines()]
    assert [c["waybill"] for c in changed] == ["73500000000001"] and changed[0]["status"] == "refused"
    assert r.exit_code == 1
    # stale: the last event is 2026-11-21 18:30, ZTO is stale after 48 hours
    r = run("--now", "2026-11-24 12:00", "track", "73500000000003", "--carrier", "ZTO", "--phone", "1234", "-f", "jsonl")
    assert json.loads(r.stdout)["stale"] is True and r.exit_code == 1


def test_history_and_stdin(run, creds, server, monkeypatch):
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", server.url)
    r = run("track", "-", "--history", "-f", "jsonl", input=b"73500000000009\tZTO\t13800001234\n\n")
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["context"] for e in events] == ["快件已到达【北京朝阳营业部】", "快件已揽收"]


def test_credentials_missing_named(run):
    r = run("track", "73512345678901", "--phone", "1234")
    assert r.exit_code == 2 and "KEFU_KUAIDI100_CUSTOMER and KEFU_KUAIDI100_KEY not set" in r.stderr


def test_provider_down_exit_3_and_key_never_shown(run, creds, monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", "http://127.0.0.1:9/poll/query.do")
    r = run("track", "73512345678901", "--phone", "1234", "--timeout", "0.5")
    assert r.exit_code == 3 and "cannot reach 127.0.0.1:9" in r.stdout
    assert KEY not in r.stdout + r.stderr
    srv = K100Server().start()
    try:
        monkeypatch.setenv("KEFU_KUAIDI100_KEY", "wrong-key")
        monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", srv.url)
        r = run("track", "73512345678901", "--phone", "1234")
        assert r.exit_code == 3 and "refused the sign (503)" in r.stdout and "wrong-key" not in r.stdout + r.stderr
    finally:
        srv.stop()
    from pathlib import Path

    state = Path(os.environ["KEFU_STATE"]).read_bytes()
    assert KEY.encode() not in state and b"wrong-key" not in state


def test_faults_lose_nothing(creds, tmp_path):
    srv = K100Server(fail_5xx=0.10, timeouts=0.05, malformed=0.02).start()
    try:
        waybills = [f"7350000000{i:04d}" for i in range(120)]
        env = {"KEFU_KUAIDI100_CUSTOMER": CUSTOMER, "KEFU_KUAIDI100_KEY": KEY, "KEFU_KUAIDI100_ENDPOINT": srv.url,
               "KEFU_STATE": str(tmp_path / "s.db")}
        r = run_track([*waybills, "--carrier", "ZTO", "--phone", "1234", "--concurrency", "30", "--rate", "1000",
                       "--timeout", "0.5"], env)
        recs = [json.loads(line) for line in r.stdout.splitlines()]
        assert sorted(x["waybill"] for x in recs) == waybills  # one record each, none lost
        assert all(x["status"] or x["error"] for x in recs)
        assert r.returncode in (0, 3)
        assert (r.returncode == 3) == any(x["error"] for x in recs)
    finally:
        srv.stop()


def test_two_runs_together_never_double_query(creds, tmp_path):
    srv = K100Server(delay=0.05).start()
    try:
        waybills = [f"7350000001{i:04d}" for i in range(40)]
        env = dict(os.environ, KEFU_KUAIDI100_CUSTOMER=CUSTOMER, KEFU_KUAIDI100_KEY=KEY,
                   KEFU_KUAIDI100_ENDPOINT=srv.url, KEFU_STATE=str(tmp_path / "race.db"))
        cmd = [sys.executable, "-m", "kefu_cli", "--now", "2026-11-22 10:00", "track", *waybills, "--carrier", "ZTO",
               "--phone", "1234", "--rate", "1000", "-f", "jsonl"]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)]
        for p in procs:
            p.communicate(timeout=120)
        assert max(srv.queries.values()) == 1 and len(srv.queries) == 40
    finally:
        srv.stop()


def test_progress_bar_only_on_a_terminal(creds, server, monkeypatch, tmp_path):
    import pty

    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", server.url)
    args = [sys.executable, "-m", "kefu_cli", "--now", "2026-11-22 10:00", "track", "73500000000011",
            "73500000000012", "--carrier", "ZTO", "--phone", "1234", "-f", "jsonl"]
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=follower, env=dict(os.environ), timeout=60)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 2
    assert b"[" + b"#" * 30 + b"] 2/2" in seen
    # not a terminal (cron, a pipe): nothing but the records
    plain = subprocess.run(args + ["--refresh"], capture_output=True, env=dict(os.environ), timeout=60)
    assert plain.returncode == 0 and b"#" not in plain.stderr


def test_an_http_proxy_from_the_environment_is_used(run, creds, server, monkeypatch):
    # the imitation answers as the proxy would: the request names the provider's URL in full
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", "http://k100.invalid/poll/query.do")
    monkeypatch.setenv("HTTP_PROXY", server.url.rsplit("/poll", 1)[0])
    r = run("--now", "2026-11-22 10:00", "track", "73500000000021", "--carrier", "ZTO", "--phone", "1234",
            "-f", "jsonl")
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "in_transit"
    assert server.targets == {"http://k100.invalid/poll/query.do": 1}


def test_no_proxy_and_unsupported_proxies(run, creds, server, monkeypatch):
    # NO_PROXY exempts the provider: the proxy named (nobody listens there) is not used
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", server.url)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    args = ("--now", "2026-11-22 10:00", "track", "73500000000021", "--carrier", "ZTO", "--phone", "1234", "-f", "jsonl")
    r = run(*args)
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "in_transit"
    # a SOCKS proxy is refused in one line that names the variables, never the address (a password)
    monkeypatch.delenv("NO_PROXY")
    monkeypatch.setenv("ALL_PROXY", "socks5://desk:pa55word@proxy.corp:1080")
    r = run(*args, "--refresh")
    assert r.exit_code == 2 and "ALL_PROXY" in r.stderr and "pa55word" not in r.stderr + r.stdout


def test_orders_without_a_waybill_are_counted_not_dropped(run, creds, server, monkeypatch):
    """--orders on an export where most orders have not shipped: the skipped ones are counted by
    status with their rows (even with -q), never a bare header and exit 0."""
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", server.url)
    r = run("-q", "--now", "2026-10-05 12:00", "track", "--orders", EXAMPLES / "taobao_orders.csv", "-f", "tsv",
            "--fields", "waybill,status")
    assert r.stdout.splitlines() == ["waybill\tstatus", "73512345678901\tin_transit"] and r.exit_code == 0
    assert "7 orders not tracked: no waybill (paid 5, unpaid 1, closed 1; rows 2, 3, 4, 5, 6…)" in r.stderr


def test_the_newcomers_imitation_starts_in_the_background_and_points_kefu_at_itself(tmp_path):
    """tools/imitate.py: the README's way to try `kefu track` without an account."""
    import shlex

    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_") and "proxy" not in k.lower()}
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "imitate.py"), "--for", "60"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("export ")
    pairs = dict(word.split("=", 1) for word in shlex.split(out.stdout)[1:])
    try:
        assert pairs["KEFU_KUAIDI100_ENDPOINT"].startswith("http://127.0.0.1:")
        env.update(pairs, KEFU_STATE=str(tmp_path / "s.db"))
        r = run_track(["73512345678901", "--phone", "5678"], env)
        assert json.loads(r.stdout)["status"] == "in_transit" and r.returncode == 0
        r = run_track(["123456789013", "--carrier", "YAMATO"], env)  # 17TRACK: registered first
        assert json.loads(r.stdout)["status"] == "pending"
    finally:
        os.kill(int(pairs["KEFU_IMITATION_PID"]), signal.SIGTERM)
