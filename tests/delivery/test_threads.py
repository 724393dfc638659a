"""Updates of an alert reply to the message a chat already got about it."""

from __future__ import annotations

from bot.alerts import Change, Severity
from bot.matching import fan_out
from bot.standin import StandIn
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, add_chat, add_version


async def announce(db: Database, clock: Clock, change: Change, **alert: object) -> None:
    previous = alert.pop("previous", None)
    version = await add_version(
        db,
        make_alert(id="FR", countries=("FR",), **alert),
        change,
        previous,  # type: ignore[arg-type]
    )
    await fan_out(db, version, now=clock())


async def test_updates_thread_under_the_first_message_raised_loud_text_silent(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(1)
    await add_chat(db, 1)
    dispatcher = make_dispatcher()

    await announce(db, clock, Change.NEW, severity=Severity.CAUTION)
    await dispatcher.drain()
    await announce(db, clock, Change.TEXT, severity=Severity.CAUTION, summary="Reworded.")
    await dispatcher.drain()
    await announce(
        db, clock, Change.RAISED, severity=Severity.HIGH, previous=Severity.CAUTION, title="L3"
    )
    await dispatcher.drain()

    first, text_update, raised = standin.messages_to(1)
    assert first.reply_to_message_id is None and not first.disable_notification
    assert text_update.reply_to_message_id == first.message_id
    assert text_update.disable_notification
    assert raised.reply_to_message_id == text_update.message_id
    assert not raised.disable_notification


async def test_a_reader_who_missed_the_first_message_gets_the_update_unthreaded(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(1)
    standin.known_chat(2)
    await add_chat(db, 1)
    dispatcher = make_dispatcher()
    await announce(db, clock, Change.NEW)
    await dispatcher.drain()
    await add_chat(db, 2)

    await announce(db, clock, Change.CANCELLED, cancelled=True)
    await dispatcher.drain()

    (cancelled,) = standin.messages_to(2)
    assert cancelled.reply_to_message_id is None
    assert standin.messages_to(1)[1].reply_to_message_id == standin.messages_to(1)[0].message_id


async def test_an_update_queued_with_its_original_waits_for_it_and_replies(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(1)
    await add_chat(db, 1)
    await announce(db, clock, Change.NEW)
    await announce(db, clock, Change.TEXT, summary="Reworded.")

    await make_dispatcher().drain()

    first, update = standin.messages_to(1)
    assert update.reply_to_message_id == first.message_id
