"""One `kefu pull` run: the window, the claim, the pages, the records, the cursor.

Window: from --since, else from the cursor less the overlap (default 10 minutes), to --until or
now, less the platform's lag (Amazon: two minutes). A first run has no cursor: --since is needed.

Exactly once for cron: the run claims (platform, shop) in the state file first — a run started
while another holds the claim prints nothing and says who holds it. Each page's records are
converted through the platform's profile, and only an order that is new or whose version
changed (Amazon's lastUpdatedTime, a hash of Rakuten's record) is handed out; the caller prints
and flushes them, then `printed` records their versions. The cursor moves to the window's end in
`finish`, after everything fetched was printed; a run that fails (exit 3) keeps what it printed
and leaves the cursor, so the next run reads the window again and prints only what it has not.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Iterator

from kefu_cli.errors import UsageError
from kefu_cli.i18n import _
from kefu_cli.orders.reader import Rows
from kefu_cli.pull.common import SHOP_NAME, prefetched

PLATFORMS = ("amazon_jp", "rakuten")
OVERLAP = timedelta(minutes=10)


def module_of(platform: str):
    if platform == "amazon_jp":
        from kefu_cli.pull import amazon

        return amazon
    if platform == "rakuten":
        from kefu_cli.pull import rakuten

        return rakuten
    raise UsageError(_("kefu pull cannot read {value}").format(value=platform),
                     hint=_("use one of: {choices}").format(choices=", ".join(PLATFORMS)))


class Pull:
    def __init__(self, platform: str, config, environ, state, *, shop: str | None, since: datetime | None,
                 until: datetime | None, now: datetime, overlap: timedelta = OVERLAP, rate: float | None = None,
                 timeout: float = 30.0, everything: bool = False):
        self.module = module = module_of(platform)
        if shop is not None and not SHOP_NAME.fullmatch(shop):
            raise UsageError(_("--shop {value}: letters, digits and _ only").format(value=shop),
                             hint=_("it names the variables of that shop (KEFU_SPAPI_CLIENT_ID_NAME …)"))
        self.api = module.source(config, environ, shop, rate, timeout)  # credentials checked here
        self.platform, self.shop, self.state = platform, shop or "", state
        self.since, self.until, self.now, self.overlap = since, until, now, overlap
        self.timeout = timeout
        self.everything = everything
        self.rows = Rows(module.HEADERS, config, platform)
        self.cursor: str | None = None
        self.window: tuple[datetime, datetime] | None = None
        self.claimed = False
        self.fetched = self.printed_count = 0

    # -- claim and window

    def claim(self) -> int | None:
        """Claim the pull of this platform and shop; the pid of the run holding it, or None."""
        taken, cursor, holder = self.state.claim_pull(self.platform, self.shop, time.time())
        if not taken:
            return holder
        self.claimed, self.cursor = True, cursor
        try:
            self.window = self._window()
        except BaseException:
            self.release()
            raise
        return None

    def _window(self) -> tuple[datetime, datetime]:
        if self.since is not None:
            after = self.since
        elif self.cursor is not None:
            after = datetime.fromisoformat(self.cursor) - self.overlap
        else:
            raise UsageError(_("no cursor yet for {platform}{shop}: the first run needs --since").format(
                platform=self.platform, shop=f" --shop {self.shop}" if self.shop else ""),
                hint=_("for example: kefu pull {platform} --since 2026-12-01; later runs go on from where it stopped").format(
                    platform=self.platform))
        before = self.now - self.module.LAG
        if self.until is not None:
            before = min(before, self.until)
        if before <= after:
            raise UsageError(_("the window is empty: --until (or now, less {lag}) is not after {after}").format(
                lag=self.module.LAG, after=after.isoformat()), hint=_("give an earlier --since"))
        return after, before

    def release(self) -> None:
        if self.claimed:
            self.claimed = False
            self.state.release_pull(self.platform, self.shop)

    # -- pages and records

    def batches(self) -> Iterator[tuple[list[dict], list[tuple[str, str]]]]:
        """(records to print, their (order_id, version)) for each page fetched, in the platform's
        order; orders printed before in the same version are left out (unless `everything`)."""
        after, before = self.window
        module, rows, tz = self.module, self.rows, self.rows.tz
        annotate = getattr(module, "annotate", None)
        this_run: dict[str, str] = {}
        for page in prefetched(lambda http: self.api.orders(http, after, before), 1, self.timeout):
            self.fetched += len(page)
            # one record per order: an order's rows are grouped, so two answers of one order on
            # a page (it changed while being paged) are kept as the last one
            order_id = module.order_id
            kept = list({(oid or id(raw)): (oid, raw) for oid, raw in ((order_id(raw), raw) for raw in page)}.values())
            records = list(rows.records([row for _oid, raw in kept for row in module.rows(raw, tz)]))
            pairs = []
            for (oid, raw), record in zip(kept, records):
                if annotate is not None:
                    annotate(raw, record)
                pairs.append((oid, module.version(raw, record), record))
            ids = [o for o, _v, _r in pairs if o is not None]
            before_now = self.state.pulled_versions(self.platform, self.shop, ids) if not self.everything else {}
            out, versions = [], []
            for oid, ver, record in pairs:
                if oid is not None and not self.everything and ver == this_run.get(oid, before_now.get(oid)):
                    continue
                out.append(record)
                if oid is not None:
                    this_run[oid] = ver
                    versions.append((oid, ver))
            yield out, versions

    def printed(self, versions: list[tuple[str, str]], count: int) -> None:
        """These records' lines were written and flushed."""
        self.printed_count += count
        self.state.record_pulled(self.platform, self.shop, versions, time.time())

    def finish(self) -> str:
        """Everything fetched was printed: the cursor moves to the window's end (never back)."""
        end = self.window[1].astimezone(timezone.utc).isoformat(timespec="seconds")
        if self.cursor is not None and datetime.fromisoformat(self.cursor) > datetime.fromisoformat(end):
            end = self.cursor
        self.claimed = False
        self.state.release_pull(self.platform, self.shop, end)
        return end
