"""`kefu report`: one self-contained HTML page of the desk's day."""

from __future__ import annotations

import click

from kefu_cli.cli.context import pass_env
from kefu_cli.cli.options import (estimator_for, input_options, open_orders, open_state, report_stats,
                                  state_option, window_option)
from kefu_cli.errors import ExitCode, OutputError, UsageError
from kefu_cli.i18n import N_, _, current_language


@click.command()
@click.argument("path", metavar="FILE")
@click.option("-o", "--output", "output", metavar="PATH",
              help="Write the page to PATH [default: standard output].")
@window_option(N_("Reminder results: paid within this long after the reminder counts."))
@click.option("--aftersales", "aftersales_paths", metavar="FILE", multiple=True,
              help="A platform's refund/return export for the after-sales section (repeatable).")
@click.option("--register", "register_path", metavar="FILE", help="The desk's ticket register for the after-sales section.")
@input_options
@state_option("report")
@pass_env
def report(env, path, output, window, aftersales_paths, register_path, items_path, encoding, input_format, jobs,
           state_path):
    """Write the desk's day as one HTML page: audit, parcels, transit, reminders.

    FILE is the day's export. The page shows audit verdicts and findings by code, the overdue
    audits, tracked parcels by status and carrier with the stale ones, transit per destination
    from the delivery history (a chart per warehouse), and the results of payment reminders per
    stage and wording; with --aftersales or --register, the after-sales cases: open by state,
    due today, platform deadlines of the next 24 hours, late replacements and their results.
    It opens offline: charts are inline SVG, no script, no link.

    \b
    Example:
      kefu report examples/taobao_orders.csv --items examples/taobao_items.csv -o day.html
      kefu --lang zh report today.csv -o /srv/share/kefu-$(date +%F).html
    """
    from kefu_cli.audit.auditor import Auditor, columns_of
    from kefu_cli.audit.passes import TwoPasses
    from kefu_cli.insights.report import Day, audit_day, render
    from kefu_cli.insights.stats import Reminders, transit
    from kefu_cli.tracking.cache import stored_records

    _check_destination(env, output)  # before the work: the page has somewhere to go
    cfg = env.config
    if output not in (None, "-"):
        _not_over_an_input(output, [path, items_path, *aftersales_paths, register_path, state_path])
    parcels, transits, reminders = [], [], None
    state = open_state(state_path, create=False, env=env, missing=_(
        "the page has no parcels, transit or reminder results"))
    if state is not None:
        try:
            parcels = stored_records(cfg, state, env.now)
            transits = transit(cfg, state, by_carrier=False)
            sent = state.reminders()
        finally:
            state.close()
        if sent:  # joined with the export in the audit's own pass below: the export is read once
            reminders = Reminders(sent, window)
    order_file = open_orders(env, path, items_path, encoding, input_format)
    # the page is in one language: an English page names the shop by its English name when it has one
    shop = (cfg.shop_name_en if current_language() == "en" else "") or cfg.shop_name or "kefu"
    day = Day(shop=shop, now=env.now, source=order_file.name, parcels=parcels, transit=transits)
    auditor = Auditor(cfg, columns_of(order_file), env.now, estimator=estimator_for(env, state_path))
    try:
        passes = TwoPasses(order_file, auditor, 3, jobs, watch=reminders)
    finally:
        order_file.close()
    try:
        audit_day(day, passes.records())
    finally:
        passes.close()
    report_stats(env, order_file)
    if reminders is not None:
        day.reminders = reminders.results()
    if aftersales_paths or register_path:
        from kefu_cli.aftersales.rules import Settings
        from kefu_cli.cli.aftersales import desk_records
        from kefu_cli.insights.stats import aftersales

        day.aftersales, _paid = desk_records(env, Settings.from_config(cfg), aftersales_paths, register_path, None,
                                             None, encoding, input_format, state_path)
        day.aftersales_stats = aftersales(day.aftersales)
    page = render(day).encode("utf-8")
    if output in (None, "-"):
        env.stdout.write(page)
        env.stdout.flush()
    else:
        try:
            with open(output, "wb") as fh:
                fh.write(page)
        except OSError as exc:
            raise OutputError(_("cannot write {path}: {error}").format(path=output, error=exc.strerror or exc)) from None
        env.info(_("report written to {path}").format(path=output))
    return ExitCode.OK


def _check_destination(env, output) -> None:
    """25 KB of HTML is not for a terminal (an explicit `-o -` still writes it there), and a page
    for a directory that does not exist is a typo to fix, not a failed write (exit 2, not 74)."""
    import os

    from kefu_cli.output import default_format

    if output is None:
        if default_format(env.stdout) == "table":  # stdout is a terminal
            raise UsageError(_("kefu report writes an HTML page, not text for a terminal"),
                             hint=_("write it to a file with -o day.html (or redirect: > day.html)"))
        return
    if output == "-":
        return
    folder = os.path.dirname(output) or "."
    if not os.path.isdir(folder):
        raise UsageError(_("cannot write {path}: the directory {folder} does not exist").format(
            path=output, folder=folder), hint=_("create it first (mkdir -p {folder}) or give another -o").format(
            folder=folder))


def _not_over_an_input(output: str, inputs: list) -> None:
    """-o must not name a file the report reads (the export, the items file, an after-sales file,
    the register or the state file): the page would replace it."""
    import os

    from kefu_cli.errors import UsageError
    from kefu_cli.state import state_path

    if not os.path.exists(output):
        return
    state = inputs.pop()
    candidates = [p for p in inputs if p and p != "-"] + [str(state_path(state))]
    for candidate in candidates:
        try:
            same = os.path.samefile(candidate, output)
        except OSError:
            continue
        if same:
            raise UsageError(_("-o {path} is a file the report reads ({input}): it would be overwritten").format(
                path=output, input=candidate), hint=_("write the page to another file"))
