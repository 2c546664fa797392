"""What delivered parcels say about transit: the delivery history and the windows it calibrates.

A tracked parcel that ends (delivered, refused, returned) leaves one row in the state file: its
warehouse (from the order's plan, else the province of the carrier's first scan when one
warehouse is there), its destination (the order's, else the place of the delivering scan), its
carrier, the first pickup and the delivery time, and the transit in calendar days and in working
days of the warehouse's calendar. `observed` turns the delivered rows into the p10–p90 transit of
each route (warehouse × destination province, per carrier and over all carriers) that the
estimator uses in place of the tier once a route has `min_samples` deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kefu_cli.config import Config
from kefu_cli.logistics.calendars import Calendars
from kefu_cli.orders.regions import locate

OUTCOMES = ("delivered", "refused", "returned")  # the statuses that end a parcel's journey
TRANSIT_FIELDS = ("warehouse", "country", "province", "carrier", "n", "calendar_p10", "calendar_p50",
                  "calendar_p90", "working_p10", "working_p50", "working_p90")


@dataclass(frozen=True)
class Observed:
    """A route's observed transit: p10 and p90 calendar days over n delivered parcels."""

    p10: int
    p90: int
    n: int


def delivery_row(config: Config, calendars: Calendars, waybill: str, carrier: str | None, status: str,
                 timed: list[tuple[datetime, str | None, str | None]], *, source: str, order_id: str | None = None,
                 warehouse: str | None = None, country: str | None = None, province: str | None = None,
                 city: str | None = None, parcel: str = "order") -> tuple | None:
    """The history row (state.DELIVERY_COLUMNS) of a parcel whose journey ended, or None.
    `timed`: its events as (time, kefu status, place text), in any order. `parcel`: an order's
    own, a return or a replacement (state.PARCELS); a return leaves from the buyer, so no
    warehouse is read from where it was picked up."""
    if status not in OUTCOMES:
        return None
    timed = sorted((te for te in timed if te[0] is not None), key=lambda te: te[0])
    if not timed:
        return (waybill, carrier, status, order_id, warehouse, country, province, city, None, None, None, None, None,
                source, parcel)
    pickups = [te for te in timed if te[1] == "picked_up"]
    picked_at, _s, first_place = pickups[0] if pickups else timed[0]
    ending = [te for te in timed if te[1] == status]
    done_at, _s, last_place = ending[-1] if ending else timed[-1]
    if warehouse is None and parcel != "return":
        warehouse = _warehouse_at(config, first_place)
    if province is None:
        place = _place_of(last_place)
        if place is not None:
            country, province, city = place.country, place.province, place.city
    wh = config.warehouse(warehouse) if warehouse else None
    zone = _zone(wh.timezone if wh else config.timezone)
    start, end = picked_at.astimezone(zone).date(), done_at.astimezone(zone).date()
    calendar_days = (end - start).days
    cal = calendars.of(wh.calendar, wh.closed) if wh else calendars.of(country or "CN")
    work_days = working_days_between(cal, start, end)
    return (waybill, carrier, status, order_id, warehouse, country, province, city, picked_at.isoformat(),
            done_at.isoformat(), end.isoformat(), calendar_days, work_days, source, parcel)


def working_days_between(cal, start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (a parcel picked up on a Friday and
    delivered on Monday took one working day)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if cal.is_working(day):
            n += 1
    return n


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _place_of(text: str | None):
    if not text:
        return None
    place = locate(text.replace(",", " "))
    return place if place.province else None


def _warehouse_at(config: Config, text: str | None) -> str | None:
    """The warehouse in the province of the carrier's first scan, when exactly one is there."""
    place = _place_of(text)
    if place is None:
        return None
    found = [w.code for w in config.warehouses if w.country == place.country and w.province == place.province]
    return found[0] if len(found) == 1 else None


def observed(state, min_samples: int, since: str | None = None) -> dict[tuple, Observed]:
    """(warehouse, province, carrier or None) -> Observed for every route with at least
    `min_samples` delivered parcels: per carrier, and over all carriers (carrier None)."""
    out: dict[tuple, Observed] = {}
    for wh, _country, province, carrier, n, c10, _c50, c90, *_w in state.transit_percentiles(
            since, min_samples, carriers="both"):
        if wh and province and c10 is not None:
            out[(wh, province, carrier)] = Observed(int(c10), int(c90), int(n))
    return out
