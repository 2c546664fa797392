import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from conftest import EXAMPLES, ROOT, write_csv
from kefu_cli.cli.context import config_checks
from kefu_cli.config import check_config, load_config
from kefu_cli.messaging.templates import lint_text, placeholder_problems, render
from kefu_cli.messaging.notices import RemindSettings, due_stage, in_quiet_hours
from kefu_cli.orders.schema import RECORD_FIELDS

CST = timezone(timedelta(hours=8))
HEADERS = ["order_id", "buyer", "status", "created_at", "paid_at", "receiver", "mobile", "address", "consulted",
           "waybill", "carrier"]


def unpaid(order_id="1", buyer="小橘子", created="2026-11-22 10:00:00", consulted="", mobile="15057123456",
           address="浙江省 杭州市 西湖区 文三路1号", receiver="陈静"):
    return [order_id, buyer, "unpaid", created, "", receiver, mobile, address, consulted, "", ""]


@pytest.fixture(scope="module")
def settings():
    return RemindSettings.from_config(load_config(None))


def order(**over):
    rec = dict.fromkeys(RECORD_FIELDS)
    rec.update(status="unpaid", created_at=datetime(2026, 11, 22, 10, 0, tzinfo=CST), items=[], problems=[])
    rec.update(over)
    return rec


@pytest.mark.parametrize("now,stage", [
    ("2026-11-22 10:29:59", None), ("2026-11-22 10:30:00", "first"), ("2026-11-22 21:59:00", "first"),
    ("2026-11-22 22:00:00", "second"), ("2026-11-25 07:59:59", "second"), ("2026-11-25 08:00:00", "last"),
    ("2026-11-25 09:59:59", "last"), ("2026-11-25 10:00:00", None),  # closes 72 h after creation
])
def test_stage_boundaries(settings, now, stage):
    due, _why = due_stage(order(), datetime.fromisoformat(now).replace(tzinfo=CST), settings)
    assert (due.name if due else None) == stage


def test_paid_closed_and_past_close_never(settings):
    now = datetime(2026, 11, 22, 12, tzinfo=CST)
    assert due_stage(order(status="paid"), now, settings)[0] is None
    assert due_stage(order(status="closed"), now, settings)[0] is None
    assert due_stage(order(paid_at=now), now, settings)[0] is None
    assert due_stage(order(), now + timedelta(days=3), settings)[1] == "closed"


def test_quiet_hours(settings):
    assert in_quiet_hours(datetime(2026, 11, 22, 22, 0), settings.quiet)
    assert in_quiet_hours(datetime(2026, 11, 23, 8, 59), settings.quiet)
    assert not in_quiet_hours(datetime(2026, 11, 23, 9, 0), settings.quiet)
    assert not in_quiet_hours(datetime(2026, 11, 22, 21, 59), settings.quiet)


def remind(run, path, now, *extra):
    r = run("--now", now, "remind", path, "-f", "jsonl", *extra)
    return r, [json.loads(line) for line in r.stdout.splitlines()]


def test_quiet_hours_hold_a_stage_until_morning(run, tmp_path):
    # created 21:45: the first stage falls due at 22:15, inside quiet hours; it goes out at 09:00
    path = write_csv(tmp_path / "o.csv", [unpaid(created="2026-11-22 21:45:00")], headers=HEADERS)
    r, msgs = remind(run, path, "2026-11-22 22:15")
    assert msgs == [] and "quiet hours" in r.stderr and r.exit_code == 0
    r, msgs = remind(run, path, "2026-11-23 09:00")
    assert [m["stage"] for m in msgs] == ["first"]


def test_ledger_once_per_stage_and_dry_run(run, tmp_path):
    path = write_csv(tmp_path / "o.csv", [unpaid()], headers=HEADERS)
    _r, msgs = remind(run, path, "2026-11-22 10:30", "--dry-run")
    assert len(msgs) == 1 and not os.path.exists(os.environ["KEFU_STATE"])  # dry run: ledger untouched
    _r, msgs = remind(run, path, "2026-11-22 10:30")
    assert [m["stage"] for m in msgs] == ["first"] and msgs[0]["template"] == "remind_silent"
    assert remind(run, path, "2026-11-22 10:40")[1] == []  # the same stage never twice
    r, held = remind(run, path, "2026-11-22 10:40", "--dry-run")  # a dry run knows the ledger, and says so
    assert [m["held"] for m in held] == ["already_sent"] and "1 due reminders held back: already_sent 1" in r.stderr
    _r, msgs = remind(run, path, "2026-11-23 09:00")  # the next day: the 12-hour stage
    assert [m["stage"] for m in msgs] == ["second"]


