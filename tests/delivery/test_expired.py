"""A warning whose own end time (CAP `expires`) passes while its message waits, in quiet
hours, behind a retry or in a digest, is not sent late; its cancellation still is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts import Alert, Category, Change, Severity
from bot.delivery.round import EXPIRED_ERROR
from bot.matching import fan_out
from bot.standin import StandIn
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, add_chat, add_version

PARIS_NIGHT = datetime(2025, 10, 7, 21, 0, tzinfo=UTC)  # 23:00 in Paris
PARIS_MORNING = datetime(2025, 10, 8, 5, 0, tzinfo=UTC)  # 07:00 in Paris


def storm(alert_id: str, *, ends: datetime | None, **overrides: object) -> Alert:
    return make_alert(
        source="cap",
        id=alert_id,
        countries=("FR",),
        severity=Severity.HIGH,
        category=Category.WEATHER,
        title=f"Storm {alert_id}",
        expires=ends,
        **overrides,
    )


async def announce(db: Database, clock: Clock, alert: Alert, change: Change = Change.NEW) -> None:
    await fan_out(db, await add_version(db, alert, change), now=clock())


async def states(db: Database) -> dict[str, tuple[str, str | None]]:
    rows = await db.fetch_all(
        "SELECT v.alert_id, d.state, d.last_error FROM deliveries d"
        " JOIN alert_versions v ON v.id = d.alert_version_id"
    )
    return {row["alert_id"]: (row["state"], row["last_error"]) for row in rows}


async def test_a_warning_that_ends_during_quiet_hours_is_left_out_of_the_morning_digest(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    clock.now = PARIS_NIGHT
    standin.known_chat(1)
    await add_chat(db, 1, timezone="Europe/Paris", quiet=("22:00", "07:00"))
    dispatcher = make_dispatcher()
    await announce(db, clock, storm("over-by-1am", ends=PARIS_NIGHT + timedelta(hours=2)))
    await announce(db, clock, storm("all-week", ends=PARIS_NIGHT + timedelta(days=5)))
    await announce(db, clock, storm("open-ended", ends=None))

    assert (await dispatcher.drain()).held == 3
    clock.now = PARIS_MORNING
    morning = await dispatcher.drain()

    assert (morning.sent, morning.expired) == (2, 1)
    (digest,) = standin.messages_to(1)
    assert "Storm all-week" in digest.plain_text and "Storm open-ended" in digest.plain_text
    assert "over-by-1am" not in digest.plain_text
    assert (await states(db))["over-by-1am"] == ("failed", EXPIRED_ERROR)


async def test_a_warning_that_ends_while_a_retry_waits_is_not_sent_after_its_end(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(2)
    await add_chat(db, 2)
    standin.fail_next(chat_id=2, error_code=502, description="Bad Gateway")
    await announce(db, clock, storm("short", ends=clock() + timedelta(minutes=5)))
    dispatcher = make_dispatcher()

    first = await dispatcher.drain()
    clock.advance(minutes=30)
    second = await dispatcher.drain()

    assert (first.sent, first.retried) == (0, 1)
    assert (second.sent, second.expired) == (0, 1)
    assert standin.messages_to(2) == []
    assert (await states(db))["short"] == ("failed", EXPIRED_ERROR)


async def test_a_warning_still_running_and_the_cancellation_of_an_ended_one_are_sent(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(3)
    await add_chat(db, 3)
    ended = clock() - timedelta(hours=1)
    await announce(db, clock, storm("called-off", ends=ended, cancelled=True), Change.CANCELLED)
    await announce(db, clock, storm("running", ends=clock() + timedelta(hours=1)))

    report = await make_dispatcher().drain()

    assert (report.sent, report.expired) == (2, 0)
    assert len(standin.messages_to(3)) == 2
    assert (await states(db)) == {"called-off": ("sent", None), "running": ("sent", None)}
