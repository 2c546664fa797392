"""`kefu remind`, `kefu notify` and `kefu messages lint`: buyer messages from the shop's templates."""

from __future__ import annotations

from contextlib import contextmanager

import click

from kefu_cli.cli.options import (DESK, dry_run_option, estimator_for, input_options, open_orders, open_state,
                                  output_options, renderer_for, report_stats, state_option)
from kefu_cli.cli.context import pass_env, report_error, say
from kefu_cli.errors import ExitCode
from kefu_cli.i18n import _


class _Printer:
    """Prints one message at a time (claimed first, released if it could not be printed)."""

    def __init__(self, env, fmt, fields, no_headers):
        from kefu_cli.messaging.notices import MESSAGE_FIELDS

        self.renderer = renderer_for(env, fmt, fields, no_headers, MESSAGE_FIELDS, desk=DESK["messages"])
        self.out = env.stdout
        self.env = env
        self.count = 0
        self.warned: dict[str, list[str]] = {}  # a message's warning -> the orders printed with it
        self.out.write(self.renderer.begin())

    def send(self, msg: dict, state, kind: str, contacts: list[str], day: str, key: str | None = None) -> bool:
        """`key`: what the ledger records the message under (the order, or an after-sales ticket)."""
        from kefu_cli.state import interrupts_deferred

        data = self.renderer.render([msg])
        key = key or msg["order_id"] or ""
        with interrupts_deferred():  # recorded and printed, or neither
            if state is not None and not state.claim(key, kind, self.env.now.isoformat(),
                                                     contacts, day, msg.get("template")):
                return False
            try:
                self.out.write(data)
                self.out.flush()
            except BaseException:  # the reader went away or the disk is full: not delivered
                if state is not None:
                    state.release(key, kind)
                raise
            if state is not None:  # written and flushed whole: now it counts as sent
                state.confirm(key, kind)
        self.count += 1
        if msg["warning"]:  # counted, one line at the end: a cron log is not one line per order
            self.warned.setdefault(msg["warning"], []).append(msg["order_id"] or "")
        return True

    def show(self, msg: dict) -> None:
        """A record for the reader only (--dry-run's held messages): nothing is claimed."""
        self.out.write(self.renderer.render([msg]))

    def close(self):
        self.out.write(self.renderer.end())
        self.out.flush()
        for warning, orders in self.warned.items():
            self.env.warn(_("{count} messages printed with a warning (warning column): {warning} ({orders})").format(
                count=len(orders), warning=warning, orders=_first(orders)))


def _first(orders: list[str], shown: int = 5) -> str:
    return ", ".join(orders[:shown]) + ("…" if len(orders) > shown else "")


def message_options(f):
    """What remind and notify share: the ledger (--state, --dry-run, --resend-unconfirmed), one
    order file read by one process, and the output options."""
    f = output_options(f)
    f = input_options(jobs=False)(f)
    f = click.option("--resend-unconfirmed", "resend", is_flag=True,
                     help="Print again the messages a killed run claimed but may not have printed.")(f)
    return state_option("ledger")(dry_run_option(f))


def _unconfirmed(env, state, prefix: str, resend: bool, dry_run: bool) -> None:
    """Claims a run killed without a chance left unconfirmed: said on stderr, and with
    --resend-unconfirmed released, so this run prints them again if they are still due."""
    if state is None:
        return
    found = state.unconfirmed(prefix)
    if not found:
        return
    orders = ", ".join(f"{o} ({k.split(':', 1)[1]})" for o, k, _t in found[:5]) + ("…" if len(found) > 5 else "")
    if resend and not dry_run:
        for order_id, kind, _t in found:
            state.release(order_id, kind)
        env.info(_("{count} messages a killed run may not have printed are printed again if still due: {orders}").format(
            count=len(found), orders=orders))
    else:
        env.info(_("{count} messages may not have been printed (the run that claimed them was killed): {orders} — "
                   "check the sender's log; --resend-unconfirmed prints them again").format(
            count=len(found), orders=orders))


@contextmanager
def _session(env, path, items_path, encoding, input_format, state_path, dry_run, fmt, fields, no_headers,
             prefix: str = "", resend: bool = False):
    """The order file, the printer and the ledger of one remind/notify run, closed in every case."""
    order_file = open_orders(env, path, items_path, encoding, input_format)
    try:
        # the ledger before the printer: a run stopped for its state file prints not even a header
        state = open_state(state_path, create=not dry_run, env=env, missing=_(
            "the dry run takes nothing as sent before"))
        try:
            printer = _Printer(env, fmt, fields, no_headers)
            _unconfirmed(env, state, prefix, resend, dry_run)
            yield order_file, printer, state
        finally:
            if state is not None:
                state.close()
        printer.close()
    finally:
        order_file.close()
    report_stats(env, order_file)


