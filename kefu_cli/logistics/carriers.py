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
    score: int  # higher is more specific: letters in the pattern, then its length
    pattern: str


def detect(config: Config, waybill: str) -> list[Candidate]:
    """Carriers whose patterns fully match the waybill, most specific first."""
    number = waybill.strip().upper()
    found: dict[str, Candidate] = {}
    for c in config.carriers:
        for pattern in c.patterns:
            if pattern.fullmatch(number):
                literal = re.sub(r"\\.|\[[^]]*\]|\{[^}]*\}", "", pattern.pattern)  # drop \d, [..], {n}
                letters = sum(ch.isalpha() for ch in literal)
                score = letters * 100 + len(pattern.pattern)
                if c.code not in found or score > found[c.code].score:
                    found[c.code] = Candidate(c, score, pattern.pattern)
    return sorted(found.values(), key=lambda x: -x.score)


def unique(candidates: list[Candidate]) -> Carrier | None:
    """The best candidate when it is more specific than every other one, else None."""
    if not candidates:
        return None
    if len(candidates) == 1 or candidates[0].score // 100 > candidates[1].score // 100:
        return candidates[0].carrier
    return None
