"""Reading order files into canonical order records.

Formats: CSV, TSV, JSONL, JSON and workbooks (.xlsx, .xls, .ods: orders/workbook.py, the first
sheet or `sheet=`, within `max_cells`), from a path or `-` (stdin). Encodings of text: UTF-8, UTF-8 with BOM,
UTF-16 with BOM, GB18030 (covers GBK, which Taobao and JD exports use) and cp932 (Shift_JIS, which
Rakuten and Amazon.co.jp write), detected from the first 64 KiB; `encoding=` overrides. CSV, TSV
and JSONL stream (memory stays flat), and so does an .xlsx sheet; a JSON array is read whole.

A record is a dict: `row` (the line in the file where the order starts; the header is line 1),
the canonical fields (orders.schema.ORDER_FIELDS; None when absent or empty), `items`
[{sku, title, qty, price}] and `problems` [{row, column, field, code, value, fixed, message}].
A bad cell never stops the run: its field becomes None and a problem says why. A value kefu
could recover (full-width digits, a 元 suffix) is kept and the problem says `fixed: true`.
Only a file that cannot be read at all, or lacks a required column, raises InputError.

Rows of a one-row-per-item file (item columns such as 商家编码 or price on every row) that
follow each other with the same order_id are grouped into one order.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from kefu_cli.config import Config
from kefu_cli.errors import InputError
from kefu_cli.i18n import N_, _
from kefu_cli.orders import platforms
from kefu_cli.orders.columns import ColumnPlan, plan_columns
from kefu_cli.orders.schema import CASE_FIELDS, CASE_FLAGS, CASE_IDS, CASE_MONEY, CASE_TEXT, CASE_TIMES, ORDER_FIELDS
from kefu_cli.orders.regions import JP_PREFECTURES, TIMEZONE_COUNTRY, place_cached, postal_place
from kefu_cli.output import FORMULA_START as _FORMULA_START
from kefu_cli.orders.values import (
    Bad,
    Fixed,
    parse_bool,
    parse_date,
    parse_evidence,
    datetime_parser,
    delivery_wish,
    split_blocks,
    parse_flag,
    parse_money,
    parse_qty,
    parse_stock,
    restore_phone_zeros,
    restore_postal_zeros,
    unwrap_excel,
    word_parser,
)

SAMPLE_SIZE = 64 * 1024
FORMATS = ("csv", "tsv", "jsonl", "json", "xlsx")
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (a zip) and .xls (OLE2)
csv.field_size_limit(16 * 1024 * 1024)

# --------------------------------------------------------------------------- decoding

_replaced = [0]  # how many undecodable byte runs were replaced, process-wide


def _count_and_replace(exc: UnicodeDecodeError):
    _replaced[0] += 1
    return ("\ufffd", exc.end)


codecs.register_error("kefu-replace", _count_and_replace)


def _binary(sample: bytes) -> bool:
    """Binary data, not an export with a stray NUL in a cell: NULs on most of the sample's lines,
    or a tenth of its bytes. The count is the sample's whole 64 KiB, whatever the file's size: a
    20-order file with nine NULs in one memo is text (that row gets the problem), as a 400-order
    file is."""
    nuls = sample.count(b"\x00")
    if not nuls:
        return False
    if nuls * 10 > len(sample):
        return True
    lines = sample.split(b"\n")
    return sum(1 for line in lines if b"\x00" in line) * 2 > len(lines)


def detect_encoding(sample: bytes, name: str) -> str:
    """utf-8-sig | utf-8 | gb18030 for this sample; InputError when the file is not text."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    first_line = sample.split(b"\n", 1)[0]
    if b"\x00" in first_line or _binary(sample):
        raise InputError(
            _("{file}: not a text file (it contains binary data)").format(file=name),
            hint=_("give an order export in CSV, TSV, JSON or JSONL"),
        )
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and "end of data" in exc.reason:
            return "utf-8"  # a character cut by the sample boundary
    # A header line that is valid UTF-8 with Chinese in it decides for UTF-8: GBK text is almost
    # never valid UTF-8 by chance, so a file whose other rows fail was written in UTF-8 and had a
    # row pasted in from elsewhere (each such row is then flagged on its own, as undecodable).
    header = first_line.rstrip(b"\r")
    if not header.isascii():
        try:
            header.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            pass
    # UTF-8 with a few broken characters (a truncated copy, one bad cell) is still UTF-8: valid
    # multi-byte UTF-8 sequences almost never arise by chance in GBK text, so many valid ones
    # against few invalid ones decide it; the broken cells are then flagged row by row.
    decoded = sample.decode("utf-8", "replace")
    broken = decoded.count("\ufffd")
    valid = sum(1 for ch in decoded if ch > "\x7f") - broken
    if valid >= 8 * broken:
        return "utf-8"
    if _japanese(sample):
        return "cp932"
    try:
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:
            return "gb18030"
    # mostly one encoding with some broken bytes: take the one that decodes more of it
    bad_utf8 = sample.decode("utf-8", "replace").count("\ufffd")
    bad_gb = sample.decode("gb18030", "replace").count("\ufffd")
    return "utf-8" if bad_utf8 <= bad_gb else "gb18030"


def _japanese(sample: bytes) -> bool:
    """Shift_JIS (cp932, as Rakuten and Amazon.co.jp write) rather than GBK: most byte pairs of
    either decode in the other, so the text decides. Japanese read as cp932 has kana (hiragana,
    katakana); Chinese read as cp932 turns into half-width katakana, as its lead bytes 0xA1-0xDF
    are single half-width kana there, and has almost no full-width kana."""
    try:
        text = sample.decode("cp932")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 2:
            return False
        text = sample[:exc.start].decode("cp932")
    kana = sum(1 for ch in text if "\u3041" <= ch <= "\u30ff")
    halfwidth = sum(1 for ch in text if "\uff61" <= ch <= "\uff9f")
    return kana >= 2 and kana >= halfwidth


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            _("unknown encoding {encoding}").format(encoding=encoding),
            hint=_("use utf-8, utf-8-sig, utf-16, gb18030, gbk or cp932 (Shift_JIS)"),
        ) from None


def detect_format(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".tsv", ".jsonl", ".json"):
        return suffix[1:]
    if suffix == ".ndjson":
        return "jsonl"
    if suffix == ".txt" or not suffix or name == "-":
        stripped = text.lstrip("\ufeff \r\n\t")
        if stripped.startswith("["):
            return "json"
        if stripped.startswith("{"):
            return "jsonl"
        first = stripped.split("\n", 1)[0]
        return "tsv" if first.count("\t") > first.count(",") else "csv"
    raise InputError(
        _("{file}: cannot tell the format from the name").format(file=name),
        hint=_("pass --input-format csv, tsv, jsonl or json"),
    )


class _Prefixed(io.RawIOBase):
    """A raw stream that first serves `prefix`, then the rest of `stream` (for stdin)."""

    def __init__(self, prefix: bytes, stream: BinaryIO):
        self._prefix = memoryview(prefix)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


# --------------------------------------------------------------------------- problems

