"""Configuration: where it comes from, what it must look like, and the validated result.

Lookup of the configuration directory (first that applies):
  --config-dir DIR  >  KEFU_CONFIG_DIR  >  ./config when it exists  >  the defaults packaged
  inside kefu (the repository's config/ directory, installed as kefu_cli.defaults).

Layering: shop.toml is merged key by key over the packaged shop.toml, so a shop's file only
needs what differs. warehouses.toml and carriers.toml replace the packaged ones whole when
present (a shop that declares its warehouses declares all of them).

Validation collects every problem as (file, key, message); `load_config` raises ConfigError
naming the first one, `kefu config check` lists them all. Credentials never live here:
a key that looks like one is itself a problem.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Callable, NamedTuple

from kefu_cli.errors import ConfigError
from kefu_cli.i18n import _
from kefu_cli.orders.schema import CANONICAL_COLUMNS

FILES = ("shop.toml", "warehouses.toml", "carriers.toml", "messages.toml")
MERGED_FILES = ("shop.toml", "messages.toml")
SECRET_WORDS = ("key", "secret", "token", "password", "passwd", "customer")



@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"


class ShipWindow(NamedTuple):  # a tuple: part of the window cache's key
    min: int
    max: int
    unit: str  # working_days | calendar_days


@dataclass
class Warehouse:
    code: str
    name: str
    name_en: str
    country: str
    province: str
    timezone: str
    calendar: str
    cutoff: time
    priority: int
    ship: dict[str, ShipWindow] = field(default_factory=dict)
    city: str = ""  # where parcels leave from (sent to 快递100 as `from` with the province)
    closed: frozenset = frozenset()  # (month, day) closed every year on top of the country calendar


@dataclass
class ProductLine:
    name: str
    name_en: str
    sku: list[re.Pattern]
    keywords: list[str]
    warehouses: list[str]
    stock: str
    ship: dict[str, ShipWindow] = field(default_factory=dict)  # overrides the warehouse's
    custom_made: bool = False  # 消费者定作: no 7-day no-reason return (kefu aftersales)


@dataclass
class Carrier:
    code: str
    name: str
    name_en: str
    kind: str
    country: str
    aliases: list[str]
    kuaidi100: str
    patterns: list[re.Pattern]
    needs_phone: bool
    stale_after_hours: float
    transit: dict[str, tuple[int, int]] = field(default_factory=dict)  # overrides [transit]
    provider: str = "kuaidi100"  # who tracks it: kuaidi100 | 17track
    seventeen_track: int = 0  # the 17TRACK carrier key (0: none)


@dataclass
class Config:
    directory: Path | None  # None: packaged defaults only
    raw: dict[str, dict]  # file name -> parsed (merged) TOML
    sources: dict[str, str]  # dotted key -> file it came from
    shop_name: str = ""
    shop_name_en: str = ""
    timezone: str = "Asia/Shanghai"
    platform: str = "taobao"
    column_aliases: dict[str, list[str]] = field(default_factory=dict)
    case_column_aliases: dict[str, list[str]] = field(default_factory=dict)  # shop.toml [aftersales.columns]
    warehouses: list[Warehouse] = field(default_factory=list)
    product_lines: list[ProductLine] = field(default_factory=list)
    carriers: list[Carrier] = field(default_factory=list)
    transit: dict[str, tuple[int, int]] = field(default_factory=dict)
    remote: dict[str, tuple[frozenset, tuple[str, ...]]] = field(default_factory=dict)  # country -> (provinces, keywords)
    calendar_overrides: dict[str, dict[int, tuple[frozenset, frozenset]]] = field(default_factory=dict)
    carrier_preference: tuple[str, ...] = ()  # shop.toml [carriers] prefer: decides a waybill's true ties
    cross_border_served: frozenset = frozenset()  # of HK, MO, TW: where the shop ships from the mainland
    # shop.toml [transit_history]: windows from the shop's own deliveries once a route has min_samples
    calibrate: bool = True
    min_samples: int = 30
    history_days: int | None = None  # only deliveries of the last N days count (None: all)

    def tzinfo(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def warehouse(self, code: str) -> Warehouse | None:
        by_code = self.__dict__.get("_by_code")
        if by_code is None or len(by_code) != len(self.warehouses):
            by_code = self.__dict__["_by_code"] = {w.code: w for w in self.warehouses}
        return by_code.get(code)


# --------------------------------------------------------------------------- lookup


def packaged_dir() -> Path:
    """The shipped defaults: kefu_cli/defaults in an installed kefu, config/ in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "defaults"
    return installed if installed.is_dir() else here.parent / "config"


