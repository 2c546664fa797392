"""The one output layer: records (dicts) to table, csv, tsv, json or jsonl bytes.

- table: aligned for people (Chinese and Japanese text is double width); held in memory.
- csv: RFC 4180; tsv: one line per record, backslash, tab, newline and CR inside a value
  written as \\\\, \\t, \\n and \\r, so `cut` and `awk` see one record per line.
- csv and tsv are safe to open in Excel (OWASP's rule for CSV injection, the same for both):
  a cell that starts with = + - @ or a tab/CR is prefixed with ' so Excel shows it as text
  instead of running it (plain numbers like -5.00 are left alone). The ' is the cell's, added
  here and nowhere else (records and json/jsonl keep the value as it is), and kefu reading the
  file drops it again; `raw=True` (`--raw`) writes cells as they are, for a program.
- table, csv and tsv carry no control character a terminal would act on: C0 and C1 characters
  (an ESC in an order id or a provider's text) are written as \\x1b; csv keeps the CR and LF
  of its quoted cells, table and tsv have none.
- json: an array (`[]` when empty), streamed record by record.
- jsonl: one object per line, streamed.
Nested values (items, problems, findings) are JSON in json/jsonl and compact text elsewhere.
Money is Decimal and is written as a string ("1299.00"), never a float.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import BinaryIO, Callable, Iterable

from kefu_cli.errors import UsageError
from kefu_cli.i18n import _

FORMATS = ("table", "csv", "tsv", "json", "jsonl")
# decimal.Decimal, for text()'s fast path; bound by make_renderer, since importing decimal costs
# 4 ms of every start-up (`kefu --version` imports this module for FORMATS). Until then a
# Decimal takes text()'s last branch, str(), which writes the same digits.
Decimal = None
BATCH = 32  # records per write: with its joined copy ~70 KB of 1.1 KB records, below glibc's 128 KiB trim
# threshold; at 100 (~220 KB) the heap was given back and faulted in again every batch (200,000 rows in
# one process: 141,000 minor faults and 0.37 s of system time at 100; 5,100 and 0.03 s at 32)


def default_format(stream) -> str:
    try:
        return "table" if stream.isatty() else "tsv"
    except (AttributeError, ValueError):
        return "tsv"


def parse_fields(spec: str | None, available: Iterable[str]) -> list[str] | None:
    """`--fields a,b,c` -> ["a", "b", "c"], checked against the fields records have;
    `--fields all` -> every one of them."""
    if not spec:
        return None
    available = list(available)
    if spec.strip() == "all":
        return available
    fields = [f.strip() for f in spec.split(",") if f.strip()]
    unknown = [f for f in fields if f not in available]
    if unknown:
        raise UsageError(
            _("unknown field {field}").format(field=", ".join(unknown)),
            hint=_("fields are: {choices}").format(choices=", ".join(available)),
        )
    return fields


# --------------------------------------------------------------------------- text forms


# orjson's hook for what it does not serialise natively. Records hold only str, int, bool,
# None, Decimal, datetime, date, list and dict, so that is Decimal, and str() of a Decimal keeps
# its exact digits ("1299.00"). The builtin itself, not a Python function: measured 1 µs per
# record faster with five amounts per order.
_default = str


def text(value, name: str | None = None) -> str:
    """A value as one cell of text (table, csv, tsv)."""
    if value is None:
        return ""
    cls = value.__class__
    if cls is str:
        return value
    if cls is Decimal or cls is int:
        return str(value)
    if cls is bool:
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, list):
        compact = COMPACT.get(name)
        if compact:
            return compact(value)
        return "; ".join(text(v) for v in value)
    if isinstance(value, dict):
        import orjson

        return orjson.dumps(value, default=_default).decode()
    return str(value)


def _items(items: list) -> str:
    parts = []
    for it in items:
        if not isinstance(it, dict):
            parts.append(text(it))
            continue
        label = it.get("sku") or it.get("title") or "?"
        s = f"{label}×{text(it.get('qty')) or '?'}"
        if it.get("price") is not None:
            s += f"@{text(it.get('price'))}"
        parts.append(s)
    return "; ".join(parts)


def _messages(entries: list) -> str:
    return "; ".join(e.get("message") or e.get("code", "") if isinstance(e, dict) else text(e) for e in entries)


def _codes(entries: list) -> str:
    return "; ".join(e.get("code", "") if isinstance(e, dict) else text(e) for e in entries)


COMPACT: dict[str, Callable[[list], str]] = {
    "items": _items,
    "problems": _messages,
    "findings": _codes,
    "steps": _messages,
}

# OWASP's CSV-injection characters: a cell starting with one of them is a formula to Excel
FORMULA_START = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def excel_safe(cell: str) -> str:
    if cell and cell[0] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

# C0 and C1 control characters and DEL, but tab, LF and CR (each format handles those itself):
# an ESC in an order id or a tracking text must not reach a terminal (ESC]0;… retitles it,
# ESC[2J clears it). Searched once per batch of output, not per cell.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(m: re.Match) -> str:
    c = m.group()
    return _NAMED.get(c) or f"\\x{ord(c):02x}"


def without_controls(body: str) -> str:
    """Control characters other than tab, LF and CR written as \\xNN."""
    return _CONTROLS.sub(_escaped, body) if _CONTROLS.search(body) else body


def visible(line: str) -> str:
    """One line for a terminal or a log (every stderr line, file names included): each control
    character escaped, a newline as \\n, so no text can forge a line of its own."""
    return _LINE_CONTROLS.sub(_escaped, line) if _LINE_CONTROLS.search(line) else line


# --------------------------------------------------------------------------- renderers


class Renderer:
    """Turns records into bytes. `begin` and `end` frame the body; `render` is the body."""

    streaming = True

    def __init__(self, fields: list[str], headers: bool = True, raw: bool = False):
        self.fields = fields
        self.headers = headers
        self.safe = (lambda c: c) if raw else excel_safe

    def begin(self) -> bytes:
        return b""

    def render(self, records: Iterable[dict]) -> bytes:
        raise NotImplementedError

    def render_each(self, records: Iterable[dict]) -> list[bytes]:
        """Each record's bytes apart (a streaming body, for records merged after rendering)."""
        render = self.render
        return [render((r,)) for r in records]

    def end(self) -> bytes:
        return b""


