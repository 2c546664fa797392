"""Figures from what happened: transit of delivered parcels, and what reminders led to.

`transit`: per warehouse × destination (× carrier), n and the p10/p50/p90 transit of delivered
parcels, in calendar and in working days, from the state file's delivery history (percentiles in
SQL: state.transit_percentiles). Parcels tracked before the history existed are added from the
tracking cache first (tracking/cache.import_cached).

`reminders`: the ledger's reminders joined with a later export of the same orders: per stage
and wording (template), how many were sent, how many of those orders were paid within `window`
after the reminder, the rate, and the median time to payment; and the reminded orders that were
closed unpaid, with the reason the platform gives (订单关闭原因).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Iterable, Iterator

from kefu_cli.logistics.history import TRANSIT_FIELDS

REMIND_FIELDS = ("stage", "template", "sent", "paid", "rate", "median_hours", "closed_unpaid", "not_in_file")
CLOSED_FIELDS = ("order_id", "stage", "template", "sent_at", "close_reason")


def transit(config, state, since: str | None = None, min_n: int = 1, by_carrier: bool = True) -> list[dict]:
    return transit_table(config, state, since, min_n, by_carrier)[0]


def transit_table(config, state, since: str | None = None, min_n: int = 1,
                  by_carrier: bool = True) -> tuple[list[dict], list[dict]]:
    """The routes with at least `min_n` deliveries since `since`, and the ones `min_n` hides (so a
    caller can say what the threshold left out)."""
    from kefu_cli.tracking.cache import import_cached

    import_cached(config, state)
    rows = [dict(zip(TRANSIT_FIELDS, row))
            for row in state.transit_percentiles(since, 1, carriers="each" if by_carrier else "all")]
    return [r for r in rows if r["n"] >= min_n], [r for r in rows if r["n"] < min_n]


def delivered_before(state, since: str) -> int:
    """Delivered parcels in the history before `since`: what a --since leaves out."""
    return sum(row[4] for row in state.transit_percentiles(None, 1, carriers="all")) - sum(
        row[4] for row in state.transit_percentiles(since, 1, carriers="all"))


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


class Reminders:
    """The ledger's reminders, and the orders of a later export they are joined with."""

    def __init__(self, reminders: list[tuple[str, str, str, str | None]], window: timedelta):
        self.window = window
        self.by_order: dict[str, list[tuple[str, datetime, str]]] = {}
        for order_id, stage, sent_at, template in reminders:
            when = _when(sent_at)
            if when is not None:
                self.by_order.setdefault(order_id, []).append((stage, when, template or "unknown"))
        self.found: dict[str, dict] = {}

    def see(self, orders: Iterable[dict]) -> None:
        """Keep what the export says of each reminded order (its status, payment time, close reason)."""
        for _order in self.watching(orders):
            pass

    def watching(self, orders: Iterable[dict]) -> Iterator[dict]:
        """The orders, passed on unchanged, keeping on the way what `see` keeps: another pass over
        the export (the report's audit) feeds the join, so the export is read once. Only the
        reminded orders' three fields are kept, never whole records."""
        wanted, found = self.by_order, self.found
        for order in orders:
            if order["order_id"] in wanted:
                found[order["order_id"]] = {"status": order["status"], "paid_at": order["paid_at"],
                                            "close_reason": order["close_reason"]}
            yield order

    def take(self) -> dict[str, dict]:
        """What was kept since the last take (a parallel reader's worker hands it to the parent)."""
        found, self.found = self.found, {}
        return found

    def merge(self, found: dict[str, dict]) -> None:
        """Add a part `take` gave, in file order: a later row of an order wins, as in `see`."""
        self.found.update(found)

    def results(self) -> list[dict]:
        groups: dict[tuple[str, str], dict] = {}
        for order_id, sent in self.by_order.items():
            order = self.found.get(order_id)
            for stage, when, template in sent:
                g = groups.setdefault((stage, template), {"sent": 0, "paid": 0, "hours": [], "closed": 0, "missing": 0})
                g["sent"] += 1
                if order is None:
                    g["missing"] += 1
                    continue
                paid_at = order["paid_at"]
                if paid_at is not None and when <= paid_at <= when + self.window:
                    g["paid"] += 1
                    g["hours"].append((paid_at - when).total_seconds() / 3600)
                elif paid_at is None and order["status"] == "closed":
                    g["closed"] += 1
        out = []
        for (stage, template), g in sorted(groups.items()):
            rate = (Decimal(g["paid"]) / Decimal(g["sent"])).quantize(Decimal("0.001")) if g["sent"] else None
            hours = Decimal(str(round(median(g["hours"]), 1))) if g["hours"] else None
            out.append({"stage": stage, "template": template, "sent": g["sent"], "paid": g["paid"], "rate": rate,
                        "median_hours": hours, "closed_unpaid": g["closed"], "not_in_file": g["missing"]})
        return out

    def closed_unpaid(self) -> list[dict]:
        out = []
        for order_id, sent in sorted(self.by_order.items()):
            order = self.found.get(order_id)
            if order is None or order["paid_at"] is not None or order["status"] != "closed":
                continue
            stage, when, template = max(sent, key=lambda s: s[1])  # the last reminder before it closed
            out.append({"order_id": order_id, "stage": stage, "template": template, "sent_at": when,
                        "close_reason": order["close_reason"]})
        return out


