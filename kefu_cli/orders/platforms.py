"""Platform profiles: how each platform's export is read, as data.

One TOML file per platform in `platforms/` of the configuration (shipped in config/platforms/,
installed as kefu_cli.defaults/platforms/). A shop's own `platforms/NAME.toml` is merged key by
key over the shipped file of that name, or adds a platform. `common.toml` holds the headers and
status words every export may use (the desk's own columns, kefu's canonical names); each platform
file adds the headers of its export, the ones it deliberately leaves unread, its status words,
its time zone, its amount formula and its quirks.

A file's platform is recognised from its header row (`recognise`): a platform is a candidate
when one of its `signatures` (header sets) is all present; the candidate that knows the most of
the file's headers wins. A file no platform claims is read with the common headers and every
platform's headers that no two platforms read differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kefu_cli.errors import ConfigError
from kefu_cli.i18n import _
from kefu_cli.orders.schema import (CASE_FIELDS, CASE_MONEY, CASE_STATUSES, CASE_TYPES, GOODS_STATUSES,
                                    ORDER_FIELDS)

MONEY = ("total", "goods_amount", "shipping_fee", "discount", "platform_discount", "paid", "refund")
STATUSES = ("unpaid", "paid", "shipped", "completed", "closed")
AFTER_SALE = ("none", "requested", "refunding", "refunded", "rejected", "closed")
# fields a column may feed besides the record's own: item lines and Taobao's order summary
ITEM_FIELDS = ("item_sku", "item_sku_alt", "item_title", "item_qty", "item_price")
# `ship_method` is the carrier when the carrier column is empty (Amazon's ssa-ship-method: ゆうパック);
# `delivery_start`/`delivery_end` a scheduled delivery window, read into promised_date and delivery_slot
COLUMN_FIELDS = (*ORDER_FIELDS, "ship_method", "delivery_start", "delivery_end", *ITEM_FIELDS,
                 "summary_title", "summary_qty")
# fields several columns may feed together: text joined by a space (an address in parts), money
# added up (points + coupons), a phone number's parts joined by "-"
JOINABLE = ("address", "receiver", "buyer_message", "seller_memo", "phone", "mobile", "postal_code",
            "item_title", *MONEY)
KEYS = ("label", "timezone", "signatures", "columns", "unused", "expect", "statuses",
        "after_sale", "status_after_sale", "amounts", "defaults", "comment_blocks")
# what a platform's own `[title:]` block in the buyer's message is: a delivery wish (date and slot)
# read into promised_date and delivery_slot, or the platform's text kept out of the message
BLOCK_KINDS = ("delivery", "drop")
AMOUNT_KEYS = ("reconcile", "paid_when", "per_item", "item_price", "derive", "discount_sign")


@dataclass(frozen=True)
class Kind:
    """What a family of profiles reads: order exports (config/platforms/) or after-sales files
    (config/aftersales/: the platforms' refund and return exports, and the desk's ticket
    register). Both go through the same loading, recognition, column plan and reader; a kind
    says which fields a column may feed, which vocabularies a profile maps words onto, and which
    keys its files may have."""

    name: str
    folder: str
    fields: tuple[str, ...]
    joinable: tuple[str, ...]
    vocabularies: tuple[tuple[str, tuple[str, ...]], ...]  # (profile key, its codes)
    keys: tuple[str, ...]


ORDERS = Kind("orders", "platforms", COLUMN_FIELDS, JOINABLE,
              (("statuses", STATUSES), ("after_sale", AFTER_SALE), ("status_after_sale", AFTER_SALE)), KEYS)
AFTERSALES = Kind("aftersales", "aftersales", CASE_FIELDS, ("description", "problem", *CASE_MONEY),
                  (("statuses", CASE_STATUSES), ("types", CASE_TYPES), ("goods", GOODS_STATUSES)),
                  ("label", "timezone", "signatures", "columns", "unused", "expect", "statuses", "types", "goods",
                   "defaults"))
KINDS = {k.name: k for k in (ORDERS, AFTERSALES)}
# the case field each after-sales vocabulary reads
CASE_VOCABULARY_FIELD = {"statuses": "platform_status", "types": "type", "goods": "goods_status"}


@dataclass(frozen=True)
class Formula:
    """`a + b - c = d`: each side a list of (sign, field); `items` is Σ price × qty of the items."""

    text: str
    left: tuple[tuple[int, str], ...]
    right: tuple[tuple[int, str], ...]

    def check(self, rec: dict) -> tuple[Decimal, Decimal] | None:
        """(left, right) of this order, or None when the first field of either side has no value:
        the formula cannot be checked on it. Any other field without a value counts as 0."""
        if _value(self.left[0][1], rec) is None or _value(self.right[0][1], rec) is None:
            return None
        return evaluate(self.left, rec), evaluate(self.right, rec)

    def sides(self) -> tuple[str, str]:
        return tuple(" ".join(("" if i == 0 and s > 0 else ("+ " if s > 0 else "- ")) + f
                              for i, (s, f) in enumerate(side)) for side in (self.left, self.right))


def _value(name: str, rec: dict) -> Decimal | None:
    if name != "items":
        return rec[name]
    items = rec["items"] or []
    if not items or any(it["price"] is None or it["qty"] is None for it in items):
        return None
    return sum((it["price"] * it["qty"] for it in items), Decimal(0))


def evaluate(terms, rec: dict) -> Decimal | None:
    """Σ sign × value over `terms`; `items` is Σ price × qty of the order's items. None when no
    term has a value, or when an item lacks its price or quantity."""
    total, seen = Decimal(0), False
    for sign, name in terms:
        value = _value(name, rec)
        if value is None:
            if name == "items":
                return None
            continue
        total += sign * value
        seen = True
    return total if seen else None


@dataclass
class Profile:
    name: str
    label: str = ""
    timezone: str | None = None
    signatures: tuple[tuple[str, ...], ...] = ()
    columns: dict[str, str] = field(default_factory=dict)  # normalised header -> field
    unused: frozenset[str] = frozenset()  # normalised headers known and deliberately not read
    expect: tuple[str, ...] = ()  # fields this platform's export has: a file without one is told
    statuses: dict[str, str] = field(default_factory=dict)
    after_sale: dict[str, str] = field(default_factory=dict)
    reconcile: tuple[Formula, ...] = ()  # the first one the order has values for is checked
    paid_when: tuple[str, ...] = ()  # paid is money paid only in these statuses (JD's 应付金额)
    per_item: tuple[str, ...] = ()  # amounts written per item row, added up over the order's rows
    item_price: str = "unit"  # "line": the export's item price is price × quantity (Amazon)
    discount_sign: str = "positive"  # "either": a discount written as a negative amount is its size (Amazon)
    derive: dict[str, Formula] = field(default_factory=dict)  # a field computed when the file lacks it
    defaults: dict[str, str] = field(default_factory=dict)  # a field's value when the file has no column
    comment_blocks: dict[str, str] = field(default_factory=dict)  # `[title:]` block in buyer_message -> kind
    kind: Kind = ORDERS
    words: dict[str, dict[str, str]] = field(default_factory=dict)  # vocabulary key -> word -> code

    def header_of(self, name: str) -> list[str]:
        return [h for h, f in self.columns.items() if f == name]


def normalise_header(header: str) -> str:
    return (header.replace("\ufeff", "").replace("\u3000", " ").replace("\u200b", "")
            .replace("（", "(").replace("）", ")").strip().lower())


# --------------------------------------------------------------------------- loading

_loaded: dict[object, dict[str, Profile]] = {}


def profiles(directory: Path | None, kind: Kind = ORDERS) -> dict[str, Profile]:
    """Every platform's profile (and "common") of this kind, the shop's files in
    `directory`/platforms (or /aftersales) merged over the shipped ones. A bad file raises
    ConfigError naming the file, the key and the fix."""
    folder = directory / kind.folder if directory is not None else None
    key = (kind.name, str(directory), tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.toml")))
           ) if folder is not None and folder.is_dir() else (kind.name, str(directory))
    if key not in _loaded:
        _loaded[key] = _load(directory, kind)
    return _loaded[key]


def _load(directory: Path | None, kind: Kind = ORDERS) -> dict[str, Profile]:
    out, problems = load(directory, kind)
    if problems:
        first = problems[0]
        more = _(" (and {count} more)").format(count=len(problems) - 1) if len(problems) > 1 else ""
        raise ConfigError(f"{first}{more}", hint=_("fix the platform profile; `kefu config check` lists every problem"))
    return out


def load(directory: Path | None, kind: Kind = ORDERS) -> tuple[dict[str, Profile], list]:
    """(profiles, every problem of their files): `kefu config check` lists the problems."""
    from kefu_cli.config import Problem, _merge, _read_toml, packaged_dir

    problems: list[Problem] = []
    raw: dict[str, dict] = {}
    files: dict[str, list[str]] = {}
    places = [packaged_dir() / kind.folder]
    if directory is not None and (directory / kind.folder).is_dir():
        places.append(directory / kind.folder)
    for place in places:
        for path in sorted(place.glob("*.toml")):
            data = _read_toml(path, problems)
            if data is None:
                continue
            name = path.stem
            raw[name] = _merge(raw.get(name, {}), data, str(path), {})
            files.setdefault(name, []).append(str(path))
    out = {name: _profile(name, data, files[name][-1], problems, kind) for name, data in raw.items()}
    if "common" not in out:
        out["common"] = Profile("common", kind=kind)
    return out, problems


def _profile(name: str, data: dict, file: str, problems: list, kind: Kind = ORDERS) -> Profile:
    from kefu_cli.config import Problem

    def bad(key: str, message: str) -> None:
        problems.append(Problem(file, key, message))

    p = Profile(name, kind=kind)
    for key in data:
        if key not in kind.keys:
            bad(key, _("unknown key; known: {keys}").format(keys=", ".join(kind.keys)))
    for key in ("label", "timezone"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            bad(key, _("must be a string"))
        elif value is not None:
            setattr(p, key, value)
    if p.timezone:
        from zoneinfo import ZoneInfo

        try:
            ZoneInfo(p.timezone)
        except (KeyError, ValueError):
            bad("timezone", _("unknown time zone {value}").format(value=p.timezone))
    sigs = data.get("signatures", [])
    if not (isinstance(sigs, list) and all(isinstance(s, list) and s and all(isinstance(h, str) for h in s) for s in sigs)):
        bad("signatures", _("must be a list of header lists, e.g. [[\"订单号\", \"客户姓名\"]]"))
    else:
        p.signatures = tuple(tuple(normalise_header(h) for h in s) for s in sigs)
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        bad("columns", _("must be a table of header = field"))
        columns = {}
    for header, name_ in columns.items():
        if name_ not in kind.fields:
            bad(f"columns.{header}", _("{value} is not a field; use one of: {choices}").format(
                value=name_, choices=", ".join(kind.fields)))
            continue
        p.columns[normalise_header(header)] = name_
    for key in ("unused", "expect"):
        value = data.get(key, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            bad(key, _("must be a list of strings"))
            value = []
        if key == "unused":
            p.unused = frozenset(normalise_header(v) for v in value)
        else:
            for v in value:
                if v not in kind.fields:
                    bad(key, _("{value} is not a field").format(value=v))
            p.expect = tuple(value)
    for key, allowed in kind.vocabularies:
        target = p.words.setdefault(key, {})
        table = data.get(key, {})
        if not isinstance(table, dict):
            bad(key, _("must be a table of word = code"))
            continue
        for word, code in table.items():
            if code not in allowed:
                bad(f"{key}.{word}", _("{value} is not one of: {choices}").format(value=code, choices=", ".join(allowed)))
            else:
                target[word.strip().lower()] = code
    p.statuses = p.words["statuses"]
    if kind is ORDERS:
        p.after_sale = p.words["after_sale"]
    defaults = data.get("defaults", {})
    if isinstance(defaults, dict):
        for k, v in defaults.items():
            if k not in (ORDER_FIELDS if kind is ORDERS else kind.fields) or not isinstance(v, str):
                bad(f"defaults.{k}", _("must be a field = text"))
            else:
                p.defaults[k] = v
    blocks = data.get("comment_blocks", {})
    if not isinstance(blocks, dict):
        bad("comment_blocks", _("must be a table of block title = kind"))
        blocks = {}
    for title, block_kind in blocks.items():
        if block_kind not in BLOCK_KINDS:
            bad(f"comment_blocks.{title}", _("{value} is not one of: {choices}").format(
                value=block_kind, choices=", ".join(BLOCK_KINDS)))
        else:
            p.comment_blocks[title.strip()] = block_kind
    amounts = data.get("amounts", {})
    if not isinstance(amounts, dict):
        bad("amounts", _("must be a table"))
        amounts = {}
    for key in amounts:
        if key not in AMOUNT_KEYS:
            bad(f"amounts.{key}", _("unknown key; known: {keys}").format(keys=", ".join(AMOUNT_KEYS)))
    if "reconcile" in amounts:
        texts = amounts["reconcile"] if isinstance(amounts["reconcile"], list) else [amounts["reconcile"]]
        found = [_formula(t, lambda m: bad("amounts.reconcile", m)) for t in texts]
        p.reconcile = tuple(f for f in found if f is not None)
    for key, allowed in (("paid_when", STATUSES), ("per_item", MONEY)):
        value = amounts.get(key, [])
        if not (isinstance(value, list) and all(v in allowed for v in value)):
            bad(f"amounts.{key}", _("must be a list of: {choices}").format(choices=", ".join(allowed)))
        else:
            setattr(p, key, tuple(value))
    if amounts.get("item_price", "unit") not in ("unit", "line"):
        bad("amounts.item_price", _("must be unit or line"))
    else:
        p.item_price = amounts.get("item_price", "unit")
    if amounts.get("discount_sign", "positive") not in ("positive", "either"):
        bad("amounts.discount_sign", _("must be positive or either"))
    else:
        p.discount_sign = amounts.get("discount_sign", "positive")
    derive = amounts.get("derive", {})
    if isinstance(derive, dict):
        for k, text in derive.items():
            if k not in MONEY:
                bad(f"amounts.derive.{k}", _("{value} is not an amount field").format(value=k))
                continue
            f = _formula(f"{k} = {text}", lambda m, k=k: bad(f"amounts.derive.{k}", m))
            if f is not None:
                p.derive[k] = f
    return p


def _formula(text, bad) -> Formula | None:
    """`paid + refund = total` → Formula; names must be amounts or `items`."""
    if not isinstance(text, str) or text.count("=") != 1:
        bad(_("must be one equation such as \"paid + refund = total\""))
        return None
    sides = []
    for side in text.split("="):
        terms, sign = [], 1
        for token in side.replace("+", " + ").replace("-", " - ").split():
            if token in "+-":
                sign = 1 if token == "+" else -1
                continue
            if token not in MONEY and token != "items":
                bad(_("{value} is not an amount field; use: {choices}").format(
                    value=token, choices=", ".join((*MONEY, "items"))))
                return None
            terms.append((sign, token))
            sign = 1
        if not terms:
            bad(_("an empty side in {value}").format(value=text))
            return None
        sides.append(tuple(terms))
    return Formula(" ".join(text.split()), sides[0], sides[1])


# --------------------------------------------------------------------------- recognition


@dataclass
class Recognition:
    platform: str  # "generic" when no platform claims the file
    candidates: list[tuple[str, int]]  # (platform, headers it knows), best first
    forced: bool = False

    @property
    def tie(self) -> bool:
        return len(self.candidates) > 1 and self.candidates[0][1] == self.candidates[1][1]


def known_headers(profile: Profile) -> set[str]:
    return set(profile.columns) | set(profile.unused)


def recognise(headers: list[str], table: dict[str, Profile], forced: str | None = None) -> Recognition:
    normalised = {normalise_header(h) for h in headers} - {""}
    if forced:
        return Recognition(forced, [(forced, len(normalised & known_headers(table[forced])))], forced=True)
    found = []
    for name, p in table.items():
        if name == "common" or not any(all(h in normalised for h in sig) for sig in p.signatures):
            continue
        found.append((name, len(normalised & known_headers(p))))
    found.sort(key=lambda c: -c[1])
    return Recognition(found[0][0] if found else "generic", found)


def lookup_for(platform: str, table: dict[str, Profile]) -> dict[str, tuple[str, str]]:
    """normalised header -> (field, where the mapping comes from) for a platform's file."""
    out = {name.lower(): (name, "canonical") for name in COLUMN_FIELDS}
    out.update((h, (f, "common")) for h, f in table["common"].columns.items())
    if platform in table:
        out.update((h, (f, platform)) for h, f in table[platform].columns.items())
        return out
    for h, f in _agreed(table, "columns").items():  # generic: every platform's headers none reads otherwise
        out.setdefault(h, (f, "platforms"))
    return out


