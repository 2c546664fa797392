"""The audit's rules: each with a stable code, a severity, the canonical fields it reads and
its message (an English msgid, translated at run time). Also the check of shop.toml's
[audit.rules]: the audit owns its rule names, so configuration does not import the audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu_cli.i18n import N_
from kefu_cli.orders.platforms import MONEY

RANK = {"info": 0, "warning": 1, "error": 2, "never": 3}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    needs: tuple[str, ...]  # canonical fields; the rule runs when the file has any of them
    message: str  # English msgid, translated at run time


RULES: tuple[Rule, ...] = (
    Rule("RECEIVER_MISSING", "error", ("receiver",), N_("no receiver name")),
    Rule("PHONE_INVALID", "error", ("phone", "mobile"), N_("no valid mobile or landline: {value}{hint}")),
    Rule("PHONE_MASKED", "info", ("phone", "mobile"), N_("the platform masked the phone number: {value}")),
    Rule("ADDRESS_INCOMPLETE", "error", ("address", "province"), N_("the address lacks {value}")),
    Rule("PROVINCE_MISMATCH", "warning", ("address",), N_("the address detail names {value}, not its province {province}")),
    Rule("BUYER_MESSAGE", "warning", ("buyer_message",), N_("the buyer left a message: {value}")),
    Rule("SELLER_MEMO", "warning", ("seller_memo",), N_("staff memo to check: {value}")),
    Rule("INVOICE_REQUESTED", "warning", ("invoice",), N_("an invoice is requested: {value}")),
    Rule("SKU_UNROUTABLE", "error", ("items",), N_("line {value} matches no product line or warehouse")),
    Rule("SPLIT_SHIPMENT", "warning", ("items",), N_("the lines ship from different warehouses: {value}")),
    Rule("PROMISE_UNMEETABLE", "error", ("promised_date",), N_("promised {value}, but the earliest arrival is {arrive}")),
    Rule("SHIP_DEADLINE", "warning", ("ship_deadline",), N_("the ship window ends {value}, after the platform's ship-by deadline {deadline}")),
    Rule("CANCEL_REQUESTED", "error", ("after_sale",), N_("the buyer asked to cancel ({value}): settle it before shipping")),
    Rule("REMOTE_AREA", "info", ("address", "province"), N_("remote area: {value}")),
    Rule("MERGEABLE", "warning", ("receiver",), N_("can ship together with order {value} (same buyer, receiver, phone and address)")),
    Rule("DUPLICATE_ORDER", "error", ("order_id",), N_("the order number appears {value} times in the file")),
    Rule("QUANTITY_INVALID", "error", ("items",), N_("line {value} has a missing, zero or negative quantity")),
    Rule("AMOUNT_INVALID", "error", MONEY, N_("{value}")),
    Rule("AMOUNT_MISMATCH", "error", ("paid",), N_("{left_terms} = {left}, but {right_terms} = {right}")),
    Rule("REFUND_PARTIAL", "warning", ("refund",), N_("partial refund {value} of {total}")),
    Rule("REFUND_FULL", "info", ("refund",), N_("fully refunded: {value}")),
    Rule("UNPAID", "info", ("status", "paid_at"), N_("not paid, so not audited")),
    Rule("CLOSED_UNPAID", "info", ("status",), N_("closed before payment, so not audited")),
    Rule("AFTER_SHIPPING", "info", ("status",), N_("{value}: past the pre-ship audit, finance rules only")),
    Rule("CROSS_BORDER", "warning", ("address", "province"), N_("{value} is outside the mainland, and the shop does not ship there (warehouses.toml [cross_border] served)")),
    Rule("NO_ROUTE", "error", ("items",), N_("{value} ships from {warehouse} ({country}), the destination is in {destination}: no route")),
    Rule("AUDIT_OVERDUE", "warning", ("paid_at",), N_("paid {value} hours ago and not shipped (limit {limit} hours)")),
    Rule("ROW_UNREADABLE", "error", (), N_("row {value} could not be read: {why}")),
    Rule("VALUE_UNREADABLE", "warning", (), N_("{value}")),
)
BY_CODE = {r.code: r for r in RULES}


def check_config(raw: dict[str, dict], paths: dict[str, str]) -> list:
    """Problems of shop.toml [audit.rules]: every key a rule code, every value true or false."""
    from kefu_cli.config import Problem, check_bool, unknown_key

    file = paths["shop.toml"]
    audit = raw.get("shop.toml", {}).get("audit", {})
    rules = audit.get("rules", {}) if isinstance(audit, dict) else {}
    problems = []
    for code, on in (rules.items() if isinstance(rules, dict) else ()):
        if code not in BY_CODE:
            problems.append(Problem(file, f"audit.rules.{code}", unknown_key(code, tuple(BY_CODE))))
        elif check_bool(on):
            problems.append(Problem(file, f"audit.rules.{code}", check_bool(on)))
    return problems