PROBLEM_TEXT = {
    "not_a_number": N_("{value} is not an amount"),
    "not_a_date": N_("{value} is not a valid date or time"),
    "unknown_status": N_("{value} is not a known order status"),
    "unknown_after_sale": N_("{value} is not a known after-sale status"),
    "unknown_case_status": N_("{value} is not a known after-sales status of this platform"),
    "unknown_case_type": N_("{value} is not a known after-sales type of this platform"),
    "unknown_goods_status": N_("{value} is not a known goods status"),
    "unknown_flag": N_("{value} is not a flag colour"),
    "not_yes_or_no": N_("{value} is not yes or no"),
    "unknown_stock": N_("{value} is not a stock status (in_stock or made_to_order)"),
    "not_a_whole_number": N_("{value} is not a whole number"),
    "out_of_range": N_("{value} is out of range (amounts up to 12 digits, quantities up to 999999, years 1970-2199, UTC offsets up to 14 hours)"),
    "missing_order_id": N_("no order number"),
    "excel_mangled": N_("{value} was mangled by Excel into scientific notation; export again with the number as text"),
    "missing_cells": N_("the row has {value} cells, fewer than the header's; the missing ones are empty"),
    "extra_cells": N_("the row has {value} cells, more than the header's; the extra ones are ignored"),
    "excel_leading_zero": N_("{value}: the leading zero Excel dropped is restored"),
    "excel_leading_zero_lost": N_("{value} looks like a Japanese number that lost its leading 0 to Excel; export again with the column as text"),
    "unreadable_delivery_wish": N_("{value}: the delivery wish in the platform's block is neither a date nor a time slot"),
    "undecodable_bytes": N_("bytes that are not valid {value} were replaced with U+FFFD"),
    "nul_bytes": N_("NUL bytes were removed from the cell"),
    "unreadable_row": N_("the row could not be read: {value}"),
    "joined_lines": N_("lines {value} were read as one row: an unbalanced quote (\") may have joined them; check those lines"),
    "not_an_object": N_("the line is not a JSON object: {value}"),
    "unsettled_amount": N_("{value}: the platform has not settled this amount yet; read as empty"),
    "fullwidth_digits": N_("{value}: full-width digits read as ASCII"),
    "thousands_separator": N_("{value}: thousands separators removed"),
    "excel_wrapper": N_("{value}: Excel's =\"…\" wrapper removed"),
    "fullwidth_digits+thousands_separator": N_("{value}: full-width digits and thousands separators normalised"),
    # an address not placed down to its city (orders/regions.place): the order's route, windows and
    # audit cannot use it until it is
    "address_unplaced": N_("no province or city could be read from {value}"),
    "address_province_only": N_("only the province could be read ({value}): no city"),
    "address_ambiguous": N_("the address names a place several provinces or cities share ({value}): not placed"),
    "address_two_countries": N_("the address reads as a place in China and in Japan ({value}) and nothing decides which: not placed"),
}
ADDRESS_PROBLEMS = ("address_unplaced", "address_province_only", "address_ambiguous", "address_two_countries")


def problem(row: int, column: str | None, field_name: str | None, code: str, value, fixed: bool = False,
            quote: bool = True) -> dict:
    shown = value if isinstance(value, (int, Decimal)) else _short(value)
    shown = f'"{shown}"' if quote and isinstance(value, str) else shown
    if code in PROBLEM_TEXT or "+" not in code:
        text = _(PROBLEM_TEXT.get(code, code)).format(value=shown)
    else:  # several recoveries of one cell ("excel_wrapper+fullwidth_digits"): say each
        text = "; ".join(_(PROBLEM_TEXT.get(part, part)).format(value=shown) for part in code.split("+"))
    message = f"{column}: {text}" if column else text
    return {"row": row, "column": column, "field": field_name, "code": code, "value": value if value is None or isinstance(value, (int, str)) else str(value), "fixed": fixed, "message": message}


def _short(value) -> str:
    s = "" if value is None else str(value)
    s = s.replace("\n", "\\n").replace("\r", "\\r")
    return s if len(s) <= 60 else s[:57] + "..."


# --------------------------------------------------------------------------- rows -> records

_WRAPPED = ("order_id", "phone", "mobile", "waybill")
_TEXT = ("platform", "buyer", "close_reason", "receiver", "mobile_ext", "postal_code", "address", "province", "city",
         "district", "buyer_message", "seller_memo", "delivery_slot", "carrier", "invoice")
_MONEY = platforms.MONEY
_TIMES = ("created_at", "paid_at", "ship_deadline")
# what RowConverter.convert's steps read besides the cells' own fields (RowConverter.only)
_STEPS_READ = ("order_id", "platform", "address", "province", "city", "district", "postal_code", "phone", "mobile",
               "mobile_ext", "status", "after_sale", "close_reason", "carrier", "discount")
_OTHER = {"flag": parse_flag, "consulted": parse_bool, "stock": parse_stock, "promised_date": parse_date}
_EXCEL_NUMBER = re.compile(r"\d(\.\d+)?[eE]\+\d+")
# a platform's privacy number: the buyer's real number hidden behind a virtual one and its extension
_PRIVACY = re.compile(r"(1[3-9]\d{9})\s*(?:-|转|#|,)\s*(\d{1,6})")
_JP_MOBILE = re.compile(r"(?:\+81[\s-]?|0)[789]0[\s-]?\d{4}[\s-]?\d{4}")
_JP_SET = frozenset(JP_PREFECTURES)
_JOIN_WITH = {"phone": "-", "mobile": "-", "postal_code": "-"}  # else a space; amounts are added up


class JoinedRow(list):
    """A row that spans several lines and has the wrong number of cells: most likely an
    unbalanced quote joined the lines that follow it. The record says which lines it took."""

    def __init__(self, cells, first: int, last: int):
        super().__init__(cells)
        self.lines = f"{first}-{last}"


