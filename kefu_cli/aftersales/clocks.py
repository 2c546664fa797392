"""The after-sales clocks, as pure functions over a working calendar: the same-day rule (16:00),
the 7-day no-reason limit (China), the Japanese return window, the 三包 year. Each returns its
value and the steps that explain it (`kefu aftersales --explain`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from kefu_cli.aftersales.rules import Promotion, Settings
from kefu_cli.i18n import _


class EveryDay:
    """The calendar of a desk that works every day (`[aftersales] calendar = "every_day"`)."""

    country = "every_day"

    def is_working(self, _day: date) -> bool:
        return True

    def next_working(self, day: date) -> date:
        return day + timedelta(days=1)


def sla_due(received: datetime, s: Settings, cal, tz) -> tuple[datetime | None, Promotion | None, list[str]]:
    """(sla_due, the promotion that pauses the rule, steps). A request received on a working day
    before the cutoff is due by `handle_by` that day; otherwise by `handle_by` on the next working
    day. Inside a promotion: paused (no due time), or due on the first working day after it."""
    local = received.astimezone(tz)
    day = local.date()
    when = local.strftime("%Y-%m-%d %H:%M:%S")
    promo = next((p for p in s.promotions if p.start <= day <= p.end), None)
    if promo is not None and promo.sla == "pause":
        return None, promo, [_("received {when}, during {name} ({start} to {end}): the same-day rule is paused").format(
            when=when, name=promo.name, start=promo.start, end=promo.end)]
    steps = []
    if promo is not None:
        due_day = cal.next_working(promo.end)
        steps.append(_("received {when}, during {name}: due the first working day after it, {day}").format(
            when=when, name=promo.name, day=due_day))
    elif cal.is_working(day) and local.time() < s.cutoff:
        due_day = day
        steps.append(_("received {when} on a {calendar} working day before {cutoff}: due the same day").format(
            when=when, calendar=cal.country, cutoff=s.cutoff.strftime("%H:%M")))
    else:
        due_day = cal.next_working(day)
        why = _("at or after {cutoff}").format(cutoff=s.cutoff.strftime("%H:%M")) if cal.is_working(day) else \
            _("{day} is not a {calendar} working day").format(day=day, calendar=cal.country)
        steps.append(_("received {when} ({why}): due the next working day, {day}").format(when=when, why=why, day=due_day))
    due = datetime.combine(due_day, time(s.handle_by.hour, s.handle_by.minute, 59), tz)
    steps.append(_("sla_due {due} (handle_by {handle_by})").format(due=due.isoformat(), handle_by=s.handle_by.strftime("%H:%M")))
    return due, None, steps


def plus_year(day: date) -> date:
    """The same calendar date a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def no_reason_until(signed_on: date) -> date:
    """China's 7-day no-reason return: day 1 is the day after signing (网络购买商品七日无理由退货暂行办法
    第十条 "七日期间自消费者签收商品的次日开始起算"), so the last day is signed_on + 7, to 23:59:59."""
    return signed_on + timedelta(days=7)


def return_until(received_on: date, terms) -> tuple[date | None, str]:
    """(last day, basis) of a Japanese return window. "statutory": 特定商取引法 第15条の3, 8 days
    counted from the day of receipt as day 1 (起算して8日) → received_on + 7. A number N: the
    shop's or the platform's N days after receipt (Amazon.co.jp's 30) → received_on + N.
    "none_except_defect": the shop shows a 返品特約 excluding returns — no window."""
    if terms == "statutory":
        return received_on + timedelta(days=7), "statutory 8 days"
    if terms == "none_except_defect":
        return None, "none_except_defect"
    return received_on + timedelta(days=int(terms)), f"{int(terms)} days"
