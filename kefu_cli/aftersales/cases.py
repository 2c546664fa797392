"""Every after-sales case on the desk's clock: platform cases (refund/return exports) joined with
the desk's tickets (the register), their orders (the order export), the delivery history (when
the order was signed for, when a return reached the shop, when a replacement arrived) — and per
case the same-day deadline, the platform's deadlines, the replacement window, the return and
warranty windows, the refund due date, the evidence, with findings that have stable codes.

The join (`Desk.records`): a ticket names its platform case by 退款编号 (case_id), else it takes
the earliest case of its order no other ticket took. A case no ticket takes is a record of its
own (AS_UNMATCHED when a register was given). Records come sorted by their nearest open
deadline: the desk's morning list.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kefu_cli.aftersales.clocks import EveryDay, no_reason_until, plus_year, return_until, sla_due
from kefu_cli.aftersales.rules import BY_CODE, JP_PLATFORMS, RANK, Settings
from kefu_cli.config import Config, ShipWindow
from kefu_cli.i18n import _

AS_FIELDS = ("ticket_id", "case_id", "order_id", "platform", "type", "platform_status", "open", "received_at",
             "sla_due", "sla_state", "approved_at", "reshipped_at", "closed_at", "platform_deadline", "deadline_in_hours", "evidence_deadline",
             "part_type", "lead", "warehouse", "ship_from", "ship_by", "arrive_from", "arrive_by", "transit_basis", "delivered_on",
             "no_reason_until", "no_reason", "return_until", "warranty_until", "warranty", "returned_on",
             "refund_due", "refund_amount", "reason", "sku", "product_line", "photo_board", "photo_package",
             "next_deadline", "severity", "findings", "source",
             "problems")
_BLANK = dict.fromkeys(AS_FIELDS)  # a record's fields in their order, copied per case
_END_OF_DAY = time(23, 59, 59)  # a deadline that is a day ends with it
CLOSED = ("refunded", "closed")
_SHANGHAI, _TOKYO = ZoneInfo("Asia/Shanghai"), ZoneInfo("Asia/Tokyo")
RETURNS = ("return_refund",)
REPLACEMENTS = ("reship", "exchange")
QUALITY = ("reship", "exchange", "repair")
# The fields of an order the desk reads: the join (order_id), the product lines and the SKU (items),
# and a replacement's route through logistics/plan.Planner.plan (address, province, city, stock,
# carrier). A batch holds only these of each order it names (`order_view`): a whole order record
# of ~40 fields, kept for 100,000 cases, was a third of the run's memory.
ORDER_FIELDS = ("order_id", "items", "address", "province", "city", "stock", "carrier")


def order_view(order: dict) -> dict:
    """The fields of an order record the desk reads (ORDER_FIELDS)."""
    return {name: order[name] for name in ORDER_FIELDS}


class Desk:
    """Evaluates cases at `now`. `orders`: order_id → order record (the reader's, or its
    `order_view`: the desk reads only ORDER_FIELDS); `deliveries`:
    state.State.delivered() rows; `planner`: logistics.plan.Planner (routes and the estimator)."""

    def __init__(self, config: Config, settings: Settings, now: datetime, planner, deliveries=(),
                 orders: dict | None = None, register: bool = False, explain: bool = False):
        self.config = config
        self.s = settings
        self.now = now
        self.planner = planner
        self.orders = orders or {}
        self.register = register
        self.explain = explain
        self.tz = ZoneInfo(settings.timezone or config.timezone)
        if settings.calendar == "every_day":
            self.cal = EveryDay()
        else:
            self.cal = planner.estimator.calendars[settings.calendar]
        self.signed: dict[str, date] = {}  # order_id -> the last delivery of the order
        self.arrived: dict[str, date] = {}  # waybill -> delivered_on (returns, replacements)
        for waybill, order_id, outcome, delivered_on in deliveries:
            if outcome != "delivered" or not delivered_on:
                continue
            day = date.fromisoformat(delivered_on)
            self.arrived[waybill] = day
            if order_id and (order_id not in self.signed or self.signed[order_id] < day):
                self.signed[order_id] = day
        self.today = now.astimezone(self.tz).date()
        self.skipped: set[str] = set()  # rules a missing column switched off, for stderr
        self._due: dict = {}
        # code -> (severity, translated message), or () when the shop switched the rule off
        self._messages: dict[str, tuple] = {}
        self._times: dict[datetime, str] = {}  # a time as findings show it, per instant (they repeat)

    def _message(self, code: str) -> tuple:
        rule = BY_CODE[code]
        hit = self._messages[code] = (rule.severity, _(rule.message)) if self.s.active(code) else ()
        return hit

    # ------------------------------------------------------------------ join

    def records(self, cases: list[dict], tickets: list[dict]) -> list[dict]:
        """Every ticket and case evaluated, nearest deadline first (ranked)."""
        return [rec for _k, rec in self.ranked(cases, tickets)]

    def ranked(self, cases: list[dict], tickets: list[dict]) -> list[tuple[tuple, dict]]:
        """(key, record) of every ticket and case evaluated, in key order: the nearest deadline first
        (as instants: zones may differ), then those without one; among equals, in the order read:
        the tickets, then the cases that no ticket took, each by its `at` (place(kind, file, row))
        when the reader gave one, else by its place in that order. The key is the whole order, so shares
        of one batch evaluated apart merge into the same list (orders/parallel.write_merged).
        `cases` is used up: each case is let go once evaluated (100,000 cases held ~100 MB
        beside their records)."""
        by_id = {c["case_id"]: c for c in cases if c["case_id"]} if tickets else {}
        by_order: dict[str, list[dict]] = {}
        if tickets:  # a ticket without 退款编号 takes its order's earliest case
            for c in cases:
                if c["order_id"]:
                    by_order.setdefault(c["order_id"], []).append(c)
            for found in by_order.values():
                if len(found) > 1:
                    found.sort(key=lambda c: (c["requested_at"] is None,
                                              c["requested_at"].timestamp() if c["requested_at"] else 0))
        taken: set[int] = set()
        out = []
        for n, t in enumerate(tickets):
            case = by_id.get(t["case_id"]) if t["case_id"] else None
            if case is None and t["order_id"]:
                case = next((c for c in by_order.get(t["order_id"], ()) if id(c) not in taken), None)
            if case is not None:
                taken.add(id(case))
            rec = self.evaluate(t, case)
            out.append((_ranking(rec, t.get("at") or place(2, 0, n)), rec))
        by_id = by_order = None  # the join is done: nothing but `cases` holds a case now
        for n, c in enumerate(cases):
            if id(c) not in taken:
                rec = self.evaluate(None, c)
                out.append((_ranking(rec, c.get("at") or place(3, 0, n)), rec))
            cases[n] = None  # let go once evaluated: its record holds what it shows
        out.sort(key=_deadline)  # stable: `out` is in the order read, the key's second part
        return out

    # ------------------------------------------------------------------ one case

    def evaluate(self, ticket: dict | None, case: dict | None) -> dict:
        t, c = ticket or {}, case or {}

        if ticket is None:  # a platform case alone: its own fields (most of a batch)
            pick = c.get
        else:
            def pick(name):
                v = t.get(name)
                return v if v is not None else c.get(name)

        rec = _BLANK.copy()
        steps: list[str] = []
        ex = self.explain  # the steps are written only when asked for
        findings: list[dict] = []
        s, now, tz, messages, times = self.s, self.now, self.tz, self._messages, self._times

        def add(code, **values) -> dict | None:  # the finding, or None when the shop switched the rule off
            hit = messages.get(code)
            if hit is None:
                hit = self._message(code)
            if not hit:
                return None
            severity, message = hit
            for k, v in values.items():  # a time as the desk reads it; years are 4 digits (values.YEARS)
                if v.__class__ is datetime:
                    shown = times.get(v)
                    if shown is None:
                        shown = times[v] = v.astimezone(tz).isoformat(" ", "minutes")[:16]
                    values[k] = shown
            finding = {"code": code, "severity": severity, "message": message.format(**values)}
            findings.append(finding)
            return finding

        order_id = pick("order_id")
        reason = pick("reason")
        status = c.get("platform_status")
        kind = pick("type")
        rec["ticket_id"] = t.get("ticket_id")
        rec["case_id"] = pick("case_id")
        rec["order_id"] = order_id
        rec["platform"] = c.get("platform") or t.get("platform")
        rec["type"] = kind
        rec["platform_status"] = status
        rec["approved_at"] = pick("approved_at")
        rec["reshipped_at"] = t.get("reshipped_at")
        rec["refund_amount"] = c.get("refund_amount")
        rec["reason"] = reason
        rec["photo_board"] = t.get("photo_board")
        rec["photo_package"] = t.get("photo_package")
        closed_at = pick("closed_at")
        rec["closed_at"] = closed_at
        is_open = closed_at is None and status not in CLOSED
        rec["open"] = is_open
        order = self.orders.get(order_id) if order_id else None
        text = " ".join([x for x in (pick("problem"), reason, c.get("description"), t.get("solution")) if x])

        # -- same-day rule [SHOP]: the earlier of the register's 登记时间 and the platform's request
        received, requested = t.get("received_at"), c.get("requested_at")
        if received is None or (requested is not None and requested < received):
            received = requested
        rec["received_at"] = received
        state, due = "unknown", None
        if received is None:
            if ex: steps.append(_("no 登记时间 and no request time: the same-day deadline is unknown"))
        else:
            due, promo, sla_steps = self._sla_due(received)
            if ex: steps.extend(sla_steps)
            handled = rec["approved_at"] or closed_at
            if promo is not None:
                state = "paused"
            elif handled is not None:
                state = "met" if handled <= due else "late"
                if ex: steps.append(_("handled {when}: {state}").format(when=handled.isoformat(), state=state))
                if state == "late":
                    add("AS_SLA_LATE", approved=handled, due=due)
            elif not is_open:
                if ex: steps.append(_("closed without a time: the same-day rule cannot be checked"))
            elif ticket is None and status not in (None, "requested"):
                if ex: steps.append(_("the platform says {status}: the shop has acted, but when is not in the export").format(
                    status=status))
            elif now > due:
                state = "overdue"
                add("AS_SLA_OVERDUE", received=received, due=due)
            else:
                state = "due"
                left = (due - now).total_seconds() / 3600
                if left <= s.warn_hours:
                    add("AS_SLA_DUE", received=received, due=due, hours=f"{left:.1f}")
        rec["sla_due"], rec["sla_state"] = due, state

        # -- the platform's own clocks [PLATFORM]: from the export, else the shop's timeouts
        deadline = c.get("platform_deadline")
        if deadline is not None:
            if ex: steps.append(_("platform deadline {when} (the export's 超时时间)").format(when=deadline.isoformat()))
        else:
            timeout = s.platform_timeouts.get(rec["platform"] or "", {}).get(status or "")
            if timeout is not None and c.get("requested_at") is not None:
                deadline = c["requested_at"] + timeout
                if ex: steps.append(_("platform deadline {when}: request + {timeout} (shop.toml [aftersales.platform_timeouts])").format(
                    when=deadline.isoformat(), timeout=timeout))
        rec["platform_deadline"] = deadline
        if deadline is not None and is_open:
            hours = (deadline - now).total_seconds() / 3600
            rec["deadline_in_hours"] = round(hours, 1)
            if hours <= s.platform_warn_hours:
                add("AS_PLATFORM_DEADLINE", deadline=deadline, hours=f"{hours:.1f}")
        evidence_deadline = c.get("evidence_deadline")
        rec["evidence_deadline"] = evidence_deadline
        if evidence_deadline is not None and is_open:
            hours = (evidence_deadline - now).total_seconds() / 3600
            if hours <= s.platform_warn_hours:
                add("AS_EVIDENCE_DEADLINE", deadline=evidence_deadline, hours=f"{hours:.1f}")

        # -- the order: its lines' product lines, its route
        line_of = self.planner.router.product_line
        lines, first_sku = [], None
        if order is not None:
            for it in order["items"] or ():
                item_sku = it.get("sku")
                line = line_of(item_sku, it.get("title"))[0]
                if line is not None:
                    lines.append(line)
                if first_sku is None and item_sku:
                    first_sku = item_sku
        sku = pick("sku")
        if sku and not lines:
            line, _why = line_of(sku, pick("item_title"))
            lines = [line] if line is not None else []
        rec["sku"] = sku or first_sku
        rec["product_line"] = lines[0].name if lines else None

        # -- replacement window [SHOP]
        part = t.get("part_type")
        replacement = kind in REPLACEMENTS or part is not None
        if part is None and replacement:
            part = next((pl.name for pl in lines if pl.name in s.lead), None)
            if part is not None:
                if ex: steps.append(_("part type {part} from the product line").format(part=part))
            else:
                words = " ".join(x for x in (text, pick("item_title")) if x)
                part = next((p for p, keys in s.part_keywords.items() if any(k in words for k in keys)), None)
                if part is not None:
                    if ex: steps.append(_("part type {part} from [aftersales.part_keywords]").format(part=part))
        if replacement and part not in s.lead:
            add("AS_PART_UNKNOWN", value=part or "—")
            part = None
        rec["part_type"] = part
        if part is not None:
            lo, hi, unit = s.lead[part]
            rec["lead"] = f"{lo}-{hi} {unit}"
            if rec["approved_at"] is not None:
                plan = self.planner.plan(order) if order is not None else None  # the route: only for a window
                self._window(rec, plan, order, ShipWindow(lo, hi, unit), steps)
                reshipped = t.get("reshipped_at")
                if is_open and reshipped is None and s.counts_to == "ship" and rec["ship_by"] and self.today > rec["ship_by"]:
                    add("AS_REPLACEMENT_LATE", approved=rec["approved_at"], ship_by=rec["ship_by"])
            else:
                if ex: steps.append(_("not approved yet: the replacement window starts at approval"))

        # -- delivery: the order's signing (the return and warranty windows start there)
        signed = self.signed.get(rec["order_id"]) if rec["order_id"] else None
        rec["delivered_on"] = signed
        jp = rec["platform"] in JP_PLATFORMS
        law_zone = _TOKYO if jp else _SHANGHAI  # the day a request was made, where the law applies
        asked = received.astimezone(law_zone).date() if received else None
        if signed is None:
            if rec["order_id"] and is_open:
                add("AS_NO_DELIVERY")
        else:
            if ex: steps.append(_("signed for {day} (the delivery history)").format(day=signed))
            if jp:  # Japan: 特定商取引法 8 days, or the shop's/platform's terms [LAW]/[PLATFORM]
                terms = s.return_terms.get(rec["platform"], "statutory")
                until, basis = return_until(signed, terms)
                rec["return_until"] = until
                if ex: steps.append(_("return window ({basis}): until {until}").format(basis=basis, until=until or "—"))
                if kind in RETURNS and until is not None and asked is not None and asked > until:
                    add("AS_RETURN_WINDOW_EXPIRED", asked=asked, until=until, basis=basis)
            else:  # China: 7 days from the day after signing [LAW]
                until = no_reason_until(signed)
                rec["no_reason_until"] = until
                custom = next((pl for pl in lines if pl.custom_made), None)
                if custom is not None:
                    rec["no_reason"] = "excluded_custom"
                    if kind in RETURNS:
                        add("AS_CUSTOM_MADE", line=custom.name)
                elif asked is None:
                    rec["no_reason"] = "unknown"
                else:
                    rec["no_reason"] = "eligible" if asked <= until else "expired"
                    if kind in RETURNS and asked > until:
                        add("AS_NO_REASON_EXPIRED", asked=asked, until=until)
                if ex: steps.append(_("7-day no-reason: day 1 is {first}, until {until} 23:59:59: {state}").format(
                    first=signed + timedelta(days=1), until=until, state=rec["no_reason"]))
            warranty_until = plus_year(signed)  # 三包 [SHOP]: one year from delivery
            rec["warranty_until"] = warranty_until
            if asked is not None:
                rec["warranty"] = "in" if asked <= warranty_until else "expired"
                if rec["warranty"] == "expired" and kind in QUALITY:
                    add("AS_WARRANTY_EXPIRED", until=warranty_until)
        for word in s.warranty_exclusion_words:
            if word in text:
                add("AS_WARRANTY_EXCLUSION_CHECK", word=word)
                break
        if t.get("installed") and kind in (*RETURNS, "refund_only"):
            add("AS_INSTALLED_CHECK")

        # -- money after a return [LAW]: refund 7 days after the goods arrive, 15 at the latest
        back = c.get("return_delivered_at")
        returned_on = back.astimezone(law_zone).date() if back is not None else None
        waybill = pick("return_waybill")
        if returned_on is None and waybill:
            returned_on = self.arrived.get(waybill)
        rec["returned_on"] = returned_on
        if returned_on is not None:
            rec["refund_due"] = returned_on + timedelta(days=7)
            if ex: steps.append(_("the return arrived {day}: refund due {due}").format(day=returned_on, due=rec["refund_due"]))
            late = (self.today - returned_on).days
            if is_open and late > 7:
                refund = add("AS_REFUND_DUE", returned=returned_on, due=rec["refund_due"], days=late - 7)
                if late > 15 and refund is not None:  # (switched off, it upgraded the finding before it)
                    refund["severity"] = "error"
        if (is_open and kind in RETURNS and status == "requested" and c.get("requested_at") is not None
                and (now - c["requested_at"]).days >= 15):
            add("AS_RETURN_STALLED", asked=c["requested_at"], days=(now - c["requested_at"]).days)

        # -- evidence [SHOP]: photos of the damaged board and of the outer packaging
        if ticket is not None and any(w in text for w in s.damage_words):
            missing = [name for key, name in (("photo_board", _("the board photo")),
                                              ("photo_package", _("the packaging photo"))) if not t.get(key)]
            if missing:
                add("AS_EVIDENCE_MISSING", missing=", ".join(missing))
        if ticket is None and self.register:
            add("AS_UNMATCHED")

        rec["next_deadline"] = self._next_deadline(rec, is_open, state)
        rec["findings"] = findings
        severity = None  # the worst finding's (the first of equals)
        for f in findings:
            if severity is None or RANK[f["severity"]] > RANK[severity]:
                severity = f["severity"]
        rec["severity"] = severity
        if ticket is None:  # a case alone (most of a batch): its own source and problems
            rec["source"] = f"{c['source']}:{c['row']}"
            rec["problems"] = c["problems"] or []
        else:
            rec["source"] = " ".join([f"{x['source']}:{x['row']}" for x in (ticket, case) if x])
            rec["problems"] = [*(t.get("problems") or ()), *(c.get("problems") or ())]
        if self.explain:
            rec["steps"] = steps
        return rec

    def _sla_due(self, received: datetime):
        """clocks.sla_due; without --explain its answer depends only on the local day and the side of
        the cutoff, so it is kept per (day, before cutoff): a batch asks few distinct ones."""
        if self.explain:
            return sla_due(received, self.s, self.cal, self.tz)
        local = received.astimezone(self.tz)
        key = (local.date(), local.time() < self.s.cutoff)
        hit = self._due.get(key)
        if hit is None:
            hit = self._due[key] = sla_due(received, self.s, self.cal, self.tz)
        return hit

    def _window(self, rec, plan, order, lead: ShipWindow, steps) -> None:
        shipment = plan.shipments[0] if plan and plan.shipments else None
        found = replacement_window(self.config, self.s, self.planner.estimator, rec["approved_at"], lead,
                                   shipment.warehouse if shipment else None, plan.place if plan else None,
                                   plan.carrier if plan else None, order["address"] if order else None,
                                   rec["order_id"])
        steps.extend(found.pop("steps"))
        rec.update(found)

    def _next_deadline(self, rec, is_open, state) -> datetime | None:
        if not is_open:
            return None
        nearest = rec["sla_due"] if state in ("due", "overdue") else None
        refund_due, ship_by = rec["refund_due"], rec["ship_by"] if rec["approved_at"] else None
        for when in (rec["platform_deadline"], rec["evidence_deadline"],
                     None if refund_due is None else datetime.combine(refund_due, _END_OF_DAY, self.tz),
                     None if ship_by is None else datetime.combine(ship_by, _END_OF_DAY, self.tz)):
            if when is not None and (nearest is None or when < nearest):  # the first of equal instants
                nearest = when
        return nearest


def replacement_window(config: Config, s: Settings, estimator, approved_at: datetime, lead: ShipWindow,
                       warehouse=None, place=None, carrier=None, address: str | None = None,
                       order_id: str | None = None) -> dict:
    """A replacement's window through the estimator (logistics/eta.Estimator), the one place
    windows are computed: day 0 from the approval on the factory's calendar and cutoff, the lead
    in its unit, then the transit to the buyer — the route's calibrated history when it has
    enough deliveries, else its tier. The factory is [aftersales] factory, else the order's
    warehouse, else the first declared. Without a destination only the ship dates are known.
    With [aftersales.lead] counts_to = "arrival" the lead already ends at delivery."""
    out = {"ship_from": None, "ship_by": None, "arrive_from": None, "arrive_by": None, "transit_basis": None,
           "warehouse": None, "steps": []}
    warehouse = (config.warehouse(s.factory) if s.factory else None) or warehouse or (
        config.warehouses[0] if config.warehouses else None)
    if warehouse is None:
        return out
    out["warehouse"] = warehouse.code
    steps = out["steps"]
    if place is not None and s.counts_to == "ship":
        est = estimator.estimate(order_id=order_id, warehouse=warehouse, place=place, stock=None, paid_at=approved_at,
                                 carrier=carrier, address=address, explain=True, ship=lead)
        out["transit_basis"] = est["transit_basis"]
        window = (est["ship_from"], est["ship_by"], est["arrive_from"], est["arrive_by"])
        steps.append(_("replacement from {warehouse}, counted from approval:").format(warehouse=warehouse.code))
        steps.extend(est.get("steps", ()))
    else:
        win = estimator.window(warehouse, approved_at, lead, (0, 0))
        window = (win.ship_from, win.ship_by, None, None)
        steps.append(_("replacement from {warehouse}, counted from approval:").format(warehouse=warehouse.code))
        steps.extend(win.steps[:-1])  # without the (zero) transit step
    if s.counts_to == "arrival":
        out["arrive_from"], out["arrive_by"] = window[0], window[1]
        steps.append(_("[aftersales.lead] counts_to = arrival: the lead ends at delivery"))
    else:
        out["ship_from"], out["ship_by"], out["arrive_from"], out["arrive_by"] = window
    return out


def replacement_notice(rec: dict, order: dict | None, composer) -> tuple[dict | None, str | None]:
    """The buyer's notice of an approved ticket's replacement (messaging's `replacement` template),
    its dates only from the window computed here: (message, None), (None, reason held back) or
    (None, None) when the ticket is no replacement or is closed."""
    if rec["ticket_id"] is None or not rec["open"] or (rec["type"] not in REPLACEMENTS and rec["part_type"] is None):
        return None, None
    if rec["part_type"] is None:
        return None, "no_part_type"
    if rec["approved_at"] is None:
        return None, "not_approved"
    if order is None:
        return None, "no_order"
    if rec["arrive_from"] is None:
        return None, "no_address"
    if rec["ship_from"] is None:  # [aftersales.lead] counts_to = "arrival": no ship dates to tell
        return None, "no_ship_dates"
    if rec["ship_by"] < composer.now.astimezone(composer.tz).date():  # dates in the past tell the buyer nothing
        return None, "window_passed"
    day = date.isoformat
    msg = composer.message(order, "replacement", "replacement", part=rec["part_type"], ticket=rec["ticket_id"],
                           ship_from=day(rec["ship_from"]), ship_by=day(rec["ship_by"]),
                           arrive_from=day(rec["arrive_from"]), arrive_by=day(rec["arrive_by"]))
    return msg, None


def place(kind: int, file: int, row: int) -> int:
    """A case's or ticket's place in the order read, as one number (the second part of its key in
    Desk.ranked): tickets (kind 0) before cases (1), then by file, then by row."""
    return (kind << 60) | (file << 40) | row



def _ranking(rec: dict, at: int) -> tuple[float, int]:
    due = rec["next_deadline"]
    return (due.timestamp() if due is not None else _NEVER, at)


_NEVER = float("inf")  # no deadline: after every dated case


def _deadline(pair: tuple) -> float:
    return pair[0][0]


def summary(records: list[dict]) -> tuple[dict[str, int], dict[str, int]]:
    """(count per sla_state of the open cases, count per finding code)."""
    states: dict[str, int] = {}
    codes: dict[str, int] = {}
    tally(records, len(RANK), states, codes)
    return states, codes


def tally(records: list[dict], threshold: int, states: dict[str, int] | None = None,
          codes: dict[str, int] | None = None) -> bool:
    """Whether a record's worst finding (its severity) has rank `threshold` (rules.RANK) or worse;
    given `states` and `codes`, adds the open cases per sla_state and the findings per code to
    them (summary)."""
    failed = any(r["severity"] is not None and RANK[r["severity"]] >= threshold for r in records)
    if states is not None:
        for r in records:
            if r["open"]:
                states[r["sla_state"]] = states.get(r["sla_state"], 0) + 1
            for f in r["findings"]:
                codes[f["code"]] = codes.get(f["code"], 0) + 1
    return failed
