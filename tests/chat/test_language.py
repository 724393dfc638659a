"""/language: a reader picks the language the bot writes in, by argument or by button."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotRuntime
from bot.standin import StandIn
from bot.store import chats as chat_store
from tests.chat.conftest import Traveller

Travellers = Callable[..., Traveller]


async def test_language_with_a_code_switches_and_answers_in_the_new_language(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(870, "en")
    answer = await me.say("/language fr")
    assert "français" in answer.text.lower()
    chat = await chat_store.get_chat(runtime.services.db, 870)
    assert chat is not None and chat.language == "fr"

    # Everything after it is French too, until the reader changes it again.
    listing = await me.say("/list")
    assert "English" not in listing.text
    assert "pays" in listing.text or "aucun" in listing.text.lower()

    back = await me.say("/language de")
    assert "Deutsch" in back.text  # "Ich schreibe Ihnen ab jetzt auf Deutsch."
    chat = await chat_store.get_chat(runtime.services.db, 870)
    assert chat is not None and chat.language == "de"


async def test_language_without_a_code_offers_buttons_and_a_tap_switches(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(871, "de")
    menu = await me.say("/language")
    assert menu.button_data() == [
        "lang:en",
        "lang:fr",
        "lang:de",
        "lang:es",
        "lang:ru",
        "lang:ar",
    ]
    assert "✓ Deutsch" in [b["text"] for row in menu.buttons() for b in row]

    answer = await me.press_and_read(menu, "lang:es")
    assert "español" in answer.text.lower()
    chat = await chat_store.get_chat(runtime.services.db, 871)
    assert chat is not None and chat.language == "es"


async def test_an_unknown_language_code_changes_nothing_and_offers_the_choice(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(872, "fr")
    await me.say("/start")
    answer = await me.say("/language xx")
    assert len(answer.button_data()) == 6
    assert "langue" in answer.text.lower()
    chat = await chat_store.get_chat(runtime.services.db, 872)
    assert chat is not None and chat.language == "fr"


async def test_a_forged_language_button_is_refused(
    runtime: BotRuntime, traveller: Travellers, standin: StandIn
) -> None:
    me = traveller(873, "en")
    menu = await me.say("/language")
    query_id = standin.press_button(873, menu.message_id, "lang:xx", forged=True)
    await standin.wait_until(
        lambda: any(a.callback_query_id == query_id for a in standin.answered_callbacks),
        timeout=10,
        waiting_for="an answer to the forged button",
    )
    toast = next(a.text for a in standin.answered_callbacks if a.callback_query_id == query_id)
    assert toast is not None and "expired" in toast
    chat = await chat_store.get_chat(runtime.services.db, 873)
    assert chat is not None and chat.language == "en"
