"""What every platform `kefu pull` reads shares: its credentials from the environment (a shop's
suffixed variables), one request asked with retries under a rate limit per operation, and the
way the next page is asked for while the records of the last one are converted and printed.

The HTTP itself is kefu's one stack (kefu_cli/http.py: httpx from the environment, answers read
bounded, RateLimit, retry_delay), as tracking uses it.
"""

from __future__ import annotations

import asyncio
import re
from typing import Iterator

from kefu_cli.errors import UpstreamError, UsageError
from kefu_cli.http import ProviderError, RateLimit, client, fetch, retry_delay
from kefu_cli.i18n import _

# 100 full orders of SP-API (items, address, proceeds, packages) or 100 RMS OrderModels are a few
# hundred KiB; tracking's 1 MiB is kept for one waybill, a page may be up to 8 MiB
MAX_PAGE = 8 << 20
SHOP_NAME = re.compile(r"[A-Za-z0-9_]{1,40}")


def variable(environ, name: str, shop: str | None) -> tuple[str, str | None]:
    """(the variable's name, its value) for `name`: with --shop, `name_SHOP` (upper case) only, so
    one shop's run never borrows another's credentials."""
    key = f"{name}_{shop.upper()}" if shop else name
    return key, environ.get(key) or None


def credentials(environ, names: tuple[str, ...], shop: str | None, platform: str) -> dict[str, str]:
    """The values of `names` (suffixed by shop), all checked before any request: a missing one is a
    usage error naming it, never a value."""
    found, missing = {}, []
    for name in names:
        key, value = variable(environ, name, shop)
        if value is None:
            missing.append(key)
        found[name] = value
    if missing:
        raise UsageError(_("no {platform} credentials: {missing} not set").format(
            platform=platform, missing=", ".join(missing)),
            hint=_("set them in the environment (never in a config file); README, section kefu pull, lists them"))
    return found


def endpoint(environ, var: str, shop: str | None, settings: dict, key: str, default: str) -> str:
    """An endpoint: the shop's variable, the variable, shop.toml [pull.PLATFORM], else the public one."""
    return (variable(environ, var, shop)[1] if shop else None) or environ.get(var) or settings.get(key) or default


class Api:
    """One platform's requests: a RateLimit per operation (seeded from its documented plan,
    lowered by what an answer says), retries with backoff and jitter for 429, 5xx, timeouts and
    dropped connections, answers read bounded (MAX_PAGE) and parsed as a JSON object.

    A subclass sets `host`, `plans` {operation: (rate, burst)} and `classify(status, body)`, which
    returns None for a good answer or the ProviderError it is (kind retry, answer, credentials)."""

    host = "?"
    plans: dict[str, tuple[float, int]] = {}

    def __init__(self, rate: float | None, timeout: float, attempts: int = 4, backoff: float = 0.5):
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        # --rate replaces every plan (an imitation, a shop whose plan Amazon raised); burst kept
        self.limits = {op: RateLimit(rate or r, b) for op, (r, b) in self.plans.items()}

    def classify(self, status: int, body: dict | None, headers) -> ProviderError | None:
        raise NotImplementedError

    def lowered(self, op: str, headers) -> None:
        """An answer's own statement of the rate allowed (SP-API's x-amzn-RateLimit-Limit)."""

    async def ask(self, http, op: str, method: str, url: str, what: str, **kwargs) -> dict:
        """The JSON object of one request's answer, after retries; UpstreamError when it fails for
        good (`what` names the request in the message: "searchOrders page 3")."""
        attempt = 0
        while True:
            await self.limits[op].wait()
            error = None
            try:
                status, headers, raw = await asyncio.wait_for(
                    fetch(http, self.host, method, url, limit=MAX_PAGE, **kwargs), self.timeout)
            except asyncio.TimeoutError:
                error = ProviderError("retry", _("{host} did not answer in time").format(host=self.host))
            except ProviderError as exc:
                error = exc
            else:
                self.lowered(op, headers)
                body = _object(raw)
                error = self.classify(status, body, headers)
                if error is None and body is None:
                    error = ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host))
                if error is None:
                    return body
            if error.raw_code in ("429", "QuotaExceeded"):  # the platform's bucket is empty: wait for it
                self.limits[op].exhausted()
            delay = retry_delay(error, attempt, self.attempts, self.backoff)
            if delay is None:
                raise self.failure(error, what)
            attempt += 1
            await asyncio.sleep(delay)

    def failure(self, error: ProviderError, what: str):
        """The error a request that failed for good ends the run with: exit 3 (upstream), or 2 when
        the platform said our own parameters were wrong."""
        text = _("{what}: {error}").format(what=what, error=error.message)
        if error.kind == "answer" and error.raw_code == "usage":
            return UsageError(text, hint=error.fix)
        return UpstreamError(text, hint=error.fix or (
            _("retried {count} times; run again later (the cursor did not move)").format(count=self.attempts)
            if error.kind == "retry" else None))


def _object(raw: bytes) -> dict | None:
    import orjson

    try:
        body = orjson.loads(raw)
    except (orjson.JSONDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def record_hash(record: dict) -> str:
    """A record's version when the platform gives none (RMS): a hash of its canonical fields."""
    import hashlib

    import orjson

    data = record.copy()  # a copy less two keys: a fifth of the time of a filtering comprehension
    data.pop("row", None)
    data.pop("problems", None)
    return hashlib.sha256(orjson.dumps(data, default=str, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def _signals_to_main_thread() -> None:
    import signal

    block = getattr(signal, "pthread_sigmask", None)
    if block is not None:
        block(signal.SIG_BLOCK, {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)})


def prefetched(pages, concurrency: int, timeout: float) -> Iterator:
    """The items of the async generator `pages(http)`, each next one asked for before this one is
    handed out: the next request is on its way (its answer waits in the socket) while this page
    is converted and printed. One event loop in this thread, run only while kefu waits for an
    answer — no second thread contending for the interpreter with the conversion. An error of
    the fetching side is raised here, after every page fetched before it. Closing the iterator
    (| head -1, an exception) cancels the request in flight and closes the client."""
    from concurrent.futures import ThreadPoolExecutor

    http = client(concurrency, timeout)
    loop = asyncio.new_event_loop()
    # asyncio resolves host names in its executor's threads: they must not take SIGTERM/SIGINT/
    # SIGHUP, or the signal lands there while the main thread defers it (a page half printed)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=2, initializer=_signals_to_main_thread))
    stream = pages(http)
    ahead = None
    try:
        ahead = loop.create_task(stream.__anext__())
        while True:
            try:
                page = loop.run_until_complete(ahead)
            except StopAsyncIteration:
                ahead = None
                return
            ahead = loop.create_task(stream.__anext__())
            loop.run_until_complete(asyncio.sleep(0.001))  # let the next request leave
            yield page
    finally:
        if ahead is not None and not ahead.done():
            ahead.cancel()
            try:
                loop.run_until_complete(ahead)
            except BaseException:
                pass
        try:
            loop.run_until_complete(stream.aclose())
            loop.run_until_complete(http.aclose())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
