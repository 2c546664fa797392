"""Rakuten through RMS 楽天ペイ受注API 2.0: `searchOrder` for the order numbers, then `getOrder`
for the orders, up to 100 numbers a call.

Sources: the RMS WEB SERVICE manual pages searchOrder and getOrder (login-walled; their public
copies in public code): `Authorization: ESA Base64(serviceSecret:licenseKey)`, JSON POST bodies,
`dateType` required (1 注文日 … 6 決済確定日; none is "last updated"), `startDatetime` within the last
730 days and `endDatetime` at most 63 days after it, `YYYY-MM-DDThh:mm:ss+0900`,
`PaginationRequestModel` (requestRecordsAmount ≤ 1000, requestPage, SortModelList), no number past
the 15,000th, MessageModelList INFO_101 / INFO_102 (no hit) / ERROR_0xx with HTTP 400; getOrder's
`orderNumberList` (≤ 100) and `version`, OrderModelList with undetermined amounts as -9999.
An expired licenseKey (every 90 days) or a wrong secret: HTTP 401 with
`{"Results": {"errorCode": "ES01-01", "message": "Un-Authorised"}}` (as logged in public code and
the integrators' help pages). No official rate: one request a second, as integrators advise.

Changes: RMS has no "updated since" search. Each run asks for the orders placed in its window
(dateType 1) and for the orders still open (orderProgressList 100-800) placed in the
`lookback_days` before it (shop.toml [pull.rakuten], default 14), and prints an order when the
hash of its record differs from the one printed last.

An order becomes the rows of RMS's order CSV (注文データダウンロード: one row per item, its
headers, its status words, times as the CSV writes them) and config/platforms/rakuten.toml reads
them as it reads that CSV: one mapping, the profile's.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta

from kefu_cli.errors import UpstreamError
from kefu_cli.http import ProviderError
from kefu_cli.i18n import _
from kefu_cli.pull.common import Api, credentials, endpoint, record_hash

PLATFORM = "rakuten"
SECRET, LICENSE = "KEFU_RMS_SERVICE_SECRET", "KEFU_RMS_LICENSE_KEY"
ENDPOINT_VAR = "KEFU_RMS_ENDPOINT"
ENDPOINT = "https://api.rms.rakuten.co.jp"
LAG = timedelta(0)
SPAN = timedelta(days=63)  # the longest window searchOrder takes
PAGE = 1000  # requestRecordsAmount at most
BATCH = 100  # getOrder's orderNumberList at most
MOST = 15_000  # searchOrder returns no number past this one
VERSION = 10  # getOrder's latest version (10: ソーシャルギフト対応)
OPEN = [100, 200, 300, 400, 500, 600, 800]  # every status but 支払手続き済 (700) and キャンセル確定 (900)
UNSETTLED = -9999  # an amount RMS has not settled yet

# the CSV's headers this mapping writes, in this order (config/platforms/rakuten.toml)
HEADERS = ["注文番号", "ステータス", "注文日時", "商品合計金額", "送料合計", "請求金額", "合計金額", "ポイント利用額",
           "クーポン利用総額", "送付先郵便番号1", "送付先郵便番号2", "送付先住所都道府県", "送付先住所郡市区",
           "送付先住所それ以降の住所", "送付先姓", "送付先名", "送付先電話番号1", "送付先電話番号2", "送付先電話番号3",
           "商品名", "商品番号", "単価", "個数", "お届け日指定", "お荷物伝票番号", "配送会社", "コメント", "ひとことメモ"]
# orderProgress -> the CSV's ステータス word (searchOrder's table of statuses)
STATUS_WORDS = {100: "注文確認待ち", 200: "楽天処理中", 300: "発送待ち", 400: "変更確定待ち", 500: "発送済",
                600: "支払手続き中", 700: "支払手続き済", 800: "キャンセル確定待ち", 900: "キャンセル確定"}
# order amounts -> the CSV's header and the record's field (the ones -9999 may stand in)
AMOUNTS = {"goodsPrice": ("商品合計金額", "goods_amount"), "postagePrice": ("送料合計", "shipping_fee"),
           "requestPrice": ("請求金額", "paid"), "totalPrice": ("合計金額", "total"),
           "couponAllTotalPrice": ("クーポン利用総額", "platform_discount")}


class Rms(Api):
    host = "api.rms.rakuten.co.jp"
    plans = {"rms": (1.0, 1)}  # searchOrder and getOrder share it

    def __init__(self, secret: str, key: str, base: str, lookback: int, rate, timeout):
        super().__init__(rate, timeout)
        self.auth = "ESA " + base64.b64encode(f"{secret}:{key}".encode()).decode()
        self.base = base.rstrip("/")
        self.lookback = timedelta(days=lookback)

    def classify(self, status, body, headers):
        messages = (body or {}).get("MessageModelList")
        first = messages[0] if isinstance(messages, list) and messages and isinstance(messages[0], dict) else {}
        results = (body or {}).get("Results") if isinstance((body or {}).get("Results"), dict) else {}
        code = str(first.get("messageCode") or results.get("errorCode") or status)
        text = str(first.get("message") or results.get("message") or "")[:300]
        if status == 200 and first.get("messageType") != "ERROR":
            return None
        if status == 429 or status >= 500:
            return ProviderError("retry", _("{host} answered HTTP {code}").format(host=self.host, code=status), code)
        if status in (401, 403) or code.startswith("ES01"):
            return ProviderError("credentials", _("RMS refused the credentials ({code}): {text}").format(
                code=code, text=text), code, _("issue a new licenseKey in RMS (WEB APIサービス → 利用設定; it expires "
                                              "every 90 days) and set KEFU_RMS_LICENSE_KEY; check KEFU_RMS_SERVICE_SECRET "
                                              "and that searchOrder and getOrder are enabled for the app"))
        if status == 400 or first.get("messageType") == "ERROR":
            return ProviderError("answer", _("RMS rejected the request ({code}): {text}").format(
                code=code, text=text), "usage", _("check --since/--until (RMS reads the last 730 days)"))
        return ProviderError("retry", _("{host} answered HTTP {code}").format(host=self.host, code=status), code)

    async def post(self, http, what: str, path: str, body: dict) -> dict:
        return await self.ask(http, "rms", "POST", f"{self.base}/es/2.0/order/{path}/", what,
                              headers={"Authorization": self.auth, "Content-Type": "application/json; charset=utf-8"},
                              content=json.dumps(body).encode())

    async def numbers(self, http, start: datetime, end: datetime, statuses: list[int] | None) -> list[str]:
        """Every order number searchOrder gives for orders placed in [start, end], ≤ 63 days a call."""
        found: list[str] = []
        while start < end:
            stop = min(end, start + SPAN)
            page = 1
            while True:
                body = {"dateType": 1, "startDatetime": _rms(start), "endDatetime": _rms(stop),
                        "PaginationRequestModel": {"requestRecordsAmount": PAGE, "requestPage": page,
                                                   "SortModelList": [{"sortColumn": 1, "sortDirection": 1}]}}
                if statuses:
                    body["orderProgressList"] = statuses
                answer = await self.post(http, _("searchOrder page {page}").format(page=page), "searchOrder", body)
                numbers = answer.get("orderNumberList") or []
                paging = answer.get("PaginationResponseModel") or {}
                if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers) or not isinstance(
                        paging, dict):
                    raise UpstreamError(_("searchOrder page {page}: {error}").format(
                        page=page, error=_("{host} sent a malformed answer").format(host=self.host)),
                        hint=_("run again later (the cursor did not move)"))
                total = paging.get("totalRecordsAmount")
                if isinstance(total, int) and total > MOST:
                    raise UpstreamError(_("searchOrder: {count} orders from {start} to {end}, more than RMS lists "
                                          "({most})").format(count=total, start=_rms(start), end=_rms(stop), most=MOST),
                                        hint=_("pull a shorter window: --since and --until"))
                found += numbers
                pages = paging.get("totalPages")
                if not numbers or not isinstance(pages, int) or page >= pages:
                    break
                page += 1
            start = stop
        return found

    async def orders(self, http, after: datetime, before: datetime):
        """The OrderModels of the orders placed in [after, before] and of the open ones placed in
        the lookback before it, 100 a page (one getOrder answer)."""
        oldest = before - timedelta(days=729)  # searchOrder reads the last 730 days
        numbers = await self.numbers(http, max(after, oldest), before, None)
        if self.lookback and after > oldest:
            numbers += await self.numbers(http, max(after - self.lookback, oldest), after, OPEN)
        numbers = list(dict.fromkeys(numbers))
        for i in range(0, len(numbers), BATCH):
            chunk = numbers[i:i + BATCH]
            what = _("getOrder {first}…").format(first=chunk[0])
            answer = await self.post(http, what, "getOrder", {"orderNumberList": chunk, "version": VERSION})
            models = answer.get("OrderModelList")
            if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
                raise UpstreamError(_("{what}: {error}").format(what=what, error=_("{host} sent a malformed answer").format(
                    host=self.host)), hint=_("run again later (the cursor did not move)"))
            yield models


def _rms(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%dT%H:%M:%S%z")


def source(config, environ, shop: str | None, rate, timeout) -> Rms:
    settings = config.raw["shop.toml"].get("pull", {}).get(PLATFORM, {})
    creds = credentials(environ, (SECRET, LICENSE), shop, "RMS")
    lookback = settings.get("lookback_days", 14)
    return Rms(creds[SECRET], creds[LICENSE], endpoint(environ, ENDPOINT_VAR, shop, settings, "endpoint", ENDPOINT),
               lookback, rate, timeout)


def order_id(order: dict) -> str | None:
    return _text(order.get("orderNumber")) or None


def version(_order: dict, record: dict) -> str:
    """RMS gives no version: the hash of the record (pull/common.record_hash)."""
    return record_hash(record)


def rows(order: dict, tz) -> list[list[str]]:
    """The order as the CSV's rows, one per item of every package (cells in HEADERS order); the
    receiver, waybill and carrier of the first package. -9999 is written as an empty cell (the
    amount is not known yet; `annotate` says so in the record).

    Written for 10,000 orders a run (bench/pull.py): each object is looked up once and the order's
    cells are written once, in HEADERS order, each item filling in its own four; a cell that is
    already text (most of them) is taken as it is, `_text` only for the rest."""
    text = _text
    get = order.get
    packages = [p for p in _list(get("PackageModelList")) if isinstance(p, dict)]
    first = packages[0] if packages else {}
    sender = first.get("SenderModel")
    sender = sender if isinstance(sender, dict) else {}
    shipping = next((s for p in packages for s in _list(p.get("ShippingModelList"))
                     if isinstance(s, dict) and s.get("shippingNumber")), {})
    point = get("PointModel")
    point = point if isinstance(point, dict) else {}
    progress = get("orderProgress")
    # a list or an object where RMS writes a number is written as it came (the reader names the
    # unknown status in the record's problems), never looked up as a key
    status = STATUS_WORDS.get(progress, progress) if not isinstance(progress, (dict, list)) else _json(progress)
    cells = [get("orderNumber"), status, _local(get("orderDatetime"), tz)]
    cells += ["" if v == UNSETTLED else v for v in (get("goodsPrice"), get("postagePrice"), get("requestPrice"),
                                                    get("totalPrice"), point.get("usedPoint"),
                                                    get("couponAllTotalPrice"))]
    cells += map(sender.get, _SENDER)
    head = [c if c.__class__ is str else text(c) for c in cells]
    tail = [c if c.__class__ is str else text(c) for c in (
        get("deliveryDate"), shipping.get("shippingNumber"), shipping.get("deliveryCompanyName"), get("remarks"),
        get("memo"))]
    items = [i for p in packages for i in _list(p.get("ItemModelList")) if isinstance(i, dict)] or [{}]
    out = []
    for item in items:
        at = item.get
        price = at("price")
        out.append(head + [c if c.__class__ is str else text(c) for c in (
            at("itemName"), at("itemNumber"), "" if price == UNSETTLED else price, at("units"))] + tail)
    return out


# the SenderModel fields, in the order of their HEADERS (送付先郵便番号1 … 送付先電話番号3)
_SENDER = ("zipCode1", "zipCode2", "prefecture", "city", "subAddress", "familyName", "firstName", "phoneNumber1",
           "phoneNumber2", "phoneNumber3")
# HEADERS as `rows` writes them: the order's cells up to the phone numbers, an item's four
# (商品名, 商品番号, 単価, 個数), then the order's last five
assert HEADERS.index("商品名") == 19 and HEADERS.index("個数") == 22 and len(HEADERS) == 28


def annotate(order: dict, record: dict) -> None:
    """Amounts RMS has not settled (-9999) are empty in the record: a problem says which."""
    get = order.get
    for name, (header, field) in AMOUNTS.items():
        if get(name) == UNSETTLED:
            from kefu_cli.orders.reader import problem

            record["problems"].append(problem(None, header, field, "unsettled_amount", UNSETTLED))


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str:
    cls = value.__class__
    if cls is str:
        return value
    if cls is int:  # not a bool: its own class
        return str(value)
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _local(value, tz):
    """2026-11-28T14:03:22+0900 as the CSV writes it: 2026-11-28 14:03:22 in the profile's zone.
    The shape RMS writes is read by datetime.fromisoformat (a third of strptime's time), anything
    else by strptime, so both read exactly what `%Y-%m-%dT%H:%M:%S%z` reads."""
    if not isinstance(value, str):
        return value
    try:
        moment = _fromiso(value) if _RMS_TIME.fullmatch(value) else datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return value
    moment = moment.astimezone(tz)
    if moment.year < 1000:  # strftime writes such a year short; isoformat pads it
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.isoformat(" ", "seconds")[:19]  # the same text, a third of strftime's time


_RMS_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}[0-5][0-9]", re.ASCII)
_fromiso = datetime.fromisoformat
