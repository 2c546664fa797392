"""Windows computed by hand (China 2026: 国庆 10-01..10-07 off with make-up workdays 09-20 and
10-10; 春节 02-15..02-23 off with make-up Saturdays 02-14 and 02-28. Japan 2026 Golden Week:
04-29, 05-03..05-06 off)."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu_cli.logistics.calendars import WorkCalendar
from kefu_cli.config import load_config
from kefu_cli.logistics.eta import Estimator, promise_unmeetable, tier_of
from kefu_cli.orders.regions import locate

CST = timezone(timedelta(hours=8))
JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def cfg():
    return load_config(None)


def window(cfg, warehouse, to, paid, stock="in_stock", now=NOW, config=None):
    config = config or cfg
    est = Estimator(config, now)
    rec = est.estimate(order_id="t", warehouse=config.warehouse(warehouse), place=locate(to), stock=stock,
                       paid_at=paid, address=to)
    return rec


def dates(rec):
    return tuple(str(rec[k]) for k in ("ship_from", "ship_by", "arrive_from", "arrive_by"))


def test_national_day_before_cutoff_north_to_beijing(cfg):
    # day 0 = 09-30 (Wed, 10:00 < 16:00). Working days after it: 10-08 Thu 1, 10-09 2, 10-10 Sat
    # (make-up) 3, 10-12 4, 13 5, 14 6, 15 7 | 16 8, 19 9, 20 10, 21 11, 22 12, 23 13, 26 14, 27 15.
    # other_province 5-10 days: 10-20 .. 11-06.
    rec = window(cfg, "NORTH", "北京市朝阳区建国路88号", datetime(2026, 9, 30, 10, 0, tzinfo=CST))
    assert rec["tier"] == "other_province"
    assert dates(rec) == ("2026-10-15", "2026-10-27", "2026-10-20", "2026-11-06")
    assert rec["calendar_note"] is None


def test_after_cutoff_on_a_friday(cfg):
    # 11-20 Fri 17:00 > 16:00: day 0 = Mon 11-23; +7 = 12-02, +15 = 12-14; same_province 3-7.
    rec = window(cfg, "SOUTH", "广东省深圳市南山区科技园", datetime(2026, 11, 20, 17, 0, tzinfo=CST))
    assert rec["tier"] == "same_province"
    assert dates(rec) == ("2026-12-02", "2026-12-14", "2026-12-05", "2026-12-21")


def test_spring_festival_with_make_up_saturdays(cfg):
    # day 0 = 02-13 Fri. 02-14 Sat (make-up) 1, 02-15..23 off, 24 2, 25 3, 26 4, 27 5, 28 Sat
    # (make-up) 6, 03-02 7 | 3 8, 4 9, 5 10, 6 11, 9 12, 10 13, 11 14, 12 15.
    rec = window(cfg, "SOUTH", "北京市海淀区", datetime(2026, 2, 13, 10, 0, tzinfo=CST))
    assert dates(rec) == ("2026-03-02", "2026-03-12", "2026-03-07", "2026-03-22")
    # paid on the make-up Saturday itself: it is a working day, so it is day 0
    rec = window(cfg, "SOUTH", "北京市海淀区", datetime(2026, 2, 28, 10, 0, tzinfo=CST))
    assert rec["ship_from"] == date(2026, 3, 10)


def test_golden_week_japan(cfg):
    # JAPAN (Asia/Tokyo, cutoff 15:00): day 0 = 04-28 Tue. 04-30 1, 05-01 2, 05-07 3, 08 4, 11 5,
    # 12 6, 13 7 | 14 8, 15 9, 18 10, 19 11, 20 12, 21 13, 22 14, 25 15; other_province 5-10.
    rec = window(cfg, "JAPAN", "日本 東京都 新宿区西新宿2-8-1", datetime(2026, 4, 28, 10, 0, tzinfo=JST))
    assert rec["tier"] == "other_province" and rec["province"] == "東京都"
    assert dates(rec) == ("2026-05-13", "2026-05-25", "2026-05-18", "2026-06-04")
    # 14:30 in Shanghai is 15:30 in Tokyo: after the Japanese warehouse's cutoff -> day 0 = 04-30
    rec = window(cfg, "JAPAN", "東京都", datetime(2026, 4, 28, 14, 30, tzinfo=CST))
    assert rec["ship_from"] == WorkCalendar("JP").add_working(date(2026, 4, 30), 7)


def test_window_into_2027_is_noted_and_config_wins(cfg, tmp_path):
    # day 0 = 12-28 Mon. Package guess for 2027: only 01-01 off -> 12-29 1, 30 2, 31 3, 01-04 4,
    # 5 5, 6 6, 7 7 | 8 8, 11 9, 12 10, 13 11, 14 12, 15 13, 18 14, 19 15.
    paid = datetime(2026, 12, 28, 10, 0, tzinfo=CST)
    rec = window(cfg, "SOUTH", "广东省广州市", paid)
    assert (str(rec["ship_from"]), str(rec["ship_by"])) == ("2027-01-07", "2027-01-19")
    assert rec["calendar_note"] == "CN 2027 calendar not official yet: working days are estimated"
    # an official list in shop.toml wins: 01-01 and 01-04 off, Saturday 01-09 on ->
    # 12-29 1, 30 2, 31 3, 01-05 4, 6 5, 7 6, 8 7 | 9 (Sat) 8, 11 9, 12 10, 13 11, 14 12, 15 13, 18 14, 19 15
    d = tmp_path / "c"
    d.mkdir()
    (d / "shop.toml").write_text("[calendar.CN.2027]\noff = [2027-01-01, 2027-01-04]\non = [2027-01-09]\n",
                                 encoding="utf-8")
    rec = window(cfg, "SOUTH", "广东省广州市", paid, config=load_config(d))
    assert (str(rec["ship_from"]), str(rec["ship_by"])) == ("2027-01-08", "2027-01-19")
    assert rec["calendar_note"] is None


def test_made_to_order_calendar_days(cfg):
    # 12-20 is a Sunday: day 0 = 12-21; +30 / +45 calendar days
    rec = window(cfg, "SOUTH", "广东省广州市", datetime(2026, 12, 20, 10, 0, tzinfo=CST), stock="made_to_order")
    assert (str(rec["ship_from"]), str(rec["ship_by"])) == ("2027-01-20", "2027-02-04")
    assert rec["calendar_note"] is None  # the calendar was only asked about 2026


def test_remote_unknown_and_no_route(cfg):
    rec = window(cfg, "NORTH", "新疆维吾尔自治区乌鲁木齐市天山区", datetime(2026, 11, 2, 9, 0, tzinfo=CST))
    assert rec["tier"] == "remote" and rec["arrive_by"] - rec["ship_by"] == timedelta(days=15)
    rec = window(cfg, "JAPAN", "沖縄県那覇市", datetime(2026, 11, 2, 9, 0, tzinfo=JST))
    assert rec["tier"] == "remote"
    rec = window(cfg, "JAPAN", "東京都 八丈島", datetime(2026, 11, 2, 9, 0, tzinfo=JST))
    assert rec["tier"] == "remote"  # a remote-island keyword
    rec = window(cfg, "SOUTH", "朝阳区建国路88号", datetime(2026, 11, 2, 9, 0, tzinfo=CST))
    assert rec["tier"] == "unknown" and rec["reason"] == "UNKNOWN_DESTINATION" and rec["ship_from"] is None
    rec = window(cfg, "SOUTH", "日本 大阪府大阪市", datetime(2026, 11, 2, 9, 0, tzinfo=CST))
    assert rec["tier"] == "no_route" and rec["reason"] == "NO_ROUTE" and rec["arrive_by"] is None


def test_unpaid_counts_from_now(cfg):
    rec = window(cfg, "SOUTH", "广东省广州市", None, now=datetime(2026, 11, 20, 17, 0, tzinfo=CST))
    assert rec["basis"] == "now" and rec["ship_from"] == date(2026, 12, 2)


def test_a_shipped_parcel_has_only_transit_left(cfg):
    # paid 09-30 in 国庆: counted from payment it would ship 10-15..10-27; the warehouse's
    # time zone decides the day the parcel left
    est = Estimator(cfg, NOW)
    rec = est.estimate(order_id="t", warehouse=cfg.warehouse("NORTH"), place=locate("北京市朝阳区建国路88号"),
                       stock="in_stock", paid_at=datetime(2026, 9, 30, 10, 0, tzinfo=CST),
                       shipped_at=datetime(2026, 10, 5, 23, 30, tzinfo=timezone.utc), explain=True)
    # 23:30 UTC is 10-06 07:30 in Beijing; other_province transit 5-10 calendar days
    assert rec["basis"] == "shipped"
    assert dates(rec) == ("2026-10-06", "2026-10-06", "2026-10-11", "2026-10-16")
    assert rec["steps"][-2] == "shipped by 2026-10-06: only the transit is left"


def test_promise_check():
    assert promise_unmeetable(date(2026, 10, 8), date(2026, 10, 20))
    assert not promise_unmeetable(date(2026, 10, 20), date(2026, 10, 20))
    assert not promise_unmeetable(None, date(2026, 10, 20))


def test_official_years():
    cn = WorkCalendar("CN")
    assert cn.official(2026, 2026) and not cn.official(2027, 2026)
    assert WorkCalendar("CN", {2027: (frozenset(), frozenset())}).official(2027, 2026)
    jp = WorkCalendar("JP")
    assert jp.official(2027, 2026) and not jp.official(2028, 2026)


payments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(CST))


@settings(max_examples=150, deadline=None)
@given(payments, st.integers(min_value=0, max_value=72 * 60), st.sampled_from(["SOUTH", "NORTH", "JAPAN"]),
       st.sampled_from(["in_stock", "made_to_order"]), st.sampled_from(["广东省深圳市", "北京市", "東京都", "新疆乌鲁木齐市"]))
def test_window_properties(paid, later_minutes, warehouse, stock, to):
    cfg = load_config(None)
    a = window(cfg, warehouse, to, paid, stock)
    b = window(cfg, warehouse, to, paid + timedelta(minutes=later_minutes), stock)
    if a["ship_from"] is None:
        assert b["ship_from"] is None and a["tier"] == "no_route"
        return
    for rec in (a, b):
        assert rec["ship_from"] <= rec["ship_by"] <= rec["arrive_by"]
        assert rec["arrive_from"] >= rec["ship_from"]
    for key in ("ship_from", "ship_by", "arrive_from", "arrive_by"):
        assert b[key] >= a[key]  # a later payment never gives an earlier window


def test_stock_option_applies_to_a_file(run):
    from conftest import EXAMPLES

    args = ["--now", "2026-10-06 12:00", "eta", EXAMPLES / "taobao_orders.csv", "-f", "jsonl", "--fields", "stock"]
    import json

    assert {json.loads(line)["stock"] for line in run(*args).stdout.splitlines()} >= {"in_stock"}
    r = run(*args, "--stock", "made_to_order")
    assert {json.loads(line)["stock"] for line in r.stdout.splitlines()} == {"made_to_order"}


def test_the_calendar_cache_answers_as_the_package_does(tmp_path, monkeypatch):
    """Each year the holidays package computes is kept on disk; read back, it gives the package's
    answers for every day, and a cache written for another package release is not used."""
    import json
    from datetime import date, timedelta

    import holidays

    from kefu_cli.logistics.calendars import WorkCalendar, _cache_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    for country, lib in (("CN", holidays.China()), ("JP", holidays.Japan())):
        for year in (2025, 2026, 2027):
            fresh, cached = WorkCalendar(country), WorkCalendar(country)
            days = [date(year, 1, 1) + timedelta(days=i) for i in range(365)]
            assert [fresh.is_working(d) for d in days] == [cached.is_working(d) for d in days]
            for d in days:
                expected = lib.is_working_day(d) if country == "CN" else d.weekday() < 5 and d not in lib
                assert cached.is_working(d) == expected, (country, d)
            assert fresh.official(year, 2026) == cached.official(year, 2026)
            path, stamp = _cache_path(country, year)
            assert json.loads(path.read_text())["stamp"] == stamp
    path, _stamp = _cache_path("CN", 2026)
    data = json.loads(path.read_text())
    path.write_text(json.dumps(dict(data, stamp="another release", off=[])))
    assert not WorkCalendar("CN").is_working(date(2026, 10, 1))  # recomputed: 国庆 is off


def test_the_japan_warehouse_closes_for_the_new_year_and_paid_is_in_its_zone(run):
    import json as _json

    r = run("eta", "--warehouse", "JAPAN", "--to", "東京都新宿区西新宿2-8-1", "--paid", "2026-12-28 16:00",
            "--stock", "in_stock", "--explain", "-f", "jsonl")
    rec = _json.loads(r.stdout)
    assert rec["paid_at"] == "2026-12-28T16:00:00+09:00"  # naive --paid: the warehouse's zone, not the shop's
    assert "day 0 = 2027-01-04" in " ".join(rec["steps"])  # after the cutoff; 12-29 to 01-03 closed
    from datetime import date

    from kefu_cli.logistics.calendars import WorkCalendar

    closed = WorkCalendar("JP", closed=frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}))
    assert not closed.is_working(date(2026, 12, 29)) and WorkCalendar("JP").is_working(date(2026, 12, 29))
    assert closed.is_working(date(2027, 1, 4))


def test_closed_days_are_validated(tmp_path):
    from kefu_cli.cli.context import config_checks
    from kefu_cli.config import check_config, packaged_dir

    conf = tmp_path / "conf"
    conf.mkdir()
    text = (packaged_dir() / "warehouses.toml").read_text(encoding="utf-8")
    (conf / "warehouses.toml").write_text(text.replace('"12-29", "12-30"', '"12-32", "12-30"'), encoding="utf-8")
    problems, _paths = check_config(conf, config_checks())
    assert any("closed" in p.key and "12-32" in p.message for p in problems)
