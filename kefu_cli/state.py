"""kefu's state file: one SQLite database shared by every command and every cron run.

Where: --state PATH > KEFU_STATE > $XDG_STATE_HOME/kefu/state.db (default ~/.local/state/kefu).
Concurrency: WAL journal and a busy timeout, and every claim is one IMMEDIATE transaction, so
overlapping cron runs queue instead of failing with "database is locked", and never both win
the same claim.

The message ledger records what was printed: (order_id, kind) once ever, and each contact (buyer,
phone) at most once a day. A message is claimed (with the claiming process's pid) before it is
printed, confirmed once its line was written and flushed whole, and released again if it could
not be written. A claim whose process died between the two (SIGKILL, power loss) stays
unconfirmed: the next run reports it and, with --resend-unconfirmed, releases it so it is
printed again (at-least-once on request; at-most-once by default, so a buyer is never sent the
same reminder twice without the desk deciding to).

Schema versions (PRAGMA user_version), applied in order by `migrate`: 1 the tables below as the
first state files had them; 2 ledger.confirmed and ledger.pid, tracking.claim_pid; 3 the delivery
history (`deliveries`: one row per tracked parcel that reached delivered, refused or returned,
with its route and transit days), ledger.template (the wording a reminder was printed in) and
the version table `schema_versions` (each step and when this file took it; steps taken before the
table existed are listed without a time); 4 `kefu pull`: a cursor per platform and shop
(`pull_cursors`: the end of the last window printed whole, and the claim of the run pulling now)
and the version of each order printed (`pull_seen`: Amazon's lastUpdatedTime, a record hash for
Rakuten), so an overlapping window prints only what is new or changed; 5 deliveries.parcel (an
order's parcel, a return or a replacement: PARCELS). PRAGMA user_version stays the fast check.
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
# ordered steps from one schema version to the next; a state file is brought up to the last
MIGRATIONS = (
    (1, SCHEMA),
    (2, """
ALTER TABLE ledger ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ledger ADD COLUMN pid INTEGER;
ALTER TABLE tracking ADD COLUMN claim_pid INTEGER;
"""),
    (3, """
