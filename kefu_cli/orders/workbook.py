"""Excel and OpenDocument workbooks read within bounds: the rows of one sheet as text cells.

A workbook is a small file that can describe an enormous one: a stray cell at XFD1048576 makes a
reader that builds the sheet's grid allocate 17 billion cells, an ODS cell can be repeated
millions of times by one attribute, a 7 MB zip part can inflate to gigabytes. So before a cell is
read, the workbook is measured: the zip's declared part sizes, the sheet's declared <dimension>,
the shared-strings table as it is read, ODS repeat attributes; and a sheet past a limit is refused
with an InputError naming the sheet, its cell range and the limit (`max_cells`, the
`--max-cells` option; MAX_CELL_CHARS, Excel's own limit of a cell).

.xlsx/.xlsm are streamed: the zip part of the sheet is parsed with the standard library's expat
a chunk at a time, so memory holds the shared strings and one row, not the grid. python-calamine
(the reader for .xls and .ods) builds the whole grid first: 2.8 GB for a genuine 1,048,576 × 25
Taobao sheet and a SIGABRT for the stray corner cell, and it offers no streaming read, so the
streaming reader is kefu's own (bench/xlsx.py measures both on the same sheet). .xls (at most
65,536 × 256 cells by its format) and .ods (after the repeat check) are read by python-calamine.

A cell becomes the text an export would hold (`sheet_cell`): numbers as Excel shows them, a
15+-digit whole number as Excel writes it (3.39120445678123E+18, so the reader reports the lost
digits), dates and times in ISO form, booleans as 1/0.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from typing import BinaryIO, Iterator

from kefu_cli.errors import InputError
from kefu_cli.i18n import _

MAX_CELLS = 50_000_000  # --max-cells: a sheet's rows × columns (Excel's own is 1,048,576 × 16,384)
MAX_CELL_CHARS = 32_767  # Excel's limit of one cell's text
MAX_SHARED_BYTES = 512 * 1024 * 1024  # the shared strings kept in memory (sys.getsizeof of each)
MAX_SHARED_XML = 256 * 1024 * 1024  # xl/sharedStrings.xml unpacked (a full 1,048,576-row Taobao sheet: ~110 MB)
MAX_PART_BYTES = 1024 * 1024 * 1024  # a zip part read whole (workbook.xml, styles.xml, ODS content.xml)
MAX_SMALL_PART = 64 * 1024 * 1024  # workbook.xml, its rels, styles.xml
CHUNK = 1 << 16
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# number formats Excel builds in that show a date or a time: 14-22 everywhere, 27-36 and 50-58 in
# the Chinese, Japanese and Korean editions, 45-47 the minutes and seconds
_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_DURATION_FORMATS = frozenset([46])


class SheetTooBig(InputError):
    """A sheet past a limit: named with its range and the limit."""


def column_name(index: int) -> str:
    """0 → A, 16383 → XFD."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def cell_range(rows: int, cols: int, first_row: int = 1, first_col: int = 0) -> str:
    return f"{column_name(first_col)}{first_row}:{column_name(first_col + max(cols, 1) - 1)}{first_row + max(rows, 1) - 1}"


def _too_big(name: str, sheet: str, where: str, cells: int, limit: int) -> SheetTooBig:
    return SheetTooBig(
        _("{file}: sheet {sheet} spans {range} ({cells:,} cells), over the limit of {limit:,} cells").format(
            file=name, sheet=sheet, range=where, cells=cells, limit=limit),
        hint=_("delete the stray cells far from the data (Ctrl+End shows the last one) and save again, "
               "or raise the limit with --max-cells"))


def _not_readable(name: str, error: str) -> InputError:
    return InputError(_("{file}: not a readable Excel workbook: {error}").format(file=name, error=error[:200]),
                      hint=_("open it in Excel and save it again as .xlsx or CSV"))


# --------------------------------------------------------------------------- the rows, as the CSV loop reads them