@click.command()
@click.argument("path", metavar="FILE")
@message_options
@pass_env
def remind(env, path, state_path, dry_run, resend, items_path, encoding, input_format, fmt, fields, no_headers):
    """Print the payment reminders (催付) due now, one per line, for a sender to pipe on.

    Stages come from shop.toml [remind] (defaults: 30 minutes and 12 hours after the order, and 2
    hours before the platform closes it 72 hours after creation). Nothing is printed inside quiet
    hours. Each (order, stage) goes out once, and each buyer and phone at most once a day: the
    ledger in the state file remembers, so it is safe to run from cron every few minutes.

    \b
    Example:
      kefu --now "2026-11-22 10:00" remind examples/taobao_orders.csv --dry-run -f jsonl
      */10 * * * * kefu remind exports/unpaid.csv -f tsv --fields phone,text | sms-send
    """
    from collections import Counter

    from kefu_cli.messaging.notices import Composer, RemindSettings, contacts, due_stage, in_quiet_hours

    cfg = env.config
    now = env.now
    local = now.astimezone(cfg.tzinfo())
    settings = RemindSettings.from_config(cfg)
    quiet = in_quiet_hours(local, settings.quiet)
    if quiet:
        env.info(_("quiet hours ({start}-{end}): no reminders now").format(
            start=settings.quiet[0].strftime("%H:%M"), end=settings.quiet[1].strftime("%H:%M")))
    composer = Composer(cfg, now)
    day = local.date().isoformat()
    used_today: set[str] = set()
    held: Counter = Counter()
    with _session(env, path, items_path, encoding, input_format, state_path, dry_run, fmt, fields,
                  no_headers, "remind:", resend) as (order_file, printer, state):
        for order in order_file.records():
            stage, _why = due_stage(order, now, settings)
            if stage is None or not order["order_id"]:
                continue
            kind = f"remind:{stage.name}"
            who = contacts(order)
            template = "remind_consulted" if order["consulted"] else "remind_silent"
            close_at = (order["created_at"] + settings.close_after).astimezone(cfg.tzinfo())

            def compose():
                return composer.message(order, stage.name, template, close_at=close_at.strftime("%Y-%m-%d %H:%M"))

            # a due reminder that is not printed is counted by its reason, never dropped unsaid
            reason = ("quiet_hours" if quiet
                      else "already_sent" if state is not None and state.sent(order["order_id"], kind)
                      else "daily_cap" if any(c in used_today for c in who) or (
                          state is not None and state.contact_used(who, day))
                      else None)  # no phone is not held: printed with a warning, to send another way
            if reason is not None:
                held[reason] += 1
                if dry_run:  # --dry-run lists it with its reason
                    printer.show(dict(compose(), held=reason))
                continue
            msg = compose()
            if printer.send(msg, None if dry_run else state, kind, who, day):
                used_today.update(who)
    if held:
        env.info(_("{count} due reminders held back: {reasons}").format(
            count=sum(held.values()), reasons=", ".join(f"{reason} {n}" for reason, n in sorted(held.items()))))
    return ExitCode.OK


@click.command()
@click.argument("kind", type=click.Choice(["accepted", "shipped", "delay", "replacement"]))
@click.argument("path", metavar="FILE")
@click.option("--register", "register_path", metavar="FILE",
              help="replacement: the desk's ticket register (售后单号, 配件类型, 审核时间 …).")
@click.option("--aftersales", "aftersales_paths", metavar="FILE", multiple=True,
              help="replacement: the platforms' refund/return exports the tickets belong to (repeatable).")
@message_options
@pass_env
def notify(env, kind, path, register_path, aftersales_paths, state_path, dry_run, resend, items_path, encoding,
           input_format, fmt, fields, no_headers):
    """Print order notices: accepted (paid, not shipped), shipped (with carrier, waybill and arrival
    window), delay (made to order), once per order and kind; or replacement (an approved after-sales
    ticket's replacement: when it ships and arrives), once per ticket.

    An order that lacks what its message needs (a shipped order without a waybill) is reported on
    stderr as skipped, with the reason. A replacement notice needs --register; FILE is the order
    export (phone, receiver, address); a ticket held back is counted by reason.

    \b
    Example:
      kefu --now "2026-10-05 12:00" notify shipped examples/taobao_orders.csv --dry-run -f jsonl
      kefu --now "2026-11-20 15:30" notify replacement examples/taobao_orders.csv --items examples/taobao_items.csv --register examples/aftersales_register.csv --dry-run
    """
    if kind == "replacement":
        return _replacement(env, path, register_path, aftersales_paths, state_path, dry_run, resend, items_path,
                            encoding, input_format, fmt, fields, no_headers)
    from kefu_cli.logistics.plan import Planner, order_window
    from kefu_cli.messaging.notices import Composer, notice
    from kefu_cli.logistics.routing import Router

    cfg = env.config
    now = env.now
    composer = Composer(cfg, now)
    planner = Planner(cfg, Router(cfg), estimator_for(env, state_path))
    # exports carry no ship date: a shipped parcel left by now, only transit is left
    left = now if kind == "shipped" else None
    day = now.astimezone(cfg.tzinfo()).date().isoformat()
    ledger_kind = f"notify:{kind}"
    held = 0
    skipped: dict[str, list[str]] = {}  # reason -> orders
    with _session(env, path, items_path, encoding, input_format, state_path, dry_run, fmt, fields,
                  no_headers, ledger_kind, resend) as (order_file, printer, state):
        for order in order_file.records():
            if not order["order_id"]:
                continue
            sent = state is not None and state.sent(order["order_id"], ledger_kind)
            plan = planner.plan(order)
            shipped_at = left if order["status"] == "shipped" else None
            windows = [planner.window(order, plan, s, shipped_at=shipped_at) for s in plan.shipments]
            window = order_window(windows)
            found = plan.carrier
            msg, reason = notice(kind, order, composer, window, found.name if found else None)
            if reason and not sent:  # counted by reason, one line at the end (cron runs this often)
                skipped.setdefault(reason, []).append(order["order_id"])
            if msg is not None and sent:  # sent before: counted, and listed by --dry-run
                held += 1
                if dry_run:
                    printer.show(dict(msg, held="already_sent"))
            elif msg is not None:
                printer.send(msg, None if dry_run else state, ledger_kind, [], day)
    if skipped:
        env.warn(_("{count} orders skipped for the {kind} notice: {reasons} ({orders})").format(
            count=sum(len(o) for o in skipped.values()), kind=kind,
            reasons=", ".join(f"{reason} {len(o)}" for reason, o in skipped.items()),
            orders=_first([o for os_ in skipped.values() for o in os_])))
    if held:
        env.info(_("{count} due notices held back: already_sent {count}").format(count=held))
    return ExitCode.OK


