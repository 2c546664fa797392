"""A local imitation of 17TRACK's tracking API v2.2 (register, gettrackinfo), for the tests,
bench/track.py and tools/imitate.py.

Shapes, and where they come from:
- requests: POST /track/v2.2/{register,gettrackinfo}, a JSON array of {number, carrier}, at most
  40, header `17token` (17TRACK's v2.2 documentation);
- answers: {"code": 0, "data": {"accepted": [...], "rejected": [{"number", "error": {"code",
  "message"}}]}}; an accepted gettrackinfo item has track_info {shipping_info, latest_status
  {status, sub_status, sub_status_descr}, latest_event, time_metrics, milestone, misc_info,
  tracking {providers_hash, providers [{provider {key, name, alias, tel, homepage, country},
  service_type, latest_sync_status, latest_sync_time, events_hash, events [{time_iso, time_utc,
  description, location, stage, sub_status, address {country, state, city, postal_code}}]}]}}
  (the response model of the public Go SDK wksw/17track-golang-sdk, models/v2/track.go, and
  answers kept in public tests);
- errors: a whole request refused is {"code": <error>, "data": {"errors": [{"code", "message"}]}}
  (-18010002 "Access token is invalid." for a wrong token, -18019908 "Quota is not enough for
  use."); per number, -18019902 "The tracking number '…' does not register, please register
  first", -18019901 already registered (17TRACK's error table as copied in public code);
  registering returns no events yet: a number answers with events from the next query on;
- the carrier: a number asked without `carrier` is detected by 17TRACK (v2.2 documentation of
  register/gettrackinfo: `carrier` is optional, "automatic carrier detection" when it is left
  out) and the answer's `carrier` is the key it found (0 when it found none); a number whose
  carrier 17TRACK knows to be another answers with that carrier's key, not the one asked (the
  mismatch issue 22 reports from a real answer). `carriers` sets a number's real carrier.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from collections import Counter

from loopback import LoopbackServer

TOKEN = "17-t0ken-never-printed"
PROVIDERS = {100062: ("Yamato", "JP"), 100040: ("Sagawa", "JP"), 10021: ("Japan Post", "JP")}


class SeventeenServer(LoopbackServer):
    def __init__(self, delay: float = 0.0, registered: set | None = None, statuses: dict | None = None,
                 quota: int | None = None, carriers: dict | None = None):
        super().__init__()
        self.carriers = carriers or {}  # number -> the carrier key 17TRACK detects for it
        self.delay = delay
        self.registered = set(registered or ())  # numbers registered before this run
        self.statuses = statuses or {}  # number -> (status, sub_status)
        self.quota = quota  # registrations allowed before -18019908
        self.lock = threading.Lock()
        self.requests: Counter = Counter()  # path -> requests
        self.numbers: Counter = Counter()  # number -> times asked in gettrackinfo

    @property
    def url(self) -> str:
        return f"{self.origin()}/track/v2.2"

    async def respond(self, request):
        path = request.path.rsplit("/", 1)[-1]
        with self.lock:
            self.requests[path] += 1
        await asyncio.sleep(self.delay)
        if request.headers.get("17token") != TOKEN:
            code, body = 200, {"code": -18010002, "data": {"errors": [{"code": -18010002,
                                                                      "message": "Access token is invalid."}]}}
        else:
            try:
                items = json.loads(request.body)
            except ValueError:
                items = None
            if not isinstance(items, list) or len(items) > 40:
                code, body = 200, {"code": -18010013, "data": {"errors": [{"code": -18010013,
                                                                          "message": "Submitted data is invalid."}]}}
            elif path == "register":
                code, body = 200, self._register(items)
            elif path == "gettrackinfo":
                code, body = 200, self._info(items)
            else:
                code, body = 404, {"code": 404}
        payload = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        return (f"HTTP/1.1 {code} X\r\nContent-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload), True

    def _register(self, items):
        accepted, rejected = [], []
        for item in items:
            number = item.get("number")
            carrier = self.carriers.get(number, item.get("carrier")) or 0
            with self.lock:
                if number in self.registered:
                    rejected.append({"number": number, "error": {"code": -18019901, "message": (
                        f"The tracking number '{number}' has been registered, don't need to repeat registration.")}})
                    continue
                if self.quota is not None and self.quota <= 0:
                    return {"code": -18019908, "data": {"errors": [{"code": -18019908,
                                                                   "message": "Quota is not enough for use."}]}}
                if self.quota is not None:
                    self.quota -= 1
                self.registered.add(number)
            accepted.append({"origin": 1, "number": number, "carrier": carrier})
        return {"code": 0, "data": {"accepted": accepted, "rejected": rejected}}

    def _info(self, items):
        accepted, rejected = [], []
        for item in items:
            number = item.get("number")
            carrier = self.carriers.get(number, item.get("carrier")) or 0
            with self.lock:
                self.numbers[number] += 1
                known = number in self.registered
            if not known:
                rejected.append({"number": number, "error": {"code": -18019902, "message": (
                    f"The tracking number '{number}' does not register, please register first.")}})
                continue
            status, sub = self.statuses.get(number, ("InTransit", "InTransit_Other"))
            accepted.append(b'{"number":%s,"carrier":%d,"param":null,"tag":null,"track_info":%s}' % (
                json.dumps(number).encode(), carrier, self._info_bytes(carrier, status, sub)))
        # serialised from cached pieces: the imitation shares the benchmark's two cores with kefu
        return b'{"code":0,"data":{"accepted":[%s],"rejected":%s}}' % (
            b",".join(accepted), json.dumps(rejected, ensure_ascii=False).encode())

    @classmethod
    @functools.lru_cache(maxsize=None)
    def _info_bytes(cls, carrier, status, sub) -> bytes:
        return json.dumps(cls._track_info(carrier, status, sub), ensure_ascii=False).encode()

    @staticmethod
    def _track_info(carrier, status, sub):
        name, country = PROVIDERS.get(carrier, ("Unknown", ""))
        latest = {"time_iso": "2026-11-21T18:30:00+09:00", "time_utc": "2026-11-21T09:30:00Z",
                  "time_raw": {"date": "2026-11-21", "time": "18:30:00", "timezone": "+09:00"},
                  "description": "配達完了" if status == "Delivered" else "輸送中",
                  "location": "東京都新宿区", "stage": status, "sub_status": sub,
                  "address": {"country": "JP", "state": "東京都", "city": "新宿区", "street": None,
                              "postal_code": "1600023", "coordinates": {"longitude": None, "latitude": None}}}
        first = {"time_iso": "2026-11-20T09:00:00+09:00", "time_utc": "2026-11-20T00:00:00Z",
                 "time_raw": {"date": "2026-11-20", "time": "09:00:00", "timezone": "+09:00"},
                 "description": "荷物受付", "location": "大阪府大阪市", "stage": "InfoReceived",
                 "sub_status": "InfoReceived", "address": {"country": "JP", "state": "大阪府", "city": "大阪市",
                                                          "street": None, "postal_code": None,
                                                          "coordinates": {"longitude": None, "latitude": None}}}
        return {"shipping_info": {"shipper_address": {"country": "JP", "state": None, "city": None, "street": None,
                                                      "postal_code": None,
                                                      "coordinates": {"longitude": None, "latitude": None}},
                                  "recipient_address": {"country": "JP", "state": None, "city": None, "street": None,
                                                        "postal_code": None,
                                                        "coordinates": {"longitude": None, "latitude": None}}},
                "latest_status": {"status": status, "sub_status": sub, "sub_status_descr": None},
                "latest_event": latest,
                "time_metrics": {"days_after_order": 2, "days_of_transit": 2, "days_of_transit_done": 2,
                                 "days_after_last_update": 1,
                                 "estimated_delivery_date": {"source": None, "from": None, "to": None}},
                "milestone": [{"key_stage": "InfoReceived", "time_iso": first["time_iso"], "time_utc": first["time_utc"]}],
                "misc_info": {"risk_factor": 0, "service_type": None, "weight_raw": None, "weight_kg": None,
                              "pieces": None, "dimensions": None, "customer_number": None, "reference_number": None,
                              "local_number": None, "local_provider": None, "local_key": 0},
                "tracking": {"providers_hash": 1407582, "providers": [{
                    "provider": {"key": carrier, "name": name, "alias": name, "tel": None, "homepage": None,
                                 "country": country},
                    "service_type": None, "latest_sync_status": "Success",
                    "latest_sync_time": "2026-11-21T10:00:00Z", "events_hash": 20261121, "events": [latest, first]}]}}
