"""JSON Lines for a whole block of clean rows at once: the fast lane of `kefu orders -f jsonl`.

The row path (RowConverter, then orjson) builds a record of Decimals and datetimes for every
row and serialises it again; over a million-row export that is most of the work. For a block
whose every cell has one of the plain shapes real exports use, the same bytes follow from the
cell text column by column, with the scanning done by str methods and regular expressions at
C speed:

- text: stripped, JSON-escaped by orjson where a column holds `"`, `\\` or a control character;
- order, phone and waybill numbers (`="…"`, `'…`, bare): ASCII letters and digits only;
- timestamps: `YYYY-MM-DD HH:MM:SS` in a zone with one fixed offset, each date checked;
- money, statuses, flags, dates, quantities: each distinct cell read once by the row path's
  own parser and serialised by orjson;
- the address's 省 市 prefix: read by the row path's own cache.

A block that holds anything else (a value with a problem, a missing order number, a cell
spanning lines, an undecodable byte, a row of the wrong width) returns None and goes the row
path whole, so the row path stays the one definition of every value. tests/test_fastlane.py
holds the two to byte-identical output.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from itertools import chain, repeat
from operator import itemgetter

from kefu_cli.orders.regions import _address_cache, split_address_cached
from kefu_cli.values import Bad, Fixed, fixed_offset, parse_money, parse_qty

_PREFIX = re.compile(r"^([^ \n]+ [^ \n]*) ", re.MULTILINE)  # an address's text up to its second space
_DAY = itemgetter(slice(0, 10))


def _json(value) -> str:
    import orjson

    return orjson.dumps(value, default=str).decode()


SLOT = "\x00"  # never in a cell (a block holding a NUL goes the row path) nor in orjson's output


class Column:
    """One output field for a block: a JSON fragment with a SLOT mark for each list in `slots`,
    whose values fill the marks row by row."""

    __slots__ = ("piece", "slots")

    def __init__(self, piece: str, *slots: list):
        self.piece = piece  # e.g. '"\x00"' with one slot; a constant fragment with none
        self.slots = slots


def _parsed(parse, ok):
    """A `fragment` for `_distinct` from one of the row path's parsers: None unless `ok(value)`."""
    def fragment(raw):
        value = parse(raw)
        if value is None:
            return "null"
        return _json(value) if ok(value) else None
    return fragment


def _distinct(cells, fragment) -> Column | None:
    """A field read once per distinct cell (amounts, statuses, flags repeat): `fragment(raw)` is
    its JSON, or None for a value with a problem, which sends the block to the row path."""
    fragments = {}
    for raw in set(cells):
        f = fragment(raw)
        if f is None:
            return None
        fragments[raw] = f
    if len(fragments) == 1:
        return Column(next(iter(fragments.values())))
    if all(f == f'"{raw}"' for raw, f in fragments.items()):
        return Column(f'"{SLOT}"', cells)  # e.g. amounts already in their canonical spelling
    return Column(SLOT, list(map(fragments.__getitem__, cells)))


def _quoted(cells, empty: str, joined: str | None = None) -> Column:
    """Cells holding nothing JSON must escape, as JSON strings (`empty` for an empty cell)."""
    if all(cells):
        return Column(f'"{SLOT}"', cells)
    if not any(cells):
        return Column(empty)
    # no cell holds a quote, so '""' is exactly an empty cell
    joined = "\n".join(cells) if joined is None else joined
    return Column(SLOT, ('"' + joined.replace("\n", '"\n"') + '"').replace('""', empty).split("\n"))


def _text(cells: list[str], empty: str, plain: bool) -> Column:
    """Stripped cells; `plain`: the block has no control character (tab …) JSON must escape."""
    joined = "\n".join(cells)
    if not plain or '"' in joined or "\\" in joined:
        return Column(SLOT, [_json(c) if c else empty for c in cells])
    return _quoted(cells, empty, joined)