# --------------------------------------------------------------------------- after-sales

AFTERSALES_BY = ("platform", "reason", "sku", "product_line")
AFTERSALES_FIELDS = ("n", "approved", "same_day_rate", "approve_hours_p50", "approve_hours_p90", "reshipped",
                     "reship_days_p50", "reship_days_p90", "reship_on_time", "refunds", "refund_rate",
                     "refund_due_late")


def aftersales_fields(by: str | None) -> tuple[str, ...]:
    return ((by,) if by else ("platform", "type", "part_type")) + AFTERSALES_FIELDS


def aftersales(records: Iterable[dict], by: str | None = None, paid_orders: int | None = None) -> list[dict]:
    """Per platform × type × part type (or per `by`: reason, SKU, product line), from the cases
    `kefu aftersales` evaluates (aftersales/cases.Desk): the same-day rate (met / (met + late);
    paused cases are out), hours from receipt to approval (p50, p90), calendar days from approval
    to the replacement's shipping (p50, p90) and the share shipped by the promised `ship_by`,
    refunds (platform status refunded) and their rate over the paid orders of the order export,
    and the refunds later than 7 days after the return arrived (AS_REFUND_DUE)."""
    keys = aftersales_fields(by)[:-len(AFTERSALES_FIELDS)]
    groups: dict[tuple, list[dict]] = {}
    for rec in records:
        groups.setdefault(tuple(rec.get(k) for k in keys), []).append(rec)
    rows = []
    for key in sorted(groups, key=lambda k: tuple("" if v is None else str(v) for v in k)):
        cases = groups[key]
        met = sum(r["sla_state"] == "met" for r in cases)
        late = sum(r["sla_state"] == "late" for r in cases)
        approve = [(r["approved_at"] - r["received_at"]).total_seconds() / 3600 for r in cases
                   if r["approved_at"] is not None and r["received_at"] is not None]
        reship = [(r["reshipped_at"].date() - r["approved_at"].date()).days for r in cases
                  if r["reshipped_at"] is not None and r["approved_at"] is not None]
        promised = [r for r in cases if r["reshipped_at"] is not None and r["ship_by"] is not None]
        refunds = sum(r["platform_status"] == "refunded" for r in cases)
        rows.append({**dict(zip(keys, key)), "n": len(cases), "approved": len(approve),
                     "same_day_rate": _rate(met, met + late),
                     "approve_hours_p50": _rank(approve, 0.5), "approve_hours_p90": _rank(approve, 0.9),
                     "reshipped": len(reship), "reship_days_p50": _rank(reship, 0.5),
                     "reship_days_p90": _rank(reship, 0.9),
                     "reship_on_time": _rate(sum(r["reshipped_at"].date() <= r["ship_by"] for r in promised),
                                             len(promised)),
                     "refunds": refunds, "refund_rate": _rate(refunds, paid_orders) if paid_orders else None,
                     "refund_due_late": sum(f["code"] == "AS_REFUND_DUE" for r in cases for f in r["findings"])})
    return rows


def _rate(part: int, whole: int | None) -> str | None:
    return f"{part / whole:.3f}" if whole else None


def _rank(values: list, p: float):
    """The nearest-rank percentile (as state.transit_percentiles), hours to one decimal."""
    if not values:
        return None
    import math

    ordered = sorted(values)
    value = ordered[max(0, math.ceil(p * len(ordered)) - 1)]
    return round(value, 1) if isinstance(value, float) else value
