"""`kefu orders`: read an order file and write canonical records."""

from __future__ import annotations

import click

from kefu_cli.cli.context import pass_env
from kefu_cli.cli.options import input_options, output_options, renderer_for, run_order_file


@click.command()
@click.argument("path", metavar="FILE")
@input_options
@output_options
@pass_env
def orders(env, path, items_path, encoding, input_format, jobs, fmt, fields, no_headers):
    """Read an order file and write it as canonical records.

    FILE is a Taobao/Tmall, JD or Pinduoduo export, or kefu's own CSV/TSV/JSON/JSONL;
    `-` reads standard input. Bad values never stop the run: each record carries its
    problems (row, column, what was wrong).

    \b
    Example:
      kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv -f jsonl
      kefu orders examples/orders.jsonl --fields order_id,status,paid,province
    """
    from kefu_cli.orders.schema import RECORD_FIELDS

    renderer = renderer_for(env, fmt, fields, no_headers, RECORD_FIELDS)
    run_order_file(env, path, items_path, encoding, input_format, renderer, jobs=jobs)
    return 0