class RowConverter:
    """Turns one parsed row (list of cells) into a canonical record, given a ColumnPlan.

    This is the one definition of how a cell becomes a value. It stays fast by ordinary means:
    the columns are sorted by kind once per file, each kind is read in one comprehension, and
    the value parsers cache the distinct cells (amounts, statuses and address prefixes repeat
    over millions of rows)."""

    def __init__(self, plan: ColumnPlan, tz, default_platform: str, encoding: str, replaced_before: int | None = None):
        self.plan = plan
        self.tz = tz
        self.encoding = encoding
        self.width = len(plan.headers)
        idx = plan.index
        headers = plan.headers
        joins = plan.joins
        profile = plan.profile

        def cols(names):
            return [(n, idx[n], headers[idx[n]].strip()) for n in names if n in idx and n not in joins]

        # text needs no parser: the cell stripped, None when empty
        self.text = cols(_TEXT)
        other = {"status": word_parser(plan.statuses, "unknown_status"),
                 "after_sale": word_parser(plan.after_sale, "unknown_after_sale"), **_OTHER}
        self.parsed = [(n, i, h, parse) for names, parse in ((_WRAPPED, _read_wrapped), (_MONEY, parse_money),
                                                             (_TIMES, datetime_parser(tz)), *other.items())
                       for n, i, h in cols(names if isinstance(names, tuple) else (names,))]
        self.ids, self.parsed = _ids_apart(self.parsed)
        # a field several columns feed: text joined, amounts added up (orders/platforms.JOINABLE)
        self.joined = [(n, [(i, headers[i].strip()) for i in cells], n in _MONEY, _JOIN_WITH.get(n, " "))
                       for n, cells in joins.items() if not n.startswith("item_")]
        self.items = cols(("item_sku", "item_sku_alt", "item_title", "item_qty", "item_price"))
        self.item_joins = {n: cells for n, cells in joins.items() if n.startswith("item_")}
        self.items += [(n, cells[0], headers[cells[0]].strip()) for n, cells in self.item_joins.items()]
        self.item_rows = plan.item_rows
        self.line_prices = profile is not None and profile.item_price == "line"
        self.summary = cols(("summary_title", "summary_qty"))
        self.district = idx.get("district")
        self.country = TIMEZONE_COUNTRY.get(profile.timezone) if profile is not None else None
        self.address_col = headers[idx["address"]].strip() if "address" in idx else None
        self.privacy = "mobile" in idx
        self.ship_method = idx.get("ship_method")
        self.window = [(n, idx[n], headers[idx[n]].strip()) for n in ("delivery_start", "delivery_end") if n in idx]
        self.window_parse = datetime_parser(tz)
        self.signed_discounts = profile is not None and profile.discount_sign == "either"
        self.blocks = profile.comment_blocks if profile is not None and "buyer_message" in idx else {}
        self.message_col = ", ".join(headers[i].strip() for i in ([idx["buyer_message"]] if "buyer_message" in idx
                                                                  else joins.get("buyer_message", [])))
        self.phone_moves = "phone" in idx or "phone" in joins
        # the columns of Japanese numbers whose leading zeros Excel drops (orders/values.restore_*_zeros)
        self.zero_cols = [(n, joins.get(n) or [idx[n]], _restore_postal if n == "postal_code" else _restore_phone,
                           _JOIN_WITH[n]) for n in ("phone", "mobile", "postal_code") if n in idx or n in joins]
        # a Japanese platform's export: its numbers are Japanese whatever the address says
        self.japan = profile is not None and profile.timezone == "Asia/Tokyo"
        self.order_col = headers[idx["order_id"]].strip() if "order_id" in idx else None
        # an export without an after-sale column whose order status says it (Rakuten's 800/900
        # キャンセル確定待ち/キャンセル確定): the profile's [status_after_sale] gives the after-sale,
        # and the status word is kept as close_reason
        by_status = profile.words.get("status_after_sale") if profile is not None else None
        self.status_after_sale = (idx["status"], by_status) if (
            by_status and "status" in idx and "after_sale" not in idx and "after_sale" not in joins) else None
        self.template = {"row": None, **{f: None for f in ORDER_FIELDS}, "items": None, "problems": None}
        if profile is not None:  # a value the platform's export implies when it has no column for it
            for name, text in profile.defaults.items():
                if name not in idx:
                    self.template[name] = other["status"](text) if name == "status" else text
        self.default_platform = plan.platform if plan.platform != "generic" else default_platform
        # amounts settled per order (after item rows are grouped): derived fields, paid gated by status
        self.derive = list(profile.derive.items()) if profile is not None else []
        self.paid_when = profile.paid_when if profile is not None else ()
        self.per_item = profile.per_item if profile is not None else ()
        self.settles = bool(self.derive or self.paid_when)
        # undecodable bytes replaced since the file was opened mean some rows hold U+FFFD
        self.seen_replaced = _replaced[0] if replaced_before is None else replaced_before
        self.platform_steps = bool(self.status_after_sale is not None or self.ship_method is not None or self.window
                                   or self.signed_discounts or self.blocks)

    def only(self, fields) -> None:
        """Read only these fields' own columns (OrderFile.read_only): the others stay None, their
        cells unread and their problems unseen. The fields the converter's own steps read stay:
        the place (address, province…, the phones that tell a country), the platform's steps,
        and every amount when the profile derives some from others."""
        keep = {*fields, *_STEPS_READ}
        if self.settles:
            keep.update(_MONEY)
        if self.blocks:
            keep.add("buyer_message")
        self.text = [e for e in self.text if e[0] in keep]
        self.ids = [e for e in self.ids if e[0] in keep]
        self.parsed = [e for e in self.parsed if e[0] in keep]

    def _cells(self, row: list[str], line: int, problems: list[dict]) -> tuple[dict, list[str]]:
        """The one cell loop, for orders and after-sales cases alike: a row's text and parsed cells
        (and joined columns) into a fresh record; the row comes back mended when it was misshapen or
        carried NUL bytes."""
        rec = self.template.copy()
        rec["row"] = line
        if len(row) != self.width or row.__class__ is JoinedRow:
            row = self._misshapen(row, line, problems)
        if _replaced[0] != self.seen_replaced and any("\ufffd" in cell for cell in row):
            problems.append(problem(line, None, None, "undecodable_bytes", self.encoding))
        if self.nuls and any("\x00" in cell for cell in row):
            row = self._without_nuls(row, line, problems)
        for name, i, _h in self.text:
            v = row[i].strip()
            if v and v[0] == "'" and v[1:2] in _FORMULA_START:
                v = v[1:]  # the ' kefu's own csv/tsv (output.excel_safe) put before a formula-like cell
            rec[name] = v or None
        for name, i in self.ids:  # never a problem: no Bad or Fixed to look for
            rec[name] = _read_wrapped(row[i])
        for name, i, header, parse in self.parsed:
            v = parse(row[i])
            if v.__class__ in _ODD:  # Bad or Fixed: a problem for the record
                v = self._odd(v, line, header, name, row[i], problems)
            rec[name] = v
        if self.joined:
            self._join(rec, row, line, problems)
        return rec, row

    def _platform_steps(self, rec: dict, row: list[str], line: int, problems: list[dict]) -> None:
        """Rakuten's after-sale by status, Amazon's ship method as the carrier, its delivery
        window and its signed promotions, Rakuten's blocks in コメント."""
        if self.status_after_sale is not None:
            col, by_status = self.status_after_sale
            word = row[col].strip()
            code = by_status.get(word.lower())
            if code is not None:
                rec["after_sale"] = code
                rec["close_reason"] = rec["close_reason"] or word
        if self.ship_method is not None and rec["carrier"] is None:
            rec["carrier"] = row[self.ship_method].strip() or None
        if self.window:
            self._window(rec, row, line, problems)
        if self.signed_discounts and rec["discount"] is not None and rec["discount"] < 0:
            rec["discount"] = -rec["discount"]  # Amazon writes a promotion as -500 or 500: its size
        if self.blocks:
            message = rec["buyer_message"]
            if message is not None and "[" in message:
                self._blocks(rec, message, line, problems)

    def _check_order_id(self, rec: dict, line: int, problems: list[dict]) -> None:
        order_id = rec["order_id"]
        if order_id is not None and "+" not in order_id:
            return  # the common case, said first: neither check below can fire
        if order_id is None:
            problems.append(problem(line, self.order_col, "order_id", "missing_order_id", None))
        elif ("E+" in order_id or "e+" in order_id) and _EXCEL_NUMBER.fullmatch(order_id):
            problems.append(problem(line, self.headers_of("order_id"), "order_id", "excel_mangled", order_id))

    def convert(self, row: list[str], line: int) -> dict:
        problems: list[dict] = []
        rec, row = self._cells(row, line, problems)
        if self.platform_steps:  # what only some platforms' exports need (decided once, in __init__)
            self._platform_steps(rec, row, line, problems)
        self._check_order_id(rec, line, problems)
        if self.privacy:
            mobile = rec["mobile"]
            if mobile is not None and len(mobile) > 11 and not mobile.isdigit():
                m = _PRIVACY.fullmatch(mobile)
                if m:  # 13012345678-1234: the number and its extension, apart
                    rec["mobile"] = m.group(1)
                    rec["mobile_ext"] = rec["mobile_ext"] or m.group(2)
        if rec["platform"] is None:
            rec["platform"] = self.default_platform
        self._place(rec, line, problems)
        if self.zero_cols and (self.japan or rec["province"] in _JP_SET):
            self._excel_zeros(rec, row, line, problems)
        if self.phone_moves and rec["mobile"] is None:
            phone = rec["phone"]
            # a Japanese mobile (070/080/090) in the phone column is the receiver's mobile
            if phone is not None and (self.japan or rec["province"] in _JP_SET) and _JP_MOBILE.fullmatch(phone):
                rec["mobile"], rec["phone"] = phone, None
        if self.item_rows:
            rec["items"] = [self._item(row, line, problems, self.items)]
        elif self.summary:
            rec["items"] = [self._item(row, line, problems, self.summary)]
        else:
            rec["items"] = []
        rec["problems"] = problems
        if self.settles and not self.item_rows:
            self.settle(rec)
        return rec

    def _place(self, rec: dict, line: int, problems: list[dict]) -> None:
        """Province, city and district from the columns and the address (regions.place, the one
        place an address becomes a place); a 〒 code in the address fills postal_code; an address
        not placed down to its city is a problem of the record."""
        address, province, city, district = rec["address"], rec["province"], rec["city"], rec["district"]
        if address is None and province is None and city is None:
            return
        if province is not None and city is not None and district is not None and self.district is None:
            return  # kefu's own records: placed when they were written
        if self.district is not None and address and province and not address.startswith(province):
            # Pinduoduo's 省/市/区 columns: the address read as the desk reads the label
            address = rec["address"] = " ".join(x for x in (province, city, district, address) if x)
        placed = place_cached(address, province, city, district, self.country,
                              (rec["mobile"], rec["phone"]), rec["postal_code"])
        where = placed.place
        rec["province"], rec["city"], rec["district"] = where.province, where.city, where.district
        if placed.postal_code and rec["postal_code"] is None:
            rec["postal_code"] = f"{placed.postal_code[:3]}-{placed.postal_code[3:]}"
        if placed.problem and self.address_col is not None:  # (a slim report has provinces only)
            problems.append(problem(line, self.address_col if address else None, "address", placed.problem,
                                    placed.found or address or province))

    def _window(self, rec: dict, row: list[str], line: int, problems: list[dict]) -> None:
        """A scheduled delivery window (Amazon.co.jp's scheduled-delivery-start-date/-end-date): its
        day is the promised date and its hours the delivery slot (a column that has them wins)."""
        ends = {}
        for name, i, header in self.window:
            v = self.window_parse(row[i].strip())
            if v.__class__ in _ODD:
                v = self._odd(v, line, header, name, row[i], problems)
            ends[name] = v
        start, end = ends.get("delivery_start"), ends.get("delivery_end")
        if start is None:
            return
        start = start.astimezone(self.tz)  # the day and hours where the buyer is (the platform's zone)
        end = end.astimezone(self.tz) if end is not None else None
        if rec["promised_date"] is None:
            rec["promised_date"] = start.date()
        if rec["delivery_slot"] is None and end is not None and end.date() == start.date():
            rec["delivery_slot"] = f"{start:%H:%M}-{end:%H:%M}"

    def _excel_zeros(self, rec: dict, row: list[str], line: int, problems: list[dict]) -> None:
        """Leading zeros Excel dropped from a Japanese number (a phone part 80 for 080, a postal-code
        part 136 for 0136): restored where that is unambiguous (a fixed problem), named with the
        fix where it is not."""
        for name, cells, restore, sep in self.zero_cols:
            parts = [_read_wrapped(row[i]) or "" for i in cells]
            if not any(parts):
                continue
            found = restore(tuple(parts))
            if found is None:
                continue
            header = ", ".join(headers for _i, headers in ((i, self.plan.headers[i].strip()) for i in cells))
            if name == "postal_code" and found.__class__ is not Bad:
                # restored only when Japan Post knows the code, in the order's prefecture
                known = postal_place("".join(found).replace("-", ""))
                if known is None or (rec["province"] in _JP_SET and known[0] != rec["province"]):
                    found = Bad("excel_leading_zero_lost", sep.join(p for p in parts if p))
            if found.__class__ is Bad:
                problems.append(problem(line, header, name, found.code, found.raw))
                continue
            rec[name] = sep.join(p for p in found if p)
            problems.append(problem(line, header, name, "excel_leading_zero", sep.join(p for p in parts if p),
                                    fixed=True))

    def _blocks(self, rec: dict, message: str, line: int, problems: list[dict]) -> None:
        """The platform's own `[title:]` blocks out of the buyer's message (Rakuten's コメント): a
        delivery wish read into promised_date and delivery_slot (a column that has them wins)."""
        rec["buyer_message"], found = split_blocks(message, self.blocks)
        for kind, title, content in found:
            if kind != "delivery":
                continue
            wish = delivery_wish(content)
            if wish.__class__ is Bad:
                problems.append(problem(line, self.message_col, "delivery_slot", "unreadable_delivery_wish",
                                        f"[{title}:] {content}"))
                continue
            day, slot = wish
            if day is not None and rec["promised_date"] is None:
                rec["promised_date"] = day
            if slot is not None and rec["delivery_slot"] is None:
                rec["delivery_slot"] = slot

    nuls = False  # the file's sample holds NUL bytes: rows are checked for them (OrderFile._plan)

    def _without_nuls(self, row: list[str], line: int, problems: list[dict]) -> list[str]:
        """NUL bytes are the cell's problem, never the file's: removed, each column named."""
        headers = self.plan.headers
        columns = [headers[i].strip() for i, cell in enumerate(row) if "\x00" in cell and i < len(headers)]
        problems.append(problem(line, ", ".join(columns) or None, None, "nul_bytes", ", ".join(columns), fixed=True))
        return [cell.replace("\x00", "") for cell in row]

    def _join(self, rec: dict, row: list[str], line: int, problems: list[dict]) -> None:
        for name, cells, money, sep in self.joined:
            if money:
                total = None
                for i, header in cells:
                    v = parse_money(row[i])
                    if v.__class__ in _ODD:
                        v = self._odd(v, line, header, name, row[i], problems)
                    if v is not None:
                        total = v if total is None else total + v
                rec[name] = total
            else:
                parts = [_read_wrapped(row[i]) for i, _h in cells]
                rec[name] = sep.join(p for p in parts if p) or None

    def settle(self, rec: dict) -> dict:
        """The amounts a platform's export implies (orders/platforms.py): fields derived from others
        (Amazon's paid, 抖店's goods from its items), and JD's amount due read as paid only once
        the status says the order is paid."""
        for name, formula in self.derive:
            if rec[name] is None:
                rec[name] = platforms.evaluate(formula.right, rec)
        if self.paid_when and rec["paid"] is not None and rec["status"] not in self.paid_when:
            rec["paid"] = Decimal("0.00") if rec["status"] == "unpaid" else None
        return rec

    def headers_of(self, name: str) -> str:
        return self.plan.headers[self.plan.index[name]].strip()

    def _misshapen(self, row: list[str], line: int, problems: list[dict]) -> list[str]:
        """A row joined from several lines, or with too few or too many cells: said in a problem;
        missing cells read as empty."""
        n, width = len(row), self.width
        if isinstance(row, JoinedRow):
            problems.append(problem(line, None, None, "joined_lines", row.lines, quote=False))
        if n < width:
            problems.append(problem(line, None, None, "missing_cells", n))
            return row + [""] * (width - n)
        if n > width:
            problems.append(problem(line, None, None, "extra_cells", n))
        return row

    def _odd(self, v, line, header, name, raw, problems):
        if v.__class__ is Fixed:
            problems.append(problem(line, header, name, v.note, raw, fixed=True))
            return v.value
        problems.append(problem(line, header, name, v.code, v.raw))
        return None

    def _item(self, row, line, problems, columns) -> dict:
        """The item of an item row (宝贝报表, one row per item) or of a summary (宝贝标题, 宝贝总数量)."""
        item = {"sku": None, "title": None, "qty": None, "price": None}
        for name, i, header in columns:
            raw = row[i].strip()
            if name in ("item_sku", "item_sku_alt"):
                if raw and item["sku"] is None:
                    item["sku"] = unwrap_excel(raw).strip() or None
            elif name in ("item_title", "summary_title"):
                if name in self.item_joins:  # a title and its spec (商品, 商品规格)
                    raw = " ".join(c for c in (row[j].strip() for j in self.item_joins[name]) if c)
                item["title"] = raw or None
            else:
                key, v = ("price", parse_money(raw)) if name == "item_price" else ("qty", parse_qty(raw))
                item[key] = self._odd(v, line, header, key, raw, problems) if v.__class__ in _ODD else v
        if self.line_prices and item["price"] is not None and item["qty"]:
            item["price"] = _unit_price(item["price"], item["qty"])  # Amazon's item-price is price × qty
        return item


