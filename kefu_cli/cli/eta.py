"""`kefu eta`: ship and arrival windows per order, or for one query."""

from __future__ import annotations

import click

from kefu_cli.cli.options import DESK, estimator_for, input_options, output_options, renderer_for, run_order_file, state_option
from kefu_cli.cli.context import pass_env
from kefu_cli.errors import ExitCode, UsageError
from kefu_cli.i18n import _

STOCKS = ("in_stock", "made_to_order")


@click.command()
@click.argument("path", metavar="[FILE]", required=False)
@click.option("--sku", help="One query: the SKU (its product line picks the warehouse).")
@click.option("--title", help="One query: the title, when the SKU does not decide.")
@click.option("--warehouse", "warehouse_code", metavar="CODE", help="One query: ship from this warehouse instead of routing.")
@click.option("--to", "to", metavar="ADDRESS", help="One query: the destination address.")
@click.option("--paid", metavar="DATETIME", help="One query: when it was paid [default: now]; naive = the warehouse's time zone.")
@click.option("--stock", type=click.Choice(STOCKS), help="Stock status [default: the product line's].")
@click.option("--carrier", metavar="NAME", help="One query: the carrier (its transit days, where configured).")
@click.option("--explain", is_flag=True, help="Add day 0 and every step (field steps).")
@input_options
@output_options
@state_option("calibration")
@pass_env
def eta(env, path, sku, title, warehouse_code, to, paid, stock, carrier, explain, items_path, encoding,
        input_format, jobs, fmt, fields, no_headers, state_path):
    """Estimate ship and arrival windows from stock, working-day calendars and the destination.

    Working days follow each warehouse's calendar (China with its make-up workdays, or Japan).
    Transit days are the tier's, or the p10–p90 of the route's own delivered parcels once the
    state file's history has enough of them (transit_basis says which).
    A window touching a year whose calendar is not official yet is still computed; it carries a
    calendar_note and one warning goes to stderr. An address kefu cannot place, or one in
    another country than the warehouse, keeps its record with dates empty: exit 1 at the end.

    \b
    Example:
      kefu eta examples/taobao_orders.csv --items examples/taobao_items.csv
      kefu eta --sku DS1205 --to "广东省深圳市南山区科技园" --paid 2026-09-30T10:00 --stock in_stock
      kefu eta --warehouse NORTH --to "北京市朝阳区建国路88号" --paid "2026-09-30 10:00" --explain -f json
    """
    from kefu_cli.logistics.carriers import carrier_index
    from kefu_cli.logistics.eta import ETA_FIELDS, has_no_window
    from kefu_cli.logistics.plan import EtaTransform, Planner
    from kefu_cli.orders.regions import locate
    from kefu_cli.output import write_records
    from kefu_cli.logistics.routing import LineRoute, Router
    from kefu_cli.orders.values import parse_datetime

    cfg = env.config
    query = any(v is not None for v in (sku, title, warehouse_code, to, paid, carrier))
    if path is None and not query:
        raise UsageError(_("give an order FILE, or a query (--sku or --warehouse, with --to)"),
                         hint=_("see `kefu eta --help`"))
    if path is not None and query:
        raise UsageError(_("--sku, --warehouse, --to, --paid and --carrier are for a single query, not with FILE"))
    router = Router(cfg)
    estimator = estimator_for(env, state_path)
    renderer = renderer_for(env, fmt, fields, no_headers, [*ETA_FIELDS, *(["steps"] if explain else [])],
                            desk=DESK["eta"])
    totals = {"orders": 0, "problems": 0, "notes": set()}

    def merge(stats):
        totals["orders"] += stats["orders"]
        totals["problems"] += stats["problems"]
        totals["notes"].update(stats["notes"])

    if path is None:
        if not to:
            raise UsageError(_("a query needs --to ADDRESS"))
        place = locate(to)
        if warehouse_code:
            warehouse = cfg.warehouse(warehouse_code.upper())
            if warehouse is None:
                raise UsageError(_("unknown warehouse {value}").format(value=warehouse_code),
                                 hint=_("use one of: {choices}").format(choices=", ".join(w.code for w in cfg.warehouses)))
            r = LineRoute(sku, title, router.product_line(sku, title)[0] if (sku or title) else None, warehouse, None)
        else:
            if not (sku or title):
                raise UsageError(_("a query needs --sku (or --title) or --warehouse"))
            r = router.route(sku, title, place)
        paid_at = None
        if paid is not None:  # a time without an offset is in the warehouse's zone: its clock decides day 0
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(r.warehouse.timezone) if r.warehouse is not None else cfg.tzinfo()
            paid_at = parse_datetime(paid, zone)
            if not hasattr(paid_at, "tzinfo"):
                raise UsageError(_("--paid: {value} is not a date and time").format(value=paid),
                                 hint=_("for example --paid 2026-09-30T10:00"))
        found = carrier_index(cfg).get(carrier.strip().lower()) if carrier else None
        if carrier and found is None:
            raise UsageError(_("unknown carrier {value}").format(value=carrier),
                             hint=_("use one of: {choices}").format(choices=", ".join(c.code for c in cfg.carriers)))
        rec = estimator.estimate(order_id=None, warehouse=r.warehouse, place=place, stock=stock, paid_at=paid_at,
                                 product_line=r.product_line, carrier=found, address=to,
                                 reason=None if r.warehouse else "UNROUTABLE", explain=explain)
        write_records([rec], renderer, env.stdout)
        merge({"orders": 1, "problems": int(has_no_window(rec)),
               "notes": sorted(estimator.notes)})
    else:
        transform = EtaTransform(Planner(cfg, router, estimator, default_stock=stock or None), explain)
        run_order_file(env, path, items_path, encoding, input_format, renderer, transform, merge, jobs)
    if totals["notes"]:
        env.warn("; ".join(sorted(totals["notes"])))
    if totals["problems"]:
        env.warn(_("{count} of {total} orders have no window (unknown destination, no route or unroutable)").format(
            count=totals["problems"], total=totals["orders"]))
        return ExitCode.FINDINGS
    return ExitCode.OK
