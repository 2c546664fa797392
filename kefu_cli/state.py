"""kefu's state file: one SQLite database shared by every command and every cron run.

Where: --state PATH > KEFU_STATE > $XDG_STATE_HOME/kefu/state.db (default ~/.local/state/kefu).
Concurrency: WAL journal and a busy timeout, and every claim is one IMMEDIATE transaction, so
overlapping cron runs queue instead of failing with "database is locked", and never both win
the same claim.

The message ledger records what was printed: (order_id, kind) once ever, and each contact (buyer,
phone) at most once a day. A message is claimed before it is printed and released again if it
could not be printed, so the ledger holds only completed work.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from kefu_cli.errors import ConfigError
from kefu_cli.i18n import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (order_id, kind)
);
CREATE TABLE IF NOT EXISTS tracking (
    waybill TEXT PRIMARY KEY,
    carrier TEXT,
    status TEXT,
    record TEXT,
    queried_at REAL,
    claimed_at REAL,
    final INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS contact_day (
    contact TEXT NOT NULL,
    day TEXT NOT NULL,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (contact, day)
);
"""
BUSY_TIMEOUT_MS = 30_000


@contextmanager
def interrupts_deferred():
    """Ctrl-C (SIGINT) waits until the block is over: claim, print and flush of one message
    happen all or not at all. A no-op where signals cannot be blocked."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        yield
        return
    previous = block(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)  # a pending SIGINT is raised here, after the block


def default_path(environ=os.environ) -> Path:
    base = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "kefu" / "state.db"


def state_path(explicit: str | None, environ=os.environ) -> Path:
    return Path(explicit or environ.get("KEFU_STATE") or default_path(environ))


class State:
    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(_("state file {path}: {error}").format(path=path, error=exc),
                              hint=_("pass a writable file with --state or KEFU_STATE")) from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _immediate(self):
        """One IMMEDIATE transaction (the write lock first, so overlapping runs queue): committed
        when the block ends, rolled back on an exception or when the block rolled back itself."""
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        if self.db.in_transaction:
            cur.execute("COMMIT")

    def sent(self, order_id: str, kind: str) -> bool:
        return self.db.execute("SELECT 1 FROM ledger WHERE order_id = ? AND kind = ?", (order_id, kind)).fetchone() is not None

    def contact_used(self, contacts: list[str], day: str) -> bool:
        for c in contacts:
            if self.db.execute("SELECT 1 FROM contact_day WHERE contact = ? AND day = ?", (c, day)).fetchone():
                return True
        return False

    def claim(self, order_id: str, kind: str, sent_at: str, contacts: list[str], day: str) -> bool:
        """Record (order, kind) and the contacts for `day` atomically; False if any is taken."""
        with self._immediate() as cur:
            cur.execute("INSERT OR IGNORE INTO ledger (order_id, kind, sent_at) VALUES (?, ?, ?)", (order_id, kind, sent_at))
            taken = cur.rowcount != 1
            for contact in contacts if not taken else ():
                cur.execute("INSERT OR IGNORE INTO contact_day (contact, day, order_id, kind) VALUES (?, ?, ?, ?)",
                            (contact, day, order_id, kind))
                taken = cur.rowcount != 1
                if taken:
                    break
            if taken:
                cur.execute("ROLLBACK")
        return not taken

    def release(self, order_id: str, kind: str) -> None:
        """Undo a claim whose message could not be printed."""
        with self._immediate() as cur:
            cur.execute("DELETE FROM ledger WHERE order_id = ? AND kind = ?", (order_id, kind))
            cur.execute("DELETE FROM contact_day WHERE order_id = ? AND kind = ?", (order_id, kind))

    # -- tracking cache

    def claim_queries(self, waybills: list[str], now: float, min_age: float, refresh: bool,
                      claim_ttl: float = 120.0) -> tuple[set[str], dict[str, tuple]]:
        """Which waybills this run may query, in one transaction so that overlapping runs never
        query the same number: not final, not queried within `min_age` seconds (unless refresh),
        not claimed by another run in the last `claim_ttl` seconds. Returns (mine, previous rows)."""
        wanted = list(dict.fromkeys(waybills))
        rows: dict[str, tuple] = {}
        with self._immediate() as cur:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for w, *row in cur.execute("SELECT waybill, status, record, queried_at, claimed_at, final FROM tracking "
                                           f"WHERE waybill IN ({marks})", chunk):
                    rows[w] = tuple(row)
            mine: set[str] = set()
            for w in wanted:
                row = rows.get(w)
                if row is not None:
                    _status, _record, queried_at, claimed_at, final = row
                    if final or (claimed_at is not None and now - claimed_at < claim_ttl):
                        continue
                    if not refresh and queried_at is not None and now - queried_at < min_age:
                        continue
                mine.add(w)
            cur.executemany("INSERT INTO tracking (waybill, claimed_at) VALUES (?, ?) "
                            "ON CONFLICT (waybill) DO UPDATE SET claimed_at = excluded.claimed_at",
                            [(w, now) for w in mine])
        return mine, rows

    def store_results(self, results: list[tuple[str, str | None, str, str, float, bool]]) -> None:
        """(waybill, carrier, status, record json, queried_at, final) for each answered query."""
        with self._immediate() as cur:
            cur.executemany("UPDATE tracking SET carrier = ?, status = ?, record = ?, queried_at = ?, claimed_at = NULL, "
                            "final = ? WHERE waybill = ?", [(c, s, r, q, int(f), w) for w, c, s, r, q, f in results])

    def release_queries(self, waybills: list[str]) -> None:
        with self._immediate() as cur:
            cur.executemany("UPDATE tracking SET claimed_at = NULL WHERE waybill = ?", [(w,) for w in waybills])
            cur.execute("DELETE FROM tracking WHERE status IS NULL AND claimed_at IS NULL")

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
