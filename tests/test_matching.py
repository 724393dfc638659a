"""Who an announcement reaches: followers, travellers on a trip, and readers who named a town
(point hazards only near it). Built through the store's public functions, checked in the
outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.alerts import Alert, Category, Change, Severity
from bot.matching import bounding_box, fan_out, hazard_radius_km, reach_of
from bot.places import distance_km, find_place
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from bot.store import places as place_store
from bot.store import preferences
from bot.store import trips as trip_store
from bot.store.database import Database
from bot.store.dialect import Dialect, to_postgres
from bot.store.postgres import PostgresDatabase
from bot.trips import plan_trip
from tests.builders import BASE_TIME, make_alert
from tests.databases import BACKENDS, open_database

NOW = BASE_TIME  # 2025-10-07 12:00 UTC
NICE = find_place("Nice", "FR")
assert NICE is not None
KM_PER_DEGREE_LATITUDE = 111.2


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async with open_database(str(request.param), tmp_path) as database:
        yield database


async def chat(db: Database, chat_id: int, *follows: str) -> None:
    await chat_store.register_chat(db, chat_id, kind="private", language="en", now=NOW)
    await chat_store.subscribe(db, chat_id, follows, now=NOW)


async def announce(db: Database, alert: Alert) -> int:
    """Record the alert as a poll would; returns the announcement's version id."""
    recorded = await alert_store.record_poll(db, alert.source, [alert], now=NOW)
    assert len(recorded) == 1
    return recorded[0].alert_version_id


async def recipients(db: Database, alert: Alert) -> set[int]:
    """Record the alert as a poll would, fan it out, and return who got an outbox row."""
    version_id = await announce(db, alert)
    await fan_out(db, version_id, now=NOW)
    rows = await db.fetch_all(
        "SELECT chat_id FROM deliveries WHERE alert_version_id = ?", (version_id,)
    )
    return {row["chat_id"] for row in rows}


def quake_north_of_nice(km: float, severity: Severity, ident: str) -> Alert:
    return make_alert(
        source="usgs",
        id=ident,
        countries=("FR",),
        category=Category.EARTHQUAKE,
        severity=severity,
        source_level="M 5.0",
        title=f"M 5.0 - {km:.0f} km from Nice",
        latitude=NICE.latitude + km / KM_PER_DEGREE_LATITUDE,
        longitude=NICE.longitude,
    )


async def test_city_restricted_reader_gets_a_near_quake_but_not_a_far_one(db: Database) -> None:
    await chat(db, 1, "FR")
    await place_store.add_place(db, 1, NICE, now=NOW)
    await chat(db, 2, "FR")  # the whole country

    near = quake_north_of_nice(40, Severity.CAUTION, "near")
    far = quake_north_of_nice(300, Severity.CAUTION, "far")
    assert distance_km(NICE.latitude, NICE.longitude, near.latitude, near.longitude) < 50

    assert await recipients(db, near) == {1, 2}
    assert await recipients(db, far) == {2}


async def test_extreme_quake_reaches_a_city_restricted_reader_300_km_away(db: Database) -> None:
    await chat(db, 1, "FR")
    await place_store.add_place(db, 1, NICE, now=NOW)
    assert await recipients(db, quake_north_of_nice(300, Severity.EXTREME, "big")) == {1}
    assert await recipients(db, quake_north_of_nice(300, Severity.HIGH, "high")) == set()


async def test_advisory_still_reaches_a_city_restricted_reader(db: Database) -> None:
    await chat(db, 1, "FR")
    await place_store.add_place(db, 1, NICE, now=NOW)
    advisory = make_alert(id="FR", countries=("FR",), title="France - Level 2")
    assert await recipients(db, advisory) == {1}