def reconcile_for(platform: str | None, table: dict[str, Profile]) -> tuple[Formula, ...]:
    """How an order of this platform's amounts add up: its profile's formulas (none: the platform's
    export cannot show it), else the common ones."""
    p = table.get(platform or "")
    if p is not None and p.name != "common":
        return p.reconcile
    return table["common"].reconcile


def statuses_for(platform: str, table: dict[str, Profile]) -> dict[str, str]:
    """Status word -> code: the common words, then the platform's (a generic file: every platform's
    words that no two platforms read differently)."""
    return vocabulary_for(platform, table, "statuses")


def after_sale_for(platform: str, table: dict[str, Profile]) -> dict[str, str]:
    return vocabulary_for(platform, table, "after_sale")


def vocabulary_for(platform: str, table: dict[str, Profile], key: str) -> dict[str, str]:
    """Word -> code of one vocabulary (statuses, after_sale; for after-sales files statuses,
    types, goods): the codes themselves, the common words, then the platform's."""
    common = table["common"]
    codes = dict(common.kind.vocabularies)[key]
    out = {code: code for code in codes}
    out.update(common.words.get(key, {}))
    if platform in table:
        out.update(table[platform].words.get(key, {}))
        return out
    for word, code in _agreed_words(table, key).items():
        # a bare number (Rakuten's 500, Yahoo!'s 3, Amazon's true/false) means something only in
        # its platform's file: in a file no platform claims it stays an unknown word, not a guess
        if not word.isdigit() and word not in ("true", "false"):
            out.setdefault(word, code)
    return out


def _agreed_words(table: dict[str, Profile], key: str) -> dict[str, str]:
    seen: dict[str, set[str]] = {}
    for name, p in table.items():
        if name != "common":
            for word, code in p.words.get(key, {}).items():
                seen.setdefault(word, set()).add(code)
    return {word: next(iter(codes)) for word, codes in seen.items() if len(codes) == 1}


def _agreed(table: dict[str, Profile], attr: str) -> dict[str, str]:
    """key -> value of the platforms' `attr` tables (columns, statuses, after_sale) for every key
    that no two platforms map to different values: what a file no platform claims may use."""
    seen: dict[str, set[str]] = {}
    for name, p in table.items():
        if name != "common":
            for key, value in getattr(p, attr).items():
                seen.setdefault(key, set()).add(value)
    return {key: next(iter(values)) for key, values in seen.items() if len(values) == 1}