def _replacement(env, path, register_path, aftersales_paths, state_path, dry_run, resend, items_path, encoding,
                 input_format, fmt, fields, no_headers):
    """`notify replacement`: one notice per approved ticket whose replacement window kefu computed
    (aftersales/cases.Desk, the window of `kefu aftersales`), through the same ledger: claimed by
    ticket, printed, confirmed; held back (no_part_type, not_approved, no_order, no_address,
    no_ship_dates, window_passed, quiet_hours, already_sent) and counted on stderr."""
    from collections import Counter

    from kefu_cli.aftersales.cases import replacement_notice
    from kefu_cli.aftersales.rules import Settings
    from kefu_cli.cli.aftersales import desk_records
    from kefu_cli.errors import UsageError
    from kefu_cli.messaging.notices import Composer, RemindSettings, in_quiet_hours

    if not register_path:
        raise UsageError(_("notify replacement needs --register FILE (the ticket register)"))
    cfg = env.config
    now = env.now
    orders: dict = {}
    records, _paid = desk_records(env, Settings.from_config(cfg), aftersales_paths, register_path, path, items_path,
                                  encoding, input_format, state_path, orders_out=orders)
    composer = Composer(cfg, now)
    quiet = in_quiet_hours(now.astimezone(cfg.tzinfo()), RemindSettings.from_config(cfg).quiet)
    day = now.astimezone(cfg.tzinfo()).date().isoformat()
    ledger_kind = "notify:replacement"
    held: Counter = Counter()
    printer = _Printer(env, fmt, fields, no_headers)
    state = open_state(state_path, create=not dry_run)
    try:
        _unconfirmed(env, state, ledger_kind, resend, dry_run)
        for rec in records:
            msg, reason = replacement_notice(rec, orders.get(rec["order_id"]), composer)
            if msg is None and reason is None:
                continue  # not a replacement, or closed: not this notice's business
            if reason is None:
                reason = ("quiet_hours" if quiet
                          else "already_sent" if state is not None and state.sent(rec["ticket_id"], ledger_kind)
                          else None)
            if reason is not None:
                held[reason] += 1
                if dry_run and msg is not None:
                    printer.show(dict(msg, held=reason))
                continue
            printer.send(msg, None if dry_run else state, ledger_kind, [], day, key=rec["ticket_id"])
        printer.close()
    finally:
        if state is not None:
            state.close()
    if held:
        env.info(_("{count} due notices held back: {reasons}").format(
            count=sum(held.values()), reasons=", ".join(f"{r} {n}" for r, n in sorted(held.items()))))
    return ExitCode.OK


@click.group()
def messages():
    """The shop's message templates (messages.toml)."""


@messages.command()
@pass_env
def lint(env):
    """Check the templates against the house rules: no absolute words, no blunt refusals, no
    promised time slot, no unknown placeholder; warn when a sample is longer than one SMS.

    \b
    Example:
      kefu messages lint
    """
    from kefu_cli.messaging import templates as core
    from kefu_cli.config import Problem, find_config_dir, load_raw

    raw, _sources, paths, problems = load_raw(find_config_dir(env.config_dir))
    if not problems:
        problems, warnings = core.check(raw["messages.toml"], paths["messages.toml"], Problem)
        for w in warnings:
            env.warn(w)
    for p in problems:
        report_error(str(p))
    if problems:
        return ExitCode.USAGE
    if not env.quiet:
        say(_("kefu: templates follow the house rules: {file}").format(file=paths["messages.toml"]))
    return ExitCode.OK