async def test_quake_across_the_border_reaches_a_nearby_town(db: Database) -> None:
    """Menton is on the Italian border: a quake 20 km east, in Italy, is news there."""
    await chat(db, 1, "FR")
    menton = find_place("Menton", "FR")
    assert menton is not None
    await place_store.add_place(db, 1, menton, now=NOW)
    quake = replace(
        quake_north_of_nice(0, Severity.CAUTION, "it"),
        countries=("IT",),
        latitude=menton.latitude,
        longitude=menton.longitude + 0.25,
    )
    assert await recipients(db, quake) == {1}


async def test_town_whose_country_is_no_longer_followed_hears_nothing(db: Database) -> None:
    await chat(db, 1, "FR")
    await place_store.add_place(db, 1, NICE, now=NOW)
    await chat_store.unsubscribe(db, 1, ["FR"])
    assert await recipients(db, quake_north_of_nice(10, Severity.EXTREME, "q")) == set()


async def test_trip_under_way_covers_its_countries_without_a_subscription(db: Database) -> None:
    await chat(db, 1)
    plan = plan_trip(["JP"], date(2025, 10, 5), date(2025, 10, 20), today=NOW.date())
    await trip_store.add_trip(db, 1, plan, now=NOW)
    japan = make_alert(id="JA", countries=("JP",), title="Japan - Level 1")
    assert await recipients(db, japan) == {1}


async def test_future_and_past_trips_do_not_cover(db: Database) -> None:
    await chat(db, 1)
    await chat(db, 2)
    soon = plan_trip(["JP"], date(2025, 11, 1), date(2025, 11, 9), today=NOW.date())
    await trip_store.add_trip(db, 1, soon, now=NOW)
    over = plan_trip(["JP"], date(2025, 9, 1), date(2025, 10, 6), today=date(2025, 9, 1))
    await trip_store.add_trip(db, 2, over, now=NOW)
    assert await recipients(db, make_alert(id="JA", countries=("JP",))) == set()


async def test_follower_and_traveller_each_get_one_row(db: Database) -> None:
    await chat(db, 1, "JP", "KR")
    plan = plan_trip(["JP", "KR"], date(2025, 10, 1), date(2025, 10, 30), today=NOW.date())
    await trip_store.add_trip(db, 1, plan, now=NOW)
    alert = make_alert(id="JP-KR", countries=("JP", "KR"))
    assert await recipients(db, alert) == {1}
    assert await db.fetch_value("SELECT count(*) FROM deliveries") == 1


async def test_point_hazard_without_coordinates_reaches_the_whole_country(db: Database) -> None:
    await chat(db, 1, "FR")
    await place_store.add_place(db, 1, NICE, now=NOW)
    flood = make_alert(source="cap", id="fl", countries=("FR",), category=Category.FLOOD)
    assert await recipients(db, flood) == {1}


def test_radius_grows_with_the_level() -> None:
    radii = [hazard_radius_km(level) for level in Severity]
    assert radii == [50, 50, 100, 350]


def test_bounding_box_holds_the_whole_circle_even_near_the_date_line() -> None:
    box = bounding_box(NICE.latitude, NICE.longitude, 350)
    edge = distance_km(NICE.latitude, NICE.longitude, NICE.latitude, box.east)
    assert edge >= 350 and box.south < NICE.latitude < box.north
    wrapped = bounding_box(-17.7, 179.9, 100)  # Fiji
    assert (wrapped.west, wrapped.east) == (-180.0, 180.0)


async def test_one_row_per_chat_following_any_of_the_countries(db: Database) -> None:
    await chat(db, 1, "FR", "DE")
    await chat(db, 2, "DE")
    await chat(db, 3, "JP")
    version = await announce(db, make_alert(id="EU", countries=("FR", "DE")))
    announcement = await alert_store.load_announcement(db, version)
    assert announcement is not None

    assert await place_store.count_covering(db, reach_of(announcement), now=NOW) == 2
    assert await fan_out(db, version, now=NOW) == 2
    assert await fan_out(db, version, now=NOW) == 0  # a second run (after a crash) adds none
    rows = await db.fetch_all(
        "SELECT chat_id FROM deliveries WHERE alert_version_id = ? ORDER BY chat_id", (version,)
    )
    assert [row["chat_id"] for row in rows] == [1, 2]


