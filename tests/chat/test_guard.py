"""Flood control, group administrators, /command@bot, and hostile or overlong arguments."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import BotRuntime
from bot.chat.guard import FloodGuard, FloodLimits, clean, echo
from bot.standin import StandIn
from bot.store import chats as chat_store
from bot.store import preferences
from tests.chat.conftest import Traveller
from tests.clock import Clock

Travellers = Callable[..., Traveller]
GROUP = -100200


@given(st.text(max_size=300))
def test_cleaned_text_has_no_control_or_direction_characters(text: str) -> None:
    shown = clean(text, 60)
    assert len(shown) <= 60
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in shown)
    assert "<" not in echo(text) and ">" not in echo(text)


def test_flood_guard_warns_once_then_ignores_until_the_window_passes() -> None:
    guard = FloodGuard(FloodLimits(commands=3, seconds=10))
    assert [guard.admit(1, 0.0) for _ in range(3)] == ["yes", "yes", "yes"]
    assert guard.admit(1, 1.0) == "warn"
    assert guard.admit(1, 2.0) == "no"
    assert guard.admit(2, 2.0) == "yes"  # another chat is not affected
    assert guard.admit(1, 10.5) == "yes"


async def test_a_flooding_chat_is_slowed_once_and_others_are_served(
    runtime: BotRuntime, traveller: Travellers, standin: StandIn, clock: Clock
) -> None:
    flooder = traveller(1200)
    calm = traveller(1201)
    for _ in range(20):
        await flooder.say("/help")
    slow_down = await flooder.say("/help")
    assert "faster than I can answer" in slow_down.text
    before = len(standin.messages_to(1200))
    for _ in range(5):
        standin.user_message(1200, "/help")
    answer = await calm.say("/help")  # updates are handled in order: the five came first
    assert "What I can do" in answer.text
    assert len(standin.messages_to(1200)) == before

    clock.advance(seconds=11)
    again = await flooder.say("/help")
    assert "What I can do" in again.text


async def test_a_flooding_chat_is_slowed_in_its_own_language(
    runtime: BotRuntime, traveller: Travellers, standin: StandIn
) -> None:
    flooder = traveller(1210, "fr")
    for _ in range(20):
        await flooder.say("/aide")
    slow_down = await flooder.say("/aide")
    assert slow_down.plain_text == (
        "Vous envoyez des commandes plus vite que je ne peux répondre. Je vous écouterai de"
        " nouveau dans quelques secondes."
    )
    german = traveller(1211, "de")
    for _ in range(20):
        await german.say("/list")
    assert (await german.say("/list")).plain_text.startswith("Sie senden Befehle schneller")


async def test_only_group_admins_change_subscriptions(
    runtime: BotRuntime, traveller: Travellers, standin: StandIn
) -> None:
    member = traveller(GROUP, chat_type="group", user_id=31)
    admin = traveller(GROUP, chat_type="group", user_id=32)
    standin.user_message(GROUP, "hello", user_id=32, chat_type="group")
    standin.member_status(GROUP, 32, "administrator")
    standin.member_status(GROUP, 31, "member")

    refused = await member.say("/subscribe Kenya")
    assert "administrators" in refused.text
    assert await chat_store.subscriptions_of(runtime.services.db, GROUP) == []
    refused = await member.say("/settings")
    assert "administrators" in refused.text

    accepted = await admin.say("/subscribe Kenya")
    assert "Kenya" in accepted.text and "administrators" not in accepted.text
    assert await chat_store.subscriptions_of(runtime.services.db, GROUP) == ["KE"]

    menu = await admin.say("/settings")
    toast = await member.press(menu, "set:p:1")
    assert toast is not None and "administrators" in toast
    assert not (await preferences.preferences_of(runtime.services.db, GROUP)).paused  # type: ignore[union-attr]

    listing = await member.say("/list")  # reading is open to everyone
    assert "Kenya" in listing.text


async def test_admin_check_is_cached_briefly(
    runtime: BotRuntime, traveller: Travellers, standin: StandIn, clock: Clock
) -> None:
    admin = traveller(GROUP, chat_type="group", user_id=33)
    standin.user_message(GROUP, "hello", user_id=33, chat_type="group")
    standin.member_status(GROUP, 33, "creator")
    await admin.say("/subscribe Peru")
    await admin.say("/subscribe Chile")
    asked = [r for r in standin.requests if r.method.lower() == "getchatmember"]
    assert len(asked) == 1

    standin.member_status(GROUP, 33, "member")
    clock.advance(seconds=61)
    refused = await admin.say("/subscribe Bolivia")
    assert "administrators" in refused.text
    assert await chat_store.subscriptions_of(runtime.services.db, GROUP) == ["CL", "PE"]


async def test_commands_addressed_to_the_bot_by_name_work_in_groups(
    runtime: BotRuntime, traveller: Travellers, standin: StandIn
) -> None:
    admin = traveller(GROUP, chat_type="group", user_id=34)
    standin.user_message(GROUP, "hello", user_id=34, chat_type="group")
    standin.member_status(GROUP, 34, "administrator")
    answer = await admin.say(f"/subscribe@{standin.username} Kenya")
    assert "Kenya" in answer.text
    listing = await admin.say(f"/list@{standin.username}")
    assert "Kenya" in listing.text

    before = len(standin.messages_to(GROUP))
    standin.user_message(GROUP, "/list@some_other_bot", user_id=34, chat_type="group")
    standin.user_message(GROUP, "/frobnicate", user_id=34, chat_type="group")
    unknown = await admin.say(f"/frobnicate@{standin.username}")
    assert "/help" in unknown.text
    assert len(standin.messages_to(GROUP)) == before + 1  # the other two were not for us


HOSTILE = "<script>alert(1)</script> *bold* _x_ [a](http://x) \u202egnp.exe\u0000\u0007 &amp;"


# Each command with hostile arguments: how many messages it answers with, and words its
# first answer has in English and in French (the reader's language, never English).
COMMANDS = (
    ("/start", 2, "let us simply start", "commençons"),
    ("/subscribe", 1, "I don't know “", "Je ne connais pas « "),
    ("/unsubscribe", 1, "You were not following", "Vous ne suiviez aucun"),
    ("/list", 1, "You follow no countries", "Vous ne suivez encore aucun pays"),
    ("/language", 1, "Choose your language", "Choisissez votre langue"),
    ("/settings", 1, "Your settings", "Vos réglages"),
    ("/pause", 1, "Paused", "En pause"),
    ("/resume", 1, "Welcome back", "Bon retour"),
    ("/about", 1, "Where my alerts come from", "D'où viennent mes alertes"),
    ("/mydata", 2, "What I store about this chat", "Ce que je conserve sur ce chat"),
    ("/help", 1, "What I can do", "Ce que je sais faire"),
    ("/forget", 1, "Delete everything", "Effacer tout"),
    ("/nosuchcommand", 1, "I don't know the command", "Je ne connais pas la commande"),
    ("/status", 1, "I don't know “", "Je ne connais pas « "),
    ("/trip", 1, "Where are you going?", "Où allez-vous ?"),
    ("/trips", 1, "You have no trips", "Vous n'avez aucun voyage"),
    ("/place", 1, "I don't know a town called", "Je ne connais pas de ville appelée"),
)


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_hostile_arguments_get_a_clear_escaped_answer(
    runtime: BotRuntime, traveller: Travellers, language: str
) -> None:
    me = traveller(1300 if language == "en" else 1304, language)
    for command, count, english, french in COMMANDS:
        answers = await me.say_and_wait(f"{command} {HOSTILE}", count)
        assert (french if language == "fr" else english) in answers[0].plain_text, command
        if language == "fr":
            assert english not in answers[0].plain_text, command
        for answer in answers:
            assert answer.plain_text.strip(), command
            assert "<script>" not in answer.text, command
            assert "\u202e" not in answer.text and "\u0000" not in answer.text, command
            assert "\u0007" not in answer.text, command
    assert await chat_store.subscriptions_of(runtime.services.db, me.chat_id) == []


@pytest.mark.parametrize(("language", "words"), [("en", "too long"), ("fr", "trop long")])
async def test_overlong_arguments_are_refused_clearly(
    runtime: BotRuntime, traveller: Travellers, language: str, words: str
) -> None:
    me = traveller(1301 if language == "en" else 1302, language)
    answer = await me.say("/subscribe " + "France, " * 600)
    assert words in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, me.chat_id) == []
    answer = await me.say("/subscribe " + "x" * 5000)
    assert words in answer.text
    for command in ("/status", "/unsubscribe", "/trip", "/place"):
        answer = await me.say(f"{command} " + "France, " * 600)
        assert words in answer.text, command
        answer = await me.say(f"{command} France, " + "x" * 1500)  # not cut and acted on
        assert words in answer.text, command
    assert await chat_store.subscriptions_of(runtime.services.db, me.chat_id) == []


async def test_unknown_term_with_direction_override_is_echoed_clean(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1303, "fr")
    answer = await me.say("/subscribe Fra\u202ence\u200b<b>, Allemagne")
    assert "Allemagne" in answer.text
    assert "\u202e" not in answer.text and "\u200b" not in answer.text
    assert "&lt;b&gt;" in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1303) == ["DE"]
