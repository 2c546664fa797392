"""快递100 (Kuaidi100) real-time query: the signed form, its answers normalised to kefu's statuses.

Never retried by the batch: a provider's answer (400, 408, 500) or a credentials refusal (503,
601); retried: 5xx, timeouts, connection errors and malformed bodies.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

from kefu_cli.i18n import _
from kefu_cli.tracking.provider import ProviderError

# 快递100 `state` (and resultv2 sub-states) -> kefu status
K100_STATES = {
    "0": "in_transit", "1": "picked_up", "2": "exception", "3": "delivered", "4": "returned", "5": "out_for_delivery",
    "6": "returning", "7": "in_transit", "8": "customs", "10": "customs", "11": "customs", "12": "customs",
    "13": "customs", "14": "refused",
    "101": "pending", "102": "pending", "103": "picked_up", "1001": "in_transit", "1002": "in_transit",
    "1003": "in_transit", "501": "out_for_delivery", "301": "delivered", "302": "delivered", "303": "delivered",
    "304": "delivered", "401": "exception",
}
K100_ENDPOINT = "https://poll.kuaidi100.com/poll/query.do"


def normalise_state(state) -> str:
    s = str(state).strip()
    if s in K100_STATES:
        return K100_STATES[s]
    if len(s) == 3 and s.startswith("2"):
        return "exception"  # 201-210: problem kinds
    return "in_transit"


class Kuaidi100:
    """快递100 real-time query: POST form customer, sign, param; sign = MD5(param + key + customer),
    upper-case hex, over exactly the param string that is posted."""

    name = "kuaidi100"

    def __init__(self, customer: str, key: str, endpoint: str = K100_ENDPOINT):
        self._customer = customer
        self._key = key
        self.endpoint = endpoint
        self.host = urlsplit(endpoint).netloc or endpoint
        self._url = None  # httpx.URL(endpoint), parsed once rather than once per request

    def __repr__(self) -> str:  # never show the credentials
        return f"Kuaidi100(endpoint={self.endpoint!r})"

    @staticmethod
    def code_of(carrier) -> str:
        return carrier.kuaidi100

    def form(self, com: str, num: str, phone: str | None) -> dict[str, str]:
        param = {"com": com, "num": num, "resultv2": "4"}
        if phone:
            param["phone"] = phone
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        sign = hashlib.md5((text + self._key + self._customer).encode("utf-8")).hexdigest().upper()
        return {"customer": self._customer, "sign": sign, "param": text}

    async def query(self, client, num: str, com: str, phone: str | None) -> dict:
        import httpx

        if self._url is None:
            self._url = httpx.URL(self.endpoint)
        try:
            response = await client.post(self._url, data=self.form(com, num, phone))
        except httpx.TimeoutException:
            raise ProviderError("retry", _("{host} did not answer in time").format(host=self.host)) from None
        except httpx.DecodingError:  # a body that does not decode as its Content-Encoding says
            raise ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host)) from None
        except httpx.RequestError as exc:
            raise ProviderError("retry", _("cannot reach {host}: {error}").format(
                host=self.host, error=type(exc).__name__)) from None
        if response.status_code >= 500:
            raise ProviderError("retry", _("{host} answered HTTP {code}").format(host=self.host, code=response.status_code))
        try:
            body = response.json()
        except ValueError:
            raise ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host)) from None
        if not isinstance(body, dict):
            raise ProviderError("retry", _("{host} sent a malformed answer").format(host=self.host))
        if body.get("result") is False or "returnCode" in body:
            code = str(body.get("returnCode", ""))
            text = str(body.get("message", ""))[:200]
            if code in ("501", "502"):
                raise ProviderError("retry", _("provider busy ({code}): {text}").format(code=code, text=text), code)
            if code in ("503", "601"):
                raise ProviderError("credentials", _("the provider refused the credentials ({code}): {text}").format(
                    code=code, text=text), code)
            if code == "500":
                return {"status": "not_found", "status_text": text, "raw_state": None, "raw_code": code, "events": []}
            if code == "408":
                raise ProviderError("answer", _("phone check failed (408): pass the receiver's phone, last 4 digits"), code)
            raise ProviderError("answer", _("the provider rejected the query ({code}): {text}").format(
                code=code or "?", text=text), code or None)
        events = []
        for e in body.get("data") or []:
            if isinstance(e, dict):
                events.append({"time": e.get("ftime") or e.get("time"), "context": e.get("context"),
                               "location": e.get("location") or e.get("areaName"),
                               "status": normalise_state(e["status"]) if e.get("status") not in (None, "") and
                               str(e.get("status")).isdigit() else None})
        state = body.get("state")
        status = normalise_state(state) if state not in (None, "") else ("in_transit" if events else "not_found")
        return {"status": status, "status_text": events[0]["context"] if events else body.get("message"),
                "raw_state": None if state is None else str(state), "raw_code": str(body.get("status", "")) or None,
                "events": events}
