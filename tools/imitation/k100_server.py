"""A local imitation of 快递100's real-time query endpoint, for integration tests, bench/track.py
and newcomers trying `kefu track` (tools/imitate.py).

An asyncio HTTP/1.1 server with keep-alive in a background thread (a thread-per-connection
http.server answered httpx ten times slower than the ideal at 50 connections).

It checks the sign (MD5 of param + key + customer), answers 408 for SF without a phone, 500
(no result) for numbers starting 9999, 400 for a carrier code it does not know, 601 once
`quota` queries are used, and can inject 5xx, timeouts and malformed bodies at given rates.
Every answer waits `delay` seconds. It counts the queries per waybill and keeps each param.

The answers have the shapes the real service sends with resultv2=4. Sources: the field list of
the official SDK's QueryTrackResp / QueryTrackData / QueryTrackRouteInfo (kuaidi100-api/java-demo:
message, nu, ischeck, com, status "200", state, condition, routeInfo {from, cur, to: {number,
name}}, and per event time, ftime, context, location, areaCode, areaName, status (a name),
statusCode, areaCenter, areaPinYin), a real trajectory answer kept in public code
(LeeypOR/store-decoration-uniapp, pagesA/shop/logisticData.js: `status` names such as "在途" and
"签收", areaCode null on some events) and the documented status table (state 0-14, sub-states
101-1003). Failure bodies as logged from the real service in public code:
{"result":false,"returnCode":"500","message":"查询无结果，请隔段时间再查"},
{"result":false,"returnCode":"400","message":"不支持此快递公司"},
{"result":false,"returnCode":"601","message":"查询次数已达上限"}.
Older shapes, also answered: numbers starting 8888 get the older failure without result/returnCode,
{"status":"201","message":"快递公司参数异常：单号不存在或者已经过期","data":[]} (the real answer
issue 22 quotes); numbers starting 7777 get an answer without resultv2's fields, each event only
{time, ftime, context} (the documented base answer: `data[]` of time, ftime, context; location,
areaCode, areaName and status come with resultv2 — shared docs/tracking.md, from the official
real-time query documentation).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import random
import threading
from collections import Counter
from urllib.parse import parse_qs

from loopback import LoopbackServer

# sub-state code -> (state, the name resultv2=4 puts in `status`), from the documented status table
SUB = {"1": ("1", "揽收"), "101": ("1", "已下单"), "103": ("1", "已揽收"), "0": ("0", "在途"),
       "1001": ("0", "到达派件城市"), "1002": ("0", "干线"), "5": ("5", "派件"), "501": ("5", "投柜或驿站"),
       "3": ("3", "签收"), "301": ("3", "本人签收"), "304": ("3", "投柜或站签收"), "6": ("6", "退回"),
       "4": ("4", "退签"), "2": ("2", "疑难"), "203": ("2", "拒收"), "14": ("14", "拒签"), "8": ("8", "清关")}
KNOWN_COM = {"zhongtong", "shentong", "yuantong", "yunda", "shunfeng", "shunfengkuaiyun", "ems", "youzhengguonei",
             "jd", "jtexpress", "debangwuliu", "debangkuaidi", "japanposten"}
CUSTOMER = "TESTCUSTOMER"
KEY = "s3cr3t-KEY-never-printed"


class K100Server(LoopbackServer):
    def __init__(self, delay=0.0, fail_5xx=0.0, timeouts=0.0, malformed=0.0, seed=7, states=None, quota=None):
        super().__init__()
        self.delay, self.fail_5xx, self.timeouts, self.malformed = delay, fail_5xx, timeouts, malformed
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.queries: Counter = Counter()
        self.states = states or {}  # waybill -> sub-state code to answer (a SUB key: "1002", "203", "301")
        self.quota = quota  # answer 601 once this many queries were made
        self.params: list[dict] = []
        self.up = True
        self.go_away_after: int | None = None  # stop answering after this many queries
        self.targets: Counter = Counter()  # request targets: absolute URLs when asked as a proxy

    @property
    def url(self) -> str:
        return f"{self.origin()}/poll/query.do"

    def roll(self) -> float:
        with self.lock:
            return self.random.random()

    async def respond(self, request):
        self.targets[request.path] += 1
        answer = await self._answer(request.headers, request.body)
        if answer is None:
            return None
        code, payload = answer
        return (f"HTTP/1.1 {code} X\r\nContent-Type: application/json;charset=UTF-8\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload), True

    async def _answer(self, headers, raw: bytes):
        if not self.up:
            return None
        if "json" in headers.get("content-type", ""):
            return 200, json.dumps({"result": False, "returnCode": "400", "message": "不支持JSON"}).encode()
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        param = json.loads(form.get("param", "{}"))
        num = param.get("num", "")
        with self.lock:
            self.queries[num] += 1
            self.params.append(param)
            if self.go_away_after is not None and sum(self.queries.values()) > self.go_away_after:
                self.up = False
        if not self.up:
            return None
        await asyncio.sleep(self.delay)
        roll = self.roll()
        if roll < self.timeouts:
            await asyncio.sleep(30)  # longer than any client timeout used in tests
            return None
        roll -= self.timeouts
        if roll < self.fail_5xx:
            return 502, b"bad gateway"
        roll -= self.fail_5xx
        if roll < self.malformed:
            return 200, b'{"message": "ok", "data": ['
        expected = hashlib.md5((form.get("param", "") + KEY + CUSTOMER).encode("utf-8")).hexdigest().upper()
        if form.get("customer") != CUSTOMER or form.get("sign") != expected:
            return 200, json.dumps({"result": False, "returnCode": "503", "message": "验证签名失败"}).encode()
        if self.quota is not None and sum(self.queries.values()) > self.quota:
            return 200, json.dumps({"result": False, "returnCode": "601", "message": "查询次数已达上限"},
                                   ensure_ascii=False).encode()
        if param.get("com") not in KNOWN_COM:
            return 200, json.dumps({"result": False, "returnCode": "400", "message": "不支持此快递公司"},
                                   ensure_ascii=False).encode()
        if param.get("com") in ("shunfeng", "shunfengkuaiyun") and not param.get("phone"):
            return 200, json.dumps({"result": False, "returnCode": "408", "message": "手机号码校验失败"}).encode()
        if num.startswith("8888"):
            return 200, json.dumps({"status": "201", "message": "快递公司参数异常：单号不存在或者已经过期", "data": []},
                                   ensure_ascii=False).encode()
        if num.startswith("7777"):
            return 200, json.dumps({"message": "ok", "nu": num, "ischeck": "0", "com": param.get("com"),
                                    "status": "200", "state": "5", "condition": "F00", "data": [
                                        {"time": "2026-11-21 08:10:00", "ftime": "2026-11-21 08:10:00",
                                         "context": "【北京市】快件已到达【朝阳营业部】，快递员正在派件"},
                                        {"time": "2026-11-20 22:00:00", "ftime": "2026-11-20 22:00:00",
                                         "context": "【北京市】快件已到达【北京转运中心】"},
                                        {"time": "2026-11-20 09:00:00", "ftime": "2026-11-20 09:00:00",
                                         "context": "【佛山市】快件已揽收"}]}, ensure_ascii=False).encode()
        if num.startswith("9999"):
            return 200, json.dumps({"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}).encode()
        return 200, self._body(num, param.get("com"), self.states.get(num, "1002"))

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def _template(com: str, code: str) -> tuple[bytes, bytes]:
        # the answer is the same for every number but its `nu`: serialise it once (the imitation
        # shares the benchmark's two cores with kefu, the real provider does not)
        state, name = SUB[code]
        latest = {"time": "2026-11-21 18:30:00", "ftime": "2026-11-21 18:30:00",
                  "context": "已签收，签收人：本人" if state == "3" else "快件已到达【北京朝阳营业部】",
                  "location": "北京市朝阳区", "areaCode": "CN110105000000", "areaName": "北京,朝阳区",
                  "status": name, "statusCode": code, "areaCenter": "116.443205,39.921506", "areaPinYin": "chao yang qu"}
        first = {"time": "2026-11-20 09:00:00", "ftime": "2026-11-20 09:00:00", "context": "快件已揽收",
                 "location": "", "areaCode": None, "areaName": None, "status": "揽收", "statusCode": "1",
                 "areaCenter": None, "areaPinYin": None}
        body = {"message": "ok", "nu": "\0", "ischeck": "1" if state == "3" else "0", "com": com, "status": "200",
                "data": [latest, first], "state": state, "condition": "F00",
                "routeInfo": {"from": {"number": "CN440600000000", "name": "广东,佛山市"},
                              "cur": {"number": "CN110105000000", "name": "北京,朝阳区"},
                              "to": {"number": "CN110105000000", "name": "北京,朝阳区"}},
                "isLoop": False}
        head, tail = json.dumps(body, ensure_ascii=False).encode("utf-8").split(b"\\u0000")
        return head, tail

    def _body(self, num: str, com: str, state: str) -> bytes:
        head, tail = self._template(com, state)
        return head + json.dumps(num).encode()[1:-1] + tail
