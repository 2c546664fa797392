"""A batch of tracking queries: asyncio with a concurrency cap, a shared rate limit and retries
with backoff. Every input waybill yields exactly one record.
"""

from __future__ import annotations

import asyncio

from kefu_cli.http import MAX_ANSWER, RateLimit, client, fetch, retry_delay  # noqa: F401 - shared with kefu_cli.pull
from kefu_cli.i18n import _
from kefu_cli.tracking.provider import ACCOUNT_KINDS, ProviderError, Query

def _failed(error: ProviderError) -> dict:
    kind = "unreachable" if error.kind == "retry" else error.kind
    return {"error": error.message, "error_kind": kind, "raw_code": error.raw_code, "fix": error.fix}


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
