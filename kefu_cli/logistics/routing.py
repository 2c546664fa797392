"""Warehouse routing: which warehouse ships each order line, and the rule that decided it.

A line's product line comes from its SKU patterns first, then title keywords (config order).
When more than one warehouse stocks the line, the declared tie-breaks decide, in this order:
destination country (a Japanese address -> a Japanese warehouse), same province as the
destination, stock on hand (--stock FILE: sku, warehouse, available), then priority (lower wins).
The `reason` says which rule decided (machine code): ONLY_WAREHOUSE, COUNTRY, SAME_PROVINCE,
STOCK, PRIORITY, or UNROUTABLE when no product line matches. Never silent: `steps` (--explain)
lists every rule tried.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kefu_cli.config import Config, ProductLine, Warehouse
from kefu_cli.i18n import _
from kefu_cli.orders.regions import Place

REASONS = ("ONLY_WAREHOUSE", "COUNTRY", "SAME_PROVINCE", "STOCK", "PRIORITY", "UNROUTABLE")


@dataclass
class LineRoute:
    sku: str | None
    title: str | None
    product_line: ProductLine | None
    warehouse: Warehouse | None
    reason: str
    steps: list[str] = field(default_factory=list)


class Router:
    def __init__(self, config: Config, stock: dict[tuple[str, str], int] | None = None):
        self.config = config
        self.stock = stock
        self._lines: dict[tuple, tuple] = {}
        self._routes: dict[tuple, LineRoute] = {}

    def product_line(self, sku: str | None, title: str | None) -> tuple[ProductLine | None, list[str]]:
        key = (sku, title)
        hit = self._lines.get(key)
        if hit is None:
            hit = self._lines[key] = self._match(sku, title)
        return hit

    def _match(self, sku, title):
        steps = []
        if sku:
            for line in self.config.product_lines:
                for pattern in line.sku:
                    if pattern.search(sku):
                        steps.append(_("SKU {sku} matches {pattern} of {line}").format(
                            sku=sku, pattern=pattern.pattern, line=line.name))
                        return line, steps
            steps.append(_("SKU {sku} matches no product line's pattern").format(sku=sku))
        if title:
            for line in self.config.product_lines:
                for word in line.keywords:
                    if word in title:
                        steps.append(_("title contains {word}: {line}").format(word=word, line=line.name))
                        return line, steps
            steps.append(_("title {title} contains no product line's keyword").format(title=title))
        if not sku and not title:
            steps.append(_("the line has neither SKU nor title"))
        return None, steps

    def route(self, sku: str | None, title: str | None, place: Place, qty: int | None = 1) -> LineRoute:
        key = (sku, title, place, qty)
        hit = self._routes.get(key)
        if hit is None:
            hit = self._routes[key] = self._route(sku, title, place, qty or 1)
        return hit

    def _route(self, sku, title, place, qty) -> LineRoute:
        line, steps = self.product_line(sku, title)
        steps = list(steps)
        if line is None:
            return LineRoute(sku, title, None, None, "UNROUTABLE", steps)
        cands = [w for w in (self.config.warehouse(c) for c in line.warehouses) if w is not None]
        if len(cands) == 1:
            steps.append(_("{line} is stocked only in {warehouse}").format(line=line.name, warehouse=cands[0].code))
            return LineRoute(sku, title, line, cands[0], "ONLY_WAREHOUSE", steps)
        steps.append(_("{line} is stocked in {warehouses}").format(
            line=line.name, warehouses=", ".join(w.code for w in cands)))

        def narrow(kept, reason, yes, no):
            nonlocal cands
            if kept and len(kept) < len(cands):
                cands = kept
                steps.append(yes)
                if len(cands) == 1:
                    return LineRoute(sku, title, line, cands[0], reason, steps)
            else:
                steps.append(no)
            return None

        decided = narrow([w for w in cands if place.country and w.country == place.country], "COUNTRY",
                         _("destination country {country}: {warehouses}").format(
                             country=place.country, warehouses=", ".join(
                                 w.code for w in cands if w.country == place.country)),
                         _("destination country {country} does not decide").format(country=place.country or "?"))
        if decided:
            return decided
        decided = narrow([w for w in cands if place.province and w.province == place.province], "SAME_PROVINCE",
                         _("same province as the destination ({province})").format(province=place.province),
                         _("no warehouse in the destination's province ({province})").format(
                             province=place.province or "?"))
        if decided:
            return decided
        if self.stock is not None and sku:
            decided = narrow([w for w in cands if self.stock.get((sku, w.code), 0) >= qty], "STOCK",
                             _("stock on hand for {qty}: {warehouses}").format(qty=qty, warehouses=", ".join(
                                 w.code for w in cands if self.stock.get((sku, w.code), 0) >= qty)),
                             _("stock on hand does not decide"))
            if decided:
                return decided
        best = min(cands, key=lambda w: (w.priority, w.code))
        steps.append(_("priority: {warehouse} ({priority})").format(warehouse=best.code, priority=best.priority))
        return LineRoute(sku, title, line, best, "PRIORITY", steps)
