"""A local imitation of RMS 楽天ペイ受注API 2.0 (searchOrder, getOrder), for tests and bench/pull.py.

Where each answer's shape comes from (the official manual pages need an RMS login; their public
copies and real answers kept in public code were read, and the answers below are written by
hand in those shapes, with made-up shops, people and amounts):
- searchOrder 200: the manual page's sample "検索結果が取得できた場合" and happinesea/rws-lib's
  parser test fixture: {"orderNumberList": [...], "MessageModelList": [{"messageType": "INFO",
  "messageCode": "ORDER_EXT_API_SEARCH_ORDER_INFO_101", "message": "注文検索に成功しました。"}],
  "PaginationResponseModel": {"totalRecordsAmount", "totalPages", "requestPage"}}; no hit: INFO_102
  "注文検索に成功しました。(検索結果０件)" with nulls in the pagination model; bad parameters: HTTP 400,
  "orderNumberList": null, ERROR messages (ERROR_009 "dateTypeの項目を指定して下さい。", ERROR_011
  "startDatetimeの書式が不正です。"), "PaginationResponseModel": null. The rules the page states
  (endDatetime at most 63 days after startDatetime, 730 days back, requestRecordsAmount ≤ 1000)
  answer in that 400 shape; their own message codes are not in the public copies, so this
  imitation reuses ERROR_011's code for them (marked below).
- getOrder 200: the manual's getOrder / PurchaseItemAPI getOrderItem samples and a real answer
  logged in public PHP code (order 365811-…, orderProgress 500): MessageModelList INFO_101
  "受注情報取得に成功しました。(取得件数N件)", OrderModelList of OrderModel {orderNumber,
  orderProgress, orderDatetime "…+0900", deliveryDate, remarks, memo, goodsPrice, postagePrice,
  totalPrice, requestPrice, couponAllTotalPrice, PointModel {usedPoint}, PackageModelList [{basketId,
  SenderModel {zipCode1, zipCode2, prefecture, city, subAddress, familyName, firstName,
  phoneNumber1-3}, ItemModelList [{itemName, itemNumber, manageNumber, price, units,
  SkuModelList}], ShippingModelList [{shippingNumber, deliveryCompany, deliveryCompanyName,
  shippingDate}]}]}; an amount not settled yet is -9999 (getOrder field table).
- 401 for a wrong serviceSecret/licenseKey or an expired key: {"Results": {"errorCode": "ES01-01",
  "message": "Un-Authorised"}} (the ES01-01 "Un-Authorised" integrators' help pages quote, in the
  JSON shape logged in public test code).
Faults to inject: 5xx, a dropped connection, a malformed body.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from datetime import datetime, timedelta, timezone

from loopback import PacedServer

SECRET = "SP123456_never-printed"
LICENSE = "SL123456_never-printed"
JST = timezone(timedelta(hours=9))


def rms_order(n: int, ordered: datetime, progress: int = 300, items: int = 2, shipping: str | None = None,
              unsettled: bool = False) -> dict:
    """Order number `n` of shop 123456, placed at `ordered`, in the shape of the samples."""
    number = f"123456-{ordered.astimezone(JST):%Y%m%d}-{n:08d}"
    lines = [{"itemDetailId": 9500000 + n * 10 + k, "itemName": name, "itemId": 10000000 + k, "itemNumber": sku,
              "manageNumber": sku.lower(), "price": price, "units": units, "includePostageFlag": 0,
              "includeTaxFlag": 1, "selectedChoice": None, "inventoryType": 2, "taxRate": 0.1,
              "priceTaxIncl": price, "SkuModelList": [{"variantId": sku, "merchantDefinedSkuId": None, "skuInfo": None}]}
             for k, (name, sku, price, units) in enumerate(
                 [("北欧 パイン材 シングルベッド", "DS1205", 39800, 1), ("パイン材 チェスト 3段", "DS0305", 23600, 2)][:items])]
    goods = sum(i["price"] * i["units"] for i in lines)
    postage = 0 if goods >= 10000 else 800
    total = goods + postage
    order = {
        "orderNumber": number, "orderProgress": progress, "subStatusId": None, "subStatusName": None,
        "orderDatetime": ordered.astimezone(JST).strftime("%Y-%m-%dT%H:%M:%S%z"),
        "shopOrderCfmDatetime": None, "orderFixDatetime": None, "shippingInstDatetime": None,
        "shippingCmplRptDatetime": None, "cancelDueDate": None, "deliveryDate": "2026-12-12" if n % 3 == 0 else None,
        "shippingTerm": 0, "remarks": "[配送日時指定:]\n12月12日(土)" if n % 3 == 0 else None, "giftCheckFlag": 0,
        "severalSenderFlag": 0, "equalSenderFlag": 1, "isolatedIslandFlag": 0, "rakutenMemberFlag": 1,
        "orderType": 1, "goodsPrice": goods, "goodsTax": 0, "postagePrice": postage, "deliveryPrice": 0,
        "paymentCharge": 0, "totalPrice": total, "requestPrice": total - 500, "couponAllTotalPrice": 0,
        "couponShopPrice": 0, "couponOtherPrice": 0, "memo": None, "OrdererModel": {"prefecture": "東京都"},
        "SettlementModel": {"settlementMethod": "クレジットカード"}, "DeliveryModel": {"deliveryName": "宅配便"},
        "PointModel": {"usedPoint": 500}, "WrappingModel1": None, "WrappingModel2": None,
        "PackageModelList": [{
            "basketId": 383740000 + n, "postagePrice": postage, "deliveryPrice": 0, "goodsPrice": goods,
            "totalPrice": total, "noshi": None, "packageDeleteFlag": 0,
            "SenderModel": {"zipCode1": "163", "zipCode2": "8001", "prefecture": "東京都", "city": "新宿区",
                            "subAddress": "西新宿2-8-1", "familyName": "山田", "firstName": "花子",
                            "familyNameKana": "ヤマダ", "firstNameKana": "ハナコ", "phoneNumber1": "090",
                            "phoneNumber2": "1234", "phoneNumber3": f"{n % 10000:04d}"},
            "ItemModelList": lines,
            "ShippingModelList": [{"shippingDetailId": 139030000 + n, "shippingNumber": shipping,
                                   "deliveryCompany": "1001", "deliveryCompanyName": "ヤマト運輸",
                                   "shippingDate": "2026-11-22"}] if shipping else [],
            "DeliveryCvsModel": None}],
        "CouponModelList": None, "ChangeReasonModelList": [],
    }
    if unsettled:  # e.g. an order whose postage the shop has not confirmed yet
        order.update(postagePrice=-9999, totalPrice=-9999, requestPrice=-9999)
    return order


def _jst(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except (TypeError, ValueError):
        return None


class RmsServer(PacedServer):
    def __init__(self, orders: list[dict] | None = None, delay: float = 0.0):
        super().__init__()
        self.orders = {o["orderNumber"]: o for o in orders or []}
        self.delay = delay
        self.lock = threading.Lock()
        self.faults: list[str | None] = []  # the next answers' faults: "500", "503", "drop", "malformed"
        self.license = LICENSE  # the key RMS accepts now (change it: kefu's key expired)
        self.searches: list[dict] = []
        self.gets: list[list[str]] = []
        self._found: dict[tuple, tuple[list[dict], list[dict]]] = {}  # the last search's orders and result

    def env(self, shop: str | None = None) -> dict[str, str]:
        sfx = f"_{shop.upper()}" if shop else ""
        return {f"KEFU_RMS_SERVICE_SECRET{sfx}": SECRET, f"KEFU_RMS_LICENSE_KEY{sfx}": LICENSE,
                "KEFU_RMS_ENDPOINT": self.origin()}

    def change(self, number: str, **fields) -> None:
        with self.lock:
            order = copy.deepcopy(self.orders[number])
            order.update(fields)
            self.orders[number] = order

    @staticmethod
    def _http(code: int, body: dict | bytes) -> bytes:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return (f"HTTP/1.1 {code} X\r\nContent-Type: application/json;charset=utf-8\r\n"
                f"Content-Length: {len(raw)}\r\n\r\n").encode() + raw

    async def _answer(self, request):
        with self.lock:
            fault = self.faults.pop(0) if self.faults else None
        if fault == "drop":
            return None
        if fault in ("500", "503"):
            return self._http(int(fault), b"<html><body>Service Unavailable</body></html>"), True
        if fault == "malformed":
            return self._http(200, b'{"OrderModelList": [{"orderNumber": '), True
        expected = "ESA " + base64.b64encode(f"{SECRET}:{self.license}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return self._http(401, {"Results": {"errorCode": "ES01-01", "message": "Un-Authorised"}}), True
        try:
            body = json.loads(request.body)
        except ValueError:
            body = None
        if request.method != "POST":
            return self._http(405, b""), True
        if request.path == "/es/2.0/order/searchOrder/":
            return self._search(body if isinstance(body, dict) else {}), True
        if request.path == "/es/2.0/order/getOrder/":
            return self._get(body if isinstance(body, dict) else {}), True
        return self._http(404, b""), True

    def _error(self, *messages: tuple[str, str]) -> bytes:
        return self._http(400, {"orderNumberList": None, "MessageModelList": [
            {"messageType": "ERROR", "messageCode": code, "message": text} for code, text in messages],
            "PaginationResponseModel": None})

    def _search(self, body: dict) -> bytes:
        with self.lock:
            self.searches.append(body)
        errors = []
        if "dateType" not in body:
            errors.append(("ORDER_EXT_API_SEARCH_ORDER_ERROR_009", "dateTypeの項目を指定して下さい。"))
        start, end = _jst(body.get("startDatetime")), _jst(body.get("endDatetime"))
        if start is None:
            errors.append(("ORDER_EXT_API_SEARCH_ORDER_ERROR_011", "startDatetimeの書式が不正です。"))
        if errors:
            return self._error(*errors)
        # the manual's rules; their own codes are not in the public copies (ERROR_011's is reused)
        if end is None or end - start > timedelta(days=63) or end < start:
            return self._error(("ORDER_EXT_API_SEARCH_ORDER_ERROR_011", "endDatetimeは開始日から63日以内で指定して下さい。"))
        if start < datetime.now(timezone.utc) - timedelta(days=730):
            return self._error(("ORDER_EXT_API_SEARCH_ORDER_ERROR_011", "startDatetimeは過去730日以内で指定して下さい。"))
        paging = body.get("PaginationRequestModel") or {}
        size, page = int(paging.get("requestRecordsAmount", 30)), int(paging.get("requestPage", 1))
        if not 1 <= size <= 1000:
            return self._error(("ORDER_EXT_API_SEARCH_ORDER_ERROR_011", "requestRecordsAmountは1000以下で指定して下さい。"))
        statuses = body.get("orderProgressList")
        with self.lock:
            chosen = self._chosen(start, end, statuses)
        if not chosen:
            return self._http(200, {"orderNumberList": [], "MessageModelList": [
                {"messageType": "INFO", "messageCode": "ORDER_EXT_API_SEARCH_ORDER_INFO_102",
                 "message": "注文検索に成功しました。(検索結果０件)"}],
                "PaginationResponseModel": {"totalRecordsAmount": None, "totalPages": None, "requestPage": None}})
        numbers = [o["orderNumber"] for o in chosen[(page - 1) * size:page * size]]
        return self._http(200, {"orderNumberList": numbers, "MessageModelList": [
            {"messageType": "INFO", "messageCode": "ORDER_EXT_API_SEARCH_ORDER_INFO_101", "message": "注文検索に成功しました。"}],
            "PaginationResponseModel": {"totalRecordsAmount": len(chosen), "totalPages": -(-len(chosen) // size),
                                        "requestPage": page}})

    def _chosen(self, start: datetime, end: datetime, statuses) -> list[dict]:
        """The orders a search finds, sorted; kept while the orders are the same objects (each page
        of a search asks again: sorting 10,000 orders a page would be most of a 50 ms answer)."""
        orders = list(self.orders.values())
        key = (start, end, tuple(statuses or ()))
        kept = self._found.get(key)
        if kept is not None and len(kept[0]) == len(orders) and all(a is b for a, b in zip(kept[0], orders)):
            return kept[1]
        chosen = sorted((o for o in orders
                         if start <= _jst(o["orderDatetime"]) <= end and (not statuses or o["orderProgress"] in statuses)),
                        key=lambda o: (o["orderDatetime"], o["orderNumber"]))[:15000]
        self._found = {key: (orders, chosen)}
        return chosen

    def _get(self, body: dict) -> bytes:
        numbers = body.get("orderNumberList")
        if not isinstance(numbers, list) or not 1 <= len(numbers) <= 100:
            return self._http(400, {"MessageModelList": [{"messageType": "ERROR", "messageCode":
                                    "ORDER_EXT_API_GET_ORDER_ERROR_001", "message": "orderNumberListは1件以上100件以下で指定して下さい。"}],
                                    "OrderModelList": None})
        with self.lock:
            self.gets.append(list(numbers))
            found = [copy.deepcopy(self.orders[n]) for n in numbers if n in self.orders]
        messages = [{"messageType": "INFO", "messageCode": "ORDER_EXT_API_GET_ORDER_INFO_101",
                     "message": f"受注情報取得に成功しました。(取得件数{len(found)}件)"}] if found else []
        messages += [{"messageType": "INFO", "messageCode": "ORDER_EXT_API_GET_ORDER_INFO_102",
                      "message": "受注情報が取得できませんでした。", "orderNumber": n} for n in numbers if n not in self.orders]
        return self._http(200, {"MessageModelList": messages, "OrderModelList": found, "version": body.get("version")})