CREATE TABLE IF NOT EXISTS deliveries (
    waybill TEXT PRIMARY KEY,
    carrier TEXT,
    outcome TEXT NOT NULL,
    order_id TEXT,
    warehouse TEXT,
    country TEXT,
    province TEXT,
    city TEXT,
    picked_up_at TEXT,
    delivered_at TEXT,
    delivered_on TEXT,
    calendar_days INTEGER,
    work_days INTEGER,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_route ON deliveries (warehouse, province, carrier, calendar_days);
ALTER TABLE ledger ADD COLUMN template TEXT;
CREATE TABLE IF NOT EXISTS schema_versions (
    version INTEGER PRIMARY KEY,
    applied_at TEXT
);
"""),
    (4, """
CREATE TABLE IF NOT EXISTS pull_cursors (
    platform TEXT NOT NULL,
    shop TEXT NOT NULL,
    cursor TEXT,
    claim_pid INTEGER,
    claimed_at REAL,
    updated_at TEXT,
    PRIMARY KEY (platform, shop)
);
CREATE TABLE IF NOT EXISTS pull_seen (
    platform TEXT NOT NULL,
    shop TEXT NOT NULL,
    order_id TEXT NOT NULL,
    version TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (platform, shop, order_id)
);
"""),
    (5, """
ALTER TABLE deliveries ADD COLUMN parcel TEXT NOT NULL DEFAULT 'order';
"""),
)
DELIVERY_COLUMNS = ("waybill", "carrier", "outcome", "order_id", "warehouse", "country", "province", "city",
                    "picked_up_at", "delivered_at", "delivered_on", "calendar_days", "work_days", "source", "parcel")
# deliveries.parcel: what the parcel was. An order's own shipment ("order"), a buyer's return to the
# shop ("return") or a replacement sent after a case ("reship"), the last two tracked from the
# after-sales files (`kefu track --cases`). A return travels the other way: it never teaches the
# transit of a route, and only an order's own parcel says when the order was signed for.
PARCELS = ("order", "return", "reship")


def _utc_now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def alive(pid: int | None) -> bool:
    """Whether a process of this machine with this pid still runs (a claim of a dead one is stale)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def interrupts_deferred():
    """Ctrl-C (SIGINT), SIGTERM and SIGHUP wait until the block is over: claim, print and flush of
    one message happen all or not at all. A no-op where signals cannot be blocked."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        yield
        return
    previous = block(signal.SIG_BLOCK, {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)  # a pending SIGINT is raised here, after the block


def default_path(environ=os.environ) -> Path:
    base = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "kefu" / "state.db"


def state_path(explicit: str | None, environ=os.environ) -> Path:
    """--state, else KEFU_STATE, else the default. An empty one is a usage error, not the default:
    a cron line whose variable came out empty must not write to another ledger."""
    if explicit == "" or (explicit is None and environ.get("KEFU_STATE") == ""):
        from kefu_cli.errors import UsageError

        raise UsageError(_("--state is empty") if explicit == "" else _("KEFU_STATE is set but empty"),
                         hint=_("give the state file's path, or unset KEFU_STATE for the default"))
    return Path(explicit or environ.get("KEFU_STATE") or default_path(environ))


class State:
    def __init__(self, path: Path, reading: bool = False):
        """The state file at `path`. A path that exists and is not a regular file (/dev/null, a
        directory, a FIFO) is refused before SQLite opens it. `reading`: a run that only reads
        it (report, stats, eta, --dry-run) opens a file it may not write read-only; a run that
        writes is told the file must be writable."""
        self.path = path
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = None
        import stat

        if mode is not None and not stat.S_ISREG(mode):
            raise ConfigError(_("state file {path} is not a regular file").format(path=path),
                              hint=_("pass a file's path with --state or KEFU_STATE"))
        try:
            if reading and mode is not None and not os.access(path, os.W_OK):
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                          timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
                self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                if self.db.execute("PRAGMA user_version").fetchone()[0] < MIGRATIONS[-1][0]:
                    raise ConfigError(_("state file {path} is read-only and older than this kefu").format(path=path),
                                      hint=_("run a writing command once with the file writable"))
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._settle()
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        except OSError as exc:
            raise ConfigError(_("state file {path}: {error}").format(path=path, error=exc),
                              hint=_("pass a writable file with --state or KEFU_STATE")) from None

    def close(self) -> None:
        self.db.close()

    def _settle(self) -> None:
        """WAL mode and the schema. Runs started together on a new file race here: switching the
        journal mode can answer "locked" at once instead of waiting, so that is tried again, up to
        the busy timeout."""
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.migrate()
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def migrate(self) -> None:
        """Bring the file to the last schema version, one step at a time, each in its own write
        transaction that reads the version again first (runs started together migrate once)."""
        for target, script in MIGRATIONS:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                version = self.db.execute("PRAGMA user_version").fetchone()[0]
                if version == 0 and self.db.execute(
                        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone():
                    version = 1  # a file from before versions were counted: it has the first tables
                if version < target:
                    for statement in filter(str.strip, script.split(";")):
                        self.db.execute(statement)
                    version = target
                    if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_versions'").fetchone():
                        self.db.executemany("INSERT OR IGNORE INTO schema_versions (version) VALUES (?)",
                                            [(v,) for v, _s in MIGRATIONS if v < target])  # taken before the table
                        self.db.execute("INSERT OR REPLACE INTO schema_versions (version, applied_at) VALUES (?, ?)",
                                        (target, _utc_now()))
                self.db.execute(f"PRAGMA user_version = {version}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    @contextmanager
    def _immediate(self):
        """One IMMEDIATE transaction (the write lock first, so overlapping runs queue): committed
        when the block ends, rolled back on an exception or when the block rolled back itself.
        A database error (locked past the busy timeout, read-only, corrupt) is the state file's
        error, in one line naming it and the fix."""
        try:
            cur = self.db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                if self.db.in_transaction:
                    cur.execute("ROLLBACK")
                raise
            if self.db.in_transaction:
                cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.Error) -> ConfigError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            hint = _("another kefu run held it for longer than {seconds} s: run again when it is done").format(
                seconds=BUSY_TIMEOUT_MS // 1000)
        elif "readonly" in text or "read-only" in text:
            hint = _("make the file and its directory writable, or pass another with --state")
        elif "not a database" in text or "malformed" in text:
            hint = _("move the damaged file aside; kefu starts a new one (the ledger and the tracking cache restart)")
        else:
            hint = _("pass a writable file with --state or KEFU_STATE")
        return ConfigError(_("state file {path}: {error}").format(path=self.path, error=text), hint=hint)

    def _read(self, sql: str, args=()) -> list:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def sent(self, order_id: str, kind: str) -> bool:
        return bool(self._read("SELECT 1 FROM ledger WHERE order_id = ? AND kind = ?", (order_id, kind)))

    def contact_used(self, contacts: list[str], day: str) -> bool:
        return any(self._read("SELECT 1 FROM contact_day WHERE contact = ? AND day = ?", (c, day)) for c in contacts)

    def claim(self, order_id: str, kind: str, sent_at: str, contacts: list[str], day: str,
              template: str | None = None) -> bool:
        """Record (order, kind, the template's name) and the contacts for `day` atomically; False
        if any is taken."""
        with self._immediate() as cur:
            cur.execute("INSERT OR IGNORE INTO ledger (order_id, kind, sent_at, confirmed, pid, template) "
                        "VALUES (?, ?, ?, 0, ?, ?)", (order_id, kind, sent_at, os.getpid(), template))
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

    def confirm(self, order_id: str, kind: str) -> None:
        """The claimed message's line was written and flushed whole: it counts as sent."""
        with self._immediate() as cur:
            cur.execute("UPDATE ledger SET confirmed = 1 WHERE order_id = ? AND kind = ?", (order_id, kind))

    def unconfirmed(self, prefix: str) -> list[tuple[str, str, str]]:
        """(order_id, kind, sent_at) of claims of `prefix` kinds ("remind:", "notify:shipped")
        whose process is gone without confirming them: they may not have been printed."""
        rows = self._read("SELECT order_id, kind, sent_at, pid FROM ledger WHERE confirmed = 0 AND kind LIKE ? "
                          "ORDER BY sent_at", (prefix + "%",))
        return [(o, k, t) for o, k, t, pid in rows if not alive(pid) or pid == os.getpid()]

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
        not claimed by another run in the last `claim_ttl` seconds whose process still runs (a claim
        left by a killed run is taken over at once). Returns (mine, previous rows)."""
        wanted = list(dict.fromkeys(waybills))
        rows: dict[str, tuple] = {}
        with self._immediate() as cur:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for w, *row in cur.execute("SELECT waybill, status, record, queried_at, claimed_at, final, claim_pid "
                                           f"FROM tracking WHERE waybill IN ({marks})", chunk):
                    rows[w] = tuple(row)
            mine: set[str] = set()
            for w in wanted:
                row = rows.get(w)
                if row is not None:
                    _status, _record, queried_at, claimed_at, final, pid = row
                    if final or (claimed_at is not None and now - claimed_at < claim_ttl and alive(pid)):
                        continue
                    if not refresh and queried_at is not None and now - queried_at < min_age:
                        continue
                mine.add(w)
            cur.executemany("INSERT INTO tracking (waybill, claimed_at, claim_pid) VALUES (?, ?, ?) "
                            "ON CONFLICT (waybill) DO UPDATE SET claimed_at = excluded.claimed_at, "
                            "claim_pid = excluded.claim_pid", [(w, now, os.getpid()) for w in mine])
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

    def tracked(self) -> list[tuple[str, str | None, str, str]]:
        """(waybill, carrier, status, record json) of every answered waybill in the cache."""
        return self._read("SELECT waybill, carrier, status, record FROM tracking WHERE record IS NOT NULL")

    def reminders(self) -> list[tuple[str, str, str, str | None]]:
        """(order_id, stage, sent_at, template) of every confirmed reminder in the ledger."""
        return [(o, k.split(":", 1)[1], t, tpl) for o, k, t, tpl in self._read(
            "SELECT order_id, kind, sent_at, template FROM ledger WHERE kind LIKE 'remind:%' AND confirmed = 1")]

    def count(self) -> int:
        return self._read("SELECT COUNT(*) FROM ledger")[0][0]

    # -- delivery history

    def record_deliveries(self, rows: list[tuple]) -> None:
        """Rows in DELIVERY_COLUMNS order; a parcel's newer outcome replaces its older one."""
        if not rows:
            return
        marks = ",".join("?" * len(DELIVERY_COLUMNS))
        with self._immediate() as cur:
            cur.executemany(f"INSERT OR REPLACE INTO deliveries ({','.join(DELIVERY_COLUMNS)}) VALUES ({marks})", rows)

    def delivered(self) -> list[tuple[str, str | None, str, str | None]]:
        """(waybill, order_id, outcome, delivered_on) of every parcel whose journey ended: when an
        order was signed for, a return reached the shop or a replacement reached the buyer
        (kefu aftersales). order_id only for an order's own parcel: a return or a replacement
        arriving is not the order being signed for (they are found by their waybill)."""
        return self._read("SELECT waybill, CASE WHEN parcel = 'order' THEN order_id END, outcome, delivered_on "
                          "FROM deliveries")

    def unrecorded_final(self) -> list[tuple[str, str | None, str]]:
        """(waybill, carrier, record json) of cached answers that ended (delivered or returned) and
        have no history row yet: parcels tracked before the history existed."""
        return self._read("SELECT waybill, carrier, record FROM tracking WHERE final = 1 AND record IS NOT NULL "
                          "AND waybill NOT IN (SELECT waybill FROM deliveries)")

    def transit_percentiles(self, since: str | None = None, min_n: int = 1, carriers: str = "each") -> list[tuple]:
        """Per warehouse × destination × carrier of delivered parcels: (warehouse, country,
        province, carrier, n, calendar p10, p50, p90, working p10, p50, p90), nearest-rank
        percentiles computed in SQL, delivered on or after `since` (a date). `carriers`: "each"
        (one row per carrier), "all" (carrier None: over all carriers) or "both".

        Transit days are small whole numbers, so one GROUP BY pass counts each route's parcels per
        (calendar days, working days); a percentile is then the least day whose running count
        reaches its rank, over those few counts: the value a sort of every row would give."""
        carrier = "''" if carriers == "all" else "COALESCE(carrier, '')"
        keys = "warehouse, country, province, carrier"
        every = (", j AS (SELECT * FROM j1 UNION ALL SELECT warehouse, country, province, '*', cv, wv, SUM(k) "
                 "FROM j1 GROUP BY warehouse, country, province, cv, wv)") if carriers == "both" else ", j AS (SELECT * FROM j1)"

        def pick(column: str, name: str) -> str:
            return (f"{name}h AS (SELECT {keys}, {column} AS v, SUM(k) AS k FROM j WHERE {column} IS NOT NULL "
                    f"GROUP BY {keys}, v), "
                    f"{name}c AS (SELECT {keys}, v, SUM(k) OVER (PARTITION BY {keys} ORDER BY v) AS cum, "
                    f"SUM(k) OVER (PARTITION BY {keys}) AS n FROM {name}h), "
                    f"{name} AS (SELECT {keys}, MAX(n) AS n, MIN(CASE WHEN cum >= (n + 9) / 10 THEN v END) AS {name}10, "
                    f"MIN(CASE WHEN cum >= (n + 1) / 2 THEN v END) AS {name}50, "
                    f"MIN(CASE WHEN cum >= (9 * n + 9) / 10 THEN v END) AS {name}90 FROM {name}c GROUP BY {keys})")

        sql = (f"WITH j1 AS (SELECT COALESCE(warehouse, '') AS warehouse, COALESCE(country, '') AS country, "
               f"COALESCE(province, '') AS province, {carrier} AS carrier, calendar_days AS cv, work_days AS wv, "
               "COUNT(*) AS k FROM deliveries WHERE outcome = 'delivered' AND parcel != 'return' "
               "AND (? IS NULL OR delivered_on >= ?) "
               f"GROUP BY 1, 2, 3, 4, 5, 6){every}, {pick('cv', 'c')}, {pick('wv', 'w')} "
               "SELECT c.warehouse, c.country, c.province, c.carrier, c.n, c10, c50, c90, w10, w50, w90 FROM c "
               "LEFT JOIN w USING (warehouse, country, province, carrier) WHERE c.n >= ? "
               "ORDER BY c.warehouse, c.country, c.province, c.carrier")
        rows = [tuple(v if v != "" else None for v in row) for row in self._read(sql, (since, since, min_n))]
        return [(*r[:3], None if r[3] == "*" else r[3], *r[4:]) for r in rows] if carriers == "both" else rows


    # -- kefu pull: cursors and the versions printed

    def claim_pull(self, platform: str, shop: str, now: float, claim_ttl: float = 3600.0) -> tuple[bool, str | None, int | None]:
        """Claim the pull of (platform, shop) for this process, in one transaction: (claimed, the
        cursor, the pid holding it when not claimed). A claim whose process is gone, or not renewed
        for `claim_ttl` seconds (each page printed renews it), is taken over."""
        with self._immediate() as cur:
            row = cur.execute("SELECT cursor, claim_pid, claimed_at FROM pull_cursors WHERE platform = ? AND shop = ?",
                              (platform, shop)).fetchone()
            cursor, pid, claimed_at = row if row else (None, None, None)
            if pid and pid != os.getpid() and alive(pid) and claimed_at is not None and now - claimed_at < claim_ttl:
                return False, cursor, pid
            cur.execute("INSERT INTO pull_cursors (platform, shop, claim_pid, claimed_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (platform, shop) DO UPDATE SET claim_pid = excluded.claim_pid, "
                        "claimed_at = excluded.claimed_at", (platform, shop, os.getpid(), now))
        return True, cursor, None

    def release_pull(self, platform: str, shop: str, cursor: str | None = None) -> None:
        """End this process's claim; move the cursor to `cursor` when given (everything before it
        was printed and flushed)."""
        with self._immediate() as cur:
            if cursor is not None:
                cur.execute("UPDATE pull_cursors SET cursor = ?, updated_at = ? WHERE platform = ? AND shop = ? "
                            "AND claim_pid = ?", (cursor, _utc_now(), platform, shop, os.getpid()))
            cur.execute("UPDATE pull_cursors SET claim_pid = NULL, claimed_at = NULL WHERE platform = ? AND shop = ? "
                        "AND claim_pid = ?", (platform, shop, os.getpid()))

    def pulled_versions(self, platform: str, shop: str, order_ids: list[str]) -> dict[str, str]:
        """order_id -> the version last printed, for those of `order_ids` printed before."""
        found: dict[str, str] = {}
        for i in range(0, len(order_ids), 500):
            chunk = order_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._read(f"SELECT order_id, version FROM pull_seen WHERE platform = ? AND shop = ? "
                                    f"AND order_id IN ({marks})", (platform, shop, *chunk)))
        return found

    def record_pulled(self, platform: str, shop: str, versions: list[tuple[str, str]], at: float) -> None:
        """(order_id, version) of orders whose lines were written and flushed; the claim renewed
        (`at`): a long run that goes on printing keeps it however long it takes."""
        now = _utc_now()
        with self._immediate() as cur:
            cur.executemany("INSERT OR REPLACE INTO pull_seen (platform, shop, order_id, version, seen_at) "
                            "VALUES (?, ?, ?, ?, ?)", [(platform, shop, o, v, now) for o, v in versions])
            cur.execute("UPDATE pull_cursors SET claimed_at = ? WHERE platform = ? AND shop = ? AND claim_pid = ?",
                        (at, platform, shop, os.getpid()))