def _wrapped(cells, required: bool) -> Column | None:
    """Order, phone and waybill numbers: ASCII letters and digits, all `="…"` or all bare (a
    leading `'` dropped), nothing to strip."""
    joined = "\n".join(cells)
    if joined[:2] == '="':
        cells = [c[2:-1] for c in cells]
        body = "\n".join(cells)
        if '="' + body.replace("\n", '"\n="') + '"' != joined:
            return None  # not every cell is wrapped
    elif "'" in joined:
        cells = [c[1:] if c[:1] == "'" else c for c in cells]
        body = "\n".join(cells)
    else:
        body = joined
    flat = body.replace("\n", "")
    if flat and not (flat.isascii() and flat.isalnum()):
        return None
    if required and not all(cells):
        return None  # a missing order number is a problem: the row path reports it
    return _quoted(cells, "null", body)


_TABLES: dict[bytes, bytes] = {}


def _marks(data: bytes, chars: bytes) -> int:
    """One byte per position of `data`, 1 where it is one of `chars`, read as one integer: the
    AND of two such integers is non-zero exactly when some position has both."""
    table = _TABLES.get(chars)
    if table is None:
        table = _TABLES[chars] = bytes(1 if b in chars else 0 for b in range(256))
    return int.from_bytes(data.translate(table), "big")


_DIGITS_AS_9 = bytes.maketrans(b"0123456789", b"9" * 10)
_STAMP = b"9999-99-99 99:99:99"


def _plain_stamps(cells) -> bool | None:
    """True when every cell is a real `YYYY-MM-DD HH:MM:SS` of days 1 to 28, False when some day
    is 29 to 31 (check those dates), None when a cell is anything else. Checked a column at a
    time on the bytes, position by position."""
    joined = "\n".join(cells)
    m = len(cells)
    if len(joined) != 20 * m - 1 or not joined.isascii():
        return None
    b = joined.encode("ascii")
    if b.translate(_DIGITS_AS_9) != b"\n".join([_STAMP] * m):
        return None
    year, mt, mo, dt, do, ht, ho, nt, st = (b[k::20] for k in (0, 5, 6, 8, 9, 11, 12, 14, 17))
    if b"0" in year or max(mt) > 49 or max(dt) > 51 or max(ht) > 50 or max(nt) > 53 or max(st) > 53:
        return None  # year 0xxx, month 2x+, day 4x+, hour 3x+, minute or second 6x+
    if (_marks(mt, b"0") & _marks(mo, b"0") or _marks(mt, b"1") & _marks(mo, b"3456789")
            or _marks(dt, b"0") & _marks(do, b"0") or _marks(ht, b"2") & _marks(ho, b"456789")):
        return None  # month 00 or 13+, day 00, hour 24+
    return not (b"3" in dt or _marks(dt, b"2") & _marks(do, b"9"))


def _times(cells, suffix: str) -> Column | None:
    """`YYYY-MM-DD HH:MM:SS` or empty, each a real date and time: the row path's fromisoformat
    shape. Each distinct date of a 29th, 30th or 31st is checked by the calendar."""
    stamps = cells if all(cells) else list(filter(None, cells))
    if not stamps:
        return Column("null")
    plain = _plain_stamps(stamps)
    if plain is None:
        return None
    if not plain:
        for day in set(map(_DAY, stamps)):
            try:
                date.fromisoformat(day)
            except ValueError:
                return None
    joined = "\n".join(cells).replace(" ", "T")
    if stamps is cells:
        return Column(f'"{SLOT}{suffix}"', joined.split("\n"))
    end = suffix + '"'  # an empty cell becomes '"+08:00"', which no timestamp can end in
    return Column(SLOT, ('"' + joined.replace("\n", end + '\n"') + end).replace('"' + end, "null").split("\n"))


def _unquote(cells: list[str]) -> list[str] | None:
    """Cells as csv reads them, when each one holding a quote is a whole quoted field."""
    out = []
    for c in cells:
        if '"' in c:
            inner = c[1:-1]
            if len(c) < 2 or c[0] != '"' or c[-1] != '"' or '"' in inner.replace('""', ""):
                return None
            c = inner.replace('""', '"')
        out.append(c)
    return out