class JsonlRenderer(Renderer):
    def __init__(self, fields, headers=True, select=False):
        super().__init__(fields, headers)
        self.select = select

    def render(self, records):
        return b"".join(self.render_each(records))

    def render_each(self, records):
        import orjson

        dumps = orjson.dumps
        opt = orjson.OPT_APPEND_NEWLINE
        if self.select:
            fields = self.fields
            return [dumps({f: r.get(f) for f in fields}, default=_default, option=opt) for r in records]
        return [dumps(r, default=_default, option=opt) for r in records]


class JsonRenderer(JsonlRenderer):
    streaming = False  # framing needs the whole stream: not split across processes

    def __init__(self, fields, headers=True, select=False):
        super().__init__(fields, headers, select)
        self._first = True

    def begin(self):
        return b"["

    def render(self, records):
        body = super().render(records)
        if not body:
            return b""
        lines = body.rstrip(b"\n").split(b"\n")
        out = (b"" if self._first else b",") + b"\n" + b",\n".join(lines)
        self._first = False
        return out

    def end(self):
        return b"]\n" if self._first else b"\n]\n"


class CsvRenderer(Renderer):
    def _line(self, cells: list[str]) -> str:
        out = []
        safe = self.safe
        for c in cells:
            c = safe(c)
            if c and (c[0] == " " or any(ch in c for ch in ',"\r\n')):
                c = '"' + c.replace('"', '""') + '"'
            out.append(c)
        return ",".join(out) + "\r\n"

    def begin(self):
        return self._line(self.fields).encode() if self.headers else b""

    def render(self, records):
        fields = self.fields
        line = self._line
        return without_controls("".join(line([text(r.get(f), f) for f in fields]) for r in records)).encode()


class TsvRenderer(Renderer):
    def begin(self):
        return ("\t".join(self.fields) + "\n").encode() if self.headers else b""

    def render(self, records):
        fields = self.fields
        esc = _TSV_ESCAPES
        safe = self.safe
        return without_controls("".join("\t".join(safe(text(r.get(f), f)).translate(esc) for f in fields) + "\n"
                                        for r in records)).encode()


