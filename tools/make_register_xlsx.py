"""Write examples/aftersales_register.xlsx from examples/aftersales_register.csv, the way a desk
keeps its 售后服务项目表 in Excel: text cells stay text, the times become Excel date-times (the
reader reads them as the sheet holds them), the 19-digit order numbers stay text. Needs openpyxl
(the test extra).

    python tools/make_register_xlsx.py
"""

import csv
from datetime import datetime
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
TIMES = {"登记时间", "审核时间", "补发时间", "关闭时间"}


def main() -> None:
    with open(ROOT / "examples" / "aftersales_register.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "售后服务项目表"
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([datetime.fromisoformat(v) if h in TIMES and v else v for h, v in zip(rows[0], row)])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    book.save(ROOT / "examples" / "aftersales_register.xlsx")


if __name__ == "__main__":
    main()
