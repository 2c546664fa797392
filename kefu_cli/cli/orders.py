"""`kefu orders`: read an order file and write canonical records."""

from __future__ import annotations

import click

from kefu_cli.cli.options import input_options, open_orders, output_options, report_stats
from kefu_cli.cli.context import pass_env

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
    from kefu_cli import pipeline
    from kefu_cli.orders.schema import RECORD_FIELDS
    from kefu_cli.output import default_format, make_renderer, parse_fields

    fmt = fmt or default_format(env.stdout)
    selected = parse_fields(fields, RECORD_FIELDS)
    order_file = open_orders(env, path, items_path, encoding, input_format)
    try:
        renderer = make_renderer(fmt, selected or list(RECORD_FIELDS), not no_headers, select=bool(selected))
        pipeline.run(order_file, renderer, env.stdout, jobs=jobs)
    finally:
        order_file.close()
    report_stats(env, order_file)
    return 0
