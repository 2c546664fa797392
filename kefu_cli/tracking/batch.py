"""A batch of tracking queries: asyncio with a concurrency cap, a shared rate limit and retries
with backoff. Every input waybill yields exactly one record.
"""

from __future__ import annotations

import asyncio
import random
import time

from kefu_cli.errors import UsageError
from kefu_cli.i18n import _
from kefu_cli.tracking.provider import ACCOUNT_KINDS, ProviderError, Query, malformed

class RateLimit:
    """At most `rate` request starts per second, shared by every task: starts on a fixed grid of
    1/rate s, so a late wake-up does not push every later start back."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.next_at = 0.0

    async def wait(self) -> None:
        now = time.monotonic()
        delay = self.next_at - now
        self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


def retry_delay(error: ProviderError, attempt: int, attempts: int, backoff: float) -> float | None:
    """Seconds to wait before asking again after `error` on attempt `attempt` (0-based), or None:
    an answer or a credentials refusal is final, and so is the last attempt. Exponential, jittered."""
    if error.kind != "retry" or attempt + 1 >= attempts:
        return None
    return backoff * (2 ** attempt) * (0.5 + random.random())


def _failed(error: ProviderError) -> dict:
    kind = "unreachable" if error.kind == "retry" else error.kind
    return {"error": error.message, "error_kind": kind, "raw_code": error.raw_code, "fix": error.fix}


MAX_ANSWER = 1 << 20  # bytes of an answer, on the wire and decompressed: past it, that waybill's error


async def fetch(client, host: str, method: str, url, **kwargs) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request, or the ProviderError it comes to. The body is read
    capped: more than MAX_ANSWER bytes on the wire or after gzip/deflate decoding (a runaway or
    a gzip bomb) is an error, and kefu decompresses it itself in bounded steps. A redirect is
    named, never followed; a certificate kefu cannot verify says how to trust its CA."""
    import zlib

    import httpx

    headers = {"Accept-Encoding": "gzip, deflate", **kwargs.pop("headers", {})}
    too_big = ProviderError("answer", _("{host} sent an answer larger than {size} MiB").format(
        host=host, size=MAX_ANSWER >> 20))
    try:
        async with client.stream(method, url, headers=headers, **kwargs) as response:
            if 300 <= response.status_code < 400:
                raise ProviderError("answer", _("{host} answered with a redirect to {location} (not followed): "
                                                "check the endpoint").format(
                    host=host, location=response.headers.get("location", "?")[:200]), str(response.status_code))
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > MAX_ANSWER:
                raise too_big
            encoding = response.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("identity", "gzip", "deflate", ""):
                raise malformed(host)
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS) \
                if encoding in ("gzip", "deflate") else None
            body = bytearray()
            received = 0
            async for chunk in response.aiter_raw(16384):
                received += len(chunk)
                if received > MAX_ANSWER:
                    raise too_big
                if decoder is None:
                    body += chunk
                    continue
                data = chunk
                while data:  # never more than the room left at a time, whatever the ratio
                    body += decoder.decompress(data, MAX_ANSWER + 1 - len(body))
                    if len(body) > MAX_ANSWER:
                        raise too_big
                    data = decoder.unconsumed_tail
            if decoder is not None:
                body += decoder.flush()
            return response.status_code, response.headers, bytes(body)
    except (zlib.error, httpx.DecodingError):
        raise malformed(host) from None
    except httpx.TimeoutException:
        raise ProviderError("retry", _("{host} did not answer in time").format(host=host)) from None
    except httpx.ConnectError as exc:
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            raise ProviderError("credentials", _("the certificate of {host} could not be verified").format(host=host),
                                None, _("if it is signed by your own CA, set SSL_CERT_FILE to that CA's file")) from None
        raise ProviderError("retry", _("cannot reach {host}: {error}").format(
            host=host, error=type(exc).__name__)) from None
    except httpx.RequestError as exc:
        raise ProviderError("retry", _("cannot reach {host}: {error}").format(
            host=host, error=type(exc).__name__)) from None


