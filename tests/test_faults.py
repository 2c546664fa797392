"""Under faults nothing is lost and nothing is silent: a provider's bad answer is that waybill's
error and the others are answered; a drip, a gzip bomb or a 50 MB answer cannot hang kefu or
take its memory; a certificate kefu cannot verify says how to trust it."""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
import threading
import time
import tracemalloc

import httpx
import pytest
import respx
import trustme

from k100_server import CUSTOMER, KEY
from kefu_cli.config import load_config
from kefu_cli.logistics.carriers import carrier_index
from kefu_cli.tracking.batch import MAX_ANSWER, run_batch
from kefu_cli.tracking.cache import build_query
from kefu_cli.tracking.kuaidi100 import Kuaidi100
from loopback import LoopbackServer

URL = "http://k100.test/poll/query.do"
GOOD = {"message": "ok", "nu": "x", "ischeck": "0", "com": "zhongtong", "status": "200", "state": "0",
        "data": [{"time": "2026-11-21 18:30:00", "ftime": "2026-11-21 18:30:00", "context": "在途", "status": "干线",
                  "statusCode": "1002"}]}


def queries(n: int):
    cfg = load_config(None)
    return [build_query(cfg, carrier_index(cfg), f"735000000000{i:02d}", "ZTO", "1234") for i in range(n)]


def num_of(request) -> str:
    from urllib.parse import parse_qs

    return json.loads(parse_qs(request.content.decode())["param"][0])["num"]


BAD_ANSWERS = {
    "data is a number": httpx.Response(200, json={"state": "0", "data": 5}),
    "data holds strings": httpx.Response(200, json={"state": "0", "data": ["x", 3]}),
    "state is a list": httpx.Response(200, json={"state": [1], "data": []}),
    "NaN and null": httpx.Response(200, content=b'{"state": NaN, "data": [{"time": null, "status": NaN}]}'),
    "an HTML page": httpx.Response(200, content=b"<html><body>502 Bad Gateway</body></html>"),
    "a JSON list": httpx.Response(200, json=[GOOD]),
    "a redirect": httpx.Response(302, headers={"Location": "https://login.example/"}),
    "no fields at all": httpx.Response(200, json={}),
}


@pytest.mark.parametrize("name", sorted(BAD_ANSWERS))
def test_one_bad_answer_is_that_waybills_error(name):
    qs = queries(5)
    with respx.mock as router:
        router.post(URL).mock(side_effect=lambda request: BAD_ANSWERS[name] if num_of(request) == qs[2].waybill
                              else httpx.Response(200, json=GOOD))
        results = run_batch(Kuaidi100(CUSTOMER, KEY, URL), qs, rate=None, backoff=0, attempts=2)
    assert len(results) == 5
    assert all(r["status"] == "in_transit" for i, r in enumerate(results) if i != 2), name
    bad = results[2]
    assert bad.get("error") or bad.get("status"), name  # an error record, or read as far as it makes sense
    if name == "a redirect":
        assert "redirect to https://login.example/" in bad["error"] and bad["error_kind"] == "answer"


def test_a_malformed_answer_is_cached_apart_from_the_good_ones(run, monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_KUAIDI100_CUSTOMER", CUSTOMER)
    monkeypatch.setenv("KEFU_KUAIDI100_KEY", KEY)
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", URL)
    qs = queries(5)
    with respx.mock as router:
        route = router.post(URL).mock(side_effect=lambda request: httpx.Response(200, json={"state": "0", "data": 5})
                                      if num_of(request) == qs[0].waybill else httpx.Response(200, json=GOOD))
        first = run("--now", "2026-11-22 10:00", "track", *[q.waybill for q in qs], "--carrier", "ZTO", "--phone",
                    "1234", "-f", "jsonl")
        again = run("--now", "2026-11-22 10:05", "track", *[q.waybill for q in qs], "--carrier", "ZTO", "--phone",
                    "1234", "-f", "jsonl")
    recs = [json.loads(line) for line in first.stdout.splitlines()]
    assert first.exit_code == 1 and "malformed" in recs[0]["error"] and all(r["status"] for r in recs[1:])
    assert route.call_count == 6  # the four good answers were cached: only the bad one is asked again


class Hostile(LoopbackServer):
    """/drip: headers, then one byte a second; /bomb: 100 MB of zeros, gzipped; /huge: 50 MB,
    chunked (no length); /long: Content-Length 50 MB."""

    async def respond(self, request):
        if request.path == "/bomb":
            body = BOMB
            return b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body) + body, True
        if request.path == "/long":
            return b"HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\n\r\n" + b"{" * 1000, False
        return b"HTTP/1.1 404 X\r\nContent-Length: 0\r\n\r\n", True


BOMB = gzip.compress(b"\0" * (100 << 20), compresslevel=9)


