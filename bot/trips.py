"""Trips: countries a traveller is covered for between two dates, and what they are told.

Pure logic, no I/O: reading the dates a traveller types, the window a trip covers (from
midnight on the first day to midnight after the last, at the destination), when its two
briefings fall due, which timezone applies during it, and the picture of a country's
current levels that /status and the briefings show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global

from bot.alerts import Alert, Category, Severity

MAX_TRIP_DAYS = 366  # a longer stay is a move: /subscribe fits it better
MAX_TRIPS_PER_CHAT = 20
KEEP_ENDED_DAYS = 30  # ended trips are removed by the daily cleanup after this
BRIEFING_HOUR = 8  # briefings fall due at 08:00 at the destination, not at midnight
RECENT_DAYS = 30  # "recent alerts" in a briefing
HAZARD_FRESH_DAYS = 14  # a hazard without an expiry counts as active this long after its update

# Countries spanning several timezones: the zone where most people live (or the capital's).
# Every other country has a single zone in CLDR's territory table.
_MAIN_ZONES = {
    "AQ": "Antarctica/McMurdo",
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "GL": "America/Nuuk",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Gaza",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UM": "Pacific/Wake",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}


class TripProblem(StrEnum):
    NO_COUNTRIES = "no-countries"
    ENDS_BEFORE_START = "ends-before-start"
    ALREADY_OVER = "already-over"
    TOO_LONG = "too-long"


class TripError(ValueError):
    """A trip that cannot be planned; `reason` says which rule it breaks."""

    def __init__(self, reason: TripProblem) -> None:
        super().__init__(str(reason))
        self.reason = reason


class BriefingKind(StrEnum):
    BEFORE = "before"  # some days before departure
    ARRIVAL = "arrival"  # on the first day


def main_timezone(country: str) -> str:
    """The IANA zone most of a country lives in; UTC for a code no table knows."""
    code = country.upper()
    if code in _MAIN_ZONES:
        return _MAIN_ZONES[code]
    zones: list[str] = get_global("territory_zones").get(code, [])
    return zones[0] if zones else "UTC"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class TripPlan:
    """A trip as typed, checked, not yet saved."""

    countries: tuple[str, ...]
    starts_on: date
    ends_on: date

    @property
    def timezone(self) -> str:
        """The trip's timezone: the first destination's."""
        return main_timezone(self.countries[0])

    @property
    def starts_at(self) -> datetime:
        """Coverage begins at midnight starting the first day, at the destination (UTC)."""
        local = datetime.combine(self.starts_on, time(0), tzinfo=_zone(self.timezone))
        return local.astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """Coverage ends at midnight after the last day, at the destination (UTC)."""
        after = self.ends_on + timedelta(days=1)
        local = datetime.combine(after, time(0), tzinfo=_zone(self.timezone))
        return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Trip:
    """A saved trip of one chat; the briefing stamps say which briefings went out."""

    id: int
    chat_id: int
    countries: tuple[str, ...]
    starts_on: date
    ends_on: date
    starts_at: datetime
    ends_at: datetime
    briefed_before: datetime | None = None
    briefed_arrival: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at


def plan_trip(countries: Iterable[str], starts_on: date, ends_on: date, *, today: date) -> TripPlan:
    """Check a trip against the rules; raises `TripError` naming the one it breaks."""
    codes = tuple(dict.fromkeys(countries))
    if not codes:
        raise TripError(TripProblem.NO_COUNTRIES)
    if ends_on < starts_on:
        raise TripError(TripProblem.ENDS_BEFORE_START)
    if ends_on < today:
        raise TripError(TripProblem.ALREADY_OVER)
    if (ends_on - starts_on).days + 1 > MAX_TRIP_DAYS:
        raise TripError(TripProblem.TOO_LONG)
    return TripPlan(codes, starts_on, ends_on)


# 2026-12-01, 01.12.2026, 01/12/2026 (day first, as most of the world writes it), 1.12.26.
_DATE = re.compile(
    r"(?<![\d.\-/])(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    r"|(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2}))(?![\d.\-/])"
)


def parse_date(text: str) -> date | None:
    """One date as a traveller types it: ISO (2026-12-01), 01.12.2026 or 01/12/2026."""
    found, rest = find_dates(text)
    return found[0] if len(found) == 1 and not rest.strip(" ,;") else None


def find_dates(text: str) -> tuple[list[date], str]:
    """The valid dates in `text`, in order, and the text without them (the countries)."""
    found: list[date] = []
    kept: list[str] = []
    last = 0
    for match in _DATE.finditer(text):
        day = _to_date(match)
        if day is None:
            continue
        found.append(day)
        kept.append(text[last : match.start()])
        last = match.end()
    kept.append(text[last:])
    rest = " ".join(part.strip() for part in kept if part.strip())
    return found, rest


def _to_date(match: re.Match[str]) -> date | None:
    if match.group("iy"):
        year, month, day = match.group("iy"), match.group("im"), match.group("id")
    else:
        year, month, day = match.group("y"), match.group("m"), match.group("d")
    number = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(number, int(month), int(day))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class BriefingCutoffs:
    """A trip's before-briefing is due once it starts by `before`; its arrival briefing
    once it started by `arrival`. Comparing `starts_at` with these is one SQL condition."""

    before: datetime
    arrival: datetime


def briefing_cutoffs(now: datetime, days_before: int) -> BriefingCutoffs:
    """Both briefings fall due at BRIEFING_HOUR at the destination: `days_before` days
    ahead, and on the first day."""
    hour = timedelta(hours=BRIEFING_HOUR)
    return BriefingCutoffs(before=now + timedelta(days=days_before) - hour, arrival=now - hour)


def briefing_due(trip: Trip, now: datetime, days_before: int) -> BriefingKind | None:
    """The briefing a trip is owed now, if any (the store asks the same question in SQL).

    A trip added after its arrival briefing fell due skips the one before departure.
    """
    cutoffs = briefing_cutoffs(now, days_before)
    if trip.has_ended(now):
        return None
    if trip.briefed_arrival is None and trip.starts_at <= cutoffs.arrival:
        return BriefingKind.ARRIVAL
    if trip.briefed_before is None and cutoffs.arrival < trip.starts_at <= cutoffs.before:
        return BriefingKind.BEFORE
    return None


def cleanup_cutoff(now: datetime) -> datetime:
    """Trips that ended before this are forgotten."""
    return now - timedelta(days=KEEP_ENDED_DAYS)


def effective_timezone(chat_timezone: str, trips: Sequence[Trip], now: datetime) -> str:
    """The timezone quiet hours and dates follow: the destination's during a trip."""
    for trip in sorted(trips, key=lambda t: t.starts_at):
        if trip.is_active(now) and trip.countries:
            return main_timezone(trip.countries[0])
    return chat_timezone


