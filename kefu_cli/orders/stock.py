"""The stock file (--stock): what each warehouse has on hand, read like the order exports (the
same encoding detection), handed to routing as a plain mapping."""

from __future__ import annotations

import csv
import io

from kefu_cli.config import Config
from kefu_cli.errors import InputError
from kefu_cli.i18n import _
from kefu_cli.orders.reader import detect_encoding


def load_stock(path: str, config: Config) -> dict[tuple[str, str], int]:
    """--stock FILE: CSV/TSV with sku, warehouse, available (header names as written) ->
    {(sku, warehouse): available}, for logistics.routing.Router."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(_("{file}: cannot open: {error}").format(file=path, error=exc.strerror)) from None
    text = data.decode(detect_encoding(data[:65536], path), "replace")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if first.count("\t") > first.count(",") else ",")
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    for need in ("sku", "warehouse", "available"):
        if need not in fields:
            raise InputError(_("{file}: no {column} column (looked for: {aliases})").format(
                file=path, column=need, aliases=need), hint=_("a stock file has the columns sku, warehouse, available"))
    codes = {w.code for w in config.warehouses}
    stock: dict[tuple[str, str], int] = {}
    for n, row in enumerate(reader, start=2):
        sku = (row[fields["sku"]] or "").strip()
        wh = (row[fields["warehouse"]] or "").strip().upper()
        raw = (row[fields["available"]] or "").strip()
        if wh not in codes:
            raise InputError(_("{file}: row {row}: {value} is not a warehouse (declared: {choices})").format(
                file=path, row=n, value=wh, choices=", ".join(sorted(codes))))
        try:
            stock[(sku, wh)] = int(raw)
        except ValueError:
            raise InputError(_("{file}: row {row}: available {value} is not a whole number").format(
                file=path, row=n, value=raw)) from None
    return stock
