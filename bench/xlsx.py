"""`kefu orders BOOK.xlsx -f jsonl` against `kefu orders` of the same rows as CSV.

Usage: python bench/xlsx.py [--rows 100000] [--repeat 3]
Floor (issue 13): an .xlsx of 100,000 rows reads in <= 3x the time of the same rows as CSV.
Both are timed twice: in one process (--jobs 1) and with the default workers. A workbook is
parsed whole by python-calamine in one process before its rows go to the workers; a CSV is cut
into blocks and parsed by the workers themselves.
"""

from __future__ import annotations

import argparse
import csv
import sys

from common import COLUMNS, OUT, best, generate, kefu_command, table


def workbook(source, rows_n: int):
    """The rows of `source` in an .xlsx written as Excel writes one: text in the shared-strings
    table, amounts as numbers (XlsxWriter, the test extra; openpyxl writes every string inline,
    which makes a sheet twice the size of Excel's and slower to parse)."""
    path = OUT / f"taobao_{rows_n}_excel.xlsx"
    if path.exists() and path.stat().st_size > 0:
        return path
    import xlsxwriter

    tmp = path.with_suffix(".tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp))
    sheet = book.add_worksheet("订单")
    with open(source, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        headers = next(reader)
        sheet.write_row(0, 0, headers)
        numeric = {i for i, h in enumerate(headers) if h.strip() in ("买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额", "退款金额")}
        for k, row in enumerate(reader, start=1):
            sheet.write_row(k, 0, [float(v) if i in numeric and v else v for i, v in enumerate(row)])
    book.close()
    tmp.rename(path)
    return path


def measure(rows_n: int, repeat: int) -> list[tuple]:
    source = generate(OUT / f"taobao_{rows_n}_utf-8.csv", rows_n, "utf-8")
    book = workbook(source, rows_n)
    one, _rss = best([*kefu_command(), "-q", "orders", str(source), "-f", "jsonl", "--jobs", "1"], repeat)
    many, _rss = best([*kefu_command(), "-q", "orders", str(source), "-f", "jsonl"], repeat)
    xlsx_one, rss_one = best([*kefu_command(), "-q", "orders", str(book), "-f", "jsonl", "--jobs", "1"], repeat)
    xlsx, rss = best([*kefu_command(), "-q", "orders", str(book), "-f", "jsonl"], repeat)
    return [
        ("orders .xlsx --jobs 1", f"same rows as CSV, --jobs 1 {one:.2f}s", f"{xlsx_one:.2f}s", f"{xlsx_one / one:.2f}x",
         f"{rss_one / 1024:.0f} MB", f"{rows_n:,} orders"),
        ("orders .xlsx", f"same rows as CSV, workers {many:.2f}s", f"{xlsx:.2f}s", f"{xlsx / many:.2f}x",
         f"{rss / 1024:.0f} MB", f"{rows_n:,} orders, default workers"),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"best of {args.repeat}")
    print(table(measure(args.rows, args.repeat), COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
