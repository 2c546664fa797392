"""The options commands share (--format/--fields, the order-file options, --state) and opening
an order file with its warnings: one definition each."""

from __future__ import annotations

import math

import click

from kefu_cli.i18n import N_, _


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
    if stats.skipped_items:
        rows = ", ".join(str(r) for r in stats.skipped_items[:10])
        env.warn(_("items file: {count} rows joined to no order: unreadable or without an order number (rows {rows})").format(
            count=len(stats.skipped_items), rows=rows))


# What each command does with the state file, said in its --state help (one text per use).
STATE_USES = {
    "calibration": N_("State file whose delivery history calibrates the arrival windows (read only)."),
    "ledger": N_("State file: the message ledger (so each message goes out once) and the delivery history "
                 "that calibrates the windows."),
    "tracking": N_("State file: the tracking cache (answers, claims across runs) and the delivery history "
                   "each ended parcel is added to."),
    "history": N_("State file whose delivery history is summed up (read only)."),
    "reminders": N_("State file whose message ledger is joined with FILE (read only)."),
    "report": N_("State file the page reads: tracked parcels, the delivery history and the message ledger "
                 "(read only)."),
    "pull": N_("State file: the cursor of each platform and shop, and what was printed already."),
    "aftersales": N_("State file whose delivery history gives the parcels' delivery dates and calibrates the "
                       "replacement windows (read only)."),
    "any": N_("State file: the message ledger, the tracking cache and the delivery history."),
}


class ResolvedOption(click.Option):
    """An option whose help ends with its default as this run would resolve it, environment
    included, worked out when the help is shown (`resolve()` -> (value, the variable it came
    from or None)): `[env KEFU_STATE; default: /srv/desk/kefu.db, from KEFU_STATE]`."""

    def __init__(self, *args, resolve, env_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolve, self.env_name = resolve, env_name

    def get_help_record(self, ctx):
        name, text = super().get_help_record(ctx)
        try:
            value, source = self.resolve()
        except Exception as exc:  # a help screen never fails: say what is wrong instead
            value, source = getattr(exc, "message", str(exc)), None
        if source:
            value = _("{path}, from {variable}").format(path=value, variable=source)
        return name, f"{text} [env {self.env_name}; {_('default')}: {value}]"


def resolved_state():
    """--state > KEFU_STATE > $XDG_STATE_HOME/kefu/state.db > ~/.local/state/kefu/state.db."""
    import os

    from kefu_cli.state import state_path

    return str(state_path(None)), next((v for v in ("KEFU_STATE", "XDG_STATE_HOME") if os.environ.get(v)), None)


def resolved_config_dir():
    """--config-dir > KEFU_CONFIG_DIR > ./config when present > the packaged defaults."""
    import os

    from kefu_cli.config import find_config_dir

    found = find_config_dir(None)
    return (str(found) if found else _("the packaged defaults")), ("KEFU_CONFIG_DIR" if os.environ.get(
        "KEFU_CONFIG_DIR") else None)


def resolved_language():
    """--lang > KEFU_LANG > the locale (LC_ALL, LC_MESSAGES, LANG)."""
    import os

    from kefu_cli.i18n import detect_language

    source = next((v for v in ("KEFU_LANG", "LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(v)), None)
    try:
        return detect_language(None), source
    except ValueError:
        return "en", source


def state_option(use):
    """--state for a command that uses the file as STATE_USES[use] says (`@state_option("tracking")`);
    used bare (`@state_option`), the general text."""
    if callable(use):
        return state_option("any")(use)
    return click.option("--state", "state_path", metavar="PATH", cls=ResolvedOption, resolve=resolved_state,
                        env_name="KEFU_STATE", help=STATE_USES[use])


def open_state(state_path, create: bool = True, env=None, missing: str | None = None, named_only: bool = True):
    """The state file (--state, KEFU_STATE, the default), or None when it does not exist and
    `create` is False: a run that only reads it makes none. A file the user named (--state or
    KEFU_STATE) that does not exist is said out loud — `missing` tells what the run does without
    it — and is an error with --strict: a typo in a cron line must not lose the history quietly.
    `named_only` False says so for the default path too (a command that is nothing without it)."""
    import os

    from kefu_cli.state import State, state_path as resolve

    path = resolve(state_path)
    if not create and not path.exists():
        if env is not None and (state_path or os.environ.get("KEFU_STATE") or not named_only):
            env.fallback(_("state file {path} does not exist: {missing}").format(path=path, missing=missing),
                         _("check --state and KEFU_STATE (kefu track, remind and notify create it)"),
                         once=("state", str(path)))
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
    state = open_state(state_path, create=False, env=env, missing=_(
        "arrival windows come from the tiers, not the shop's deliveries")) if cfg.calibrate else None
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


# The fields a desk reads first, per command: what a table on a terminal shows without --fields
# (`--fields all` shows every one; a pipe or a file always gets every one).
DESK = {
    "orders": ("order_id", "status", "paid", "province", "city", "items"),
    "route": ("order_id", "line", "sku", "product_line", "warehouse", "reason", "split"),
    "eta": ("order_id", "warehouse", "province", "tier", "ship_from", "ship_by", "arrive_from", "arrive_by"),
    "track": ("waybill", "carrier", "status", "updated_at", "location", "detail", "error"),
    "track --history": ("waybill", "time", "status", "location", "context"),
    "messages": ("order_id", "phone", "stage", "held", "text"),
    "stats transit": ("warehouse", "province", "carrier", "n", "calendar_p10", "calendar_p50", "calendar_p90"),
}


def renderer_for(env, fmt, fields, no_headers, available, desk=None):
    """The renderer --format, --fields and --no-headers ask for, `fields` checked against the
    `available` ones (a usage error names the unknown field; `all` is every one). A table for a
    terminal without --fields shows the `desk` fields (the few a desk reads first) and fits the
    terminal's width; anything else — a pipe, a file, --fields — is exactly as asked."""
    from kefu_cli.output import default_format, make_renderer, parse_fields

    selected = parse_fields(fields, available)
    terminal = default_format(env.stdout) == "table"
    shown = selected or list(available)
    if terminal and (fmt or "table") == "table" and not selected and desk:
        shown = [f for f in desk if f in available]
    renderer = make_renderer(fmt or default_format(env.stdout), shown, not no_headers, select=bool(selected),
                             raw=raw_cells())
    if terminal and not selected:
        fit_terminal(env, renderer, len(list(available)))
    return renderer


def fit_terminal(env, renderer, total: int) -> None:
    """A table on a terminal is cut to its width; when it shows fewer fields than there are,
    one line on stderr says so and how to see them all (silenced by -q)."""
    import shutil

    if not hasattr(renderer, "fit"):
        return
    width = shutil.get_terminal_size((100, 24)).columns

    def told(left_out: list[str]) -> None:
        shown = len(renderer.fields) - len(left_out)
        if shown < total:
            env.note(_("{shown} of {total} fields shown (the terminal is {width} columns wide): "
                       "--fields all shows every field; a pipe or -f tsv gets them all").format(
                shown=shown, total=total, width=width))

    renderer.fit(width, told)


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
