import json

import pytest

from conftest import EXAMPLES, ROOT, taobao_row, write_csv
from kefu_cli import __version__
from kefu_cli.cli.app import cli

ORDERS = EXAMPLES / "taobao_orders.csv"


def test_version(run):
    r = run("--version")
    assert r.exit_code == 0 and r.stdout == f"kefu {__version__}\n"


def test_every_command_has_help_with_an_example(run):
    def walk(group, path):
        for name, cmd in group.commands.items():
            yield path + [name], cmd
            if hasattr(cmd, "commands"):
                yield from walk(cmd, path + [name])

    for path, cmd in walk(cli, []):
        r = run(*path, "-h")
        assert r.exit_code == 0, path
        if not hasattr(cmd, "commands"):
            assert "Example:" in r.stdout, path


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl"])
def test_orders_every_format(run, fmt):
    r = run("orders", ORDERS, "-f", fmt, "--fields", "order_id,status,paid")
    assert r.exit_code == 0 and r.stderr == ""
    assert "3391204456781230001" in r.stdout and "1299.00" in r.stdout


def test_default_format_is_tsv_when_not_a_terminal(run):
    r = run("orders", ORDERS)
    assert r.stdout.splitlines()[0].split("\t")[:3] == ["row", "order_id", "platform"]
    assert len(r.stdout.splitlines()) == 9


def test_jsonl_records_are_canonical(run):
    r = run("orders", ORDERS, "--items", EXAMPLES / "taobao_items.csv", "-f", "jsonl")
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == 8
    assert recs[0]["paid"] == "1299.00" and recs[0]["items"][0]["sku"] == "CD1801"
    assert recs[2]["items"][0]["sku"] == "DS1205" and recs[0]["created_at"] == "2026-09-29T21:14:05+08:00"


def test_stdin_only_with_dash(run):
    data = ORDERS.read_bytes()
    r = run("orders", "-", "-f", "jsonl", "--fields", "order_id", input=data)
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 8
    r = run("orders", "-", "--input-format", "jsonl", "-f", "tsv", "--fields", "order_id,paid",
            input=(EXAMPLES / "orders.jsonl").read_bytes())
    assert r.stdout.splitlines()[1] == "3391204456781230001\t1299.00"


def test_no_headers_and_fields_order(run):
    r = run("orders", ORDERS, "-f", "csv", "--no-headers", "--fields", "paid,order_id")
    assert r.stdout.splitlines()[0] == "1299.00,3391204456781230001"


# ---- exit codes: 0 ok, 2 usage/config/input, 70 internal, 130 interrupted, 141 broken pipe (test_pipes)

def test_exit_2_unknown_field(run):
    r = run("orders", ORDERS, "--fields", "order_id,colour")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("kefu: error: unknown field colour — fields are: row, order_id")


def test_exit_2_missing_file_and_usage(run):
    r = run("orders", "nope.csv")
    assert r.exit_code == 2 and r.stderr == "kefu: error: nope.csv: no such file\n"
    r = run("orders", ORDERS, "--format", "xml")
    assert r.exit_code == 2 and "see `kefu orders --help`" in r.stderr
    r = run("frobnicate")
    assert r.exit_code == 2


