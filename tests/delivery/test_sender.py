"""python-telegram-bot's errors become plain outcomes, matched on the error itself."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.delivery.sender import (
    AiohttpRequest,
    ChatGone,
    ChatMoved,
    Failed,
    Refused,
    SendResult,
    Sent,
    SlowDown,
    TelegramSender,
    TooLong,
    Unparsable,
    outcome_of,
)
from bot.standin import StandIn


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (RetryAfter(7), SlowDown(7.0)),
        (ChatMigrated(-1009), ChatMoved(-1009)),
        (Forbidden("Forbidden: bot was blocked by the user"), ChatGone),
        (Forbidden("Forbidden: user is deactivated"), ChatGone),
        (Forbidden("Forbidden: bot was kicked from the supergroup chat"), ChatGone),
        (Forbidden("Forbidden: bot can't send messages to the user"), Failed),
        (BadRequest("Bad Request: chat not found"), ChatGone),
        (BadRequest("Bad Request: can't parse entities: unsupported start tag"), Unparsable),
        (BadRequest("Bad Request: message is too long"), TooLong),
        (BadRequest("Bad Request: wrong remote file identifier"), Refused),
        (TimedOut(), Failed),
        (NetworkError("Bad Gateway"), Failed),
    ],
)
def test_each_error_maps_to_what_the_dispatcher_should_do(
    error: TelegramError, expected: SendResult | type
) -> None:
    outcome = outcome_of(error)
    if isinstance(expected, type):
        assert isinstance(outcome, expected)
    else:
        assert outcome == expected


def test_an_invalid_token_is_raised_not_blamed_on_the_message() -> None:
    with pytest.raises(InvalidToken):
        outcome_of(InvalidToken())


async def test_send_and_edit_through_the_stand_in(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    sender = TelegramSender(bot)

    sent = await sender.send(1, "<b>Level 4</b>")
    assert isinstance(sent, Sent)
    reply = await sender.send(1, "Update", reply_to=sent.message_id, silent=True)
    assert isinstance(reply, Sent)
    assert await sender.edit(1, sent.message_id, "<b>Level 3</b>") == Sent(sent.message_id)
    assert await sender.edit(1, sent.message_id, "<b>Level 3</b>") == Sent(sent.message_id)

    first, second = standin.messages_to(1)
    assert (second.reply_to_message_id, second.disable_notification) == (first.message_id, True)
    assert standin.edits[0].text == "<b>Level 3</b>"


async def test_a_deleted_original_does_not_stop_the_reply(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    result = await TelegramSender(bot).send(1, "Update", reply_to=999)
    assert isinstance(result, Sent)
    assert standin.messages_to(1)[0].reply_to_message_id is None


async def test_paid_broadcast_is_asked_for_on_every_send(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    await TelegramSender(bot, paid_broadcast=True).send(1, "Alert")
    assert standin.messages_to(1)[0].allow_paid_broadcast


async def test_errors_from_the_wire_arrive_as_outcomes(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    sender = TelegramSender(bot)
    standin.fail_next(chat_id=1, error_code=429, retry_after=3)
    assert await sender.send(1, "x") == SlowDown(3.0)
    standin.fail_next(chat_id=1, error_code=500)
    assert isinstance(await sender.send(1, "x"), Failed)
    assert isinstance(await sender.send(1, "<br>"), Unparsable)


async def test_the_aiohttp_transport_sends_and_reports_errors_like_the_default(
    standin: StandIn,
) -> None:
    standin.known_chat(1)
    request = AiohttpRequest(connections=4, read_timeout=0.3)
    async with Bot(standin.token, base_url=standin.base_url, request=request) as bot:
        sender = TelegramSender(bot)
        assert isinstance(await sender.send(1, "<b>Level 4</b>"), Sent)
        standin.fail_next(chat_id=1, error_code=429, retry_after=4)
        assert await sender.send(1, "x") == SlowDown(4.0)
        assert isinstance(await sender.send(2, "x"), ChatGone)
        standin.delay("sendMessage", 1.0)
        assert isinstance(await sender.send(1, "slow"), Failed)
    assert standin.messages_to(1)[0].text == "<b>Level 4</b>"
