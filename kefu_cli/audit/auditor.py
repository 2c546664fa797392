"""Order audit: customer audit (客审) and finance audit (财审) as findings with stable codes.

Each rule has a code, a severity (error, warning, info), the canonical fields it reads, and a
message in Chinese and English. A rule whose fields are all absent from the file is skipped (and
named once on stderr by the command), never failed silently. Rules can be switched off and take
their thresholds from shop.toml [audit].

Verdict: any error -> reject; else any warning -> hold; unpaid, fully refunded or closed -> skip;
else pass. Unpaid orders are not audited (UNPAID only); closed and fully refunded orders get the
finance rules only. Flag: blue when a paid order has a partial refund asked, green when held or
rejected, red when it may ship, none when skipped.

DUPLICATE_ORDER and MERGEABLE look across the whole file: the first pass spools the audit
records and keeps an index of order numbers and merge keys (the only thing that grows with the
file); the second pass adds those findings and settles verdicts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from kefu_cli.config import Config
from kefu_cli.logistics.eta import Estimator, deadline_missed, promise_unmeetable
from kefu_cli.logistics.plan import Planner
from kefu_cli.audit.rules import BY_CODE, MONEY, RANK, RULES
from kefu_cli.i18n import _, current_language
from kefu_cli.orders.platforms import profiles, reconcile_for
from kefu_cli.orders.values import LANDLINE_JP, MOBILE_JP, restore_phone_zeros
from kefu_cli.orders.regions import CN_PROVINCES, jp_place, locate, postal_code, postal_place, strip_province
from kefu_cli.logistics.routing import Router

AUDIT_FIELDS = ("order_id", "row", "verdict", "flag", "warehouses", "findings")

_MOBILE_CN = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_LANDLINE_CN = re.compile(r"(?:\+?86)?0\d{2,3}\d{7,8}(?:\d{1,5})?")
_MOBILE_JP, _LANDLINE_JP = MOBILE_JP, LANDLINE_JP  # one definition: orders/values.py
# Hong Kong (852) and Macau (853): 8 digits; Taiwan (886): mobile 9 + 8 digits, landline 8-9 digits.
# Only with the country code (852…, 00852…, +852…): a bare 8-digit number is a mainland landline
# without its area code.
_CROSS_BORDER = re.compile(r"(?:00)?(?:852[2-9]\d{7}|853[2689]\d{7}|886(?:9\d{8}|[2-8]\d{7,8}))")
_PHONE_JUNK = re.compile(r"[\s\-()（）.]")
_FULL_PROVINCES = re.compile("|".join(sorted((re.escape(n) for n in CN_PROVINCES), key=len, reverse=True)))
_DIGIT = re.compile(r"[0-9０-９]")
_ADMIN_WORD = re.compile(r"\S{1,12}?(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗|都|道|府|県|郡)")
_ADMIN_PARTS = re.compile(r"^\S{1,12}?(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗|都|道|府|県|郡)")


def phone_state(value: str | None) -> str:
    """valid | masked | invalid | missing."""
    if not value:
        return "missing"
    if len(value) == 11 and value[0] == "1" and value[1] in "3456789" and value.isdigit() and value.isascii():
        return "valid"  # the common case: a plain Chinese mobile
    if "*" in value:
        return "masked"
    digits = _PHONE_JUNK.sub("", value)
    if digits.startswith("+"):
        digits = digits[1:]
    for pattern in (_MOBILE_CN, _LANDLINE_CN, _MOBILE_JP, _LANDLINE_JP, _CROSS_BORDER):
        if pattern.fullmatch(digits):
            return "valid"
    return "invalid"


def street_detail(address: str | None) -> str:
    """What an address says beyond its country, province, city and district names."""
    if not address:
        return ""
    rest = strip_province(address.strip())
    words = rest.split(None, 2)
    if len(words) == 3 and not _ADMIN_WORD.fullmatch(words[2]):
        return words[2]  # Taobao's "省 市 区 详细地址": what follows city and district
    for _part in range(3):  # at most city, district and one more
        m = _ADMIN_PARTS.match(rest)
        if not m:
            break
        rest = rest[m.end():].lstrip()
    return rest


@dataclass
class AuditSettings:
    enabled: dict[str, bool]
    overdue_hours: float = 24
    tolerance: Decimal = Decimal("0.01")
    memo_ok_marks: tuple[str, ...] = ()
    fail_on: str = "error"

    @classmethod
    def from_config(cls, config: Config) -> "AuditSettings":
        audit = config.raw["shop.toml"].get("audit", {})
        rules = audit.get("rules", {})
        return cls(enabled={r.code: rules.get(r.code, True) for r in RULES},
                   overdue_hours=audit.get("overdue_hours", 24),
                   tolerance=Decimal(str(audit.get("amount_tolerance", "0.01"))),
                   memo_ok_marks=tuple(audit.get("memo_ok_marks", ())))


_templates: dict[str, tuple[str, str]] = {}  # code -> (language, translated message)


def exported_fields(order_file) -> set[str] | None:
    """The fields the recognised platform's export can have (its profile's columns, derived and
    defaulted fields), or None for a file no platform claims. A rule none of whose fields are
    among them can never run on that platform's files: a fact about the platform, said once under
    --summary, not a warning on every run."""
    profile = order_file.profiles.get(order_file.plan.platform)
    if profile is None or order_file.plan.platform in ("generic", "common"):
        return None
    return set(profile.columns.values()) | set(profile.derive) | set(profile.defaults)


def columns_of(order_file) -> set[str]:
    """The fields an order file gives values to, as the audit counts them (a rule whose fields are
    all missing is skipped): the plan's, and `items` from an items file or a JSON items key."""
    columns = order_file.plan.fields()
    if order_file.items_by_order is not None or "items" in order_file.plan.headers:
        columns.add("items")
    return columns


