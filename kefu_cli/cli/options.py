"""The options commands share (--format/--fields, the order-file options, --state) and opening
an order file with its warnings: one definition each."""

from __future__ import annotations

import math

import click

from kefu_cli.i18n import _


def output_options(f):
    """--format, --fields, --no-headers: the output flags of every command that prints records."""
    from kefu_cli.output import FORMATS

    f = click.option("--raw", is_flag=True, expose_value=False, callback=_remember,
                     help="Write csv and tsv cells as they are, without the ' that keeps Excel from running "
                          "a cell starting with = + - @ as a formula (for a program, not a spreadsheet).")(f)
    f = click.option("--no-headers", is_flag=True, help="Leave out the header row (table, csv, tsv).")(f)
    f = click.option("--fields", metavar="A,B,C", help="Only these fields, in this order.")(f)
    f = click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
                     help="Output format [default: table on a terminal, else tsv].")(f)
    return f


class Number(click.FloatRange):
    """Every float option: a number within its range, never NaN nor an infinity (`--rate nan`
    would switch a provider's rate limit off, `--timeout inf` the timeout)."""

    name = "number"

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(_("{value} is not a finite number").format(value=value), param, ctx)
        return number


INPUT_FORMATS = ("csv", "tsv", "jsonl", "json", "xlsx")


def input_options(f=None, *, jobs: bool = True):
    """The options of every command that reads an order file (--jobs only where records can be
    processed in parallel; remind and notify claim messages one at a time)."""
    if f is None:
        return lambda g: input_options(g, jobs=jobs)
    if jobs:
        f = click.option("--jobs", type=click.IntRange(min=1), metavar="N",
                         help="Worker processes for large CSV/TSV files [default: one per CPU; 1 = none].")(f)
    f = click.option("--max-cells", type=click.IntRange(min=1), metavar="N", expose_value=False, callback=_remember,
                     help="Refuse a workbook sheet larger than N rows × columns [default: 50,000,000].")(f)
    f = click.option("--sheet", metavar="NAME|N", expose_value=False, callback=_remember,
                     help="The sheet of an .xlsx workbook to read, by name or number from 1 [default: the first].")(f)
    f = click.option("--platform", metavar="NAME", expose_value=False, callback=_remember,
                     help="Read FILE as this platform's export (taobao, jd, pinduoduo, douyin, amazon_jp, rakuten, "
                          "or one of config/platforms/) [default: recognised from the header row].")(f)
    f = click.option("--input-format", type=click.Choice(INPUT_FORMATS),
                     help="Format of FILE [default: from the name, else sniffed].")(f)
    f = click.option("--encoding", metavar="NAME",
                     help="Encoding of FILE [default: detected: utf-8, utf-8 with BOM, utf-16, gb18030, cp932].")(f)
    f = click.option("--items", "items_path", metavar="FILE",
                     help="The items report (宝贝报表), one row per item, joined on 订单编号.")(f)
    return f


def _remember(ctx, param, value):
    """--platform, --sheet and --max-cells reach open_orders through the context: every command that reads an
    order file takes them without repeating them in its signature."""
    if value is not None and value is not False:
        ctx.meta[f"kefu.{param.name}"] = value
    return value


def open_orders(env, path, items_path, encoding, input_format, required=("order_id",), announce: bool = True,
                kind: str = "orders", platform: str | None = None):
    """An order file (or, with kind "aftersales", a refund/return export or the ticket register:
    the same reader) opened, its warnings on stderr. `platform` forces a profile (--register)."""
    from kefu_cli.orders.reader import OrderFile

    meta = click.get_current_context().meta
    order_file = OrderFile(path, env.config, encoding=encoding, input_format=input_format,
                           items=items_path, required=required, stdin=env.stdin,
                           platform=platform or meta.get("kefu.platform"), sheet=meta.get("kefu.sheet"), kind=kind,
                           max_cells=meta.get("kefu.max_cells"))
    if not announce:  # a second read of a file whose warnings were given already
        return order_file
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
    if stats.places:
        env.warn(_("{file}: {count} addresses not placed down to the city ({codes}); see the problems field").format(
            file=order_file.name, count=sum(stats.places.values()),
            codes=", ".join(f"{code} {n}" for code, n in sorted(stats.places.items()))))
    if stats.unmatched_items:
        rows = ", ".join(str(r) for r in stats.unmatched_items[:10])
        env.warn(_("items file: {count} rows name orders that are not in {file} (rows {rows})").format(
            count=len(stats.unmatched_items), file=order_file.name, rows=rows))