@dataclass(frozen=True, slots=True)
class CountryPicture:
    """What a traveller to one country should know now: every source's advisory level, the
    highest of them, whether governments disagree, and the hazards active there."""

    country: str
    advisories: tuple[Alert, ...]
    hazards: tuple[Alert, ...]

    @property
    def highest(self) -> Severity | None:
        return max((a.severity for a in self.advisories), default=None)

    @property
    def disagree(self) -> bool:
        return len({a.severity for a in self.advisories}) > 1

    @property
    def highest_sources(self) -> tuple[str, ...]:
        return tuple(a.source for a in self.advisories if a.severity == self.highest)


def picture_of(country: str, alerts: Iterable[Alert], now: datetime) -> CountryPicture:
    """Advisories (not cancelled) by source, then active hazards, most severe first."""
    advisories: list[Alert] = []
    hazards: list[Alert] = []
    for alert in alerts:
        if alert.cancelled:
            continue
        if alert.category == Category.ADVISORY:
            advisories.append(alert)
        elif _hazard_active(alert, now):
            hazards.append(alert)
    advisories.sort(key=lambda a: (-a.severity, a.source))
    hazards.sort(key=lambda a: (-a.severity, -a.updated.timestamp()))
    return CountryPicture(country, tuple(advisories), tuple(hazards))


def _hazard_active(alert: Alert, now: datetime) -> bool:
    if alert.expires is not None:
        return alert.expires > now
    return alert.updated >= now - timedelta(days=HAZARD_FRESH_DAYS)


def recent_alerts(alerts: Iterable[Alert], now: datetime) -> list[Alert]:
    """Alerts updated in the last RECENT_DAYS, newest first, each once (for a briefing)."""
    since = now - timedelta(days=RECENT_DAYS)
    unique = {(a.source, a.id): a for a in alerts if not a.cancelled and a.updated >= since}
    return sorted(unique.values(), key=lambda a: a.updated, reverse=True)
