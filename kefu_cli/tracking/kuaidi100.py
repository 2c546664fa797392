"""快递100 (Kuaidi100) real-time query: the signed form, its answers normalised to kefu's statuses.

Sources: the real-time query documentation (api.kuaidi100.com, 实时快递查询接口) and the official
SDK's response classes (kuaidi100-api/java-demo: QueryTrackResp, QueryTrackData,
QueryTrackRouteInfo). kefu asks with resultv2=4, so each event carries `status` as a *name*
("干线", "派件", "签收") and its number in `statusCode` ("1002"), with `areaCode`, `areaName`,
`areaCenter`, `areaPinYin` and `location`; the answer adds `routeInfo` {from, cur, to} and
`isLoop`. A failure is {"result": false, "returnCode": "...", "message": "..."}.

returnCode, as documented and as seen in public code: 400 the carrier or the number is not
accepted ("不支持此快递公司", "找不到对应公司") — or, by its message, the account is (a wrong customer,
no quota); 408 the phone check failed; 500 no result yet; 501/502 the server failed or is busy
(retried); 503 the sign check failed (key or customer wrong); 601 the key expired or the quota is
used up ("key过期", "查询次数已达上限"). 503, 601 and an account 400 fail every waybill the same way,
so the batch stops asking and the run exits 3 with the fix.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

from kefu_cli.i18n import _
from kefu_cli.tracking.batch import fetch
from kefu_cli.tracking.provider import ProviderError, http_busy, json_object, malformed, rejected

# 快递100 `state` and the resultv2 sub-states (`statusCode`) -> kefu status
K100_STATES = {
    "0": "in_transit", "1001": "in_transit", "1002": "in_transit", "1003": "in_transit",  # 在途: 到达派件城市, 干线, 转递
    "1": "picked_up", "101": "pending", "102": "pending", "103": "picked_up",  # 揽收: 已下单, 待揽收, 已揽收
    "5": "out_for_delivery", "501": "out_for_delivery",  # 派件: 投柜或驿站
    "3": "delivered", "301": "delivered", "302": "delivered", "303": "delivered", "304": "delivered",  # 签收
    "6": "returning",  # 退回
    "4": "returned", "401": "exception",  # 退签; 401 已销单: the waybill was cancelled
    "7": "in_transit",  # 转投
    "2": "exception", "201": "exception", "202": "exception", "203": "refused", "204": "exception",  # 疑难: 203 拒收
    "205": "exception", "206": "exception", "207": "exception", "208": "exception", "209": "exception",
    "210": "exception",
    "8": "customs", "10": "customs", "11": "customs", "12": "customs", "13": "exception",  # 清关; 13 清关异常
    "14": "refused",  # 拒签
}
# the names resultv2=4 puts in an event's `status`, for an event without a statusCode
K100_NAMES = {
    "在途": "0", "到达派件城市": "1001", "干线": "1002", "转递": "1003", "揽收": "1", "已下单": "101",
    "待揽收": "102", "已揽收": "103", "派件": "5", "投柜或驿站": "501", "签收": "3", "本人签收": "301",
    "派件异常后签收": "302", "代签": "303", "投柜或站签收": "304", "退回": "6", "退签": "4", "已销单": "401",
    "转投": "7", "疑难": "2", "拒收": "203", "清关": "8", "待清关": "10", "清关中": "11", "已清关": "12",
    "清关异常": "13", "拒签": "14",
}
K100_ENDPOINT = "https://poll.kuaidi100.com/poll/query.do"
# the older answer's `status` when it is not "200": 201 the number is unknown or expired, 0 no result
# yet (both the waybill's not_found); 2 the interface failed (retried); the rest are returnCodes
_OLD_STATUS = {"201": "500", "0": "500", "2": "502"}
# a context's words -> 快递100 state, for an event that has neither statusCode nor status
_CONTEXT_WORDS = (("拒收", "203"), ("拒签", "14"), ("退签", "4"), ("退回", "6"), ("已签收", "3"), ("签收", "3"),
                  ("代收", "304"), ("派件", "5"), ("派送", "5"), ("揽收", "1"), ("揽件", "1"), ("已收件", "1"),
                  ("清关", "8"))
_ACCOUNT_WORDS = ("customer", "授权", "key", "余额", "套餐", "次数", "账号", "账户", "权限", "欠费")


def normalise_state(state) -> str:
    s = str(state).strip()
    s = K100_NAMES.get(s, s)
    if s in K100_STATES:
        return K100_STATES[s]
    if len(s) == 3 and s.startswith("2"):
        return "exception"  # 2xx: a problem kind not listed yet
    return "exception"  # a state 快递100 has not documented: looked at, never read as in transit


class Kuaidi100:
    """快递100 real-time query: POST form customer, sign, param; sign = MD5(param + key + customer),
    upper-case hex, over exactly the param string that is posted."""

    name = "kuaidi100"
    batch_size = 1
    rate = 10.0  # requests a second by default (no documented per-second limit); --rate overrides
    CUSTOMER_VAR, KEY_VAR, ENDPOINT_VAR = "KEFU_KUAIDI100_CUSTOMER", "KEFU_KUAIDI100_KEY", "KEFU_KUAIDI100_ENDPOINT"

    def __init__(self, customer: str, key: str, endpoint: str = K100_ENDPOINT):
        self._customer = customer
        self._key = key
        self.endpoint = endpoint
        self.host = urlsplit(endpoint).netloc or endpoint

    def __repr__(self) -> str:  # never show the credentials
        return f"Kuaidi100(endpoint={self.endpoint!r})"

    @staticmethod
    def code_of(carrier) -> str:
        return carrier.kuaidi100

    def form(self, com: str, num: str, phone: str | None, origin: str | None = None,
             destination: str | None = None) -> dict[str, str]:
        param = {"com": com, "num": num, "resultv2": "4"}
        if phone:
            param["phone"] = phone
        if origin:
            param["from"] = origin  # 出发地, 省市: helps 快递100 tell when it is signed
        if destination:
            param["to"] = destination
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        sign = hashlib.md5((text + self._key + self._customer).encode("utf-8")).hexdigest().upper()
        return {"customer": self._customer, "sign": sign, "param": text}

    async def query(self, client, q) -> dict:
        status, _headers, raw = await fetch(client, self.host, "POST", self.endpoint,
                                            data=self.form(q.com, q.waybill, q.phone, q.origin, q.destination))
        if status >= 500:
            raise http_busy(self.host, status)
        body = json_object(self.host, raw)
        if body.get("result") is False or "returnCode" in body:
            return self._failure(str(body.get("returnCode", "")), str(body.get("message", ""))[:200])
        status = str(body.get("status", "200")).strip()
        if status != "200":
            # the older answer: no result/returnCode, its `status` says why (201 单号不存在或者已经过期)
            return self._failure(_OLD_STATUS.get(status, status), str(body.get("message", ""))[:200])
        try:
            return self._answer(body)
        except (TypeError, ValueError, AttributeError, KeyError):  # a field of the wrong kind: this waybill's
            raise malformed(self.host, "answer") from None

    def _failure(self, code: str, text: str) -> dict:
        """A returnCode: a result (500: no result yet) or the ProviderError it means."""
        if code in ("501", "502"):
            raise ProviderError("retry", _("provider busy ({code}): {text}").format(code=code, text=text), code)
        if code == "503":
            raise ProviderError("credentials", _("快递100 refused the sign ({code}): {text}").format(code=code, text=text),
                                code, _("check {customer} and {key}").format(customer=self.CUSTOMER_VAR,
                                                                             key=self.KEY_VAR))
        if code == "601" or (code == "400" and any(w in text.lower() for w in _ACCOUNT_WORDS)):
            raise ProviderError("account", _("快递100 refused the account ({code}): {text}").format(code=code, text=text),
                                code, _("top up the 快递100 account or renew its key, and check {customer}").format(
                                    customer=self.CUSTOMER_VAR))
        if code == "500":  # no result yet, or (the older answer's 201) the number is unknown or expired
            return {"status": "not_found", "status_text": text, "raw_state": None, "raw_code": code, "events": []}
        if code == "408":
            raise ProviderError("answer", _("phone check failed (408): pass the receiver's phone, last 4 digits"), code)
        raise rejected(code or "?", text, code or None)

    @staticmethod
    def _answer(body: dict) -> dict:
        events = []
        for e in body.get("data") or []:
            if not isinstance(e, dict):
                continue
            code = str(e.get("statusCode") or "").strip() or None
            name = str(e.get("status") or "").strip() or None
            if code is None and name is not None:  # resultv2=1 answers: a name, or an older number
                code = name if name.isdigit() else K100_NAMES.get(name)
            derived = None
            if code is None:  # neither: the context's words, else the documented state (the newest
                # event is where the parcel is; an older one was in transit, 0 在途, since it moved on)
                context = str(e.get("context") or "")
                derived = next((c for word, c in _CONTEXT_WORDS if word in context), None)
                if derived is None:
                    state = str(body.get("state") or "").strip()
                    derived = (state or None) if not events else "0"
            events.append({"time": e.get("ftime") or e.get("time"), "context": e.get("context"),
                           "location": e.get("location") or e.get("areaName"),
                           "status": normalise_state(code or derived) if (code or derived) else None,
                           "status_name": name if name and not name.isdigit() else None, "raw_status": code,
                           "area": e.get("areaName"), "area_code": e.get("areaCode")})
        state = body.get("state")
        latest = (events[0]["raw_status"] or None) if events else None
        # the latest event's sub-state is the more exact one (203 拒收 under 2 疑难)
        status = normalise_state(latest or state) if (latest or state not in (None, "")) else (
            "in_transit" if events else "not_found")
        return {"status": status, "status_text": events[0]["context"] if events else body.get("message"),
                "raw_state": None if state is None else str(state), "raw_code": latest or (str(body.get("status", "")) or None),
                "events": events}