async def test_level_threshold_categories_and_inactive_chats_are_honoured(
    db: Database,
) -> None:
    for chat_id in range(1, 7):
        await chat(db, chat_id, "FR")
    await chat_store.set_min_severity(db, 1, 3, now=NOW)  # wants level 3 and up
    await chat_store.set_min_severity(db, 2, 2, now=NOW)
    await preferences.set_categories(db, 3, ["earthquake", "health"], now=NOW)
    await preferences.set_categories(db, 4, ["advisory"], now=NOW)
    await chat_store.deactivate(db, 5, "blocked", now=NOW)
    await preferences.set_paused(db, 6, True, now=NOW)
    caution = make_alert(id="FR", countries=("FR",), severity=Severity.CAUTION)

    assert await recipients(db, caution) == {2, 4}
    health = make_alert(id="FR-flu", countries=("FR",), category=Category.HEALTH)
    assert await recipients(db, health) == {2, 3}


async def test_a_lowering_reaches_readers_of_the_level_it_came_down_from(db: Database) -> None:
    await chat(db, 1, "FR")
    await chat(db, 2, "FR")
    await chat_store.set_min_severity(db, 1, 4, now=NOW)
    await chat_store.set_min_severity(db, 2, 2, now=NOW)
    level_4 = make_alert(id="FR", countries=("FR",), severity=Severity.EXTREME)
    assert await recipients(db, level_4) == {1, 2}

    lowered = replace(level_4, severity=Severity.NORMAL, source_level="Level 1")
    version = await announce(db, lowered)
    announcement = await alert_store.load_announcement(db, version)
    assert announcement is not None and announcement.change is Change.LOWERED
    await fan_out(db, version, now=NOW)
    rows = await db.fetch_all(
        "SELECT chat_id FROM deliveries WHERE alert_version_id = ? ORDER BY chat_id", (version,)
    )
    assert [row["chat_id"] for row in rows] == [1, 2]


async def explain(db: Database, sql: str, params: dict[str, object]) -> list[str]:
    """The plan of one statement as the store runs it, one line per step."""
    if isinstance(db, PostgresDatabase):
        # PostgreSQL plans by the tables' sizes (tiny here): with sequential scans off, a
        # lookup by country has to go through an index on country.
        statement = to_postgres(sql)
        assert statement.names is not None
        arguments = [params[name] for name in statement.names]
        async with db.connection.transaction():
            await db.connection.execute("SET LOCAL enable_seqscan = off")
            rows = await db.connection.fetch("EXPLAIN " + statement.sql, *arguments)
        return [row[0] for row in rows]
    return [row["detail"] for row in await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params)]


@pytest.mark.parametrize("point_hazard", [False, True])
async def test_the_recipient_query_walks_the_country_indexes(
    db: Database, point_hazard: bool
) -> None:
    """The very statement fan_out runs finds its readers through the indexes on country
    (subscriptions and trips), never by reading every subscription."""
    await chat(db, 1, "FR")
    await place_store.add_place(db, 1, NICE, now=NOW)
    alert = quake_north_of_nice(10, Severity.HIGH, "q") if point_hazard else make_alert()
    version = await announce(db, alert)
    announcement = await alert_store.load_announcement(db, version)
    assert announcement is not None
    reach = reach_of(announcement)
    assert reach.point_hazard is point_hazard

    sql, params = place_store.covering_statement(version, reach, now=NOW)
    plan = " | ".join(await explain(db, sql, params))

    assert "subscriptions_by_country" in plan, plan
    assert "trip_countries_by_country" in plan, plan
    if point_hazard:
        assert "places_by_chat_country" in plan, plan
    if db.dialect is Dialect.SQLITE:
        assert "SCAN s " not in plan and "SCAN subscriptions" not in plan, plan
