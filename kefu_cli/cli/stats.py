"""`kefu stats transit` and `kefu stats remind`: figures from what happened."""

from __future__ import annotations

import re
from datetime import date, timedelta

import click

from kefu_cli.cli.context import pass_env
from kefu_cli.cli.options import (DESK, input_options, open_state, output_options, reminder_results, renderer_for,
                                  state_option, window_option)
from kefu_cli.errors import UsageError
from kefu_cli.i18n import N_, _


@click.group()
def stats():
    """Figures from what happened: transit of delivered parcels, results of reminders."""


def since_date(text: str | None, today: date) -> str | None:
    """--since: a date (2026-09-01) or a number of days back (90d)."""
    if text is None:
        return None
    m = re.fullmatch(r"(\d{1,4})d", text.strip())
    if m:
        return (today - timedelta(days=int(m.group(1)))).isoformat()
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise UsageError(_("--since {value} is neither a date (2026-09-01) nor days back (90d)").format(
            value=text)) from None


@stats.command()
@click.option("--since", metavar="DATE|Nd", help="Only parcels delivered on or after this date, or in the last N days.")
@click.option("--min-n", type=click.IntRange(min=1), default=1, show_default=True,
              help="Only routes with at least this many delivered parcels.")
@click.option("--all-carriers", is_flag=True, help="One row per route over all carriers, not one per carrier.")
@output_options
@state_option("history")
@pass_env
def transit(env, since, min_n, all_carriers, fmt, fields, no_headers, state_path):
    """Transit days of delivered parcels per warehouse, destination and carrier.

    n and the p10, p50 and p90 of the days from the first pickup scan to delivery, in calendar
    days and in working days of the warehouse's calendar. Every parcel `kefu track` sees end
    (delivered, refused, returned) is kept in the state file; parcels tracked before that are
    taken from the tracking cache. eta uses a route's p10–p90 once it has
    [transit_history] min_samples deliveries.

    \b
    Example:
      kefu stats transit --since 90d --min-n 30
      kefu stats transit --all-carriers -f tsv | sort -t$'\\t' -k5 -nr | head
    """
    from kefu_cli.insights.stats import delivered_before, transit_table
    from kefu_cli.logistics.history import TRANSIT_FIELDS
    from kefu_cli.output import write_records

    renderer = renderer_for(env, fmt, fields, no_headers, TRANSIT_FIELDS, desk=DESK["stats transit"])
    first = since_date(since, env.now.date())
    state = open_state(state_path, create=False, env=env, named_only=False, missing=_(
        "no delivery history yet (`kefu track` records each parcel that ends)"))
    rows, hidden, before = [], [], 0
    if state is not None:
        try:
            rows, hidden = transit_table(env.config, state, first, min_n, not all_carriers)
            before = delivered_before(state, first) if first and not rows and not hidden else 0
        finally:
            state.close()
    write_records(rows, renderer, env.stdout)
    if hidden:  # the threshold, not the history, left these out: say which and how many
        env.info(_("--min-n {min_n} hides {routes} routes with {parcels} delivered parcels (the largest has {most})").format(
            min_n=min_n, routes=len(hidden), parcels=sum(r["n"] for r in hidden), most=max(r["n"] for r in hidden)))
    elif before:
        env.info(_("--since {date} hides {parcels} delivered parcels before it").format(date=first, parcels=before))
    elif state is not None and not rows:
        env.warn(_("no delivered parcels in the history{since}").format(
            since=_(" since {date}").format(date=first) if first else ""))
    return 0


@stats.command()
@click.argument("path", metavar="FILE")
@window_option(N_("Paid within this long after the reminder counts as paid after it (30m, 24h, 2d)."))
@click.option("--closed", is_flag=True, help="List the reminded orders that closed unpaid, with their close reason.")
@input_options(jobs=False)
@output_options
@state_option("reminders")
@pass_env
def remind(env, path, window, closed, items_path, encoding, input_format, fmt, fields, no_headers, state_path):
    """Results of payment reminders (催付成功率) per stage and wording.

    Joins the ledger of reminders with a later export of the same orders (FILE): per stage and
    template, how many were sent, how many of those orders were paid within --window after the
    reminder, the rate, and the median hours to payment; orders closed unpaid are counted, and
    listed with --closed by their 订单关闭原因.

    \b
    Example:
      kefu stats remind today.csv
      kefu stats remind today.csv --closed -f tsv
    """
    from kefu_cli.insights.stats import CLOSED_FIELDS, REMIND_FIELDS
    from kefu_cli.output import write_records

    renderer = renderer_for(env, fmt, fields, no_headers, CLOSED_FIELDS if closed else REMIND_FIELDS)
    state = open_state(state_path, create=False, env=env, named_only=False, missing=_(
        "no message ledger yet (`kefu remind` records each reminder it prints)"))
    sent = []
    if state is not None:
        try:
            sent = state.reminders()
        finally:
            state.close()
    results = reminder_results(env, sent, window, path, items_path, encoding, input_format)
    if not sent and state is not None:
        env.warn(_("the ledger has no reminders yet: `kefu remind` records each one it prints"))
    write_records(results.closed_unpaid() if closed else results.results(), renderer, env.stdout)
    return 0


@stats.command("aftersales")
@click.argument("paths", metavar="[FILE]...", nargs=-1)
@click.option("--register", "register_path", metavar="FILE", help="The desk's ticket register, CSV or .xlsx.")
@click.option("--orders", "orders_path", metavar="FILE", help="The order export: SKU, product line, paid orders.")
@click.option("--by", type=click.Choice(["reason", "sku", "product_line", "platform"]),
              help="One row per reason, SKU, product line or platform [default: platform × type × part type].")
@click.option("--since", metavar="DATE|Nd", help="Only cases received on or after this date, or in the last N days.")
@input_options(jobs=False)
@output_options
@state_option("aftersales")
@pass_env
def aftersales(env, paths, register_path, orders_path, by, since, items_path, encoding, input_format, fmt, fields,
               no_headers, state_path):
    """After-sales results: same-day approval, time to approve, replacements, refunds.

    Per platform × type × part type (or --by): the same-day rate (approved by the 16:00 rule's
    due time, promotions left out), hours to approve (p50, p90), days from approval to the
    replacement's shipping (p50, p90) and the share shipped by the promised date, refunds and
    their rate over the paid orders of --orders, and refunds later than 7 days after the return
    arrived. The cases are those `kefu aftersales` reads and evaluates.

    \b
    Example:
      kefu stats aftersales exports/refunds.csv --register desk/售后单.xlsx --orders exports/month.csv --since 30d
      kefu stats aftersales --register examples/aftersales_register.csv --by product_line
    """
    from kefu_cli.aftersales.rules import Settings
    from kefu_cli.cli.aftersales import desk_records
    from kefu_cli.insights.stats import aftersales as results, aftersales_fields
    from kefu_cli.output import write_records

    if not paths and not register_path and not orders_path:
        raise UsageError(_("give after-sales exports (FILE) or --register FILE"))
    renderer = renderer_for(env, fmt, fields, no_headers, aftersales_fields(by))
    first = since_date(since, env.now.date())
    records, paid = desk_records(env, Settings.from_config(env.config), paths, register_path, orders_path, items_path,
                                 encoding, input_format, state_path)
    if first is not None:
        records = [r for r in records if r["received_at"] is not None and r["received_at"].date().isoformat() >= first]
    write_records(results(records, by, paid), renderer, env.stdout)
    return 0