_ODD = (Bad, Fixed)
# the repairs of Excel's lost zeros, remembered per distinct cells (the same damage repeats over rows)
_restore_phone = functools.lru_cache(maxsize=1 << 16)(lambda parts: restore_phone_zeros(list(parts)))
_restore_postal = functools.lru_cache(maxsize=1 << 16)(lambda parts: restore_postal_zeros(list(parts)))


class CaseConverter(RowConverter):
    """Turns one row of an after-sales file (a platform's refund/return export, the desk's ticket
    register) into a case record (orders/schema.CASE_FIELDS): the same cell readers, problems,
    misshapen-row and undecodable-byte handling as an order row, over the case's fields. The
    type, platform status and goods status are read through the file's profile vocabularies
    (config/aftersales/*.toml); a word not in them is that row's problem."""

    def __init__(self, plan: ColumnPlan, tz, default_platform: str | None, encoding: str,
                 replaced_before: int | None = None):
        self.plan = plan
        self.tz = tz
        self.encoding = encoding
        self.width = len(plan.headers)
        idx, headers, joins, profile = plan.index, plan.headers, plan.joins, plan.profile

        def cols(names):
            return [(n, idx[n], headers[idx[n]].strip()) for n in names if n in idx and n not in joins]

        words = plan.words
        vocab = {"type": word_parser(words["types"], "unknown_case_type"),
                 "platform_status": word_parser(words["statuses"], "unknown_case_status"),
                 "goods_status": word_parser(words["goods"], "unknown_goods_status")}
        self.text = cols(CASE_TEXT)
        self.parsed = [(n, i, h, parse) for names, parse in ((CASE_IDS, _read_wrapped), (CASE_MONEY, parse_money),
                                                             (CASE_TIMES, datetime_parser(tz)),
                                                             (CASE_FLAGS, parse_evidence), *vocab.items())
                       for n, i, h in cols(names if isinstance(names, tuple) else (names,))]
        self.ids, self.parsed = _ids_apart(self.parsed)
        self.joined = [(n, [(i, headers[i].strip()) for i in cells], n in CASE_MONEY, " ") for n, cells in joins.items()]
        self.items, self.item_joins, self.item_rows, self.summary = [], {}, False, []
        self.line_prices, self.district, self.privacy = False, None, False
        self.derive, self.paid_when, self.per_item, self.settles = [], (), (), False
        self.order_col = headers[idx["order_id"]].strip() if "order_id" in idx else None
        self.template = {"row": None, "source": None, **dict.fromkeys(CASE_FIELDS), "problems": None}
        if profile is not None:  # what the export implies when it has no column (Amazon: a return)
            for name, text in profile.defaults.items():
                if name not in idx:
                    self.template[name] = vocab[name](text) if name in vocab else text
        self.default_platform = plan.platform if plan.platform not in ("generic", "register") else default_platform
        self.seen_replaced = _replaced[0] if replaced_before is None else replaced_before

    def convert(self, row: list[str], line: int) -> dict:
        problems: list[dict] = []
        rec, row = self._cells(row, line, problems)
        self._check_order_id(rec, line, problems)
        if rec["platform"] is None:
            rec["platform"] = self.default_platform
        rec["problems"] = problems
        return rec


