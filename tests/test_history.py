"""Learning from what happened: the delivery history, calibrated windows, reminder results and
the day's report (issue 16). Histories are synthetic, with known distributions, so the
percentiles they must give are known."""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, write_csv
from kefu_cli.state import MIGRATIONS, State


def history(path: Path, routes: dict[tuple, list[int]], delivered_on="2026-11-01", outcome="delivered") -> State:
    """A state file with delivered parcels: (warehouse, province, carrier) -> calendar days each;
    working days are the calendar days less one (never below 0)."""
    state = State(path)
    rows, n = [], 0
    for (warehouse, province, carrier), days in routes.items():
        for d in days:
            n += 1
            rows.append((f"H{len(rows)}-{n}", carrier, outcome, None, warehouse, "CN", province, None, None, None,
                         delivered_on, d, max(0, d - 1), "test", "order"))
    state.record_deliveries(rows)
    return state


def nearest_rank(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered))) - 1]


def transit(run, state_path, *args):
    r = run("stats", "transit", "--state", state_path, "-f", "jsonl", *args)
    assert r.exit_code == 0, r
    return [json.loads(line) for line in r.stdout.splitlines()]


# --------------------------------------------------------------------------- stats transit


def test_known_distribution_known_percentiles(tmp_path, run):
    history(tmp_path / "s.db", {("SOUTH", "北京", "ZTO"): [d for d in range(1, 11) for _ in range(10)],
                                ("SOUTH", "北京", "SF"): [2, 4, 9]}).close()
    rows = {r["carrier"]: r for r in transit(run, tmp_path / "s.db")}
    zto, sf = rows["ZTO"], rows["SF"]
    assert (zto["n"], zto["calendar_p10"], zto["calendar_p50"], zto["calendar_p90"]) == (100, 1, 5, 9)
    assert (zto["working_p10"], zto["working_p50"], zto["working_p90"]) == (0, 4, 8)
    assert (sf["n"], sf["calendar_p10"], sf["calendar_p50"], sf["calendar_p90"]) == (3, 2, 4, 9)
    assert zto["warehouse"] == "SOUTH" and zto["province"] == "北京" and zto["country"] == "CN"
    (both,) = transit(run, tmp_path / "s.db", "--all-carriers")
    assert both["carrier"] is None and both["n"] == 103
    assert [r["carrier"] for r in transit(run, tmp_path / "s.db", "--min-n", "50")] == ["ZTO"]


def test_sql_percentiles_match_a_sort_of_every_row(tmp_path):
    rnd = random.Random(16)
    routes = {("SOUTH", p, c): [max(0, int(rnd.gauss(6, 3))) for _ in range(rnd.randint(1, 400))]
              for p in ("北京", "上海", "新疆") for c in ("ZTO", "SF", "DEPPON")}
    state = history(tmp_path / "s.db", routes)
    for wh, _country, province, carrier, n, c10, c50, c90, w10, w50, w90 in state.transit_percentiles():
        days = routes[(wh, province, carrier)]
        assert n == len(days)
        assert (c10, c50, c90) == tuple(nearest_rank(days, p) for p in (0.1, 0.5, 0.9))
        assert (w10, w50, w90) == tuple(nearest_rank([max(0, d - 1) for d in days], p) for p in (0.1, 0.5, 0.9))
    state.close()


def test_since_and_outcomes(tmp_path, run):
    state = history(tmp_path / "s.db", {("SOUTH", "北京", "ZTO"): [3] * 5}, delivered_on="2026-06-01")
    state.record_deliveries([("R1", "ZTO", "returned", None, "SOUTH", "CN", "北京", None, None, None, "2026-11-01", 30,
                              20, "test", "order"), ("D1", "ZTO", "delivered", None, "SOUTH", "CN", "北京", None, None,
                                                     None, "2026-11-01", 7, 5, "test", "order")])
    state.close()
    (row,) = transit(run, tmp_path / "s.db")
    assert row["n"] == 6  # a returned parcel is kept in the history, not counted as a delivery
    (row,) = transit(run, tmp_path / "s.db", "--since", "2026-10-01")
    assert row["n"] == 1 and row["calendar_p50"] == 7
    r = run("--now", "2026-11-30T10:00", "stats", "transit", "--state", tmp_path / "s.db", "--since", "90d",
            "-f", "jsonl")
    assert json.loads(r.stdout)["n"] == 1  # 90 days before 2026-11-30 is 2026-09-01
    r = run("stats", "transit", "--state", tmp_path / "s.db", "--since", "last week")
    assert r.exit_code == 2 and "neither a date" in r.stderr