def find_config_dir(explicit: str | None, environ=os.environ, cwd: Path | None = None) -> Path | None:
    """The directory the user's configuration comes from, or None for the packaged defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_dir():
            raise ConfigError(
                _("config directory {path} does not exist").format(path=path),
                hint=_("pass an existing directory to --config-dir"),
            )
        return path
    env = environ.get("KEFU_CONFIG_DIR")
    if env:
        path = Path(env)
        if not path.is_dir():
            raise ConfigError(
                _("config directory {path} (from KEFU_CONFIG_DIR) does not exist").format(path=path),
                hint=_("fix or unset KEFU_CONFIG_DIR"),
            )
        return path
    local = (cwd / "config") if cwd else Path("config")  # relative: messages name it as the user sees it
    if local.is_dir() and any((local / name).is_file() for name in FILES):
        return local
    return None


# --------------------------------------------------------------------------- loading


def _read_toml(path: Path, problems: list[Problem]) -> dict | None:
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(str(path), "", _("not valid TOML: {error}").format(error=exc)))
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), "", _("not UTF-8 text (byte {position}): save it as UTF-8").format(
            position=exc.start)))
    except OSError as exc:
        problems.append(Problem(str(path), "", _("cannot read: {error}").format(error=exc.strerror or exc)))
    return None


def _merge(base: dict, over: dict, file: str, sources: dict, prefix: str = "") -> dict:
    out = dict(base)
    for key, value in over.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, file, sources, dotted + ".")
        else:
            out[key] = value
            _record_sources(value, file, sources, dotted)
    return out


def _record_sources(value: Any, file: str, sources: dict, dotted: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _record_sources(v, file, sources, f"{dotted}.{k}" if dotted else k)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _record_sources(v, file, sources, f"{dotted}[{i}]")
    else:
        sources[dotted] = file


def load_raw(directory: Path | None) -> tuple[dict[str, dict], dict[str, str], dict[str, str], list[Problem]]:
    """Parse the three files with layering. Returns (raw, sources, file_paths, problems)."""
    problems: list[Problem] = []
    raw: dict[str, dict] = {}
    sources: dict[str, str] = {}
    paths: dict[str, str] = {}
    defaults = packaged_dir()
    for name in FILES:
        default_path = defaults / name
        base = _read_toml(default_path, problems) or {}
        user_path = directory / name if directory else None
        if user_path is not None and user_path.is_file():
            data = _read_toml(user_path, problems)
            if data is None:
                data = {}
            if name in MERGED_FILES:
                _record_sources(base, str(default_path), sources, "")
                merged = _merge(base, data, str(user_path), sources)
            else:
                merged = data
                _record_sources(data, str(user_path), sources, "")
            raw[name] = merged
            paths[name] = str(user_path)
        else:
            raw[name] = base
            _record_sources(base, str(default_path), sources, "")
            paths[name] = str(default_path)
    return raw, sources, paths, problems


# --------------------------------------------------------------------------- validation

Check = Callable[[Any], str | None]  # returns a problem message or None
# a capability's own check of its sections: (raw files, file paths) -> problems
Checks = "tuple[Callable[[dict, dict], list[Problem]], ...]"


def _is_str(v: Any) -> str | None:
    return None if isinstance(v, str) else _("must be a string")


def _nonempty_str(v: Any) -> str | None:
    if not isinstance(v, str) or not v.strip():
        return _("must be a non-empty string")
    return None


def _is_time(v: Any) -> str | None:
    if not isinstance(v, str) or parse_hhmm(v) is None:
        return _("{value} is not a time (use HH:MM, 00:00 to 23:59)").format(value=_show(v))
    return None


def _is_int(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else _("{value} is not a whole number").format(value=_show(v))


def _is_positive(v: Any, maximum: float = 1e9) -> str | None:
    """A positive number, finite (TOML has inf and nan) and at most `maximum`: a value a command
    turns into hours or days must not overflow a date."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0 or v == float("inf"):
        return _("{value} is not a positive number").format(value=_show(v))
    if v > maximum:
        return _("{value} is more than {maximum:,}").format(value=_show(v), maximum=maximum)
    return None


def _positive(maximum: float) -> Check:
    return lambda v: _is_positive(v, maximum)


MAX_DAYS = 366  # a ship or transit window's day count: a year at most
MAX_HOURS = 10 * 366 * 24  # stale_after_hours, overdue_hours: ten years


def compile_pattern(pattern: str):
    """A SKU or waybill pattern compiled with RE2 (google-re2): matching takes time linear in the
    text, so no pattern (`^(a+)+$`) can hang a run on a hostile cell, as Python's backtracking
    `re` does. RE2 leaves out backreferences and lookaround: a pattern using them is a config
    error. Raises ValueError with RE2's reason."""
    import re2

    options = re2.Options()
    options.log_errors = False  # the reason goes in our one line, not to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        raise ValueError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None