class SheetRows:
    """The rows of a sheet as text cells, with `line_num` as a csv reader has it (the sheet's row
    number): the CSV row loop and converter read them as they read a text file. `rows` yields
    (row number, cells); rows absent from the sheet are empty rows here."""

    def __init__(self, rows: Iterator[tuple[int, list[str]]]):
        self._rows = rows
        self._pending: tuple[int, list[str]] | None = None
        self.line_num = 0
        self.width = None

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        if self._pending is None:
            self._pending = next(self._rows)
        number, cells = self._pending
        if self.width is None and not any(cells):  # the sheet starts at its first row with a cell
            self._pending = None
            return self.__next__()
        if self.width is not None and number > self.line_num + 1:
            self.line_num += 1  # a row the sheet leaves out: an empty row, as a grid has it
            return []
        self._pending = None
        self.line_num = number
        if not any(cells):
            return []
        while cells and cells[-1] == "" and (self.width is None or len(cells) > self.width):
            cells.pop()  # the sheet's used area is wider than this row: not extra cells
        if self.width is None:
            self.width = len(cells)
        elif len(cells) < self.width:
            cells.extend([""] * (self.width - len(cells)))  # a grid's row: as wide as the header
        return cells


def open_sheet(stream: BinaryIO, name: str, sheet: str | None, max_cells: int | None = None) -> SheetRows:
    """The rows of the first sheet (or `sheet`, by name or number from 1) of an .xlsx, .xlsm,
    .xls or .ods file read from `stream` (seekable, at its start)."""
    limit = MAX_CELLS if max_cells is None else max_cells
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .xls
        return SheetRows(_calamine_rows(stream, name, sheet, limit))
    try:
        book = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_readable(name, str(exc) or type(exc).__name__) from None
    names = set(book.namelist())
    if "content.xml" in names and "xl/workbook.xml" not in names:
        _check_ods(book, name, sheet, limit)
        stream.seek(0)
        return SheetRows(_calamine_rows(stream, name, sheet, limit))
    if "xl/workbook.xml" not in names:
        raise _not_readable(name, _("no xl/workbook.xml in the zip"))
    return SheetRows(_Xlsx(book, name, limit).rows(sheet))


def _choose(names: list[str], sheet: str | None, file: str) -> int:
    if not names:
        raise InputError(_("{file}: the workbook has no sheet").format(file=file))
    if sheet is None:
        return 0
    if sheet in names:
        return names.index(sheet)
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return int(sheet) - 1
    raise InputError(_("{file}: no sheet {sheet}").format(file=file, sheet=sheet),
                     hint=_("the sheets are: {names}").format(names=", ".join(names)))


# --------------------------------------------------------------------------- .xls and .ods: python-calamine