def test_no_state_file_is_said(tmp_path, run):
    r = run("stats", "transit", "--state", tmp_path / "none.db", "-f", "tsv")
    assert r.exit_code == 0 and r.stdout.startswith("warehouse\t")
    assert f"state file {tmp_path / 'none.db'} does not exist: no delivery history yet" in r.stderr
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize("command", [
    ["eta", "--warehouse", "SOUTH", "--to", "北京市朝阳区", "--paid", "2026-10-05 10:00", "-f", "tsv"],
    ["audit", str(EXAMPLES / "taobao_orders.csv"), "-f", "tsv"],
    ["report", str(EXAMPLES / "taobao_orders.csv"), "-o", "day.html"],
    ["stats", "remind", str(EXAMPLES / "taobao_orders.csv"), "-f", "tsv"],
    ["remind", str(EXAMPLES / "taobao_orders.csv"), "--dry-run", "-f", "tsv"],
])
def test_a_named_state_file_that_is_missing_is_never_ignored(tmp_path, run, command):
    """A typo in --state (a cron line) is said with the path, and stops the run with --strict."""
    missing = tmp_path / "nosuch.db"
    r = run("--now", "2026-10-05 12:00", *command, "--state", missing)
    assert r.exit_code in (0, 1) and f"kefu: warning: state file {missing} does not exist: " in r.stderr
    r = run("--now", "2026-10-05 12:00", "--strict", *command, "--state", missing)
    assert r.exit_code == 2 and f"kefu: error: state file {missing} does not exist: " in r.stderr
    assert r.stdout == "" and not missing.exists()


def test_an_unnamed_missing_state_file_is_not_a_warning_for_eta(tmp_path, run, monkeypatch):
    """On a fresh machine nothing was tracked yet: eta from the tiers is the normal case."""
    monkeypatch.delenv("KEFU_STATE")
    r = run("eta", "--warehouse", "SOUTH", "--to", "北京市朝阳区", "--paid", "2026-10-05 10:00", "-f", "tsv")
    assert r.exit_code == 0 and r.stderr == ""


def test_state_help_is_per_command_and_resolved(run, monkeypatch, tmp_path):
    monkeypatch.delenv("KEFU_STATE")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COLUMNS", "400")
    helps = {c: run(*c.split(), "--help").stdout for c in ("eta", "track", "remind", "stats transit", "report")}
    assert "delivery history calibrates" in helps["eta"] and "tracking cache" in helps["track"]
    assert "message ledger" in helps["remind"] and "message ledger" not in helps["eta"]
    for text in helps.values():
        resolved = f"{tmp_path / 'xdg' / 'kefu' / 'state.db'}, from XDG_STATE_HOME"
        assert "".join(resolved.split()) in "".join(text.split())  # help wraps long paths


# --------------------------------------------------------------------------- migrations


def version_two(path: Path) -> None:
    """A state file as kefu wrote it before the history: schema versions 1 and 2, with a ledger
    row and a delivered parcel in the tracking cache (its answer and events)."""
    db = sqlite3.connect(path)
    for _target, script in MIGRATIONS[:2]:
        for statement in filter(str.strip, script.split(";")):
            db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO ledger (order_id, kind, sent_at, confirmed) VALUES ('A1', 'remind:first', "
               "'2026-11-20T10:00:00+08:00', 1)")
    record = {"status": "delivered", "events": [
        {"time": "2026-11-21 18:30:00", "status": "delivered", "area": "北京,朝阳区", "location": "北京市朝阳区",
         "context": "已签收"},
        {"time": "2026-11-18 09:00:00", "status": "picked_up", "area": "广东,佛山市", "location": "佛山",
         "context": "快件已揽收"}]}
    db.execute("INSERT INTO tracking (waybill, carrier, status, record, queried_at, final) VALUES "
               "('73500000000042', 'ZTO', 'delivered', ?, 0, 1)", (json.dumps(record, ensure_ascii=False),))
    db.commit()
    db.close()