def check_bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else _("{value} is not true or false").format(value=_show(v))


def _choice(*choices: str) -> Check:
    def check(v: Any) -> str | None:
        if v in choices:
            return None
        return _("{value} is not one of: {choices}").format(value=_show(v), choices=", ".join(choices))

    return check


def _is_timezone(v: Any) -> str | None:
    if not isinstance(v, str):
        return _("must be a string")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        return _("{value} is not an IANA time zone (for example Asia/Shanghai)").format(value=_show(v))
    return None


def _str_list(v: Any) -> str | None:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        return _("must be a list of strings")
    return None


def _regex_list(v: Any) -> str | None:
    msg = _str_list(v)
    if msg:
        return msg
    for pattern in v:
        try:
            compile_pattern(pattern)
        except ValueError as exc:
            return _("{value} is not a regular expression RE2 can run in linear time ({error}): "
                     "backreferences and lookaround are not supported").format(value=_show(pattern), error=exc)
    return None


def _provider_code(v: Any) -> str | None:
    if not isinstance(v, str) or (v and not re.fullmatch(r"[a-z0-9]+", v)):
        return _("{value} is not a provider code (lower-case letters and digits, or empty)").format(value=_show(v))
    return None


STOCKS = ("in_stock", "made_to_order")
TIERS = ("same_province", "other_province", "remote", "cross_border")
REQUIRED_TIERS = TIERS[:3]  # cross_border (Hong Kong, Macau, Taiwan) is optional: 7-15 days when not given
UNITS = ("working_days", "calendar_days")


def _ship(v: Any, required: bool) -> str | None:
    if not isinstance(v, dict):
        return _("must be a table of stock statuses ({choices})").format(choices=", ".join(STOCKS))
    for stock in v:
        if stock not in STOCKS:
            return unknown_key(stock, STOCKS)
    for stock in STOCKS:
        if stock not in v:
            if required:
                return _("{key} is missing").format(key=stock)
            continue
        w = v[stock]
        if not isinstance(w, dict) or set(w) != {"min", "max", "unit"}:
            return _("{key} must be {{ min = N, max = N, unit = \"working_days\" | \"calendar_days\" }}").format(key=stock)
        if not all(isinstance(w[k], int) and not isinstance(w[k], bool) and w[k] >= 0 for k in ("min", "max")) \
                or w["min"] > w["max"] or w["max"] > MAX_DAYS:
            return _("{key}: min and max must be whole numbers with 0 <= min <= max <= {days}").format(
                key=stock, days=MAX_DAYS)
        if w["unit"] not in UNITS:
            return _("{key}: unit {value} is not one of: {choices}").format(
                key=stock, value=_show(w["unit"]), choices=", ".join(UNITS))
    return None


def _window(v: Any) -> bool:
    return (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
            and 0 <= v[0] <= v[1] <= MAX_DAYS)


def _transit(v: Any, required: bool) -> str | None:
    if not isinstance(v, dict):
        return _("must be a table of tiers ({choices})").format(choices=", ".join(TIERS))
    for tier in v:
        if tier not in TIERS:
            return unknown_key(tier, TIERS)
        if not _window(v[tier]):
            return _("{key} must be [min, max] days with 0 <= min <= max <= {days}").format(key=tier, days=MAX_DAYS)
    missing = [t for t in REQUIRED_TIERS if t not in v]
    if required and missing:
        return _("{key} is missing").format(key=missing[0])
    return None


def _date_list(v: Any) -> str | None:
    from datetime import date

    if not isinstance(v, list):
        return _("must be a list of dates")
    for x in v:
        if isinstance(x, date):
            continue
        try:
            date.fromisoformat(str(x))
        except ValueError:
            return _("{value} is not a date (YYYY-MM-DD)").format(value=_show(x))
    return None


def _decimal_ok(v: Any) -> bool:
    from decimal import Decimal, InvalidOperation

    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        return False
    try:
        return Decimal(str(v)) >= 0
    except InvalidOperation:
        return False


def _month_day(text: str) -> tuple[int, int] | None:
    """"12-29" -> (12, 29); None when it is not a day of some year."""
    m = re.fullmatch(r"(\d{2})-(\d{2})", text.strip()) if isinstance(text, str) else None
    if not m:
        return None
    from datetime import date

    try:
        date(2024, int(m.group(1)), int(m.group(2)))  # a leap year: 02-29 is a day
    except ValueError:
        return None
    return int(m.group(1)), int(m.group(2))


def _is_table(v: Any) -> str | None:
    return None if isinstance(v, dict) else _("must be a table")


