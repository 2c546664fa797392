"""Parsing single values from order files: money, timestamps, dates, statuses, flags.

Every parser returns the clean value, None for an empty cell, or a `Bad` describing what was
wrong (the reader turns it into a row-level problem). A value kefu could recover (full-width
digits, a 元 suffix, thousands separators) comes back as `Fixed(value, note)` so the record
can say so. These run once per cell over million-row files, so each has a cheap fast path and
a cache where values repeat.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation


class Bad:
    """A value that could not be read: `code` is machine-readable, `raw` the original text."""

    __slots__ = ("code", "raw")

    def __init__(self, code: str, raw: str):
        self.code = code
        self.raw = raw

    def __repr__(self) -> str:
        return f"Bad({self.code!r}, {self.raw!r})"


class Fixed:
    """A value recovered from an unusual spelling; `note` is a machine code saying how."""

    __slots__ = ("value", "note")

    def __init__(self, value, note: str):
        self.value = value
        self.note = note


# Bounds of a believable value: a cell past them is a problem of its row (out_of_range), never a
# value that breaks arithmetic, a date calculation or the output further on.
MONEY_DIGITS = 12  # integer digits of an amount: up to 999,999,999,999
QTY_MAX = 999_999  # items on one order line
YEARS = (1970, 2199)  # order, payment and promised dates
MAX_OFFSET_HOURS = 14  # UTC offsets run from -12:00 to +14:00


def believable(value: datetime) -> bool:
    """A datetime within YEARS whose UTC offset, if any, is within ±14 hours."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        return False
    try:
        offset = value.utcoffset()
    except ValueError:  # a tzinfo that reports 24 hours or more
        return False
    return offset is None or abs(offset.total_seconds()) <= MAX_OFFSET_HOURS * 3600


FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋：／　", "0123456789.,-+:/ ")
_MONEY_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")  # ASCII digits only
_CACHE_LIMIT = 200_000


def remembering(read, doc: str):
    """`read` with the distinct cells it was given remembered (at most _CACHE_LIMIT, then
    forgotten at once): amounts and quantities repeat over millions of rows. Its results are
    values or Bad/Fixed, never changed by who reads them, so one answer serves every row."""
    cache: dict[str, object] = {}

    def parse(text: str):
        try:
            return cache[text]
        except KeyError:
            pass
        result = read(text)
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[text] = result
        return result

    parse.__doc__ = doc
    return parse


def _parse_money(text: str):
    s = text.strip()
    if not s:
        return None
    notes = []
    if s[:2] == '="' and s[-1:] == '"':  # Excel's text wrapper around an amount
        s = s[2:-1].strip()
        notes.append("excel_wrapper")
    if not s.isascii():
        t = s.translate(FULLWIDTH)
        if t != s:
            notes.append("fullwidth_digits")
            s = t
        for prefix in ("¥", "￥", "RMB", "CNY"):
            if s.startswith(prefix):
                s = s[len(prefix):].strip()
        for suffix in ("元", "円"):
            if s.endswith(suffix):
                s = s[: -len(suffix)].strip()
    if "," in s and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
        notes.append("thousands_separator")
    if not _MONEY_RE.fullmatch(s):
        return Bad("not_a_number", text)
    try:
        value = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
        return Bad("not_a_number", text)
    if value.is_zero():
        value = abs(value)  # "-0" is zero
    if value.adjusted() >= MONEY_DIGITS:
        return Bad("out_of_range", text)
    return Fixed(value, "+".join(notes)) if notes else value


parse_money = remembering(_parse_money, "Decimal | None | Fixed | Bad. Never float.")


# --------------------------------------------------------------------------- timestamps

# Excel's own way of writing a date-time cell to CSV in a US locale: 12/5/2023 20:24 (month first)
_US_DT_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*$")


class _Groups(tuple):
    def groups(self):
        return self


_DT_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:時时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?)?秒?)?\s*$"
)
_dt_cache: dict[tuple[str, object], object] = {}