def state_option(f):
    return click.option("--state", "state_path", metavar="PATH",
                        help="State file (the message ledger) [env KEFU_STATE; default ~/.local/state/kefu/state.db].")(f)


def open_state(state_path, create: bool = True):
    """The state file (--state, KEFU_STATE, the default), or None when it does not exist and
    `create` is False: a run that only reads it makes none."""
    from kefu_cli.state import State, state_path as resolve

    path = resolve(state_path)
    if not create and not path.exists():
        return None
    return State(path, reading=not create)


def window_option(help_text: str):
    """--window: how long after a reminder a payment counts as its result (stats remind, report)."""
    def check(_ctx, _param, value):
        from kefu_cli.config import parse_duration
        from kefu_cli.errors import UsageError

        span = parse_duration(value)
        if span is None:
            raise UsageError(_("--window {value} is not a duration (30m, 24h, 2d)").format(value=value))
        return span

    return click.option("--window", default="24h", show_default=True, metavar="DURATION", callback=check,
                        help=help_text)


def reminder_results(env, sent, span, path, items_path, encoding, input_format):
    """The ledger's reminders (`sent`) joined with the order file at `path` (insights/stats.Reminders,
    which `kefu report` feeds from its audit's pass instead), the file's warnings and problems on stderr."""
    from kefu_cli.insights.stats import Reminders

    results = Reminders(sent, span)
    order_file = open_orders(env, path, items_path, encoding, input_format)
    try:
        results.see(order_file.records())
    finally:
        order_file.close()
    report_stats(env, order_file)
    return results


def estimator_for(env, state_path=None):
    """The estimator of a run: the shop's calendars, and the transit its own deliveries show
    (shop.toml [transit_history]; the state file's history, when there is one)."""
    from kefu_cli.logistics.eta import Estimator

    return Estimator(env.config, env.now, observed=_observed(env, state_path))


def _observed(env, state_path) -> dict | None:
    """The routes' observed transit, or None: calibration switched off (shop.toml
    [transit_history] calibrate = false), or no state file yet (nothing was ever tracked)."""
    from datetime import timedelta

    cfg = env.config
    state = open_state(state_path, create=False) if cfg.calibrate else None
    if state is None:
        return None
    from kefu_cli.logistics.history import observed

    since = (env.now.date() - timedelta(days=cfg.history_days)).isoformat() if cfg.history_days else None
    try:
        return observed(state, cfg.min_samples, since)
    finally:
        state.close()


def dry_run_option(f):
    return click.option("--dry-run", is_flag=True, help="Print what is due without recording it in the ledger.")(f)


def renderer_for(env, fmt, fields, no_headers, available):
    """The renderer --format, --fields and --no-headers ask for, `fields` checked against the
    `available` ones (a usage error names the unknown field)."""
    from kefu_cli.output import default_format, make_renderer, parse_fields

    selected = parse_fields(fields, available)
    return make_renderer(fmt or default_format(env.stdout), selected or list(available), not no_headers,
                         select=bool(selected), raw=raw_cells())


def raw_cells() -> bool:
    """--raw: csv and tsv cells without formula protection."""
    return bool(click.get_current_context().meta.get("kefu.raw"))


def run_order_file(env, path, items_path, encoding, input_format, renderer, transform=None, merge=None,
                   jobs=None) -> None:
    """Every record of an order file through `transform` to stdout (pipeline.run), the file closed
    in every case, and its problems summed up on stderr."""
    from kefu_cli import pipeline

    order_file = open_orders(env, path, items_path, encoding, input_format)
    try:
        pipeline.run(order_file, renderer, env.stdout, transform=transform, merge=merge, jobs=jobs)
    finally:
        order_file.close()
    report_stats(env, order_file)
