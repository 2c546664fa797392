"""`kefu aftersales`: every after-sales case on the desk's clock, or one replacement's window."""

from __future__ import annotations

import click

from kefu_cli.cli.context import pass_env
from kefu_cli.cli.options import (estimator_for, input_options, open_orders, open_state, output_options, renderer_for,
                                  report_stats, state_option)
from kefu_cli.errors import ExitCode, UsageError
from kefu_cli.i18n import _

QUERY_FIELDS = ("part_type", "lead", "approved_at", "warehouse", "ship_from", "ship_by", "arrive_from", "arrive_by",
                "transit_basis")


@click.command()
@click.argument("paths", metavar="[FILE]...", nargs=-1)
@click.option("--register", "register_path", metavar="FILE",
              help="The desk's ticket register (售后单号, 订单编号, 登记时间 …), CSV or .xlsx.")
@click.option("--orders", "orders_path", metavar="FILE", help="The order export the cases belong to (SKU, address).")
@click.option("--only-open", is_flag=True, help="Print only open cases.")
@click.option("--only-problems", is_flag=True, help="Print only cases with a warning or an error.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True,
              help="Exit 1 when a finding of this severity or worse is found.")
@click.option("--summary", is_flag=True, help="Also print counts per state and per code to stderr.")
@click.option("--explain", is_flag=True, help="Add every step of every clock (field steps).")
@click.option("--part", metavar="TYPE", help="One query: the part type (配件, 板件, 松木 or one of [aftersales.lead]).")
@click.option("--approved", metavar="DATETIME", help="One query: when the ticket was approved [default: now].")
@click.option("--to", "to", metavar="ADDRESS", help="One query: the buyer's address (adds the arrival).")
@click.option("--warehouse", "warehouse_code", metavar="CODE", help="One query: ship from this warehouse.")
@input_options
@output_options
@state_option("aftersales")
@pass_env
def aftersales(env, paths, register_path, orders_path, only_open, only_problems, fail_on, summary, explain, part,
               approved, to, warehouse_code, jobs, items_path, encoding, input_format, fmt, fields, no_headers,
               state_path):
    """After-sales (售后): every case and ticket on the desk's clock, sorted by the nearest deadline.

    Reads platform refund/return exports (FILE: Taobao/Tmall 退款, Amazon.co.jp returns, JD,
    Pinduoduo, 抖店), the desk's ticket register (--register) and the order export (--orders),
    joined with the delivery history `kefu track` records. Per case: the same-day deadline
    (received before 16:00 on a working day: approve that day), the platform's deadlines, the
    replacement window by part type, the 7-day no-reason and Japanese return windows, the 三包
    year, the refund due date, the evidence; findings with stable codes (README). Exit 1 when a
    finding reaches --fail-on. A query (--part, --approved, --to) prints one replacement's window.

    \b
    Example:
      kefu aftersales examples/taobao_refunds.csv --register examples/aftersales_register.csv --only-open
      kefu aftersales --part 板件 --approved "2026-11-20 15:10" --to "广东省深圳市南山区科技园" --explain -f json
    """
    from kefu_cli.aftersales.cases import AS_FIELDS, tally
    from kefu_cli.aftersales.rules import RANK, Settings
    from kefu_cli.output import write_records

    cfg = env.config
    settings = Settings.from_config(cfg)
    query = any(v is not None for v in (part, approved, to, warehouse_code))
    if query:
        if paths or register_path or orders_path:
            raise UsageError(_("--part, --approved, --to and --warehouse are for a single query, not with files"))
        return _query(env, settings, part, approved, to, warehouse_code, explain, state_path, fmt, fields, no_headers)
    if not paths and not register_path and not orders_path:  # --orders alone: its after-sales (Rakuten 800/900)
        raise UsageError(_("give after-sales exports (FILE) or --register FILE, or a query (--part)"),
                         hint=_("see `kefu aftersales --help`"))
    threshold = RANK[fail_on]

    def shown(rec: dict) -> bool:
        return (not only_open or rec["open"]) and (
            not only_problems or bool(rec["problems"]) or RANK.get(rec["severity"] or "info", 0) >= RANK["warning"])

    if not only_open and not only_problems:
        shown = None  # every record

    renderer = renderer_for(env, fmt, fields, no_headers, [*AS_FIELDS, *(["steps"] if explain else [])])
    batch = Batch(env, settings, paths, register_path, orders_path, items_path, encoding, input_format, state_path,
                  explain)
    try:
        shares = batch.shares(renderer.streaming, jobs)
        outcome = _in_shares(env, batch, renderer, shares, shown, threshold, summary) if shares > 1 else None
        if outcome is not None:
            failed, total, states, codes = outcome
        else:
            ranked, _paid = batch.ranked()
            records = [rec for _key, rec in ranked]
            del ranked
            states, codes = ({}, {}) if summary else (None, None)
            failed, total = tally(records, threshold, states, codes), len(records)
            write_records(records if shown is None else [r for r in records if shown(r)], renderer, env.stdout)
    finally:
        batch.close()
    batch.report()
    if summary:
        env.info(_("{total} cases, {open} open: {states}").format(
            total=total, open=sum(states.values()),
            states=", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "—"))
        if codes:
            env.info(_("findings: {codes}").format(codes=", ".join(f"{k} {v}" for k, v in sorted(codes.items()))))
    return ExitCode.FINDINGS if failed else ExitCode.OK


def _in_shares(env, batch, renderer, n: int, shown, threshold: int, summary: bool) -> tuple | None:
    """The batch read, evaluated and rendered by n forked workers, one share each (by order
    number: a case and its order are in the same share), merged onto stdout in the one order of
    cases.Desk.ranked; the files' counts added up for batch.report. (failed, cases, states,
    codes), or None, nothing written, when a ticket names by 退款编号 a case of another order
    whose share is not the ticket's (Batch.crossed): only the whole batch joins them as one
    process does."""
    import os
    import shutil
    import tempfile

    from kefu_cli.aftersales.cases import tally
    from kefu_cli.orders import parallel
    from kefu_cli.output import BATCH

    tmp = tempfile.mkdtemp(prefix="kefu-")

    def work(k: int, shares: int) -> tuple:
        ranked, _paid = batch.ranked((k, shares))
        failed, (states, codes) = False, ({}, {}) if summary else (None, None)
        path = os.path.join(tmp, f"{k}.out")
        keys, lengths = [], []
        with open(path, "wb") as out:
            for start in range(0, len(ranked), BATCH):
                part = ranked[start:start + BATCH]
                records = [rec for _key, rec in part]
                failed = tally(records, threshold, states, codes) or failed
                if shown is not None:
                    part = [pair for pair in part if shown(pair[1])]
                bodies = renderer.render_each([rec for _key, rec in part])
                out.write(b"".join(bodies))
                keys.extend([key for key, _rec in part])
                lengths.extend(map(len, bodies))
        return path, keys, lengths, failed, len(ranked), states, codes, [f.stats for f in read], batch.crossed

    # the files the workers read (the register was read whole by the parent, its counts are here)
    read = [f for f, kind in batch.files if kind is None] + ([batch.order_file] if batch.order_file else [])

    try:
        results = parallel.run_shares(work, n)
        if any(result[-1] for result in results):
            return None  # a ticket and its case's order in two shares: the batch is evaluated whole
        stream = env.stdout
        stream.write(renderer.begin())
        parallel.write_merged([(path, keys, lengths) for path, keys, lengths, *_rest in results], stream)
        stream.write(renderer.end())
        stream.flush()
    finally:
        with parallel.signals_held():
            shutil.rmtree(tmp, ignore_errors=True)
    failed, total, states, codes = False, 0, {}, {}
    for *_out, share_failed, share_total, share_states, share_codes, stats, _crossed in results:
        failed = failed or share_failed
        total += share_total
        for into, counts in ((states, share_states), (codes, share_codes)):
            for key, value in (counts or {}).items():
                into[key] = into.get(key, 0) + value
        for f, share_stats in zip(read, stats):
            f.stats.merge(share_stats)
    return failed, total, states, codes


def desk_records(env, settings, paths, register_path, orders_path, items_path, encoding, input_format, state_path,
                 explain=False, orders_out: dict | None = None) -> tuple[list[dict], int | None]:
    """(every case evaluated at --now, nearest deadline first; the paid orders of --orders or None)
    — for `kefu stats aftersales`, `kefu report` and `kefu notify replacement` (`orders_out`
    receives the orders the cases name, whole, for the buyer's contact)."""
    batch = Batch(env, settings, paths, register_path, orders_path, items_path, encoding, input_format, state_path,
                  explain, orders_out)
    try:
        ranked, paid = batch.ranked()
    finally:
        batch.close()
    batch.report()
    return [rec for _key, rec in ranked], paid


class Batch:
    """One batch of after-sales files opened (their warnings given), the delivery history read and
    the desk built: what `ranked` reads and evaluates, whole or one share of it (a worker of
    `kefu aftersales`, which forks after this). The exports and the register are read through
    the order reader, and of the order export only the orders the cases name (and the after-sales
    its own columns show); otherwise only the fields the desk reads are kept of them
    (cases.ORDER_FIELDS)."""

    def __init__(self, env, settings, paths, register_path, orders_path, items_path, encoding, input_format,
                 state_path, explain=False, orders_out: dict | None = None):
        from kefu_cli.aftersales.cases import Desk
        from kefu_cli.logistics.plan import Planner
        from kefu_cli.logistics.routing import Router

        self.env = env
        self.files = []  # (case file, "register" or None)
        self._tickets = None  # the register's, read whole (_registered)
        self.crossed = False  # a share met a case whose ticket's order is in another share
        self.order_file = None
        self.orders_out = orders_out
        try:
            for path in paths:
                self.files.append((open_cases(env, path, encoding, input_format, None), None))
            if register_path:
                self.files.append((open_cases(env, register_path, encoding, input_format, "register", settings),
                                   "register"))
            if orders_path:
                self.order_file = open_orders(env, orders_path, items_path, encoding, input_format)
                if orders_out is None:  # of a wide export, the columns the batch reads (a fifth of its reading)
                    from kefu_cli.aftersales.cases import ORDER_FIELDS

                    self.order_file.read_only((*ORDER_FIELDS, *ORDER_READ))
        except BaseException:
            self.close()
            raise
        state = open_state(state_path, create=False, env=env, missing=_(
            "no delivery dates from the history: windows that start at delivery use the export's dates only"))
        try:
            deliveries = state.delivered() if state is not None else []
        finally:
            if state is not None:
                state.close()
        cfg = env.config
        planner = Planner(cfg, Router(cfg), estimator_for(env, state_path))
        self.desk = Desk(cfg, settings, env.now, planner, deliveries, register=bool(register_path), explain=explain)

    def shares(self, streaming: bool, jobs: int | None) -> int:
        """How many workers may read and evaluate this batch in shares (orders/parallel.share_records):
        1 unless every file can be read in shares, the output streams, and the files are large.
        FILEs must be platform exports (a FILE that may hold tickets keeps the batch whole); the
        register is read whole first, here, and a case its ticket names by 退款编号 goes to the
        ticket's share (ranked: `pins`)."""
        from kefu_cli.orders import parallel

        files = [f for f, kind in self.files if kind is None] + (
            [self.order_file] if self.order_file is not None else [])
        if (not streaming or parallel.worker_count(jobs) < 2
                or any(f.plan.platform in ("generic", "register") for f, kind in self.files if kind is None)
                or not all(parallel.shareable(f) for f in files)
                or not parallel.large([f.path for f in files])):
            return 1
        self._registered()  # before the workers fork (they must not read the parent's open file)
        return parallel.worker_count(jobs)

    def ranked(self, share: tuple[int, int] | None = None) -> tuple[list[tuple[tuple, dict]], int | None]:
        """((key, record) of every case and ticket, or of share (k, n) of them, in key order
        (cases.Desk.ranked); the paid orders of the order export, or None)."""
        from kefu_cli.aftersales.cases import order_view, place

        from kefu_cli.orders.reader import share_key

        registered = self._registered()  # read whole, once: a share takes its own
        if share is not None:
            k, n = share
            registered = [t for t in registered if share_key(t["order_id"], n) == k]
            # a case its ticket names by 退款编号 goes where the ticket goes
            pinned = {t["case_id"]: share_key(t["order_id"], n) for t in self._registered() if t["case_id"]}
        cases, tickets = [], []
        for f, (case_file, kind) in enumerate(self.files):
            if kind is not None:
                tickets.extend(registered)
                continue
            name = case_file.name
            as_ticket, as_case = place(0, f, 0), place(1, f, 0)  # | the row: the record's place
            pins = None
            if share is not None and pinned and "case_id" in case_file.plan.index:
                pins = (case_file.plan.index["case_id"], pinned)
            for rec in self._records(case_file, share, pins):
                rec["source"] = name
                if rec["platform"] is None and rec["ticket_id"]:
                    rec["at"] = as_ticket | rec["row"]
                    tickets.append(rec)
                else:
                    rec["at"] = as_case | rec["row"]
                    cases.append(rec)
                    if pins is not None and rec["case_id"] in pinned and (
                            pinned[rec["case_id"]] != share_key(rec["order_id"], n)):
                        self.crossed = True  # its ticket and its order are in two shares
        orders, paid = ({} if self.orders_out is None else self.orders_out), None
        order_file = self.order_file
        if order_file is not None:
            wanted = {r["order_id"] for r in (*cases, *tickets) if r["order_id"]}
            paid = 0
            keep = order_view if self.orders_out is None else (lambda whole: whole)
            at = place(1, len(self.files), 0)
            has_waybill = "waybill" in getattr(order_file.plan, "index", ())
            for order in self._records(order_file, share):
                if order["paid_at"] is not None or order["status"] in _PAID:
                    paid += 1
                order_id = order["order_id"]
                if order_id in wanted:
                    orders[order_id] = keep(order)
                elif order["order_id"] and (order["after_sale"] in ORDER_AFTER_SALE or (
                        order["after_sale"] is not None and _by_status(order_file, order))):
                    # an after-sale the order export shows (Pinduoduo's and 抖店's 售后状态, Rakuten's
                    # 800/900 status) that no export or ticket has: a case of its own, to register
                    orders[order["order_id"]] = keep(order)
                    case = _order_case(order, order_file.name, _by_status(order_file, order), has_waybill)
                    case["at"] = at | order["row"]
                    cases.append(case)
        desk = self.desk
        desk.orders = orders
        desk.register = desk.register or bool(tickets)
        return desk.ranked(cases, tickets), paid

    @staticmethod
    def _records(order_file, share, pins=None):
        if share is None:
            return order_file.records()
        from kefu_cli.orders import parallel

        return parallel.share_records(order_file, *share, pins)

    def _registered(self) -> list[dict]:
        """The register's tickets, read whole once (before workers fork: each takes its share)."""
        if self._tickets is None:
            from kefu_cli.aftersales.cases import place

            self._tickets = []
            for f, (case_file, kind) in enumerate(self.files):
                if kind is None:
                    continue
                as_ticket = place(0, f, 0)
                for rec in case_file.records():
                    rec["source"] = case_file.name
                    rec["at"] = as_ticket | rec["row"]
                    self._tickets.append(rec)
        return self._tickets

    def close(self) -> None:
        for case_file, _kind in self.files:
            case_file.close()
        if self.order_file is not None:
            self.order_file.close()

    def report(self) -> None:
        """The files' row problems on stderr, once (after the shares' counts were added up)."""
        for case_file, _kind in self.files:
            warn_case_rows(self.env, case_file)
        if self.order_file is not None:
            report_stats(self.env, self.order_file)


# what the batch reads of an order besides the desk's cases.ORDER_FIELDS: whether it was paid, and
# the case an after-sale of its own makes (_order_case)
ORDER_READ = ("paid_at", "status", "after_sale", "close_reason", "platform", "paid", "total", "waybill")
_PAID = ("paid", "shipped", "completed")  # an order paid for, whether or not its paid_at is known

# an order's after_sale (orders/platforms.AFTER_SALE) → the case's platform status
ORDER_AFTER_SALE = {"requested": "requested", "refunding": "in_progress"}


# an after-sale read from the order's status (the profile's [status_after_sale], Rakuten's 900
# キャンセル確定): settled as well as open ones are cases
STATUS_AFTER_SALE = {**ORDER_AFTER_SALE, "refunded": "refunded", "rejected": "refused", "closed": "closed"}


def _by_status(order_file, order: dict) -> bool:
    """Whether the order's after-sale came from its status word (close_reason keeps the word)."""
    plan = getattr(order_file, "plan", None)
    profile = plan.profile if plan is not None else None
    words = profile.words.get("status_after_sale") if profile is not None else None
    return bool(words) and (order["close_reason"] or "").strip().lower() in words


def _order_case(order: dict, source: str, by_status: bool = False, by_status_waybill: bool = True) -> dict:
    """A case from an order's after-sale. From its status (a cancellation: Rakuten 800/900), the
    status word is the case's reason and its type says whether the goods had left: with a waybill
    a cancellation after shipping (the goods come back: return_refund), else before (refund_only);
    a file without a waybill column (the RMS download) cannot tell: the type stays empty."""
    from kefu_cli.orders.schema import CASE_RECORD_FIELDS

    case = dict.fromkeys(CASE_RECORD_FIELDS)
    case.update(order_id=order["order_id"], platform=order["platform"], row=order["row"], source=source,
                platform_status=(STATUS_AFTER_SALE if by_status else ORDER_AFTER_SALE)[order["after_sale"]],
                problems=[])
    if by_status:
        case.update(reason=order["close_reason"], type=None if not by_status_waybill else (
                        "return_refund" if order["waybill"] else "refund_only"),
                    refund_amount=order["paid"] if order["paid"] is not None else order["total"])
    return case


def read_cases(env, path, encoding, input_format, platform, settings=None):
    """Every case of one after-sales file, through the order reader (kind "aftersales")."""
    case_file = open_cases(env, path, encoding, input_format, platform, settings)
    try:
        records = list(case_file.records())
    finally:
        case_file.close()
    for rec in records:
        rec["source"] = case_file.name
    warn_case_rows(env, case_file)
    return records


def open_cases(env, path, encoding, input_format, platform, settings=None):
    """One after-sales file opened (kind "aftersales"), its warnings given. A register without the
    photo columns cannot show evidence: AS_EVIDENCE_MISSING is skipped, and said."""
    required = ("ticket_id", "order_id", "received_at") if platform == "register" else ("order_id",)
    case_file = open_orders(env, path, None, encoding, input_format, required=required, kind="aftersales",
                            platform=platform)
    if settings is not None and not all(case_file.plan.has(f) for f in ("photo_board", "photo_package")) \
            and settings.active("AS_EVIDENCE_MISSING"):
        settings.rules["AS_EVIDENCE_MISSING"] = False
        env.warn(_("skipped {code}: no {columns} column").format(code="AS_EVIDENCE_MISSING",
                                                                  columns="板件照片 / 外包装照片"))
    return case_file


def warn_case_rows(env, case_file) -> None:
    stats = case_file.stats
    if stats.rows_with_problems:
        env.warn(_("{file}: {count} of {total} rows have problems (rows {rows}); see the problems field").format(
            file=case_file.name, count=stats.rows_with_problems, total=stats.records,
            rows=", ".join(str(r) for r in stats.problem_rows)))


def _query(env, settings, part, approved, to, warehouse_code, explain, state_path, fmt, fields, no_headers):
    from kefu_cli.aftersales.cases import replacement_window
    from kefu_cli.config import ShipWindow
    from kefu_cli.orders.regions import locate
    from kefu_cli.orders.values import parse_datetime
    from kefu_cli.output import write_records

    cfg = env.config
    if part is None or part not in settings.lead:
        raise UsageError(_("--part {value} is not a part type").format(value=part or ""),
                         hint=_("use one of: {choices}").format(choices=", ".join(settings.lead)))
    warehouse = None
    if warehouse_code:
        warehouse = cfg.warehouse(warehouse_code.upper())
        if warehouse is None:
            raise UsageError(_("unknown warehouse {value}").format(value=warehouse_code),
                             hint=_("use one of: {choices}").format(choices=", ".join(w.code for w in cfg.warehouses)))
    approved_at = env.now
    if approved is not None:
        approved_at = parse_datetime(approved, cfg.tzinfo())
        if not hasattr(approved_at, "tzinfo"):
            raise UsageError(_("--approved: {value} is not a date and time").format(value=approved),
                             hint=_("for example --approved '2026-11-20 15:10'"))
    lo, hi, unit = settings.lead[part]
    if settings.factory is None and warehouse is not None:
        settings.factory = warehouse.code
    found = replacement_window(cfg, settings, estimator_for(env, state_path), approved_at, ShipWindow(lo, hi, unit),
                               None, locate(to) if to else None, None, to)
    rec = {"part_type": part, "lead": f"{lo}-{hi} {unit}", "approved_at": approved_at, **found}
    steps = rec.pop("steps")
    if explain:
        rec["steps"] = steps
    renderer = renderer_for(env, fmt, fields, no_headers, [*QUERY_FIELDS, *(["steps"] if explain else [])])
    write_records([rec], renderer, env.stdout)
    return ExitCode.OK
