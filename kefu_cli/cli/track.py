"""`kefu track`: look waybills up through the tracking provider; in cron, print what changed."""

from __future__ import annotations

import os
import sys

import click

from kefu_cli.cli.options import DESK, Number, input_options, open_orders, output_options, renderer_for, state_option
from kefu_cli.cli.context import pass_env, report_error
from kefu_cli.errors import ExitCode, UsageError
from kefu_cli.i18n import _

def make_providers(config, names, environ=os.environ) -> dict:
    """The clients of the providers `names` need, from the environment's credentials (the only
    place that reads them), before any query: a missing variable is a usage error naming it.
    Endpoints: the environment, else shop.toml [provider.NAME], else the public one."""
    from kefu_cli.tracking.kuaidi100 import K100_ENDPOINT, Kuaidi100
    from kefu_cli.tracking.seventeen import ENDPOINT, SeventeenTrack

    settings = config.raw["shop.toml"].get("provider", {})
    providers = {}
    if "kuaidi100" in names:
        customer, key = environ.get(Kuaidi100.CUSTOMER_VAR), environ.get(Kuaidi100.KEY_VAR)
        if not customer or not key:
            missing = " and ".join(v for v, val in ((Kuaidi100.CUSTOMER_VAR, customer), (Kuaidi100.KEY_VAR, key)) if not val)
            raise UsageError(_("no 快递100 credentials: {missing} not set").format(missing=missing),
                             hint=_("set {customer} and {key} in the environment (never in a config file)").format(
                                 customer=Kuaidi100.CUSTOMER_VAR, key=Kuaidi100.KEY_VAR))
        endpoint = environ.get(Kuaidi100.ENDPOINT_VAR) or settings.get("kuaidi100", {}).get("endpoint") or K100_ENDPOINT
        providers["kuaidi100"] = Kuaidi100(customer, key, endpoint)
    if "17track" in names:
        token = environ.get(SeventeenTrack.TOKEN_VAR)
        if not token:
            raise UsageError(_("no 17TRACK credentials: {missing} not set").format(missing=SeventeenTrack.TOKEN_VAR),
                             hint=_("set {token} in the environment (never in a config file); 17TRACK tracks the "
                                    "Japanese carriers").format(token=SeventeenTrack.TOKEN_VAR))
        endpoint = environ.get(SeventeenTrack.ENDPOINT_VAR) or settings.get("17track", {}).get("endpoint") or ENDPOINT
        providers["17track"] = SeventeenTrack(token, endpoint)
    return providers


def _place(province, city) -> str | None:
    """"省市" for 快递100's from/to, when the city is known (a province alone says little)."""
    return f"{province or ''}{city}" if city else None


@click.command()
@click.argument("waybills", nargs=-1, metavar="[WAYBILL]... | -")
@click.option("--carrier", metavar="NAME", help="Carrier of the waybills given (code or name) [default: detected].")
@click.option("--phone", metavar="DIGITS", help="Receiver's phone (last 4 digits), for SF and ZTO.")
@click.option("--orders", "orders_path", metavar="FILE", help="Track the waybill, carrier and phone columns of an order file.")
@click.option("--cases", "cases_paths", metavar="FILE", multiple=True,
              help="Track the return and replacement waybills of an after-sales file (a refund/return export or "
                   "the ticket register); repeatable.")
@click.option("--history", is_flag=True, help="Print every event instead of one record per waybill.")
@click.option("--changed", is_flag=True, help="Print only waybills whose status changed since the last run (cron).")
@click.option("--refresh", is_flag=True, help="Query even waybills queried in the last 30 minutes.")
@click.option("--concurrency", type=click.IntRange(1, 200), default=8, show_default=True, help="Requests at once.")
@click.option("--rate", type=Number(min=0.1, max=1000), default=None,
              help="Requests per second at most (default: each provider's own, 快递100 10, 17TRACK 3).")
@click.option("--timeout", type=Number(min=0.1, max=3600), default=10.0, show_default=True, help="Seconds per request.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="warning", show_default=True,
              help="Exit 1 on exception/refused/returned (error) or also stale (warning).")
