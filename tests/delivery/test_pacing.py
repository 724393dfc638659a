"""Telegram's speed limits: kept on our side, measured by the stand-in's flood control."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from telegram import Bot

from bot.delivery.dispatcher import DeliveryLimits, Dispatcher
from bot.delivery.pacing import Blame, Pacer
from bot.delivery.sender import TelegramSender
from bot.standin import RateLimits, StandIn
from bot.store import outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.delivery.travellers import Renders, add_chat, add_version


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_sends_are_spaced_evenly_at_the_overall_rate() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(global_per_second=10, margin=0), monotonic=time)
    moments = []
    for chat_id in range(5):
        assert pacer.ready_at(chat_id) <= time.now or moments
        time.now = max(time.now, pacer.ready_at(chat_id))
        pacer.take(chat_id, "private")
        moments.append(time.now)
    assert [round(b - a, 6) for a, b in itertools.pairwise(moments)] == [0.1] * 4


async def test_one_private_chat_gets_one_message_a_second_and_a_group_twenty_a_minute() -> None:
    time = FakeTime()
    limits = DeliveryLimits(global_per_second=1000, margin=0)
    pacer = Pacer(limits, monotonic=time, sleep=time.sleep)
    start = time.now
    for _ in range(3):
        await pacer.wait_turn(1, "private")
    assert time.now - start == pytest.approx(2.0)
    start = time.now
    for _ in range(3):
        await pacer.wait_turn(-5, "supergroup")
    assert time.now - start == pytest.approx(6.0, abs=0.01)


def test_paid_broadcast_raises_the_overall_rate() -> None:
    time = FakeTime()
    pacer = Pacer(
        DeliveryLimits(paid_broadcast=True, paid_per_second=500, margin=0), monotonic=time
    )
    pacer.take(1, "private")
    assert pacer.overall_ready_at() - time.now == pytest.approx(1 / 500)


def test_a_429_after_recent_sends_to_the_chat_pauses_only_that_chat() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(margin=0), monotonic=time)
    pacer.take(1, "private")
    time.now += 1.0
    pacer.take(1, "private")

    assert pacer.slow_down(1, "private", 5) is Blame.CHAT
    assert pacer.chat_ready_at(1) == pytest.approx(time.now + 5)
    assert pacer.chat_ready_at(2) <= time.now


def test_a_429_on_a_chat_with_no_recent_sends_pauses_everything() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(margin=0), monotonic=time)
    pacer.take(1, "private")

    assert pacer.slow_down(1, "private", 3) is Blame.EVERYONE
    assert pacer.ready_at(2) == pytest.approx(time.now + 3)


@pytest.fixture
async def limited() -> AsyncIterator[StandIn]:
    limits = RateLimits(global_per_second=20, per_chat_per_second=1, per_group_per_minute=20)
    async with StandIn(rate_limits=limits) as server:
        yield server


def real_clock() -> datetime:
    return datetime.now(UTC)


async def dispatcher_for(db: Database, bot: Bot, limits: DeliveryLimits) -> Dispatcher:
    return Dispatcher(
        db,
        TelegramSender(bot, paid_broadcast=limits.paid_broadcast),
        Renders().alert,
        limits=limits,
        clock=real_clock,
    )


async def test_default_pace_meets_no_429_and_comes_close_to_the_allowed_rate(
    db: Database, limited: StandIn
) -> None:
    for chat_id in range(1, 31):
        limited.known_chat(chat_id)
        await add_chat(db, chat_id)
    limited.known_chat(-7, "group")
    await add_chat(db, -7, kind="group")
    for alert_id in ("A", "B"):
        version = await add_version(db, make_alert(id=alert_id, countries=("FR",)))
        await outbox.enqueue_matching(db, version, now=real_clock())

    async with Bot(limited.token, base_url=limited.base_url) as bot:
        dispatcher = await dispatcher_for(db, bot, DeliveryLimits(global_per_second=20))
        report = await dispatcher.drain()

    assert report.sent == 62
    assert limited.too_many_requests == []
    times = sorted(m.at for m in limited.sent)
    # the last group message waits for the group's 3-second turn; measure the broadcast
    rate = (len(times) - 2) / (times[-3] - times[0])
    assert 0.85 * 20 <= rate <= 20
    for chat_id in (1, 30):
        first, second = limited.messages_to(chat_id)
        assert second.at - first.at >= 1.0


async def test_a_429_is_honoured_nothing_reaches_the_chat_before_it_ends(
    db: Database, limited: StandIn
) -> None:
    for chat_id in (1, 2):
        limited.known_chat(chat_id)
        await add_chat(db, chat_id)
    for alert_id in ("A", "B"):
        version = await add_version(db, make_alert(id=alert_id, countries=("FR",)))
        await outbox.enqueue_matching(db, version, now=real_clock())
    async with Bot(limited.token, base_url=limited.base_url) as bot:
        dispatcher = await dispatcher_for(db, bot, DeliveryLimits(global_per_second=20))
        limited.fail_next(chat_id=1, error_code=429, retry_after=2)
        stop = asyncio.Event()
        runner = asyncio.create_task(dispatcher.run(stop))
        try:
            await limited.wait_for(2, chat_id=1, timeout=10)
        finally:
            stop.set()
            await runner

    refused = [r for r in limited.requests if r.status == 429]
    assert len(refused) == 1
    first = limited.messages_to(1)[0]
    assert first.at - refused[0].at >= 2.0
    assert len(limited.messages_to(2)) == 2
    assert await outbox.pending_count(db) == 0
