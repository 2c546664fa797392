"""After-sales rules: each finding's stable code, severity and message, and shop.toml [aftersales]
— its settings with their defaults (each with its source: the shop's training material [SHOP],
a statute [LAW], a platform's rule [PLATFORM], or kefu's stated ASSUMPTION; README "kefu
aftersales"), read once into `Settings` and checked by `check_config` for `kefu config check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from kefu_cli.i18n import N_, _

RANK = {"info": 0, "warning": 1, "error": 2, "never": 3}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    message: str  # English msgid, translated at run time


RULES: tuple[Rule, ...] = (
    Rule("AS_SLA_OVERDUE", "error", N_("received {received}: to be approved by {due}, still open")),
    Rule("AS_SLA_DUE", "warning", N_("received {received}: approve by {due} ({hours} h left)")),
    Rule("AS_SLA_LATE", "info", N_("approved {approved}, after {due}")),
    Rule("AS_PLATFORM_DEADLINE", "error", N_("the platform's deadline {deadline} ({hours} h)")),
    Rule("AS_EVIDENCE_DEADLINE", "error", N_("the platform's evidence deadline {deadline} ({hours} h)")),
    Rule("AS_EVIDENCE_MISSING", "warning", N_("a damage ticket without {missing}")),
    Rule("AS_PART_UNKNOWN", "warning", N_("a replacement without a known part type ({value}): set 配件类型 in the register")),
    Rule("AS_REPLACEMENT_LATE", "warning", N_("approved {approved}, not reshipped, past {ship_by}")),
    Rule("AS_NO_DELIVERY", "info", N_("no delivery date in the history: the return and warranty windows are unknown")),
    Rule("AS_NO_REASON_EXPIRED", "info", N_("asked {asked}, after the 7-day no-reason limit {until}")),
    Rule("AS_RETURN_WINDOW_EXPIRED", "info", N_("asked {asked}, after the return window {until} ({basis})")),
    Rule("AS_CUSTOM_MADE", "info", N_("{line} is made to the buyer's specification: no 7-day no-reason return")),
    Rule("AS_INSTALLED_CHECK", "warning", N_("installed furniture asked back: a person decides")),
    Rule("AS_WARRANTY_EXPIRED", "info", N_("a quality claim after the 三包 warranty ended {until}")),
    Rule("AS_WARRANTY_EXCLUSION_CHECK", "warning", N_("mentions {word}: check the 三包 exclusions (a person decides)")),
    Rule("AS_REFUND_DUE", "warning", N_("the return arrived {returned}: refund due {due}, {days} days ago")),
    Rule("AS_RETURN_STALLED", "error", N_("a return asked {asked}, not handled for {days} days")),
    Rule("AS_UNMATCHED", "warning", N_("a platform case with no ticket in the register (not registered)")),
)
BY_CODE = {r.code: r for r in RULES}
SLA_STATES = ("met", "late", "due", "overdue", "paused", "unknown")
CALENDARS = ("CN", "JP", "every_day")
UNITS = ("working_days", "calendar_days")
JP_PLATFORMS = ("amazon_jp", "rakuten")


@dataclass(frozen=True)
class Promotion:
    name: str
    start: date
    end: date
    sla: str  # pause | next_working_day


@dataclass
class Settings:
    """shop.toml [aftersales], defaults filled in (README states each and its source)."""

    cutoff: time = time(16, 0)  # [SHOP] a request received before 16:00 is approved the same day
    handle_by: time = time(23, 59)  # ASSUMPTION: "the same day" ends at 23:59
    timezone: str | None = None  # the desk's clock; None: shop.timezone
    calendar: str = "CN"  # ASSUMPTION: the desk works CN working days
    warn_hours: float = 2
    platform_warn_hours: float = 12
    promotions: tuple[Promotion, ...] = ()  # [SHOP] big promotions are the exception; the shop states dates
    lead: dict[str, tuple[int, int, str]] = field(default_factory=lambda: {
        "配件": (3, 5, "calendar_days"), "板件": (7, 15, "calendar_days"), "松木": (15, 30, "calendar_days")})
    counts_to: str = "ship"  # ASSUMPTION: the shop's lead times end when the factory ships
    factory: str | None = None  # the warehouse replacements ship from; None: the order's, else the first
    part_keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # [PLATFORM] Amazon.co.jp recommends answering a pending return request within 24 hours
    # (sellercentral.amazon.co.jp help 200708210); the other platforms' timeouts are the shop's
    platform_timeouts: dict[str, dict[str, timedelta]] = field(default_factory=lambda: {
        "amazon_jp": {"requested": timedelta(hours=24)}})
    return_terms: dict[str, object] = field(default_factory=lambda: {"rakuten": "statutory", "amazon_jp": 30})
    damage_words: tuple[str, ...] = ("破损", "损坏", "开裂", "断裂", "裂", "划痕", "压坏", "变形", "磕碰")
    warranty_exclusion_words: tuple[str, ...] = ("色差", "纹理", "木节", "磨损")
    rules: dict[str, bool] = field(default_factory=dict)

    def active(self, code: str) -> bool:
        return self.rules.get(code, True)

    @classmethod
    def from_config(cls, config) -> "Settings":
        from kefu_cli.config import parse_duration, parse_hhmm

        raw = config.raw["shop.toml"].get("aftersales", {})
        s = cls()
        if "cutoff" in raw:
            s.cutoff = parse_hhmm(raw["cutoff"])
        if "handle_by" in raw:
            s.handle_by = parse_hhmm(raw["handle_by"])
        s.timezone = raw.get("timezone") or config.timezone
        s.calendar = raw.get("calendar", s.calendar)
        s.warn_hours = float(raw.get("warn_hours", s.warn_hours))
        s.platform_warn_hours = float(raw.get("platform_warn_hours", s.platform_warn_hours))
        s.promotions = tuple(Promotion(p["name"], _day(p["from"]), _day(p["to"]), p.get("sla", "pause"))
                             for p in raw.get("promotion", []))
        lead = raw.get("lead", {})
        s.counts_to = lead.get("counts_to", s.counts_to)
        for part, spec in lead.items():
            if isinstance(spec, dict):
                s.lead[part] = (spec["min"], spec["max"], spec.get("unit", "calendar_days"))
        s.factory = raw.get("factory")
        s.part_keywords = {k: tuple(v) for k, v in raw.get("part_keywords", {}).items()}
        for p, table in raw.get("platform_timeouts", {}).items():
            s.platform_timeouts[p] = {status: parse_duration(d) for status, d in table.items()}
        s.return_terms = {**s.return_terms, **raw.get("return_terms", {})}
        for key in ("damage_words", "warranty_exclusion_words"):
            if key in raw:
                setattr(s, key, tuple(raw[key]))
        s.rules = dict(raw.get("rules", {}))
        return s


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def check_config(raw: dict[str, dict], paths: dict[str, str]) -> list:
    """Every problem of shop.toml [aftersales], one line each with the key and the fix."""
    from kefu_cli.config import (Problem, _check_table, _duration, _is_str, _is_time, _is_timezone, _is_positive,
                                 _str_list, _choice, check_bool, unknown_key)
    from kefu_cli.orders.schema import CASE_FIELDS, CASE_STATUSES

    file = paths["shop.toml"]
    section = raw.get("shop.toml", {}).get("aftersales", {})
    problems: list = []
    if not isinstance(section, dict):
        return [Problem(file, "aftersales", _("must be a table"))]

    def table_of(_check):
        return lambda v: None if isinstance(v, dict) else _("must be a table")

    spec = {
        "cutoff": (False, _is_time), "handle_by": (False, _is_time), "timezone": (False, _is_timezone),
        "calendar": (False, _choice(*CALENDARS)), "warn_hours": (False, _is_positive),
        "platform_warn_hours": (False, _is_positive), "promotion": (False, lambda v: None if isinstance(v, list)
                                                                     else _("must be an array of tables ([[aftersales.promotion]])")),
        "lead": (False, table_of(None)), "factory": (False, _is_str), "part_keywords": (False, table_of(None)),
        "platform_timeouts": (False, table_of(None)), "return_terms": (False, table_of(None)),
        "damage_words": (False, _str_list), "warranty_exclusion_words": (False, _str_list),
        "rules": (False, table_of(None)), "columns": (False, table_of(None)),
    }
    _check_table(section, spec, file, "aftersales", problems)
    for i, promo in enumerate(section.get("promotion", []) if isinstance(section.get("promotion"), list) else ()):
        where = f"aftersales.promotion[{i}]"
        _check_table(promo, {"name": (True, _is_str), "from": (True, _is_date), "to": (True, _is_date),
                             "sla": (False, _choice("pause", "next_working_day"))}, file, where, problems)
        if isinstance(promo, dict) and not _is_date(promo.get("from")) and not _is_date(promo.get("to")) \
                and _day(promo["from"]) > _day(promo["to"]):
            problems.append(Problem(file, where, _("from is after to")))
    lead = section.get("lead", {})
    for part, value in (lead.items() if isinstance(lead, dict) else ()):
        where = f"aftersales.lead.{part}"
        if part == "counts_to":
            msg = _choice("ship", "arrival")(value)
            if msg:
                problems.append(Problem(file, where, msg))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(file, where, _('must be { min = N, max = N, unit = "calendar_days" }')))
            continue
        _check_table(value, {"min": (True, _is_count), "max": (True, _is_count), "unit": (False, _choice(*UNITS))},
                     file, where, problems)
        if isinstance(value.get("min"), int) and isinstance(value.get("max"), int) and value["min"] > value["max"]:
            problems.append(Problem(file, where, _("min is greater than max")))
    for part, words in (section.get("part_keywords", {}).items() if isinstance(section.get("part_keywords"), dict) else ()):
        if _str_list(words):
            problems.append(Problem(file, f"aftersales.part_keywords.{part}", _str_list(words)))
    timeouts = section.get("platform_timeouts", {})
    for platform, table in (timeouts.items() if isinstance(timeouts, dict) else ()):
        if not isinstance(table, dict):
            problems.append(Problem(file, f"aftersales.platform_timeouts.{platform}", _('must be a table of status = "48h"')))
            continue
        for status, value in table.items():
            where = f"aftersales.platform_timeouts.{platform}.{status}"
            if status not in CASE_STATUSES:
                problems.append(Problem(file, where, unknown_key(status, CASE_STATUSES)))
            elif _duration(value):
                problems.append(Problem(file, where, _duration(value)))
    terms = section.get("return_terms", {})
    for platform, value in (terms.items() if isinstance(terms, dict) else ()):
        if not (value in ("statutory", "none_except_defect") or (isinstance(value, int) and not isinstance(value, bool)
                                                                    and 0 < value <= 365)):
            problems.append(Problem(file, f"aftersales.return_terms.{platform}",
                                    _('must be "statutory", "none_except_defect" or a number of days')))
    rules = section.get("rules", {})
    for code, on in (rules.items() if isinstance(rules, dict) else ()):
        if code not in BY_CODE:
            problems.append(Problem(file, f"aftersales.rules.{code}", unknown_key(code, tuple(BY_CODE))))
        elif check_bool(on):
            problems.append(Problem(file, f"aftersales.rules.{code}", check_bool(on)))
    columns = section.get("columns", {})
    for key, value in (columns.items() if isinstance(columns, dict) else ()):
        if key not in CASE_FIELDS:
            problems.append(Problem(file, f"aftersales.columns.{key}", unknown_key(key, CASE_FIELDS)))
        elif _str_list(value):
            problems.append(Problem(file, f"aftersales.columns.{key}", _str_list(value)))
    return problems


def _is_date(v) -> str | None:
    if isinstance(v, date):
        return None
    try:
        date.fromisoformat(str(v))
        return None
    except ValueError:
        return _("{value} is not a date (YYYY-MM-DD)").format(value=v)


def _is_count(v) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 3650 else _(
        "{value} is not a whole number of days").format(value=v)
