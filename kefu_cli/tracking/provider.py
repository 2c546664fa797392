"""What every tracking provider shares: kefu's status vocabulary, the query, the error a
provider raises, and reading an event's time.

Statuses: pending, picked_up, in_transit, out_for_delivery, delivered, exception, returning,
returned, refused, customs, not_found. Every record keeps the provider's raw code and text.

A provider is an object with `name`, `host`, `code_of(carrier)` and
`async query(client, waybill, com, phone) -> dict` (a normalised record) that raises
ProviderError. Adding one (17TRACK for Japan Post and Yamato, say) touches no command: see
docs/architecture.md. Credentials come from the environment only and never appear in a record,
a message or a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

STATUSES = ("pending", "picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "returning",
            "returned", "refused", "customs", "not_found")
FINAL = ("delivered", "returned")
PROBLEM_STATUSES = ("exception", "refused", "returned")
TRACK_FIELDS = ("waybill", "carrier", "status", "status_text", "updated_at", "location", "detail",
                "days_since_update", "stale", "error", "raw_state", "raw_code")
EVENT_FIELDS = ("waybill", "carrier", "time", "status", "location", "context")

class ProviderError(Exception):
    """kind: retry (try again later), answer (the provider said no for this waybill),
    credentials (the provider refused the key), unreachable (retries exhausted)."""

    def __init__(self, kind: str, message: str, raw_code: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.raw_code = raw_code


@dataclass
class Query:
    waybill: str
    carrier: object  # config.Carrier or None
    com: str | None
    phone: str | None
    error: str | None = None  # a reason it cannot be queried at all


def parse_event_time(text: str | None, tz) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("/", "-"))
    except ValueError:
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value
