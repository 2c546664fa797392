"""`kefu route`: which warehouse ships each order line, and why."""

from __future__ import annotations

import click

from kefu_cli.cli.options import DESK, input_options, output_options, renderer_for, run_order_file
from kefu_cli.cli.context import pass_env
from kefu_cli.errors import ExitCode, UsageError
from kefu_cli.i18n import _


@click.command()
@click.argument("path", metavar="[FILE]", required=False)
@click.option("--sku", help="Route one line by SKU instead of reading FILE.")
@click.option("--title", help="The line's title (matched by keywords when the SKU does not decide).")
@click.option("--to", "to", metavar="ADDRESS", help="Destination address, for the country and province tie-breaks.")
@click.option("--stock", "stock_path", metavar="FILE", help="Stock on hand (sku, warehouse, available): decides before priority.")
@click.option("--explain", is_flag=True, help="Add every rule tried and why it matched or not (field steps).")
@input_options
@output_options
@pass_env
def route(env, path, sku, title, to, stock_path, explain, items_path, encoding, input_format, jobs, fmt, fields,
          no_headers):
    """Pick the warehouse for each order line by product line.

    Product line by SKU pattern, then title keywords; where several warehouses stock it:
    destination country, then same province, then stock on hand (--stock), then priority.
    Exit 1 when a line matches no product line (reason UNROUTABLE).

    \b
    Example:
      kefu route examples/taobao_orders.csv --items examples/taobao_items.csv
      kefu route --sku DS1205 --to "日本 東京都 新宿区西新宿2-8-1" --explain
    """
    from kefu_cli.logistics.plan import ROUTE_FIELDS, Planner, RouteTransform
    from kefu_cli.output import write_records
    from kefu_cli.logistics.routing import Router
    from kefu_cli.orders.stock import load_stock

    if path is None and not (sku or title):
        raise UsageError(_("give an order FILE, or --sku/--title for one line"),
                         hint=_("see `kefu route --help`"))
    cfg = env.config
    router = Router(cfg, load_stock(stock_path, cfg) if stock_path else None)
    transform = RouteTransform(Planner(cfg, router), explain)
    renderer = renderer_for(env, fmt, fields, no_headers, [*ROUTE_FIELDS, *(["steps"] if explain else [])],
                            desk=(*DESK["route"], *(["steps"] if explain else [])))
    totals = {"lines": 0, "unroutable": 0}

    def merge(stats):
        for k in totals:
            totals[k] += stats[k]

    if path is None:
        order = {"order_id": None, "address": to, "province": None, "city": None, "stock": None,
                 "items": [{"sku": sku, "title": title, "qty": 1}]}
        write_records(transform.process([order]), renderer, env.stdout)
        merge(transform.take_stats())
    else:
        run_order_file(env, path, items_path, encoding, input_format, renderer, transform, merge, jobs)
    if totals["unroutable"]:
        env.warn(_("{count} of {total} lines match no product line (UNROUTABLE)").format(
            count=totals["unroutable"], total=totals["lines"]))
        return ExitCode.FINDINGS
    return ExitCode.OK