def _is_decimal(v) -> bool:
    return v.__class__ is Decimal


def _is_clean(v) -> bool:
    return v.__class__ not in (Bad, Fixed)


def _summary_item(raw: tuple[str, str]) -> str | None:
    """The one item of a summary row (宝贝标题, 宝贝总数量), as the row path reads it."""
    title = raw[0].strip() or None
    qty = parse_qty(raw[1])  # once per distinct cell: the converter's inline digit shortcut buys nothing here
    if qty is not None and qty.__class__ is not int:
        return None
    return f'[{{"sku":null,"title":{_json(title)},"qty":{_json(qty)},"price":null}}]'


def for_job(order_file, renderer, transform) -> FastLane | None:
    """The fast lane for plain JSON Lines of the records as read (`kefu orders -f jsonl`)."""
    from kefu_cli.output import JsonlRenderer

    if transform is not None or type(renderer) is not JsonlRenderer or renderer.select:
        return None
    return FastLane.for_converter(order_file.converter, order_file.encoding, order_file.delimiter)


class FastLane:
    """Renders blocks of one file's rows as JSON Lines; `for_converter` says whether it can."""

    def __init__(self, converter, encoding: str, delimiter: str, suffix: str | None):
        self.c = converter
        self.encoding = encoding
        self.delimiter = delimiter
        self.suffix = suffix
        self.quoted: set[int] = set()  # columns seen holding quoted cells
        self.line_end = f"{delimiter}\n{delimiter}".encode()
        # what a cell may not hold for the quick escaping: control bytes but the line ends (and
        # the tab that separates TSV cells)
        self.controls = bytes(b for b in range(32) if chr(b) not in "\n\r" + ("\t" if delimiter == "\t" else ""))

    @classmethod
    def for_converter(cls, converter, encoding: str, delimiter: str) -> FastLane | None:
        """None when the column plan has a shape the fast lane does not cover."""
        idx = converter.plan.index
        suffix = fixed_offset(converter.tz)
        if converter.item_rows or converter.district is not None or (converter.times and suffix is None):
            return None
        if "address" in idx and ("province" in idx or "city" in idx):
            return None
        keys = list(converter.template)
        if keys.index("city") != keys.index("province") + 1:  # pragma: no cover - ORDER_FIELDS order
            return None
        return cls(converter, encoding, delimiter, suffix)

    def render(self, block: bytes, first_line: int) -> bytes | None:
        """The block's JSON Lines, or None when any of its rows must go the row path."""
        if b"\x00" in block:
            return None  # csv refuses a NUL: the row path reports the row
        # a control character (a tab in a CSV cell …) must be escaped: the slow, exact way
        plain = len(block.translate(None, self.controls)) == len(block)
        # line ends and quotes never occur inside a UTF-8 or GB18030 character: the bytes are
        # looked at before decoding, where it is cheaper
        eol = b"\n"
        if b"\r" in block:
            if block.count(b"\r") != block.count(b"\r\n"):
                return None  # csv takes a lone CR for a line end
            eol = b"\r\n"  # then every line end must be CRLF, or the cells do not line up
        if not block.endswith(b"\n"):
            block += eol
        n = block.count(b"\n")
        try:
            text = block.replace(eol, self.line_end).decode(self.encoding)
        except UnicodeDecodeError:
            return None  # the row path replaces and reports the undecodable bytes
        if "\ufffd" in text:
            return None
        columns = self._split(text, n, block.count(b'"'))
        if columns is None:
            return None
        fields = self._fields(columns, n, plain)
        if fields is None:
            return None
        template = ['{"row":' + SLOT]
        slots = [map(str, range(first_line, first_line + n))]
        for name, col in fields:
            template.append(f',"{name}":{col.piece}')
            slots += col.slots
        # the constant text between the slots, interleaved with the slots' values row by row
        consts = iter(("".join(template) + "}\n").split(SLOT))
        parts = [repeat(next(consts))]
        for values, const in zip(slots, consts):
            parts += (values, repeat(const))
        return "".join(chain.from_iterable(zip(*parts))).encode()

    def _split(self, text: str, n: int, quotes: int) -> list[list[str]] | None:
        """The cells of every line, column by column, as csv.reader would read them; None unless
        every line has exactly as many cells as the header and every quoted cell is whole.

        `text` has each of its `n` line ends as a cell of its own ("\\n" between two delimiters,
        see `line_end`), so one split gives every cell, and every (width + 1)th one must be a line end:
        a line with a cell too many or too few shows. A cell is taken as csv takes it when it
        holds no quote, or is one quoted field (`"…"`, inner quotes doubled); anything else
        (a quoted delimiter or line end, a stray quote) sends the block to the row path.
        """
        width = self.c.width
        cells = text.split(self.delimiter)
        stride = width + 1
        if cells[width::stride].count("\n") != n:  # the n line ends, each where a line must end
            return None
        end = n * stride
        columns = [cells[i:end:stride] for i in range(width)]
        del cells
        if quotes:
            # the columns that held quotes in earlier blocks first: when they hold them all,
            # the others need no look
            for i in (*self.quoted, *(i for i in range(width) if i not in self.quoted)):
                col = columns[i]
                found = "".join(col).count('"')
                if found:
                    col = _unquote(col)
                    if col is None:
                        return None
                    columns[i] = col
                    self.quoted.add(i)
                    quotes -= found
                    if not quotes:
                        break
        return columns

    def _fields(self, columns, n: int, plain: bool) -> list[tuple[str, Column]] | None:
        c = self.c
        out: dict[str, Column] = {}
        addresses = None
        for name, i, _h in c.text:
            cells = list(map(str.strip, columns[i]))
            if name == "address":
                addresses = cells
            out[name] = _text(cells, _json(c.default_platform) if name == "platform" else "null", plain)
        for name, i, _h in c.wrapped:
            col = _wrapped(columns[i], required=name == "order_id")
            if col is None:
                return None
            out[name] = col
        if "order_id" not in out:
            return None  # every row lacks its order number: a problem the row path reports
        for name, i, _h in c.money:
            out[name] = _distinct(columns[i], _parsed(parse_money, _is_decimal))
        for name, i, _h in c.times:
            col = _times(columns[i], self.suffix)
            if col is None:
                return None
            out[name] = col
        for name, i, _h, parse in c.other:
            out[name] = _distinct(columns[i], _parsed(parse, _is_clean))
        if "platform" not in out:
            out["platform"] = Column(_json(c.default_platform))
        if addresses is not None:
            place = self._place(addresses, n)
            if place is None:
                return None
            out["province"], out["city"] = place, False
        out["items"] = self._items(columns, n)
        out["problems"] = Column("[]")
        if None in out.values():
            return None
        # the row number opens the line; the city rides in the province's slot
        return [(name, out.get(name) or Column("null")) for name in c.template
                if name != "row" and out.get(name) is not False]

    @staticmethod
    def _place(addresses, n: int) -> Column | None:
        """Province and city from each address's 省 市 prefix, as the row path's cache knows
        them: one slot for both (the fields are neighbours)."""
        keys = _PREFIX.findall("\n".join(addresses))
        if len(keys) != n:
            return None  # an empty address, or one without two spaces: the row path decides
        fragments = {}
        for key in set(keys):
            hit = _address_cache.get(key)
            if hit is None:
                address = addresses[keys.index(key)]
                same, _p, _c = split_address_cached(address, None, None)
                hit = _address_cache.get(key)
                if same != address or hit is None:
                    return None
            fragments[key] = f'{_json(hit[0])},"city":{_json(hit[1])}'
        return Column(SLOT, list(map(fragments.__getitem__, keys)))

    def _items(self, columns, n: int) -> Column | None:
        c = self.c
        if not c.summary:
            return Column("[]")
        title = next((i for name, i, _h in c.summary if name == "summary_title"), None)
        qty = next((i for name, i, _h in c.summary if name == "summary_qty"), None)
        empty = ("",) * n
        pairs = list(zip(columns[title] if title is not None else empty, columns[qty] if qty is not None else empty))
        return _distinct(pairs, _summary_item)