def _calamine_rows(stream, name, sheet, limit) -> Iterator[tuple[int, list[str]]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - a dependency of kefu
        raise InputError(_("{file}: reading Excel workbooks needs python-calamine").format(file=name),
                         hint=_("pip install python-calamine, or save the sheet as CSV")) from None
    try:
        book = CalamineWorkbook.from_filelike(stream)
        names = book.sheet_names
        chosen = _choose(names, sheet, name)
        found = book.get_sheet_by_index(chosen)
    except InputError:
        raise
    except Exception as exc:  # calamine's errors: a damaged or encrypted file
        raise _not_readable(name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    start = found.start or (0, 0)
    if found.height * found.width > limit:
        raise _too_big(name, names[chosen], cell_range(found.height, found.width, start[0] + 1, start[1]),
                       found.height * found.width, limit)
    return ((number, [sheet_cell(v) for v in row]) for number, row in enumerate(found.iter_rows(), start[0] + 1))


def _check_ods(book: zipfile.ZipFile, name: str, sheet: str | None, limit: int) -> None:
    """An ODS sheet's extent with its repeat attributes counted, before python-calamine expands
    them: the rows × columns that hold a value (trailing empty repeats, which every ODS writer
    puts at the end of a row, cost nothing)."""
    from xml.parsers import expat

    ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    tables: list[tuple[str, int, int]] = []
    state = {"row": 0, "col": 0, "max_row": 0, "max_col": 0, "row_rep": 1, "cell": None, "depth": 0, "name": ""}

    def start(tag, attrs):
        if tag == f"{ns} table":
            state.update(row=0, max_row=0, max_col=0, name=attrs.get(f"{ns} name", ""))
        elif tag == f"{ns} table-row":
            state["row_rep"] = _count(attrs.get(f"{ns} number-rows-repeated"))
            state["col"] = 0
        elif tag in (f"{ns} table-cell", f"{ns} covered-table-cell"):
            rep = _count(attrs.get(f"{ns} number-columns-repeated"))
            has_value = any(k.endswith(" value-type") for k in attrs)
            state["cell"] = [rep, has_value]
        elif state["cell"] is not None:
            state["cell"][1] = True  # text:p or any content

    def end(tag):
        if tag in (f"{ns} table-cell", f"{ns} covered-table-cell"):
            rep, has_value = state["cell"]
            state["col"] += rep
            if has_value:
                state["max_col"] = max(state["max_col"], state["col"])
                state["max_row"] = max(state["max_row"], state["row"] + state["row_rep"])
                if state["max_col"] * state["max_row"] > limit:
                    raise _too_big(name, state["name"], cell_range(state["max_row"], state["max_col"]),
                                   state["max_col"] * state["max_row"], limit)
            state["cell"] = None
        elif tag == f"{ns} table-row":
            state["row"] += state["row_rep"]
        elif tag == f"{ns} table":
            tables.append((state["name"], state["max_row"], state["max_col"]))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        with book.open("content.xml") as part:
            _feed(parser, part, name, "content.xml", MAX_PART_BYTES)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _not_readable(name, str(exc)) from None


def _count(value) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def _feed(parser, part, name: str, part_name: str, limit: int) -> None:
    """Feed a zip part to an expat parser a chunk at a time, refusing a part past `limit` bytes."""
    total = 0
    while True:
        chunk = part.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise _part_too_big(name, part_name, limit)
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _part_too_big(name: str, part_name: str, limit: int) -> InputError:
    return InputError(_("{file}: the workbook's {part} is larger than {limit} MB once unpacked").format(
        file=name, part=part_name, limit=limit // (1024 * 1024)),
        hint=_("save the sheet as CSV; a genuine export never needs that much"))


# --------------------------------------------------------------------------- .xlsx: streamed


class _Xlsx:
    def __init__(self, book: zipfile.ZipFile, name: str, limit: int):
        self.book = book
        self.name = name
        self.limit = limit

    def _small(self, part: str) -> bytes | None:
        try:
            info = self.book.getinfo(part)
        except KeyError:
            return None
        if info.file_size > MAX_SMALL_PART:
            raise _part_too_big(self.name, part, MAX_SMALL_PART)
        try:
            return self.book.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _not_readable(self.name, f"{part}: {exc}") from None

    def _xml(self, part: str, start) -> None:
        from xml.parsers import expat

        data = self._small(part)
        if data is None:
            return
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise _not_readable(self.name, f"{part}: {exc}") from None

    def _sheets(self) -> tuple[list[str], list[str], bool]:
        sheets: list[tuple[str, str]] = []
        flags = {"1904": False}

        def workbook(tag, attrs):
            local = tag.rsplit(" ", 1)[-1]
            if local == "sheet":
                sheets.append((attrs.get("name", ""), attrs.get(f"{_NS_REL} id", "")))
            elif local == "workbookPr":
                flags["1904"] = attrs.get("date1904", "0") in ("1", "true")

        targets: dict[str, str] = {}

        def rels(tag, attrs):
            if tag.rsplit(" ", 1)[-1] == "Relationship":
                targets[attrs.get("Id", "")] = attrs.get("Target", "")

        self._xml("xl/workbook.xml", workbook)
        self._xml("xl/_rels/workbook.xml.rels", rels)
        parts = []
        for _n, rid in sheets:
            target = targets.get(rid, "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts.append(re.sub(r"[^/]+/\.\./", "", target))
        return [n for n, _r in sheets], parts, flags["1904"]

    def _styles(self) -> tuple[set[int], set[int]]:
        """The cell styles (indexes into cellXfs) that show a date or time, and those that show a duration."""
        custom: dict[int, str] = {}
        xfs: list[int] = []
        where = {"in_xfs": False}

        def start(tag, attrs):
            local = tag.rsplit(" ", 1)[-1]
            if local == "numFmt":
                try:
                    custom[int(attrs.get("numFmtId", "-1"))] = attrs.get("formatCode", "")
                except ValueError:
                    pass
            elif local == "cellXfs":
                where["in_xfs"] = True
            elif local == "cellStyles" or local == "dxfs":
                where["in_xfs"] = False
            elif local == "xf" and where["in_xfs"]:
                try:
                    xfs.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)

        self._xml("xl/styles.xml", start)
        dates, durations = set(), set()
        for i, fmt in enumerate(xfs):
            if fmt in custom:
                kind = _format_kind(custom[fmt])
            else:
                kind = "duration" if fmt in _DURATION_FORMATS else "date" if fmt in _DATE_FORMATS else None
            if kind == "date":
                dates.add(i)
            elif kind == "duration":
                durations.add(i)
        return dates, durations

    def _shared(self) -> list[str]:
        """The shared-strings table, its memory counted as it grows (MAX_SHARED_BYTES)."""
        from xml.parsers import expat

        try:
            info = self.book.getinfo("xl/sharedStrings.xml")
        except KeyError:
            return []
        if info.file_size > MAX_SHARED_XML:  # zipfile never inflates past the declared size
            raise _part_too_big(self.name, "xl/sharedStrings.xml", MAX_SHARED_XML)
        strings: list[str] = []
        state = {"text": False, "skip": 0, "size": 0, "length": 0}
        buf: list[str] = []
        getsizeof = sys.getsizeof

        def start(tag, attrs):
            local = tag.rsplit(" ", 1)[-1]
            if local == "t" and not state["skip"]:
                state["text"] = True
            elif local in ("rPh", "phoneticPr"):
                state["skip"] += 1  # furigana: not the cell's text
            elif local == "si":
                buf.clear()
                state["length"] = 0

        def end(tag):
            local = tag.rsplit(" ", 1)[-1]
            if local == "t":
                state["text"] = False
            elif local in ("rPh", "phoneticPr"):
                state["skip"] -= 1
            elif local == "si":
                text = _unescape("".join(buf))
                strings.append(text)
                state["size"] += getsizeof(text) + 8
                if state["size"] > MAX_SHARED_BYTES:
                    raise _part_too_big(self.name, "xl/sharedStrings.xml", MAX_SHARED_BYTES)

        def data(text):
            if state["text"]:
                state["length"] += len(text)
                if state["length"] > MAX_CELL_CHARS:
                    raise self._long_cell(_("shared string {n}").format(n=len(strings) + 1))
                buf.append(text)

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        try:
            with self.book.open(info) as part:
                _feed(parser, part, self.name, "xl/sharedStrings.xml", sys.maxsize)
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _not_readable(self.name, f"xl/sharedStrings.xml: {exc}") from None
        return strings

    def _long_cell(self, where: str) -> InputError:
        return InputError(_("{file}: {cell} holds more than {limit:,} characters, Excel's own limit of a cell").format(
            file=self.name, cell=where, limit=MAX_CELL_CHARS),
            hint=_("the workbook was not written by Excel or a platform: save the sheet as CSV"))

    def rows(self, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
        names, parts, date1904 = self._sheets()
        chosen = _choose(names, sheet, self.name)
        sheet_name, part = names[chosen], parts[chosen]
        try:
            info = self.book.getinfo(part)
        except KeyError:
            raise _not_readable(self.name, _("no {part} in the zip").format(part=part)) from None
        self.sheet_name = sheet_name
        self._check_dimension(info)
        dates, durations = self._styles()
        shared = self._shared()
        return self._stream(info, shared, dates, durations, date1904)

    def _check_dimension(self, info) -> None:
        """The sheet's declared <dimension ref="A1:XFD1048576"/>, read from its first bytes."""
        try:
            with self.book.open(info) as part:
                head = part.read(CHUNK)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _not_readable(self.name, f"{info.filename}: {exc}") from None
        found = re.search(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"', head)
        if not found or not found.group(3):
            return
        c1, r1, c2, r2 = found.groups()
        first_col, last_col = _column_index(c1.decode()), _column_index(c2.decode())
        first_row, last_row = int(r1), int(r2)
        rows, cols = last_row - first_row + 1, last_col - first_col + 1
        if rows > 0 and cols > 0 and rows * cols > self.limit:
            raise _too_big(self.name, self.sheet_name, cell_range(rows, cols, first_row, first_col), rows * cols, self.limit)

    def _stream(self, info, shared, dates, durations, date1904) -> Iterator[tuple[int, list[str]]]:
        """The sheet's rows, parsed a chunk at a time. The handlers are the hot loop of a large
        sheet (26 million cells in a full Taobao export): plain closures over local state, tags
        compared without namespace processing (a prefixed tag, x:c, is taken by its local name)."""
        from xml.parsers import expat

        out: list[tuple[int, list[str]]] = []
        cells: dict[int, str] = {}
        val: list[str] = []
        limit, name, sheet_name = self.limit, self.name, self.sheet_name
        row_no = 0
        col = -1
        kind = "n"
        style = 0
        text = False
        skip = 0
        length = 0
        widest = 0
        seen = 0
        columns = _COLUMNS
        column_of = _column_of

        def start(tag, attrs):
            nonlocal row_no, col, kind, style, text, skip, length
            if ":" in tag:
                tag = tag.rsplit(":", 1)[1]
                attrs = {k.rsplit(":", 1)[-1] if k.count(":") == 1 and not k.startswith("xmlns") else k: v
                         for k, v in attrs.items()}
            if tag == "v":
                text = True
            elif tag == "c":
                ref = attrs.get("r")
                col = (columns.get(ref.rstrip("0123456789")) or column_of(ref)) if ref else col + 1
                kind = attrs.get("t", "n")
                s = attrs.get("s")
                style = int(s) if s and s.isdigit() else 0
                if val:
                    val.clear()
                length = 0
            elif tag == "row":
                r = attrs.get("r")
                number = int(r) if r and r.isdigit() else row_no + 1
                row_no = number if number > row_no else row_no + 1
                if row_no > EXCEL_ROWS:
                    raise _too_big(name, sheet_name, f"A{row_no}", row_no, EXCEL_ROWS)
                col = -1
                cells.clear()
            elif tag == "t":
                text = not skip
            elif tag == "rPh":
                skip += 1

        def end(tag):
            nonlocal text, skip, widest, seen
            if ":" in tag:
                tag = tag.rsplit(":", 1)[1]
            if tag == "v" or tag == "t":
                text = False
            elif tag == "c":
                seen += 1
                if seen > limit:  # cells written out one by one, empty or not
                    raise _too_big(name, sheet_name, cell_range(row_no, max(widest, col + 1)), seen, limit)
                if not 0 <= col < EXCEL_COLUMNS:
                    raise _too_big(name, sheet_name, f"A{row_no}:{column_name(max(col, 0))}{row_no}",
                                   col + 1, EXCEL_COLUMNS)
                raw = val[0] if len(val) == 1 else "".join(val)
                if kind == "s":
                    value = shared[int(raw)] if raw.isdigit() and int(raw) < len(shared) else ""
                elif kind == "n":
                    value = _number(raw, style, dates, durations, date1904)
                elif kind == "inlineStr" or kind == "str":
                    value = _unescape(raw)
                elif kind == "b":
                    value = ("1" if raw.strip() in ("1", "true") else "0") if raw else ""
                else:  # e (an error such as #N/A), d (an ISO date)
                    value = raw
                if value:
                    cells[col] = value
            elif tag == "row":
                width = max(cells) + 1 if cells else 0
                if width > widest:
                    widest = width
                if widest and row_no * widest > limit:
                    raise _too_big(name, sheet_name, cell_range(row_no, widest), row_no * widest, limit)
                row = [""] * width
                for c, v in cells.items():
                    row[c] = v
                out.append((row_no, row))
                cells.clear()
            elif tag == "rPh":
                skip -= 1

        def data(chunk):
            nonlocal length
            if text:
                length += len(chunk)
                if length > MAX_CELL_CHARS:
                    raise self._long_cell(f"{sheet_name}!{column_name(col)}{row_no}")
                val.append(chunk)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        try:
            with self.book.open(info) as part:
                while True:
                    chunk = part.read(CHUNK)
                    parser.Parse(chunk, not chunk)
                    if out:
                        yield from out
                        out.clear()
                    if not chunk:
                        break
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise _not_readable(name, f"{info.filename}: {exc}") from None


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_COLUMNS: dict[str, int] = {}


def _column_of(ref: str) -> int:
    """The column of a cell reference (B12 → 1), the letters' index cached: a sheet has few."""
    letters = ref.rstrip("0123456789")
    found = _COLUMNS.get(letters)
    if found is None:
        found = _column_index(letters) if letters.isalpha() and letters.isupper() and len(letters) <= 3 else 0
        if len(_COLUMNS) < 20_000:
            _COLUMNS[letters] = found
    return found


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """OOXML's _xHHHH_ escapes (a character XML cannot hold, such as a carriage return)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _format_kind(code: str) -> str | None:
    """'date', 'duration' or None for a custom number format: a y, m, d, h or s outside quotes,
    brackets and escapes makes a date; [h], [m] or [s] a duration."""
    plain = re.sub(r'"[^"]*"|\\.|_.|\*.', "", code)
    if re.search(r"\[(h+|m+|s+)\]", plain, re.I):
        return "duration"
    plain = re.sub(r"\[[^\]]*\]", "", plain).split(";")[0]
    return "date" if re.search(r"[ymdhsYMDHS]", plain) and not re.fullmatch(r"[^ymdhsYMDHS]*(General|general)[^ymdhsYMDHS]*", plain) else None


def _number(text: str, style: int, dates: set[int], durations: set[int], date1904: bool) -> str:
    if not text:
        return ""
    try:
        value = float(text)
    except ValueError:
        return text
    if style in dates or style in durations:
        converted = _excel_date(value, style in durations, date1904)
        if converted is not None:
            return sheet_cell(converted)
    return sheet_cell(value)


def _excel_date(value: float, duration: bool, date1904: bool):
    """A serial as python-calamine gives it: a timedelta for a duration, a time below one day, a
    date for a whole day, else a datetime."""
    if value != value or abs(value) > 2_958_465:  # NaN, or past 9999-12-31
        return None
    if duration:
        return dt.timedelta(days=value)
    if not date1904 and 0 <= value < 1:
        return (dt.datetime(1899, 12, 30) + dt.timedelta(milliseconds=round(value * 86_400_000))).time()
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 31 if value < 60 else 30)
    moment = base + dt.timedelta(milliseconds=round(value * 86_400_000))
    if moment.time() == dt.time(0):
        return moment.date()
    return moment


def sheet_cell(value) -> str:
    """A workbook cell as the text an export would hold. A whole number Excel stored as a float
    past 15 digits has lost its last digits: it is written as Excel shows it (3.39120445678123E+18)
    so the reader reports the damage, as it does for a CSV saved from Excel."""
    cls = value.__class__
    if cls is str:
        return value
    if cls is float:
        if value.is_integer():
            return str(int(value)) if abs(value) < 1e15 else f"{value:.15G}"
        return repr(value)
    if value is None:
        return ""
    if cls is bool:
        return "1" if value else "0"
    if hasattr(value, "isoformat"):  # datetime, date, time
        return value.isoformat(sep=" ") if hasattr(value, "hour") and hasattr(value, "day") else value.isoformat()
    return str(value)
