"""Which input column feeds which canonical field.

Headers are compared after trimming spaces (also the trailing ones Taobao writes, full-width
spaces and a BOM), reading full-width brackets as ASCII and case-folding. The mappings are data:
the platform profiles in config/platforms/ (orders/platforms.py) and shop.toml [columns], which
wins over both.

One header means different things on different platforms: Taobao's 订单备注 is the seller's memo,
JD's 订单备注 is the buyer's note (JD's seller memo is 商家备注). The platform is recognised from
the header set (or forced with --platform), and its profile decides those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kefu_cli.orders.platforms import (Profile, Recognition, lookup_for, normalise_header, recognise,
                                       vocabulary_for)

ITEM_ROW_FIELDS = ("item_sku", "item_price")  # their presence means one row per item
# kefu's own record keys that are no column: a JSON `items` list is read as the items, `row` and
# `problems` (kefu's output read back) are made anew
OWN_KEYS = {"items": "items", "row": "unused", "problems": "unused"}



@dataclass
class ColumnPlan:
    headers: list[str]
    platform: str
    index: dict[str, int]  # canonical/internal name -> its (first) column index
    joins: dict[str, list[int]] = field(default_factory=dict)  # a field several columns feed together
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)  # (name, kept, ignored)
    unknown: list[str] = field(default_factory=list)  # headers nothing reads and no profile knows
    missing: list[str] = field(default_factory=list)  # fields the platform's export has, this file not
    explain: list[dict] = field(default_factory=list)  # one row per column: how it was read and why
    profile: Profile | None = None
    recognition: Recognition | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # the file's status words -> codes
    after_sale: dict[str, str] = field(default_factory=dict)
    words: dict[str, dict[str, str]] = field(default_factory=dict)  # every vocabulary of the file's kind

    @property
    def item_rows(self) -> bool:
        return any(f in self.index for f in ITEM_ROW_FIELDS)

    def has(self, name: str) -> bool:
        return name in self.index

    def fields(self) -> set[str]:
        """The record fields this file gives values to: its columns, and what its platform's
        profile implies (a default status, derived amounts) or its items give."""
        out = set(self.index)
        if self.profile is not None:
            out |= set(self.profile.defaults) | set(self.profile.derive)
        if self.item_rows or "summary_title" in self.index:
            out.add("items")
        return out


def plan_columns(headers: list[str], table: dict[str, Profile], extra_aliases: dict[str, list[str]] | None = None,
                 platform: str | None = None) -> ColumnPlan:
    """The plan of a file with these headers: recognise the platform (or take `platform`), then
    read each header through the shop's [columns], the platform's profile and the common names."""
    normalised = [normalise_header(h) for h in headers]
    recognition = recognise(headers, table, platform)
    name_ = recognition.platform
    profile = table.get(name_)
    lookup = lookup_for(name_, table)
    for field_name, aliases in (extra_aliases or {}).items():  # the shop's own names win
        for alias in aliases:
            lookup[normalise_header(alias)] = (field_name, "shop.toml [columns]")
    unused = profile.unused if profile is not None else frozenset().union(
        *(p.unused for p in table.values()))
    kind = table["common"].kind
    words = {key: vocabulary_for(name_, table, key) for key, _codes in kind.vocabularies}
    plan = ColumnPlan(headers=list(headers), platform=name_, index={}, profile=profile, recognition=recognition,
                      statuses=words["statuses"], after_sale=words.get("after_sale", {}), words=words)
    for i, header in enumerate(normalised):
        found = lookup.get(header)
        row = {"column": i + 1, "header": headers[i].strip(), "field": None, "source": None, "note": None}
        plan.explain.append(row)
        if found is None:
            if header in OWN_KEYS:
                row["source"], row["note"] = "canonical", OWN_KEYS[header]
            elif header in unused:
                row["source"], row["note"] = name_, "unused"
            elif header:
                plan.unknown.append(headers[i].strip())
                row["note"] = "unknown"
            continue
        target, source = found
        row["field"], row["source"] = target, source
        if target in plan.index:
            # several columns the profile names for one field are read together (an address in
            # parts, points + coupons); any other repeat is a duplicate, the first column kept
            if target in kind.joinable and profile is not None and source == name_:
                plan.joins.setdefault(target, [plan.index[target]]).append(i)
                row["note"] = "joined"
                continue
            plan.duplicates.append((target, plan.index[target], i))
            row["note"] = "duplicate"
            continue
        plan.index[target] = i
    if profile is not None:
        plan.missing = [f for f in profile.expect if f not in plan.index and f not in profile.defaults
                        and f not in profile.derive]
    return plan
