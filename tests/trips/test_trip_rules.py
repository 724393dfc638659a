"""The pure rules of trips: dates as typed, the covered window, briefings, timezones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.alerts import Category, Severity
from bot.trips import (
    BriefingKind,
    Trip,
    TripError,
    TripProblem,
    briefing_due,
    effective_timezone,
    find_dates,
    main_timezone,
    parse_date,
    picture_of,
    plan_trip,
)
from tests.builders import BASE_TIME, make_alert

TODAY = date(2026, 11, 20)


def trip_to(countries: tuple[str, ...], starts: date, ends: date, **stamps: datetime) -> Trip:
    plan = plan_trip(countries, starts, ends, today=TODAY)
    return Trip(1, 10, plan.countries, starts, ends, plan.starts_at, plan.ends_at, **stamps)


@pytest.mark.parametrize(
    "text", ["2026-12-01", "01.12.2026", "01/12/2026", "1.12.26", " 2026-12-1 "]
)
def test_dates_are_read_in_iso_and_day_first_forms(text: str) -> None:
    assert parse_date(text) == date(2026, 12, 1)


def test_countries_and_dates_are_told_apart() -> None:
    dates, rest = find_dates("Japan, South Korea 2026-12-01 15.12.2026")
    assert dates == [date(2026, 12, 1), date(2026, 12, 15)]
    assert rest == "Japan, South Korea"


def test_impossible_dates_are_not_dates() -> None:
    assert parse_date("31.02.2026") is None
    assert parse_date("2026-13-01") is None
    assert find_dates("Japan 12345")[0] == []


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_date_written_any_way_reads_back(day: date) -> None:
    for text in (day.isoformat(), day.strftime("%d.%m.%Y"), day.strftime("%d/%m/%Y")):
        assert parse_date(text) == day


def test_trip_rules_name_the_problem() -> None:
    with pytest.raises(TripError) as error:
        plan_trip(["JP"], date(2026, 12, 15), date(2026, 12, 1), today=TODAY)
    assert error.value.reason == TripProblem.ENDS_BEFORE_START
    with pytest.raises(TripError) as error:
        plan_trip(["JP"], date(2026, 1, 1), date(2026, 1, 9), today=TODAY)
    assert error.value.reason == TripProblem.ALREADY_OVER
    with pytest.raises(TripError) as error:
        plan_trip(["JP"], date(2026, 12, 1), date(2028, 1, 1), today=TODAY)
    assert error.value.reason == TripProblem.TOO_LONG
    with pytest.raises(TripError) as error:
        plan_trip([], date(2026, 12, 1), date(2026, 12, 2), today=TODAY)
    assert error.value.reason == TripProblem.NO_COUNTRIES


def test_trip_covers_whole_days_at_the_destination() -> None:
    plan = plan_trip(["JP"], date(2026, 12, 1), date(2026, 12, 15), today=TODAY)
    assert plan.starts_at == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # Tokyo is UTC+9
    assert plan.ends_at == datetime(2026, 12, 15, 15, 0, tzinfo=UTC)


def test_briefings_fall_due_days_before_then_on_arrival() -> None:
    trip = trip_to(("FR",), date(2026, 12, 10), date(2026, 12, 12))
    # Paris is UTC+1 in December: 08:00 there is 07:00 UTC.
    assert briefing_due(trip, datetime(2026, 12, 7, 6, 59, tzinfo=UTC), 3) is None
    assert briefing_due(trip, datetime(2026, 12, 7, 7, 0, tzinfo=UTC), 3) == BriefingKind.BEFORE
    stamped = replace(trip, briefed_before=datetime(2026, 12, 7, 7, tzinfo=UTC))
    assert briefing_due(stamped, datetime(2026, 12, 9, 12, tzinfo=UTC), 3) is None
    arrival = datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    assert briefing_due(stamped, arrival, 3) == BriefingKind.ARRIVAL
    assert briefing_due(stamped, datetime(2026, 12, 13, tzinfo=UTC), 3) is None  # over


def test_main_timezone_of_a_country_with_several_is_where_most_people_live() -> None:
    assert main_timezone("US") == "America/New_York"
    assert main_timezone("JP") == "Asia/Tokyo"
    assert main_timezone("RU") == "Europe/Moscow"
    assert main_timezone("QQ") == "UTC"  # no such country


def test_destination_timezone_applies_only_during_the_trip() -> None:
    trip = trip_to(("JP", "KR"), date(2026, 12, 1), date(2026, 12, 15))
    during = datetime(2026, 12, 5, tzinfo=UTC)
    assert effective_timezone("Europe/Berlin", [trip], during) == "Asia/Tokyo"
    assert effective_timezone("Europe/Berlin", [trip], during + timedelta(days=30)) == (
        "Europe/Berlin"
    )
    assert effective_timezone("Europe/Berlin", [], during) == "Europe/Berlin"


def test_picture_puts_the_highest_level_first_and_sees_disagreement() -> None:
    us = make_alert(source="us-state", severity=Severity.CAUTION)
    uk = make_alert(source="uk-fcdo", severity=Severity.HIGH)
    quake = make_alert(source="usgs", id="q", category=Category.EARTHQUAKE)
    old_quake = replace(quake, id="old", updated=BASE_TIME - timedelta(days=60))
    picture = picture_of("DE", [us, uk, quake, old_quake], BASE_TIME)
    assert [a.source for a in picture.advisories] == ["uk-fcdo", "us-state"]
    assert picture.highest == Severity.HIGH and picture.disagree
    assert picture.highest_sources == ("uk-fcdo",)
    assert [a.id for a in picture.hazards] == ["q"]
