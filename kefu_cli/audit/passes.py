"""The audit of a whole file in two passes.

First pass: every order is audited (on every core for large files through pipeline.run) and
its record spooled as JSONL; only hashes and tallies stay in memory (audit.auditor.Tally).
Second pass: the spool is read back, and only the records the file-wide findings touch
(DUPLICATE_ORDER, MERGEABLE) or that hold an unreadable row are parsed and patched; the
others pass through as the bytes they already are.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import BinaryIO, Iterator

from kefu_cli import pipeline
from kefu_cli.audit.auditor import AUDIT_FIELDS, VERDICTS, AuditTransform, Auditor, Index, Tally
from kefu_cli.audit.rules import BY_CODE, RANK
from kefu_cli.output import JsonlRenderer


class TwoPasses:
    """Run the first pass at construction; then `records()` (the second pass) or `copy_to()`.
    `failed`: a finding reached `threshold`; `unreadable`: rows that could not be read."""

    def __init__(self, order_file, auditor: Auditor, threshold: int, jobs: int | None = None, watch=None):
        """`watch`: another reader of the same orders, fed by this pass so the file is read once
        (`kefu report`'s reminder join, insights/stats.Reminders): its `watching(orders)` passes
        them on, `take()` and `merge(part)` carry what it kept from the parallel workers."""
        self.tally = Tally()
        self.threshold = threshold
        self.unreadable: list[int] = []
        self.spool = tempfile.TemporaryFile()
        transform, merge = AuditTransform(auditor), self.tally.merge
        if watch is not None:
            transform, merge = _Watched(transform, watch), _Watched.merging(self.tally, watch)
        try:
            pipeline.run(order_file, JsonlRenderer(list(AUDIT_FIELDS)), self.spool,
                         transform=transform, merge=merge, jobs=jobs)
            self.index = Index(self.tally, auditor.active)
            self.spool.seek(0)
            self.index.learn(self.spool)
        except BaseException:
            self.spool.close()
            raise
        self.failed = any(n for worst, n in self.tally.failing.items() if worst >= threshold)

    @property
    def verdicts(self):
        return self.tally.verdicts

    @property
    def codes(self):
        return self.tally.codes

    def untouched(self) -> bool:
        """Nothing for the second pass to add or drop: the spool is the whole JSONL output."""
        index = self.index
        return not (index.dup_ids or index.dup_merges or self.codes.get("ROW_UNREADABLE"))

    def copy_to(self, out: BinaryIO) -> None:
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, out, 1 << 20)

    def records(self, wanted=VERDICTS, raw: bool = False) -> Iterator[bytes | dict]:
        """The audit records whose verdict is in `wanted`, patched with the file-wide findings;
        with `raw`, a record the second pass did not change comes as its spooled JSONL line."""
        import orjson

        tally, index, verdicts, codes = self.tally, self.index, self.tally.verdicts, self.tally.codes
        unreadable_rows = codes.get("ROW_UNREADABLE")
        self.spool.seek(0)
        for i, line in enumerate(self.spool):
            verdict = VERDICTS[tally.state[i] % 4]
            if index.affected(i) or unreadable_rows:
                rec = orjson.loads(line)
                if index.patch(i, rec):
                    verdicts[verdict] -= 1
                    verdicts[rec["verdict"]] += 1
                    for f in rec["findings"]:
                        if f["code"] in ("DUPLICATE_ORDER", "MERGEABLE"):
                            codes[f["code"]] += 1
                            self.failed = self.failed or RANK[f["severity"]] >= self.threshold
                    verdict = rec["verdict"]
                    line = None
                if any(f["code"] == "ROW_UNREADABLE" for f in rec["findings"]):
                    self.unreadable.append(rec["row"])
                if verdict in wanted:
                    yield line if (line is not None and raw) else rec
                continue
            if verdict in wanted:
                yield line if raw else orjson.loads(line)

    def summary(self) -> list[dict]:
        """Counts per verdict and per finding code (after the second pass)."""
        rows = [{"kind": "verdict", "name": v, "count": self.verdicts[v]} for v in VERDICTS]
        return rows + [{"kind": "code", "name": c, "count": self.codes[c]} for c in BY_CODE if self.codes.get(c)]

    def close(self) -> None:
        self.spool.close()


class _Watched:
    """The first pass's transform with a watcher reading the same orders on the way."""

    def __init__(self, transform: AuditTransform, watch):
        self.transform, self.watch = transform, watch

    def process(self, orders):
        return self.transform.process(self.watch.watching(orders))

    def take_stats(self):
        return self.transform.take_stats(), self.watch.take()

    @staticmethod
    def merging(tally: Tally, watch):
        def merge(stats) -> None:
            tally.merge(stats[0])
            watch.merge(stats[1])

        return merge