_OWN_TEXT = ("left_terms", "right_terms", "hint")  # kefu's own words (a platform's formula): never shortened


def finding(code: str, **values) -> dict:
    rule = BY_CODE[code]
    lang = current_language()
    cached = _templates.get(code)
    if cached is None or cached[0] != lang:
        cached = _templates[code] = (lang, _(rule.message))
    for k, v in values.items():
        if v.__class__ is not int and k not in _OWN_TEXT:
            values[k] = _short(v)
    return {"code": code, "severity": rule.severity, "message": cached[1].format(**values)}


def _short(v) -> str:
    s = "" if v is None else str(v)
    s = s.replace("\n", " ")
    return s if len(s) <= 40 else s[:39] + "…"


def settle(findings: list[dict], status_skip: bool) -> tuple[str, str]:
    """(verdict, flag) from the findings."""
    severities = {f["severity"] for f in findings}
    codes = {f["code"] for f in findings}
    if "error" in severities:
        verdict = "reject"
    elif "warning" in severities:
        verdict = "hold"
    elif status_skip:
        verdict = "skip"
    else:
        verdict = "pass"
    if ("REFUND_PARTIAL" in codes or "CANCEL_REQUESTED" in codes) and "UNPAID" not in codes:  # blue: paid, asks for money back
        flag = "blue"
    elif verdict in ("hold", "reject"):
        flag = "green"
    elif verdict == "pass":
        flag = "red"
    else:
        flag = "none"
    return verdict, flag


