"""Working-day calendars: China (with its make-up workdays, 调休) and Japan.

The public holidays come from the `holidays` package, imported only when a calendar is first
asked a question (it costs ~150 ms). A year given in shop.toml ([calendar.CN.2027] off/on) wins
over the package: off = non-working days, on = weekend days that are working days.

Official or not: the package has correct China data for the years the State Council has
published, but silently guesses later ones (their holidays, no make-up workdays, no marker).
A China year counts as official when shop.toml gives it or when the package knows its make-up
workdays (every published year has some). Japan's holidays are set by law; only the equinox
days are gazetted in February of the year before, so a Japan year counts as official up to the
year after "now". Callers compute windows either way and say so with `calendar_note`.

Answers are cached: a batch over a million orders asks the same few hundred questions. And
each year the package computes is kept on disk ($XDG_CACHE_HOME/kefu, ~/.cache/kefu), keyed by
the installed package's file stamp: importing `holidays` loads every country it knows (80 ms),
which a one-order `kefu eta` query in a shell loop would otherwise pay on every run. A cache
that cannot be read or written is passed over; the answers are the package's either way.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

from kefu_cli.i18n import _

ONE_DAY = timedelta(days=1)


class WorkCalendar:
    def __init__(self, country: str, overrides: dict[int, tuple[frozenset, frozenset]] | None = None,
                 closed: frozenset = frozenset()):
        if country not in ("CN", "JP"):
            raise ValueError(country)
        self.country = country
        self.overrides = overrides or {}
        self.closed = closed  # (month, day) a warehouse closes every year on top of the country's calendar
        self._lib = None
        self._working: dict[date, bool] = {}
        self._after: dict[tuple[date, int], date] = {}
        self._official: dict[int, bool] = {}
        self._years: dict[int, tuple[frozenset, frozenset, bool]] = {}

    def _year(self, year: int) -> tuple[frozenset, frozenset, bool]:
        """(off: weekdays that are not working days, on: weekend days that are, official) of a
        year the package computes: from the disk cache when it has it for this package."""
        found = self._years.get(year)
        if found is not None:
            return found
        path, stamp = _cache_path(self.country, year)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["stamp"] != stamp:
                raise ValueError("another holidays package")
            found = (frozenset(map(date.fromisoformat, data["off"])), frozenset(map(date.fromisoformat, data["on"])),
                     bool(data["official"]))
        except (OSError, ValueError, KeyError, TypeError):
            found = self._from_package(year)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps({"stamp": stamp, "off": sorted(map(str, found[0])),
                                           "on": sorted(map(str, found[1])), "official": found[2]}), encoding="utf-8")
                tmp.replace(path)
            except OSError:
                pass
        self._years[year] = found
        return found

    def _from_package(self, year: int) -> tuple[frozenset, frozenset, bool]:
        lib = self._holidays()
        days = [date(year, 1, 1) + ONE_DAY * i for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
        if self.country == "CN":
            working = {d: lib.is_working_day(d) for d in days}  # weekends off, make-up Saturdays on
            official = any(d.year == year for d in getattr(lib, "weekend_workdays", ()))
            return (frozenset(d for d in days if d.weekday() < 5 and not working[d]),
                    frozenset(d for d in days if d.weekday() >= 5 and working[d]), official)
        return frozenset(d for d in days if d in lib), frozenset(), True

    def _holidays(self):
        if self._lib is None:
            import holidays

            self._lib = holidays.China() if self.country == "CN" else holidays.Japan()
        return self._lib

    def is_working(self, day: date) -> bool:
        try:
            return self._working[day]
        except KeyError:
            pass
        override = self.overrides.get(day.year)
        off, on = override if override is not None else self._year(day.year)[:2]
        result = (day in on or (day.weekday() < 5 and day not in off)) and (day.month, day.day) not in self.closed
        self._working[day] = result
        return result

    def next_working(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add_working(day, 1)

    def add_working(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n = 0: `day` itself)."""
        if n <= 0:
            return day
        key = (day, n)
        try:
            return self._after[key]
        except KeyError:
            pass
        current = day
        count = 0
        idle = 0
        while count < n:
            current += ONE_DAY
            if self.is_working(current):
                count += 1
                idle = 0
            else:
                idle += 1
                if idle > 366:  # config check refuses such a calendar; one built around it stops here
                    from kefu_cli.errors import ConfigError

                    raise ConfigError(_("the {country} calendar has no working day in the year after {day}").format(
                        country=self.country, day=current - ONE_DAY * idle),
                        hint=_("check the warehouse's closed days and the shop.toml [calendar] off days "
                               "(kefu config check)"))
        self._after[key] = current
        return current

    def official(self, year: int, now_year: int) -> bool:
        key = (year, now_year) if self.country == "JP" else year
        try:
            return self._official[key]
        except KeyError:
            pass
        if year in self.overrides:
            result = True
        elif self.country == "CN":
            result = self._year(year)[2]
        else:
            result = year <= now_year + 1
        self._official[key] = result
        return result

    def note(self, first: date, last: date, now_year: int) -> str | None:
        """A calendar_note when any year from `first` to `last` is not official yet, else None."""
        years = [y for y in range(first.year, last.year + 1) if not self.official(y, now_year)]
        if not years:
            return None
        return _("{country} {years} calendar not official yet: working days are estimated").format(
            country=self.country, years=", ".join(str(y) for y in years))


class Calendars:
    """One WorkCalendar per country, built on first use from the configuration."""

    def __init__(self, overrides: dict[str, dict[int, tuple[frozenset, frozenset]]] | None = None):
        self._overrides = overrides or {}
        self._calendars: dict[str, WorkCalendar] = {}

    def __getitem__(self, country: str) -> WorkCalendar:
        return self.of(country)

    def of(self, country: str, closed: frozenset = frozenset()) -> WorkCalendar:
        """The calendar of `country`, with a warehouse's own `closed` days (month, day) on top."""
        key = (country, closed)
        cal = self._calendars.get(key)
        if cal is None:
            cal = self._calendars[key] = WorkCalendar(country, self._overrides.get(country), closed)
        return cal


def _cache_path(country: str, year: int) -> tuple[Path, str]:
    """Where a computed year is kept, and the stamp of the installed `holidays` package (the
    size and time of its files' entry point: a new release computes the year again). Finding
    the package does not import it."""
    import importlib.util

    spec = importlib.util.find_spec("holidays")
    origin = Path(spec.origin) if spec and spec.origin else None
    try:
        st = origin.stat() if origin else None
        stamp = f"{st.st_size}:{st.st_mtime_ns}" if st else "none"
    except OSError:
        stamp = "none"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kefu" / f"holidays-{country}-{year}.json", stamp