@state_option("tracking")
@input_options(jobs=False)
@output_options
@pass_env
def track(env, waybills, carrier, phone, orders_path, cases_paths, history, changed, refresh, concurrency, rate, timeout,
          fail_on, state_path, items_path, encoding, input_format, fmt, fields, no_headers):
    """Track waybills through 快递100 (China) and 17TRACK (Japan), and normalise their status.

    Give waybills as arguments, `-` to read one per line (waybill[<TAB>carrier[<TAB>phone]]),
    --orders FILE, or --cases FILE (the return and replacement parcels of after-sales cases,
    whose arrival `kefu aftersales` reads: a return's starts the refund clock). One record
    per waybill; a failed one has `error` set. Exit 0 when all were
    answered, 1 when one is exception, refused, returned or stale (see --fail-on), 3 when a
    provider could not be reached or refused the account (records are still printed). A
    waybill that could not be asked (unknown carrier, phone missing) also makes it exit 1.
    Either way one line on stderr says why, with counts and the first waybills.

    \b
    Example:
      KEFU_KUAIDI100_CUSTOMER=… KEFU_KUAIDI100_KEY=… kefu track 73512345678901 --phone 5678
      kefu track --orders exports/shipped.csv --changed -f tsv    # hourly from cron
      kefu track --orders exports/orders.csv --cases exports/refunds.csv --cases register.xlsx --changed
    """
    from kefu_cli.logistics.carriers import carrier_index
    from kefu_cli.output import write_records
    from kefu_cli.state import State, state_path as resolve
    from kefu_cli.tracking.cache import build_query, is_problem, track as run_track
    from kefu_cli.tracking.provider import EVENT_FIELDS, TRACK_FIELDS, receiver_phone

    cfg = env.config
    index = carrier_index(cfg)
    queries = []
    phones: dict[str, str] = {}  # order_id -> the receiver's phone, for the cases' parcels (--cases)
    if orders_path:
        from kefu_cli.logistics.plan import Planner
        from kefu_cli.logistics.routing import Router

        planner = Planner(cfg, Router(cfg))  # the order's plan says where its parcel left from
        order_file = open_orders(env, orders_path, items_path, encoding, input_format, required=("order_id", "waybill"))
        skipped: dict[str, list[int]] = {}  # an order without a waybill, by its status: rows
        try:
            for order in order_file.records():
                if cases_paths and order["order_id"] and (buyer := receiver_phone(order)):
                    phones[order["order_id"]] = buyer
                if not order["waybill"]:
                    skipped.setdefault(order["status"] or "unknown", []).append(order["row"])
                else:
                    plan = planner.plan(order)
                    shipped = next((s.warehouse for s in plan.shipments if s.warehouse), None)
                    origin = _place(shipped.province, shipped.city) if shipped else None
                    route = (order["order_id"], shipped.code if shipped else None, plan.place.country,
                             plan.place.province, plan.place.city)
                    queries.append(build_query(cfg, index, order["waybill"], order["carrier"],
                                               receiver_phone(order), origin=origin,
                                               destination=_place(order["province"], order["city"]), route=route))
        finally:
            order_file.close()
        if skipped:
            _say_skipped(env, order_file.name, skipped)
    for path in cases_paths:
        queries += _case_queries(env, cfg, index, path, phone, phones, encoding, input_format)
    if waybills == ("-",):
        for line in env.stdin.read().decode("utf-8", "replace").splitlines():
            parts = [p.strip() for p in line.split("\t")]
            if parts and parts[0]:
                queries.append(build_query(cfg, index, parts[0], parts[1] if len(parts) > 1 and parts[1] else carrier,
                                           parts[2] if len(parts) > 2 and parts[2] else phone))
    else:
        queries += [build_query(cfg, index, w, carrier, phone) for w in waybills if w.strip()]
    if not queries and not orders_path and not cases_paths:
        raise UsageError(_("give waybills, - for standard input, or --orders FILE"), hint=_("see `kefu track --help`"))
    providers = make_providers(cfg, {q.provider for q in queries if q.error is None})
    renderer = renderer_for(env, fmt, fields, no_headers, EVENT_FIELDS if history else TRACK_FIELDS,
                            desk=DESK["track --history" if history else "track"])
    show = sys.stderr.isatty() and not env.quiet and len(queries) > 1

    def progress(done, total):  # a bar on stderr, only for a person watching it
        if show:
            filled = done * 30 // total
            click.echo(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", err=True, nl=False)

    state = State(resolve(state_path))
    try:
        outcome = run_track(cfg, providers, queries, state, env.now, refresh=refresh, concurrency=concurrency,
                            rate=rate or 10.0, rate_given=rate is not None, timeout=timeout, progress=progress)
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
    return _exit(env, outcome, fail_on, is_problem)


# the parcels of an after-sales case: (waybill field, carrier field, state.PARCELS kind)
CASE_PARCELS = (("return_waybill", "return_carrier", "return"), ("reship_waybill", None, "reship"))


def _case_queries(env, cfg, index, path: str, phone: str | None, phones: dict, encoding, input_format) -> list:
    """The return and replacement waybills of one after-sales file (read as `kefu aftersales`
    reads it), each once, with its order and its kind for the delivery history; the cases with
    neither are counted on stderr, like the orders --orders has nothing to track for. The phone
    SF and ZTO check is --phone, else the buyer's from --orders (the buyer sends the return and
    receives the replacement)."""
    from kefu_cli.cli.aftersales import read_cases
    from kefu_cli.tracking.cache import build_query

    queries, seen, without = [], set(), []
    for case in read_cases(env, path, encoding, input_format, None):
        found = False
        for field, carrier_field, parcel in CASE_PARCELS:
            waybill = case[field]
            if not waybill:
                continue
            found = True
            if waybill in seen:
                continue
            seen.add(waybill)
            queries.append(build_query(cfg, index, waybill, case[carrier_field] if carrier_field else None,
                                       phone or phones.get(case["order_id"]),
                                       route=(case["order_id"], None, None, None, None), parcel=parcel))
        if not found:
            without.append(case["row"])
    if without:
        env.info(_("{file}: {count} cases not tracked: no return or replacement waybill (rows {rows})").format(
            file=path if path != "-" else "<stdin>", count=len(without), rows=_first([str(r) for r in without], 5)))
    return queries


def _say_skipped(env, name: str, skipped: dict[str, list[int]]) -> None:
    """The orders of --orders that had nothing to track, counted by status with their first rows:
    a file of unshipped orders is not tracked quietly (shown even with -q, like the held-back
    messages of remind)."""
    rows = sorted(r for rs in skipped.values() for r in rs)
    by_status = ", ".join(f"{status} {len(rs)}" for status, rs in sorted(skipped.items(), key=lambda kv: -len(kv[1])))
    env.info(_("{file}: {count} orders not tracked: no waybill ({statuses}; rows {rows})").format(
        file=name, count=len(rows), statuses=by_status, rows=_first([str(r) for r in rows], 5)))


def _first(waybills: list[str], shown: int = 3) -> str:
    return ", ".join(waybills[:shown]) + ("…" if len(waybills) > shown else "")


def _exit(env, outcome, fail_on: str, is_problem) -> int:
    """The exit code, and whenever it is not 0 the one line on stderr that says why: counts and
    the first waybills (shown even with -q, as errors are)."""
    from collections import Counter

    total = len(outcome.records)
    errors = [r for r in outcome.records if r["error"]]
    if outcome.provider_failed:
        waybill, failure = outcome.failures[0]
        failed = [w for w, _f in outcome.failures]
        reason = failure["error"] if failure["error_kind"] != "unreachable" else _(
            "the provider could not be reached: {error}").format(error=failure["error"])
        report_error(_("{reason}: {count} of {total} waybills unanswered ({waybills})").format(
            reason=reason, count=len(failed), total=total, waybills=_first(failed)),
            failure.get("fix") or _("try again later; the records printed carry the error"))
        return ExitCode.UPSTREAM
    problems = [r for r in outcome.records if not r["error"] and is_problem(r, fail_on)]
    if errors or problems:
        kinds = Counter(("stale" if r["stale"] and r["status"] not in ("exception", "refused", "returned")
                         else r["status"]) for r in problems)
        parts = [f"{n} {kind}" for kind, n in sorted(kinds.items())]
        if errors:
            parts.append(_("{count} not asked or not answered").format(count=len(errors)))
        env.info(_("{count} of {total} waybills need attention: {kinds} ({waybills})").format(
            count=len(errors) + len(problems), total=total, kinds=", ".join(parts),
            waybills=_first([r["waybill"] for r in errors + problems])))
        return ExitCode.FINDINGS
    return ExitCode.OK
