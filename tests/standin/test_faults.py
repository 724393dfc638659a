"""Each failure the stand-in can stage reaches python-telegram-bot as the right exception."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import Bot, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.standin import StandIn

# python-telegram-bot itself warns, on every RetryAfter, that retry_after becomes a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_fail_next_429_raises_retry_after_with_its_seconds(
    standin: StandIn, bot: Bot
) -> None:
    standin.known_chat(1)
    standin.fail_next("sendMessage", error_code=429, retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(1, "x")
    assert seconds(raised.value.retry_after) == 7
    assert (await bot.send_message(1, "x")).text == "x"  # only the next call fails
    assert [r.status for r in standin.requests if r.method == "sendMessage"] == [429, 200]


async def test_fail_next_counts_times_and_matches_chat(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    standin.known_chat(2)
    standin.fail_next("sendMessage", chat_id=2, error_code=500, times=2)
    assert await bot.send_message(1, "to one")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(2, "to two")
    assert await bot.send_message(2, "to two")
    assert [m.chat_id for m in standin.sent] == [1, 2]


async def test_server_error_is_a_network_error_not_bad_request(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    standin.fail_next(error_code=502)
    with pytest.raises(NetworkError) as raised:
        await bot.send_message(1, "x")
    assert not isinstance(raised.value, BadRequest)


async def test_blocked_user_is_forbidden_and_notifies_the_bot(standin: StandIn, bot: Bot) -> None:
    standin.user_message(3, "/start")
    standin.block(3)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(3, "x")
    updates = await bot.get_updates()
    member_update = updates[-1].my_chat_member
    assert member_update is not None
    assert member_update.new_chat_member.status == "kicked"
    standin.user_message(3, "/start")  # writing again means they unblocked
    assert await bot.send_message(3, "welcome back")


async def test_deactivated_user_is_forbidden(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(4)
    standin.deactivate(4)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(4, "x")


async def test_bot_kicked_from_group_is_forbidden(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(-5, "group", title="Trip")
    standin.member_status(-5, standin.bot_id, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(-5, "x")


async def test_unknown_chat_is_bad_request_chat_not_found(standin: StandIn, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(404404, "x")


async def test_migrated_group_raises_chat_migrated_with_new_id(standin: StandIn, bot: Bot) -> None:
    standin.user_message(-10, "/start", chat_type="group", title="Family")
    standin.migrate_chat(-10, -10010)
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-10, "x")
    assert raised.value.new_chat_id == -10010
    assert (await bot.send_message(-10010, "x")).chat.type == "supergroup"
    updates = await bot.get_updates()
    service = [u.message for u in updates if u.message and u.message.migrate_to_chat_id]
    assert [(m.chat.id, m.migrate_to_chat_id) for m in service] == [(-10, -10010)]


async def test_fail_next_with_migrate_parameter_raises_chat_migrated(
    standin: StandIn, bot: Bot
) -> None:
    standin.known_chat(-20, "group")
    standin.fail_next(error_code=400, migrate_to_chat_id=-10020)
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-20, "x")
    assert raised.value.new_chat_id == -10020


async def test_slow_server_times_out_the_client_but_still_delivers(standin: StandIn) -> None:
    standin.known_chat(1)
    standin.delay("sendMessage", 0.6)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(standin.token, base_url=standin.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(1, "late")
        # Like real Telegram, the message may arrive although the client gave up.
        [late] = await standin.wait_for(1, timeout=2)
        assert late.text == "late"
        standin.delay("sendMessage", 0)
        assert await bot.send_message(1, "on time")


async def test_fail_next_applies_to_get_updates_too(standin: StandIn, bot: Bot) -> None:
    standin.fail_next("getUpdates", error_code=409, description="Conflict: terminated by other")
    with pytest.raises(Conflict, match="terminated by other"):
        await bot.get_updates()
    standin.user_message(1, "hi")
    updates = await bot.get_updates()
    assert isinstance(updates[0], Update)
