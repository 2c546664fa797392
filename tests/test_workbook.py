"""Hostile and genuine workbooks (orders/workbook.py): every bomb is built here in code (no binary
bomb is committed) and read by kefu in a child process under a 1 GiB address-space ceiling, its
CPU time measured (not wall time: the suite shares a busy machine)."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import zipfile

import pytest

CEILING = 1024 * 1024 * 1024
MAIN = "from kefu_cli.cli.app import main; main()"

CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>order_id</t></is></c><c r="B1" t="inlineStr"><is><t>buyer</t></is></c></row>'


def _book(path, sheet: bytes | list, shared: bytes | list | None = None, level: int = 9):
    """A minimal .xlsx (the parts Excel itself needs): `sheet` and `shared` as bytes or as a
    list of byte pieces streamed into the zip (a bomb is written without holding it)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        for name, data in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            if data is None:
                continue
            with z.open(name, "w", force_zip64=True) as part:
                for piece in ([data] if isinstance(data, bytes) else data):
                    part.write(piece)
    return path


def _ods(path, content: bytes):
    """An OpenDocument spreadsheet: the parts python-calamine looks for (mimetype, the manifest,
    content.xml)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                   'xmlns:manifest:1.0"/>')
        z.writestr("content.xml", content)
    return path


def _kefu(*args, stdin=None):
    """kefu in a child process under the 1 GiB ceiling: (exit code, stdout, stderr, CPU seconds)."""
    def ceiling():
        resource.setrlimit(resource.RLIMIT_AS, (CEILING, CEILING))

    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update(LANG="C.UTF-8", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, "-c", MAIN, *map(str, args)], stdin=subprocess.PIPE if stdin else
                            subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=ceiling)
    out, err = proc.communicate(stdin, timeout=600)
    return proc.returncode, out.decode(), err.decode(), _cpu()


_children_cpu = [0.0]


def _cpu() -> float:
    """CPU seconds of the child that just ended (RUSAGE_CHILDREN grows by exactly its share)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _children_cpu[0] = total - _children_cpu[0], total
    return spent


@pytest.fixture(autouse=True)
def _cpu_baseline():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    _children_cpu[0] = usage.ru_utime + usage.ru_stime


def _refused(result, *words, cpu=3.0):
    code, out, err, spent = result
    assert code == 2, (code, err[-2000:])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kefu: error:"), err[-2000:]
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert spent < cpu, f"refused after {spent:.1f} s of CPU"
    return lines[0]


def test_a_stray_corner_cell_is_refused_by_its_declared_dimension(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单编号", "买家会员名"])
    ws.append(["1", "a"])
    ws["XFD1048576"] = "x"
    wb.save(tmp_path / "corner.xlsx")
    assert (tmp_path / "corner.xlsx").stat().st_size < 10_000
    for command in (["orders"], ["audit"], ["report", "-o", tmp_path / "r.html"]):
        line = _refused(_kefu(*command, tmp_path / "corner.xlsx"), "sheet 订单", "A1:XFD1048576",
                        "17,179,869,184 cells", "50,000,000", "--max-cells")
        assert "Traceback" not in line


@pytest.mark.parametrize("row", [1_048_576, 100_000])
def test_a_stray_cell_without_a_dimension_is_refused_while_streaming(tmp_path, row):
    sheet = SHEET_HEAD + b"<sheetData>" + HEADER_ROW + (
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c></row>'
        f'<row r="{row}"><c r="XFD{row}" t="inlineStr"><is><t>x</t></is></c></row>').encode() + b"</sheetData></worksheet>"
    book = _book(tmp_path / "corner.xlsx", sheet)
    _refused(_kefu("orders", book), "sheet Orders", f"A1:XFD{row}", "over the limit of 50,000,000 cells")


def test_a_sparse_cell_within_the_limit_is_read(tmp_path):
    sheet = SHEET_HEAD + b"<sheetData>" + HEADER_ROW + (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="B2" t="inlineStr"><is><t>a</t></is></c></row>'
        b'<row r="40000"><c r="A40000" t="inlineStr"><is><t>2</t></is></c><c r="Z40000"><v>5</v></c></row>'
    ) + b"</sheetData></worksheet>"
    code, out, err, _cpu_s = _kefu("orders", _book(tmp_path / "sparse.xlsx", sheet), "-f", "jsonl")
    assert code in (0, 1), err
    assert [json.loads(line)["row"] for line in out.splitlines()] == [2, 40000]


def test_max_cells_is_the_limit_and_can_be_raised(tmp_path):
    sheet = SHEET_HEAD + b'<dimension ref="A1:B3"/><sheetData>' + HEADER_ROW + b"".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{r}</t></is></c><c r="B{r}" t="inlineStr"><is><t>b</t></is>'
        f'</c></row>'.encode() for r in (2, 3)) + b"</sheetData></worksheet>"
    book = _book(tmp_path / "small.xlsx", sheet)
    _refused(_kefu("orders", book, "--max-cells", "5"), "A1:B3", "(6 cells)", "limit of 5 cells")
    code, out, err, _cpu_s = _kefu("orders", book, "--max-cells", "6", "-f", "jsonl")
    assert code == 0 and len(out.splitlines()) == 2, err
    code, _out, err, _cpu_s = _kefu("orders", book, "--max-cells", "0")
    assert code == 2 and "--max-cells" in err


def test_an_ods_named_xlsx_repeating_one_cell_is_refused(tmp_path):
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               '<table:table-row><table:table-cell office:value-type="string"><text:p>order_id</text:p></table:table-cell>'
               '</table:table-row><table:table-row table:number-rows-repeated="4000">'
               '<table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p>'
               '</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body>'
               '</office:document-content>').encode()
    path = _ods(tmp_path / "bomb.xlsx", content)
    assert path.stat().st_size < 2000
    _refused(_kefu("orders", path), "sheet Sheet1", "A1:XFD4001", "limit of 50,000,000")