class Auditor:
    """Audits one order at a time; `columns` are the canonical fields the file has."""

    def __init__(self, config: Config, columns: set[str], now: datetime, settings: AuditSettings | None = None,
                 router: Router | None = None, estimator: Estimator | None = None, exported: set[str] | None = None):
        self.config = config
        self.settings = settings or AuditSettings.from_config(config)
        self.now = now
        self.planner = Planner(config, router or Router(config), estimator or Estimator(config, now))
        self.columns = set(columns)
        self.active = {r.code for r in RULES
                       if self.settings.enabled.get(r.code, True) and (not r.needs or self.columns & set(r.needs))}
        self.skipped = [(r.code, r.needs) for r in RULES
                        if self.settings.enabled.get(r.code, True) and r.needs and not self.columns & set(r.needs)]
        # skipped because the platform never exports the columns (`exported`: exported_fields),
        # and skipped because this file lacks columns its platform's export has
        self.not_exported = [(code, needs) for code, needs in self.skipped
                             if exported is not None and not exported & set(needs)]
        self.missing = [s for s in self.skipped if s not in self.not_exported]
        self.has_status = "status" in self.columns
        self.overdue_before = now - timedelta(hours=self.settings.overdue_hours)
        self._places: dict[tuple, object] = {}  # (province, city) -> Place: exports repeat them
        self.profiles = profiles(config.directory)

    def status_of(self, order: dict) -> str | None:
        status = order["status"]
        if status is None and not self.has_status:  # slim reports: no status column
            return "paid" if order["paid_at"] is not None else "unpaid"
        return status

    def audit(self, order: dict) -> dict:
        active = self.active
        out: list[dict] = []
        add = out.append
        rec = {"order_id": order["order_id"], "row": order["row"], "verdict": None, "flag": None,
               "warehouses": [], "findings": out}
        for p in order["problems"]:
            if p["code"] in ("unreadable_row", "not_an_object"):
                add(finding("ROW_UNREADABLE", value=p["row"], why=p["value"]))
            elif p["field"] in MONEY and not p["fixed"] and "AMOUNT_INVALID" in active:
                add(finding("AMOUNT_INVALID", value=p["message"]))
            elif not p["fixed"] and p["code"] not in ("missing_cells", "extra_cells") and p["field"] != "address":
                add(finding("VALUE_UNREADABLE", value=p["message"]))
        status = self.status_of(order)
        if status == "unpaid":
            if "UNPAID" in active:
                add(finding("UNPAID"))
            return self._settle(rec, order, skip=True)
        total, paid, refund = order["total"], order["paid"], order["refund"]
        if status == "closed" and not paid and not refund:  # closed before payment: nothing to audit
            if "CLOSED_UNPAID" in active:
                add(finding("CLOSED_UNPAID"))
            return self._settle(rec, order, skip=True)
        fully_refunded = refund is not None and refund > 0 and (
            (total is not None and refund >= total) or (paid is not None and paid == 0))
        # shipped and completed orders are past the pre-ship audit: their money is still checked,
        # but they are never `pass`/red (red means "may ship")
        finance_only = status in ("closed", "shipped", "completed") or fully_refunded
        if status in ("shipped", "completed") and "AFTER_SHIPPING" in active:
            add(finding("AFTER_SHIPPING", value=status))
        self._finance(order, add, active)
        if not finance_only:
            self._customer(order, rec, add, active, status)
        return self._settle(rec, order, skip=finance_only)

    def _settle(self, rec: dict, order: dict, skip: bool) -> dict:
        rec["verdict"], rec["flag"] = settle(rec["findings"], skip)
        rec["_skip"] = skip
        return rec

    # -- finance audit (财审)

    def _finance(self, order, add, active):
        total, paid, refund = order["total"], order["paid"], order["refund"]
        for name in MONEY:
            value = order[name]
            if value is not None and value < 0 and "AMOUNT_INVALID" in active:
                add(finding("AMOUNT_INVALID", value=_("{field} is negative: {amount}").format(field=name, amount=value)))
        if "AMOUNT_MISMATCH" in active:
            for formula in reconcile_for(order["platform"], self.profiles):  # the platform's own (config/platforms/)
                sides = formula.check(order)
                if sides is None:
                    continue
                left, right = sides
                if abs(left - right) > self.settings.tolerance:
                    left_terms, right_terms = formula.sides()
                    add(finding("AMOUNT_MISMATCH", left_terms=left_terms, left=left, right_terms=right_terms,
                                right=right))
                break
        if refund is not None and refund > 0:
            base = total if total is not None else (paid or 0) + refund
            if refund >= base or (paid is not None and paid == 0):
                if "REFUND_FULL" in active:
                    add(finding("REFUND_FULL", value=refund))
            elif "REFUND_PARTIAL" in active:
                add(finding("REFUND_PARTIAL", value=refund, total=base))

    # -- customer audit (客审)

    def _customer(self, order, rec, add, active, status):
        if "RECEIVER_MISSING" in active and not order["receiver"]:
            add(finding("RECEIVER_MISSING"))
        if ("PHONE_INVALID" in active or "PHONE_MASKED" in active) and not (
                order["mobile"] and phone_state(order["mobile"]) == "valid"):
            states = [(phone_state(order[f]), order[f]) for f in ("mobile", "phone") if f in self.columns]
            kinds = {s for s, _v in states}
            if "valid" not in kinds:
                if "masked" in kinds:
                    if "PHONE_MASKED" in active:
                        add(finding("PHONE_MASKED", value=next(v for s, v in states if s == "masked")))
                elif "PHONE_INVALID" in active:
                    shown = ", ".join(v for s, v in states if v) or _("none given")
                    # digits without the trunk 0 a Japanese number starts with: Excel read it as a number
                    excel = any(v and restore_phone_zeros([v]) is not None for _s, v in states)
                    add(finding("PHONE_INVALID", value=shown, hint=_(
                        " (Excel may have dropped a leading 0: export again with the column as text)") if excel else ""))
        address = order["address"]
        key = (order["province"], order["city"])
        place = self._places.get(key) if key[0] is not None else None
        if place is None:
            place = locate(address, order["province"], order["city"])
            if key[0] is not None:
                self._places[key] = place
        if "ADDRESS_INCOMPLETE" in active:
            if place.province is None:
                add(finding("ADDRESS_INCOMPLETE", value=_("a province")))
            elif place.city is None and "address" in self.columns and place.country in ("CN", "JP"):
                add(finding("ADDRESS_INCOMPLETE", value=_("a city")))  # orders/regions could not place it
            # no province, city or district name has a digit: one in the address means detail
            elif "address" in self.columns and not _DIGIT.search(address) and len(street_detail(address)) < 2:
                add(finding("ADDRESS_INCOMPLETE", value=_("street detail")))
        if "PROVINCE_MISMATCH" in active and address and place.country == "JP":
            _prefecture, _city, code = jp_place(address)
            if code is None:  # a postal code column (Amazon.co.jp, Rakuten)
                code = postal_code(order["postal_code"])
            by_code = postal_place(code) if code else None
            if by_code and by_code[0] != place.province:  # the 〒 code names another prefecture
                add(finding("PROVINCE_MISMATCH", value=f"〒{code[:3]}-{code[3:]} ({by_code[0]})", province=place.province))
        if "PROVINCE_MISMATCH" in active and address and place.country == "CN":
            # a full provincial name (广东省, 北京市 …) other than its own; 北京路 is a street, not 北京市
            for m in _FULL_PROVINCES.finditer(address):
                other = CN_PROVINCES[m.group(0)]
                if other != place.province:
                    add(finding("PROVINCE_MISMATCH", value=m.group(0), province=place.province))
                    break
        if "BUYER_MESSAGE" in active and order["buyer_message"]:
            add(finding("BUYER_MESSAGE", value=order["buyer_message"]))
        memo = order["seller_memo"]
        if "SELLER_MEMO" in active and memo and not any(mark in memo for mark in self.settings.memo_ok_marks):
            add(finding("SELLER_MEMO", value=memo))
        if "CANCEL_REQUESTED" in active and order["after_sale"] in ("requested", "refunding"):
            # Amazon's is-buyer-requested-cancellation, a refund asked for before shipping (the blue flag's case)
            add(finding("CANCEL_REQUESTED", value=order["after_sale"]))
        if "INVOICE_REQUESTED" in active and order["invoice"]:
            add(finding("INVOICE_REQUESTED", value=order["invoice"]))
        items = order["items"]
        if "QUANTITY_INVALID" in active:
            for n, it in enumerate(items, start=1):
                qty = it.get("qty")
                if qty is None or qty <= 0:
                    add(finding("QUANTITY_INVALID", value=n))
        remote = False
        earliest = None
        late = None  # (the latest ship window end, the deadline) when a shipment misses the deadline
        rec["warehouses"] = []
        if items and "items" in self.columns:
            plan = self.planner.plan(order, place)  # the plan eta, route and notify read
            if "SKU_UNROUTABLE" in active:
                for n, (it, r) in enumerate(zip(items, plan.routes), start=1):
                    if r.warehouse is None:
                        add(finding("SKU_UNROUTABLE", value=f"{n} ({it.get('sku') or it.get('title') or '?'})"))
            shipments = [s for s in plan.shipments if s.warehouse is not None]
            rec["warehouses"] = [s.warehouse.code for s in shipments]
            if len(shipments) > 1 and "SPLIT_SHIPMENT" in active:
                add(finding("SPLIT_SHIPMENT", value=", ".join(rec["warehouses"])))
            for shipment in shipments:
                warehouse, tier = shipment.warehouse, shipment.tier
                remote = remote or tier == "remote"
                if tier == "cross_border" and "CROSS_BORDER" in active and place.country not in self.config.cross_border_served:
                    add(finding("CROSS_BORDER", value=place.province))
                if tier == "no_route" and "NO_ROUTE" in active:
                    lines = ", ".join(str(n) for n in shipment.lines)
                    add(finding("NO_ROUTE", value=_("line {lines}").format(lines=lines), warehouse=warehouse.code,
                                country=warehouse.country, destination=place.country))
                    continue
                promise = order["promised_date"] is not None and "PROMISE_UNMEETABLE" in active
                deadline = order["ship_deadline"] if "SHIP_DEADLINE" in active else None
                if promise or deadline is not None:
                    est = self.planner.window(order, plan, shipment)
                    if promise and est["arrive_from"] is not None and (earliest is None or est["arrive_from"] > earliest):
                        earliest = est["arrive_from"]
                    if deadline is not None:
                        day = self.planner.estimator.deadline_day(warehouse, deadline)
                        if deadline_missed(est["ship_by"], day) and (late is None or est["ship_by"] > late[0]):
                            late = (est["ship_by"], day)
        if remote and "REMOTE_AREA" in active:
            add(finding("REMOTE_AREA", value=place.province))
        if late is not None:
            add(finding("SHIP_DEADLINE", value=late[0], deadline=late[1]))
        if promise_unmeetable(order["promised_date"], earliest):
            add(finding("PROMISE_UNMEETABLE", value=order["promised_date"], arrive=earliest))
        if "AUDIT_OVERDUE" in active and status == "paid" and order["paid_at"] is not None \
                and order["paid_at"] < self.overdue_before:
            hours = (self.now - order["paid_at"]) // timedelta(hours=1)
            add(finding("AUDIT_OVERDUE", value=hours, limit=self.settings.overdue_hours))

    # -- keys for the second pass

    def keys(self, order: dict) -> tuple[str | None, tuple | None]:
        """(order_id, merge key or None): the merge key for paid, unshipped orders only."""
        status = self.status_of(order)
        merge = None
        if status == "paid" and order["receiver"] and order["address"]:
            phone = order["mobile"] or order["phone"]
            if phone:
                if not (phone.isdigit() and phone.isascii()):  # the common case has nothing to drop
                    phone = _PHONE_JUNK.sub("", phone)
                # str.split() and re's \s agree on what white space is (all 29 characters)
                merge = (order["buyer"] or "", order["receiver"], phone, "".join(order["address"].split()))
        return order["order_id"], merge


