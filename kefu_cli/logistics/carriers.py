"""Carriers: the names order files use, and a carrier guess from the waybill number.

A detector returns ranked candidates and never overrides a carrier the user or the order file
named. A unique best candidate is used; an ambiguous number is reported with its candidates
("12 digits: 顺丰速运, 佐川急便, … — pass --carrier"), never guessed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kefu_cli.config import Carrier, Config


def carrier_index(config: Config) -> dict[str, Carrier]:
    """Names order files use (物流公司) -> carrier, case-insensitively; codes too."""
    index: dict[str, Carrier] = {}
    for c in config.carriers:
        for name in (c.code, c.name, c.name_en, *c.aliases):
            index.setdefault(name.strip().lower(), c)
    return index


def resolve(config: Config, name: str | None, index: dict[str, Carrier] | None = None) -> Carrier | None:
    if not name:
        return None
    return (index or carrier_index(config)).get(name.strip().lower())


@dataclass(frozen=True)
class Candidate:
    carrier: Carrier
    rank: int  # higher is more specific: letters in the pattern, then fixed digits, then a check digit
    pattern: str


def normalise_waybill(waybill: str) -> str:
    """The number as carriers' systems take it: spaces and full-width characters gone, Yamato's
    1234-5678-9012 written without its hyphens, JD's package suffix (JDVA12345678901-1-1-) cut."""
    text = waybill.strip().translate(_FULLWIDTH).replace(" ", "")
    if re.fullmatch(r"\d+(?:-\d+)+", text) and len(text.replace("-", "")) in (10, 11, 12, 13, 14, 15):
        return text.replace("-", "")
    m = re.fullmatch(r"(JD[0-9A-Z]{2}\d{11})-\d+-\d+-?", text, re.I)
    return m.group(1) if m else text


_FULLWIDTH = str.maketrans("０１２３４５６７８９－ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
                           "0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def japan_check_digit(number: str) -> bool:
    """Yamato, Sagawa and Japan Post's 12-digit numbers: the last digit is the first eleven mod 7."""
    return len(number) == 12 and number.isdigit() and int(number[:11]) % 7 == int(number[11])


def detect(config: Config, waybill: str) -> list[Candidate]:
    """Carriers whose patterns fully match the waybill, most specific first. A 12-digit number
    whose check digit holds ranks the Japanese carriers above the rest (legacy SF, 安能, …)."""
    number = normalise_waybill(waybill).upper()
    checked = japan_check_digit(number)
    found: dict[str, Candidate] = {}
    for c in config.carriers:
        for pattern in c.patterns:
            if pattern.fullmatch(number):
                literal = re.sub(r"\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)", r"\1", pattern.pattern)  # (a|b): a
                literal = re.sub(r"\\.|\[[^]]*\]|\{[^}]*\}", "", literal)  # drop \d, [..], {n}
                letters = sum(ch.isalpha() for ch in literal)
                digits = sum(ch.isdigit() for ch in literal)  # a fixed prefix like 77, 10
                rank = letters * 100 + digits * 10 + (1 if checked and c.country == "JP" else 0)
                if c.code not in found or rank > found[c.code].rank:
                    found[c.code] = Candidate(c, rank, pattern.pattern)
    return sorted(found.values(), key=lambda x: -x.rank)


def unique(candidates: list[Candidate], prefer: tuple[str, ...] | list[str] = ()) -> Carrier | None:
    """The best candidate when it is more specific than every other one; among equally specific
    ones, the first in the shop's preference; else None (ambiguous: the user names the carrier)."""
    if not candidates:
        return None
    best = [c for c in candidates if c.rank == candidates[0].rank]
    if len(best) == 1:
        return best[0].carrier
    for code in prefer:
        for c in best:
            if c.carrier.code == code:
                return c.carrier
    return None