def _ids_apart(parsed: list[tuple]) -> tuple[list[tuple[str, int]], list[tuple]]:
    """(field, column) of the id columns (read by _read_wrapped, which has no problem to say), and
    the other parsed columns in their order."""
    return ([(n, i) for n, i, _h, parse in parsed if parse is _read_wrapped],
            [entry for entry in parsed if entry[3] is not _read_wrapped])


def _read_wrapped(cell: str) -> str | None:
    """Order, phone and waybill numbers: Excel's ="…" wrapper and a leading ' dropped."""
    v = cell.strip()
    if v and v[0] in "='":
        v = unwrap_excel(v).strip()
    return v or None


def group_items(records: Iterable[dict], per_item: tuple[str, ...] = (), settle=None) -> Iterator[dict]:
    """Merge consecutive item rows of the same order into one record: the first row's order fields,
    every row's items and problems, and the amounts a platform writes per item row (`per_item`)
    added up; `settle` then completes the order's amounts (RowConverter.settle)."""
    pending = None
    for rec in records:
        if pending is not None and rec["order_id"] is not None and rec["order_id"] == pending["order_id"]:
            pending["items"].extend(rec["items"])
            pending["problems"].extend(rec["problems"])
            for name in per_item:
                if rec[name] is not None:
                    pending[name] = rec[name] if pending[name] is None else pending[name] + rec[name]
            continue
        if pending is not None:
            yield settle(pending) if settle else pending
        pending = rec
    if pending is not None:
        yield settle(pending) if settle else pending


def _unit_price(line_price: Decimal, qty: int) -> Decimal:
    unit = line_price / qty
    if unit == unit.to_integral_value():
        return unit.quantize(line_price if line_price.as_tuple().exponent < 0 else Decimal(1))
    return unit.quantize(Decimal("0.01"))


class Rows:
    """Rows that come from elsewhere than a file: a platform's API answer that kefu_cli.pull has
    written as that platform's export writes its rows (its headers, its words, its cell text).
    They are read exactly as a file of that platform is: the same column plan from the same
    profile (and the shop's [columns]), the same RowConverter, the same grouping of item rows and
    settling of amounts. A record's `row` is None (no line of a file)."""

    def __init__(self, headers: list[str], config: Config, platform: str):
        profiles = platforms.profiles(config.directory)
        self.plan = plan_columns(headers, profiles, config.column_aliases, platform)
        self.tz = _zone_of(self.plan, config)
        self.converter = RowConverter(self.plan, self.tz, config.platform, "utf-8")

    def records(self, rows: Iterable[list[str]]) -> Iterator[dict]:
        """The records of `rows` (cells in header order; an order's item rows one after another)."""
        conv = self.converter
        records = (conv.convert(row, None) for row in rows)
        if self.plan.item_rows:
            records = group_items(records, conv.per_item, conv.settle if conv.settles else None)
        return records


# --------------------------------------------------------------------------- files


@dataclass
class Stats:
    records: int = 0
    rows_with_problems: int = 0
    problem_rows: list[int] = field(default_factory=list)  # the first few, for the warning
    unmatched_items: list[int] = field(default_factory=list)
    skipped_items: list[int] = field(default_factory=list)  # items rows unreadable or without an order number
    places: dict[str, int] = field(default_factory=dict)  # address problem code -> orders

    def count(self, rec: dict) -> None:
        self.records += 1
        if rec["problems"]:
            self.rows_with_problems += 1
            if len(self.problem_rows) < 10:
                self.problem_rows.append(rec["row"])
            for p in rec["problems"]:
                if p["code"] in ADDRESS_PROBLEMS:
                    self.places[p["code"]] = self.places.get(p["code"], 0) + 1

    def merge(self, other: "Stats") -> None:
        self.records += other.records
        self.rows_with_problems += other.rows_with_problems
        # the first ten rows of both (a later block's, or another share's interleaved with these)
        self.problem_rows = sorted(self.problem_rows + other.problem_rows)[:10]
        self.unmatched_items.extend(other.unmatched_items)
        self.skipped_items.extend(other.skipped_items)
        for code, n in other.places.items():
            self.places[code] = self.places.get(code, 0) + n


