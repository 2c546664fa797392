"""`kefu track` without the command line: queries from waybills or an order file, the cache and
claims in the state file, one normalised record per input waybill, and what changed.

Cache: a waybill is not queried again within 30 minutes (快递100 locks numbers queried more
often) unless refresh; a delivered or returned waybill is never queried again. Stale: no new
event for the carrier's stale_after_hours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from kefu_cli.logistics.carriers import detect, normalise_waybill, unique
from kefu_cli.config import Config
from kefu_cli.i18n import _
from kefu_cli.tracking.provider import (EVENT_FIELDS, FINAL, PROBLEM_STATUSES, PROVIDER_FAILURES, TRACK_FIELDS, Query,
                                        parse_event_time, phone_digits)
from kefu_cli.tracking.batch import run_batch

MIN_AGE = 30 * 60


def build_query(config: Config, index, waybill: str, carrier_name: str | None, phone: str | None,
                code_of=None, origin: str | None = None, destination: str | None = None,
                route: tuple | None = None, parcel: str = "order") -> Query:
    """A query for one waybill, or one carrying the reason it cannot be asked. The carrier named
    (by the user or the file) always wins; else the detector's ranked candidates, ties decided by
    the shop's preference (shop.toml [carriers] prefer). The provider is the carrier's
    (carriers.toml `provider`); `code_of(provider_name, carrier)` overrides its carrier code."""
    waybill = normalise_waybill(waybill)
    carrier = None
    if carrier_name:
        carrier = index.get(carrier_name.strip().lower())
        if carrier is None:
            return Query(waybill, None, None, None, _("unknown carrier {value}: see config/carriers.toml").format(
                value=carrier_name))
    else:
        candidates = detect(config, waybill)
        best = [c.carrier for c in candidates if candidates and c.rank == candidates[0].rank]
        if len(best) > 1 and all(c.provider == "17track" and c.seventeen_track for c in best):
            # Yamato, Sagawa and Japan Post share 12 digits and their check digit: a preference would
            # be wrong a third of the time, so 17TRACK's own detection tells, among these candidates
            return Query(waybill, None, None, phone_digits(phone), provider="17track", origin=origin,
                         destination=destination, route=route, candidates=tuple(best), parcel=parcel)
        carrier = unique(candidates, config.carrier_preference)
        if carrier is None:
            if not candidates:
                return Query(waybill, None, None, None, _("no carrier's waybill pattern matches: pass --carrier"))
            names = ", ".join(c.carrier.name for c in candidates)
            return Query(waybill, None, None, None, _("{count} characters: {names} — pass --carrier").format(
                count=len(waybill), names=names))
    provider = carrier.provider
    com = code_of(provider, carrier) if code_of else PROVIDER_CODES[provider](carrier)
    if not com:
        return Query(waybill, carrier, None, None, _("{carrier} has no tracking code: track it on the carrier's site").format(
            carrier=carrier.name), provider=provider)
    digits = phone_digits(phone)
    if carrier.needs_phone and digits is None:
        return Query(waybill, carrier, com, None, _(
            "{carrier} needs the receiver's phone (last 4 digits): pass --phone or a phone column").format(
            carrier=carrier.name), provider=provider)
    return Query(waybill, carrier, com, digits, provider=provider, origin=origin, destination=destination, route=route,
                 parcel=parcel)


# each provider's carrier code in carriers.toml
PROVIDER_CODES = {"kuaidi100": lambda c: c.kuaidi100, "17track": lambda c: c.seventeen_track or None}


@dataclass
class Outcome:
    records: list[dict]
    events: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    provider_failed: bool = False
    failures: list[tuple[str, dict]] = field(default_factory=list)  # (waybill, error) the provider caused


def track(config: Config, providers: dict, queries: list[Query], state, now: datetime, *, refresh: bool = False,
          concurrency: int = 8, rate: float | None = 10.0, timeout: float = 10.0, progress=lambda done, total: None,
          rate_given: bool = True) -> Outcome:
    """Every query answered (this run, the cache, or an error), through the provider of its
    carrier: `providers` maps a provider name to its client. One batch per provider, in turn, each
    at `rate` requests a second, or (`rate_given` false) at its own default (17TRACK's 3 a second)."""
    tz = config.tzinfo()
    clock = now.timestamp()
    askable = [q for q in queries if q.error is None]
    mine, previous = state.claim_queries([q.waybill for q in askable], clock, MIN_AGE, refresh)
    to_ask = [q for q in dict((q.waybill, q) for q in askable).values() if q.waybill in mine]
    answers: dict[str, dict] = {}
    failed_claims: list[str] = []
    results: list[dict] = [{}] * len(to_ask)
    done = 0
    try:
        for name, provider in providers.items():
            mine_now = [k for k, q in enumerate(to_ask) if q.provider == name]
            if not mine_now:
                continue

            def step(n, _total, base=done):
                progress(base + n, len(to_ask))

            pace = rate if rate_given else getattr(provider, "rate", rate)
            answered = run_batch(provider, [to_ask[k] for k in mine_now], concurrency=concurrency, rate=pace,
                                 timeout=timeout, progress=step)
            for k, result in zip(mine_now, answered):
                results[k] = result
            done += len(mine_now)
    except BaseException:
        state.release_queries([q.waybill for q in to_ask])
        raise
    stored = []
    fresh: dict[str, dict] = {}  # waybill -> record built from this run's answer
    for q, result in zip(to_ask, results):
        if q.carrier is None and "error" not in result:
            result = results_detected(q, result)
        answers[q.waybill] = result
        if "error" in result:
            failed_claims.append(q.waybill)
        else:
            rec = fresh[q.waybill] = _record(q, result, tz, now)
            stored.append((q.waybill, q.carrier.code, rec["status"], json.dumps(rec | {"events": result["events"]},
                                                                               ensure_ascii=False, default=str),
                           clock, rec["status"] in FINAL))
    if stored:
        state.store_results(stored)
        _record_history(config, state, [(q, fresh[q.waybill], answers[q.waybill]) for q in to_ask if q.waybill in fresh])
    if failed_claims:
        state.release_queries(failed_claims)
    out = Outcome(records=[])
    for q in queries:
        prev_row = previous.get(q.waybill)
        prev_status = prev_row[0] if prev_row else None
        if q.error:
            rec = _empty(q, q.error)
        elif q.waybill in fresh:
            rec = dict(fresh[q.waybill])  # a copy: the same waybill may be asked twice
            out.events.extend(_events(q, answers[q.waybill]))
        elif q.waybill in answers:
            result = answers[q.waybill]
            rec = _cached(q, json.loads(prev_row[1]), tz, now) if prev_row and prev_row[1] else _empty(q, result["error"])
            rec["error"] = result["error"]
            rec["raw_code"] = result.get("raw_code")
            if result["error_kind"] in PROVIDER_FAILURES:
                out.provider_failed = True
                out.failures.append((q.waybill, result))
        elif prev_row and prev_row[1]:
            cached = json.loads(prev_row[1])  # parsed once for the record and its events
            rec = _cached(q, cached, tz, now)
            out.events.extend(_events(q, cached))
        else:
            rec = _empty(q, _("being queried by another run: see the next run"))
        out.records.append(rec)
        if rec["status"] is not None and rec["status"] != prev_status:
            out.changed.append(rec)
    return out


def results_detected(q: Query, result: dict) -> dict:
    """An answer to a query without a carrier (17TRACK detected it): the query takes the carrier
    the answer names when it is one of the candidates; else the waybill's error names them."""
    key = result.get("carrier_key")
    found = next((c for c in q.candidates if key is not None and str(c.seventeen_track) == str(key)), None)
    if found is None:
        names = ", ".join(c.name for c in q.candidates)
        return {"error": _("17TRACK could not tell the carrier (key {key}); the number fits {names} — pass --carrier or "
                           "fill the order file's carrier column").format(key="-" if key is None else key, names=names),
                "error_kind": "answer", "raw_code": None if key is None else str(key), "fix": None}
    q.carrier, q.com = found, found.seventeen_track
    return result


def _timed(events: list[dict], tz) -> list[tuple]:
    """A parcel's events as the history reads them: (time, kefu status, place text)."""
    return [(parse_event_time(e.get("time"), tz), e.get("status"), e.get("area") or e.get("location") or e.get("context"))
            for e in events or []]


def _history_rows(config: Config, parcels) -> list[tuple]:
    """The history rows (logistics/history.delivery_row) of the parcels that ended, from
    (waybill, carrier code, status, events, source, route or None, parcel) each."""
    from kefu_cli.logistics.calendars import Calendars
    from kefu_cli.logistics.history import delivery_row

    calendars = Calendars(config.calendar_overrides)
    tz = config.tzinfo()
    rows = []
    for waybill, carrier, status, events, source, route, parcel in parcels:
        order_id, warehouse, country, province, city = route or (None,) * 5
        row = delivery_row(config, calendars, waybill, carrier, status, _timed(events, tz), source=source,
                           order_id=order_id, warehouse=warehouse, country=country, province=province, city=city,
                           parcel=parcel)
        if row is not None:
            rows.append(row)
    return rows


def _record_history(config: Config, state, answered: list[tuple[Query, dict, dict]]) -> None:
    """A history row for each parcel this run saw end (logistics/history.py)."""
    state.record_deliveries(_history_rows(config, (
        (q.waybill, q.carrier.code, rec["status"], result.get("events"), "track", q.route, q.parcel)
        for q, rec, result in answered)))


def import_cached(config: Config, state) -> int:
    """History rows for cached answers of parcels that ended before the history existed (tracked by
    an older kefu): their route comes from their events. Returns how many were added."""
    parcels = []
    for waybill, carrier, record in state.unrecorded_final():
        try:
            data = json.loads(record)
        except ValueError:
            continue
        parcels.append((waybill, carrier, data.get("status"), data.get("events"), "cache", None, "order"))
    rows = _history_rows(config, parcels)
    state.record_deliveries(rows)
    return len(rows)


def stored_records(config: Config, state, now: datetime) -> list[dict]:
    """The record (TRACK_FIELDS) of every waybill the cache has an answer for, as `kefu track`
    would print it from the cache now (its staleness judged at `now`)."""
    from kefu_cli.logistics.carriers import carrier_index

    index = carrier_index(config)
    tz = config.tzinfo()
    out = []
    for waybill, code, _status, record in state.tracked():
        carrier = index.get((code or "").lower())
        if carrier is None:
            continue
        try:
            data = json.loads(record)
        except ValueError:
            continue
        out.append(_cached(Query(waybill, carrier, None, None), data, tz, now))
    return out


def is_problem(rec: dict, fail_on: str) -> bool:
    if fail_on == "never":
        return False
    if rec["status"] in PROBLEM_STATUSES:
        return True
    return fail_on == "warning" and bool(rec["stale"])


def _record(q: Query, result: dict, tz, now: datetime) -> dict:
    rec = dict.fromkeys(TRACK_FIELDS)
    events = result.get("events") or []
    latest = events[0] if events else {}
    updated = parse_event_time(latest.get("time"), tz)
    rec.update(waybill=q.waybill, carrier=q.carrier.code, status=result["status"], status_text=result.get("status_text"),
               updated_at=updated, location=latest.get("location"), detail=latest.get("context"),
               raw_state=result.get("raw_state"), raw_code=result.get("raw_code"))
    if updated is not None:
        age_h = (now - updated).total_seconds() / 3600
        rec["days_since_update"] = round(age_h / 24, 1)
        rec["stale"] = rec["status"] not in FINAL and age_h > q.carrier.stale_after_hours
    else:
        rec["stale"] = False
    return rec


def _cached(q: Query, data: dict, tz, now: datetime) -> dict:
    """The record of a stored answer (the state file's tracking.record, parsed)."""
    if q.carrier is None:  # a query 17TRACK's detection answered before: the carrier it told then
        q.carrier = next((c for c in q.candidates if c.code == data.get("carrier")), None) or (
            q.candidates[0] if q.candidates else None)
    result = {"status": data["status"], "status_text": data.get("status_text"), "raw_state": data.get("raw_state"),
              "raw_code": data.get("raw_code"), "events": data.get("events", [])}
    return _record(q, result, tz, now)


def _empty(q: Query, error: str) -> dict:
    rec = dict.fromkeys(TRACK_FIELDS)
    rec.update(waybill=q.waybill, carrier=q.carrier.code if q.carrier else None, error=error, stale=False)
    return rec


def _events(q: Query, result: dict) -> list[dict]:
    return [{"waybill": q.waybill, "carrier": q.carrier.code, **{f: e.get(f) for f in EVENT_FIELDS[2:]}}
            for e in result.get("events") or []]