def test_a_version_two_state_file_is_migrated_and_its_cache_imported(tmp_path, run):
    path = tmp_path / "old.db"
    version_two(path)
    state = State(path)
    assert state.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 4
    versions = state.db.execute("SELECT version, applied_at IS NOT NULL FROM schema_versions ORDER BY 1").fetchall()
    # 1 and 2 were taken before the version table existed; 3 and every later step by this run
    assert versions == [(1, 0), (2, 0)] + [(v, 1) for v in range(3, len(MIGRATIONS) + 1)]
    assert state.reminders() == [("A1", "first", "2026-11-20T10:00:00+08:00", None)]  # kept, no template known
    state.close()
    (row,) = transit(run, path)
    # the route from the events: first scan in 广东 (the SOUTH warehouse), delivered in 北京
    assert (row["warehouse"], row["province"], row["carrier"], row["n"]) == ("SOUTH", "北京", "ZTO", 1)
    assert row["calendar_p50"] == 3 and row["working_p50"] == 2  # Wed 18 -> Sat 21: Thu and Fri; Sat is off
    assert transit(run, path) == [row]  # imported once


# --------------------------------------------------------------------------- tracking records deliveries


@pytest.fixture
def k100_env(monkeypatch):
    from k100_server import CUSTOMER, KEY, K100Server

    monkeypatch.setenv("KEFU_KUAIDI100_CUSTOMER", CUSTOMER)
    monkeypatch.setenv("KEFU_KUAIDI100_KEY", KEY)
    server = K100Server().start()
    monkeypatch.setenv("KEFU_KUAIDI100_ENDPOINT", server.url)
    yield server
    server.stop()


def test_a_new_state_file_lists_every_step(tmp_path):
    state = State(tmp_path / "new.db")
    assert [v for v, _at in state.db.execute("SELECT version, applied_at FROM schema_versions ORDER BY 1")] == \
        list(range(1, len(MIGRATIONS) + 1))
    state.close()
    State(tmp_path / "new.db").close()  # opening again takes no step twice


def test_a_delivered_parcel_leaves_a_history_row(tmp_path, run, k100_env):
    k100_env.states["73500000000002"] = "3"  # delivered 2026-11-21 18:30 in 北京, picked up 11-20 09:00
    state_path = tmp_path / "s.db"
    rows = [["T1", "x", "1299.00", "卖家已发货，等待买家确认", "王强", "北京 北京市 朝阳区 建国路88号",
             "13800001234", "73500000000002", "中通快递", "2026-11-19 10:00:00"],
            ["T2", "y", "1299.00", "卖家已发货，等待买家确认", "李娜", "北京 北京市 朝阳区 建国路88号",
             "13800001234", "73500000000003", "中通快递", "2026-11-19 10:00:00"]]
    orders = write_csv(tmp_path / "o.csv", rows, headers=["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "收货人姓名",
                                                          "收货地址", "联系手机", "物流单号", "物流公司", "订单付款时间"])
    r = run("--now", "2026-11-22 10:00", "track", "--orders", orders, "--state", state_path, "-f", "jsonl")
    assert r.exit_code == 0, r
    db = sqlite3.connect(state_path)
    found = db.execute("SELECT waybill, carrier, outcome, order_id, province, picked_up_at, delivered_at, delivered_on, "
                       "calendar_days, work_days, source FROM deliveries").fetchall()
    db.close()
    assert found == [("73500000000002", "ZTO", "delivered", "T1", "北京", "2026-11-20T09:00:00+08:00",
                      "2026-11-21T18:30:00+08:00", "2026-11-21", 1, 0, "track")]  # Sat 21 is not a working day


# --------------------------------------------------------------------------- calibrated windows


def eta(run, *args):
    r = run("--now", "2026-11-02T12:00", "eta", "--warehouse", "SOUTH", "--to", "北京市朝阳区建国路88号",
            "--paid", "2026-11-02 10:00", "-f", "jsonl", *args)
    assert r.exit_code == 0, r
    return json.loads(r.stdout)


