"""An httpx transport for HTTP/1.1 on plain asyncio streams, with h11 (the parser httpx's own
transport uses) for the protocol: a keep-alive connection pool, TLS, and httpx's timeouts and
exceptions.

Why not httpx's default transport: httpcore over anyio spent about 1.1 ms of CPU per request,
and at 50 connections kefu's one core, not the provider's 50 ms, set the pace of `kefu track`
(bench/track.py: 1.3-1.8x the ideal). This transport spends about half of that. It does only what
kefu needs: no proxies, no HTTP/2, and whole bodies (nothing is streamed).

httpx.AsyncClient stays the interface, so respx mocks it with `respx.mock(using="httpx")`.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time

import h11
import httpx

KEEPALIVE_SECONDS = 5.0  # an idle connection older than this is closed, not reused (as httpcore)
READ_SIZE = 65536


class _Stale(Exception):
    """The connection closed before any byte of the answer arrived."""


class _Connection:
    __slots__ = ("reader", "writer", "h11", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.idle_since = 0.0

    def close(self) -> None:
        self.writer.close()


class AsyncioTransport(httpx.AsyncBaseTransport):
    """At most `max_connections` requests at once, over connections kept alive per origin.

    A kept-alive connection that the server closed in the meantime is noticed before use or, when
    it closes as the request goes out (nothing answered), the request is sent once more on a new
    connection. `ssl_context` defaults to httpx's (certifi), built on the first https request.
    """

    def __init__(self, *, max_connections: int = 10, ssl_context: ssl.SSLContext | None = None):
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: dict[tuple, list[_Connection]] = {}
        self._ssl = ssl_context
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"cannot send {request.url.scheme!r} requests", request=request)
        timeouts = request.extensions.get("timeout") or {}
        try:
            async with asyncio.timeout(timeouts.get("pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no free connection in time", request=request) from None
        try:
            return await self._send(request, timeouts)
        finally:
            self._slots.release()

    async def aclose(self) -> None:
        self._closed = True
        idle = [conn for conns in self._idle.values() for conn in conns]
        self._idle.clear()
        for conn in idle:
            conn.close()
        for conn in idle:
            try:
                await asyncio.wait_for(conn.writer.wait_closed(), 1.0)
            except (OSError, TimeoutError):
                pass

    async def _send(self, request: httpx.Request, timeouts: dict) -> httpx.Response:
        url = request.url
        key = (url.scheme, url.raw_host, url.port)
        body = await request.aread()
        conn = self._take(key)
        reused = conn is not None
        while True:
            if conn is None:
                conn = await self._connect(request, key, timeouts.get("connect"))
            try:
                response = await self._exchange(conn, request, body, timeouts)
            except _Stale:
                conn.close()
                if reused:  # the server had closed it: so, likely, the others idle with it
                    self._drop(key)
                    conn, reused = None, False
                    continue
                raise httpx.RemoteProtocolError("the server closed the connection without answering",
                                                request=request) from None
            except BaseException:  # a timeout, an error or a cancellation mid-exchange: not reusable
                conn.close()
                raise
            if conn.h11.our_state is h11.DONE and conn.h11.their_state is h11.DONE and not self._closed:
                conn.h11.start_next_cycle()
                conn.idle_since = time.monotonic()
                self._idle.setdefault(key, []).append(conn)
            else:
                conn.close()
            return response

    def _take(self, key: tuple) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if now - conn.idle_since < KEEPALIVE_SECONDS and not conn.reader.at_eof():
                return conn
            conn.close()
        return None

    def _drop(self, key: tuple) -> None:
        for conn in self._idle.pop(key, []):
            conn.close()

    async def _connect(self, request: httpx.Request, key: tuple, timeout: float | None) -> _Connection:
        scheme, raw_host, port = key
        host = raw_host.decode("ascii")
        port = port or (443 if scheme == "https" else 80)
        tls = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            tls = self._ssl
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(host, port, ssl=tls, server_hostname=host if tls else None,
                                                               limit=READ_SIZE)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} took too long", request=request) from None
        except OSError as exc:  # refused, unreachable, no such host, or a TLS failure (ssl.SSLError)
            raise httpx.ConnectError(f"{host}:{port}: {exc.strerror or exc}", request=request) from None
        sock = writer.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # a request goes out in one write, but the answer to it must not wait on a delayed ACK
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Connection(reader, writer)

    async def _exchange(self, conn: _Connection, request: httpx.Request, body: bytes, timeouts: dict) -> httpx.Response:
        machine = conn.h11
        try:
            out = machine.send(h11.Request(method=request.method, target=request.url.raw_path,
                                           headers=request.headers.raw))
            if body:
                out += machine.send(h11.Data(data=body))
            out += machine.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc), request=request) from None
        try:
            conn.writer.write(out)
            async with asyncio.timeout(timeouts.get("write")):
                await conn.writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout("sending the request took too long", request=request) from None
        except OSError:
            raise _Stale from None

        read_timeout = timeouts.get("read")
        answered = False
        status, headers, reason, chunks = 0, [], b"", []
        while True:
            try:
                event = machine.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpx.RemoteProtocolError(str(exc), request=request) from None
            if event is h11.NEED_DATA:
                try:
                    async with asyncio.timeout(read_timeout):
                        data = await conn.reader.read(READ_SIZE)
                except TimeoutError:
                    raise httpx.ReadTimeout("no answer in time", request=request) from None
                except OSError as exc:
                    if not answered:
                        raise _Stale from None
                    raise httpx.ReadError(str(exc), request=request) from None
                if not data and not answered:
                    raise _Stale
                answered = True
                machine.receive_data(data)  # b"" is the end of the stream: h11 knows whether that is an error
                continue
            kind = type(event)
            if kind is h11.Response:
                status, headers, reason = event.status_code, event.headers.raw_items(), event.reason
            elif kind is h11.Data:
                chunks.append(event.data)
            elif kind is h11.EndOfMessage:
                break
            elif kind is h11.ConnectionClosed:
                raise httpx.RemoteProtocolError("the server closed the connection mid-answer", request=request)
            # an InformationalResponse (1xx) is skipped
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(b"".join(chunks)),
                              request=request, extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason})
