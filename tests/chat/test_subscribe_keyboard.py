"""Following countries: names in any language, suggestions, a searchable keyboard, /list."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotRuntime
from bot.store import chats as chat_store
from tests.chat.conftest import Traveller

Travellers = Callable[..., Traveller]


async def test_names_in_any_language_codes_and_flags_mean_the_same_country(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1000)
    answer = await me.say("/subscribe Allemagne, Deutschland, Germany, DE, 🇩🇪")
    assert "You now follow: 🇩🇪 Germany." in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1000) == ["DE"]
    answer = await me.say("/subscribe France 🇯🇵 es")
    assert "France" in answer.text and "Japan" in answer.text and "Spain" in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1000) == ["DE", "ES", "FR", "JP"]


async def test_french_reader_gets_french_country_names(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1001, "fr")
    answer = await me.say("/subscribe Germany, Japon")
    assert "Allemagne" in answer.text and "Japon" in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1001) == ["DE", "JP"]


async def test_misspelling_offers_only_close_suggestions(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1002)
    answer = await me.say("/subscribe Spian")
    assert "Spian" in answer.text
    assert answer.button_data() == ["sub:ES"]  # not Iran or Thailand
    answer = await me.say("/subscribe Jpan, Xyzzyq")
    assert answer.button_data() == ["sub:JP"]
    assert "Xyzzyq" in answer.text and "two-letter code" in answer.text
    confirmed = await me.press_and_read(answer, "sub:JP")
    assert "Japan" in confirmed.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1002) == ["JP"]


async def test_subscribe_alone_asks_letters_and_one_tap_follows(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1003)
    question = await me.say("/subscribe")
    assert "first letters" in question.text
    results = await me.say("ger")
    assert "srch:add:DE" in results.button_data()
    toast = await me.press(results, "srch:add:DE")
    assert toast is not None and "Germany" in toast
    assert await chat_store.subscriptions_of(runtime.services.db, 1003) == ["DE"]
    await me.standin.wait_until(lambda: bool(me.edits(results.message_id)))
    assert any(
        label.startswith("✓") and "Germany" in label
        for label in me.screen(results.message_id).labels
    )


async def test_search_in_french_finds_french_names(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1004, "fr")
    question = await me.say("/subscribe")
    assert question.text  # the question itself is translated later; its structure is set
    results = await me.say("allem")
    assert results.button_data()[0] == "srch:add:DE"
    assert "Allemagne" in str(results.reply_markup)


async def test_many_results_come_in_pages(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(1005)
    await me.say("/subscribe")
    results = await me.say("a")
    first_page = [d for d in results.button_data() if d.startswith("srch:add:")]
    assert len(first_page) == 6
    assert results.button_data()[-1] == "srch:p:a:1:a"
    second = await me.press_and_see(results, "srch:p:a:1:a")
    second_page = [d for d in second.buttons if d.startswith("srch:add:")]
    assert len(second_page) == 6 and not set(second_page) & set(first_page)
    assert "srch:p:a:0:a" in second.buttons and "srch:p:a:2:a" in second.buttons
    back = await me.press_and_see(second, "srch:p:a:0:a")
    assert [d for d in back.buttons if d.startswith("srch:add:")] == first_page


async def test_search_without_match_asks_again(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(1006)
    await me.say("/subscribe")
    nothing = await me.say("qqqzz<i>")
    assert "qqqzz&lt;i&gt;" in nothing.text and not nothing.button_data()
    results = await me.say("japa")
    assert "srch:add:JP" in results.button_data()


async def test_plain_country_name_is_offered_as_a_button(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1007)
    answer = await me.say("Japan")
    assert "srch:add:JP" in answer.button_data()
    hint = await me.say("hello there")
    assert "/subscribe" in hint.text


async def test_list_removes_countries_in_place_and_offers_the_threshold(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1008, "fr")
    await me.say("/subscribe Kenya, Peru")
    listing = await me.say("/list")
    assert "Kenya" in listing.text and "Pérou" in listing.text
    assert listing.button_data() == ["unsub:KE", "unsub:PE", "set:l"]
    shorter = await me.press_and_see(listing, "unsub:PE")
    assert "Pérou" not in shorter.text and shorter.buttons == ["unsub:KE", "set:l"]
    assert await chat_store.subscriptions_of(runtime.services.db, 1008) == ["KE"]
    levels = await me.press_and_see(shorter, "set:l")
    assert any("Vigilance renforcée" in label for label in levels.labels)


async def test_unsubscribe_by_name_and_all(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(1009)
    await me.say("/subscribe Kenya, Peru, Chile")
    answer = await me.say("/unsubscribe Pérou")
    assert "Peru" in answer.text
    answer = await me.say("/unsubscribe all")
    assert "2 countries" in answer.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1009) == []


async def test_group_admin_searches_by_replying_and_members_cannot_tap(
    runtime: BotRuntime, traveller: Travellers, standin
) -> None:
    group = -100300
    admin = traveller(group, chat_type="group", user_id=41)
    member = traveller(group, chat_type="group", user_id=42)
    standin.user_message(group, "hi", user_id=41, chat_type="group")  # ignored: nothing asked
    standin.member_status(group, 41, "administrator")
    question = await admin.say("/subscribe")
    assert question.reply_markup == {"force_reply": True, "selective": True}
    results = await admin.say("keny")
    assert "srch:add:KE" in results.button_data()
    toast = await member.press(results, "srch:add:KE")
    assert toast is not None and "administrators" in toast
    assert await chat_store.subscriptions_of(runtime.services.db, group) == []
    await admin.press(results, "srch:add:KE")
    assert await chat_store.subscriptions_of(runtime.services.db, group) == ["KE"]