def test_a_route_with_history_takes_its_window_from_it(tmp_path, run):
    state_path = tmp_path / "s.db"
    tier = eta(run, "--state", state_path)  # no state file: the tier, and no file made
    assert tier["transit_basis"] == "tier" and not state_path.exists()
    history(state_path, {("SOUTH", "北京", "ZTO"): [2] * 10 + [3] * 10 + [4] * 10}).close()
    seen = eta(run, "--state", state_path)
    assert seen["transit_basis"] == "history n=30" and seen["ship_from"] == tier["ship_from"]
    # the tier (other_province) is 5-10 days; the history says p10 = 2, p90 = 4
    from datetime import date, timedelta

    assert date.fromisoformat(seen["arrive_from"]) == date.fromisoformat(seen["ship_from"]) + timedelta(days=2)
    assert date.fromisoformat(seen["arrive_by"]) == date.fromisoformat(seen["ship_by"]) + timedelta(days=4)
    steps = eta(run, "--state", state_path, "--explain")["steps"]
    assert any("30 delivered parcels of this route took 2–4 days" in s for s in steps)


def test_too_few_deliveries_or_calibration_off_keep_the_tier(tmp_path, run):
    state_path = tmp_path / "s.db"
    history(state_path, {("SOUTH", "北京", "ZTO"): [2] * 29}).close()
    assert eta(run, "--state", state_path)["transit_basis"] == "tier"
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "shop.toml").write_text("[transit_history]\nmin_samples = 10\n", encoding="utf-8")
    assert eta(run, "--config-dir", cfg, "--state", state_path)["transit_basis"] == "history n=29"
    (cfg / "shop.toml").write_text("[transit_history]\nmin_samples = 10\ncalibrate = false\n", encoding="utf-8")
    assert eta(run, "--config-dir", cfg, "--state", state_path)["transit_basis"] == "tier"
    (cfg / "shop.toml").write_text("[transit_history]\nmin_samples = 0\n", encoding="utf-8")
    r = run("--config-dir", cfg, "eta", "--warehouse", "SOUTH", "--to", "北京市")
    assert r.exit_code == 2 and "transit_history.min_samples" in r.stderr


def test_the_audit_promise_check_reads_the_calibrated_window(tmp_path, run):
    """Promised 2026-11-13 for an order paid 11-02: the tier (ship 7–15 working days, then 5–10
    days to 北京) cannot make it; 30 parcels of this route took 0 days after pickup, so it can."""
    rows = [["P1", "x", "2499.00", "买家已付款，等待卖家发货", "王强", "北京 北京市 朝阳区 建国路88号", "13800001234",
             "2026-11-02 10:00:00", "独立弹簧乳胶床垫 1.8米", "1", "2026-11-13"]]
    headers = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "收货人姓名", "收货地址", "联系手机", "订单付款时间",
               "宝贝标题", "宝贝总数量", "承诺日期"]
    orders = write_csv(tmp_path / "o.csv", rows, headers=headers)
    state_path = tmp_path / "s.db"

    def codes():
        r = run("--now", "2026-11-02T12:00", "audit", orders, "--state", state_path, "-f", "jsonl")
        return [f["code"] for f in json.loads(r.stdout)["findings"]]

    assert "PROMISE_UNMEETABLE" in codes()
    history(state_path, {("SOUTH", "北京", None): [0] * 30}).close()
    assert "PROMISE_UNMEETABLE" not in codes()


# --------------------------------------------------------------------------- reminder results


