"""The desk's own messages (safety questions, calls for help, notices) meet Telegram's
errors like deliveries do: a 429 is waited out, a server error is tried again later, a
chat that is gone is switched off; nothing is lost, sent twice, or crashes the round."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.chat.desk_checkin import desk_round
from bot.chat.desk_messages import DeskMessenger
from bot.matching import fan_out
from bot.standin import StandIn
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from tests.builders import make_alert
from tests.clock import START, Clock
from tests.desks.harness import Person, desk_bot, join, organisation, run_desk_round

TODAY = START.date()
BACKOFF = timedelta(seconds=11)  # past the first retry's wait (10 s)
QUESTION = "are you safe"


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn, clock: Clock) -> AsyncIterator[BotRuntime]:
    async with desk_bot(tmp_path, standin, clock) as bot:
        yield bot


@dataclass
class Desk:
    lead: Person
    deputy: Person
    nomad: Person
    ana: Person


@pytest.fixture
async def desk(runtime: BotRuntime, standin: StandIn) -> Desk:
    """Acme, run by lead and deputy; nomad and ana in Kenya; a warning with a safety check
    delivered to both, its questions not asked yet."""
    lead, deputy = Person(standin, 601, "lead"), Person(standin, 604, "deputy")
    await organisation(runtime, standin, "Acme", lead)
    await deputy.say("/desk")
    await lead.say("/operator_add @deputy")
    nomad, ana = Person(standin, 501, "nomad"), Person(standin, 502, "ana")
    ends = (TODAY + timedelta(days=3)).isoformat()
    for person in (nomad, ana):
        await join(runtime, lead, person)
        await lead.say(f"/trip_add @{person.username} Kenya {TODAY.isoformat()} {ends}")
    summary = await lead.say(
        "/broadcast\nTitle: Check\nCountries: Kenya\nSeverity: 3\nSafety check: yes\n"
        "Event: Check in please.",
        answers=2,
    )
    await lead.press_and_read(summary, summary.button_data()[0])
    await runtime.dispatcher.drain()
    return Desk(lead, deputy, nomad, ana)


def questions_to(person: Person) -> int:
    return sum(QUESTION in m.text for m in person.inbox())


def requests_to(standin: StandIn, chat_id: int) -> list[tuple[int, float]]:
    """(status, time) of every sendMessage to `chat_id`."""
    return [
        (r.status, r.at)
        for r in standin.requests
        if r.method == "sendMessage" and str(r.params.get("chat_id")) == str(chat_id)
    ]


async def asked_at(runtime: BotRuntime, user_id: int) -> str | None:
    value = await runtime.services.db.fetch_value(
        "SELECT asked_at FROM desk_check_ins WHERE user_id = ?", (user_id,)
    )
    return None if value is None else str(value)


async def test_a_server_error_on_a_question_is_retried_after_a_backoff(
    runtime: BotRuntime,
    standin: StandIn,
    desk: Desk,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    standin.fail_next("sendMessage", chat_id=desk.nomad.user_id, error_code=500)
    with caplog.at_level(logging.WARNING, logger="bot.chat.desk_messages"):
        assert (await run_desk_round(runtime)).questions == 1
    assert questions_to(desk.ana) == 1 and questions_to(desk.nomad) == 0
    assert await asked_at(runtime, desk.nomad.user_id) is None  # released, not lost
    assert "will try again" in caplog.text

    assert (await run_desk_round(runtime)).questions == 0  # still backing off
    clock.advance(seconds=BACKOFF.total_seconds())
    assert (await run_desk_round(runtime)).questions == 1
    assert questions_to(desk.nomad) == 1 and questions_to(desk.ana) == 1
    assert (await run_desk_round(runtime)).questions == 0


async def test_a_429_on_a_question_is_waited_out_then_the_question_goes_once(
    runtime: BotRuntime, standin: StandIn, desk: Desk
) -> None:
    standin.fail_next("sendMessage", chat_id=desk.nomad.user_id, error_code=429, retry_after=1)
    first = await run_desk_round(runtime)
    second = await run_desk_round(runtime)
    assert first.questions + second.questions == 2
    assert questions_to(desk.nomad) == 1 and questions_to(desk.ana) == 1
    attempts = requests_to(standin, desk.nomad.user_id)
    slowed = next(at for status, at in attempts if status == 429)
    sent = next(at for status, at in attempts if status == 200 and at > slowed)
    assert sent - slowed >= 0.9  # Telegram's retry_after was honoured


async def test_a_question_to_a_deleted_account_switches_the_chat_off_and_never_retries(
    runtime: BotRuntime, standin: StandIn, desk: Desk, clock: Clock
) -> None:
    standin.deactivate(desk.nomad.user_id)
    assert (await run_desk_round(runtime)).questions == 1  # ana's; the round goes on
    chat = await chat_store.get_chat(runtime.services.db, desk.nomad.user_id)
    assert chat is not None and not chat.active
    failed = len(requests_to(standin, desk.nomad.user_id))

    clock.advance(hours=2)
    round_ = await run_desk_round(runtime)
    assert round_.questions == 0 and round_.reminders == 1  # ana is reminded, nomad is not
    assert len(requests_to(standin, desk.nomad.user_id)) == failed


async def call_for_help_the_lead_could_not_get(
    runtime: BotRuntime, standin: StandIn, desk: Desk
) -> None:
    """Nomad asks for help; the deputy is told at once, the lead's copy fails (502)."""
    await run_desk_round(runtime)
    standin.fail_next("sendMessage", chat_id=desk.lead.user_id, error_code=502)
    question = desk.nomad.inbox()[-1]
    await desk.nomad.press(question, question.button_data()[1])
    await standin.wait_for(lambda m: "needs help" in m.text, chat_id=desk.deputy.user_id)