VERDICTS = ("pass", "hold", "reject", "skip")
_VERDICT_NO = {v: i for i, v in enumerate(VERDICTS)}


def _h(value) -> int:
    """A 64-bit key for the index (the same in forked workers, which share the hash seed)."""
    return hash(value) or 1


@dataclass
class Tally:
    """What the first pass learns, as flat arrays (nothing for the garbage collector to walk)."""

    ids: "array" = None  # hash of each record's order_id (0: none)
    merges: "array" = None  # hash of each record's merge key (0: none)
    state: "array" = None  # verdict number + 4 if the record is skipped by status
    verdicts: Counter = None
    codes: Counter = None
    failing: Counter = None  # records whose worst finding is error / warning

    def __post_init__(self):
        from array import array

        self.ids = self.ids if self.ids is not None else array("q")
        self.merges = self.merges if self.merges is not None else array("q")
        self.state = self.state if self.state is not None else array("b")
        self.verdicts = self.verdicts if self.verdicts is not None else Counter()
        self.codes = self.codes if self.codes is not None else Counter()
        self.failing = self.failing if self.failing is not None else Counter()

    def merge(self, other: "Tally") -> None:
        self.ids.extend(other.ids)
        self.merges.extend(other.merges)
        self.state.extend(other.state)
        self.verdicts.update(other.verdicts)
        self.codes.update(other.codes)
        self.failing.update(other.failing)