def test_one_per_buyer_per_day_and_wording(run, tmp_path):
    rows = [unpaid("1"), unpaid("2"), unpaid("3", buyer="sakura", mobile="09012345678", consulted="是",
                                          address="日本 東京都 新宿区西新宿2-8-1")]
    path = write_csv(tmp_path / "o.csv", rows, headers=HEADERS)
    _r, msgs = remind(run, path, "2026-11-22 10:30")
    assert [m["order_id"] for m in msgs] == ["1", "3"]  # order 2 is the same buyer and phone
    assert msgs[0]["lang"] == "zh" and msgs[0]["text"].startswith("亲，")
    assert msgs[1]["lang"] == "ja" and msgs[1]["template"] == "remind_consulted" and msgs[1]["text"].startswith("陈静様")  # the receiver, not the account


def test_missing_phone_and_hostile_names(run, tmp_path):
    rows = [unpaid("1", buyer="${shop}", mobile=""), unpaid("2", buyer="{0.__class__}$(rm -rf /)", mobile="",
                                                            receiver="")]
    path = write_csv(tmp_path / "o.csv", [rows[0], [*rows[1][:7], "日本 大阪府大阪市北区1-1", *rows[1][8:]]],
                     headers=HEADERS)
    r, msgs = remind(run, path, "2026-11-22 10:30")
    assert [m["phone"] for m in msgs] == [None, None] and all(m["warning"] for m in msgs)
    assert msgs[1]["text"].startswith("{0.__class__}$(rm -rf /)様")  # no receiver: the account; inserted as plain text
    assert "no phone number" in r.stderr
    # counted, like the held-back ones: one line, not one per order
    assert "kefu: warning: 2 messages printed with a warning (warning column): no phone number: send it another way" \
        in r.stderr and len(r.stderr.splitlines()) == len(set(r.stderr.splitlines()))


def test_two_processes_started_together_never_duplicate(tmp_path):
    rows = [unpaid(str(i), buyer=f"b{i}", mobile=f"1380000{i:04d}") for i in range(60)]
    path = write_csv(tmp_path / "o.csv", rows, headers=HEADERS)
    env = dict(os.environ, KEFU_STATE=str(tmp_path / "race.db"))
    cmd = [sys.executable, "-m", "kefu_cli", "--now", "2026-11-22 10:30", "remind", str(path), "-f", "jsonl"]
    for _round in range(3):
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
        ids = [json.loads(line)["order_id"] for out, _err in outs for line in out.splitlines()]
        assert len(ids) == len(set(ids))  # nobody got two
        if _round == 0:
            assert sorted(ids, key=int) == [str(i) for i in range(60)]  # and everybody got one
        else:
            assert ids == []


def test_notify(run, tmp_path):
    args = ["--now", "2026-10-05 12:00", "notify"]
    r = run(*args, "shipped", EXAMPLES / "taobao_orders.csv", "-f", "jsonl")
    msgs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [m["order_id"] for m in msgs] == ["3391204456781230006"]
    # shipped: only the transit is left, counted from now (10-05) to 江苏 (other province, 5-10 days);
    # counted from payment (10-01, in 国庆) it would have said 10-13 to 10-29
    assert "中通快递" in msgs[0]["text"] and "73512345678901" in msgs[0]["text"]
    assert "预计2026-10-10至2026-10-15送达" in msgs[0]["text"]
    assert run(*args, "shipped", EXAMPLES / "taobao_orders.csv", "-f", "jsonl").stdout == ""  # once per order
    rows = [["9", "x", "shipped", "2026-10-01 10:00:00", "2026-10-01 10:01:00", "王", "13800000000", "北京市朝阳区1号", "",
             "", "中通"]]
    r = run(*args, "shipped", write_csv(tmp_path / "o.csv", rows, headers=HEADERS), "-f", "jsonl")
    assert r.stdout == "" and "kefu: warning: 1 orders skipped for the shipped notice: no waybill 1 (9)" in r.stderr
    r = run(*args, "delay", EXAMPLES / "taobao_orders.csv", "--items", EXAMPLES / "taobao_items.csv", "-f", "jsonl",
            "--dry-run")
    assert r.stdout == ""  # the sample's paid orders are all in stock