def share_of(row: list[str], column: int, shares: int, pins=None) -> int:
    """Which of `shares` a row belongs to, by its order number as the converter reads it (the cell
    with its NUL bytes removed, through _read_wrapped): every row of one order, in every file,
    falls in the same share. A row too short to have the column, or without a number, is share 0.
    `pins` (column, {value: share}): a row whose cell in that column (read the same way) is a key
    goes to that share instead (after-sales: a case its ticket names by 退款编号)."""
    if pins is not None:
        pin_column, pinned = pins
        if pin_column < len(row):
            hit = pinned.get(_read_wrapped(row[pin_column].replace("\x00", "")))
            if hit is not None:
                return hit
    if column >= len(row):
        return 0
    cell = row[column]
    if cell.isdigit():  # most numbers: nothing to strip or unwrap
        return hash(cell) % shares
    if "\x00" in cell:
        cell = cell.replace("\x00", "")
    return share_key(_read_wrapped(cell), shares)


def share_key(order_id: str | None, shares: int) -> int:
    """The share of an order number read (share_of's rule, for records already read)."""
    return 0 if order_id is None else hash(order_id) % shares


def _line_and(cells, line: int) -> tuple:
    return line, cells


def _line_first(line: int, error) -> tuple:
    return line, error


def _zone_of(plan: ColumnPlan, config: Config):
    """A time without an offset is in the zone of whoever wrote it: the platform's, else the shop's."""
    from zoneinfo import ZoneInfo  # one instance per key: the same object as config.tzinfo()

    return ZoneInfo(plan.profile.timezone if plan.profile is not None and plan.profile.timezone else config.timezone)