async def test_a_call_for_help_an_operator_could_not_get_reaches_them_later_once(
    runtime: BotRuntime, standin: StandIn, desk: Desk, clock: Clock
) -> None:
    await call_for_help_the_lead_could_not_get(runtime, standin, desk)
    assert not any("needs help" in m.text for m in desk.lead.inbox())

    assert (await run_desk_round(runtime)).retried == 0  # backing off
    clock.advance(seconds=BACKOFF.total_seconds())
    assert (await run_desk_round(runtime)).retried == 1
    assert sum("@nomad needs help" in m.plain_text for m in desk.lead.inbox()) == 1
    assert (await run_desk_round(runtime)).retried == 0
    assert sum("needs help" in m.text for m in desk.deputy.inbox()) == 1


async def test_a_notice_an_operator_could_not_get_is_sent_again_and_not_to_the_others(
    runtime: BotRuntime, standin: StandIn, desk: Desk, clock: Clock
) -> None:
    db, now = runtime.services.db, runtime.services.clock()
    alert = make_alert(id="KE", countries=("KE",), title="Kenya - Level 2: Exercise Caution")
    for item in await alert_store.record_poll(db, "us-state", [alert], now=now):
        await fan_out(db, item.alert_version_id, now=now)
    standin.fail_next("sendMessage", chat_id=desk.lead.user_id, error_code=500)
    assert (await run_desk_round(runtime)).notices == 1  # the deputy's
    clock.advance(seconds=BACKOFF.total_seconds())
    assert (await run_desk_round(runtime)).retried == 1
    for operator in (desk.lead, desk.deputy):
        assert sum("of your travellers" in m.text for m in operator.inbox()) == 1


async def waiting_keys(runtime: BotRuntime) -> list[str]:
    rows = await runtime.services.db.fetch_all("SELECT message_key FROM desk_messages_waiting")
    return [row["message_key"] for row in rows]


async def test_a_call_for_help_waiting_for_a_retry_outlives_a_restart(
    runtime: BotRuntime, standin: StandIn, desk: Desk, clock: Clock
) -> None:
    await call_for_help_the_lead_could_not_get(runtime, standin, desk)
    [key] = await waiting_keys(runtime)
    assert key.startswith("help:") and key.endswith(f":{desk.lead.user_id}")

    clock.advance(seconds=BACKOFF.total_seconds())
    restarted = DeskMessenger()  # a new process: nothing of the first one's memory
    bot, services = runtime.application.bot, runtime.services
    assert (await desk_round(bot, services, restarted)).retried == 1

    assert sum("@nomad needs help" in m.plain_text for m in desk.lead.inbox()) == 1
    assert await waiting_keys(runtime) == []
    assert (await desk_round(bot, services, DeskMessenger())).retried == 0


async def test_two_processes_send_a_waiting_call_for_help_once(
    runtime: BotRuntime, standin: StandIn, desk: Desk, clock: Clock
) -> None:
    await call_for_help_the_lead_could_not_get(runtime, standin, desk)
    clock.advance(seconds=BACKOFF.total_seconds())
    bot, services = runtime.application.bot, runtime.services

    rounds = await asyncio.gather(
        desk_round(bot, services, DeskMessenger()), desk_round(bot, services, DeskMessenger())
    )

    assert sorted(r.retried for r in rounds) == [0, 1]
    assert sum("needs help" in m.text for m in desk.lead.inbox()) == 1


async def test_a_waiting_call_for_help_keeps_its_backoff_across_a_restart(
    runtime: BotRuntime, standin: StandIn, desk: Desk, clock: Clock
) -> None:
    await call_for_help_the_lead_could_not_get(runtime, standin, desk)
    bot, services = runtime.application.bot, runtime.services
    standin.fail_next("sendMessage", chat_id=desk.lead.user_id, error_code=502)
    clock.advance(seconds=BACKOFF.total_seconds())
    assert (await desk_round(bot, services, DeskMessenger())).retried == 0  # second failure
    (attempts,) = [
        row["attempts"]
        for row in await services.db.fetch_all("SELECT attempts FROM desk_messages_waiting")
    ]
    assert attempts == 2

    clock.advance(seconds=BACKOFF.total_seconds())  # the second wait is twice as long
    assert (await desk_round(bot, services, DeskMessenger())).retried == 0
    clock.advance(seconds=BACKOFF.total_seconds())
    assert (await desk_round(bot, services, DeskMessenger())).retried == 1
    assert sum("needs help" in m.text for m in desk.lead.inbox()) == 1