def test_exit_2_missing_column(run, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("buyer\nx\n", encoding="utf-8")
    r = run("orders", path)
    assert r.exit_code == 2 and "no order_id column" in r.stderr and r.stderr.count("\n") == 1


def test_exit_2_bad_now(run):
    r = run("--now", "yesterday-ish", "config", "show")
    assert r.exit_code == 0  # --now is only read by commands that need the time
    from kefu_cli.cli.context import Env
    from kefu_cli.errors import UsageError

    with pytest.raises(UsageError):
        Env(now="yesterday-ish").now
    assert Env(now="2026-09-30 10:00").now.isoformat() == "2026-09-30T10:00:00+08:00"


def test_exit_70_internal_error_is_one_line(run, monkeypatch):
    from kefu_cli import pipeline

    def boom(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(pipeline, "run", boom)
    r = run("orders", ORDERS)
    assert r.exit_code == 70
    assert r.stderr == "kefu: error: internal error: ZeroDivisionError: boom — run again with --traceback and report it\n"
    # --traceback adds the stack and keeps the exit code: a bug stays 70
    r = run("--traceback", "orders", ORDERS)
    assert r.exit_code == 70 and "Traceback" in r.stderr and "ZeroDivisionError: boom" in r.stderr
    assert r.stderr.splitlines()[-1].startswith("kefu: error: internal error: ZeroDivisionError: boom")


def test_exit_130_interrupted(run, monkeypatch):
    from kefu_cli import pipeline

    def interrupt(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run", interrupt)
    r = run("orders", ORDERS)
    assert r.exit_code == 130 and r.stderr.strip() == "kefu: interrupted"  # click adds a newline after ^C


def test_problems_warn_on_stderr_and_quiet(run, tmp_path):
    path = write_csv(tmp_path / "o.csv", [taobao_row("1"), taobao_row("2", paid="abc")])
    r = run("orders", path, "-f", "jsonl")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 2
    assert "1 of 2 orders have problems (rows 3)" in r.stderr
    r = run("-q", "orders", path, "-f", "jsonl")
    assert r.stderr == "" and len(r.stdout.splitlines()) == 2


def test_chinese_messages(run, monkeypatch):
    r = run("--lang", "zh", "orders", "nope.csv")
    assert r.stderr == "kefu: 错误: nope.csv：文件不存在\n"
    monkeypatch.setenv("KEFU_LANG", "zh")
    assert "文件不存在" in run("orders", "nope.csv").stderr
    monkeypatch.delenv("KEFU_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert "文件不存在" in run("orders", "nope.csv").stderr
    assert "no such file" in run("--lang", "en", "orders", "nope.csv").stderr
    r = run("--lang", "zh", "orders", ORDERS, "-f", "jsonl", "--fields", "status")
    assert json.loads(r.stdout.splitlines()[0]) == {"status": "paid"}  # machine fields never translate


def test_eta_sample_and_exit_codes(run):
    r = run("--now", "2026-10-06 12:00", "eta", ORDERS, "--items", EXAMPLES / "taobao_items.csv", "-f", "jsonl")
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.exit_code == 0 and len(recs) == 8
    assert recs[1]["warehouse"] == "NORTH" and recs[1]["ship_from"] == "2026-10-15"
    assert recs[3]["basis"] == "now"
    r = run("eta", "--warehouse", "WEST", "--to", "北京市")
    assert r.exit_code == 2 and "use one of: SOUTH, NORTH, JAPAN" in r.stderr
    r = run("eta", "--warehouse", "SOUTH", "--to", "北京市", "--stock", "later")
    assert r.exit_code == 2 and "'in_stock', 'made_to_order'" in r.stderr
    r = run("eta", "--warehouse", "SOUTH", "--to", "北京市", "--paid", "whenever")
    assert r.exit_code == 2 and "--paid" in r.stderr
    r = run("eta", "--warehouse", "SOUTH", "--to", "朝阳区", "--paid", "2026-10-10 09:00", "-f", "jsonl")
    assert r.exit_code == 1 and json.loads(r.stdout)["tier"] == "unknown"
    r = run("eta", "--warehouse", "SOUTH", "--to", "广东省广州市", "--paid", "2026-12-28 10:00", "-f", "jsonl")
    assert r.exit_code == 0 and r.stderr.count("not official yet") == 1
    assert run("-q", "eta", "--warehouse", "SOUTH", "--to", "广东省广州市", "--paid", "2026-12-28 10:00").stderr == ""


def test_main_help_lists_commands_in_the_desks_order_and_resolved_defaults(run, monkeypatch, tmp_path):
    (tmp_path / "conf").mkdir()
    monkeypatch.setenv("KEFU_CONFIG_DIR", str(tmp_path / "conf"))
    monkeypatch.setenv("KEFU_LANG", "en")
    monkeypatch.setenv("COLUMNS", "400")
    text = run("--help").stdout
    commands = [line.split()[0] for line in text.split("Commands:")[1].splitlines() if line.strip()]
    order = ["orders", "audit", "route", "eta", "track", "remind", "notify", "stats", "report", "config"]
    assert [c for c in commands if c in order] == order
    flat = "".join(text.split())
    assert "".join(f"default: {tmp_path / 'conf'}, from KEFU_CONFIG_DIR".split()) in flat
    assert "default:en,fromKEFU_LANG" in flat


def test_shell_completion_as_documented():
    """README and docs/operations.md: `eval "$(_KEFU_COMPLETE=bash_source kefu)"` (click's own)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, _KEFU_COMPLETE="bash_source")
    script = subprocess.run([sys.executable, "-m", "kefu_cli"], capture_output=True, text=True, env=env, timeout=60)
    assert script.returncode == 0 and "complete -o nosort -F _kefu_completion kefu" in script.stdout
    env = dict(os.environ, _KEFU_COMPLETE="bash_complete", COMP_WORDS="kefu st", COMP_CWORD="1")
    words = subprocess.run([sys.executable, "-m", "kefu_cli"], capture_output=True, text=True, env=env, timeout=60)
    assert "plain,stats" in words.stdout.splitlines()
