"""An HTTP/1.1 server on loopback for tests, bench/track.py and tools/imitate.py: asyncio, keep-alive, optional
TLS, in a background thread. A subclass implements `respond(request)` and returns the raw answer
bytes and whether to keep the connection open, or None to hang up without answering."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from dataclasses import dataclass


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    nth: int  # 1 for the first request on its connection


class LoopbackServer:
    def __init__(self, tls: ssl.SSLContext | None = None):
        self.tls = tls
        self.connections = 0  # accepted so far
        self.open_now = 0
        self.most_open = 0
        self.port = None
        self._loop = None
        self._server = None

    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self):
        ready = threading.Event()

        def main():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(
                asyncio.start_server(self._client, "127.0.0.1", 0, ssl=self.tls, backlog=512))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=main, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        async def close():
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def respond(self, request: Request) -> tuple[bytes, bool] | None:
        raise NotImplementedError

    async def _client(self, reader, writer):
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        nth = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                nth += 1
                answer = await self.respond(Request(method, path, headers, body, nth))
                if answer is None:
                    break
                raw, keep_open = answer
                writer.write(raw)
                await writer.drain()
                if not keep_open:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError,
                ssl.SSLError):
            pass
        finally:
            self.open_now -= 1
            writer.close()


class PacedServer(LoopbackServer):
    """A platform imitation whose every answer leaves `delay` seconds after its request came in,
    its own work (finding and encoding a page) inside the delay, as a platform's answer time is:
    so a bench's ideal (requests × delay) is what the imitation really does. A subclass sets
    `delay` and implements `_answer(request)`; `answer_time` sums what the answers really took."""

    delay = 0.0
    answer_time = 0.0

    async def respond(self, request: Request) -> tuple[bytes, bool] | None:
        came = time.monotonic()
        answer = await self._answer(request)
        if self.delay:
            await asyncio.sleep(self.delay - (time.monotonic() - came))
        self.answer_time += time.monotonic() - came
        return answer

    async def _answer(self, request: Request) -> tuple[bytes, bool] | None:
        raise NotImplementedError