class OrderFile:
    """An order file opened for reading: `plan` tells which columns it has, `records()` streams."""

    def __init__(self, path: str, config: Config, *, encoding: str | None = None,
                 input_format: str | None = None, items: str | None = None,
                 required: tuple[str, ...] = ("order_id",), stdin: BinaryIO | None = None,
                 platform: str | None = None, sheet: str | None = None, kind: str = "orders",
                 max_cells: int | None = None):
        """`kind`: "orders", or "aftersales" for a refund/return export or the ticket register
        (orders/platforms.AFTERSALES): the same opening, recognition and row loop, the case
        converter. `max_cells`: the largest workbook sheet read (orders/workbook.py)."""
        self.path = path
        self.max_cells = max_cells
        self.kind = platforms.KINDS[kind]
        self.forced_platform = platform
        self.sheet = sheet
        self.name = "<stdin>" if path == "-" else path
        self.config = config
        self.stats = Stats()
        self._stdin = stdin
        self._stream = self._open()
        try:
            self._setup(encoding, input_format, items, required)
        except BaseException:
            self.close()  # a file that cannot be read is not left open
            raise

    def _setup(self, encoding, input_format, items, required) -> None:
        sample = self._read_sample()
        if input_format and input_format not in FORMATS:
            raise InputError(_("unknown input format {value}").format(value=input_format),
                             hint=_("use one of: {choices}").format(choices=", ".join(FORMATS)))
        self.sample = sample
        self._replaced_at_open = _replaced[0]
        if input_format == "xlsx" or (input_format is None and sample.startswith(WORKBOOK_MAGIC)):
            self.encoding, self.format, self.delimiter, self._first_json = "utf-8", "xlsx", None, None
            from kefu_cli.orders.workbook import open_sheet

            self._rows = open_sheet(self._workbook_stream(sample), self.name, self.sheet, self.max_cells)
            try:
                headers = next(self._rows)
            except StopIteration:
                raise InputError(_("{file}: the sheet is empty").format(file=self.name),
                                 hint=_("an order file starts with a header row")) from None
            self._plan(headers, encoding, items, required)
            return
        if self.sheet is not None:
            from kefu_cli.errors import UsageError

            raise UsageError(_("--sheet is for Excel workbooks; {file} is a text file").format(file=self.name))
        self.encoding = check_encoding(encoding) if encoding else detect_encoding(sample, self.name)
        text_sample = sample.decode(self.encoding, "replace")
        self.format = input_format or detect_format(self.name, text_sample)
        self._text = io.TextIOWrapper(
            io.BufferedReader(_Prefixed(sample, self._stream), 1 << 16) if not self._seekable else self._rewind(),
            encoding=self.encoding, errors="kefu-replace", newline="")
        if self.format in ("csv", "tsv"):
            self.delimiter = "\t" if self.format == "tsv" else ","
            self._rows = csv.reader(self._text, delimiter=self.delimiter)
            try:
                headers = next(self._rows)
            except StopIteration:
                raise InputError(_("{file}: the file is empty").format(file=self.name),
                                 hint=_("an order file starts with a header row")) from None
            except csv.Error as exc:
                raise InputError(_("{file}: the header row cannot be read: {error}").format(file=self.name, error=exc)) from None
            self._first_json = None
        else:
            self.delimiter = None
            headers, self._first_json = self._json_headers()
        self._plan(headers, encoding, items, required)

    def _plan(self, headers, encoding, items, required) -> None:
        """The column plan of the header row, its converter, and what the header row tells the user."""
        config = self.config
        kind = self.kind
        self.profiles = platforms.profiles(config.directory, kind)
        if self.forced_platform is not None and self.forced_platform not in self.profiles:
            from kefu_cli.errors import UsageError

            raise UsageError(_("unknown platform {value}").format(value=self.forced_platform),
                             hint=_("use one of: {choices}").format(choices=", ".join(
                                 n for n in sorted(self.profiles) if n != "common")))
        orders = kind is platforms.ORDERS
        self._aliases = config.column_aliases if orders else config.case_column_aliases
        self._converter_class = RowConverter if orders else CaseConverter
        self._default_platform = config.platform if orders else None
        section, folder = ("[columns]", kind.folder) if orders else ("[aftersales.columns]", kind.folder)
        self.plan = plan_columns(headers, self.profiles, self._aliases, self.forced_platform)
        self.tz = _zone_of(self.plan, config)
        self.notes: list[str] = []
        if orders:
            self._province_only_address()
        self.converter = self._converter_class(self.plan, self.tz, self._default_platform, self.encoding,
                                               self._replaced_at_open)
        self.converter.nuls = b"\x00" in self.sample
        self._only = None
        for name in required:
            if not self.plan.has(name):
                raise InputError(
                    _("{file}: no {column} column (looked for: {aliases})").format(
                        file=self.name, column=name, aliases=", ".join(_aliases_for(name, self.plan.platform, self.profiles))),
                    hint=_("the file is not in {encoding}: drop --encoding or pass the right one").format(
                        encoding=encoding) if encoding else
                    _("rename the column, or declare its name under {section} in shop.toml").format(section=section))
        recognition = self.plan.recognition
        if self.plan.platform == "generic" or recognition.forced:
            pass  # nothing was guessed
        elif recognition.tie:
            self.notes.append(_("{file}: the headers fit {candidates} equally; read as {platform} — pass --platform to choose").format(
                file=self.name, platform=self.plan.platform,
                candidates=", ".join(n for n, _k in recognition.candidates)))
        else:
            known = recognition.candidates[0][1]
            named = sum(1 for h in self.plan.headers if h.strip())
            if known * 2 < named:
                self.notes.append(_("{file}: read as {platform}, but it knows only {known} of the {count} headers; "
                                    "pass --platform if that is wrong (kefu orders --explain shows each header)").format(
                    file=self.name, platform=self.plan.platform, known=known, count=named))
        if self.plan.unknown:
            self.notes.append(_("{file}: columns not read: {columns} — declare each under {section} in shop.toml "
                                "(field = [\"header\"]) or in config/{folder}/{platform}.toml (unused = [...])").format(
                file=self.name, columns=name_some(self.plan.unknown), platform=self.plan.platform if
                self.plan.platform != "generic" else "common", section=section, folder=folder))
        if self.plan.missing:
            profile = self.plan.profile
            self.notes.append(_("{file}: a {label} export has {columns}, this file does not: those fields are empty").format(
                file=self.name, label=profile.label or profile.name, columns=", ".join(
                    f"{'/'.join(profile.header_of(f)) or f} ({f})" for f in self.plan.missing)))
        self.items_by_order: dict[str, list[dict]] | None = None
        self._items_rows: dict[str, list[int]] = {}
        self._items_problems: dict[str, list[dict]] = {}  # order -> its items rows' problems
        self._items_skipped: list[int] = []  # items rows unreadable or without an order number
        self._items_used: set[str] = set()
        # bytes replaced while the header and the first rows were decoded (before any other file,
        # the items file included, adds to the process-wide count): see reading_starts
        self._replaced_in_open = _replaced[0] - self._replaced_at_open
        if items:
            self._load_items(items)

    def reading_starts(self) -> None:
        """The rows are about to be read (here, or again in a worker): a row is checked for U+FFFD
        when bytes of this file were replaced — at its opening or since now — never because another
        file, opened or read since, had some (RowConverter.seen_replaced against the count)."""
        self.converter.seen_replaced = _replaced[0] - self._replaced_in_open

    def _province_only_address(self) -> None:
        """Slim reports write only the province under 收货地址: when every address in the sample
        is a province name, read the column as `province` (and say so) instead of reporting every
        order's address as incomplete."""
        index = self.plan.index
        if self.delimiter is None or "address" not in index or "province" in index:
            return
        from kefu_cli.orders.regions import province_of

        col = index["address"]
        text = self.sample.decode(self.encoding, "replace")
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        values = []
        try:
            for i, row in enumerate(rows):
                if i == 0 or not row:
                    continue
                if i > 200:
                    break
                if col < len(row) and row[col].strip():
                    values.append(row[col].strip())
        except csv.Error:
            return
        truncated = len(self.sample) >= SAMPLE_SIZE  # the last row may be cut off by the sample's end
        check = values[:-1] if truncated and len(values) > 1 else values
        if check and all(province_of(v) for v in check):
            index["province"] = index.pop("address")
            self.notes.append(_("{file}: column {column} holds only provinces: read as province").format(
                file=self.name, column=self.plan.headers[col].strip()))

    # -- opening

    def _open(self) -> BinaryIO:
        if self.path == "-":
            self._seekable = False
            return self._stdin if self._stdin is not None else sys.stdin.buffer
        try:
            stream = open(self.path, "rb")
        except FileNotFoundError:
            raise InputError(_("{file}: no such file").format(file=self.path)) from None
        except IsADirectoryError:
            raise InputError(_("{file}: is a directory, not a file").format(file=self.path)) from None
        except OSError as exc:
            raise InputError(_("{file}: cannot open: {error}").format(file=self.path, error=exc.strerror)) from None
        self._seekable = stream.seekable()
        return stream

    def _read_sample(self) -> bytes:
        try:
            return self._stream.read(SAMPLE_SIZE) or b""
        except OSError as exc:
            raise InputError(_("{file}: cannot read: {error}").format(file=self.name, error=exc.strerror)) from None

    def _rewind(self):
        self._stream.seek(0)
        return self._stream

    def _workbook_stream(self, sample: bytes) -> BinaryIO:
        """The workbook as a seekable stream (a zip is read from its end): the file itself, or
        stdin and pipes spooled to a temporary file past 64 MiB, not held in memory."""
        if self._seekable:
            return self._rewind()
        import shutil
        import tempfile

        spool = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)
        try:
            spool.write(sample)
            shutil.copyfileobj(self._stream, spool, 1 << 20)
        except OSError as exc:
            spool.close()
            raise InputError(_("{file}: cannot read: {error}").format(file=self.name, error=exc.strerror)) from None
        spool.seek(0)
        self._spool = spool
        return spool

    def close(self) -> None:
        if self.path != "-":
            self._stream.close()
        spool = getattr(self, "_spool", None)
        if spool is not None:
            spool.close()

    # -- JSON

    def _json_headers(self) -> tuple[list[str], object]:
        import json

        if self.format == "json":
            try:
                data = json.load(self._text, parse_float=Decimal, parse_int=str)
            except json.JSONDecodeError as exc:
                raise InputError(_("{file}: not valid JSON (line {line}): {error}").format(
                    file=self.name, line=exc.lineno, error=exc.msg)) from None
            except RecursionError:
                raise InputError(_("{file}: the JSON is nested too deeply to read").format(file=self.name),
                                 hint=_("an order file holds an array of order objects")) from None
            if isinstance(data, dict):
                data = [data]
            if not isinstance(data, list):
                raise InputError(_("{file}: a JSON file must hold an array of order objects").format(file=self.name))
            headers: dict[str, None] = {}
            for obj in data:
                if isinstance(obj, dict):
                    headers.update(dict.fromkeys(obj))
            return list(headers) or ["order_id"], data
        # JSONL: headers from the first object; later objects may carry more keys
        first = None
        line_no = 0
        for line in self._text:
            line_no += 1
            if line.strip():
                first = (line_no, line)
                break
        if first is None:
            raise InputError(_("{file}: the file is empty").format(file=self.name))
        try:
            obj = json.loads(first[1], parse_float=Decimal, parse_int=str)
        except (json.JSONDecodeError, RecursionError):
            obj = None
        headers = list(obj) if isinstance(obj, dict) else ["order_id"]
        return headers, first

    # -- records

    def _csv_rows(self, rows=None, line_base: int = 0, convert=None, unreadable=None, share=None) -> Iterator:
        """The row loop: `convert(cells, line)` for each row of `rows` (the file's own csv reader
        by default) and `unreadable(line, error)` for a row csv cannot read; by default (line,
        cells) and (line, error). `line_base` is added to the reader's line numbers (a block of
        the file read by a worker). A plain `for` over the reader, re-entered after an error:
        the loop costs no Python call per row of its own. `share` (k, n, pins): only the rows of
        share k of n (share_of), the others passed over unconverted (orders/parallel.share_records)."""
        rows = self._rows if rows is None else rows
        width = len(self.plan.headers)
        convert = convert or _line_and
        unreadable = unreadable or _line_first
        if share is not None:
            mine, shares, pins = share
            column = self.plan.index["order_id"]
        done = rows.line_num  # lines read so far
        while True:
            try:
                for row in rows:
                    end = rows.line_num
                    if row and (share is None or share_of(row, column, shares, pins) == mine):
                        start = done + 1 + line_base
                        if len(row) != width and end > done + 1:
                            row = JoinedRow(row, start, end + line_base)
                        yield convert(row, start)
                    done = end
                return
            except csv.Error as exc:
                start = done + 1 + line_base
                done = rows.line_num
                if share is None or mine == 0:
                    yield unreadable(start, exc)

    def raw_records(self, rows=None, line_base: int = 0, share=None) -> Iterator[dict]:
        """Records before grouping and the items join."""
        if self.format in ("csv", "tsv", "xlsx"):
            return self._csv_rows(rows, line_base, self.converter.convert, self._unreadable_row, share)
        return self._json_records()

    def _unreadable_row(self, line: int, error: csv.Error) -> dict:
        rec = self.converter.template.copy()
        rec.update(row=line, items=[], problems=[problem(line, None, None, "unreadable_row", str(error))])
        return rec

    def block_records(self, block: bytes | BinaryIO, first_line: int, share=None,
                      end_mark: str | None = None) -> Iterator[dict]:
        """Records of a block of this CSV/TSV file (its bytes, or a stream of them) that starts at
        a row on line `first_line` (orders/parallel.py): the same row loop and converter as the
        whole file. The block is decoded as it is read, as a file is, never as one string and a
        copy of it (a 2 MiB block made ~15 MB of short-lived buffers that the heap gave back and
        faulted in again per block). `end_mark`: a line read after the block (parallel._ends_clean)."""
        stream = io.BytesIO(block) if isinstance(block, (bytes, bytearray)) else block
        text = io.TextIOWrapper(stream, encoding=self.encoding, errors="kefu-replace", newline="")
        if end_mark is not None:
            from itertools import chain

            text = chain(text, (end_mark,))
        rows = csv.reader(text, delimiter=self.delimiter)
        return self.raw_records(rows, first_line - 1, share)

    def _json_records(self) -> Iterator[dict]:
        import json

        if self.format == "json":
            entries = enumerate(self._first_json, start=1)
        else:
            first_line, first_text = self._first_json

            def lines():
                yield first_line, first_text
                n = first_line
                for text in self._text:
                    n += 1
                    if text.strip():
                        yield n, text

            entries = lines()
        for n, entry in entries:
            if isinstance(entry, str):
                try:
                    entry = json.loads(entry, parse_float=Decimal, parse_int=str)
                except json.JSONDecodeError as exc:
                    yield self._bad_json(n, f"{exc.msg} (column {exc.colno})")
                    continue
                except RecursionError:
                    yield self._bad_json(n, _("nested too deeply"))
                    continue
            if not isinstance(entry, dict):
                yield self._bad_json(n, type(entry).__name__)
                continue
            yield self._convert_object(entry, n)

    def _bad_json(self, n: int, why: str) -> dict:
        rec = self.converter.template.copy()
        rec.update(row=n, items=[], problems=[problem(n, None, None, "not_an_object", why)])
        return rec

    def _convert_object(self, obj: dict, n: int) -> dict:
        plan = self.plan
        known = {h: i for i, h in enumerate(plan.headers)}
        extra = [k for k in obj if k not in known]
        if extra:  # a later object with keys the first one lacked
            headers = plan.headers + extra
            self.plan = plan = plan_columns(headers, self.profiles, self._aliases, self.forced_platform)
            self.converter = self._converter_class(plan, self.tz, self._default_platform, self.encoding,
                                                   self.converter.seen_replaced)
            if self._only is not None:
                self.converter.only(self._only)
        row = [_cell(obj.get(h)) for h in plan.headers]
        rec = self.converter.convert(row, n)
        rec["problems"] = [p for p in rec["problems"] if p["code"] != "missing_cells"]
        items = _json_items(obj.get("items"), n, rec["problems"])
        if items is not None:
            rec["items"] = items
        return rec

    def read_only(self, fields) -> None:
        """Read only these fields of each order (and what the converter needs to read them,
        RowConverter.only); the others stay None. For a reader that needs a few fields of a wide
        export: the problems of the cells not read are not seen (`kefu audit` sees them)."""
        self._only = tuple(fields)
        self.converter.only(self._only)

    def records(self) -> Iterator[dict]:
        """The canonical order records, grouped and joined with the items file."""
        self.reading_starts()
        records = self.raw_records()
        if self.plan.item_rows:
            conv = self.converter
            records = group_items(records, conv.per_item, conv.settle if conv.settles else None)
        count = self.stats.count
        items = self.items_by_order
        for rec in records:
            if items is not None and rec["order_id"] in items:
                rec["items"] = items[rec["order_id"]]
                self._items_used.add(rec["order_id"])
                found = self._items_problems.get(rec["order_id"])
                if found:  # a bad cell of an items row is its order's problem, with the items file's row
                    rec["problems"] = rec["problems"] + found
            count(rec)
            yield rec
        if items is not None:
            for order_id, rows in self._items_rows.items():
                if order_id not in self._items_used:
                    self.stats.unmatched_items.extend(rows)
            self.stats.skipped_items.extend(self._items_skipped)

    # -- items file (宝贝报表)

    def _load_items(self, path: str) -> None:
        items_file = OrderFile(path, self.config, required=("order_id",), stdin=self._stdin, max_cells=self.max_cells)
        try:
            if not any(items_file.plan.has(n) for n in ("item_sku", "item_sku_alt", "item_title")):
                raise InputError(_("{file}: not an items file: no SKU or title column (商家编码, 外部系统编号, 标题)").format(
                    file=items_file.name))
            if items_file.format not in ("csv", "tsv", "xlsx"):
                raise InputError(_("{file}: an items file is read as CSV, TSV or .xlsx, not {format}").format(
                    file=items_file.name, format=items_file.format),
                    hint=_("export the items report (宝贝报表) as CSV"))
            conv = items_file.converter
            conv.item_rows = True
            by_order: dict[str, list[dict]] = {}
            for line, row in items_file._csv_rows():
                if isinstance(row, csv.Error):
                    self._items_skipped.append(line)
                    continue
                rec = conv.convert(row, line)
                oid = rec["order_id"]
                if oid is None:
                    self._items_skipped.append(line)
                    continue
                by_order.setdefault(oid, []).extend(rec["items"])
                self._items_rows.setdefault(oid, []).append(line)
                if rec["problems"]:  # said with the items file's name: `row` is that file's
                    self._items_problems.setdefault(oid, []).extend(
                        {**p, "message": f"{items_file.name}:{p['row']}: {p['message']}"} for p in rec["problems"])
            self.items_by_order = by_order
        finally:
            items_file.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, dict)):
        return ""
    return str(value)