def test_an_ods_with_trailing_empty_repeats_is_read(tmp_path):
    """Every ODS writer ends a row with an empty cell repeated to the sheet's last column."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')

    def row(*cells):
        return ("<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in cells)
            + '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>')

    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">' + row("订单号", "客户姓名")
               + row("J1", "张三") + '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
               'table:number-columns-repeated="16384"/></table:table-row></table:table></office:spreadsheet>'
               '</office:body></office:document-content>').encode()
    path = _ods(tmp_path / "genuine.ods", content)
    code, out, err, _cpu_s = _kefu("orders", path, "-f", "jsonl")
    assert code in (0, 1), err
    assert json.loads(out)["order_id"] == "J1"


def test_a_shared_strings_bomb_is_refused_before_it_is_inflated(tmp_path):
    piece = b"<si><t>ab</t></si>" * 65536
    shared = [b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
              *(piece for _ in range(300 * 1024 * 1024 // len(piece))), b"</sst>"]
    sheet = SHEET_HEAD + b"<sheetData>" + HEADER_ROW + b"</sheetData></worksheet>"
    book = _book(tmp_path / "sst.xlsx", sheet, shared, level=1)
    assert book.stat().st_size < 8 * 1024 * 1024
    _refused(_kefu("orders", book), "xl/sharedStrings.xml", "256 MB")


@pytest.mark.parametrize("where", ["inline", "shared"])
def test_a_cell_past_excels_limit_is_refused(tmp_path, where):
    big = b"x" * (64 * 1024 * 1024)
    if where == "inline":
        sheet = [SHEET_HEAD + b"<sheetData>" + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>', big,
                 b"</t></is></c></row></sheetData></worksheet>"]
        shared = None
    else:
        sheet = SHEET_HEAD + b'<sheetData>' + HEADER_ROW + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row></sheetData></worksheet>'
        shared = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>', big, b"</t></si></sst>"]
    book = _book(tmp_path / "cell.xlsx", sheet, shared, level=1)
    _refused(_kefu("orders", book), "32,767 characters", "Orders!A2" if where == "inline" else "shared string 1")


def test_not_a_workbook_is_one_line(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    _refused(_kefu("orders", path), "not a readable Excel workbook")
    sheet = SHEET_HEAD + b"<sheetData>" + HEADER_ROW + b"<row r='2'><c r='A2'><v>1</v></c>"  # cut off
    _refused(_kefu("orders", _book(tmp_path / "cut.xlsx", sheet)), "not a readable Excel workbook")


def test_the_streamed_sheet_reads_as_python_calamine_reads_it(tmp_path):
    """The streaming reader and python-calamine (kefu's reader of .xls and .ods, which builds the
    whole grid) give the same cells for a workbook of every cell type: text, numbers, long ids,
    booleans, dates, times, datetimes, durations, formulas, escapes, empty rows and gaps."""
    openpyxl = pytest.importorskip("openpyxl")
    from python_calamine import CalamineWorkbook

    from kefu_cli.orders.workbook import open_sheet, sheet_cell

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["订单编号", "n", "f", "b", "dt", "d", "t", "formula", "esc", "big", "neg", "midnight", "dur"])
    ws.append(["a", 1, 1.5, True, dt.datetime(2026, 11, 28, 9, 30), dt.date(2026, 11, 28), dt.time(9, 30), "=1/0",
               "x_x000D_y", 12345678901234567890, -0.1, dt.datetime(2026, 1, 1), dt.timedelta(hours=30)])
    ws["A4"] = "z"
    ws["C6"] = 3391204456781230001
    ws["B7"] = "=A1"
    wb.save(tmp_path / "types.xlsx")

    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "excel.xlsx"))  # shared strings, as Excel writes them
    sheet = book.add_worksheet("订单")
    sheet.write_row(0, 0, ["订单编号", "金额", "时间"])
    sheet.write_row(1, 0, ["3391204456781230001", 1299.5, "2026-11-28 09:30:00"])
    sheet.write_datetime(2, 2, dt.datetime(2026, 11, 28, 9, 30, 15), book.add_format({"num_format": "yyyy/m/d h:mm:ss"}))
    sheet.write_string(3, 0, "a & <b> \"c\"")
    sheet.write_rich_string(4, 0, "plain ", book.add_format({"bold": True}), "bold", " tail")
    sheet.write_number(5, 1, 45000, book.add_format({"num_format": 14}))
    book.close()
    for path in (tmp_path / "types.xlsx", tmp_path / "excel.xlsx"):
        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        want = {n: [sheet_cell(v) for v in row] for n, row in enumerate(grid.iter_rows(), 1)}
        with open(path, "rb") as fh:
            rows = open_sheet(fh, str(path), None)
            got = {}
            for row in rows:
                if row:
                    got[rows.line_num] = row
        trimmed = {n: _trim(r) for n, r in want.items() if any(r)}
        assert {n: _trim(r) for n, r in got.items()} == trimmed, path.name


def _trim(row):
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


def test_a_workbook_from_a_pipe_is_spooled_not_held(tmp_path):
    sheet = SHEET_HEAD + b"<sheetData>" + HEADER_ROW + b'<row r="2"><c r="A2" t="inlineStr"><is><t>J1</t></is></c></row></sheetData></worksheet>'
    data = _book(tmp_path / "b.xlsx", sheet).read_bytes()
    code, out, err, _cpu_s = _kefu("orders", "-", "-f", "jsonl", stdin=data)
    assert code == 0 and json.loads(out)["order_id"] == "J1", err