def fixed_offset(tz: tzinfo) -> str | None:
    """"+08:00" when `tz` has had one UTC offset since 1992 and keeps it (Asia/Shanghai,
    Asia/Tokyo): naive times can then be read by appending it, a C-speed path. None otherwise."""
    offsets = {tz.utcoffset(datetime(year, month, 15, 12)) for year in range(1992, 2041) for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    if offset is None:
        return None
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def datetime_parser(tz: tzinfo):
    """parse_datetime bound to `tz`, with the fast path for fixed-offset zones."""
    suffix = fixed_offset(tz)
    fromiso = datetime.fromisoformat
    if suffix is None:
        return lambda text: parse_datetime(text, tz)

    low, high = str(YEARS[0]), str(YEARS[1])

    def parse(text: str):
        if not text:
            return None  # an empty cell (an unpaid order's 付款时间), as parse_datetime has it
        if len(text) in (19, 16) and text[10] in " T" and low <= text[:4] <= high:
            try:
                return fromiso(text + suffix)
            except ValueError:
                pass
        value = parse_datetime(text, tz)
        if value.__class__ is datetime and value.tzinfo is tz:  # same instant, one tzinfo type
            value = fromiso(value.isoformat())
        return value

    return parse


def parse_datetime(text: str, tz: tzinfo):
    """Aware datetime | None | Bad. Naive timestamps are read in `tz` (the shop's zone). A year
    outside YEARS or an offset past ±14:00 is Bad("out_of_range")."""
    value = _parse_datetime(text, tz)
    if value.__class__ is datetime and not believable(value):
        return Bad("out_of_range", text)
    return value


def _parse_datetime(text: str, tz: tzinfo):
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        key = (text, tz)
        try:
            return _dt_cache[key]
        except KeyError:
            pass
        result = _parse_datetime_slow(text, tz)
        if len(_dt_cache) > _CACHE_LIMIT:
            _dt_cache.clear()
        _dt_cache[key] = result
        return result
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def _parse_datetime_slow(text: str, tz: tzinfo):
    s = text.strip()
    if not s:
        return None
    if not s.isascii():
        s = s.translate(FULLWIDTH)
    if s != text:
        try:
            value = datetime.fromisoformat(s)
            return value.replace(tzinfo=tz) if value.tzinfo is None else value
        except ValueError:
            pass
    m = _DT_RE.match(s)
    if m is None:
        m = _US_DT_RE.match(s)
        if m:  # Excel's M/D/YYYY H:MM (a CSV re-saved by Excel in a US locale): reorder to Y, M, D
            mo_, d_, y_, *rest = m.groups()
            m = _Groups((y_, mo_, d_, *rest))
    if m:
        y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
        try:
            return datetime(y, mo, d, h, mi, sec, tzinfo=tz)
        except ValueError:
            return Bad("not_a_date", text)
    if re.fullmatch(r"[\d.]+[eE][+-]?\d+|nan|NaN|inf", s) or s.isdigit() or not re.search(r"(?<!\d)\d{4}(?!\d)", s):
        return Bad("not_a_date", text)  # the fallback only sees text with a four-digit year
    import warnings

    from dateutil import parser as dateutil_parser  # the slow fallback for rare shapes

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "tzname E identified but not understood": not a date
            value = dateutil_parser.parse(s, default=datetime(2000, 1, 1))
            # a year, month or day dateutil filled in from its default is a guess, not a date
            if value != dateutil_parser.parse(s, default=datetime(2001, 2, 2)):
                return Bad("not_a_date", text)
    except (ValueError, OverflowError, Warning):
        return Bad("not_a_date", text)
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def parse_date(text: str):
    """date | None | Bad."""
    if not text:
        return None
    s = text.strip()
    if not s:
        return None
    try:
        value = date.fromisoformat(s)
        return value if YEARS[0] <= value.year <= YEARS[1] else Bad("out_of_range", text)
    except ValueError:
        pass
    value = parse_datetime(s, None)  # type: ignore[arg-type]
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, Bad) else Bad("not_a_date", text)


# --------------------------------------------------------------------------- codes

STATUSES = ("unpaid", "paid", "shipped", "completed", "closed")


def word_parser(vocabulary: dict[str, str], code: str):
    """A cell -> code reader for one file's vocabulary (its platform's status or after-sale words,
    orders/platforms.py): case-folded, full-width commas and brackets read as the platform writes
    them, the distinct cells cached; a word not in it is Bad(`code`)."""
    cache: dict[str, object] = {}
    table = {k.lower(): v for k, v in vocabulary.items()}
    table.update({k.replace("，", ","): v for k, v in table.items()})

    def parse(text: str):
        try:
            return cache[text]
        except KeyError:
            pass
        s = text.strip().replace("（", "(").replace("）", ")").lower()
        result = (table.get(s) or table.get(s.replace(",", "，")) or Bad(code, text)) if s and s != "-" else None
        if len(cache) < 10_000:
            cache[text] = result
        return result

    return parse