def _duration(v: Any) -> str | None:
    span = parse_duration(v)
    if span is None:
        return _("{value} is not a duration (like 30m, 12h, 3d)").format(value=_show(v))
    if span.days > MAX_DAYS:
        return _("{value} is longer than {days} days").format(value=_show(v), days=MAX_DAYS)
    return None


def _show(v: Any) -> str:
    return f'"{v}"' if isinstance(v, str) else repr(v)


WAREHOUSE = {
    "code": (True, lambda v: None if isinstance(v, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*", v)
             else _("{value} is not a code (upper-case letters, digits, _)").format(value=_show(v))),
    "name": (True, _nonempty_str),
    "name_en": (False, _is_str),
    "country": (True, _choice("CN", "JP")),
    "province": (True, _nonempty_str),
    "city": (False, _is_str),
    "closed": (False, lambda v: _str_list(v) or next((_("{value} is not a month and day (MM-DD)").format(value=_show(x))
                                                      for x in v if not _month_day(x)), None)),
    "timezone": (True, _is_timezone),
    "calendar": (True, _choice("CN", "JP")),
    "cutoff": (True, _is_time),
    "priority": (True, _is_int),
    "ship": (True, lambda v: _ship(v, required=True)),
}
PRODUCT_LINE = {
    "name": (True, _nonempty_str),
    "name_en": (False, _is_str),
    "sku": (False, _regex_list),
    "keywords": (False, _str_list),
    "warehouses": (True, _str_list),
    "stock": (True, _choice("in_stock", "made_to_order")),
    "ship": (False, lambda v: _ship(v, required=False)),
    # made to the buyer's specification (消费者定作): excluded from the 7-day no-reason return
    # (网络购买商品七日无理由退货暂行办法 第六条); made_to_order stock alone does not mean it
    "custom_made": (False, check_bool),
}
CARRIER = {
    "code": (True, lambda v: None if isinstance(v, str) and re.fullmatch(r"[A-Z][A-Z0-9_]*", v)
             else _("{value} is not a code (upper-case letters, digits, _)").format(value=_show(v))),
    "name": (True, _nonempty_str),
    "name_en": (False, _is_str),
    "kind": (True, _choice("freight", "express", "post")),
    "country": (True, _choice("CN", "JP")),
    "aliases": (False, _str_list),
    "kuaidi100": (False, _provider_code),
    "provider": (False, _choice("kuaidi100", "17track")),
    "seventeen_track": (False, _is_int),
    "patterns": (False, _regex_list),
    "needs_phone": (False, check_bool),
    "stale_after_hours": (False, _positive(MAX_HOURS)),
    "transit": (False, lambda v: _transit(v, required=False)),
}
AUDIT = {
    "overdue_hours": (False, _positive(MAX_HOURS)),
    "amount_tolerance": (False, lambda v: None if _decimal_ok(v) else _("{value} is not an amount").format(value=_show(v))),
    "memo_ok_marks": (False, _str_list),
    "rules": (False, _is_table),  # the audit checks its own rule names (audit/rules.check_config)
}
REMOTE = {"provinces": (False, _str_list), "keywords": (False, _str_list)}
TRANSIT_HISTORY = {"calibrate": (False, check_bool), "min_samples": (False, _positive(1e9)),
                   "window_days": (False, _positive(36_600))}
PROVIDER = {"endpoint": (False, lambda v: None if isinstance(v, str) and re.match(r"https?://\S+$", v)
                         else _("{value} is not an http(s) URL").format(value=_show(v)))}
PULL = {"endpoint": PROVIDER["endpoint"], "token_endpoint": PROVIDER["endpoint"], "marketplace_ids": (False, _str_list),
        "lookback_days": (False, lambda v: None if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 729
                          else _("{value} is not a number of days from 0 to 729").format(value=_show(v)))}
REMIND = {
    "stages": (False, lambda v: None if isinstance(v, list) and v else _("must be an array of tables")),
    "close_after": (False, _duration),
    "quiet_hours": (False, lambda v: None if isinstance(v, list) and len(v) == 2 and all(
        isinstance(x, str) and parse_hhmm(x) for x in v) else _('must be ["HH:MM", "HH:MM"] (start, end)')),
}
STAGE = {"name": (True, _is_str), "after_created": (False, _duration), "before_close": (False, _duration)}
SHOP = {
    "name": (True, _nonempty_str),
    "name_en": (False, _nonempty_str),  # the shop's name on English pages (kefu report --lang en)
    "timezone": (True, _is_timezone),
    "platform": (False, _nonempty_str),
}


def unknown_key(key: str, known) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    if close:
        return _("unknown key (did you mean {close}?)").format(close=close[0])
    return _("unknown key (known: {known})").format(known=", ".join(known))


def _check_table(table: Any, spec: dict, file: str, prefix: str, problems: list[Problem]) -> None:
    if not isinstance(table, dict):
        problems.append(Problem(file, prefix, _("must be a table")))
        return
    for key, (required, check) in spec.items():
        if key not in table:
            if required:
                problems.append(Problem(file, _key(prefix, key), _("is missing")))
            continue
        msg = check(table[key])
        if msg:
            problems.append(Problem(file, _key(prefix, key), msg))
    for key in table:
        if key not in spec:
            problems.append(Problem(file, _key(prefix, key), unknown_key(key, spec)))


def _key(prefix: str, key: str) -> str:
    """A key under a table: `shop.timezone`; under a named entry, `warehouse SOUTH: cutoff`."""
    return f"{prefix}: {key}" if " " in prefix and ": " not in prefix else f"{prefix}.{key}"


def _labels(name: str, items: list, by: str) -> list[str]:
    """What the desk calls each entry of an array of tables: `warehouse SOUTH`, `product_line 松木`;
    an entry without a usable name, or sharing it, by its place: `warehouse #3`."""
    names = [item.get(by) if isinstance(item, dict) else None for item in items]
    return [f"{name} {n}" if isinstance(n, str) and n.strip() and " " not in n and names.count(n) == 1
            else f"{name} #{i + 1}" + (f" ({n})" if isinstance(n, str) and n.strip() else "")
            for i, n in enumerate(names)]


def _check_array(raw: dict, name: str, spec: dict, file: str, problems: list[Problem], by: str) -> list[tuple[str, dict]]:
    """Check each [[name]] table; returns (label, table) for the tables, labelled by their `by` key."""
    items = raw.get(name, [])
    if not isinstance(items, list):
        problems.append(Problem(file, name, _("must be an array of tables ([[{name}]])").format(name=name)))
        return []
    labels = _labels(name, items, by)
    for label, item in zip(labels, items):
        _check_table(item, spec, file, label, problems)
    return [(label, item) for label, item in zip(labels, items) if isinstance(item, dict)]


def _check_secrets(data: Any, file: str, prefix: str, problems: list[Problem]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            dotted = _key(prefix, key) if prefix else key
            if isinstance(key, str) and key.lower() in SECRET_WORDS:
                problems.append(Problem(file, dotted, _(
                    "credentials do not belong in config files; remove it and set the environment variable instead")))
            _check_secrets(value, file, dotted, problems)
    elif isinstance(data, list):
        by = "code" if any(isinstance(v, dict) and "code" in v for v in data) else "name"
        labels = _labels(prefix, data, by) if data and all(isinstance(v, dict) for v in data) else \
            [f"{prefix}[{i}]" for i in range(len(data))]
        for label, value in zip(labels, data):
            _check_secrets(value, file, label, problems)


def _idle_calendars(calendar: dict, warehouses: list[tuple[str, dict]], shop_file: str, wfile: str) -> list[Problem]:
    """A calendar with no working day in a year: a shop.toml [calendar] year whose off days take
    every weekday, or a warehouse whose closed days do (with that year's off days), in the
    configured years and a full 28-year cycle of weekday alignments. ETA would search for a
    working day forever; the country's public holidays only add to what is checked here."""
    from datetime import date

    def overrides(country):
        years = calendar.get(country) if isinstance(calendar.get(country), dict) else {}
        out = {}
        for year, days in years.items():
            if isinstance(year, str) and year.isdigit() and len(year) == 4 and isinstance(days, dict) \
                    and not _date_list(days.get("off", [])) and not _date_list(days.get("on", [])):
                out[int(year)] = ({date.fromisoformat(str(d)) for d in days.get("off", [])},
                                  {date.fromisoformat(str(d)) for d in days.get("on", [])})
        return out

    def idle_year(year, off, on, closed) -> bool:
        if len(off) + len(closed) < 250:  # a year has at least 260 weekdays
            return False
        day = date(year, 1, 1)
        while day.year == year:
            if (day in on or (day.weekday() < 5 and day not in off)) and (day.month, day.day) not in closed:
                return False
            day = date.fromordinal(day.toordinal() + 1)
        return True

    problems = []
    for country in ("CN", "JP"):
        for year, (off, on) in sorted(overrides(country).items()):
            if idle_year(year, off, on, frozenset()):
                problems.append(Problem(shop_file, f"calendar.{country}.{year}.off",
                                        _("leaves no working day in {year}").format(year=year)))
    for label, w in warehouses:  # (label, table): warehouse SOUTH
        closed = w.get("closed", [])
        if not isinstance(closed, list) or len(closed) < 250 or w.get("calendar") not in ("CN", "JP"):
            continue
        days = frozenset(_month_day(x) for x in closed if _month_day(x))
        years = overrides(w["calendar"])
        for year in sorted(set(range(2024, 2052)) | set(years)):
            off, on = years.get(year, (set(), set()))
            if idle_year(year, off, on, days):
                problems.append(Problem(wfile, _key(label, "closed"), _(
                    "leaves no working day in {year}: the warehouse would never ship").format(year=year)))
                break
    return problems


def validate(raw: dict[str, dict], paths: dict[str, str], checks: Checks = ()) -> list[Problem]:
    problems: list[Problem] = []
    for name in FILES:
        _check_secrets(raw.get(name, {}), paths[name], "", problems)

    shop_file = paths["shop.toml"]
    shop = raw.get("shop.toml", {})
    known_sections = ("shop", "columns", "calendar", "audit", "remind", "provider", "carriers", "transit_history", "pull",
                      "aftersales")
    for key in shop:
        if key not in known_sections:
            problems.append(Problem(shop_file, key, unknown_key(key, known_sections)))
    _check_table(shop.get("shop", {}), SHOP, shop_file, "shop", problems)
    columns = shop.get("columns", {})
    if not isinstance(columns, dict):
        problems.append(Problem(shop_file, "columns", _("must be a table")))
    else:
        for key, value in columns.items():
            if key not in CANONICAL_COLUMNS:
                problems.append(Problem(shop_file, f"columns.{key}", unknown_key(key, CANONICAL_COLUMNS)))
            elif _str_list(value):
                problems.append(Problem(shop_file, f"columns.{key}", _str_list(value)))

    _check_table(shop.get("audit", {}), AUDIT, shop_file, "audit", problems)
    _check_table(shop.get("transit_history", {}), TRANSIT_HISTORY, shop_file, "transit_history", problems)

    calendar = shop.get("calendar", {})
    if not isinstance(calendar, dict):
        problems.append(Problem(shop_file, "calendar", _("must be a table")))
        calendar = {}
    for country, years in calendar.items():
        if country not in ("CN", "JP"):
            problems.append(Problem(shop_file, f"calendar.{country}", unknown_key(country, ("CN", "JP"))))
            continue
        for year, days in (years.items() if isinstance(years, dict) else ()):
            key = f"calendar.{country}.{year}"
            if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                problems.append(Problem(shop_file, key, _("{value} is not a year").format(value=_show(year))))
                continue
            if not isinstance(days, dict):
                problems.append(Problem(shop_file, key, _("must be a table")))
                continue
            for k, v in days.items():
                if k not in ("off", "on"):
                    problems.append(Problem(shop_file, f"{key}.{k}", unknown_key(k, ("off", "on"))))
                elif _date_list(v):
                    problems.append(Problem(shop_file, f"{key}.{k}", _date_list(v)))
                elif any(str(d)[:4] != year for d in v):
                    problems.append(Problem(shop_file, f"{key}.{k}", _("every date must be in {year}").format(year=year)))

    wfile = paths["warehouses.toml"]
    wh = raw.get("warehouses.toml", {})
    known_wh = ("warehouse", "product_line", "transit", "remote", "cross_border")
    for key in wh:
        if key not in known_wh:
            problems.append(Problem(wfile, key, unknown_key(key, known_wh)))
    msg = _transit(wh.get("transit", {}), required=True)
    if msg:
        problems.append(Problem(wfile, "transit", msg))
    remote = wh.get("remote", {})
    _check_table(remote, {"CN": (False, _is_table), "JP": (False, _is_table)}, wfile, "remote", problems)
    for country, spec in (remote.items() if isinstance(remote, dict) else ()):
        if country in ("CN", "JP") and isinstance(spec, dict):
            _check_table(spec, REMOTE, wfile, f"remote.{country}", problems)
    _check_table(wh.get("cross_border", {}), {"served": (False, lambda v: _str_list(v) or next(
        (_("{value} is not one of: {choices}").format(value=_show(x), choices="HK, MO, TW") for x in v
         if x not in ("HK", "MO", "TW")), None))}, wfile, "cross_border", problems)
    warehouses = _check_array(wh, "warehouse", WAREHOUSE, wfile, problems, by="code")
    if not warehouses:
        problems.append(Problem(wfile, "warehouse", _("no warehouse is declared")))
    codes = [w.get("code") for _label, w in warehouses]
    for i, (label, w) in enumerate(warehouses):
        if w.get("code") in codes[:i]:
            problems.append(Problem(wfile, _key(label, "code"), _("duplicate code {value}").format(
                value=_show(w.get("code")))))
    problems.extend(_idle_calendars(calendar, warehouses, shop_file, wfile))
    lines = _check_array(wh, "product_line", PRODUCT_LINE, wfile, problems, by="name")
    for label, line in lines:
        for code in line.get("warehouses", []) if isinstance(line.get("warehouses"), list) else []:
            if code not in codes:
                problems.append(Problem(wfile, _key(label, "warehouses"), _(
                    "{value} is not a declared warehouse (declared: {choices})").format(
                    value=_show(code), choices=", ".join(str(c) for c in codes))))
        if not line.get("sku") and not line.get("keywords"):
            problems.append(Problem(wfile, label, _("needs sku patterns or keywords to match anything")))

    for check in checks:  # sections a capability checks itself (messages.toml, [audit.rules])
        problems.extend(check(raw, paths))

    provider = shop.get("provider", {})
    _check_table(provider, {"kuaidi100": (False, _is_table), "17track": (False, _is_table)}, shop_file, "provider",
                 problems)
    for name in ("kuaidi100", "17track"):
        if isinstance(provider, dict) and isinstance(provider.get(name), dict):
            _check_table(provider[name], PROVIDER, shop_file, f"provider.{name}", problems)
    _check_table(shop.get("carriers", {}), {"prefer": (False, _str_list)}, shop_file, "carriers", problems)
    pull = shop.get("pull", {})  # kefu pull: endpoints and marketplaces; credentials only in the environment
    _check_table(pull, {"amazon_jp": (False, _is_table), "rakuten": (False, _is_table)}, shop_file, "pull", problems)
    for name, keys in (("amazon_jp", ("endpoint", "token_endpoint", "marketplace_ids")),
                       ("rakuten", ("endpoint", "lookback_days"))):
        if isinstance(pull, dict) and isinstance(pull.get(name), dict):
            table = pull[name]
            for key in [k for k in table if isinstance(k, str) and k not in keys and set(
                    re.split(r"[_\W]+", k.lower())) & {"secret", "token", "key", "license", "licensekey", "refresh"}]:
                problems.append(Problem(shop_file, f"pull.{name}.{key}", _(
                    "credentials do not belong in config files; remove it and set the environment variable instead")))
                table = {k: v for k, v in table.items() if k != key}
            _check_table(table, {k: PULL[k] for k in keys}, shop_file, f"pull.{name}", problems)

    remind = shop.get("remind", {})
    _check_table(remind, REMIND, shop_file, "remind", problems)
    stages = remind.get("stages") if isinstance(remind, dict) else None
    stages = stages if isinstance(stages, list) else []
    for where, stage in zip(_labels("remind stage", stages, "name"), stages):
        if not isinstance(stage, dict) or not isinstance(stage.get("name"), str):
            problems.append(Problem(shop_file, where, _("needs a name")))
            continue
        timing = [k for k in ("after_created", "before_close") if k in stage]
        if len(timing) != 1:
            problems.append(Problem(shop_file, where, _("needs exactly one of after_created, before_close")))
        _check_table(stage, STAGE, shop_file, where, problems)

    cfile = paths["carriers.toml"]
    cr = raw.get("carriers.toml", {})
    for key in cr:
        if key != "carrier":
            problems.append(Problem(cfile, key, unknown_key(key, ("carrier",))))
    carriers = _check_array(cr, "carrier", CARRIER, cfile, problems, by="code")
    ccodes = [c.get("code") for _label, c in carriers]
    for i, (label, c) in enumerate(carriers):
        if c.get("code") in ccodes[:i]:
            problems.append(Problem(cfile, _key(label, "code"), _("duplicate code {value}").format(
                value=_show(c.get("code")))))
    return problems


# --------------------------------------------------------------------------- building


def parse_duration(value) -> "timedelta | None":
    """"30m", "12h", "3d", "90s" -> timedelta; None when it is not one."""
    from datetime import timedelta

    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", value)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if len(m.group(1)) > 12:  # past timedelta's range (and any span kefu waits for)
        return None
    try:
        return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[unit]: n})
    except OverflowError:
        return None


