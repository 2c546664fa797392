"""Ship and arrival windows.

Day 0 is the payment day (in the warehouse's time zone) when paid before the warehouse's cutoff
on one of its working days, otherwise the next working day. ship_from = Day 0 + min and
ship_by = Day 0 + max, where "+N working days" is the N-th working day after Day 0 and
"+N calendar days" is Day 0 + N. The window is the product line's for the stock status if it
declares one, else the warehouse's. Arrival: [ship_from + transit min, ship_by + transit max]
calendar days, by the destination's tier (same_province, other_province, remote; a carrier may
override the days) — or, once the route (warehouse → destination province, with the order's
carrier, else over all carriers) has enough delivered parcels in the history, their p10–p90
transit (logistics/history.py); `transit_basis` says which: `tier` or `history n=…`. A
destination in another country than the warehouse has no route; one kefu cannot place is
`unknown`: both keep their record, with dates empty and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kefu_cli.logistics.calendars import Calendars
from kefu_cli.config import Carrier, Config, ProductLine, ShipWindow, Warehouse
from kefu_cli.i18n import _
from kefu_cli.orders.regions import Place

ETA_FIELDS = ("order_id", "warehouse", "country", "province", "tier", "stock", "paid_at", "basis", "transit_basis",
              "ship_from", "ship_by", "arrive_from", "arrive_by", "calendar_note", "reason")
PROBLEM_TIERS = ("unknown", "no_route")
CROSS_BORDER_PLACES = ("HK", "MO", "TW")


@dataclass(frozen=True)
class Window:
    day0: date
    ship_from: date
    ship_by: date
    arrive_from: date
    arrive_by: date
    note: str | None
    steps: tuple[str, ...]


def tier_of(place: Place, warehouse: Warehouse, config: Config, address: str | None = None) -> str:
    """same_province | other_province | remote | cross_border (Hong Kong, Macau or Taiwan from a
    mainland warehouse) | no_route (another country) | unknown."""
    if place.country is None:
        return "unknown"
    if place.country in CROSS_BORDER_PLACES and warehouse.country == "CN":
        return "cross_border"
    if place.country != warehouse.country:
        return "no_route"
    if place.province == warehouse.province:
        return "same_province"
    provinces, keywords = config.remote.get(place.country, (frozenset(), ()))
    if place.province in provinces or (address and any(k in address for k in keywords)):
        return "remote"
    return "other_province"


def ship_window(product_line: ProductLine | None, warehouse: Warehouse | None, stock: str | None) -> ShipWindow | None:
    """The ship window for a stock status (None: the product line's own, else in stock): the
    product line's if it declares one, else the warehouse's."""
    stock = stock or (product_line.stock if product_line else "in_stock")
    return (product_line.ship.get(stock) if product_line else None) or (warehouse.ship.get(stock) if warehouse else None)


def has_no_window(rec: dict) -> bool:
    """An eta record without dates: unknown destination, another country, or unroutable."""
    return rec["tier"] in PROBLEM_TIERS or rec["reason"] == "UNROUTABLE"


def promise_unmeetable(promised: date | None, arrive_from: date | None) -> bool:
    """True when a promised delivery date falls before the earliest possible arrival."""
    return promised is not None and arrive_from is not None and promised < arrive_from


def deadline_missed(ship_by: date | None, deadline: date | None) -> bool:
    """True when kefu's ship window ends after the platform's ship-by deadline (Amazon's
    promise-date, 拼多多's 承诺发货时间): the day the platform starts penalising a late dispatch."""
    return ship_by is not None and deadline is not None and ship_by > deadline


class Estimator:
    def __init__(self, config: Config, now: datetime, calendars: Calendars | None = None, observed: dict | None = None):
        self.config = config
        self.now = now
        self.observed = observed or {}  # (warehouse, province, carrier or None) -> history.Observed
        self.calendars = calendars or Calendars(config.calendar_overrides)
        self._zones: dict[str, ZoneInfo] = {}
        self._cache: dict[tuple, Window] = {}
        self.notes: set[str] = set()

    def window(self, warehouse: Warehouse, paid_at: datetime, ship: ShipWindow, transit: tuple[int, int]) -> Window:
        local = paid_at.astimezone(self._zone(warehouse))
        before_cutoff = local.time() < warehouse.cutoff
        key = (warehouse.code, local.date(), before_cutoff, ship, transit)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._window(warehouse, local, before_cutoff, ship, transit)
        if hit.note:
            self.notes.add(hit.note)
        return hit

    def _zone(self, warehouse: Warehouse) -> ZoneInfo:
        zone = self._zones.get(warehouse.timezone)
        if zone is None:
            zone = self._zones[warehouse.timezone] = ZoneInfo(warehouse.timezone)
        return zone

    def in_transit(self, warehouse: Warehouse, shipped_at: datetime, transit: tuple[int, int]) -> Window:
        """The window of a parcel already handed to the carrier on `shipped_at`'s day (warehouse
        time): ship_from = ship_by = that day, then the transit days."""
        day = shipped_at.astimezone(self._zone(warehouse)).date()
        arrive_from, arrive_by = day + timedelta(days=transit[0]), day + timedelta(days=transit[1])
        steps = (_("shipped by {day}: only the transit is left").format(day=day),
                 _("transit {a}–{b} days: arrives {start} to {end}").format(
                     a=transit[0], b=transit[1], start=arrive_from, end=arrive_by))
        return Window(day, day, day, arrive_from, arrive_by, None, steps)

    def _window(self, warehouse, local, before_cutoff, ship, transit) -> Window:
        cal = self.calendars.of(warehouse.calendar, warehouse.closed)
        paid_day = local.date()
        steps = [_("paid {when} ({zone})").format(when=local.strftime("%Y-%m-%d %H:%M"), zone=warehouse.timezone)]
        if cal.is_working(paid_day) and before_cutoff:
            day0 = paid_day
            steps.append(_("day 0 = {day}: a working day, paid before the {cutoff} cutoff").format(
                day=day0, cutoff=warehouse.cutoff.strftime("%H:%M")))
        else:
            day0 = cal.next_working(paid_day)
            why = _("after the {cutoff} cutoff").format(cutoff=warehouse.cutoff.strftime("%H:%M")) if cal.is_working(
                paid_day) else _("{day} is not a working day").format(day=paid_day)
            steps.append(_("day 0 = {day}: the next working day ({why})").format(day=day0, why=why))
        if ship.unit == "working_days":
            ship_from, ship_by = cal.add_working(day0, ship.min), cal.add_working(day0, ship.max)
            unit = _("working days ({calendar} calendar)").format(calendar=warehouse.calendar)
            last = ship_by
        else:
            ship_from, ship_by = day0 + timedelta(days=ship.min), day0 + timedelta(days=ship.max)
            unit = _("calendar days")
            last = day0
        steps.append(_("ships {a}–{b} {unit} after day 0: {start} to {end}").format(
            a=ship.min, b=ship.max, unit=unit, start=ship_from, end=ship_by))
        arrive_from, arrive_by = ship_from + timedelta(days=transit[0]), ship_by + timedelta(days=transit[1])
        steps.append(_("transit {a}–{b} days: arrives {start} to {end}").format(
            a=transit[0], b=transit[1], start=arrive_from, end=arrive_by))
        note = cal.note(paid_day, last, self.now.year)
        if note:
            steps.append(note)
        return Window(day0, ship_from, ship_by, arrive_from, arrive_by, note, tuple(steps))

    def estimate(self, *, order_id: str | None, warehouse: Warehouse | None, place: Place, stock: str | None,
                 paid_at: datetime | None, product_line: ProductLine | None = None, carrier: Carrier | None = None,
                 address: str | None = None, reason: str | None = None, explain: bool = False,
                 shipped_at: datetime | None = None, tier: str | None = None, ship: ShipWindow | None = None,
                 ship_deadline: datetime | None = None) -> dict:
        """`shipped_at`: the parcel is with the carrier (at the latest then), so only transit is
        left; basis `shipped`. Otherwise counted from payment (basis `paid_at`) or, unpaid, now.
        `tier`: `tier_of` already decided by the caller (the plan), else decided here. `ship`: a
        window the caller sets (an after-sales replacement's lead time) instead of the stock's."""
        rec = dict.fromkeys(ETA_FIELDS)
        rec.update(order_id=order_id, country=place.country, province=place.province)
        basis = "shipped" if shipped_at is not None else "paid_at" if paid_at is not None else "now"
        rec["paid_at"], rec["basis"] = paid_at, basis
        steps: list[str] = [] if explain else _NO_STEPS  # explanations only when asked for
        if warehouse is None:
            rec.update(tier=None, reason=reason or "UNROUTABLE")
            return self._explained(rec, steps, explain)
        rec["warehouse"] = warehouse.code
        stock = stock or (product_line.stock if product_line else "in_stock")
        rec["stock"] = stock
        if tier is None:
            tier = tier_of(place, warehouse, self.config, address)
        rec["tier"] = tier
        if tier == "unknown":
            rec["reason"] = "UNKNOWN_DESTINATION"
            steps.append(_("the destination cannot be placed: no province or prefecture recognised"))
            return self._explained(rec, steps, explain)
        if tier == "no_route":
            rec["reason"] = "NO_ROUTE"
            steps.append(_("{warehouse} is in {wc}, the destination in {dc}: no route").format(
                warehouse=warehouse.code, wc=warehouse.country, dc=place.country))
            return self._explained(rec, steps, explain)
        ship = ship or ship_window(product_line, warehouse, stock)
        transit = (carrier.transit.get(tier) if carrier else None) or self.config.transit.get(tier) or (7, 15)
        seen = self.observed and (self.observed.get((warehouse.code, place.province, carrier.code if carrier else None))
                                  or self.observed.get((warehouse.code, place.province, None)))
        if seen:
            transit = (seen.p10, seen.p90)
            rec["transit_basis"] = f"history n={seen.n}"
        else:
            rec["transit_basis"] = "tier"
        if shipped_at is not None:
            win = self.in_transit(warehouse, shipped_at, transit)
        else:
            win = self.window(warehouse, paid_at if paid_at is not None else self.now, ship, transit)
        rec.update(ship_from=win.ship_from, ship_by=win.ship_by, arrive_from=win.arrive_from,
                   arrive_by=win.arrive_by, calendar_note=win.note, reason=reason)

        if explain:
            steps.append(_("tier {tier} from {warehouse} ({province})").format(
                tier=tier, warehouse=warehouse.code, province=warehouse.province))
            if seen:
                steps.append(_("transit from the history: {n} delivered parcels of this route took {a}–{b} days (p10–p90)").format(
                    n=seen.n, a=seen.p10, b=seen.p90))
            if basis == "now":
                steps.append(_("not paid: counted from now"))
            steps.extend(win.steps)
            if ship_deadline is not None and shipped_at is None:
                deadline = self.deadline_day(warehouse, ship_deadline)
                text = (_("the platform's ship-by deadline is {deadline}: the ship window ends {end}, after it")
                        if deadline_missed(win.ship_by, deadline) else
                        _("the platform's ship-by deadline is {deadline}: the ship window ends {end}, in time"))
                steps.append(text.format(deadline=deadline, end=win.ship_by))
        return self._explained(rec, steps, explain)

    def deadline_day(self, warehouse: Warehouse, ship_deadline: datetime) -> date:
        """A platform's ship-by deadline as a day where the warehouse is."""
        return ship_deadline.astimezone(self._zone(warehouse)).date()

    @staticmethod
    def _explained(rec: dict, steps: list[str], explain: bool) -> dict:
        if explain:
            rec["steps"] = steps
        return rec


class _NoSteps:
    """Stands in for the steps list when nobody asked for them: appending costs nothing."""

    def append(self, _text):
        pass

    def extend(self, _texts):
        pass

    def __iter__(self):
        return iter(())


_NO_STEPS = _NoSteps()