class AuditTransform:
    """First pass of `kefu audit`: one audit record per order, its keys and the tallies."""

    def __init__(self, auditor: Auditor):
        self.auditor = auditor
        self.tally = Tally()

    def process(self, orders):
        audit = self.auditor.audit
        keys = self.auditor.keys
        t = self.tally
        ids, merges, state = t.ids.append, t.merges.append, t.state.append
        verdicts, codes, failing = t.verdicts, t.codes, t.failing
        for order in orders:
            rec = audit(order)
            oid, merge = keys(order)
            ids(_h(oid) if oid is not None else 0)
            merges(_h(merge) if merge is not None else 0)
            state(_VERDICT_NO[rec["verdict"]] + (4 if rec.pop("_skip") else 0))
            verdicts[rec["verdict"]] += 1
            worst = 0
            for f in rec["findings"]:
                codes[f["code"]] += 1
                worst = max(worst, RANK[f["severity"]])
            failing[worst] += 1
            yield rec

    def take_stats(self):
        tally, self.tally = self.tally, Tally()
        return tally


def repeated(values) -> set[int]:
    """The non-zero values that occur more than once (sorting: a list of a million numbers
    costs less memory than a set of them: 36 MB against 60 MB, which peak RSS would show)."""
    out: set[int] = set()
    previous = None
    for v in sorted(values):
        if v and v == previous:
            out.add(v)
        previous = v
    return out


