"""Quiet hours and daily digests: held in the reader's timezone, sent as one message."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.alerts import Severity
from bot.delivery.quiet import hold_until, next_digest_at, quiet_until
from bot.matching import fan_out
from bot.standin import StandIn
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, add_chat, add_version

# 23:00 in Paris (summer time, UTC+2)
PARIS_NIGHT = datetime(2025, 10, 7, 21, 0, tzinfo=UTC)


def test_quiet_hours_across_midnight_end_at_the_readers_morning() -> None:
    assert quiet_until(PARIS_NIGHT, "Europe/Paris", "22:00", "07:00") == datetime(
        2025, 10, 8, 5, 0, tzinfo=UTC
    )
    assert quiet_until(PARIS_NIGHT, "America/New_York", "22:00", "07:00") is None
    assert quiet_until(PARIS_NIGHT, "Europe/Paris", None, None) is None


def test_the_top_level_is_never_held_and_a_bad_setting_holds_nothing() -> None:
    settings = {"timezone": "Europe/Paris", "quiet_start": "22:00", "quiet_end": "07:00"}
    assert (
        hold_until(PARIS_NIGHT, severity=4, delivery_mode="instant", digest_time=None, **settings)
        is None
    )
    assert hold_until(
        PARIS_NIGHT, severity=3, delivery_mode="instant", digest_time=None, **settings
    )
    assert quiet_until(PARIS_NIGHT, "Europe/Paris", "late", "07:00") is None


def test_the_daily_digest_is_the_next_digest_time_in_the_readers_zone() -> None:
    assert next_digest_at(PARIS_NIGHT, "Asia/Tokyo", "08:00") == datetime(
        2025, 10, 7, 23, 0, tzinfo=UTC
    )
    assert next_digest_at(PARIS_NIGHT, "Nowhere/Atlantis", "08:00") == datetime(
        2025, 10, 8, 8, 0, tzinfo=UTC
    )


async def announce(db: Database, clock: Clock, alert_id: str, severity: Severity) -> None:
    alert = make_alert(id=alert_id, countries=("FR",), severity=severity, title=f"Alert {alert_id}")
    version = await add_version(db, alert)
    await fan_out(db, version, now=clock())


async def test_quiet_hours_hold_lesser_alerts_for_one_digest_and_let_the_top_level_through(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory, renders
) -> None:
    clock.now = PARIS_NIGHT
    standin.known_chat(1)
    await add_chat(db, 1, timezone="Europe/Paris", quiet=("22:00", "07:00"))
    dispatcher = make_dispatcher()
    await announce(db, clock, "A", Severity.CAUTION)
    await announce(db, clock, "B", Severity.HIGH)
    await announce(db, clock, "C", Severity.EXTREME)

    night = await dispatcher.drain()

    assert (night.held, night.sent) == (2, 1)
    (urgent,) = standin.messages_to(1)
    assert "Alert C" in urgent.text and not urgent.disable_notification

    clock.advance(hours=4)
    assert (await dispatcher.drain()).sent == 0

    clock.now = datetime(2025, 10, 8, 5, 0, tzinfo=UTC)
    morning = await dispatcher.drain()

    assert morning.sent == 2
    digest = standin.messages_to(1)[1]
    assert "Alert A" in digest.plain_text and "Alert B" in digest.plain_text
    assert [[alert.id for alert, _ in items] for items in renders.digests] == [["A", "B"]]
    rows = await db.fetch_all("SELECT message_id FROM deliveries WHERE digest = 1")
    assert {row["message_id"] for row in rows} == {digest.message_id}


async def test_daily_mode_holds_everything_below_the_top_level_until_digest_time(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(2)
    await add_chat(db, 2, daily_at="08:00")
    dispatcher = make_dispatcher()
    for alert_id in ("A", "B", "D"):
        await announce(db, clock, alert_id, Severity.CAUTION)
        await dispatcher.drain()
        clock.advance(hours=1)

    assert standin.messages_to(2) == []
    clock.now = datetime(2025, 10, 8, 8, 0, tzinfo=UTC)
    assert (await dispatcher.drain()).sent == 3
    (digest,) = standin.messages_to(2)
    assert all(f"Alert {x}" in digest.plain_text for x in "ABD")
    # the digest went out: nothing is held again for the day after
    clock.advance(days=1)
    assert (await dispatcher.drain()).sent == 0


async def test_without_a_digest_renderer_held_alerts_go_out_one_by_one(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    clock.now = PARIS_NIGHT
    standin.known_chat(3)
    await add_chat(db, 3, timezone="Europe/Paris", quiet=("22:00", "07:00"))
    dispatcher = make_dispatcher(render_digest=None)
    await announce(db, clock, "A", Severity.CAUTION)
    await announce(db, clock, "B", Severity.CAUTION)
    await dispatcher.drain()

    clock.now = datetime(2025, 10, 8, 5, 0, tzinfo=UTC)
    assert (await dispatcher.drain()).sent == 2
    assert len(standin.messages_to(3)) == 2


async def test_a_group_that_migrated_during_quiet_hours_gets_its_digest_at_the_new_id(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    clock.now = PARIS_NIGHT
    standin.known_chat(-50, "group")
    await add_chat(db, -50, kind="group", timezone="Europe/Paris", quiet=("22:00", "07:00"))
    dispatcher = make_dispatcher()
    await announce(db, clock, "A", Severity.CAUTION)
    await announce(db, clock, "B", Severity.HIGH)
    await dispatcher.drain()
    standin.migrate_chat(-50, -10050)

    clock.now = datetime(2025, 10, 8, 5, 0, tzinfo=UTC)
    report = await dispatcher.drain()

    assert (report.migrated, report.sent) == (1, 2)
    (digest,) = standin.messages_to(-10050)
    assert "Alert A" in digest.plain_text and "Alert B" in digest.plain_text
