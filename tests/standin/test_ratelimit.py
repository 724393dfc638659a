"""Flood limits: sliding windows per bot, per chat and per group, answered with 429."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.standin import RateLimits, StandIn
from bot.standin.ratelimit import FloodControl, busiest_window

# python-telegram-bot itself warns, on every RetryAfter, that retry_after becomes a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_global_limit_refuses_the_message_over_the_rate_until_the_window_slides() -> None:
    clock = FakeClock()
    flood = FloodControl(RateLimits(global_per_second=3, per_chat_per_second=10), clock)
    assert [flood.check("t", chat, "private") for chat in (1, 2, 3)] == [0, 0, 0]
    assert flood.check("t", 4, "private") == 1
    clock.now += 1.0
    assert flood.check("t", 4, "private") == 0


def test_private_chat_gets_one_a_second_with_a_configurable_burst() -> None:
    clock = FakeClock()
    flood = FloodControl(RateLimits(per_chat_per_second=1, burst=3), clock)
    assert [flood.check("t", 1, "private") for _ in range(4)] == [0, 0, 0, 3]
    assert flood.check("t", 2, "private") == 0  # other chats are not affected
    clock.now += 3.0
    assert flood.check("t", 1, "private") == 0


def test_group_gets_twenty_a_minute_and_retry_after_says_when() -> None:
    clock = FakeClock()
    flood = FloodControl(RateLimits(), clock)
    for _ in range(20):
        assert flood.check("t", -1, "group") == 0
        clock.now += 1.0
    assert flood.check("t", -1, "group") == 40  # the first of the 20 leaves in 40 s
    assert flood.sent_within(60, chat_id=-1) == 20


def test_paid_broadcast_has_its_own_limit() -> None:
    clock = FakeClock()
    flood = FloodControl(RateLimits(global_per_second=1, per_chat_per_second=100), clock)
    assert flood.check("t", 1, "private") == 0
    assert flood.check("t", 2, "private") > 0
    assert flood.check("t", 2, "private", paid=True) == 0


def test_bots_are_counted_separately() -> None:
    flood = FloodControl(RateLimits(global_per_second=1, per_chat_per_second=100), FakeClock())
    assert flood.check("bot-a", 1, "private") == 0
    assert flood.check("bot-b", 1, "private") == 0
    assert flood.check("bot-a", 2, "private") == 1


def test_busiest_window_measures_the_achieved_rate() -> None:
    assert busiest_window([0.0, 0.1, 0.2, 1.15, 1.2], 1.0) == 3
    assert busiest_window([], 1.0) == 0


async def test_over_the_limit_the_server_answers_429_and_records_it() -> None:
    limits = RateLimits(global_per_second=100, per_chat_per_second=1)
    async with (
        StandIn(rate_limits=limits) as standin,
        Bot(standin.token, base_url=standin.base_url) as bot,
    ):
        standin.known_chat(1)
        await bot.send_message(1, "first")
        with pytest.raises(RetryAfter) as raised:
            await bot.send_message(1, "second")
        assert seconds(raised.value.retry_after) == 1
        [refusal] = standin.too_many_requests
        assert (refusal.method, refusal.chat_id, refusal.retry_after) == ("sendMessage", 1, 1)
        assert [m.text for m in standin.sent] == ["first"]
        assert standin.requests[-1].status == 429


async def test_a_client_that_waits_retry_after_gets_through() -> None:
    limits = RateLimits(global_per_second=2, per_chat_per_second=100)
    async with (
        StandIn(rate_limits=limits) as standin,
        Bot(standin.token, base_url=standin.base_url) as bot,
    ):
        for chat in range(1, 5):
            standin.known_chat(chat)
        for chat in range(1, 5):
            try:
                await bot.send_message(chat, "alert")
            except RetryAfter as error:
                await asyncio.sleep(seconds(error.retry_after))
                await bot.send_message(chat, "alert")
        assert len(standin.sent) == 4
        assert standin.busiest(1.0) <= 2
        assert len(standin.too_many_requests) >= 1


async def test_rate_limits_are_off_by_default(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    for _ in range(40):
        await bot.send_message(1, "burst")
    assert standin.too_many_requests == []
