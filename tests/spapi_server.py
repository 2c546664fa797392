"""A local imitation of Amazon's Selling Partner API (Orders v2026-01-01 searchOrders) and of its
Login with Amazon token endpoint, for tests and bench/pull.py.

Where each answer's shape comes from:
- searchOrders 200: the official model's sandbox entries (tests/fixtures/spapi_orders_2026-01-01.json,
  copied from amzn/selling-partner-api-models, Apache-2.0; see its `_source`). A request with the
  parameters of the static JP sandbox entry gets that entry's response verbatim, as the static
  sandbox does (it "uses pattern matching to return static, mock responses"). Any other search is
  answered from the imitation's own orders, each one the sandbox's JP order with its id, times,
  status and recipient changed, and the fields the JP entry lacks (recipient phone and
  stateOrRegion, order and item SHIPPING breakdowns, packages) in the shapes of the model's full
  example order. `orders`, `pagination.nextToken` (absent on the last page) and the echoed
  `lastUpdatedBefore` as in SearchOrdersResponse.
- The page after the JP entry's nextToken: the models have none; it is the one hand-made answer
  here (an empty last page: `{"orders": [], "lastUpdatedBefore": …}` without `pagination`).
- 400: the model's 400 sandbox entry `{"errors":[{"code":"InvalidInput","message":"Invalid Input",
  "details":"Invalid Input"}]}`; the rules the model's parameter descriptions state (exactly one
  of createdAfter/lastUpdatedAfter, `…Before` at least two minutes before the request, a
  paginationToken only with the same other parameters, maxResultsPerPage 1-100) answer in that
  shape with the message users quote (amzn/selling-partner-api-docs#326, airbytehq/airbyte#52592).
- 429: the rate plan of the model (searchOrders 0.0056/s, burst 20; settable) as a token bucket,
  `x-amzn-RateLimit-Limit` on every answer, and the QuotaExceeded body users logged
  (amzn/selling-partner-api-models#1176).
- 403 for an expired or unknown access token: ErrorList `Unauthorized` "Access to requested
  resource is denied." with details "The access token you provided has expired." (the model's
  403 description: "Access Denied, Unauthorized, Expired Token"; the text as logged in
  amzn/selling-partner-api-docs issues).
- LWA token: RFC 6749 §5.1/§5.2 as Login with Amazon answers: {"access_token", "refresh_token",
  "token_type": "bearer", "expires_in": 3600}; a revoked refresh token → 400 invalid_grant, a
  wrong (unrotated) client secret → 401 invalid_client.
Faults to inject: 5xx, 429, a dropped connection, a hang, a malformed body, an oversized body.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from loopback import PacedServer

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "spapi_orders_2026-01-01.json").read_text("utf-8"))
JP_REQUEST = FIXTURE["jp_sandbox"]["request"]["parameters"]
JP_RESPONSE = FIXTURE["jp_sandbox"]["response"]
JP_ORDER = JP_RESPONSE["orders"][0]
EXAMPLE = FIXTURE["example_order"]
CLIENT_ID = "amzn1.application-oa2-client.kefu-test"
CLIENT_SECRET = "amzn1.oa2-cs.v1.never-printed"
REFRESH_TOKEN = "Atzr|never-printed-refresh"
# an order's (and an item's) block -> the includedData value that brings it
DATASETS = {"buyer": "BUYER", "recipient": "RECIPIENT", "proceeds": "PROCEEDS", "expense": "EXPENSE",
            "promotion": "PROMOTION", "cancellation": "CANCELLATION", "fulfillment": "FULFILLMENT",
            "packages": "PACKAGES", "fulfillmentOrders": "FULFILLMENT_ORDERS"}


def utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def jp_order(n: int, created: datetime, updated: datetime | None = None, status: str = "UNSHIPPED",
             items: int = 2, postal: str = "150-0001", state: str = "東京都", city: str = "渋谷区",
             line1: str = "神宮前1-2-3", phone: str = "03-1234-5678", shipping: str | None = "500",
             tracking: str | None = None) -> dict:
    """The sandbox's JP order as order number `n` of this imitation."""
    order = copy.deepcopy(JP_ORDER)
    order["orderId"] = f"250-{n // 10_000_000:07d}-{n % 10_000_000:07d}"
    order["createdTime"] = utc(created)
    order["lastUpdatedTime"] = utc(updated or created)
    order["fulfillment"]["fulfillmentStatus"] = status
    address = order["recipient"]["deliveryAddress"]
    address.update(name="山田 太郎", addressLine1=line1, city=city, stateOrRegion=state, postalCode=postal,
                   phone=phone)
    address.pop("addressLine2", None)
    order["buyer"]["buyerName"] = "山田 太郎"
    order["orderItems"] = order["orderItems"][:items]
    total = 0
    for item in order["orderItems"]:
        total += int(item["proceeds"]["proceedsTotal"]["amount"])
    if shipping is not None:  # the SHIPPING breakdown, in the shape of the example order's breakdowns
        first = order["orderItems"][0]["proceeds"]
        first["breakdowns"].append({"type": "SHIPPING", "subtotal": {"amount": shipping, "currencyCode": "JPY"}})
        total += int(shipping)
        order["proceeds"]["breakdowns"] = [
            {"type": "ITEM", "subtotal": {"amount": str(total - int(shipping)), "currencyCode": "JPY"}},
            {"type": "SHIPPING", "subtotal": {"amount": shipping, "currencyCode": "JPY"}}]
    order["proceeds"]["grandTotal"]["amount"] = str(total)
    if tracking:
        package = copy.deepcopy(EXAMPLE["packages"][0])
        package.update(carrier="YAMATO", trackingNumber=tracking, shippingService="宅急便")
        package["packageItems"] = [{"orderItemId": i["orderItemId"], "quantity": i["quantityOrdered"]}
                                   for i in order["orderItems"]]
        package.pop("shipFromAddress", None)
        order["packages"] = [package]
    return order