def parse_hhmm(value: str) -> time | None:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    if h > 23 or mi > 59:
        return None
    return time(h, mi)


def build(directory: Path | None, raw: dict, sources: dict) -> Config:
    shop = raw["shop.toml"].get("shop", {})
    cfg = Config(directory=directory, raw=raw, sources=sources)
    cfg.shop_name = shop.get("name", "")
    cfg.shop_name_en = shop.get("name_en", "")
    cfg.timezone = shop.get("timezone", "Asia/Shanghai")
    cfg.platform = shop.get("platform", "taobao")
    cfg.column_aliases = {k: list(v) for k, v in raw["shop.toml"].get("columns", {}).items()}
    cfg.case_column_aliases = {k: list(v) for k, v in raw["shop.toml"].get("aftersales", {}).get("columns", {}).items()}
    for w in raw["warehouses.toml"].get("warehouse", []):
        cfg.warehouses.append(Warehouse(
            code=w["code"], name=w["name"], name_en=w.get("name_en", w["name"]), country=w["country"],
            province=w["province"], timezone=w["timezone"], calendar=w["calendar"],
            cutoff=parse_hhmm(w["cutoff"]), priority=w["priority"], ship=_windows(w.get("ship", {})),
            city=w.get("city", ""), closed=frozenset(_month_day(x) for x in w.get("closed", []))))
    for p in raw["warehouses.toml"].get("product_line", []):
        cfg.product_lines.append(ProductLine(
            name=p["name"], name_en=p.get("name_en", p["name"]), sku=[compile_pattern(s) for s in p.get("sku", [])],
            keywords=list(p.get("keywords", [])), warehouses=list(p["warehouses"]), stock=p["stock"],
            ship=_windows(p.get("ship", {})), custom_made=p.get("custom_made", False)))
    for c in raw["carriers.toml"].get("carrier", []):
        cfg.carriers.append(Carrier(
            code=c["code"], name=c["name"], name_en=c.get("name_en", c["name"]), kind=c["kind"],
            country=c["country"], aliases=list(c.get("aliases", [])), kuaidi100=c.get("kuaidi100", ""),
            patterns=[compile_pattern(s) for s in c.get("patterns", [])], needs_phone=c.get("needs_phone", False),
            stale_after_hours=c.get("stale_after_hours", 48),
            transit={k: tuple(v) for k, v in c.get("transit", {}).items()},
            provider=c.get("provider", "kuaidi100"), seventeen_track=c.get("seventeen_track", 0)))
    cfg.carrier_preference = tuple(raw["shop.toml"].get("carriers", {}).get("prefer", ()))
    history = raw["shop.toml"].get("transit_history", {})
    cfg.calibrate = history.get("calibrate", True)
    cfg.min_samples = int(history.get("min_samples", 30))
    cfg.history_days = int(history["window_days"]) if "window_days" in history else None
    cfg.cross_border_served = frozenset(raw["warehouses.toml"].get("cross_border", {}).get("served", ()))
    wh = raw["warehouses.toml"]
    cfg.transit = {k: tuple(v) for k, v in wh.get("transit", {}).items()}
    cfg.remote = {country: (frozenset(spec.get("provinces", [])), tuple(spec.get("keywords", [])))
                  for country, spec in wh.get("remote", {}).items()}
    from datetime import date

    for country, years in raw["shop.toml"].get("calendar", {}).items():
        cfg.calendar_overrides[country] = {
            int(year): (frozenset(date.fromisoformat(str(d)) for d in days.get("off", [])),
                        frozenset(date.fromisoformat(str(d)) for d in days.get("on", [])))
            for year, days in years.items()}
    return cfg


