"""Buyer messages: the shop's templates, the house rules, and safe rendering.

Rendering is `string.Template` substitution only: `$name` or `${name}` from a fixed set of
placeholders, no attribute access, no format specs; a value is inserted as plain text and never
expanded again (a buyer called "${shop}" stays "${shop}"). An unknown placeholder is a
configuration error when the file is loaded, not a surprise at 3 a.m.

House rules (domain.md): no absolute words (肯定, 保证, 绝对 …), no blunt refusals (我不能 …), never
a promised delivery time slot. They are errors; a rendered sample longer than one SMS segment
is a warning.
"""

from __future__ import annotations

import re
from string import Template

from kefu_cli.i18n import _

PLACEHOLDERS = ("buyer", "receiver", "shop", "order_id", "items", "amount", "carrier", "waybill", "ship_from",
                "ship_by", "arrive_from", "arrive_by", "close_at", "staff", "part", "ticket")
TEMPLATE_NAMES = ("remind_consulted", "remind_silent", "accepted", "shipped", "delay", "replacement")
LANGUAGES = ("zh", "ja")
SAMPLE = {"buyer": "王小明", "receiver": "王小明", "shop": "木森家居", "order_id": "3391204456781230001",
          "items": "北欧实木床×1", "amount": "1299.00", "carrier": "德邦物流", "waybill": "DPK202611220001",
          "ship_from": "2026-12-02", "ship_by": "2026-12-14", "arrive_from": "2026-12-05", "arrive_by": "2026-12-21",
          "close_at": "2026-11-25 10:00", "staff": "客服小美", "part": "板件", "ticket": "SH20261120-001"}


def placeholder_problems(text: str) -> list[tuple[int, str]]:
    """(1-based position, message) for every placeholder that is unknown or malformed."""
    out = []
    for m in Template.pattern.finditer(text):
        name = m.group("named") or m.group("braced")
        if m.group("invalid") is not None:
            out.append((m.start() + 1, _("a lone $ (write $$ for a dollar sign)")))
        elif name is not None and name not in PLACEHOLDERS:
            out.append((m.start() + 1, _("unknown placeholder ${name} (known: {known})").format(
                name=name, known=", ".join(PLACEHOLDERS))))
    return out


def lint_text(text: str, rules: dict) -> list[tuple[int, str]]:
    """(1-based position, message) for every house-rule breach in a template."""
    out = []
    for word in rules.get("banned", ()):
        for m in re.finditer(re.escape(word), text):
            out.append((m.start() + 1, _("absolute word {word}").format(word=word)))
    for word in rules.get("refusals", ()):
        for m in re.finditer(re.escape(word), text):
            out.append((m.start() + 1, _("blunt refusal {word}").format(word=word)))
    for pattern in rules.get("time_slots", ()):
        for m in re.finditer(pattern, text):
            out.append((m.start() + 1, _("a promised delivery time slot: {text}").format(text=m.group(0))))
    for pattern in rules.get("durations", ()):
        for m in re.finditer(pattern, text):
            out.append((m.start() + 1, _("LITERAL_DURATION: {text} is written out; state dates and windows only through "
                                         "$ship_from, $ship_by, $arrive_from and $arrive_by, which kefu computes").format(
                text=m.group(0))))
    return sorted(out)


def render(text: str, values: dict) -> str:
    mapping = {k: "" if values.get(k) is None else str(values[k]) for k in PLACEHOLDERS}
    return Template(text).substitute(mapping)


def check_config(raw: dict[str, dict], paths: dict[str, str]) -> list:
    """Problems of messages.toml, for configuration's validation (which does not import this)."""
    from kefu_cli.config import Problem

    return check(raw.get("messages.toml", {}), paths["messages.toml"], Problem)[0]


def check(raw: dict, file: str, problem) -> tuple[list, list[str]]:
    """(problems, warnings) of messages.toml; `problem(file, key, message)` builds a problem."""
    problems, warnings = [], []
    settings = raw.get("settings", {})
    rules = raw.get("lint", {})
    for key in raw:
        if key not in ("settings", "lint", "templates"):
            problems.append(problem(file, key, _("unknown key (known: {known})").format(known="settings, lint, templates")))
    if not isinstance(settings, dict) or not isinstance(rules, dict):
        problems.append(problem(file, "settings", _("must be a table")))
        return problems, warnings
    segment = settings.get("sms_segment", 70)
    if isinstance(segment, bool) or not isinstance(segment, int) or segment <= 0:
        problems.append(problem(file, "settings.sms_segment", _("{value} is not a positive number").format(value=segment)))
        segment = 70
    for key in ("banned", "refusals", "time_slots", "durations"):
        value = rules.get(key, [])
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            problems.append(problem(file, f"lint.{key}", _("must be a list of strings")))
            rules = {}
    for key in ("time_slots", "durations"):
        for pattern in rules.get(key, ()):
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(problem(file, f"lint.{key}", _("{value} is not a valid regular expression: {error}").format(
                    value=pattern, error=exc)))
                rules = {k: v for k, v in rules.items() if k != key}
    templates = raw.get("templates", {})
    for name in TEMPLATE_NAMES:
        if name not in templates:
            problems.append(problem(file, f"templates.{name}", _("is missing")))
    for name, langs in templates.items():
        if name not in TEMPLATE_NAMES:
            problems.append(problem(file, f"templates.{name}", _("unknown key (known: {known})").format(
                known=", ".join(TEMPLATE_NAMES))))
            continue
        if not isinstance(langs, dict):
            problems.append(problem(file, f"templates.{name}", _("must be a table")))
            continue
        for lang, text in langs.items():
            key = f"templates.{name}.{lang}"
            if lang not in LANGUAGES:
                problems.append(problem(file, key, _("unknown key (known: {known})").format(known=", ".join(LANGUAGES))))
                continue
            if not isinstance(text, str) or not text.strip():
                problems.append(problem(file, key, _("must be a non-empty string")))
                continue
            bad = sorted(placeholder_problems(text) + lint_text(text, rules))
            for pos, msg in bad:
                problems.append(problem(file, key, _("position {pos}: {message}").format(pos=pos, message=msg)))
            if not bad:
                sample = render(text, {**SAMPLE, "staff": settings.get("staff", SAMPLE["staff"])})
                if len(sample) > segment:
                    warnings.append(_("{file}: {key}: a rendered sample is {length} characters, more than one SMS "
                                      "segment ({segment})").format(file=file, key=key, length=len(sample),
                                                                    segment=segment))
    return problems, warnings
