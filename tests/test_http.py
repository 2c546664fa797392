"""The HTTP client every tracking batch uses (kefu_cli.tracking.batch.client: httpx's own transport)
against a real HTTP/1.1 server on loopback, plain and TLS: keep-alive, the connection limit,
chunked and gzip answers, a CA from SSL_CERT_FILE, and a certificate it cannot verify."""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl

import httpx
import pytest
import trustme

from kefu_cli.tracking.batch import client
from loopback import LoopbackServer


class Server(LoopbackServer):
    """Answers by path: /ok, /chunked, /gzip, /close (Connection: close), /slow (2 s),
    /hangup (closes without answering), /fragile (hangs up on any request but the first of a
    connection), /hold (answers after 0.1 s, to count connections open at once)."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        super().__init__(tls)
        self.requests = 0

    def url(self, path: str) -> str:
        return self.origin() + path

    async def respond(self, request):
        self.requests += 1
        path = request.path
        if path == "/hangup" or (path == "/fragile" and request.nth > 1):
            return None
        if path == "/slow":
            await asyncio.sleep(2)
        if path == "/hold":
            await asyncio.sleep(0.1)
        if path == "/chunked":
            return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"), True
        if path == "/gzip":
            payload = gzip.compress("你好".encode())
            return b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload, True
        payload = b"echo:" + request.body
        close = path == "/close"
        return b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n%s\r\n" % (
            len(payload), b"Connection: close\r\n" if close else b"") + payload, not close


@pytest.fixture
def server():
    srv = Server().start()
    yield srv
    srv.stop()


def send_all(requests, connections=1, timeout=5.0, concurrent=False):
    async def main():
        async with client(connections, timeout) as http:
            if concurrent:
                return await asyncio.gather(*(http.request(m, u, content=b) for m, u, b in requests),
                                            return_exceptions=True)
            out = []
            for method, url, body in requests:
                try:
                    out.append(await http.request(method, url, content=body))
                except httpx.HTTPError as exc:
                    out.append(exc)
            return out

    return asyncio.run(main())


def test_answers_and_keeps_the_connection_alive(server):
    answers = send_all([("POST", server.url("/ok"), f"n={i}".encode()) for i in range(20)])
    assert [(r.status_code, r.text) for r in answers] == [(201, f"echo:n={i}") for i in range(20)]
    assert answers[0].reason_phrase == "Created" and answers[0].http_version == "HTTP/1.1"
    assert server.connections == 1


def test_chunked_and_gzip_bodies(server):
    chunked, zipped = send_all([("GET", server.url("/chunked"), None), ("GET", server.url("/gzip"), None)])
    assert chunked.text == "hello, world"
    assert zipped.content.decode() == "你好"


def test_connection_close_is_honoured(server):
    answers = send_all([("GET", server.url("/close"), None), ("GET", server.url("/ok"), None)])
    assert [r.status_code for r in answers] == [201, 201] and server.connections == 2


def test_timeouts_and_refusals_are_httpx_exceptions(server):
    (slow,) = send_all([("GET", server.url("/slow"), None)], timeout=0.2)
    assert isinstance(slow, httpx.ReadTimeout)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    (refused,) = send_all([("GET", f"http://127.0.0.1:{free_port}/", None)])
    assert isinstance(refused, httpx.ConnectError)
    (scheme,) = send_all([("GET", "ftp://127.0.0.1/", None)])
    assert isinstance(scheme, httpx.UnsupportedProtocol)


def test_a_batch_goes_through_the_same_client(server):
    """Kuaidi100.query over tracking.client: a hang-up is a retry, an answer is an answer."""
    from kefu_cli.tracking.kuaidi100 import Kuaidi100
    from kefu_cli.tracking.provider import ProviderError, Query

    provider = Kuaidi100("C", "K", server.url("/hangup"))

    async def ask():
        async with client(2, 2.0) as http:
            return await provider.query(http, Query("1", None, "zhongtong", None))

    with pytest.raises(ProviderError) as caught:
        asyncio.run(ask())
    assert caught.value.kind == "retry"


def test_no_more_connections_than_the_limit(server):
    answers = send_all([("GET", server.url("/hold"), None)] * 12, connections=3, concurrent=True)
    assert all(r.status_code == 201 for r in answers)
    assert server.most_open <= 3 and server.connections == 3


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def test_tls_trusts_ssl_cert_file(ca, tmp_path, monkeypatch):
    # a staging endpoint with its own CA: SSL_CERT_FILE names it, as for httpx
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    srv = Server(tls=server_tls).start()
    try:
        ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        (answer,) = send_all([("GET", srv.url("/ok"), None)])
        assert answer.status_code == 201
    finally:
        srv.stop()


def test_tls_verifies_the_server(ca):
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    srv = Server(tls=server_tls).start()
    try:
        # the default trust (certifi) does not know this CA: the connection is refused
        (refused,) = send_all([("GET", srv.url("/ok"), None)])
        assert isinstance(refused, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(refused)
    finally:
        srv.stop()
