"""Write examples/pinduoduo_orders.xlsx from examples/pinduoduo_orders.csv, the way a desk saves
an export from Excel: text cells stay text, amounts and quantities become numbers, the 20-digit
order numbers stay text (as the platform writes them). Needs openpyxl (the test extra).

    python tools/make_xlsx_example.py
"""

import csv
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
NUMERIC = {"商品总价(元)", "店铺优惠折扣(元)", "平台优惠折扣(元)", "邮费(元)", "用户实付金额(元)", "商家实收金额(元)",
           "商品数量(件)"}


def main() -> None:
    with open(ROOT / "examples" / "pinduoduo_orders.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "订单列表"
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([float(v) if h in NUMERIC and v else v for h, v in zip(rows[0], row)])
    book.save(ROOT / "examples" / "pinduoduo_orders.xlsx")


if __name__ == "__main__":
    main()
