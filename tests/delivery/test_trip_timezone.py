"""During a trip, a reader's quiet hours follow the destination's clock, not home's."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.alerts import Severity
from bot.standin import StandIn
from bot.store import outbox
from bot.store.database import Database
from bot.store.trips import add_trip
from bot.trips import plan_trip
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, add_chat, add_version

# 23:00 in Paris, 07:00 the next morning in Tokyo.
PARIS_NIGHT = datetime(2025, 10, 7, 22, 0, tzinfo=UTC)


async def announce_for(db: Database, clock: Clock, country: str) -> None:
    alert = make_alert(id=country, countries=(country,), severity=Severity.CAUTION)
    version = await add_version(db, alert)
    await outbox.enqueue(db, version, [5], now=clock())


async def test_quiet_hours_follow_the_destination_during_a_trip(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    clock.now = PARIS_NIGHT
    standin.known_chat(5)
    await add_chat(db, 5, timezone="Europe/Paris", quiet=("22:00", "07:00"))
    dispatcher = make_dispatcher()

    await announce_for(db, clock, "JP")
    at_home = await dispatcher.drain()
    assert (at_home.held, at_home.sent) == (1, 0)  # night in Paris

    plan = plan_trip(["JP"], date(2025, 10, 1), date(2025, 10, 20), today=date(2025, 10, 1))
    await add_trip(db, 5, plan, now=clock())
    await announce_for(db, clock, "TH")
    in_tokyo = await dispatcher.drain()
    assert in_tokyo.sent == 1  # morning in Tokyo: not quiet hours there
    assert len(standin.messages_to(5)) == 1
