"""Amazon.co.jp through the Selling Partner API: Orders v2026-01-01 `searchOrders`, which returns
the items, the recipient and the proceeds in one answer (no per-order call, no restricted data
token), authorised by a Login with Amazon refresh token (no SigV4 since 2023-10).

Sources (amzn/selling-partner-api-models, models/orders-api-model/orders_2026-01-01.json and the
SP-API documentation it links): the parameters (`lastUpdatedAfter`/`lastUpdatedBefore` in UTC,
`…Before` at least two minutes in the past, arrays comma-separated, `maxResultsPerPage` ≤ 100,
`paginationToken` with otherwise identical parameters, valid 24 hours), the default usage plan
(searchOrders 0.0056 requests a second, burst 20) and the `x-amzn-RateLimit-Limit` header, the
ErrorList answers; the LWA token exchange (`grant_type=refresh_token`, an access token valid one
hour, sent as `x-amz-access-token`; `invalid_grant` / `invalid_client` when refused).

An order becomes rows as Amazon's order report writes them (one row per item, its headers and
status words, times in the profile's zone), and config/platforms/amazon_jp.toml reads those rows
as it reads a downloaded report: one mapping, the profile's.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from kefu_cli.errors import UpstreamError
from kefu_cli.http import ProviderError
from kefu_cli.i18n import _
from kefu_cli.pull.common import Api, credentials, endpoint

PLATFORM = "amazon_jp"
CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN = "KEFU_SPAPI_CLIENT_ID", "KEFU_SPAPI_CLIENT_SECRET", "KEFU_SPAPI_REFRESH_TOKEN"
ENDPOINT_VAR, TOKEN_ENDPOINT_VAR = "KEFU_SPAPI_ENDPOINT", "KEFU_SPAPI_TOKEN_ENDPOINT"
ENDPOINT = "https://sellingpartnerapi-fe.amazon.com"  # the Far East endpoint (JP, SG, AU)
TOKEN_ENDPOINT = "https://api.amazon.com/auth/o2/token"
MARKETPLACE = "A1VC38T7YXB528"  # Amazon.co.jp
INCLUDED = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES")
LAG = timedelta(minutes=2)  # "…Before" must be at least two minutes before the request
PAGE_SIZE = 100

# the order report's headers this mapping writes, in this order (config/platforms/amazon_jp.toml)
HEADERS = ["order-id", "order-item-id", "order-status", "purchase-date", "last-updated-date", "buyer-name",
           "recipient-name", "ship-phone-number", "ship-postal-code", "ship-state", "ship-city", "ship-address-1",
           "ship-address-2", "ship-address-3", "ship-country", "sku", "product-name", "quantity-purchased",
           "item-price", "shipping-price", "item-promotion-discount", "tracking-number", "carrier"]
# fulfillmentStatus -> the order report's order-status word (UNFULFILLABLE has none: the profile
# reports it as an unknown status rather than kefu guessing one)
STATUS_WORDS = {"PENDING_AVAILABILITY": "Pending", "PENDING": "Pending", "UNSHIPPED": "Unshipped",
                "PARTIALLY_SHIPPED": "PartiallyShipped", "SHIPPED": "Shipped", "CANCELLED": "Cancelled",
                "UNFULFILLABLE": "Unfulfillable"}


class SpApi(Api):
    host = "sellingpartnerapi"
    # default usage plans (rate per second, burst) from the model's operation descriptions
    plans = {"token": (1.0, 5), "searchOrders": (0.0056, 20)}

    def __init__(self, creds: dict, base: str, token_url: str, marketplaces: list[str], rate, timeout):
        super().__init__(rate, timeout)
        self.creds = creds
        self.base = base.rstrip("/")
        self.token_url = token_url
        self.marketplaces = marketplaces
        self.token: str | None = None
        self.token_until = 0.0

    def lowered(self, op, headers) -> None:
        try:
            stated = float(headers.get("x-amzn-ratelimit-limit", ""))
        except ValueError:
            return
        self.limits[op].lower(stated)

    def classify(self, status, body, headers):
        if status == 200:
            return None
        errors = (body or {}).get("errors") if isinstance((body or {}).get("errors"), list) else []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code, text = str(first.get("code") or (body or {}).get("error") or status), str(
            first.get("message") or (body or {}).get("error_description") or "")[:300]
        if status == 429 or status >= 500:
            return ProviderError("retry", _("{host} answered HTTP {code}").format(host=self.host, code=status), code)
        if status in (400, 401) and code in ("invalid_grant", "invalid_client", "unauthorized_client"):
            return ProviderError("credentials", _("Login with Amazon refused the credentials ({code}): {text}").format(
                code=code, text=text), code, _("authorise the app again in Seller Central for a new refresh token "
                                              "(KEFU_SPAPI_REFRESH_TOKEN), or set the rotated client secret "
                                              "(KEFU_SPAPI_CLIENT_SECRET: LWA secrets expire every 180 days)"))
        if status in (401, 403):
            return ProviderError("credentials", _("SP-API refused the access token ({code}): {text}").format(
                code=code, text=text), code, _("check that the app has the Orders role (Seller Central → "
                                              "Develop apps) and that its LWA secret was rotated in time"))
        if status == 400:
            return ProviderError("answer", _("SP-API rejected the request ({code}): {text}").format(
                code=code, text=text), "usage", _("check --since/--until and shop.toml [pull.amazon_jp]"))
        return ProviderError("retry", _("{host} answered HTTP {code}").format(host=self.host, code=status), code)

    async def access_token(self, http) -> str:
        """The LWA access token, exchanged again a minute before its hour ends."""
        if self.token is None or time.monotonic() > self.token_until:
            form = {"grant_type": "refresh_token", "refresh_token": self.creds[REFRESH_TOKEN],
                    "client_id": self.creds[CLIENT_ID], "client_secret": self.creds[CLIENT_SECRET]}
            body = await self.ask(http, "token", "POST", self.token_url, _("Login with Amazon token"), data=form)
            token, expires = body.get("access_token"), body.get("expires_in", 3600)
            if not isinstance(token, str) or not token or not isinstance(expires, (int, float)):
                raise UpstreamError(_("Login with Amazon token: {error}").format(
                    error=_("{host} sent a malformed answer").format(host="api.amazon.com")))
            self.token, self.token_until = token, time.monotonic() + max(0.0, float(expires) - 60)
        return self.token

    async def orders(self, http, after: datetime, before: datetime):
        """Pages of orders updated in [after, before) (UTC, `Z`), in Amazon's page order. The
        last page carries no `pagination`; the answer echoes `lastUpdatedBefore`."""
        params = {"lastUpdatedAfter": _utc(after), "lastUpdatedBefore": _utc(before),
                  "marketplaceIds": ",".join(self.marketplaces), "includedData": ",".join(INCLUDED),
                  "maxResultsPerPage": str(PAGE_SIZE)}
        page, token = 0, None
        while True:
            page += 1
            query = dict(params, paginationToken=token) if token else params
            url = f"{self.base}/orders/2026-01-01/orders?{urlencode(query)}"
            headers = {"x-amz-access-token": await self.access_token(http), "accept": "application/json",
                       "user-agent": "kefu (Language=Python)"}
            body = await self.ask(http, "searchOrders", "GET", url,
                                  _("searchOrders page {page}").format(page=page), headers=headers)
            orders = body.get("orders")
            pagination = body.get("pagination")
            if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders) or (
                    pagination is not None and not isinstance(pagination, dict)):
                raise UpstreamError(_("searchOrders page {page}: {error}").format(
                    page=page, error=_("{host} sent a malformed answer").format(host=self.host)),
                    hint=_("run again later (the cursor did not move)"))
            token = (pagination or {}).get("nextToken")
            yield orders
            if not token or not isinstance(token, str):
                return


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def source(config, environ, shop: str | None, rate, timeout) -> SpApi:
    settings = config.raw["shop.toml"].get("pull", {}).get(PLATFORM, {})
    creds = credentials(environ, (CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN), shop, "SP-API")
    return SpApi(creds, endpoint(environ, ENDPOINT_VAR, shop, settings, "endpoint", ENDPOINT),
                 endpoint(environ, TOKEN_ENDPOINT_VAR, shop, settings, "token_endpoint", TOKEN_ENDPOINT),
                 list(settings.get("marketplace_ids") or [MARKETPLACE]), rate, timeout)


def version(order: dict, _record: dict) -> str:
    """What changes when Amazon changes the order: its lastUpdatedTime."""
    return str(order.get("lastUpdatedTime") or "")


def order_id(order: dict) -> str | None:
    return _text(order.get("orderId")) or None


def rows(order: dict, tz) -> list[list[str]]:
    """The order as its order-report rows, one per item (cells in HEADERS order). A value of an
    unexpected type is left as its text: the profile's parsers report what they cannot read.

    Written for 10,000 orders a run (bench/pull.py): each object is looked up once, a cell that is
    already text (nearly all of them) is taken as it is, `_text` only for the rest."""
    text = _text
    get = order.get
    recipient = get("recipient")
    address = recipient.get("deliveryAddress") if recipient.__class__ is dict else None
    address = address if address.__class__ is dict else {}
    packages = get("packages")
    package = {}
    if packages.__class__ is list:
        for p in packages:
            if p.__class__ is dict and p.get("trackingNumber"):
                package = p
                break
    fulfillment = get("fulfillment")
    status = fulfillment.get("fulfillmentStatus") if fulfillment.__class__ is dict else None
    buyer = get("buyer")
    buyer = buyer.get("buyerName") if buyer.__class__ is dict else None
    oid = get("orderId")
    head = [oid if oid.__class__ is str else text(oid)]
    cells = [STATUS_WORDS.get(status, status) if status.__class__ is str else status,
             _local(get("createdTime"), tz), _local(get("lastUpdatedTime"), tz), buyer]
    cells += map(address.get, _ADDRESS)
    tail = [c if c.__class__ is str else text(c) for c in cells]
    parcel = [text(package.get("trackingNumber")), text(package.get("carrier"))]
    items = get("orderItems")
    out = []
    for item in (items if items.__class__ is list else None) or ({},):
        item = item if item.__class__ is dict else {}
        product = item.get("product")
        product = product if product.__class__ is dict else {}
        parts = {}
        proceeds = item.get("proceeds")
        breakdowns = proceeds.get("breakdowns") if proceeds.__class__ is dict else None
        if breakdowns.__class__ is list:
            for b in breakdowns:
                if b.__class__ is dict:
                    subtotal = b.get("subtotal")
                    parts[b.get("type")] = subtotal.get("amount") if subtotal.__class__ is dict else None
        qty = item.get("quantityOrdered")
        line = parts.get("ITEM")
        if line is None:  # the line's price as the report writes it: unit price × quantity
            line = _times(_get(product, "price", "unitPrice", "amount"), qty)
        # the report writes promotions as positive amounts taken off; the model does not say the
        # sign of a DISCOUNT subtotal, so its size is taken
        out.append(head + [text(item.get("orderItemId"))] + tail + [
            text(product.get("sellerSku")), text(product.get("title")), text(qty), text(line),
            text(parts.get("SHIPPING")), text(_size(parts.get("DISCOUNT")))] + parcel)
    return out


# the deliveryAddress fields, in the order of their HEADERS (recipient-name … ship-country)
_ADDRESS = ("name", "phone", "postalCode", "stateOrRegion", "city", "addressLine1", "addressLine2", "addressLine3",
            "countryCode")


def _get(obj, *keys):
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str:
    cls = value.__class__
    if cls is str:
        return value
    if value is None or cls is dict or cls is list:
        return ""
    if cls is bool:
        return "1" if value else "0"
    return str(value)


def _local(value, tz) -> str:
    """An API time (UTC, `Z`) in the profile's zone, as the report writes it
    (2026-11-28T10:15:00+09:00); a time that is no time is passed on for the profile to report."""
    if value.__class__ is not str:
        return _text(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(tz).isoformat()


def _times(amount, qty):
    try:
        return str(Decimal(str(amount)) * int(qty))
    except (InvalidOperation, ValueError, TypeError):
        return amount


def _size(amount):
    if amount is None:
        return None
    text = str(amount).strip()
    return text[1:] if text.startswith("-") else text