class SpApiServer(PacedServer):
    def __init__(self, orders: list[dict] | None = None, delay: float = 0.0, rate: float = 0.0056, burst: int = 20,
                 stated_rate: str | None = None, token_ttl: int = 3600):
        super().__init__()
        self.orders = list(orders or [])
        self.delay = delay
        self.rate, self.burst = rate, burst
        self.stated_rate = stated_rate or f"{rate:g}"
        self.tokens_left = float(burst)
        self.refilled = time.monotonic()
        self.token_ttl = token_ttl
        self.access: dict[str, float] = {}  # access token -> expiry (monotonic)
        self.lock = threading.Lock()
        self.faults: list[str] = []  # the next answers' faults, in order: "500", "503", "429", "drop", "hang", "malformed", "huge"
        self.revoked = False  # the refresh token was revoked (answer invalid_grant)
        self.grants_left: int | None = None  # revoke it after this many access tokens
        self.secret = CLIENT_SECRET  # the client secret it accepts (rotate it to make kefu's stale)
        self.searches: list[dict] = []  # every searchOrders query, parsed
        self.token_requests = 0
        self.clock_skew = timedelta(0)
        self._pages: dict[str, tuple[str, int]] = {}
        self._chosen: dict[tuple, list[dict]] = {}  # the orders of a window, sorted, while the orders stay as they are
        self._encoded: dict[int, tuple[dict, bytes]] = {}  # an order's JSON, made once (the bench shares 2 cores)

    @property
    def token_url(self) -> str:
        return f"{self.origin()}/auth/o2/token"

    def env(self, shop: str | None = None) -> dict[str, str]:
        sfx = f"_{shop.upper()}" if shop else ""
        return {f"KEFU_SPAPI_CLIENT_ID{sfx}": CLIENT_ID, f"KEFU_SPAPI_CLIENT_SECRET{sfx}": CLIENT_SECRET,
                f"KEFU_SPAPI_REFRESH_TOKEN{sfx}": REFRESH_TOKEN, "KEFU_SPAPI_ENDPOINT": self.origin(),
                "KEFU_SPAPI_TOKEN_ENDPOINT": self.token_url}

    # -- HTTP

    @staticmethod
    def _http(code: int, body: bytes, headers: dict | None = None) -> bytes:
        head = f"HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        return head.encode() + b"\r\n" + body

    async def _answer(self, request):
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault == "drop":
            return None
        if fault == "hang":
            await asyncio.sleep(60)
            return None
        limit = {"x-amzn-RateLimit-Limit": self.stated_rate, "x-amzn-RequestId": "kefu-test"}
        if fault in ("500", "503"):
            return self._http(int(fault), b'{"errors":[{"code":"InternalFailure","message":"We encountered an internal error. Please try again."}]}', limit), True
        if fault == "429":
            return self._quota(limit), True
        if fault == "malformed":
            return self._http(200, b'{"orders": [{"orderId": ', limit), True
        if fault == "huge":
            return self._http(200, b'{"orders": [], "x": "' + b"x" * (9 << 20) + b'"}', limit), True
        target = urlsplit(request.path)
        if request.method == "POST" and target.path == "/auth/o2/token":
            return self._token(request.body), True
        if request.method == "GET" and target.path == "/orders/2026-01-01/orders":
            return self._search(request.headers, parse_qs(target.query), limit), True
        return self._http(404, b'{"errors":[{"code":"NotFound","message":"Resource not found"}]}'), True

    def _quota(self, limit) -> bytes:
        return self._http(429, json.dumps({"errors": [{"message": "You exceeded your quota for the requested resource.",
                                                       "code": "QuotaExceeded"}]}).encode(), limit)

    def _token(self, raw: bytes) -> bytes:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        with self.lock:
            self.token_requests += 1
        if form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            return self._http(400, b'{"error_description":"The request is missing a required parameter : grant_type","error":"invalid_request"}')
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != self.secret:
            return self._http(401, b'{"error_description":"Client authentication failed","error":"invalid_client"}')
        with self.lock:
            if self.grants_left is not None:
                self.revoked = self.revoked or self.grants_left <= 0
                self.grants_left -= 1
        if self.revoked or form["refresh_token"] != REFRESH_TOKEN:
            return self._http(400, b'{"error_description":"The request has an invalid grant parameter : refresh_token","error":"invalid_grant"}')
        token = "Atza|" + hashlib.sha256(f"{time.monotonic()}{self.token_requests}".encode()).hexdigest()
        with self.lock:
            self.access[token] = time.monotonic() + self.token_ttl
        return self._http(200, json.dumps({"access_token": token, "refresh_token": REFRESH_TOKEN,
                                           "token_type": "bearer", "expires_in": self.token_ttl}).encode())

    def expire_tokens(self) -> None:
        with self.lock:
            self.access = {t: 0.0 for t in self.access}

    def _search(self, headers, query: dict, limit) -> bytes:
        token = headers.get("x-amz-access-token")
        with self.lock:
            expiry = self.access.get(token)
        if expiry is None or time.monotonic() > expiry:
            return self._http(403, json.dumps({"errors": [{"message": "Access to requested resource is denied.",
                                                           "code": "Unauthorized",
                                                           "details": "The access token you provided has expired."}]}).encode(), limit)
        with self.lock:  # the usage plan: a token bucket of `burst` requests refilled at `rate`
            now = time.monotonic()
            self.tokens_left = min(self.burst, self.tokens_left + (now - self.refilled) * self.rate)
            self.refilled = now
            if self.tokens_left < 1:
                return self._quota(limit)
            self.tokens_left -= 1
        params = {k: v[0] for k, v in query.items()}
        with self.lock:
            self.searches.append(params)
        sandbox = {k: (",".join(v["value"]) if isinstance(v["value"], list) else v["value"]) for k, v in JP_REQUEST.items()}
        if params == sandbox:
            return self._http(200, json.dumps(JP_RESPONSE, ensure_ascii=False).encode(), limit)
        if params.get("paginationToken") == JP_RESPONSE["pagination"]["nextToken"]:
            return self._http(200, json.dumps({"orders": [], "createdBefore": JP_RESPONSE["createdBefore"]}).encode(), limit)
        problem = self._invalid(params)
        if problem:
            return self._http(400, json.dumps({"errors": [{"code": "InvalidInput", "message": problem,
                                                           "details": ""}]}).encode(), limit)
        size = int(params.get("maxResultsPerPage", 100))
        key = json.dumps({k: v for k, v in params.items() if k not in ("paginationToken", "maxResultsPerPage",
                                                                     "includedData")}, sort_keys=True)
        start = 0
        if "paginationToken" in params:
            with self.lock:
                found = self._pages.get(params["paginationToken"])
            if found is None or found[0] != key:
                return self._http(400, json.dumps({"errors": [{"code": "InvalidInput", "message":
                                  "The paginationToken you have submitted is not valid", "details": ""}]}).encode(), limit)
            start = found[1]
        after = params["lastUpdatedAfter"]
        before = params["lastUpdatedBefore"]
        window = (after, before, len(self.orders), id(self.orders[-1]) if self.orders else 0)
        chosen = self._chosen.get(window)
        if chosen is None:
            chosen = sorted((o for o in self.orders if after <= o["lastUpdatedTime"] < before),
                            key=lambda o: (o["lastUpdatedTime"], o["orderId"]))
            self._chosen = {window: chosen}
        page = chosen[start:start + size]
        body = {"lastUpdatedBefore": before}
        if start + size < len(chosen):
            token = hashlib.sha256(f"{key}{start + size}".encode()).hexdigest()[:40]
            with self.lock:
                self._pages[token] = (key, start + size)
            body["pagination"] = {"nextToken": token}
        included = tuple(sorted(set(params.get("includedData", "").split(",")) - {""}))
        orders = b",".join(self._json(o, included) for o in page)
        raw = b'{"orders": [' + orders + b"], " + json.dumps(body, ensure_ascii=False).encode()[1:]
        return self._http(200, raw, limit)

    def _json(self, order: dict, included: tuple[str, ...]) -> bytes:
        """The order with the datasets `includedData` asked for (the parameter's enum: BUYER,
        RECIPIENT, PROCEEDS, EXPENSE, PROMOTION, CANCELLATION, FULFILLMENT, PACKAGES, …; the order's
        and its items' blocks of the same names); the rest of the order always."""
        cached = self._encoded.get((id(order), included))
        if cached is None or cached[0] is not order:
            shown = {k: v for k, v in order.items() if DATASETS.get(k, "") in included or k not in DATASETS}
            shown["orderItems"] = [{k: v for k, v in item.items() if DATASETS.get(k, "") in included or k not in DATASETS}
                                   for item in order.get("orderItems", [])]
            cached = (order, json.dumps(shown, ensure_ascii=False).encode())
            self._encoded[(id(order), included)] = cached
        return cached[1]

    def _invalid(self, params: dict) -> str | None:
        if ("createdAfter" in params) == ("lastUpdatedAfter" in params):
            return "Exactly one of createdAfter and lastUpdatedAfter must be specified"
        if "createdAfter" in params:
            return "Invalid Input"  # this imitation answers only lastUpdated searches, and the sandbox's
        if not params.get("marketplaceIds"):
            return "Missing required parameter marketplaceIds"
        if not 1 <= int(params.get("maxResultsPerPage", 100)) <= 100:
            return "maxResultsPerPage must be between 1 and 100"
        for name in ("lastUpdatedAfter", "lastUpdatedBefore"):
            value = params.get(name, "")
            if not value.endswith("Z"):
                return f"Invalid {name}: use ISO 8601 in UTC"
        latest = utc(datetime.now(timezone.utc) + self.clock_skew - timedelta(minutes=2))
        if params.get("lastUpdatedBefore", "") > latest:
            return ("Invalid Input. lastUpdatedBefore must be at least 2 minutes before the time of the request. "
                    "The most updated data is 2 minutes after an order is created or last updated")
        if params["lastUpdatedBefore"] < params["lastUpdatedAfter"]:
            return "lastUpdatedBefore must be after lastUpdatedAfter"
        return None
