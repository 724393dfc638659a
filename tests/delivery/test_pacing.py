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
from bot.matching import fan_out
from bot.standin import RateLimits, StandIn
from bot.store import outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import Clock
from tests.delivery.travellers import DispatcherFactory, Renders, add_chat, add_version


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


def test_a_late_send_keeps_the_schedule_so_a_busy_loop_costs_no_rate() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(global_per_second=10, margin=0), monotonic=time)
    pacer.take(1, "private")
    first = time.now
    time.now = pacer.overall_ready_at() + 0.05  # woke 50 ms late
    pacer.take(2, "private")
    assert pacer.overall_ready_at() == pytest.approx(first + 0.2)

    time.now += 5.0  # idle for a while: no burst to make up for it
    pacer.take(3, "private")
    assert pacer.overall_ready_at() == pytest.approx(time.now + 0.1)


def test_a_turn_returns_a_full_window_after_the_answer_not_the_request() -> None:
    time = FakeTime()
    limits = DeliveryLimits(global_per_second=10, private_chat_per_second=1000, margin=0)
    pacer = Pacer(limits, monotonic=time)
    start = time.now
    for chat_id in range(10):
        time.now = max(time.now, pacer.overall_ready_at())
        pacer.take(chat_id, "private")
    # every answer is slow: 0.5 s after its request; the even pace alone would allow the
    # eleventh send at start + 1.0, when Telegram may still count the first one
    answers = start + 0.5
    time.now = answers
    for chat_id in range(10):
        pacer.finish(chat_id, "private")
    assert pacer.overall_ready_at() == pytest.approx(answers + 1.0)


def test_the_window_waits_for_a_send_still_on_the_wire() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(global_per_second=2, margin=0), monotonic=time)
    pacer.take(1, "private")
    time.now += 0.5
    pacer.take(2, "private")
    time.now += 3.0  # neither answered yet: no turn can come back before a window from now
    assert pacer.overall_ready_at() >= time.now + 1.0
    pacer.finish(1, "private")
    assert pacer.overall_ready_at() == pytest.approx(time.now + 1.0)


def test_a_chat_waits_a_full_interval_after_its_last_answer() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(global_per_second=1000, margin=0), monotonic=time)
    pacer.take(1, "private")
    time.now += 0.4
    pacer.finish(1, "private")
    assert pacer.chat_ready_at(1) == pytest.approx(time.now + 1.0)
    pacer.take(-5, "group")
    pacer.finish(-5, "group")
    assert pacer.chat_ready_at(-5) == pytest.approx(time.now + 3.0)


def test_processes_sharing_a_token_share_the_window() -> None:
    time = FakeTime()
    pacer = Pacer(DeliveryLimits(global_per_second=30, margin=0), monotonic=time)
    pacer.share(3)
    for chat_id in range(10):
        time.now = max(time.now, pacer.overall_ready_at())
        pacer.take(chat_id, "private")
        pacer.finish(chat_id, "private")
    # ten sends fill this process's third of the window: the next waits for the first's turn
    assert pacer.overall_ready_at() >= 100.0 + 1.0


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
        await fan_out(db, version, now=real_clock())

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
        await fan_out(db, version, now=real_clock())
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


async def test_a_chat_with_many_messages_does_not_hold_back_the_others(
    db: Database, standin: StandIn, clock: Clock, make_dispatcher: DispatcherFactory
) -> None:
    standin.known_chat(1)
    await add_chat(db, 1, countries=())
    for number in range(10):
        version = await add_version(db, make_alert(id=f"A{number}", countries=("FR",)))
        await outbox.enqueue(db, version, [1], now=clock())
    for chat_id in range(2, 22):
        standin.known_chat(chat_id)
        await add_chat(db, chat_id, countries=())
    version = await add_version(db, make_alert(id="B", countries=("FR",)))
    await outbox.enqueue(db, version, range(2, 22), now=clock())

    # chat 1's ten rows come first and fill two pages; it gets five messages a second
    limits = DeliveryLimits(global_per_second=1000, private_chat_per_second=5)
    report = await make_dispatcher(limits, page_size=5).drain()

    assert report.sent == 30
    third_to_chat_1 = sorted(m.at for m in standin.messages_to(1))[2]
    others = [m.at for m in standin.sent if m.chat_id != 1]
    assert len(others) == 20 and max(others) < third_to_chat_1
