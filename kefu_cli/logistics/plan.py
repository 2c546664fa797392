"""An order's plan: where each line ships from and the windows of each shipment — computed here
only, for `kefu route`, `kefu eta`, `kefu audit` and `kefu notify` alike.

A plan groups the order's lines by the warehouse the router picks (lines no warehouse takes form
one shipment without a warehouse). Each shipment has one product line and one stock status: the
order's stock if the file says, else `--stock`, else made to order if any line of the shipment is
made to order; its product line is the one with the longest ship window for that stock, so a
shipment's window is that of its slowest line. Its tier is `eta.tier_of`; its windows are
`eta.Estimator.estimate`, asked for only when a command needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kefu_cli.config import Carrier, Config, ProductLine, Warehouse
from kefu_cli.logistics.carriers import carrier_index
from kefu_cli.logistics.eta import Estimator, has_no_window, ship_window, tier_of
from kefu_cli.logistics.routing import LineRoute, Router
from kefu_cli.orders.regions import Place, locate

ROUTE_FIELDS = ("order_id", "line", "sku", "title", "product_line", "warehouse", "reason", "split")
_NO_LINE = ({"sku": None, "title": None, "qty": None},)  # an order without items: one unknown line


@dataclass(slots=True)
class Shipment:
    warehouse: Warehouse | None
    lines: list[int]  # the order's line numbers, from 1
    routes: list[LineRoute]
    product_line: ProductLine | None
    stock: str | None  # None: the product line's own (eta decides)
    tier: str | None  # eta.tier_of; None without a warehouse


@dataclass(slots=True)
class OrderPlan:
    place: Place
    carrier: Carrier | None  # the order's carrier, if kefu knows it: its transit days count
    routes: list[LineRoute]  # one per order line
    shipments: list[Shipment]  # in the order of their first line

    @property
    def split(self) -> bool:
        return sum(s.warehouse is not None for s in self.shipments) > 1


class Planner:
    def __init__(self, config: Config, router: Router, estimator: Estimator | None = None,
                 default_stock: str | None = None):
        self.config = config
        self.router = router
        self.estimator = estimator
        self.default_stock = default_stock  # --stock: for orders whose file does not say
        self._carrier_of = carrier_index(config).get

    def plan(self, order: dict, place: Place | None = None) -> OrderPlan:
        if place is None:
            place = locate(order["address"], order["province"], order["city"])
        route = self.router.route
        items = order["items"] or _NO_LINE
        routes = [route(it.get("sku"), it.get("title"), place, it.get("qty")) for it in items]
        stock = order["stock"] or self.default_stock
        if len(routes) == 1:  # most orders: one line, one shipment
            r = routes[0]
            shipments = [self._shipment(r.warehouse, [1], routes, stock, place, order["address"])]
        else:
            groups: dict[str | None, tuple[list, list]] = {}
            for n, r in enumerate(routes, start=1):
                lines, members = groups.setdefault(r.warehouse.code if r.warehouse is not None else None, ([], []))
                lines.append(n)
                members.append(r)
            shipments = [self._shipment(members[0].warehouse, lines, members, stock, place, order["address"])
                         for lines, members in groups.values()]
        name = order.get("carrier")
        carrier = self._carrier_of(name.strip().lower()) if name else None
        return OrderPlan(place, carrier, routes, shipments)

    def _shipment(self, warehouse: Warehouse | None, lines: list[int], routes: list[LineRoute], stock: str | None,
                  place: Place, address: str | None) -> Shipment:
        product_lines = [r.product_line for r in routes if r.product_line]
        if stock is None and product_lines:  # made to order anywhere in the shipment decides
            stock = "made_to_order" if any(p.stock == "made_to_order" for p in product_lines) else "in_stock"
        if len(product_lines) == 1:
            line = product_lines[0]
        else:
            line = max(product_lines, key=lambda p: _longest(p, warehouse, stock), default=None)
        tier = tier_of(place, warehouse, self.config, address) if warehouse is not None else None
        return Shipment(warehouse, lines, routes, line, stock, tier)

    def window(self, order: dict, plan: OrderPlan, shipment: Shipment, *, explain: bool = False,
               shipped_at: datetime | None = None) -> dict:
        """The shipment's `kefu eta` record: ship and arrival windows, or a reason for none."""
        return self.estimator.estimate(
            order_id=order["order_id"], warehouse=shipment.warehouse, place=plan.place, stock=shipment.stock,
            paid_at=order["paid_at"], product_line=shipment.product_line, carrier=plan.carrier,
            address=order["address"], reason=None if shipment.warehouse else "UNROUTABLE", explain=explain,
            shipped_at=shipped_at, tier=shipment.tier, ship_deadline=order.get("ship_deadline"))


def order_window(windows: list[dict]) -> dict | None:
    """The order's window for a buyer: that of its shipment arriving last (one with dates before
    one without)."""
    return max(windows, key=lambda w: (w["arrive_by"] is not None, w["arrive_by"] or date.min), default=None)


def _longest(line: ProductLine, warehouse: Warehouse | None, stock: str | None) -> int:
    window = ship_window(line, warehouse, stock)
    return window.max if window else 0


class RouteTransform:
    """`kefu route` over an order file: one record per order line."""

    def __init__(self, planner: Planner, explain: bool = False):
        self.planner = planner
        self.explain = explain
        self._stats = {"lines": 0, "unroutable": 0}

    def process(self, orders):
        plan_of = self.planner.plan
        for order in orders:
            plan = plan_of(order)
            split = plan.split
            for n, r in enumerate(plan.routes, start=1):
                rec = {"order_id": order["order_id"], "line": n, "sku": r.sku, "title": r.title,
                       "product_line": r.product_line.name if r.product_line else None,
                       "warehouse": r.warehouse.code if r.warehouse else None, "reason": r.reason, "split": split}
                if self.explain:
                    rec["steps"] = r.steps
                self._stats["lines"] += 1
                self._stats["unroutable"] += r.reason == "UNROUTABLE"
                yield rec

    def take_stats(self):
        stats, self._stats = self._stats, {"lines": 0, "unroutable": 0}
        return stats


class EtaTransform:
    """`kefu eta` over an order file: one record per order and shipment."""

    def __init__(self, planner: Planner, explain: bool = False):
        self.planner = planner
        self.explain = explain
        self._stats = {"orders": 0, "problems": 0}

    def process(self, orders):
        planner = self.planner
        for order in orders:
            plan = planner.plan(order)
            self._stats["orders"] += 1
            for shipment in plan.shipments:
                rec = planner.window(order, plan, shipment, explain=self.explain)
                if has_no_window(rec):
                    self._stats["problems"] += 1
                yield rec

    def take_stats(self):
        estimator = self.planner.estimator
        stats = dict(self._stats, notes=sorted(estimator.notes))
        self._stats = {"orders": 0, "problems": 0}
        estimator.notes = set()
        return stats
