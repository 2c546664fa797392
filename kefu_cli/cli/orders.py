"""`kefu orders`: read an order file and write canonical records."""

from __future__ import annotations

import click

from kefu_cli.cli.context import pass_env
from kefu_cli.cli.options import DESK, input_options, open_orders, output_options, renderer_for, run_order_file
from kefu_cli.i18n import _

EXPLAIN_FIELDS = ("column", "header", "field", "source", "note")
PLACE_FIELDS = ("step", "value", "how")


@click.command()
@click.argument("path", metavar="FILE", required=False)
@input_options
@output_options
@click.option("--explain", is_flag=True,
              help="Print how each header is read (field, which profile says so, or why not) instead of the orders.")
@click.option("--explain-address", "address", metavar="ADDRESS",
              help="Print how one address is placed (each step: what was read, and from which data), without FILE.")
@click.option("--phone", metavar="NUMBER", help="With --explain-address: the receiver's phone (decides China or Japan).")
@pass_env
def orders(env, path, items_path, encoding, input_format, jobs, fmt, fields, no_headers, explain, address, phone):
    """Read an order file and write it as canonical records.

    FILE is an export of Taobao/Tmall, JD, Pinduoduo, 抖店, Amazon.co.jp or Rakuten (CSV,
    TSV or .xlsx; the platform is recognised from the header row, or --platform), or kefu's
    own CSV/TSV/JSON/JSONL; `-` reads standard input. Bad values never stop the run: each
    record carries its problems (row, column, what was wrong).

    \b
    Example:
      kefu orders examples/taobao_orders.csv --items examples/taobao_items.csv -f jsonl
      kefu orders examples/orders.jsonl --fields order_id,status,paid,province
      kefu orders examples/jd_orders.csv --explain
      kefu orders --explain-address "江苏昆山市城北镇"
    """
    from kefu_cli.errors import UsageError
    from kefu_cli.orders.schema import RECORD_FIELDS

    if address is not None:
        if path is not None:
            raise UsageError(_("--explain-address places one address: give it without FILE"))
        return _explain_address(env, address, phone, fmt, fields, no_headers)
    if path is None:
        raise UsageError(_("give an order FILE (or --explain-address ADDRESS)"), hint=_("see `kefu orders --help`"))
    if explain:
        return _explain(env, path, items_path, encoding, input_format, fmt, fields, no_headers)
    renderer = renderer_for(env, fmt, fields, no_headers, RECORD_FIELDS, desk=DESK["orders"])
    run_order_file(env, path, items_path, encoding, input_format, renderer, jobs=jobs)
    return 0


def _explain(env, path, items_path, encoding, input_format, fmt, fields, no_headers) -> int:
    """One record per column of FILE (and one per field its platform's export has and FILE lacks)."""
    from kefu_cli.output import write_records

    order_file = open_orders(env, path, items_path, encoding, input_format)
    order_file.close()
    plan = order_file.plan
    rows = [dict(r) for r in plan.explain]
    for name in plan.missing:
        rows.append({"column": None, "header": " / ".join(plan.profile.header_of(name)) or None, "field": name,
                     "source": plan.platform, "note": "missing"})
    rec = plan.recognition
    if rec.forced:
        env.info(_("{file}: read as {platform} (--platform)").format(file=order_file.name, platform=plan.platform))
    elif rec.candidates:
        env.info(_("{file}: recognised as {platform}; headers each candidate knows: {candidates}").format(
            file=order_file.name, platform=plan.platform,
            candidates=", ".join(f"{n} {k}" for n, k in rec.candidates)))
    else:
        env.info(_("{file}: no platform's headers: read with the common names and every platform's").format(
            file=order_file.name))
    write_records(rows, renderer_for(env, fmt, fields, no_headers, EXPLAIN_FIELDS), env.stdout)
    return 0


def _explain_address(env, address, phone, fmt, fields, no_headers) -> int:
    """The steps regions.place took for one address (with --platform's market and --phone), then the
    place: province, city, district, postal code; exit 1 when it is not placed down to the city."""
    import click as _click

    from kefu_cli.orders.platforms import profiles
    from kefu_cli.orders.regions import TIMEZONE_COUNTRY, place
    from kefu_cli.output import write_records

    market = None
    platform = _click.get_current_context().meta.get("kefu.platform")
    if platform:
        profile = profiles(env.config.directory).get(platform)
        if profile is None:
            from kefu_cli.errors import UsageError

            raise UsageError(_("unknown platform {value}").format(value=platform))
        market = TIMEZONE_COUNTRY.get(profile.timezone)
    placed = place(address, platform_country=market, phones=(phone,) if phone else ())
    rows = [{"step": s, "value": v, "how": h} for s, v, h in placed.steps]
    where = placed.place
    for step, value in (("country", where.country), ("province", where.province), ("city", where.city),
                        ("district", where.district), ("postal_code", placed.postal_code and f"{placed.postal_code[:3]}-{placed.postal_code[3:]}"),
                        ("problem", placed.problem)):
        rows.append({"step": f"= {step}", "value": value, "how": None})
    write_records(rows, renderer_for(env, fmt, fields, no_headers, PLACE_FIELDS), env.stdout)
    if placed.problem:
        env.warn(_("the address is not placed down to the city: {code}").format(code=placed.problem))
        return 1
    return 0