FLAGS = {
    "0": "grey", "1": "red", "2": "yellow", "3": "green", "4": "blue", "5": "pink",
    "灰": "grey", "灰旗": "grey", "红": "red", "红旗": "red", "黄": "yellow", "黄旗": "yellow",
    "绿": "green", "绿旗": "green", "蓝": "blue", "蓝旗": "blue", "粉": "pink", "粉旗": "pink",
    "紫": "pink", "紫旗": "pink",
    "grey": "grey", "gray": "grey", "red": "red", "yellow": "yellow", "green": "green", "blue": "blue",
    "pink": "pink", "none": "none", "无": "none",
}


def parse_flag(text: str):
    s = text.strip().lower()
    if not s:
        return None
    return FLAGS.get(s) or Bad("unknown_flag", text)


_TRUE = {"1", "是", "有", "y", "yes", "true", "t", "咨询", "已咨询", "询单"}
_FALSE = {"0", "否", "无", "n", "no", "false", "f", "未咨询", "静默"}


def parse_bool(text: str):
    s = text.strip().lower()
    if not s:
        return None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    return Bad("not_yes_or_no", text)


_NO_EVIDENCE = {"缺", "未提供", "没有", "待补", "missing", "none"}


def parse_evidence(text: str):
    """A register's photo cell (板件照片, 外包装照片): yes/no, or what the desk files there — a link
    or a file name — which means the photo is on file. True | False | None."""
    value = parse_bool(text)
    if value.__class__ is not Bad:
        return value
    return text.strip().lower() not in _NO_EVIDENCE


STOCK = {
    "in_stock": "in_stock", "现货": "in_stock", "有货": "in_stock", "库存": "in_stock", "在库": "in_stock",
    "made_to_order": "made_to_order", "定制": "made_to_order", "预售": "made_to_order", "无货": "made_to_order",
    "订做": "made_to_order", "定做": "made_to_order", "out_of_stock": "made_to_order",
}


def parse_stock(text: str):
    s = text.strip().lower()
    if not s:
        return None
    return STOCK.get(s) or Bad("unknown_stock", text)


def _parse_qty(text: str):
    s = text.strip()
    if not s:
        return None
    if len(s) > 12:  # past QTY_MAX whatever it holds (and int() refuses 4,300 digits)
        return Bad("out_of_range" if s.lstrip("+-").isdigit() else "not_a_whole_number", text)
    if s.isascii() and s.isdigit():
        value = int(s)
        return value if value <= QTY_MAX else Bad("out_of_range", text)
    t = s.translate(FULLWIDTH)
    if re.fullmatch(r"[+-]?[0-9]+", t):
        value = int(t)
    elif re.fullmatch(r"[+-]?[0-9]+\.0*", t):
        value, t = int(t.split(".")[0]), s  # "2.0" is 2, and nothing was fixed
    else:
        return Bad("not_a_whole_number", text)
    if abs(value) > QTY_MAX:
        return Bad("out_of_range", text)
    return Fixed(value, "fullwidth_digits") if t != s else value


parse_qty = remembering(_parse_qty, "int | None | Fixed | Bad.")


def unwrap_excel(text: str) -> str:
    """`="0123"` (how Taobao keeps digits from Excel) -> `0123`; a leading `'` is dropped."""
    if text[:2] == '="' and text[-1:] == '"':
        return text[2:-1]
    if text[:1] == "'":
        return text[1:]
    return text


# --------------------------------------------------------------------------- a platform's blocks in a message

# Rakuten writes the answers of its order form into コメント as `[title:]answer` blocks, its own
# delivery wish among them: `[配送日時指定:]\n2023-12-17(日) 19:00-21:00` (RMS getOrder `remarks`:
# "形式は「[注文フォームタイトル:]ユーザー入力内容」")
_BLOCK = re.compile(r"\[([^\[\]\r\n]{1,80}?)[:：]\]")
_WISH_DATE = re.compile(r"\s*(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s*(?:[(（][^)）]{1,4}[)）])?\s*")
_NO_WISH = ("", "指定なし", "なし", "希望なし", "指定しない")


