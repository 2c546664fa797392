"""What every tracking provider shares: kefu's status vocabulary, the query, the error a
provider raises, and reading an event's time.

Statuses: pending, picked_up, in_transit, out_for_delivery, delivered, exception, returning,
returned, refused, customs, not_found. Every record keeps the provider's raw code and text.

A provider is an object with `name`, `host`, `batch_size`, `code_of(carrier)` and either
`async query(client, query) -> dict` (batch_size 1: 快递100) or `async query_many(client, queries)
-> [dict | ProviderError]` (17TRACK: up to 40 numbers a request). A result is a normalised
record {status, status_text, raw_state, raw_code, events}; a failure raises (or, per waybill in
a batch, returns) ProviderError. Credentials come from the environment only and never appear in
a record, a message or a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kefu_cli.http import (  # noqa: F401 - the error every provider raises, shared with kefu_cli.pull
    ACCOUNT_KINDS, ProviderError, http_busy, json_object, malformed, rejected)
from kefu_cli.i18n import _

STATUSES = ("pending", "picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "returning",
            "returned", "refused", "customs", "not_found")
FINAL = ("delivered", "returned")
PROBLEM_STATUSES = ("exception", "refused", "returned")
TRACK_FIELDS = ("waybill", "carrier", "status", "status_text", "updated_at", "location", "detail",
                "days_since_update", "stale", "error", "raw_state", "raw_code")
EVENT_FIELDS = ("waybill", "carrier", "time", "status", "location", "context", "status_name", "raw_status", "area",
                "area_code")

PROVIDER_FAILURES = ("unreachable", *ACCOUNT_KINDS)  # the provider's fault, not the waybill's: exit 3


@dataclass
class Query:
    waybill: str
    carrier: object  # config.Carrier or None
    com: str | None  # the provider's carrier code (快递100 `com`, 17TRACK carrier key)
    phone: str | None  # the 4 digits the provider checks
    error: str | None = None  # a reason it cannot be queried at all
    provider: str = "kuaidi100"  # which provider tracks this carrier (carriers.toml `provider`)
    origin: str | None = None  # "省市" the parcel leaves from, when kefu knows the warehouse's city
    destination: str | None = None  # "省市" of the receiver, when the order says
    route: tuple | None = None  # (order_id, warehouse, country, province, city) from an order's plan: its history row
    # carrier None, com None: the carriers the number's format fits, the provider to tell which (17TRACK auto-detection)
    candidates: tuple = ()
    parcel: str = "order"  # an order's parcel, a return or a replacement (state.PARCELS): its history row


def receiver_phone(order: dict) -> str | None:
    """The phone a carrier checks for an order: its mobile with the extension of a privacy number
    (the reader keeps the two apart: mobile, mobile_ext), else its mobile, else its landline."""
    mobile, ext = order.get("mobile"), order.get("mobile_ext")
    if mobile and ext:
        return f"{mobile}-{ext}"
    return mobile or order.get("phone")


def phone_digits(phone: str | None) -> str | None:
    """The 4 digits a provider checks: the extension of a platform's privacy number
    (13012345678-1234, 13012345678转1234: 快递100 asks for the 4 digits after the dash); the last 4
    of a landline without its extension (021-12345678-808: extensions are never sent); else the
    last 4 digits. None when fewer than 4 digits are given."""
    import re

    text = (phone or "").strip().translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    m = re.fullmatch(r"\+?(?:86)?\s*1[3-9]\d{9}\s*(?:-|转|#)\s*(\d{4})", text)
    if m:
        return m.group(1)
    m = re.fullmatch(r"\(?(0\d{2,3})\)?[\s-]*(\d{7,8})(?:\s*(?:-|转|#|ext\.?)\s*\d{1,6})?", text)
    if m:
        return m.group(2)[-4:]
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else None


def parse_event_time(text: str | None, tz) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("/", "-"))
    except ValueError:
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value