def test_reminder_results_per_stage_and_wording(tmp_path, run):
    state = State(tmp_path / "s.db")
    sent = [("A1", "first", "remind_consulted"), ("A2", "first", "remind_silent"), ("A3", "first", "remind_silent"),
            ("A4", "first", "remind_silent"), ("A3", "last", "remind_silent"), ("A9", "first", "remind_consulted")]
    for order_id, stage, template in sent:
        at = "2026-11-20T10:00:00+08:00" if stage == "first" else "2026-11-21T10:00:00+08:00"
        assert state.claim(order_id, f"remind:{stage}", at, [], "2026-11-20", template)
        state.confirm(order_id, f"remind:{stage}")
    state.close()
    rows = [["A1", "x", "交易成功", "2026-11-20 12:00:00", "", ""],  # paid 2 h after
            ["A2", "x", "交易成功", "2026-11-22 12:00:00", "", ""],  # paid, but 50 h after: outside 24 h
            ["A3", "x", "交易关闭", "", "买家不想买了", ""],  # closed unpaid
            ["A4", "x", "买家已付款，等待卖家发货", "2026-11-20 16:00:00", "", ""]]  # paid 6 h after
    export = write_csv(tmp_path / "later.csv", rows, headers=["订单编号", "买家会员名", "订单状态", "订单付款时间",
                                                              "订单关闭原因", "买家留言"])
    r = run("stats", "remind", export, "--state", tmp_path / "s.db", "-f", "jsonl")
    assert r.exit_code == 0, r
    got = {(x["stage"], x["template"]): x for x in map(json.loads, r.stdout.splitlines())}
    assert got[("first", "remind_consulted")] == {"stage": "first", "template": "remind_consulted", "sent": 2,
                                                  "paid": 1, "rate": "0.500", "median_hours": "2.0",
                                                  "closed_unpaid": 0, "not_in_file": 1}
    silent = got[("first", "remind_silent")]
    assert (silent["sent"], silent["paid"], silent["rate"], silent["median_hours"], silent["closed_unpaid"]) == (
        3, 1, "0.333", "6.0", 1)
    assert got[("last", "remind_silent")]["closed_unpaid"] == 1
    r = run("stats", "remind", export, "--state", tmp_path / "s.db", "--window", "3d", "-f", "jsonl")
    assert {(x["stage"], x["template"]): x["paid"] for x in map(json.loads, r.stdout.splitlines())}[
        ("first", "remind_silent")] == 2
    r = run("stats", "remind", export, "--state", tmp_path / "s.db", "--closed", "-f", "jsonl")
    (closed,) = map(json.loads, r.stdout.splitlines())
    assert closed == {"order_id": "A3", "stage": "last", "template": "remind_silent",
                      "sent_at": "2026-11-21T10:00:00+08:00", "close_reason": "买家不想买了"}


def test_remind_records_its_wording(tmp_path, run):
    rows = [["R1", "x", "等待买家付款", "2026-11-20 09:00:00", "是", "13800001234", "李娜"]]
    orders = write_csv(tmp_path / "o.csv", rows, headers=["订单编号", "买家会员名", "订单状态", "订单创建时间", "是否咨询",
                                                          "联系手机", "收货人姓名"])
    r = run("--now", "2026-11-20T12:00", "remind", orders, "--state", tmp_path / "s.db", "-f", "jsonl")
    assert r.exit_code == 0 and r.stdout, r
    state = State(tmp_path / "s.db")
    assert [(o, t) for o, _s, _at, t in state.reminders()] == [("R1", "remind_consulted")]
    state.close()


# --------------------------------------------------------------------------- the report


def report(run, tmp_path, *args):
    out = tmp_path / "day.html"
    r = run("--now", "2026-10-05T12:00", "report", EXAMPLES / "taobao_orders.csv", "--items",
            EXAMPLES / "taobao_items.csv", "-o", out, *args)
    assert r.exit_code == 0, r
    return out.read_text(encoding="utf-8"), r


def demo_state(path: Path) -> None:
    state = history(path, {("SOUTH", "北京", "ZTO"): [2, 3, 3, 4, 6] * 8, ("SOUTH", "上海", "SF"): [1, 2, 2, 3] * 5,
                           ("NORTH", "北京", "ZTO"): [1, 1, 2] * 4})
    record = {"status": "in_transit", "events": [{"time": "2026-10-01 08:00:00", "status": "in_transit",
                                                  "context": "快件已到达【北京朝阳营业部】", "location": "北京"}]}
    state.db.execute("INSERT INTO tracking (waybill, carrier, status, record, queried_at, final) VALUES "
                     "('73500000000077', 'ZTO', 'in_transit', ?, 0, 0)", (json.dumps(record, ensure_ascii=False),))
    assert state.claim("3391204456781230004", "remind:first", "2026-10-04T09:00:00+08:00", [], "2026-10-04",
                       "remind_silent")
    state.confirm("3391204456781230004", "remind:first")
    state.close()


