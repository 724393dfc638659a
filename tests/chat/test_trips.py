"""Trips and places through the chat: the real bot, the Bot API stand-in, a hand-moved clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.alerts import Category, Severity
from bot.app import BotRuntime
from bot.briefings import remove_ended_trips, send_due_briefings
from bot.delivery.sender import TelegramSender
from bot.places import find_place
from bot.standin import StandIn
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from bot.store import places as place_store
from bot.store import trips as trip_store
from tests.builders import make_alert
from tests.trips.harness import START, Clock, announce, press, running_bot, say


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn, clock: Clock) -> AsyncIterator[BotRuntime]:
    async with running_bot(tmp_path, standin, clock) as bot:
        yield bot


async def trips_of(runtime: BotRuntime, chat_id: int) -> list[tuple[tuple[str, ...], date, date]]:
    found = await trip_store.trips_of(runtime.services.db, chat_id, now=runtime.services.clock())
    return [(t.countries, t.starts_on, t.ends_on) for t in found]


async def test_trip_with_countries_and_dates_is_saved_at_once(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = await say(standin, 801, "/trip Japan, South Korea 2026-12-01 2026-12-15")
    assert "Japan" in answer.text and "South Korea" in answer.text
    assert await trips_of(runtime, 801) == [(("JP", "KR"), date(2026, 12, 1), date(2026, 12, 15))]
    assert await chat_store.subscriptions_of(runtime.services.db, 801) == []


@pytest.mark.parametrize("dates", ["01.12.2026 15.12.2026", "01/12/2026 15/12/2026"])
async def test_trip_dates_may_be_written_day_first(
    runtime: BotRuntime, standin: StandIn, dates: str
) -> None:
    await say(standin, 802, f"/trip France {dates}")
    assert await trips_of(runtime, 802) == [(("FR",), date(2026, 12, 1), date(2026, 12, 15))]


async def test_trip_ending_before_it_starts_asks_for_the_last_day_again(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = await say(standin, 803, "/trip Japan 2026-12-15 2026-12-01")
    assert "before the first" in answer.text
    assert all(d.startswith("trip:e:") for d in answer.button_data())
    fixed = await say(standin, 803, "2026-12-20")
    assert "Trip saved" in fixed.text
    assert await trips_of(runtime, 803) == [(("JP",), date(2026, 12, 15), date(2026, 12, 20))]


async def test_missing_arguments_are_asked_for_with_buttons(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 804, "/subscribe Japan, Italy")
    where = await say(standin, 804, "/trip")
    assert "trip:c:JP" in where.button_data()
    when = await press(standin, 804, where, "trip:c:JP")
    today = START.date().isoformat()
    assert f"trip:s:{today}" in when.button_data()
    last = await press(standin, 804, when, f"trip:s:{today}")
    assert "trip:e:2026-12-03" in last.button_data()  # two weeks
    saved = await press(standin, 804, last, "trip:e:2026-12-03")
    assert "Trip saved" in saved.text
    assert await trips_of(runtime, 804) == [(("JP",), date(2026, 11, 20), date(2026, 12, 3))]


async def test_conversation_accepts_typed_answers_and_can_be_cancelled(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 805, "/trip")
    await say(standin, 805, "Italy")
    await say(standin, 805, "01.12.2026")
    await say(standin, 805, "/cancel")
    assert await trips_of(runtime, 805) == []
    await say(standin, 805, "/trip Peru")
    await say(standin, 805, "2026-12-01")
    await say(standin, 805, "2026-12-09")
    assert await trips_of(runtime, 805) == [(("PE",), date(2026, 12, 1), date(2026, 12, 9))]


async def test_trip_covers_its_country_while_under_way_then_ends_by_itself(
    runtime: BotRuntime, standin: StandIn, clock: Clock
) -> None:
    await say(standin, 806, "/trip Japan 2026-12-01 2026-12-15")
    sent = len(standin.messages_to(806))

    await announce(runtime, "us-state", [make_alert(id="JA", countries=("JP",), title="Japan 1")])
    assert len(standin.messages_to(806)) == sent  # before the trip: not covered

    clock.set(datetime(2026, 12, 5, 9, tzinfo=UTC))
    raised = make_alert(
        id="JA", countries=("JP",), title="Japan 2", severity=Severity.HIGH, source_level="L3"
    )
    await announce(runtime, "us-state", [raised])
    during = standin.messages_to(806)[sent:]
    assert len(during) == 1 and "Japan" in during[0].text

    clock.set(datetime(2026, 12, 16, 9, tzinfo=UTC))
    await announce(runtime, "us-state", [make_alert(id="JA2", countries=("JP",), title="Japan 3")])
    assert len(standin.messages_to(806)) == sent + 1  # over: no longer covered
    assert await trips_of(runtime, 806) == []


async def test_briefing_goes_out_days_before_and_on_arrival_exactly_once_each(
    runtime: BotRuntime, standin: StandIn, clock: Clock
) -> None:
    db = runtime.services.db
    await alert_store.record_poll(
        db,
        "us-state",
        [make_alert(id="FR", countries=("FR",), title="France - Level 2")],
        now=START,
    )
    await say(standin, 807, "/trip France 2026-12-10 2026-12-12")
    sender = TelegramSender(runtime.application.bot)
    sent = len(standin.messages_to(807))

    async def briefings_at(moment: datetime) -> int:
        clock.set(moment)
        return await send_due_briefings(runtime.services, sender)

    assert await briefings_at(datetime(2026, 12, 6, 12, tzinfo=UTC)) == 0  # 4 days ahead
    assert await briefings_at(datetime(2026, 12, 7, 7, 30, tzinfo=UTC)) == 1  # 08:30 in Paris
    assert await briefings_at(datetime(2026, 12, 7, 8, 30, tzinfo=UTC)) == 0
    assert await briefings_at(datetime(2026, 12, 9, 20, tzinfo=UTC)) == 0
    assert await briefings_at(datetime(2026, 12, 10, 7, 30, tzinfo=UTC)) == 1  # arrival
    assert await briefings_at(datetime(2026, 12, 10, 9, 30, tzinfo=UTC)) == 0
    assert await briefings_at(datetime(2026, 12, 11, 9, 30, tzinfo=UTC)) == 0

    before, arrival = standin.messages_to(807)[sent:]
    assert "3 days" in before.plain_text and "Trip briefing" in before.plain_text
    assert "France" in before.plain_text and "Exercise increased caution" in before.plain_text
    assert "today" in arrival.plain_text
    (trip,) = await trip_store.trips_of(db, 807, now=clock.now)
    assert trip.briefed_before is not None and trip.briefed_arrival is not None


async def test_trip_added_on_its_first_day_gets_only_the_arrival_briefing(
    runtime: BotRuntime, standin: StandIn, clock: Clock
) -> None:
    clock.set(datetime(2026, 12, 1, 10, tzinfo=UTC))
    await say(standin, 808, "/trip Kenya 2026-12-01 2026-12-05")
    sent = len(standin.messages_to(808))
    sender = TelegramSender(runtime.application.bot)
    assert await send_due_briefings(runtime.services, sender) == 1
    assert await send_due_briefings(runtime.services, sender) == 0
    (briefing,) = standin.messages_to(808)[sent:]
    assert "today" in briefing.plain_text and "Kenya" in briefing.plain_text


async def test_trips_are_listed_with_buttons_that_remove_them(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 809, "/trip Japan 2026-12-01 2026-12-15")
    await say(standin, 809, "/trip Chile 2027-02-01 2027-02-20")
    listing = await say(standin, 809, "/trips")
    (japan, chile) = await trip_store.trips_of(runtime.services.db, 809, now=START)
    assert listing.button_data() == [f"trip:rm:{japan.id}", f"trip:rm:{chile.id}"]
    removed = await press(standin, 809, listing, f"trip:rm:{japan.id}")
    assert "Japan" in removed.text
    assert await trips_of(runtime, 809) == [(("CL",), date(2027, 2, 1), date(2027, 2, 20))]


async def test_forged_button_for_another_chats_trip_is_refused(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 810, "/trip Japan 2026-12-01 2026-12-15")
    (victim,) = await trip_store.trips_of(runtime.services.db, 810, now=START)
    await say(standin, 811, "/trip Peru 2026-12-01 2026-12-15")
    listing = await say(standin, 811, "/trips")

    answered = len(standin.answered_callbacks)
    query_id = standin.press_button(811, listing.message_id, f"trip:rm:{victim.id}", forged=True)
    await standin.wait_until(lambda: len(standin.answered_callbacks) > answered, timeout=10)
    answer = next(a for a in standin.answered_callbacks if a.callback_query_id == query_id)
    assert answer.text == "This button has expired."
    assert await trips_of(runtime, 810) == [(("JP",), date(2026, 12, 1), date(2026, 12, 15))]
    assert len(await trips_of(runtime, 811)) == 1


async def test_daily_cleanup_forgets_trips_over_for_a_month(
    runtime: BotRuntime, standin: StandIn, clock: Clock
) -> None:
    await say(standin, 812, "/trip Japan 2026-12-01 2026-12-15")
    clock.set(datetime(2027, 1, 10, tzinfo=UTC))
    assert await remove_ended_trips(runtime.services) == 0
    clock.set(datetime(2027, 1, 16, tzinfo=UTC))
    assert await remove_ended_trips(runtime.services) == 1
    assert await runtime.services.db.fetch_value("SELECT count(*) FROM trip_countries") == 0


async def test_place_narrows_quakes_to_its_surroundings(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = await say(standin, 813, "/place Nice, France")
    assert "Nice" in answer.text and "50 km" in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, 813) == ["FR"]
    nice = find_place("Nice", "FR")
    assert nice is not None

    def quake(ident: str, north_km: float, severity: Severity) -> object:
        return make_alert(
            source="usgs",
            id=ident,
            countries=("FR",),
            category=Category.EARTHQUAKE,
            severity=severity,
            title=f"Quake {ident}",
            latitude=nice.latitude + north_km / 111.2,
            longitude=nice.longitude,
        )

    sent = len(standin.messages_to(813))
    await announce(
        runtime,
        "usgs",
        [
            quake("near", 40, Severity.CAUTION),
            quake("far", 300, Severity.CAUTION),
            quake("huge", 300, Severity.EXTREME),
        ],
    )
    texts = [m.plain_text for m in standin.messages_to(813)[sent:]]
    assert len(texts) == 2
    assert any("Quake near" in t for t in texts) and any("Quake huge" in t for t in texts)


async def test_places_are_listed_and_removed_with_buttons(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 814, "/place Kyoto")
    listing = await say(standin, 814, "/place")
    (kyoto,) = await place_store.places_of(runtime.services.db, 814)
    assert kyoto.country == "JP" and listing.button_data() == [f"place:rm:{kyoto.id}"]
    removed = await press(standin, 814, listing, f"place:rm:{kyoto.id}")
    assert "Kyoto" in removed.text
    assert await place_store.places_of(runtime.services.db, 814) == []


async def test_unknown_town_is_said_not_guessed(runtime: BotRuntime, standin: StandIn) -> None:
    answer = await say(standin, 815, "/place Xyzzyville <b>")
    assert "Xyzzyville &lt;b&gt;" in answer.text
    assert await place_store.places_of(runtime.services.db, 815) == []
