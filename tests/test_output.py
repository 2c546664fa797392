import csv
import io
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from conftest import EXAMPLES
from kefu_cli.output import excel_safe, make_renderer, write_records

RECS = [
    {"order_id": "1", "paid": Decimal("1299.00"), "at": datetime(2026, 9, 30, 10, tzinfo=timezone(timedelta(hours=8))),
     "buyer": "李娜", "note": "a\tb\nc", "items": [{"sku": "DS1205", "title": "床", "qty": 2, "price": Decimal("1.50")}],
     "problems": [{"code": "not_a_number", "message": "paid: \"x\" is not an amount"}], "ok": True, "none": None},
    {"order_id": "2", "paid": None, "at": None, "buyer": "=HYPERLINK(\"http://x\")", "note": "-5.00", "items": [],
     "problems": [], "ok": False, "none": None},
]
FIELDS = list(RECS[0])


def render(fmt, recs=RECS, fields=FIELDS, headers=True):
    out = io.BytesIO()
    write_records(iter(recs), make_renderer(fmt, fields, headers), out)
    return out.getvalue().decode()


def test_jsonl_and_json():
    lines = render("jsonl").splitlines()
    first = json.loads(lines[0])
    assert first["paid"] == "1299.00" and first["at"] == "2026-09-30T10:00:00+08:00"
    assert first["items"][0] == {"sku": "DS1205", "title": "床", "qty": 2, "price": "1.50"} and first["none"] is None
    assert json.loads(render("json")) == [json.loads(line) for line in lines]
    assert json.loads(render("json", recs=[])) == [] and render("jsonl", recs=[]) == ""


def test_csv_is_excel_safe_and_round_trips():
    text = render("csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == FIELDS
    assert rows[1][1] == "1299.00" and rows[1][5] == "DS1205×2@1.50" and rows[1][3] == "李娜"
    assert rows[2][3] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert rows[2][4] == "-5.00"  # a plain number is left alone
    assert text.endswith("\r\n")


@pytest.mark.parametrize("cell,safe", [("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("@SUM(A1)", "'@SUM(A1)"),
                                       ("-x", "'-x"), ("-12.5", "-12.5"), ("\tx", "'\tx"), ("ok", "ok"), ("", "")])
def test_excel_safe(cell, safe):
    assert excel_safe(cell) == safe


def test_tsv_escapes_and_one_line_per_record():
    lines = render("tsv").split("\n")
    assert lines[0] == "\t".join(FIELDS)
    assert lines[1].split("\t")[4] == "a\\tb\\nc" and len(lines) == 4 and lines[3] == ""
    assert render("tsv", headers=False).split("\n")[0].startswith("1\t")


def test_table_aligns_wide_characters():
    text = render("table", fields=["order_id", "buyer", "paid"])
    lines = text.splitlines()
    from wcwidth import wcswidth

    assert "李娜" in lines[2]
    col = lines[0].index("paid")
    assert wcswidth(lines[2][: lines[2].index("1299.00")]) == col


def test_nested_values_compact_in_text_formats():
    text = render("tsv", fields=["items", "problems"])
    assert 'DS1205×2@1.50\tpaid: "x" is not an amount' in text


# --------------------------------------------------------------------------- tables that fit a terminal


def test_a_table_is_fitted_to_a_width_in_display_columns():
    from wcwidth import wcswidth

    from kefu_cli.output import make_renderer

    told = []
    r = make_renderer("table", ["order_id", "province", "text", "more"])
    r.fit(50, told.append)
    r.render([{"order_id": "3391204456781230001", "province": "广东", "text": "亲，感谢选择木森家居！订单还没有付款哦", "more": "x"}])
    lines = r.end().decode().splitlines()
    assert all(wcswidth(line) <= 50 for line in lines) and lines[0].split() == ["order_id", "province", "text"]
    assert lines[2].endswith("…") and told == [["more"]]
    r = make_renderer("table", ["a", "b"])
    r.fit(40, told.append)
    r.render([{"a": "1", "b": "2"}])
    assert r.end().decode().splitlines()[0].split() == ["a", "b"] and told[-1] == []


def test_on_a_terminal_the_desk_fields_fit_and_a_pipe_is_unchanged(run, monkeypatch):
    from kefu_cli import output

    args = ["orders", str(EXAMPLES / "taobao_orders.csv")]
    piped = run(*args)
    from kefu_cli.orders.schema import RECORD_FIELDS

    assert piped.stdout.splitlines()[0].split("\t") == list(RECORD_FIELDS) and piped.stderr == ""  # every field
    piped_table = run(*args, "-f", "table")
    assert piped_table.stdout.splitlines()[0].split()[:3] == ["row", "order_id", "platform"]
    monkeypatch.setattr(output, "default_format", lambda stream: "table")  # stdout is a terminal
    monkeypatch.setenv("COLUMNS", "60")
    tty = run(*args)
    assert tty.stdout.splitlines()[0].split()[:2] == ["order_id", "status"]
    from wcwidth import wcswidth

    assert all(wcswidth(line) <= 60 for line in tty.stdout.splitlines())
    assert "fields shown (the terminal is 60 columns wide): --fields all shows every field" in tty.stderr
    everything = run(*args, "--fields", "all")
    assert everything.stdout.splitlines()[0].split()[:3] == ["row", "order_id", "platform"]
    assert len(everything.stdout.splitlines()[0].split()) == len(RECORD_FIELDS)
    assert "fields shown" not in everything.stderr
    assert "fields shown" not in run("-q", *args).stderr
