"""/start sets a traveller up in three taps, in their language; deep links are honoured."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot.app import BotRuntime
from bot.chat.common import reply
from bot.chat.onboarding import register_start_payload
from bot.store import chats as chat_store
from bot.store import preferences
from tests.chat.conftest import Traveller

Travellers = Callable[..., Traveller]


async def test_three_taps_set_language_country_and_level(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(800, "en")
    welcome = await me.say("/start")
    assert "official advisories" in welcome.text
    assert "✓ English" in [b["text"] for row in welcome.buttons() for b in row]
    assert set(welcome.button_data()) >= {"ob:lang:en", "ob:lang:fr", "ob:lang:ar"}

    step2 = await me.press_and_see(welcome, "ob:lang:en")
    assert "ob:c:FR" in step2.buttons and "ob:type" in step2.buttons
    assert any("Japan" in label for label in step2.labels)

    step3 = await me.press_and_see(step2, "ob:c:JP")
    assert step3.buttons == ["ob:lvl:1", "ob:lvl:2", "ob:lvl:3", "ob:lvl:4"]
    assert any("Reconsider travel" in label for label in step3.labels)

    done = await me.press_and_see(step3, "ob:lvl:3")
    assert "Japan" in done.text and "Reconsider travel" in done.text
    assert done.buttons == []

    db = runtime.services.db
    assert await chat_store.subscriptions_of(db, 800) == ["JP"]
    prefs = await preferences.preferences_of(db, 800)
    assert prefs is not None and prefs.min_severity == 3 and prefs.language == "en"


async def test_french_speaker_sees_french_preselected_and_french_names(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(801, "fr-CA")
    welcome = await me.say("/start")
    assert "✓ Français" in [b["text"] for row in welcome.buttons() for b in row]

    step2 = await me.press_and_see(welcome, "ob:lang:fr")
    assert any("Espagne" in label for label in step2.labels)  # Babel's French names
    step3 = await me.press_and_see(step2, "ob:c:ES")
    assert any("Vigilance renforcée" in label for label in step3.labels)  # level 2, French
    done = await me.press_and_see(step3, "ob:lvl:2")
    assert "Espagne" in done.text and "Vigilance renforcée" in done.text

    db = runtime.services.db
    assert await chat_store.subscriptions_of(db, 801) == ["ES"]
    prefs = await preferences.preferences_of(db, 801)
    assert prefs is not None and prefs.language == "fr" and prefs.min_severity == 2


async def test_choosing_another_language_switches_the_next_step(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(802, "en")
    welcome = await me.say("/start")
    step2 = await me.press_and_see(welcome, "ob:lang:fr")
    assert any("Japon" in label for label in step2.labels)
    chat = await chat_store.get_chat(runtime.services.db, 802)
    assert chat is not None and chat.language == "fr"


async def test_typing_a_name_during_setup_searches_and_continues(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(803, "de")
    welcome = await me.say("/start")
    step2 = await me.press_and_see(welcome, "ob:lang:de")
    asked = await me.press_and_see(step2, "ob:type")
    assert asked.buttons == []
    results = await me.say("Deutsch")
    assert "ob:c:DE" in results.button_data()
    assert "Deutschland" in str(results.reply_markup)
    step3 = await me.press_and_see(results, "ob:c:DE")
    assert step3.buttons[0] == "ob:lvl:1"
    assert await chat_store.subscriptions_of(runtime.services.db, 803) == ["DE"]


async def test_registered_deep_link_payload_reaches_its_handler(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    seen: list[str] = []

    async def join(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
        seen.append(payload)
        await reply(update, "joined", t=runtime.services.catalogs.translator("en"))

    register_start_payload(runtime.application, "join_", join)
    me = traveller(804)
    answer = await me.say("/start join_abcDEF123")
    assert answer.text == "joined"
    assert seen == ["join_abcDEF123"]


async def test_unknown_or_hostile_payload_is_ignored_politely(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(805)
    note, welcome = await me.say_and_wait("/start nothing_here", 2)
    assert "not valid" in note.text
    assert "ob:lang:en" in welcome.button_data()

    note, welcome = await me.say_and_wait("/start <b>x</b>\u202e", 2)
    assert "<b>x" not in note.text and "\u202e" not in note.text
    assert "ob:lang:en" in welcome.button_data()


async def test_forged_onboarding_button_changes_nothing(
    runtime: BotRuntime, traveller: Travellers, standin
) -> None:
    me = traveller(806)
    welcome = await me.say("/start")
    query = standin.press_button(806, welcome.message_id, "ob:c:ZZ", forged=True)
    await standin.wait_until(
        lambda: any(a.callback_query_id == query for a in standin.answered_callbacks)
    )
    answer = next(a for a in standin.answered_callbacks if a.callback_query_id == query)
    assert answer.text == "This button has expired."
    assert await chat_store.subscriptions_of(runtime.services.db, 806) == []


async def test_command_menu_offers_the_new_commands_in_each_language(
    runtime: BotRuntime, standin
) -> None:
    for language in ("", "fr", "ar"):
        names = [c["command"] for c in standin.commands(language_code=language)]
        assert {"subscribe", "settings", "pause", "resume", "about", "mydata", "forget"} <= set(
            names
        )
    english = {c["command"]: c["description"] for c in standin.commands()}
    assert english["subscribe"] == "Follow countries"


async def test_help_lists_every_traveller_command(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    answer = await traveller(807).say("/help")
    for command in ("/subscribe", "/settings", "/pause", "/about", "/mydata", "/forget"):
        assert command in answer.text
    french = await traveller(808, "fr").say("/help")
    assert "/settings" in french.text and french.text != answer.text