def split_blocks(text: str, kinds: dict[str, str]) -> tuple[str | None, list[tuple[str, str, str]]]:
    """(the message without the blocks `kinds` names, [(kind, title, content)] of those blocks).
    A block whose title `kinds` does not name is the buyer's own answer and stays in the message."""
    marks = list(_BLOCK.finditer(text))
    if not marks:
        return text, []
    kept = [text[:marks[0].start()]]
    found = []
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        title = m.group(1).strip()
        kind = kinds.get(title)
        if kind is None:
            kept.append(text[m.start():end])
        else:
            found.append((kind, title, text[m.end():end].strip()))
    rest = "".join(kept).strip()
    return rest or None, found


def delivery_wish(text: str):
    """(date | None, slot | None) of a delivery wish as a platform writes it (2023-12-17(日) 19:00-21:00,
    午前中, 指定なし); Bad when it names neither a date nor a slot kefu can read."""
    s = text.strip().translate(FULLWIDTH)
    if s in _NO_WISH:
        return None, None
    day = None
    m = _WISH_DATE.match(s)
    if m:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return Bad("not_a_date", text)
        s = s[m.end():]
    slot = " ".join(s.split()) or None
    if slot in _NO_WISH:
        slot = None
    if slot is not None and len(slot) > 40:
        return Bad("not_a_date", text)
    return day, slot


# --------------------------------------------------------------------------- numbers Excel dropped a zero from

# Japanese numbers as digits only (+81 or the trunk 0): mobile 070/080/090 + 8 digits, landline 10 digits
MOBILE_JP = re.compile(r"(?:\+?81|0)[789]0\d{8}")
LANDLINE_JP = re.compile(r"(?:\+?81|0)(?![5789]0)[1-9]\d{8}")  # 050/070/080/090 have 11 digits
_MOBILE_CN = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-‐－ー−()（）]")


def jp_number_valid(digits: str) -> bool:
    return bool(MOBILE_JP.fullmatch(digits) or LANDLINE_JP.fullmatch(digits))


def restore_phone_zeros(parts: list[str]):
    """A Japanese phone number written in parts (Rakuten's 送付先電話番号1-3) or in one cell, after
    Excel read it as a number: `80`, `1234`, `5678` → 080-1234-5678 (every domestic number starts
    with its trunk 0; the last part has 4 digits). The repaired parts when that makes a valid
    number, None when nothing was lost, Bad("excel_leading_zero_lost") when a zero is missing and
    restoring it does not make a number (the fix is to export again with the column as text)."""
    if len(parts) == 1:
        cell = parts[0]
        digits = _SEPARATORS.sub("", cell)
        if not digits.isdigit() or digits[0] == "0" or cell.startswith("+") or len(digits) < 8:
            return None
        if (digits.startswith("81") and jp_number_valid(digits)) or _MOBILE_CN.fullmatch(digits):
            return None  # with its country code, or a Chinese mobile: nothing was lost
        return ["0" + cell] if jp_number_valid("0" + digits) else Bad("excel_leading_zero_lost", cell)
    if not all(p.isdigit() for p in parts if p) or not parts[0]:
        return None
    fixed = list(parts)
    if fixed[0][0] != "0":
        fixed[0] = "0" + fixed[0]
    if len(fixed) == 3 and fixed[2] and len(fixed[2]) < 4:
        fixed[2] = fixed[2].zfill(4)
    if fixed == parts:
        return None
    return fixed if jp_number_valid("".join(fixed)) else Bad("excel_leading_zero_lost", "-".join(p for p in parts if p))


def restore_postal_zeros(parts: list[str]):
    """A Japanese postal code (7 digits: 3 + 4) in parts (送付先郵便番号1, 2) or one cell after Excel
    read it as a number: `590`, `136` → 590-0136; `600001` → 0600001. The repaired parts, or None
    when nothing was lost (or the cell is not digits)."""
    if len(parts) == 2:
        a, b = parts
        if not (a.isdigit() and b.isdigit()) or (len(a) >= 3 and len(b) >= 4):
            return None
        return [a.zfill(3), b.zfill(4)] if len(a) <= 3 and len(b) <= 4 else None
    cell = parts[0]
    if cell.isdigit() and 4 <= len(cell) < 7:
        return [cell.zfill(7)]
    if "-" in cell:
        a, _sep, b = cell.partition("-")
        found = restore_postal_zeros([a.strip(), b.strip()])
        return ["-".join(found)] if found else None
    return None
