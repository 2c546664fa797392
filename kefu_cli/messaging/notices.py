"""Who is due a message now, and its text: payment reminders (催付) and order notices.

Reminders: an unpaid, open order is due the stage whose time (from creation, or before the
platform's auto-close) is the latest one already reached at `now`; earlier stages not yet sent
are superseded, never sent in a burst. Nothing is due inside quiet hours (shop time zone); a stage
that fell due inside them is still due when they end, if the order is still open. Paid, closed and
past-close orders are never reminded. The consulted column picks the wording.

Notices: `accepted` (paid, not shipped), `shipped` (with a waybill), `delay` (made to order).
An order that lacks what its message needs is skipped with a reason.

Whether a message was already sent (once per order and kind; one per buyer and phone a day) is
the ledger's business: kefu_cli.state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from kefu_cli.config import Config, parse_duration, parse_hhmm
from kefu_cli.i18n import _
from kefu_cli.messaging.templates import render
from kefu_cli.orders.regions import locate

MESSAGE_FIELDS = ("order_id", "buyer", "phone", "stage", "template", "lang", "text", "warning", "held")
# why a due message was not printed (the `held` field of --dry-run, and the count on stderr)
HELD_REASONS = ("quiet_hours", "already_sent", "daily_cap")


@dataclass(frozen=True)
class Stage:
    name: str
    after_created: timedelta | None
    before_close: timedelta | None


@dataclass
class RemindSettings:
    stages: list[Stage]
    close_after: timedelta
    quiet: tuple[time, time] | None

    @classmethod
    def from_config(cls, config: Config) -> "RemindSettings":
        r = config.raw["shop.toml"].get("remind", {})
        stages = [Stage(s["name"], parse_duration(s.get("after_created")), parse_duration(s.get("before_close")))
                  for s in r.get("stages", [])]
        quiet = r.get("quiet_hours")
        return cls(stages=stages, close_after=parse_duration(r.get("close_after", "72h")),
                   quiet=(parse_hhmm(quiet[0]), parse_hhmm(quiet[1])) if quiet else None)


def in_quiet_hours(local: datetime, quiet: tuple[time, time] | None) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    t = local.time()
    if start <= end:
        return start <= t < end
    return t >= start or t < end  # across midnight: 22:00-09:00


def due_stage(order: dict, now: datetime, settings: RemindSettings) -> tuple[Stage | None, str]:
    """(stage due now or None, why not)."""
    if order["status"] not in ("unpaid", None) or order["paid_at"] is not None:
        return None, "not_unpaid"
    created = order["created_at"]
    if created is None:
        return None, "no_created_at"
    close_at = created + settings.close_after
    if now >= close_at:
        return None, "closed"
    best, best_at = None, None
    for stage in settings.stages:
        at = created + stage.after_created if stage.after_created is not None else close_at - stage.before_close
        if at <= now and (best_at is None or at >= best_at):
            best, best_at = stage, at
    return (best, "due") if best else (None, "not_due")


def language_for(order: dict) -> str:
    place = locate(order["address"], order["province"], order["city"])
    return "ja" if place.country == "JP" else "zh"


def contacts(order: dict) -> list[str]:
    out = []
    if order["buyer"]:
        out.append("buyer:" + order["buyer"])
    phone = order["mobile"] or order["phone"]
    if phone:
        out.append("phone:" + "".join(ch for ch in phone if ch.isdigit() or ch == "*"))
    return out


def items_text(order: dict) -> str:
    parts = []
    for it in order["items"]:
        label = it.get("title") or it.get("sku") or "?"
        parts.append(f"{label}×{it.get('qty') or 1}")
    return "；".join(parts)


class Composer:
    """Renders the shop's templates for an order."""

    def __init__(self, config: Config, now: datetime):
        self.config = config
        self.now = now
        raw = config.raw["messages.toml"]
        self.templates = raw.get("templates", {})
        self.staff = raw.get("settings", {}).get("staff", "")
        self.tz = config.tzinfo()

    def values(self, order: dict, **extra) -> dict:
        # the receiver is greeted (Japanese messages): the account name only when there is none
        return {"buyer": order["buyer"], "receiver": order["receiver"] or order["buyer"], "shop": self.config.shop_name,
                "order_id": order["order_id"], "items": items_text(order),
                "amount": order["paid"] if order["paid"] is not None else order["total"], "staff": self.staff, **extra}

    def message(self, order: dict, stage: str, template: str, **extra) -> dict:
        """`stage`: the reminder stage (first, second, last) or the notice (accepted, shipped, delay)."""
        lang = language_for(order)
        text = self.templates.get(template, {}).get(lang) or self.templates.get(template, {}).get("zh", "")
        phone = order["mobile"] or order["phone"]
        return {"order_id": order["order_id"], "buyer": order["buyer"], "phone": phone, "stage": stage,
                "template": template, "lang": lang, "text": render(text, self.values(order, **extra)),
                "warning": None if phone else _("no phone number: send it another way"), "held": None}


def _day(value) -> str:
    return value.isoformat() if value is not None else ""


def notice(kind: str, order: dict, composer: Composer, window: dict | None, carrier_name: str | None) -> tuple[dict | None, str | None]:
    """(message, None) or (None, reason it is skipped)."""
    status = order["status"]
    if kind == "shipped":
        if status != "shipped":
            return None, None  # not this notice's business
        if not order["waybill"]:
            return None, _("no waybill")
        extra = {"carrier": carrier_name or order["carrier"] or "", "waybill": order["waybill"]}
    elif kind in ("accepted", "delay"):
        if status != "paid":
            return None, None
        extra = {}
    else:  # pragma: no cover - the command restricts the choices
        raise ValueError(kind)
    if kind == "delay" and (window is None or window.get("stock") != "made_to_order"):
        return None, None
    if window is None or window.get("arrive_from") is None:
        return None, _("no arrival window ({reason})").format(reason=(window or {}).get("reason") or _("not routable"))
    extra.update(ship_from=_day(window["ship_from"]), ship_by=_day(window["ship_by"]),
                 arrive_from=_day(window["arrive_from"]), arrive_by=_day(window["arrive_by"]))
    return composer.message(order, kind, kind, **extra), None