class Index:
    """DUPLICATE_ORDER and MERGEABLE over the whole file, from the first pass's hashes.

    Only the records whose hash repeats are read again (exact order numbers for them), so
    memory stays at a few bytes per order.
    """

    def __init__(self, tally: Tally, active: set[str]):
        self.tally = tally
        self.dup_ids = repeated(tally.ids) if "DUPLICATE_ORDER" in active else set()
        self.dup_merges = repeated(tally.merges) if "MERGEABLE" in active else set()
        self.id_counts: Counter = Counter()
        self.partners: dict[int, list] = {}

    def affected(self, i: int) -> bool:
        return self.tally.ids[i] in self.dup_ids or self.tally.merges[i] in self.dup_merges

    def learn(self, lines) -> None:
        """Pre-pass over the spooled records: exact order numbers of the affected ones."""
        if not (self.dup_ids or self.dup_merges):
            return
        import orjson

        for i, line in enumerate(lines):
            if self.affected(i):
                oid = orjson.loads(line)["order_id"]
                if self.tally.ids[i] in self.dup_ids:
                    self.id_counts[oid] += 1
                if self.tally.merges[i] in self.dup_merges:
                    self.partners.setdefault(self.tally.merges[i], []).append(oid)

    def patch(self, i: int, rec: dict) -> bool:
        """Add DUPLICATE_ORDER / MERGEABLE to record i and settle it again; True if it changed."""
        oid = rec["order_id"]
        added = []
        if self.tally.ids[i] in self.dup_ids and self.id_counts[oid] > 1:
            added.append(finding("DUPLICATE_ORDER", value=self.id_counts[oid]))
        h = self.tally.merges[i]
        if h in self.dup_merges:
            others = [o for o in self.partners.get(h, ()) if o != oid]
            if others:
                added.append(finding("MERGEABLE", value=", ".join(dict.fromkeys(o or "?" for o in others))))
        if not added:
            return False
        rec["findings"].extend(added)
        rec["verdict"], rec["flag"] = settle(rec["findings"], self.tally.state[i] >= 4)
        return True

