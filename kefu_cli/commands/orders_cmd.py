"""`kefu orders`: read an order file and write canonical records."""

from __future__ import annotations

import click

from kefu_cli.cli import output_options, pass_env
from kefu_cli.i18n import _

INPUT_FORMATS = ("csv", "tsv", "jsonl", "json")


def input_options(f=None, *, jobs: bool = True):
    """The options of every command that reads an order file (--jobs only where records can be
    processed in parallel; remind and notify claim messages one at a time)."""
    if f is None:
        return lambda g: input_options(g, jobs=jobs)
    if jobs:
        f = click.option("--jobs", type=click.IntRange(min=1), metavar="N",
                         help="Worker processes for large CSV/TSV files [default: one per CPU; 1 = none].")(f)
    f = click.option("--input-format", type=click.Choice(INPUT_FORMATS),
                     help="Format of FILE [default: from the name, else sniffed].")(f)
    f = click.option("--encoding", metavar="NAME",
                     help="Encoding of FILE [default: detected: utf-8, utf-8 with BOM, gb18030].")(f)
    f = click.option("--items", "items_path", metavar="FILE",
                     help="The items report (宝贝报表), one row per item, joined on 订单编号.")(f)
    return f


def open_orders(env, path, items_path, encoding, input_format, required=("order_id",)):
    from kefu_cli.orders.reader import OrderFile

    order_file = OrderFile(path, env.config, encoding=encoding, input_format=input_format,
                           items=items_path, required=required, stdin=env.stdin)
    for note in order_file.notes:
        env.warn(note)
    for name, kept, ignored in order_file.plan.duplicates:
        env.warn(_("{file}: columns {kept} ({kept_name}) and {ignored} ({ignored_name}) both mean {field}; "
                   "using column {kept}").format(
            file=order_file.name, kept=kept + 1, kept_name=order_file.plan.headers[kept].strip(),
            ignored=ignored + 1, ignored_name=order_file.plan.headers[ignored].strip(), field=name))
    return order_file


def report_stats(env, order_file) -> None:
    stats = order_file.stats
    if stats.rows_with_problems:
        rows = ", ".join(str(r) for r in stats.problem_rows)
        more = "…" if stats.rows_with_problems > len(stats.problem_rows) else ""
        env.warn(_("{file}: {count} of {total} orders have problems (rows {rows}{more}); see the problems field").format(
            file=order_file.name, count=stats.rows_with_problems, total=stats.records, rows=rows, more=more))
    if stats.unmatched_items:
        rows = ", ".join(str(r) for r in stats.unmatched_items[:10])
        env.warn(_("items file: {count} rows name orders that are not in {file} (rows {rows})").format(
            count=len(stats.unmatched_items), file=order_file.name, rows=rows))


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
    from kefu_cli.orders.reader import RECORD_FIELDS
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