def test_render_is_plain_substitution():
    assert render("亲$buyer，${shop}", {"buyer": "${shop}", "shop": "店"}) == "亲${shop}，店"


@pytest.mark.parametrize("text,expected", [
    ("亲，我们保证明天到", "absolute word 保证"), ("亲，我不能改地址", "blunt refusal 我不能"),
    ("亲，下午3点前送达", "a promised delivery time slot"), ("亲，14:00-16:00配送", "a promised delivery time slot"),
])
def test_lint_rules(text, expected):
    cfg = load_config(None)
    found = lint_text(text, cfg.raw["messages.toml"]["lint"])
    assert found and expected in found[0][1]


def test_placeholders_checked_at_load(tmp_path):
    assert placeholder_problems("亲 $buyer ${order_id}") == []
    assert placeholder_problems("亲 $nope") == [(3, placeholder_problems("亲 $nope")[0][1])]
    assert "lone $" in placeholder_problems("price $ 5")[0][1]
    d = tmp_path / "c"
    d.mkdir()
    (d / "messages.toml").write_text('[templates.shipped]\nzh = "亲，$carrier 绝对 $tracking"\n', encoding="utf-8")
    problems, _ = check_config(d, config_checks())
    text = [str(p) for p in problems]
    assert any("templates.shipped.zh: position 12: absolute word 绝对" in t for t in text), text
    assert any("templates.shipped.zh: position 15: unknown placeholder $tracking" in t for t in text), text


def test_lint_and_config_check_commands(run, tmp_path):
    r = run("messages", "lint")
    assert r.exit_code == 0 and "house rules" in r.stderr
    d = tmp_path / "c"
    d.mkdir()
    (d / "messages.toml").write_text('[templates.delay]\nzh = "亲，我不会延误"\n', encoding="utf-8")
    r = run("--config-dir", d, "messages", "lint")
    assert r.exit_code == 2 and "templates.delay.zh: position 3: blunt refusal 我不会" in r.stderr
    assert run("--config-dir", d, "config", "check").exit_code == 2


@pytest.mark.parametrize("text", ["亲，24小时内安排发货", "3-5天送达", "预计一周内到", "48時間以内に発送", "2~3日でお届け",
                                  "3个工作日内发货", "２４小时内"])
def test_a_literal_duration_is_a_house_rule_breach(text):
    cfg = load_config(None)
    found = lint_text(text, cfg.raw["messages.toml"]["lint"])
    assert any("LITERAL_DURATION" in m for _pos, m in found), text


def test_the_shipped_templates_lint_clean_and_state_windows_through_placeholders(run):
    r = run("messages", "lint")
    assert r.exit_code == 0 and "house rules" in r.stderr
    cfg = load_config(None)
    accepted = cfg.raw["messages.toml"]["templates"]["accepted"]
    assert all("$ship_by" in t and "$arrive_by" in t for t in accepted.values())


def test_notices_already_sent_are_counted_and_listed(run):
    first = run("--now", "2026-10-05 12:00", "notify", "accepted", EXAMPLES / "taobao_orders.csv", "-f", "jsonl")
    sent = [json.loads(line)["order_id"] for line in first.stdout.splitlines()]
    again = run("--now", "2026-10-05 12:05", "notify", "accepted", EXAMPLES / "taobao_orders.csv", "-f", "jsonl",
                "--dry-run")
    held = [json.loads(line) for line in again.stdout.splitlines()]
    assert sent and [h["order_id"] for h in held] == sent and {h["held"] for h in held} == {"already_sent"}
    assert f"{len(sent)} due notices held back: already_sent {len(sent)}" in again.stderr