class TableRenderer(Renderer):
    streaming = False

    def __init__(self, fields, headers=True, raw=False):
        super().__init__(fields, headers, raw)
        self.rows: list[list[str]] = []
        self.width: int | None = None  # fit() a terminal: columns beyond it are left out
        self.on_cut: Callable[[list[str]], None] | None = None

    def fit(self, width: int, on_cut: Callable[[list[str]], None] | None = None) -> None:
        """Keep the table within `width` display columns: the columns from the left that fit,
        the first one that does not clipped with … when a useful part of it fits, the rest left
        out and named to `on_cut`."""
        self.width, self.on_cut = width, on_cut

    def _fitted(self) -> tuple[list[str], list[list[str]]]:
        from wcwidth import wcswidth

        fields, rows = list(self.fields), self.rows
        if self.width is None or not fields:
            return fields, rows
        # (the left-out fields are told to on_cut, [] when all fit)
        # as tabulate measures: a header takes its width plus 2 (its MIN_PADDING)
        # measured as shown: a control character is written as \xNN (without_controls)
        widths = [max([wcswidth(h) + 2 if self.headers else 0] + [wcswidth(without_controls(r[i])) for r in rows])
                  for i, h in enumerate(fields)]
        used, keep, clip = -2, 0, None
        for i, w in enumerate(widths):
            room = self.width - used - 2
            if w <= room:
                used, keep = used + 2 + w, i + 1
                continue
            if room >= max(12, wcswidth(fields[i]) + 2 if self.headers else 1) or i == 0:
                clip, keep = max(room, 1), i + 1
            break
        if self.on_cut is not None:
            self.on_cut(fields[keep:])
        if keep == len(fields) and clip is None:
            return fields, rows
        cut = [[_clip(c, clip) if clip and j == keep - 1 else c for j, c in enumerate(r[:keep])] for r in rows]
        return fields[:keep], cut

    def render(self, records):
        fields = self.fields
        for r in records:
            self.rows.append([_one_line(text(r.get(f), f)) for f in fields])
        return b""

    def end(self):
        if not self.rows and not self.headers:
            return b""
        from tabulate import tabulate

        fields, rows = self._fitted()
        table = tabulate(rows, headers=fields if self.headers else (), tablefmt="simple",
                         disable_numparse=True)
        return (without_controls(table) + "\n").encode() if table else b""


def _clip(s: str, width: int) -> str:
    """`s` in at most `width` display columns, … marking a cut (wide characters count two)."""
    from wcwidth import wcswidth

    if wcswidth(s) <= width:
        return s
    out, used = [], 1
    for ch in s:
        w = max(wcswidth(ch), 0)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _one_line(s: str) -> str:
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return s if len(s) <= 80 else s[:79] + "…"


def make_renderer(fmt: str, fields: list[str], headers: bool = True, select: bool = False,
                  raw: bool = False) -> Renderer:
    global Decimal
    from decimal import Decimal

    if fmt == "jsonl":
        return JsonlRenderer(fields, headers, select)
    if fmt == "json":
        return JsonRenderer(fields, headers, select)
    if fmt == "csv":
        return CsvRenderer(fields, headers, raw)
    if fmt == "tsv":
        return TsvRenderer(fields, headers, raw)
    if fmt == "table":
        return TableRenderer(fields, headers)
    raise UsageError(_("unknown format {value}").format(value=fmt),
                     hint=_("use one of: {choices}").format(choices=", ".join(FORMATS)))


def write_records(records: Iterable[dict], renderer: Renderer, stream: BinaryIO) -> None:
    """Stream records through the renderer to a binary stream.

    The renderer takes them lazily, BATCH at a time, so each record is freed as soon as it is
    written (building lists of records and freeing them together churns memory: measured 2x slower).
    """
    stream.write(renderer.begin())
    write_body(records, renderer, stream)
    stream.write(renderer.end())
    stream.flush()


def write_body(records: Iterable[dict], renderer: Renderer, stream: BinaryIO) -> None:
    from itertools import chain, islice

    it = iter(records)
    for first in it:
        stream.write(renderer.render(chain((first,), islice(it, BATCH - 1))))