def _windows(spec: dict) -> dict[str, ShipWindow]:
    return {stock: ShipWindow(w["min"], w["max"], w["unit"]) for stock, w in spec.items()}


def check_config(directory: Path | None, checks: Checks = ()) -> tuple[list[Problem], dict[str, str]]:
    """Every problem of the configuration in `directory` (None: packaged defaults); `checks` are
    the capabilities' own checks of their sections (kefu_cli.cli.context.config_checks)."""
    raw, _sources, paths, problems = load_raw(directory)
    if not problems:
        problems = validate(raw, paths, checks)
    return problems, paths


def load_config(directory: Path | None, checks: Checks = ()) -> Config:
    """The validated configuration; ConfigError naming the first problem otherwise."""
    raw, sources, paths, problems = load_raw(directory)
    if not problems:
        problems = validate(raw, paths, checks)
    if problems:
        more = len(problems) - 1
        hint = _("run `kefu config check` to see every problem") if more else _("fix the value, then run `kefu config check`")
        message = str(problems[0])
        if more:
            message += " " + _("(and {count} more)").format(count=more)
        raise ConfigError(message, hint=hint)
    return build(directory, raw, sources)


def flatten(raw: dict[str, dict], sources: dict[str, str]) -> list[dict]:
    """Records (key, value, source) of the effective settings, for `kefu config show`."""
    rows: list[dict] = []
    for dotted, source in sources.items():
        value = _lookup(raw, dotted)
        rows.append({"key": dotted, "value": value, "source": source})
    return rows


def _lookup(raw: dict[str, dict], dotted: str) -> Any:
    for data in raw.values():
        found, value = _walk(data, dotted)
        if found:
            return value
    return None


def _walk(data: Any, dotted: str) -> tuple[bool, Any]:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", dotted)
    cur = data
    for part in parts:
        if part.startswith("["):
            idx = int(part[1:-1])
            if not isinstance(cur, list) or idx >= len(cur):
                return False, None
            cur = cur[idx]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return False, None
            cur = cur[part]
    return True, cur