def test_report_is_one_offline_page_with_its_charts(tmp_path, run):
    demo_state(tmp_path / "s.db")
    page, r = report(run, tmp_path, "--state", tmp_path / "s.db")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 6  # verdicts, codes, parcels, 2 warehouses, reminders
    # nothing to fetch: no script, no stylesheet or font link, no remote image (xmlns names are not fetched)
    assert not any(x in page for x in ("<script", "<link", "@import", 'href="http', 'src="http', "url(http"))
    assert "AUDIT_OVERDUE" in page and "73500000000077" in page  # an overdue audit, a stale parcel listed
    assert "Transit from SOUTH" in page and "北京 (n=40)" in page
    assert "report written to" in r.stderr
    zh, _r = report(run, tmp_path, "--state", tmp_path / "s.db", "--lang", "zh")
    assert '<html lang="zh">' in zh and "审单结论" in zh and "AUDIT_OVERDUE" in zh  # codes never translate


def test_report_from_stdin(tmp_path, run):
    demo_state(tmp_path / "s.db")
    r = run("--now", "2026-10-05T12:00", "report", "-", "--state", tmp_path / "s.db",
            input=(EXAMPLES / "taobao_orders.csv").read_bytes())
    assert r.exit_code == 0 and r.stdout.startswith("<!DOCTYPE html>") and r.stdout.count("<svg") == 6
    assert "remind_silent" in r.stdout and r.stderr == ""  # the reminder join rides the audit's one read


PAID_ROW = "<td>first</td><td>remind_consulted</td><td>1</td><td>1</td><td>1.000</td><td>2.0</td><td>0</td>"


def reminded_state(path: Path) -> None:
    """The demo state and one more reminder: 3391204456781230005 paid 2 h after it (08:16:30), so
    the row above shows only when the join found the order in the export."""
    demo_state(path)
    state = State(path)
    assert state.claim("3391204456781230005", "remind:first", "2026-10-04T06:16:30+08:00", [], "2026-10-04",
                       "remind_consulted")
    state.confirm("3391204456781230005", "remind:first")
    state.close()


def test_report_reads_its_export_once(tmp_path, run, monkeypatch):
    """Issue 21: with reminder rows in the state the report opened the export a second time for
    the reminder join; now the audit's pass feeds it."""
    import builtins

    reminded_state(tmp_path / "s.db")
    export, real_open, opened = EXAMPLES / "taobao_orders.csv", builtins.open, []

    def counting_open(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.path.abspath(file) == str(export.resolve()):
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    page, r = report(run, tmp_path, "--state", tmp_path / "s.db")
    assert len(opened) == 1 and PAID_ROW in page and "remind_silent" in page, opened
    r = run("--now", "2026-10-05T12:00", "report", "-", "--state", tmp_path / "s.db", input=export.read_bytes())
    assert r.exit_code == 0 and PAID_ROW in r.stdout and r.stderr == "", r


def test_report_joins_reminders_from_parallel_workers(tmp_path, run, monkeypatch):
    """The parallel reader's workers hand what the join kept to the parent, in file order."""
    from kefu_cli.orders import parallel

    reminded_state(tmp_path / "s.db")
    head, *rows = (EXAMPLES / "taobao_orders.csv").read_bytes().splitlines(keepends=True)
    export = tmp_path / "big.csv"
    export.write_bytes(head + b"".join(rows) * 200)
    monkeypatch.setattr(parallel, "MIN_SIZE", 0)
    monkeypatch.setattr(parallel, "BLOCK", 4096)
    calls, real = [], parallel.run
    monkeypatch.setattr(parallel, "run", lambda *a, **k: calls.append(a[0].path) or real(*a, **k))
    pages = [run("--now", "2026-10-05T12:00", "report", export, "--state", tmp_path / "s.db", "--jobs", jobs).stdout
             for jobs in ("2", "1")]
    assert calls == [str(export)] and PAID_ROW in pages[0] and pages[0] == pages[1]


def test_report_reads_a_fifo(tmp_path):
    """A FIFO (and so `<(…)`) can be read once only: a second open would wait for a writer forever."""
    import sys
    import threading

    reminded_state(tmp_path / "s.db")
    fifo = tmp_path / "orders.csv"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write((EXAMPLES / "taobao_orders.csv").read_bytes())

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    r = subprocess.run([sys.executable, "-m", "kefu_cli", "--now", "2026-10-05T12:00", "report", str(fifo), "--state",
                        str(tmp_path / "s.db")], capture_output=True, text=True, timeout=300)
    writer.join(timeout=60)
    assert r.returncode == 0 and PAID_ROW in r.stdout and r.stdout.count("<svg") == 6, r.stderr


def test_report_without_a_state_file(tmp_path, run):
    page, _r = report(run, tmp_path, "--state", tmp_path / "none.db")
    assert page.count("<svg") == 2 and "no delivered parcels in the history yet" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium); "
                                             ".ci/run installs it where apt can")