def client(concurrency: int, timeout: float):
    """The one HTTP client of a batch: httpx's own transport (HTTP/1.1 keep-alive, at most
    `concurrency` connections). trust_env: proxies from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and
    NO_PROXY, and a CA from SSL_CERT_FILE / SSL_CERT_DIR, exactly as httpx reads them."""
    import httpx

    try:
        return httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=concurrency), trust_env=True)
    except (ImportError, ValueError):  # a SOCKS or unknown proxy scheme; the address may hold a password
        raise UsageError(_("{var}: only http:// and https:// proxies are supported").format(
            var="HTTPS_PROXY / HTTP_PROXY / ALL_PROXY"), hint=_("point it at an HTTP proxy, or unset it")) from None


async def _batch(provider, queries: list[Query], concurrency: int, rate: float | None, timeout: float,
                 attempts: int, backoff: float, progress) -> list[dict]:
    """`concurrency` workers take (query numbers, attempt) from a queue and share one httpx client;
    a job is one request: one waybill for 快递100, up to `provider.batch_size` for 17TRACK. The
    request starts are spaced by RateLimit (one every 1/rate s, no burst).

    A waybill to be retried goes back in the queue when its backoff has passed, so a worker asks
    for other waybills meanwhile instead of sleeping: with 10% 5xx and 5% timeouts that halved the
    batch (bench/track.py). That is why the retries are kefu's `retry_delay` and not a retrying
    decorator (tenacity, stamina), which would sleep inside the worker. An account-wide refusal
    (credentials, quota) ends the batch: every waybill not answered yet gets that error, unasked."""
    loop = asyncio.get_running_loop()
    results: list[dict | None] = [None] * len(queries)
    todo: asyncio.Queue = asyncio.Queue()
    size = max(1, getattr(provider, "batch_size", 1))
    for i in range(0, len(queries), size):
        todo.put_nowait((list(range(i, min(i + size, len(queries)))), 0))
    left = len(queries)
    limit = RateLimit(rate) if rate else None
    halted: list[ProviderError] = []

    def finish(i: int, result: dict) -> None:
        nonlocal left
        if results[i] is not None:
            return
        results[i] = result
        left -= 1
        progress(len(queries) - left, len(queries))
        if left == 0:
            for _worker in range(concurrency):
                todo.put_nowait(None)

    async def ask(http, job: list[int]) -> list:
        """One request's answers; --timeout bounds the whole request, however slowly it drips."""
        try:
            if size == 1:
                return [await asyncio.wait_for(provider.query(http, queries[job[0]]), timeout)]
            return await asyncio.wait_for(provider.query_many(http, [queries[i] for i in job]), timeout)
        except ProviderError as exc:
            return [exc] * len(job)
        except asyncio.TimeoutError:
            return [ProviderError("retry", _("{host} did not answer in time").format(host=provider.host))] * len(job)

    async def worker(http):
        while True:
            item = await todo.get()
            if item is None:
                return
            job, attempt = item
            if not halted and limit is not None:
                await limit.wait()
            answers = [halted[0]] * len(job) if halted else await ask(http, job)
            again = []
            for i, answer in zip(job, answers):
                if not isinstance(answer, ProviderError):
                    finish(i, answer)
                    continue
                if answer.kind in ACCOUNT_KINDS and not halted:
                    halted.append(answer)
                delay = None if halted else retry_delay(answer, attempt, attempts, backoff)
                if delay is None:
                    finish(i, _failed(halted[0] if halted else answer))
                else:
                    again.append(i)
            if again:
                loop.call_later(retry_delay(ProviderError("retry", ""), attempt, attempts, backoff) or 0,
                                todo.put_nowait, (again, attempt + 1))

    async with client(concurrency, timeout) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return results


def run_batch(provider, queries: list[Query], *, concurrency: int = 8, rate: float | None = 10.0,
              timeout: float = 10.0, attempts: int = 3, backoff: float = 0.5,
              progress=lambda done, total: None) -> list[dict]:
    """One result per query, in order: a provider answer or {error, error_kind}. `progress(done,
    total)` is called as each query is settled."""
    if not queries:
        return []
    return asyncio.run(_batch(provider, queries, concurrency, rate, timeout, attempts, backoff, progress))