class Drip:
    """A raw server: answers the headers, then trickles the body one byte a second, forever."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def main():
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(asyncio.start_server(self.client, "127.0.0.1", 0))
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=main, daemon=True)
        self.thread.start()
        ready.wait(5)

    async def client(self, reader, writer):
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            while True:
                writer.write(b"1\r\n{\r\n")
                await writer.drain()
                await asyncio.sleep(0.2)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            writer.close()

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def test_a_drip_is_bounded_by_the_timeout():
    drip = Drip()
    try:
        started = time.monotonic()
        (result,) = run_batch(Kuaidi100(CUSTOMER, KEY, f"http://127.0.0.1:{drip.port}/poll"), queries(1), rate=None,
                              timeout=1.0, attempts=2, backoff=0)
        took = time.monotonic() - started
    finally:
        drip.stop()
    assert result["error_kind"] == "unreachable" and "did not answer in time" in result["error"]
    assert took < 5  # two attempts of one second each, not forever


@pytest.mark.parametrize("path", ["/bomb", "/long"])
def test_a_bomb_or_a_huge_answer_is_refused_without_taking_memory(path):
    srv = Hostile().start()
    try:
        tracemalloc.start()
        (result,) = run_batch(Kuaidi100(CUSTOMER, KEY, srv.origin() + path), queries(1), rate=None, timeout=5,
                              attempts=1)
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        srv.stop()
    assert result["error_kind"] == "answer" and "larger than 1 MiB" in result["error"]
    assert peak < 3 * MAX_ANSWER + (8 << 20), peak


def test_a_chunked_runaway_answer_stops_at_the_cap():
    big = b"x" * (MAX_ANSWER + 10)
    with respx.mock as router:
        router.post(URL).mock(return_value=httpx.Response(200, stream=httpx.ByteStream(big)))
        (result,) = run_batch(Kuaidi100(CUSTOMER, KEY, URL), queries(1), rate=None)
    assert "larger than 1 MiB" in result["error"]


def test_an_unverifiable_certificate_says_how_to_trust_it():
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    srv = Hostile(tls=server_tls).start()
    try:
        (result,) = run_batch(Kuaidi100(CUSTOMER, KEY, srv.origin() + "/x"), queries(1), rate=None, attempts=1)
    finally:
        srv.stop()
    assert result["error_kind"] == "credentials" and "could not be verified" in result["error"]
    assert "SSL_CERT_FILE" in result["fix"]


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
K100_KEYS = st.sampled_from(["state", "data", "status", "message", "returnCode", "result", "nu", "routeInfo"])
EVENT = st.dictionaries(st.sampled_from(["time", "ftime", "context", "status", "statusCode", "areaName", "areaCode",
                                         "location"]), JSON, max_size=6)
K100_BODY = st.dictionaries(K100_KEYS, JSON | st.lists(EVENT, max_size=3), max_size=5)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=K100_BODY)
def test_any_kuaidi100_answer_is_a_record_or_that_waybills_error(body):
    import math

    content = json.dumps(body, allow_nan=True).encode()
    with respx.mock as router:
        router.post(URL).mock(return_value=httpx.Response(200, content=content))
        (result,) = run_batch(Kuaidi100(CUSTOMER, KEY, URL), queries(1), rate=None, attempts=1)
    assert result.get("status") in (None, "pending", "picked_up", "in_transit", "out_for_delivery", "delivered",
                                    "exception", "returning", "returned", "refused", "customs", "not_found")
    assert result.get("status") or result.get("error")
    assert not any(isinstance(v, float) and math.isnan(v) for v in result.values())


S17_ITEM = st.fixed_dictionaries({"number": st.just("123456789013")},
                                 optional={"carrier": JSON, "track_info": JSON | st.fixed_dictionaries(
                                     {}, optional={"latest_status": JSON, "tracking": JSON})})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=st.sampled_from([0, 0, -18010002, -18019908, -18010003, 5, None]),
       accepted=st.lists(S17_ITEM, max_size=2) | JSON, rejected=st.lists(JSON, max_size=2) | JSON)
def test_any_17track_answer_is_a_record_or_that_numbers_error(code, accepted, rejected):
    from kefu_cli.tracking.seventeen import SeventeenTrack

    cfg = load_config(None)
    query = build_query(cfg, carrier_index(cfg), "123456789013", "YAMATO", None)
    body = json.dumps({"code": code, "data": {"accepted": accepted, "rejected": rejected}}, allow_nan=True).encode()
    with respx.mock as router:
        router.post("http://s17.test/track/v2.2/gettrackinfo").mock(return_value=httpx.Response(200, content=body))
        router.post("http://s17.test/track/v2.2/register").mock(return_value=httpx.Response(200, content=body))
        (result,) = run_batch(SeventeenTrack("t", "http://s17.test/track/v2.2"), [query], rate=None, attempts=1)
    assert result.get("status") or result.get("error")


def test_tracks_peak_memory_stays_small_whatever_the_server_sends(tmp_path):
    """kefu track against a gzip bomb and a 50 MB answer: its peak RSS (measured by a parent of its
    own, so no other process counts) stays under 150 MB."""
    import subprocess
    import sys

    srv = Hostile().start()
    try:
        code = ("import resource, subprocess, sys\n"
                "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
        peaks = []
        for path in ("/bomb", "/long"):
            env = {"KEFU_KUAIDI100_CUSTOMER": CUSTOMER, "KEFU_KUAIDI100_KEY": KEY,
                   "KEFU_KUAIDI100_ENDPOINT": srv.origin() + path, "KEFU_STATE": str(tmp_path / "s.db"),
                   "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
            out = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "kefu_cli", "--now",
                                  "2026-11-22 10:00", "track", *[q.waybill for q in queries(5)], "--carrier", "ZTO",
                                  "--phone", "1234", "--refresh", "--timeout", "10"],
                                 capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
            peaks.append(int(out.stdout.strip().splitlines()[-1]))
    finally:
        srv.stop()
    print("peak RSS KiB", peaks)
    assert max(peaks) < 150 * 1024, peaks  # KiB