def test_report_renders_in_a_real_browser(tmp_path, run):
    demo_state(tmp_path / "s.db")
    page, _r = report(run, tmp_path, "--state", tmp_path / "s.db")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    url = (tmp_path / "day.html").as_uri()
    proc = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert dom.count("<svg") == 6 and "Audit verdicts" in dom and "Transit from NORTH" in dom
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    shot = tmp_path / "day.png"
    proc = subprocess.run([*flags, "--window-size=1200,1600", f"--screenshot={shot}", url], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and shot.stat().st_size > 20_000


def test_stats_says_which_threshold_hid_what(tmp_path, run):
    """--min-n 150 on a history of thousands is the threshold hiding them, not an empty history."""
    history(tmp_path / "s.db", {("SOUTH", "北京", "ZTO"): [3] * 40, ("SOUTH", "上海", "ZTO"): [2] * 12,
                                ("NORTH", "广东", "SF"): [4] * 60}).close()
    r = run("stats", "transit", "--state", tmp_path / "s.db", "--min-n", "50", "-f", "tsv")
    assert [line.split("\t")[:5] for line in r.stdout.splitlines()[1:]] == [["NORTH", "CN", "广东", "SF", "60"]]
    assert "kefu: --min-n 50 hides 2 routes with 52 delivered parcels (the largest has 40)" in r.stderr
    r = run("stats", "transit", "--state", tmp_path / "s.db", "--since", "2026-11-15", "-f", "tsv")
    assert len(r.stdout.splitlines()) == 1 and "kefu: --since 2026-11-15 hides 112 delivered parcels before it" in r.stderr
    r = run("stats", "transit", "--state", tmp_path / "s.db", "-f", "tsv")
    assert len(r.stdout.splitlines()) == 4 and "hides" not in r.stderr


def test_report_page_is_in_one_language_and_names_each_systems_cjk_fonts(tmp_path, run):
    en, _r = report(run, tmp_path)
    zh, _r = report(run, tmp_path, "--lang", "zh")
    assert "<h1>Musen Home — the desk’s day</h1>" in en and "木森家居" not in en.split("<h2>")[0]
    assert "<h1>木森家居 — 客服的一天</h1>" in zh
    for font in ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Yu Gothic", "Hiragino Sans"):
        assert f'"{font}"' in en  # Windows, macOS, Linux; Chinese and Japanese


def test_report_refuses_a_terminal_and_a_missing_directory(tmp_path, run, monkeypatch):
    from kefu_cli import output

    args = ["--now", "2026-10-05T12:00", "report", EXAMPLES / "taobao_orders.csv"]
    r = run(*args, "-o", tmp_path / "nodir" / "day.html")
    assert r.exit_code == 2 and r.stdout == "" and "mkdir -p" in r.stderr and str(tmp_path / "nodir") in r.stderr
    monkeypatch.setattr(output, "default_format", lambda stream: "table")  # stdout is a terminal
    r = run(*args)
    assert r.exit_code == 2 and r.stdout == "" and "-o day.html" in r.stderr
    r = run(*args, "-o", "-")  # asked for by name: written
    assert r.exit_code == 0 and r.stdout.startswith("<!DOCTYPE html>")


def test_returns_and_replacements_of_cases_are_tracked_apart_from_orders(tmp_path, run, k100_env):
    """`kefu track --cases`: a refund export's 退货物流单号 and the register's 补发运单号 are tracked
    like any waybill; the history keeps what each parcel was, so a return's arrival starts the
    refund clock of `kefu aftersales`, is never the order being signed for, and never teaches the
    transit of a route."""
    import csv as _csv

    k100_env.states["73500000000002"] = "3"  # the return: delivered 2026-11-21
    k100_env.states["73500000000004"] = "3"  # the replacement: delivered 2026-11-21
    with open(EXAMPLES / "taobao_refunds.csv", encoding="gb18030", newline="") as fh:
        headers, first, *_rest = list(_csv.reader(fh))
    case = dict(zip(headers, first))
    case.update({"退货物流单号": "73500000000002", "退货物流公司": "中通快递", "是否需要退货": "是",
                 "退款状态": "买家已经退货，等待卖家确认收货"})
    refunds = write_csv(tmp_path / "refunds.csv", [list(case.values()), ["2", *[""] * (len(headers) - 1)]],
                        headers=headers)
    with open(EXAMPLES / "aftersales_register.csv", encoding="utf-8", newline="") as fh:
        reg_headers, ticket, *_rest = list(_csv.reader(fh))
    ticket = dict(zip(reg_headers, ticket))
    ticket.update({"补发运单号": "73500000000004", "审核时间": "2026-11-20 15:30:00", "补发时间": "2026-11-20 18:00:00"})
    register = write_csv(tmp_path / "register.csv", [list(ticket.values())], headers=reg_headers)
    state_path = tmp_path / "s.db"

    alone = run("--now", "2026-11-22 10:00", "track", "--cases", refunds, "--state", state_path, "-f", "jsonl")
    assert alone.exit_code == 1 and "1 not asked or not answered" in alone.stderr  # ZTO checks the buyer's phone
    # the order export gives the buyer's phone (and its own shipped parcels are tracked as well)
    r = run("--now", "2026-11-22 10:00", "track", "--orders", EXAMPLES / "taobao_orders.csv", "--cases", refunds,
            "--cases", register, "--state", state_path, "-f", "jsonl")
    assert r.exit_code == 0, r
    tracked = {json.loads(line)["waybill"] for line in r.stdout.splitlines()}
    assert {"73500000000002", "73500000000004"} <= tracked
    assert "refunds.csv: 1 cases not tracked: no return or replacement waybill (rows 3)" in r.stderr
    db = sqlite3.connect(state_path)
    found = db.execute("SELECT waybill, parcel, order_id, outcome, delivered_on FROM deliveries "
                       "WHERE parcel != 'order' ORDER BY 1").fetchall()
    db.close()
    assert found == [("73500000000002", "return", "3391204456781230001", "delivered", "2026-11-21"),
                     ("73500000000004", "reship", "3391204456781230001", "delivered", "2026-11-21")]
    state = State(state_path)
    mine = [d for d in state.delivered() if d[0] in ("73500000000002", "73500000000004")]
    assert sorted(mine) == [("73500000000002", None, "delivered", "2026-11-21"),
                            ("73500000000004", None, "delivered", "2026-11-21")]
    parcels = state.db.execute("SELECT COUNT(*) FROM deliveries WHERE outcome = 'delivered' AND parcel != 'return'")
    counted = parcels.fetchone()[0]
    state.close()
    assert sum(row["n"] for row in transit(run, state_path, "--all-carriers")) == counted  # never the return

    r = run("--now", "2026-11-22 10:00", "aftersales", refunds, "--state", state_path, "-f", "json")
    (rec,) = [x for x in json.loads(r.stdout) if x["case_id"] == case["退款编号"]]
    assert rec["returned_on"] == "2026-11-21" and rec["refund_due"] == "2026-11-28"
    assert rec["delivered_on"] is None  # the return's arrival is not the order's signing


def test_a_state_file_of_version_4_learns_what_its_parcels_were(tmp_path):
    db = sqlite3.connect(tmp_path / "old.db")
    for version, script in MIGRATIONS[:4]:
        db.executescript(script)
    db.execute("INSERT INTO deliveries (waybill, outcome, order_id, delivered_on, source) "
               "VALUES ('W1', 'delivered', 'O1', '2026-11-01', 'track')")
    db.execute("PRAGMA user_version = 4")
    db.commit()
    db.close()
    state = State(tmp_path / "old.db")
    assert state.delivered() == [("W1", "O1", "delivered", "2026-11-01")]  # an order's own parcel, as before
    assert state.db.execute("SELECT parcel FROM deliveries").fetchall() == [("order",)]
    state.close()
