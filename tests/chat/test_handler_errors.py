"""A handler that fails: the reader is told so in their language (a button press gets an
answer too), the error is logged with its traceback and counted, and the bot carries on."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.app import BotRuntime
from bot.standin import StandIn
from tests.chat.conftest import Traveller

Travellers = Callable[..., Traveller]
pytestmark = pytest.mark.handler_fails


async def _fails(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError("the database went away")


@pytest.fixture
def failing(runtime: BotRuntime) -> BotRuntime:
    """The running bot with a command and a button whose handler always fails, first in
    the bot's own group of handlers (so that its catch-alls do not answer them instead)."""
    own_handlers = runtime.application.handlers[0]
    own_handlers.insert(0, CommandHandler("boom", _fails))
    own_handlers.insert(0, CallbackQueryHandler(_fails, pattern="^boom$"))
    return runtime


def handler_errors(runtime: BotRuntime) -> float:
    counted = runtime.metrics.registry.get_sample_value(
        "travel_risk_bot_errors_total", {"kind": "handler"}
    )
    return counted or 0.0


async def test_a_failing_command_is_answered_logged_and_counted_and_the_bot_carries_on(
    failing: BotRuntime, traveller: Travellers, caplog: pytest.LogCaptureFixture
) -> None:
    reader = traveller(1300)
    with caplog.at_level(logging.ERROR, logger="bot.chat.errors"):
        answer = await reader.say("/boom")

    assert answer.plain_text == (
        "Sorry, something went wrong on my side. Please try again in a moment."
    )
    assert "the database went away" in caplog.text and "Traceback" in caplog.text
    assert handler_errors(failing) == 1
    assert "What I can do" in (await reader.say("/help")).text


async def test_the_reader_is_told_in_their_own_language(
    failing: BotRuntime, traveller: Travellers
) -> None:
    french, arabic = traveller(1301, "fr"), traveller(1302, "ar")

    assert (await french.say("/boom")).plain_text.startswith("Désolé, une erreur s'est produite")
    arabic_answer = (await arabic.say("/boom")).plain_text
    assert arabic_answer.startswith("\u200f") and "عذرًا" in arabic_answer  # right to left


async def test_a_failing_button_stops_its_spinner_with_the_same_answer(
    failing: BotRuntime, traveller: Travellers, standin: StandIn
) -> None:
    reader = traveller(1303)
    menu = await reader.say("/help")

    pressed = standin.press_button(1303, menu.message_id, "boom", forged=True)
    await standin.wait_until(
        lambda: any(a.callback_query_id == pressed for a in standin.answered_callbacks),
        timeout=10,
        waiting_for="the answer to the press",
    )

    (answered,) = [a for a in standin.answered_callbacks if a.callback_query_id == pressed]
    assert answered.text == "Sorry, something went wrong on my side. Please try again in a moment."
    assert answered.show_alert
    assert handler_errors(failing) == 1
