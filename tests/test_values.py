from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kefu_cli.orders.values import (Bad, Fixed, datetime_parser, fixed_offset, parse_date, parse_datetime, parse_money,
                             parse_qty, unwrap_excel, word_parser)

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text,expected", [
    ("1299.00", Decimal("1299.00")), ("0.00", Decimal("0.00")), ("-5.5", Decimal("-5.5")), (" 12 ", Decimal("12")),
    ("", None), ("   ", None), ("-0", Decimal("0")),
])
def test_money_plain(text, expected):
    value = parse_money(text)
    assert value == expected and (value is None or isinstance(value, Decimal))


@pytest.mark.parametrize("text,expected,note", [
    ("1299.00元", Decimal("1299.00"), None), ("¥899", Decimal("899"), None), ("１２３.５０", Decimal("123.50"), "fullwidth_digits"),
    ("1,299.00", Decimal("1299.00"), "thousands_separator"),
])
def test_money_recovered(text, expected, note):
    value = parse_money(text)
    if note is None:
        assert value == expected and isinstance(value, Decimal)
    else:
        assert isinstance(value, Fixed) and value.value == expected and value.note == note


@pytest.mark.parametrize("text", ["NaN", "1e9", "abc", "12.3.4", "inf", "1,2,3"])
def test_money_bad(text):
    value = parse_money(text)
    assert isinstance(value, Bad) and value.code == "not_a_number" and value.raw == text


def test_money_is_never_float():
    assert type(parse_money("0.1")) is Decimal and parse_money("0.1") + parse_money("0.2") == Decimal("0.3")


@pytest.mark.parametrize("text,expected", [
    ("2024-03-18 07:31:42", datetime(2024, 3, 18, 7, 31, 42, tzinfo=SH)),
    ("2024-03-18T07:31:42+08:00", datetime(2024, 3, 18, 7, 31, 42, tzinfo=SH)),
    ("2024-03-18T07:31:42+09:00", datetime(2024, 3, 18, 6, 31, 42, tzinfo=SH)),
    ("2020/2/21 0:00", datetime(2020, 2, 21, 0, 0, tzinfo=SH)),
    ("2020/02/21 13:05:09", datetime(2020, 2, 21, 13, 5, 9, tzinfo=SH)),
    ("2024年3月18日 7:31", datetime(2024, 3, 18, 7, 31, tzinfo=SH)),
    ("2024.03.18", datetime(2024, 3, 18, tzinfo=SH)),
    ("2024-03-18", datetime(2024, 3, 18, tzinfo=SH)),
    ("Mar 18 2024 7:31 PM", datetime(2024, 3, 18, 19, 31, tzinfo=SH)),
])
def test_datetime_shapes(text, expected):
    for parse in (lambda t: parse_datetime(t, SH), datetime_parser(SH)):
        value = parse(text)
        assert value == expected and value.tzinfo is not None
        assert value.utcoffset() == expected.utcoffset() or value.tzinfo.utcoffset(value) is not None


@pytest.mark.parametrize("text", ["2026-02-30 10:00:00", "2026/13/01 0:00", "not a date", "1e9", "NaN", "20260230"])
def test_datetime_bad(text):
    assert isinstance(datetime_parser(SH)(text), Bad)


def test_fast_path_same_as_slow_path():
    fast = datetime_parser(SH)
    for text in ("2026-09-30 10:00:00", "2026-09-30 10:00", "2026-09-30T10:00:00"):
        assert fast(text) == parse_datetime(text, SH)
        assert fast(text).utcoffset() == timedelta(hours=8)


def test_fixed_offset():
    assert fixed_offset(SH) == "+08:00"
    assert fixed_offset(ZoneInfo("Asia/Tokyo")) == "+09:00"
    assert fixed_offset(ZoneInfo("Europe/Berlin")) is None  # DST: read through zoneinfo instead
    berlin = datetime_parser(ZoneInfo("Europe/Berlin"))
    assert berlin("2026-07-01 12:00:00").utcoffset() == timedelta(hours=2)
    assert berlin("2026-01-01 12:00:00").utcoffset() == timedelta(hours=1)
    assert fixed_offset(timezone.utc) == "+00:00"


def test_date():
    assert parse_date("2026-10-08") == date(2026, 10, 8)
    assert parse_date("2026/10/8") == date(2026, 10, 8)
    assert isinstance(parse_date("2026-02-30"), Bad)
    assert parse_date("") is None


@pytest.mark.parametrize("text,expected", [
    ("等待买家付款", "unpaid"), ("买家已付款，等待卖家发货", "paid"), ("买家已付款,等待卖家发货", "paid"),
    ("卖家已发货，等待买家确认", "shipped"), ("交易成功", "completed"), ("买家已签收", "completed"),
    ("交易关闭", "closed"), ("交易被淘宝关闭", "closed"), ("paid", "paid"), ("PAID", "paid"), ("", None),
])
def test_status(text, expected):
    assert parse_status(text) == expected


def test_status_unknown():
    assert isinstance(parse_status("火星"), Bad)


def parse_status(text):
    """A generic file's status words: the common ones and every platform's (config/platforms/)."""
    from kefu_cli.orders.platforms import profiles, statuses_for

    return word_parser(statuses_for("generic", profiles(None)), "unknown_status")(text)


def test_qty_and_wrappers():
    assert parse_qty("3") == 3 and parse_qty("") is None and isinstance(parse_qty("x"), Bad)
    assert isinstance(parse_qty("３"), Fixed)
    assert unwrap_excel('="0123"') == "0123" and unwrap_excel("'138") == "138" and unwrap_excel("a") == "a"


@pytest.mark.parametrize("text", ["1E", "2024 T", "March 2024", "2024-03-18 7:31 XYZ", "12:30"])
def test_fallback_never_guesses(text):
    assert isinstance(parse_datetime(text, SH), Bad)


def test_excel_wrapped_amount_is_recovered_and_noted():
    value = parse_money('="1299.00"')
    assert isinstance(value, Fixed) and value.value == Decimal("1299.00") and value.note == "excel_wrapper"
