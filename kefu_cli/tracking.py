"""Waybill tracking through a provider (快递100 first), normalised to one status vocabulary.

Statuses: pending, picked_up, in_transit, out_for_delivery, delivered, exception, returning,
returned, refused, customs, not_found. Every record keeps the provider's raw code and text.

A provider is an object with `name`, `host`, `code_of(carrier)` and
`async query(client, waybill, com, phone) -> dict` (a normalised record) that raises
ProviderError. Adding one (17TRACK for Japan Post and Yamato, say) touches no command: see
docs/architecture.md.

Batch: asyncio with a concurrency cap, a shared rate limit (aiolimiter), and retries with backoff on 5xx,
timeouts, connection errors and malformed bodies — never on a provider's answer (400, 408, 500)
or a credentials refusal (503, 601). Every input waybill yields exactly one record.
Credentials come from the environment only and never appear in a record, a message or a log.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from kefu_cli.errors import UsageError
from kefu_cli.i18n import _

STATUSES = ("pending", "picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "returning",
            "returned", "refused", "customs", "not_found")
FINAL = ("delivered", "returned")
PROBLEM_STATUSES = ("exception", "refused", "returned")
TRACK_FIELDS = ("waybill", "carrier", "status", "status_text", "updated_at", "location", "detail",
                "days_since_update", "stale", "error", "raw_state", "raw_code")
EVENT_FIELDS = ("waybill", "carrier", "time", "status", "location", "context")

# 快递100 `state` (and resultv2 sub-states) -> kefu status
K100_STATES = {
    "0": "in_transit", "1": "picked_up", "2": "exception", "3": "delivered", "4": "returned", "5": "out_for_delivery",
    "6": "returning", "7": "in_transit", "8": "customs", "10": "customs", "11": "customs", "12": "customs",
    "13": "customs", "14": "refused",
    "101": "pending", "102": "pending", "103": "picked_up", "1001": "in_transit", "1002": "in_transit",
    "1003": "in_transit", "501": "out_for_delivery", "301": "delivered", "302": "delivered", "303": "delivered",
    "304": "delivered", "401": "exception",
}
K100_ENDPOINT = "https://poll.kuaidi100.com/poll/query.do"


class ProviderError(Exception):
    """kind: retry (try again later), answer (the provider said no for this waybill),
    credentials (the provider refused the key), unreachable (retries exhausted)."""

    def __init__(self, kind: str, message: str, raw_code: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.raw_code = raw_code


def normalise_state(state) -> str:
    s = str(state).strip()
    if s in K100_STATES:
        return K100_STATES[s]
    if len(s) == 3 and s.startswith("2"):
        return "exception"  # 201-210: problem kinds
    return "in_transit"


class Kuaidi100:
    """快递100 real-time query: POST form customer, sign, param; sign = MD5(param + key + customer),
    upper-case hex, over exactly the param string that is posted."""

    name = "kuaidi100"

    def __init__(self, customer: str, key: str, endpoint: str = K100_ENDPOINT):
        self._customer = customer
        self._key = key
        self.endpoint = endpoint
        self.host = urlsplit(endpoint).netloc or endpoint
        self._url = None  # httpx.URL(endpoint), parsed once rather than once per request

    def __repr__(self) -> str:  # never show the credentials
        return f"Kuaidi100(endpoint={self.endpoint!r})"

    @staticmethod
    def code_of(carrier) -> str:
        return carrier.kuaidi100

    def form(self, com: str, num: str, phone: str | None) -> dict[str, str]:
        param = {"com": com, "num": num, "resultv2": "4"}
        if phone:
            param["phone"] = phone
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        sign = hashlib.md5((text + self._key + self._customer).encode("utf-8")).hexdigest().upper()
        return {"customer": self._customer, "sign": sign, "param": text}

    async def query(self, client, num: str, com: str, phone: str | None) -> dict:
        import httpx

        if self._url is None:
            self._url = httpx.URL(self.endpoint)
        try:
            response = await client.post(self._url, data=self.form(com, num, phone))
        except httpx.TimeoutException:
            raise ProviderError("retry", _("{host} did not answer in time").format(host=self.host)) from None
        except httpx.DecodingError:  # a body that does not decode as its Content-Encoding says
            raise ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host)) from None
        except httpx.RequestError as exc:
            raise ProviderError("retry", _("cannot reach {host}: {error}").format(
                host=self.host, error=type(exc).__name__)) from None
        if response.status_code >= 500:
            raise ProviderError("retry", _("{host} answered HTTP {code}").format(host=self.host, code=response.status_code))
        try:
            body = response.json()
        except ValueError:
            raise ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host)) from None
        if not isinstance(body, dict):
            raise ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host))
        if body.get("result") is False or "returnCode" in body:
            code = str(body.get("returnCode", ""))
            text = str(body.get("message", ""))[:200]
            if code in ("501", "502"):
                raise ProviderError("retry", _("provider busy ({code}): {text}").format(code=code, text=text), code)
            if code in ("503", "601"):
                raise ProviderError("credentials", _("the provider refused the credentials ({code}): {text}").format(
                    code=code, text=text), code)
            if code == "500":
                return {"status": "not_found", "status_text": text, "raw_state": None, "raw_code": code, "events": []}
            if code == "408":
                raise ProviderError("answer", _("phone check failed (408): pass the receiver's phone, last 4 digits"), code)
            raise ProviderError("answer", _("the provider rejected the query ({code}): {text}").format(
                code=code or "?", text=text), code or None)
        events = []
        for e in body.get("data") or []:
            if isinstance(e, dict):
                events.append({"time": e.get("ftime") or e.get("time"), "context": e.get("context"),
                               "location": e.get("location") or e.get("areaName"),
                               "status": normalise_state(e["status"]) if e.get("status") not in (None, "") and
                               str(e.get("status")).isdigit() else None})
        state = body.get("state")
        status = normalise_state(state) if state not in (None, "") else ("in_transit" if events else "not_found")
        return {"status": status, "status_text": events[0]["context"] if events else body.get("message"),
                "raw_state": None if state is None else str(state), "raw_code": str(body.get("status", "")) or None,
                "events": events}


@dataclass
class Query:
    waybill: str
    carrier: object  # config.Carrier or None
    com: str | None
    phone: str | None
    error: str | None = None  # a reason it cannot be queried at all


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
    return {"error": error.message, "error_kind": kind, "raw_code": error.raw_code}


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
    """`concurrency` workers take (query, attempt) from a queue and share one httpx client; the
    request starts are spaced by aiolimiter (one every 1/rate s, no burst).

    A query to be retried goes back in the queue when its backoff has passed, so a worker asks
    for other waybills meanwhile instead of sleeping: with 10% 5xx and 5% timeouts that halved the
    batch (bench/track.py). That is why the retries are kefu's `retry_delay` and not a retrying
    decorator (tenacity, stamina), which would sleep inside the worker."""
    loop = asyncio.get_running_loop()
    results: list[dict | None] = [None] * len(queries)
    todo: asyncio.Queue = asyncio.Queue()
    for i in range(len(queries)):
        todo.put_nowait((i, 0))
    left = len(queries)
    limit = RateLimit(rate) if rate else None

    def finish(i: int, result: dict) -> None:
        nonlocal left
        results[i] = result
        left -= 1
        progress(len(queries) - left, len(queries))
        if left == 0:
            for _worker in range(concurrency):
                todo.put_nowait(None)

    async def worker(http):
        while True:
            job = await todo.get()
            if job is None:
                return
            i, attempt = job
            q = queries[i]
            if limit is not None:
                await limit.wait()
            try:
                result = await provider.query(http, q.waybill, q.com, q.phone)
            except ProviderError as exc:
                delay = retry_delay(exc, attempt, attempts, backoff)
                if delay is None:
                    finish(i, _failed(exc))
                else:
                    loop.call_later(delay, todo.put_nowait, (i, attempt + 1))
                continue
            finish(i, result)

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


def parse_event_time(text: str | None, tz) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("/", "-"))
    except ValueError:
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value
