"""The everyday commands in other languages: /unsubscribe, /help and /about, right to left."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotRuntime
from bot.render.text import FIRST_STRONG_ISOLATE as FSI
from bot.render.text import POP_DIRECTIONAL_ISOLATE as PDI
from bot.render.text import RIGHT_TO_LEFT_MARK as RLM
from bot.store import chats as chat_store
from tests.chat.conftest import Traveller

Travellers = Callable[..., Traveller]


async def test_unsubscribe_in_french(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(1400, "fr")
    await me.say("/subscribe Kenya, Japon, Pérou")
    answer = await me.say("/unsubscribe Japon")
    assert answer.plain_text == "Vous ne suivez plus : 🇯🇵 Japon."
    assert await chat_store.subscriptions_of(runtime.services.db, 1400) == ["KE", "PE"]
    nothing = await me.say("/unsubscribe Japon")
    assert nothing.plain_text == "Vous ne suiviez aucun de ces pays."
    listing = await me.say("/unsubscribe")  # no argument: the list, with buttons
    assert listing.plain_text.splitlines()[0] == "Vous suivez 2 pays :"
    assert "unsub:KE" in listing.button_data()
    everything = await me.say("/unsubscribe tout")
    assert everything.plain_text == "Vous ne suivez plus 2 pays."
    assert await chat_store.subscriptions_of(runtime.services.db, 1400) == []


async def test_unsubscribe_in_german_by_button(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(1401, "de")
    await me.say("/subscribe Deutschland, Kenia")
    listing = await me.say("/list")
    shorter = await me.press_and_see(listing, "unsub:KE")  # the list, edited in place
    assert shorter.text.splitlines() == ["Sie folgen 1 Land:", "🇩🇪 Deutschland"]
    assert me.standin.answered_callbacks[-1].text == "Sie folgen nicht mehr: 🇰🇪 Kenia."
    assert await chat_store.subscriptions_of(runtime.services.db, 1401) == ["DE"]


async def test_help_in_arabic_reads_right_to_left(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    answer = (await traveller(1402, "ar").say("/help")).plain_text
    lines = [line for line in answer.splitlines() if line.strip()]
    assert len(lines) > 10
    assert all(line.startswith(RLM) for line in lines)  # even those that begin with /help
    assert f"{RLM}{FSI}/help{PDI}:" in answer  # the command kept whole, ahead of the Arabic
    assert "هذه الرسالة" in answer
    english = (await traveller(1403).say("/help")).plain_text
    assert RLM not in english and FSI not in english


async def test_about_in_arabic_isolates_latin_source_names(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    answer = (await traveller(1404, "ar").say("/about")).plain_text
    lines = [line for line in answer.splitlines() if line.strip()]
    assert all(line.startswith(RLM) for line in lines)
    gdacs = next(line for line in lines if "GDACS" in line)
    assert f"{FSI}GDACS{PDI}" in gdacs and "5" in gdacs


async def test_slow_down_in_arabic_reads_right_to_left(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1405, "ar")
    for _ in range(20):
        await me.say("/list")
    slow_down = await me.say("/list")
    t = runtime.services.catalogs.translator("ar")
    expected = t.gettext(
        "You are sending commands faster than I can answer. I will listen again in a few seconds."
    )
    assert expected != "You are sending commands faster than I can answer."
    assert slow_down.plain_text == RLM + expected


async def test_settings_and_onboarding_in_arabic_read_right_to_left(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1406, "ar")
    welcome = await me.say("/start")
    assert all(line.startswith(RLM) for line in welcome.plain_text.splitlines() if line.strip())
    step2 = await me.press_and_see(welcome, "ob:lang:ar")  # an edit: laid out the same way
    assert all(line.startswith(RLM) for line in step2.text.splitlines() if line.strip())

    menu = await me.say("/settings")
    lines = [line for line in menu.plain_text.splitlines() if line.strip()]
    assert len(lines) > 3 and all(line.startswith(RLM) for line in lines)
    timezones = await me.press_and_see(menu, "set:tz")
    assert all(line.startswith(RLM) for line in timezones.text.splitlines() if line.strip())
    # The zone's Latin name is isolated, so its parentheses and digits keep their order.
    assert FSI in (await me.press_and_see(timezones, "set:menu")).text

    english = await traveller(1407, "en").say("/settings")
    assert RLM not in english.plain_text
