"""What the dispatcher does with each of Telegram's answers, against the stand-in."""

from __future__ import annotations

from bot.alerts import Alert
from bot.delivery.dispatcher import DeliveryLimits, RenderRequest
from bot.matching import fan_out
from bot.standin import StandIn
from bot.store import chats, outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import FAST, DispatcherFactory, add_chat, add_version


async def queue_alert(db: Database, clock: Clock, alert_id: str = "FR") -> int:
    version = await add_version(db, make_alert(id=alert_id, countries=("FR",)))
    await fan_out(db, version, now=clock())
    return version


async def states(db: Database) -> dict[int, tuple[str, str | None]]:
    rows = await db.fetch_all("SELECT chat_id, state, last_error FROM deliveries")
    return {row["chat_id"]: (row["state"], row["last_error"]) for row in rows}


async def test_blocked_deactivated_and_kicked_chats_become_inactive(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    for chat_id in (1, 2, 3):
        standin.known_chat(chat_id)
        await add_chat(db, chat_id)
    standin.known_chat(-4, "group")
    await add_chat(db, -4, kind="group")
    standin.block(1)
    standin.deactivate(2)
    standin.member_status(-4, standin.bot_id, "kicked")
    await queue_alert(db, clock, "A")
    await queue_alert(db, clock, "B")

    report = await make_dispatcher().drain()

    assert report.deactivated == 3
    assert [m.chat_id for m in standin.sent] == [3, 3]
    for chat_id, reason in ((1, "blocked"), (2, "deactivated"), (-4, "kicked")):
        chat = await chats.get_chat(db, chat_id)
        assert chat is not None and not chat.active
        row = await db.fetch_one("SELECT inactive_reason FROM chats WHERE chat_id = ?", (chat_id,))
        assert row is not None and reason in row["inactive_reason"]
    # the second alert was stopped with the first, without another request
    assert sum(1 for r in standin.requests if r.params.get("chat_id") == "1") == 1
    assert await outbox.pending_count(db) == 0


async def test_chat_not_found_makes_the_chat_inactive(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    await add_chat(db, 77)  # never started the bot: Telegram does not know the chat
    await queue_alert(db, clock)

    report = await make_dispatcher().drain()

    assert report.deactivated == 1
    chat = await chats.get_chat(db, 77)
    assert chat is not None and not chat.active


async def test_cant_send_to_user_is_transient_and_retried(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(5)
    await add_chat(db, 5)
    standin.fail_next(
        chat_id=5, error_code=403, description="Forbidden: bot can't send messages to the user"
    )
    await queue_alert(db, clock)
    dispatcher = make_dispatcher()

    first = await dispatcher.drain()
    clock.advance(seconds=1)
    second = await dispatcher.drain()

    assert (first.retried, first.deactivated, second.sent) == (1, 0, 1)
    chat = await chats.get_chat(db, 5)
    assert chat is not None and chat.active
    assert len(standin.messages_to(5)) == 1


async def test_server_errors_back_off_then_become_a_dead_letter_with_the_error(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(6)
    await add_chat(db, 6)
    standin.fail_next(chat_id=6, error_code=502, description="Bad Gateway", times=3)
    await queue_alert(db, clock)
    limits = DeliveryLimits(**{**_fields(FAST), "max_attempts": 3, "backoff_seconds": 10})
    dispatcher = make_dispatcher(limits)

    waits = []
    for _ in range(3):
        await dispatcher.drain()
        row = await db.fetch_one("SELECT attempts, next_attempt_at, state FROM deliveries")
        assert row is not None
        if row["state"] == "pending":
            waits.append(row["next_attempt_at"])
            assert (await dispatcher.drain()).sent == 0  # not due yet
        clock.advance(seconds=100)

    assert len(waits) == 2 and waits[0] < waits[1]
    (letter,) = await outbox.dead_letters(db)
    assert (letter.chat_id, letter.attempts, letter.last_error) == (6, 3, "Bad Gateway")
    assert standin.messages_to(6) == []

    assert await outbox.retry_dead(db, letter.id, now=clock()) == 1
    assert (await dispatcher.drain()).sent == 1
    assert len(standin.messages_to(6)) == 1


async def test_bad_html_is_sent_again_as_plain_text(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(7)
    await add_chat(db, 7)
    await queue_alert(db, clock)

    def broken(alert: Alert, request: RenderRequest) -> str:
        return "<b>Level 4</b><br>Do not travel &amp; leave <p>now</p>"

    report = await make_dispatcher(render=broken).drain()

    assert report.sent == 1
    (message,) = standin.messages_to(7)
    assert message.plain_text == "Level 4\nDo not travel & leave now"
    assert "<" not in message.text


async def test_a_message_over_telegrams_limit_goes_out_in_parts_in_order(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(8)
    await add_chat(db, 8)
    await queue_alert(db, clock)
    paragraphs = [f"<b>Section {i}</b>\n" + "Avoid all travel. " * 40 for i in range(12)]

    dispatcher = make_dispatcher(render=lambda alert, request: "\n\n".join(paragraphs))

    assert (await dispatcher.drain()).sent == 1

    parts = standin.messages_to(8)
    assert len(parts) >= 3
    assert all(len(m.plain_text) <= 4096 for m in parts)
    assert "".join(m.plain_text for m in parts).count("Section") == 12
    row = await db.fetch_one("SELECT state, message_id FROM deliveries")
    assert row is not None and (row["state"], row["message_id"]) == ("sent", parts[0].message_id)


async def test_a_migrated_group_is_moved_and_gets_the_message_at_its_new_id(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(-50, "group")
    await add_chat(db, -50, ["FR", "JP"], kind="group")
    standin.migrate_chat(-50, -10050)
    await queue_alert(db, clock)

    report = await make_dispatcher().drain()

    assert report.migrated == 1
    assert len(standin.messages_to(-10050)) == 1
    assert await chats.subscriptions_of(db, -10050) == ["FR", "JP"]
    assert await states(db) == {-10050: ("sent", None)}


async def test_render_is_called_once_per_language_not_once_per_reader(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory, renders
) -> None:
    for chat_id in range(1, 31):
        standin.known_chat(chat_id)
        await add_chat(db, chat_id, language=("en", "fr", "de")[chat_id % 3])
    await queue_alert(db, clock)

    assert (await make_dispatcher().drain()).sent == 30

    assert sorted(request.language for _, request in renders.calls) == ["de", "en", "fr"]
    french = [m for m in standin.sent if m.chat_id % 3 == 1]
    assert all("/fr]" in m.text for m in french)


def _fields(limits: DeliveryLimits) -> dict[str, object]:
    return {name: getattr(limits, name) for name in limits.__dataclass_fields__}
