"""Trips and places through the chat: the real bot, the Bot API stand-in, a hand-moved clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.alerts import Category, Severity
from bot.app import BotRuntime
from bot.briefings import remove_ended_trips, send_due_briefings
from bot.delivery.sender import TelegramSender
from bot.matching import HAZARD_RADIUS_KM
from bot.places import find_place
from bot.standin import StandIn
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from bot.store import places as place_store
from bot.store import trips as trip_store
from tests.builders import make_alert
from tests.chat.conftest import Traveller
from tests.trips.harness import START, Clock, announce, press, running_bot, say

Travellers = Callable[..., Traveller]
GROUP = -100300


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
    where = await say(standin, 805, "/trip")  # follows nothing: no country to offer
    assert "Where are you going?" in where.text and where.button_data() == []
    when = await say(standin, 805, "Italy")
    assert "Trip to 🇮🇹 Italy. When do you leave?" in when.text
    last = await say(standin, 805, "01.12.2026")
    assert "What is the last day?" in last.text
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
    assert "Nice" in answer.text and "within 50, 100, or 350 km" in answer.text
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


async def test_place_names_every_radius_matching_uses(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = (await say(standin, 816, "/place Kyoto")).plain_text
    radii = sorted({int(km) for km in HAZARD_RADIUS_KM.values()})
    assert len(radii) == 3  # 50, 100 and 350 km: the middle tier is named too
    shown = [answer.index(str(km)) for km in radii]
    assert shown == sorted(shown) and " km" in answer


async def test_trip_and_trips_in_french(runtime: BotRuntime, standin: StandIn) -> None:
    saved = (await say(standin, 820, "/trip Japon 2026-12-01 2026-12-15", "fr")).plain_text
    assert "Voyage enregistré : 🇯🇵 Japon, 1 déc. 2026 – 15 déc. 2026." in saved
    assert "Vos voyages : /trips" in saved and "Trip saved" not in saved
    asked = (await say(standin, 820, "/trip", "fr")).plain_text
    assert "Où allez-vous ?" in asked
    when = (await say(standin, 820, "Chili", "fr")).plain_text
    assert "Voyage : 🇨🇱 Chili. Quand partez-vous ?" in when
    await say(standin, 820, "01.02.2027", "fr")
    await say(standin, 820, "20.02.2027", "fr")
    listing = await say(standin, 820, "/trips", "fr")
    assert listing.plain_text.splitlines() == [
        "Vos voyages (2) :",
        "🇯🇵 Japon, 1 déc. 2026 – 15 déc. 2026",
        "🇨🇱 Chili, 1 févr. 2027 – 20 févr. 2027",
    ]
    japan, _ = await trip_store.trips_of(runtime.services.db, 820, now=START)
    removed = await press(standin, 820, listing, f"trip:rm:{japan.id}")
    assert removed.plain_text == "Voyage supprimé : 🇯🇵 Japon, 1 déc. 2026 – 15 déc. 2026."
    assert await trips_of(runtime, 820) == [(("CL",), date(2027, 2, 1), date(2027, 2, 20))]


async def test_trip_questions_in_german(runtime: BotRuntime, standin: StandIn) -> None:
    where = (await say(standin, 821, "/trip 2026-12-01", "de")).plain_text
    assert "Wohin reisen Sie?" in where
    last = (await say(standin, 821, "Italien", "de")).plain_text
    assert "Reise nach 🇮🇹 Italien" in last and "01.12.2026" in last
    saved = (await say(standin, 821, "2026-12-09", "de")).plain_text
    assert "Reise gespeichert: 🇮🇹 Italien, 01.12.2026 – 09.12.2026." in saved
    assert await trips_of(runtime, 821) == [(("IT",), date(2026, 12, 1), date(2026, 12, 9))]


async def test_place_in_french(runtime: BotRuntime, standin: StandIn) -> None:
    answer = (await say(standin, 822, "/place Nice, France", "fr")).plain_text
    assert "Vous suivez maintenant : 🇫🇷 France." in answer
    assert "à proximité de Nice" in answer and "50, 100 ou 350 km" in answer
    assert await chat_store.subscriptions_of(runtime.services.db, 822) == ["FR"]
    listing = await say(standin, 822, "/place", "fr")
    assert "🇫🇷 Nice, France" in listing.plain_text and "par exemple" in listing.plain_text
    (nice,) = await place_store.places_of(runtime.services.db, 822)
    removed = await press(standin, 822, listing, f"place:rm:{nice.id}")
    assert removed.plain_text == "Lieu supprimé : Nice."
    unknown = (await say(standin, 822, "/place Xyzzyville", "fr")).plain_text
    assert "Je ne connais pas de ville appelée « Xyzzyville »" in unknown
    assert await place_store.places_of(runtime.services.db, 822) == []


async def test_arguments_may_start_on_the_next_line(runtime: BotRuntime, standin: StandIn) -> None:
    saved = await say(standin, 823, "/trip\nJapan\n2026-12-01 2026-12-15")
    assert "Trip saved" in saved.text
    assert await trips_of(runtime, 823) == [(("JP",), date(2026, 12, 1), date(2026, 12, 15))]
    placed = await say(standin, 823, "/place\tKyoto")
    assert "Kyoto" in placed.text
    assert [p.name for p in await place_store.places_of(runtime.services.db, 823)] == ["Kyoto"]


@pytest.mark.parametrize(("language", "words"), [("en", "too long"), ("fr", "trop long")])
async def test_overlong_trip_or_place_is_refused_not_cut(
    runtime: BotRuntime, standin: StandIn, language: str, words: str
) -> None:
    chat_id = 824 if language == "en" else 825
    for text in (
        "/trip Japan 2026-12-01 2026-12-15 " + "x" * 5000,  # longer than Telegram allows
        "/trip Japan 2026-12-01 2026-12-15 " + "Japan, " * 200,  # longer than a trip needs
        "/place Nice, France" + " " * 300 + "x",
        "/place Kyoto " + "x" * 5000,
    ):
        answer = await say(standin, chat_id, text, language)
        assert words in answer.text, text[:20]
        assert "Trip saved" not in answer.text and "Voyage enregistré" not in answer.text
    assert await trips_of(runtime, chat_id) == []
    assert await place_store.places_of(runtime.services.db, chat_id) == []
    assert await chat_store.subscriptions_of(runtime.services.db, chat_id) == []


async def test_typed_terms_are_echoed_clean(runtime: BotRuntime, standin: StandIn) -> None:
    asked = await say(standin, 826, "/trip Atl\u202eantis\u0000\u200b<b> 2026-12-01")
    assert "Atlantis&lt;b&gt;" in asked.text
    assert not any(c in asked.text for c in "\u202e\u0000\u200b")
    await say(standin, 826, "/cancel")
    unknown = await say(standin, 826, "/place Xyz\u202ezy\u0007ville<i>")
    assert "Xyzzyville&lt;i&gt;" in unknown.text
    assert not any(c in unknown.text for c in "\u202e\u0007")


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        ("en", "Only this group's administrators can change what it follows."),
        ("fr", "Seuls les administrateurs de ce groupe peuvent modifier ce qu'il suit."),
    ],
)
async def test_only_group_admins_add_or_remove_trips_and_places(
    runtime: BotRuntime, standin: StandIn, traveller: Travellers, language: str, refusal: str
) -> None:
    group = GROUP - (language == "fr")
    member = traveller(group, language, chat_type="group", user_id=41)
    admin = traveller(group, language, chat_type="group", user_id=42)
    standin.user_message(group, "hello", user_id=42, chat_type="group", language_code=language)
    standin.member_status(group, 42, "administrator")
    standin.member_status(group, 41, "member")
    db = runtime.services.db

    for command in ("/trip Japan 2026-12-01 2026-12-15", "/trip", "/place Nice, France"):
        refused = await member.say(command)
        assert refused.plain_text == refusal, command
    assert await trips_of(runtime, group) == []
    assert await place_store.places_of(db, group) == []
    assert await chat_store.subscriptions_of(db, group) == []  # /place subscribes: not here

    await admin.say("/trip Japan 2026-12-01 2026-12-15")
    await admin.say("/place Kyoto")
    assert len(await trips_of(runtime, group)) == 1
    (kyoto,) = await place_store.places_of(db, group)

    trips = await member.say("/trips")  # reading stays open to everyone
    places = await member.say("/place")
    assert "Kyoto" in places.plain_text
    (japan,) = await trip_store.trips_of(db, group, now=START)
    assert await member.press(trips, f"trip:rm:{japan.id}") == refusal
    assert await member.press(places, f"place:rm:{kyoto.id}") == refusal
    assert len(await trips_of(runtime, group)) == 1
    assert len(await place_store.places_of(db, group)) == 1

    removed = await admin.press_and_read(trips, f"trip:rm:{japan.id}")
    assert "Japan" in removed.plain_text or "Japon" in removed.plain_text
    assert await trips_of(runtime, group) == []
