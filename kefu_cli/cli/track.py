"""`kefu track`: look waybills up through the tracking provider; in cron, print what changed."""

from __future__ import annotations

import os
import sys

import click

from kefu_cli.cli.options import input_options, open_orders, output_options, renderer_for, state_option
from kefu_cli.cli.context import pass_env
from kefu_cli.errors import ExitCode, UsageError
from kefu_cli.i18n import _

CUSTOMER_VAR = "KEFU_KUAIDI100_CUSTOMER"
KEY_VAR = "KEFU_KUAIDI100_KEY"
ENDPOINT_VAR = "KEFU_KUAIDI100_ENDPOINT"


def make_provider(config, environ=os.environ):
    """The 快递100 client from the environment's credentials; the endpoint from KEFU_KUAIDI100_ENDPOINT,
    else shop.toml [provider.kuaidi100], else the public one."""
    from kefu_cli.tracking.kuaidi100 import K100_ENDPOINT, Kuaidi100

    customer, key = environ.get(CUSTOMER_VAR), environ.get(KEY_VAR)
    if not customer or not key:
        missing = " and ".join(v for v, val in ((CUSTOMER_VAR, customer), (KEY_VAR, key)) if not val)
        raise UsageError(_("no 快递100 credentials: {missing} not set").format(missing=missing),
                         hint=_("set {customer} and {key} in the environment (never in a config file)").format(
                             customer=CUSTOMER_VAR, key=KEY_VAR))
    endpoint = environ.get(ENDPOINT_VAR) or config.raw["shop.toml"].get("provider", {}).get(
        "kuaidi100", {}).get("endpoint") or K100_ENDPOINT
    return Kuaidi100(customer, key, endpoint)


@click.command()
@click.argument("waybills", nargs=-1, metavar="[WAYBILL]... | -")
@click.option("--carrier", metavar="NAME", help="Carrier of the waybills given (code or name) [default: detected].")
@click.option("--phone", metavar="DIGITS", help="Receiver's phone (last 4 digits), for SF and ZTO.")
@click.option("--orders", "orders_path", metavar="FILE", help="Track the waybill, carrier and phone columns of an order file.")
@click.option("--history", is_flag=True, help="Print every event instead of one record per waybill.")
@click.option("--changed", is_flag=True, help="Print only waybills whose status changed since the last run (cron).")
@click.option("--refresh", is_flag=True, help="Query even waybills queried in the last 30 minutes.")
@click.option("--concurrency", type=click.IntRange(1, 200), default=8, show_default=True, help="Requests at once.")
@click.option("--rate", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Requests per second at most.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds per request.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="warning", show_default=True,
              help="Exit 1 on exception/refused/returned (error) or also stale (warning).")
@state_option
@input_options(jobs=False)
@output_options
@pass_env
def track(env, waybills, carrier, phone, orders_path, history, changed, refresh, concurrency, rate, timeout, fail_on,
          state_path, items_path, encoding, input_format, fmt, fields, no_headers):
    """Track waybills through 快递100 and normalise their status.

    Give waybills as arguments, `-` to read one per line (waybill[<TAB>carrier[<TAB>phone]]), or
    --orders FILE. One record per waybill; a failed one has `error` set. Exit 0 when all were
    answered, 1 when one is exception, refused, returned or stale (see --fail-on), 3 when the
    provider could not be reached or refused the credentials (records are still printed). A
    waybill that could not be asked (unknown carrier, phone missing) also makes it exit 1.

    \b
    Example:
      KEFU_KUAIDI100_CUSTOMER=… KEFU_KUAIDI100_KEY=… kefu track 73512345678901 --phone 5678
      kefu track --orders exports/shipped.csv --changed -f tsv    # hourly from cron
    """
    from kefu_cli.logistics.carriers import carrier_index
    from kefu_cli.output import write_records
    from kefu_cli.tracking.cache import build_query, is_problem, track as run_track
    from kefu_cli.state import State, state_path as resolve
    from kefu_cli.tracking.provider import EVENT_FIELDS, TRACK_FIELDS

    from kefu_cli.tracking.kuaidi100 import Kuaidi100

    cfg = env.config
    index = carrier_index(cfg)
    code_of = Kuaidi100.code_of  # the provider's carrier codes

    def build(waybill, carrier_name, phone_number):
        return build_query(cfg, index, waybill, carrier_name, phone_number, code_of)

    queries = []
    if orders_path:
        order_file = open_orders(env, orders_path, items_path, encoding, input_format, required=("order_id", "waybill"))
        try:
            for order in order_file.records():
                if order["waybill"]:
                    queries.append(build(order["waybill"], order["carrier"], order["mobile"] or order["phone"]))
        finally:
            order_file.close()
    if waybills == ("-",):
        for line in env.stdin.read().decode("utf-8", "replace").splitlines():
            parts = [p.strip() for p in line.split("\t")]
            if parts and parts[0]:
                queries.append(build(parts[0], parts[1] if len(parts) > 1 and parts[1] else carrier,
                                     parts[2] if len(parts) > 2 and parts[2] else phone))
    else:
        queries += [build(w, carrier, phone) for w in waybills if w.strip()]
    if not queries and not orders_path:
        raise UsageError(_("give waybills, - for standard input, or --orders FILE"), hint=_("see `kefu track --help`"))
    provider = make_provider(cfg) if any(q.error is None for q in queries) else None
    renderer = renderer_for(env, fmt, fields, no_headers, EVENT_FIELDS if history else TRACK_FIELDS)
    show = sys.stderr.isatty() and not env.quiet and len(queries) > 1

    def progress(done, total):  # a bar on stderr, only for a person watching it
        if show:
            filled = done * 30 // total
            click.echo(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", err=True, nl=False)

    state = State(resolve(state_path))
    try:
        outcome = run_track(cfg, provider, queries, state, env.now, refresh=refresh, concurrency=concurrency,
                            rate=rate, timeout=timeout, progress=progress)
    finally:
        state.close()
        if show:
            click.echo("", err=True)
    records = outcome.changed if changed else outcome.records
    if history:
        wanted = {r["waybill"] for r in records}
        write_records([e for e in outcome.events if e["waybill"] in wanted], renderer, env.stdout)
    else:
        write_records(records, renderer, env.stdout)
    errors = [r for r in outcome.records if r["error"]]
    if errors:
        env.warn(_("{count} of {total} waybills have no answer (see the error field)").format(
            count=len(errors), total=len(outcome.records)))
    if outcome.provider_failed:
        return ExitCode.UPSTREAM
    if errors or any(is_problem(r, fail_on) for r in outcome.records):
        return ExitCode.FINDINGS
    return ExitCode.OK
