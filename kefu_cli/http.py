"""HTTP for every provider kefu asks (tracking providers, the platforms `kefu pull` reads): one
httpx client built from the environment, one bounded read of an answer, the error a provider's
answer comes to (ProviderError and its kinds), a rate limit on a fixed grid and the jittered
backoff between attempts. Knows nothing of waybills or orders.
"""

from __future__ import annotations

import asyncio
import json
import random
import time

from kefu_cli.errors import UsageError
from kefu_cli.i18n import _


class ProviderError(Exception):
    """kind: retry (try again later), answer (the provider said no for this waybill),
    credentials (the provider refused the key or the sign), account (no quota left, key expired,
    account disabled: every other waybill would fail the same way), unreachable (retries
    exhausted). `fix` says what the desk should do about an account-wide failure."""

    def __init__(self, kind: str, message: str, raw_code: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.raw_code = raw_code
        self.fix = fix


ACCOUNT_KINDS = ("credentials", "account")  # the whole batch fails the same way: stop asking


def malformed(host: str, kind: str = "retry") -> ProviderError:
    """An answer kefu cannot read: `retry` when the whole answer is unreadable, `answer` when one
    waybill's part of it is."""
    return ProviderError(kind, _("{host} sent a malformed answer").format(host=host))


def http_busy(host: str, status: int) -> ProviderError:
    """An HTTP status that says try again later (5xx, and 17TRACK's 429)."""
    return ProviderError("retry", _("{host} answered HTTP {code}").format(host=host, code=status))


def rejected(code, text: str, raw_code: str | None) -> ProviderError:
    """The provider said no to this waybill's query, with its code and message."""
    return ProviderError("answer", _("the provider rejected the query ({code}): {text}").format(code=code, text=text),
                         raw_code)


def json_object(host: str, raw: bytes) -> dict:
    """The answer's body as a JSON object, or `malformed` (retried: a proxy's or a server's hiccup)."""
    try:
        body = json.loads(raw)
    except ValueError:
        raise malformed(host) from None
    if not isinstance(body, dict):
        raise malformed(host)
    return body


class RateLimit:
    """At most `rate` request starts per second, shared by every task: starts on a fixed grid of
    1/rate s, so a late wake-up does not push every later start back. `burst` starts may go at
    once before the grid applies (a token bucket, as the SP-API usage plans are: rate and burst);
    `lower(rate)` slows it when a provider says its plan is slower than the one assumed."""

    def __init__(self, rate: float, burst: int = 1):
        self.interval = 1.0 / rate
        self.burst = max(1, burst)
        self.next_at = 0.0

    def exhausted(self) -> None:
        """The provider said the burst is spent (HTTP 429): the next start waits one interval, and
        the ones after it keep to the grid, as the provider's bucket refills."""
        self.next_at = max(self.next_at, time.monotonic() + self.burst * self.interval)

    def lower(self, rate: float) -> None:
        if rate > 0 and 1.0 / rate > self.interval:
            self.interval = 1.0 / rate

    async def wait(self) -> None:
        now = time.monotonic()
        delay = self.next_at - (self.burst - 1) * self.interval - now
        self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


def retry_delay(error: ProviderError, attempt: int, attempts: int, backoff: float) -> float | None:
    """Seconds to wait before asking again after `error` on attempt `attempt` (0-based), or None:
    an answer or a credentials refusal is final, and so is the last attempt. Exponential, jittered."""
    if error.kind != "retry" or attempt + 1 >= attempts:
        return None
    return backoff * (2 ** attempt) * (0.5 + random.random())


MAX_ANSWER = 1 << 20  # bytes of an answer, on the wire and decompressed: past it, that waybill's error


async def fetch(client, host: str, method: str, url, *, limit: int = MAX_ANSWER, **kwargs) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request, or the ProviderError it comes to. The body is read
    capped: more than `limit` (MAX_ANSWER unless told) bytes on the wire or after gzip/deflate decoding (a runaway or
    a gzip bomb) is an error, and kefu decompresses it itself in bounded steps. A redirect is
    named, never followed; a certificate kefu cannot verify says how to trust its CA."""
    import zlib

    import httpx

    headers = {"Accept-Encoding": "gzip, deflate", **kwargs.pop("headers", {})}
    too_big = ProviderError("answer", _("{host} sent an answer larger than {size} MiB").format(
        host=host, size=limit >> 20))
    try:
        async with client.stream(method, url, headers=headers, **kwargs) as response:
            if 300 <= response.status_code < 400:
                raise ProviderError("answer", _("{host} answered with a redirect to {location} (not followed): "
                                                "check the endpoint").format(
                    host=host, location=response.headers.get("location", "?")[:200]), str(response.status_code))
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise too_big
            encoding = response.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("identity", "gzip", "deflate", ""):
                raise malformed(host)
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS) \
                if encoding in ("gzip", "deflate") else None
            body = bytearray()
            received = 0
            async for chunk in response.aiter_raw(65536):
                received += len(chunk)
                if received > limit:
                    raise too_big
                if decoder is None:
                    body += chunk
                    continue
                data = chunk
                while data:  # never more than the room left at a time, whatever the ratio
                    body += decoder.decompress(data, limit + 1 - len(body))
                    if len(body) > limit:
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
