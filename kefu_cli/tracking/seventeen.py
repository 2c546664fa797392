"""17TRACK (API v2.2): the provider for Japan's domestic carriers, which 快递100 does not cover.

Why 17TRACK: its public API tracks Yamato (carrier key 100062), Sagawa (100040) and Japan Post
(10021) by number, in batches of up to 40, with one status vocabulary; 快递100 has no code for
Yamato and its `sagawa`/`japanposten` codes are not shown to serve domestic numbers.

Sources: the v2.2 documentation (api.17track.net: register, gettrackinfo, header `17token`, 40
numbers a request, registering returns no events yet), the response model of a public Go SDK
(wksw/17track-golang-sdk, models/v2/track.go: accepted/rejected, track_info.latest_status
{status, sub_status}, tracking.providers[].events {time_iso, time_utc, description, location,
stage}), 17TRACK's error table as copied in public code (-18010002 token invalid, -18019902 not
registered, -18019908 quota, …) and its carrier list (the keys above).

Flow per batch: gettrackinfo; numbers it rejects as not registered (-18019902) are registered in
one more request and come back as `pending` ("registered: events from the next run"). Account
errors (token, IP whitelist, disabled, daily limit, quota) fail the batch the same way for every
number: ProviderError kind `credentials` or `account`, and the run exits 3 with the fix.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kefu_cli.i18n import _
from kefu_cli.tracking.batch import fetch
from kefu_cli.tracking.provider import ProviderError, http_busy, json_object, malformed, rejected

ENDPOINT = "https://api.17track.net/track/v2.2"
# latest_status.status / event stage (and a few sub-statuses) -> kefu status
STATUS = {
    "NotFound": "not_found", "InfoReceived": "pending", "InTransit": "in_transit", "Expired": "exception",
    "AvailableForPickup": "out_for_delivery", "OutForDelivery": "out_for_delivery", "DeliveryFailure": "exception",
    "Delivered": "delivered", "Exception": "exception",
    "InTransit_PickedUp": "picked_up", "InTransit_CustomsProcessing": "customs",
    "InTransit_CustomsRequiringInformation": "customs", "InTransit_CustomsReleased": "in_transit",
    "Exception_Returning": "returning", "Exception_Returned": "returned", "Exception_Rejected": "refused",
}
TOKEN_CODES = {-18010001, -18010002, -18010004, -18010005}  # IP whitelist, token, disabled, unauthorised
QUOTA_CODES = {-18019907, -18019908}  # daily request limit, quota used up
RETRY_CODES = {-18010003, -18010014}  # internal error, request limit per second
NOT_REGISTERED, ALREADY_REGISTERED, NO_INFO = -18019902, -18019901, -18019909


def _list(value) -> list:
    return value if isinstance(value, list) else []


def status_of(status: str | None, sub_status: str | None = None) -> str:
    return STATUS.get(sub_status or "") or STATUS.get(status or "") or "in_transit"


class SeventeenTrack:
    name = "17track"
    batch_size = 40
    rate = 3.0  # requests a second one key may make (17TRACK's documented limit); --rate overrides
    TOKEN_VAR, ENDPOINT_VAR = "KEFU_17TRACK_TOKEN", "KEFU_17TRACK_ENDPOINT"

    def __init__(self, token: str, endpoint: str = ENDPOINT):
        self._token = token
        self.endpoint = endpoint.rstrip("/")
        self.host = urlsplit(endpoint).netloc or endpoint

    def __repr__(self) -> str:  # never show the token
        return f"SeventeenTrack(endpoint={self.endpoint!r})"

    @staticmethod
    def code_of(carrier):
        return carrier.seventeen_track or None

    async def _post(self, client, path: str, numbers: list[dict]) -> dict:
        """One request; the answer's `data` ({accepted, rejected}) or a ProviderError."""
        status, _headers, raw = await fetch(client, self.host, "POST", f"{self.endpoint}/{path}", json=numbers,
                                            headers={"17token": self._token})
        if status == 401:
            raise self._refused("401", _("unauthorized"))
        if status == 429 or status >= 500:
            raise http_busy(self.host, status)
        body = json_object(self.host, raw)
        data = body.get("data")
        if not isinstance(data, dict):
            raise malformed(self.host)
        code = body.get("code")
        if code not in (0, None):
            errors = _list(data.get("errors")) or [{}]
            first = errors[0] if isinstance(errors[0], dict) else {}
            code = first.get("code", code)
            text = str(first.get("message", ""))[:200]
            if code in TOKEN_CODES or code in QUOTA_CODES:
                raise self._refused(str(code), text)
            if code in RETRY_CODES:
                raise ProviderError("retry", _("provider busy ({code}): {text}").format(code=code, text=text), str(code))
            raise rejected(code, text, str(code))
        return data

    def _refused(self, code: str, text: str) -> ProviderError:
        quota = code in {str(c) for c in QUOTA_CODES}
        return ProviderError(
            "account" if quota else "credentials",
            _("17TRACK refused the account ({code}): {text}").format(code=code, text=text), code,
            _("buy more 17TRACK quota or wait for tomorrow's") if quota else
            _("check {token} (and the IP whitelist of the 17TRACK key)").format(token=self.TOKEN_VAR))

    async def query_many(self, client, queries) -> list:
        """One result or ProviderError per query, in order."""
        # a number without a carrier key is left to 17TRACK's auto-detection (v2.2: `carrier` optional)
        payload = [{"number": q.waybill, "carrier": q.com} if q.com else {"number": q.waybill} for q in queries]
        asked = {q.waybill: q.com for q in queries}
        data = await self._post(client, "gettrackinfo", payload)
        out: dict[str, object] = {}
        for item in _list(data.get("accepted")):
            if isinstance(item, dict) and isinstance(item.get("number"), str):
                number, key = item["number"], item.get("carrier")
                want = asked.get(number)
                if want and key not in (None, "") and str(key) != str(want):
                    # the answer is another carrier's parcel: said, never taken as the one asked
                    out[number] = ProviderError("answer", _(
                        "17TRACK answered for carrier {got}, not the {asked} asked: the number may be another "
                        "carrier's — check the order's carrier").format(got=key, asked=want), str(key))
                    continue
                try:
                    out[number] = self._answer(item.get("track_info"))
                    out[number]["carrier_key"] = key
                except (TypeError, ValueError, AttributeError, KeyError):  # this number's answer is malformed
                    out[number] = malformed(self.host, "answer")
        unregistered = []
        for item in _list(data.get("rejected")):
            if not isinstance(item, dict) or not isinstance(item.get("number"), str):
                continue
            error = item.get("error") if isinstance(item.get("error"), dict) else {}
            code, text = error.get("code"), str(error.get("message", ""))[:200]
            if code == NOT_REGISTERED:
                unregistered.append(item["number"])
            elif code == NO_INFO:
                out[item["number"]] = {"status": "not_found", "status_text": text, "raw_state": None,
                                       "raw_code": str(code), "events": []}
            else:
                out[item["number"]] = rejected(code, text, str(code))
        if unregistered:
            out.update(await self._register(client, [p for p in payload if p["number"] in set(unregistered)]))
        return [out.get(q.waybill) or malformed(self.host) for q in queries]

    async def _register(self, client, payload: list[dict]) -> dict:
        data = await self._post(client, "register", payload)
        out = {}
        pending = {"status": "pending", "status_text": _("registered with 17TRACK: its events come with the next run"),
                   "raw_state": None, "raw_code": None, "events": []}
        for item in _list(data.get("accepted")):
            if isinstance(item, dict) and isinstance(item.get("number"), str):
                out[item["number"]] = dict(pending, carrier_key=item.get("carrier"))
        for item in _list(data.get("rejected")):
            if isinstance(item, dict) and isinstance(item.get("number"), str):
                error = item.get("error") if isinstance(item.get("error"), dict) else {}
                code = error.get("code")
                out[item["number"]] = dict(pending) if code == ALREADY_REGISTERED else rejected(
                    code, str(error.get("message", ""))[:200], str(code))
        return out

    @staticmethod
    def _answer(info) -> dict:
        info = info if isinstance(info, dict) else {}
        latest = info.get("latest_status") if isinstance(info.get("latest_status"), dict) else {}
        providers = (info.get("tracking") or {}).get("providers") if isinstance(info.get("tracking"), dict) else None
        events = []
        for provider in providers if isinstance(providers, list) else []:
            for e in (provider.get("events") or []) if isinstance(provider, dict) else []:
                if isinstance(e, dict):
                    address = e.get("address") if isinstance(e.get("address"), dict) else {}
                    stage = e.get("sub_status") or e.get("stage")
                    events.append({"_at": str(e.get("time_utc") or e.get("time_iso") or ""),
                                   "time": e.get("time_iso") or e.get("time_utc"), "context": e.get("description"),
                                   "location": e.get("location") or address.get("city"),
                                   "status": status_of(e.get("stage"), e.get("sub_status")) if stage else None,
                                   "status_name": stage, "raw_status": stage, "area": address.get("city"),
                                   "area_code": address.get("postal_code")})
        events.sort(key=lambda e: e.pop("_at"), reverse=True)  # newest first (UTC), as 快递100's
        status = status_of(latest.get("status"), latest.get("sub_status")) if latest.get("status") else (
            "in_transit" if events else "not_found")
        return {"status": status, "status_text": events[0]["context"] if events else latest.get("sub_status_descr"),
                "raw_state": latest.get("status"), "raw_code": latest.get("sub_status"), "events": events}