def _json_items(value, n: int, problems: list[dict]) -> list[dict] | None:
    if value is None:
        return None
    out = []
    if not isinstance(value, list):
        problems.append(problem(n, "items", "items", "not_an_object", type(value).__name__))
        return []
    for entry in value:
        if not isinstance(entry, dict):
            problems.append(problem(n, "items", "items", "not_an_object", type(entry).__name__))
            continue
        item = {"sku": None, "title": None, "qty": None, "price": None}
        item["sku"] = _cell(entry.get("sku")).strip() or None
        item["title"] = _cell(entry.get("title")).strip() or None
        qty = parse_qty(_cell(entry.get("qty", entry.get("quantity"))))
        if qty.__class__ is Bad:
            problems.append(problem(n, "items.qty", "qty", qty.code, qty.raw))
            qty = None
        elif qty.__class__ is Fixed:
            qty = qty.value
        item["qty"] = qty
        price = parse_money(_cell(entry.get("price")))
        if price.__class__ is Bad:
            problems.append(problem(n, "items.price", "price", price.code, price.raw))
            price = None
        elif price.__class__ is Fixed:
            price = price.value
        item["price"] = price
        out.append(item)
    return out


NAMED_AT_MOST = 20  # columns a warning line names; the rest counted


def name_some(names: list[str]) -> str:
    """Column names for one warning line: the first NAMED_AT_MOST, then how many more (a file of
    200,000 columns made one 1.7 MB line)."""
    shown = ", ".join(names[:NAMED_AT_MOST])
    if len(names) > NAMED_AT_MOST:
        shown += _(" (and {count} more)").format(count=len(names) - NAMED_AT_MOST)
    return shown


def _aliases_for(name: str, platform: str, table) -> list[str]:
    return [name, *(h for h, (f, _src) in platforms.lookup_for(platform, table).items() if f == name and h != name)]

