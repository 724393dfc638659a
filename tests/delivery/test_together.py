"""Warnings of one event at one level that fall due together for a chat go as one message:
a CAP publisher issues one message per area (MeteoAlarm, a county each), and a reader of
the country would otherwise get dozens of near-identical messages in a row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts import Alert, Category, Change, Severity
from bot.delivery.dispatcher import RenderRequest
from bot.delivery.round import BURST_SIZE, Round
from bot.i18n import Catalogs
from bot.matching import fan_out
from bot.render import Renderer
from bot.render.renderer import MAX_AREAS
from bot.sources.registry import adapter_for
from bot.standin import StandIn
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, Renders, add_chat, add_version
from tests.sources.sample_fields import CAPTURES

ROOT = Path(__file__).resolve().parents[2]


def county_warning(
    county: str,
    *,
    event: str = "Yellow Thunderstorm warning",
    severity: Severity = Severity.CAUTION,
    country: str = "PL",
) -> Alert:
    return make_alert(
        source="cap",
        id=f"2.49.0.0.616.0.PL.{county}",
        countries=(country,),
        severity=severity,
        category=Category.WEATHER,
        title=f"{event} issued for Poland - {county} County",
        facts={"event": event, "area": f"{county} County"},
    )


async def reader(db: Database, standin: StandIn, *countries: str, chat_id: int = 1) -> None:
    """A traveller following `countries`, whose chat the stand-in knows."""
    standin.known_chat(chat_id)
    await add_chat(db, chat_id, countries)


async def announce(db: Database, clock: Clock, alert: Alert, change: Change = Change.NEW) -> None:
    await fan_out(db, await add_version(db, alert, change), now=clock())


async def test_many_warnings_of_one_event_go_as_one_message(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    await reader(db, standin, "PL")
    counties = ["Tychy", "Zabrze", "Sosnowiec", "Bytom", "Gliwice", "Katowice"]
    for county in counties:
        await announce(db, clock, county_warning(county))

    report = await make_dispatcher().drain()

    assert report.sent == len(counties)  # each warning counted as delivered
    (message,) = standin.messages_to(1)
    assert message.plain_text.startswith("Digest")
    for county in counties:
        assert f"{county} County" in message.text
    assert [len(items) for items in renders.digests] == [len(counties)]
    assert (await make_dispatcher().drain()).sent == 0  # none of them goes again


async def test_a_few_warnings_or_different_events_go_one_by_one(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    await reader(db, standin, "PL")
    few = ["Tychy", "Zabrze"][: BURST_SIZE - 1]
    for county in few:
        await announce(db, clock, county_warning(county))
    await announce(db, clock, county_warning("Bytom", event="Yellow Wind warning"))
    await announce(db, clock, county_warning("Gliwice", event="Yellow Rain warning"))

    report = await make_dispatcher().drain()

    assert report.sent == len(few) + 2
    assert len(standin.messages_to(1)) == len(few) + 2
    assert renders.digests == []


@pytest.mark.parametrize(
    ("countries", "alerts"),
    [
        # Advisories have no event: each is its own message, however many fall due.
        (
            ("FR", "DE", "IT", "ES"),
            [
                make_alert(source="us-state", id=c.lower(), countries=(c,))
                for c in ["FR", "DE", "IT", "ES"]
            ],
        ),
        # The top level always goes on its own.
        (
            ("PL",),
            [
                county_warning(c, severity=Severity.EXTREME)
                for c in ("Tychy", "Zabrze", "Sosnowiec", "Bytom")
            ],
        ),
    ],
)
async def test_advisories_and_the_top_level_are_never_folded_into_a_list(
    countries: tuple[str, ...], alerts: list[Alert],
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    await reader(db, standin, *countries)
    for alert in alerts:
        await announce(db, clock, alert)

    await make_dispatcher().drain()

    assert len(standin.messages_to(1)) == len(alerts)
    assert renders.digests == []


async def test_updates_and_new_warnings_of_one_event_are_separate_lists(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    await reader(db, standin, "PL")
    for county in ("Tychy", "Zabrze", "Sosnowiec"):
        await announce(db, clock, county_warning(county))
    await make_dispatcher().drain()
    for county in ("Tychy", "Zabrze", "Sosnowiec"):
        await announce(db, clock, replace(county_warning(county), cancelled=True), Change.CANCELLED)
    for county in ("Bytom", "Gliwice", "Katowice"):
        await announce(db, clock, county_warning(county))

    await make_dispatcher().drain()

    assert len(standin.messages_to(1)) == 3  # the first list, the cancellations, the new
    assert [{change for _, change in items} for items in renders.digests] == [
        {Change.NEW},
        {Change.CANCELLED},
        {Change.NEW},
    ]


async def test_each_chat_gets_its_list_when_its_rows_span_several_pages(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    chats = [1, 2, 3]
    for chat_id in chats:
        await reader(db, standin, "PL", chat_id=chat_id)
    counties = ["Tychy", "Zabrze", "Sosnowiec", "Bytom"]
    for county in counties:  # the rows of each warning for all three chats, in turn
        await announce(db, clock, county_warning(county))

    report = await make_dispatcher(page_size=2).drain()

    assert report.sent == len(chats) * len(counties)
    for chat_id in chats:
        (message,) = standin.messages_to(chat_id)
        assert all(f"{county} County" in message.text for county in counties)


async def test_without_a_digest_renderer_every_warning_goes_on_its_own(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    await reader(db, standin, "PL")
    for county in ("Tychy", "Zabrze", "Sosnowiec"):
        await announce(db, clock, county_warning(county))

    await make_dispatcher(render_digest=None).drain()

    assert len(standin.messages_to(1)) == 3


async def announce_capture(db: Database, clock: Clock, name: str) -> tuple[Alert, ...]:
    """Every alert of a real CAP capture, announced as new."""
    alerts = adapter_for("cap").parse((CAPTURES / name).read_bytes(), source="cap").alerts
    for alert in alerts:
        await announce(db, clock, alert)
    return alerts


def real_digest() -> Callable[[list[tuple[Alert, Change]], RenderRequest], str]:
    """The bot's own renderer for messages of several alerts, in the reader's language."""
    renderer = Renderer(ROOT / "templates", Catalogs.load(ROOT / "locales"))

    def render_digest(items: list[tuple[Alert, Change]], request: RenderRequest) -> str:
        return renderer.digest(items, language=request.language, timezone=request.timezone)

    return render_digest


async def test_meteoalarms_84_county_warnings_reach_a_reader_of_poland_as_one_message(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    """The real index of 23 May 2023: one Yellow Thunderstorm warning per county."""
    clock.now = datetime(2023, 5, 23, 9, 10, tzinfo=UTC)  # when the index was fetched
    await reader(db, standin, "PL")
    alerts = await announce_capture(
        db, clock, "cap12-eu-meteoalarm-poland-atom-index-2023-05-23.atom"
    )
    assert len(alerts) == 84

    report = await make_dispatcher(render_digest=real_digest()).drain()

    assert report.sent == 84
    (message,) = standin.messages_to(1)
    text = message.plain_text
    heading, level, _, areas, _, source, starts, until = text.splitlines()
    assert heading == "🟡 🇵🇱 Poland — Yellow Thunderstorm warning"  # the event once
    assert level == "Severe weather · 84 areas"
    named = areas.split("; ")
    assert named[0] == "Śląskie Province Tychy County"
    assert len(named) == MAX_AREAS and named[-1].endswith(f" +{84 - MAX_AREAS} more")
    assert source.startswith("Source: CAP (meteoalarm.org)")
    # Issued at 03:49 for thunderstorms from 09:00, 11:00 or 13:00 (the first of them
    # shown) to 19:00 UTC, the reader's zone.
    assert starts.startswith("In effect from May 23, 2023, 9:00")
    assert until.startswith("Valid until May 23, 2023, 7:00")


async def test_a_top_level_warning_in_quiet_hours_does_not_take_the_held_ones_along(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    clock.now = datetime(2025, 10, 7, 21, 0, tzinfo=UTC)  # 23:00 in Warsaw
    standin.known_chat(1)
    await add_chat(db, 1, ("PL",), timezone="Europe/Warsaw", quiet=("22:00", "07:00"))
    await announce(db, clock, county_warning("Katowice", severity=Severity.EXTREME))
    for county in ("Tychy", "Zabrze", "Sosnowiec", "Bytom"):
        await announce(db, clock, county_warning(county))
    dispatcher = make_dispatcher()

    night = await dispatcher.drain()

    assert (night.sent, night.held) == (1, 4)
    (urgent,) = standin.messages_to(1)
    assert "Katowice" in urgent.text
    clock.now = datetime(2025, 10, 8, 5, 0, tzinfo=UTC)  # 07:00 in Warsaw
    assert (await dispatcher.drain()).sent == 4
    assert len(standin.messages_to(1)) == 2
    assert [len(items) for items in renders.digests] == [4]


async def test_meteoalarms_german_index_reaches_a_reader_of_germany_in_three_messages(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    """The real index of 28 April 2023: 381 entries, 21 messages, of which 10 still in
    force when it was fetched, three kinds of warning. The index gives their colour only
    in their titles, and orange is the colour of our third level."""
    clock.now = datetime(2023, 4, 28, 13, 10, tzinfo=UTC)
    await reader(db, standin, "DE")
    alerts = await announce_capture(
        db, clock, "cap12-eu-meteoalarm-germany-atom-index-2023-04-28.atom"
    )
    assert len(alerts) == 21

    report = await make_dispatcher(render_digest=real_digest()).drain()

    assert (report.sent, report.expired) == (10, 11)  # the night's frost warnings are over
    headings = sorted(message.plain_text.split("\n")[0] for message in standin.messages_to(1))
    assert headings == [
        "🟠 🇩🇪 Germany — Orange Rain Warning issued for Germany",
        "🟠 🇩🇪 Germany — Orange Thunderstorm Warning issued for Germany",
        "🟠 🇩🇪 Germany — Orange Wind Warning issued for Germany",
    ]


async def test_a_warning_already_queued_is_not_sent_again_in_a_list(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory,
    renders: Renders,
) -> None:  # fmt: skip
    """In a long round, warnings of one event fall due after the first of them was taken
    up, and before it went out: the list made of them leaves the first out."""
    await reader(db, standin, "PL")
    await announce(db, clock, county_warning("Tychy"))
    round_ = Round(make_dispatcher(page_size=1), None, None)
    await round_._refill()  # the round takes the first page: Tychy alone, queued
    for county in ("Zabrze", "Sosnowiec", "Bytom"):
        await announce(db, clock, county_warning(county))
    standin.delay("sendMessage", 0.2)  # Tychy is still on its way when the rest are read

    report = await round_.run()

    texts = [message.plain_text for message in standin.messages_to(1)]
    assert sum(text.count("Tychy") for text in texts) == 1, texts
    assert report.sent == 4
    assert [len(items) for items in renders.digests] == [3]
