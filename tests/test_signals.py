"""The ledger matches what was delivered, whatever stops kefu: SIGTERM, SIGHUP, SIGKILL, a full
disk, a closed stdout. And every environment failure is one line with exit 2 or 74."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import EXAMPLES
from k100_server import CUSTOMER, KEY, K100Server
from test_messages import HEADERS, unpaid
from conftest import write_csv

NOW = "2026-11-22 10:30"


def unpaid_file(tmp_path, n=400):
    rows = [unpaid(str(i), buyer=f"b{i}", mobile=f"1380000{i:04d}") for i in range(n)]
    return write_csv(tmp_path / "o.csv", rows, headers=HEADERS)


def kefu(*args):
    return [sys.executable, "-m", "kefu_cli", *map(str, args)]


def ledger(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ledger'").fetchone():
            return {}  # kefu stopped before it opened the state file
        return dict(conn.execute("SELECT order_id, confirmed FROM ledger"))


def slow_reader(proc, lines_before_signal, sig):
    """Read `lines_before_signal` lines of proc's stdout, send `sig`, read the rest."""
    got = []
    for _ in range(lines_before_signal):
        got.append(proc.stdout.readline())
    proc.send_signal(sig)
    rest, err = proc.communicate(timeout=60)
    return [line for line in got + rest.splitlines(keepends=True) if line.strip()], err


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_leave_ledger_equal_to_what_was_printed(tmp_path, sig, code):
    path, db = unpaid_file(tmp_path), tmp_path / "s.db"
    env = dict(os.environ, KEFU_STATE=str(db))
    proc = subprocess.Popen(kefu("--now", NOW, "remind", path, "-f", "jsonl"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, bufsize=0)
    lines, err = slow_reader(proc, 20, sig)
    assert proc.returncode == code and b"stopped by a signal" in err
    printed = {json.loads(line)["order_id"] for line in lines}
    recorded = ledger(db)
    assert set(recorded) == printed and all(recorded.values())  # every line whole, every claim confirmed


def test_sigkill_leaves_at_most_one_unconfirmed_and_the_next_run_says_so(tmp_path):
    path, db = unpaid_file(tmp_path), tmp_path / "s.db"
    env = dict(os.environ, KEFU_STATE=str(db))
    proc = subprocess.Popen(kefu("--now", NOW, "remind", path, "-f", "jsonl"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, bufsize=0)
    lines, _err = slow_reader(proc, 20, signal.SIGKILL)
    printed = {json.loads(line)["order_id"] for line in lines if line.endswith(b"\n")}
    recorded = ledger(db)
    confirmed = {o for o, c in recorded.items() if c}
    unconfirmed = {o for o, c in recorded.items() if not c}
    assert confirmed <= printed <= set(recorded) and len(unconfirmed) <= 1
    if not unconfirmed:  # killed between two messages: force the case by hand, as power loss would
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE ledger SET confirmed = 0, pid = 999999999 WHERE order_id = ?", (sorted(confirmed)[0],))
        unconfirmed = {sorted(confirmed)[0]}
    (order,) = unconfirmed
    report = subprocess.run(kefu("--now", NOW, "remind", path, "-f", "jsonl", "--dry-run"), capture_output=True,
                            env=env, text=True)
    assert f"1 messages may not have been printed" in report.stderr and order in report.stderr
    resend = subprocess.run(kefu("--now", NOW, "remind", path, "-f", "jsonl", "--resend-unconfirmed"),
                            capture_output=True, env=env, text=True)
    assert order in {json.loads(line)["order_id"] for line in resend.stdout.splitlines()}
    assert all(ledger(db).values())


def test_a_full_disk_releases_the_claim_and_exits_74(tmp_path):
    path, db = unpaid_file(tmp_path, 5), tmp_path / "s.db"
    env = dict(os.environ, KEFU_STATE=str(db))
    with open("/dev/full", "wb") as full:
        r = subprocess.run(kefu("--now", NOW, "remind", path, "-f", "jsonl"), stdout=full, stderr=subprocess.PIPE,
                           env=env, text=True)
    assert r.returncode == 74 and "No space left on device" in r.stderr and r.stderr.count("kefu: error:") == 1
    assert ledger(db) == {}  # nothing was delivered, nothing is recorded


def test_sigterm_during_track_releases_every_claim(tmp_path):
    srv = K100Server(delay=0.2).start()
    try:
        db = tmp_path / "s.db"
        env = dict(os.environ, KEFU_STATE=str(db), KEFU_KUAIDI100_CUSTOMER=CUSTOMER, KEFU_KUAIDI100_KEY=KEY,
                   KEFU_KUAIDI100_ENDPOINT=srv.url)
        waybills = [f"7350000009{i:04d}" for i in range(60)]
        args = ("--now", "2026-11-22 10:00", "track", *waybills, "--carrier", "ZTO", "--phone", "1234", "--rate", "20",
                "-f", "jsonl")
        proc = subprocess.Popen(kefu(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        time.sleep(1.5)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        assert proc.returncode == 143
        again = subprocess.run(kefu(*args), capture_output=True, env=env, text=True, timeout=60)
    finally:
        srv.stop()
    recs = [json.loads(line) for line in again.stdout.splitlines()]
    assert len(recs) == 60 and all(r["status"] for r in recs)  # the rerun answers every waybill


def test_a_killed_tracking_claim_is_taken_over_at_once(tmp_path):
    from kefu_cli.state import State

    state = State(tmp_path / "s.db")
    mine, _rows = state.claim_queries(["A", "B"], time.time(), 1800, False)
    assert mine == {"A", "B"}
    with sqlite3.connect(tmp_path / "s.db") as conn:  # as if the claiming process had been killed
        conn.execute("UPDATE tracking SET claim_pid = 999999999 WHERE waybill = 'A'")
    mine, _rows = state.claim_queries(["A", "B"], time.time(), 1800, False)
    assert mine == {"A"}  # B's claimer (this process) still runs
    state.close()


OLD_SCHEMA = """
CREATE TABLE ledger (order_id TEXT NOT NULL, kind TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (order_id, kind));
CREATE TABLE tracking (waybill TEXT PRIMARY KEY, carrier TEXT, status TEXT, record TEXT, queried_at REAL,
                       claimed_at REAL, final INTEGER NOT NULL DEFAULT 0);
CREATE TABLE contact_day (contact TEXT NOT NULL, day TEXT NOT NULL, order_id TEXT NOT NULL, kind TEXT NOT NULL,
                          PRIMARY KEY (contact, day));
INSERT INTO ledger VALUES ('7', 'remind:first', '2026-11-01T10:00:00+08:00');
"""


def test_a_state_file_from_before_migrations_is_migrated(tmp_path):
    from kefu_cli.state import MIGRATIONS, State

    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_SCHEMA)
    state = State(db)
    assert state.sent("7", "remind:first") and state.unconfirmed("remind:") == []  # old rows count as confirmed
    state.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == MIGRATIONS[-1][0]
    State(db).close()  # and opening it again changes nothing


def test_environment_failures_are_one_line(run, tmp_path, monkeypatch):
    orders = EXAMPLES / "taobao_orders.csv"
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database, it is text " * 20)
    monkeypatch.setenv("KEFU_STATE", str(corrupt))
    r = run("--now", NOW, "remind", orders)
    assert r.exit_code == 2 and "corrupt.db" in r.stderr and "move the damaged file aside" in r.stderr
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("KEFU_STATE", str(tmp_path / "afile" / "x.db"))  # a directory that cannot be made
    r = run("--now", NOW, "remind", orders)
    assert r.exit_code == 2 and "afile" in r.stderr and r.stderr.count("kefu: error:") == 1
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "shop.toml").write_bytes(b"[shop]\nname = \"\xb5\xea\"\n")
    r = run("--config-dir", conf, "orders", orders)
    assert r.exit_code == 2 and "shop.toml: not UTF-8 text" in r.stderr and r.stderr.count("\n") == 1


def test_a_state_file_locked_past_the_busy_timeout(run, tmp_path, monkeypatch):
    from kefu_cli import state as state_module

    db = tmp_path / "s.db"
    state_module.State(db).close()
    monkeypatch.setattr(state_module, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setenv("KEFU_STATE", str(db))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = run("--now", NOW, "remind", EXAMPLES / "taobao_orders.csv")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.exit_code == 2 and "s.db" in r.stderr and "locked" in r.stderr and "Traceback" not in r.stderr


def test_closed_stdout_and_stdin(tmp_path):
    orders = EXAMPLES / "taobao_orders.csv"
    # without a preloaded library (CI's libfaketime run): one that opens a file at start-up would
    # be handed the closed descriptor, and the child would not see it closed
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    r = subprocess.run(kefu("orders", orders), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       preexec_fn=lambda: os.close(1), env=env)
    assert r.returncode == 74 and "standard output is closed" in r.stderr
    r = subprocess.run(kefu("orders", "-"), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       preexec_fn=lambda: os.close(0), env=env)
    assert r.returncode == 2 and "standard input is closed" in r.stderr
