"""/settings edits one message in place and stores each choice; /pause and /resume."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotRuntime
from bot.store import chats as chat_store
from bot.store import preferences
from bot.store.preferences import Preferences
from tests.chat.conftest import Traveller

Travellers = Callable[..., Traveller]


async def prefs_of(runtime: BotRuntime, chat_id: int) -> Preferences:
    prefs = await preferences.preferences_of(runtime.services.db, chat_id)
    assert prefs is not None
    return prefs


async def test_threshold_is_chosen_and_the_menu_edits_in_place(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(900)
    menu = await me.say("/settings")
    assert "Your settings" in menu.text and "set:l" in menu.button_data()
    levels = await me.press_and_see(menu, "set:l")
    assert levels.message_id == menu.message_id
    assert levels.buttons[:4] == ["set:l:1", "set:l:2", "set:l:3", "set:l:4"]
    back = await me.press_and_see(levels, "set:l:4")
    assert "Do not travel" in back.text and "set:l" in back.buttons
    assert (await prefs_of(runtime, 900)).min_severity == 4
    assert len(me.standin.messages_to(900)) == 1  # everything happened in one message


async def test_topics_toggle_one_by_one_and_back_to_all(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(901)
    menu = await me.say("/settings")
    topics = await me.press_and_see(menu, "set:c")
    assert "set:c:earthquake" in topics.buttons
    assert all(label.startswith("✅") for label in topics.labels[:13])

    topics = await me.press_and_see(topics, "set:c:earthquake")
    chosen = (await prefs_of(runtime, 901)).categories
    assert "earthquake" not in chosen and "health" in chosen and len(chosen) == 12
    assert any(label.startswith("⬜") and "Earthquake" in label for label in topics.labels)

    await me.press_and_see(topics, "set:c:all")
    assert (await prefs_of(runtime, 901)).categories == ()


async def test_the_last_topic_cannot_be_switched_off(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(902)
    menu = await me.say("/settings")
    topics = await me.press_and_see(menu, "set:c")
    every = [data for data in topics.buttons if data.startswith("set:c:") and data != "set:c:all"]
    for data in every[:-1]:
        topics = await me.press_and_see(topics, data)
    assert (await prefs_of(runtime, 902)).categories == ("other",)
    toast = await me.press(topics, every[-1])
    assert toast is not None and "/pause" in toast
    assert (await prefs_of(runtime, 902)).categories == ("other",)


async def test_update_mode_quiet_hours_and_digest_are_stored(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(903)
    menu = await me.say("/settings")
    screen = await me.press_and_see(menu, "set:u")
    screen = await me.press_and_see(screen, "set:u:levels")
    assert "level changes only" in screen.text
    screen = await me.press_and_see(screen, "set:q")
    assert "set:q:22:00-07:00" in screen.buttons
    screen = await me.press_and_see(screen, "set:q:23:00-08:00")
    assert "23:00–08:00" in screen.text
    screen = await me.press_and_see(screen, "set:d")
    screen = await me.press_and_see(screen, "set:d:18:00")
    assert "18:00" in screen.text
    prefs = await prefs_of(runtime, 903)
    assert prefs.update_mode == "levels"
    assert (prefs.quiet_start, prefs.quiet_end) == ("23:00", "08:00")
    assert (prefs.delivery_mode, prefs.digest_time) == ("daily", "18:00")

    screen = await me.press_and_see(screen, "set:q")
    screen = await me.press_and_see(screen, "set:q:off")
    screen = await me.press_and_see(screen, "set:d")
    await me.press_and_see(screen, "set:d:instant")
    prefs = await prefs_of(runtime, 903)
    assert (prefs.quiet_start, prefs.quiet_end, prefs.delivery_mode) == (None, None, "instant")


async def test_timezone_offered_from_followed_countries_or_typed(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(904)
    await me.say("/subscribe Japan, Peru")
    menu = await me.say("/settings")
    zones = await me.press_and_see(menu, "set:tz")
    assert {"set:tz:Asia/Tokyo", "set:tz:America/Lima", "set:tz:UTC"} <= set(zones.buttons)
    screen = await me.press_and_see(zones, "set:tz:Asia/Tokyo")
    assert "Asia/Tokyo (UTC+09:00)" in screen.text
    assert (await prefs_of(runtime, 904)).timezone == "Asia/Tokyo"

    zones = await me.press_and_see(screen, "set:tz")
    await me.press_and_see(zones, "set:tz:type")
    refused = await me.say("Mars/Olympus_<b>Mons</b>")
    assert "Mars/Olympus_&lt;b&gt;Mons" in refused.text
    assert (await prefs_of(runtime, 904)).timezone == "Asia/Tokyo"
    accepted = await me.say("america/new_york")  # asked again after a wrong answer
    assert "America/New_York" in accepted.text
    assert (await prefs_of(runtime, 904)).timezone == "America/New_York"


async def test_language_changes_the_menu_at_once(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(905)
    await me.say("/subscribe Germany")
    menu = await me.say("/settings")
    english_level = "Exercise normal precautions"
    assert english_level in menu.text
    languages = await me.press_and_see(menu, "set:lang")
    screen = await me.press_and_see(languages, "set:lang:fr")
    assert "Vigilance normale" in screen.text and english_level not in screen.text
    assert "Français" in screen.text
    chat = await chat_store.get_chat(runtime.services.db, 905)
    assert chat is not None and chat.language == "fr"


async def test_pause_and_resume_are_stored_and_answered(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(906)
    paused = await me.say("/pause")
    assert "/resume" in paused.text
    assert (await prefs_of(runtime, 906)).paused
    again = await me.say("/pause")
    assert again.text != paused.text and "/resume" in again.text
    resumed = await me.say("/resume")
    assert "/resume" not in resumed.text
    assert not (await prefs_of(runtime, 906)).paused

    menu = await me.say("/settings")
    screen = await me.press_and_see(menu, "set:p:1")
    assert "set:p:0" in screen.buttons and "⏸" in screen.text
    assert (await prefs_of(runtime, 906)).paused


async def test_french_reader_gets_the_menu_with_french_level_words(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(908, "fr")
    menu = await me.say("/settings")
    levels = await me.press_and_see(menu, "set:l")
    assert any("Formellement déconseillé" in label for label in levels.labels)
    screen = await me.press_and_see(levels, "set:l:4")
    assert "Formellement déconseillé" in screen.text and "Do not travel" not in screen.text
    assert (await prefs_of(runtime, 908)).min_severity == 4
    paused = await me.say("/pause")
    assert "/resume" in paused.text
    assert (await prefs_of(runtime, 908)).paused


async def test_forged_settings_buttons_are_refused(
    runtime: BotRuntime, traveller: Travellers, standin
) -> None:
    me = traveller(907)
    menu = await me.say("/settings")
    for data in ("set:l:9", "set:tz:../../etc/passwd", "set:q:01:00-02:00", "set:u:never"):
        query = standin.press_button(907, menu.message_id, data, forged=True)
        await standin.wait_until(
            lambda q=query: any(a.callback_query_id == q for a in standin.answered_callbacks)
        )
    toasts = [a.text for a in standin.answered_callbacks]
    assert toasts.count("This button has expired.") == 4
    prefs = await prefs_of(runtime, 907)
    assert (prefs.min_severity, prefs.timezone, prefs.quiet_start, prefs.update_mode) == (
        1,
        "UTC",
        None,
        "all",
    )


async def test_every_settings_screen_in_german(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(910, "de")
    await me.say("/subscribe Japan")
    menu = await me.say("/settings")
    assert "Ihre Einstellungen" in menu.text and "Your settings" not in menu.text

    topics = await me.press_and_see(menu, "set:c")
    assert topics.text.startswith("Zu welchen Themen möchten Sie Meldungen erhalten?")
    assert any("Erdbeben" in label for label in topics.labels)
    topics = await me.press_and_see(topics, "set:c:earthquake")
    assert any(label == "⬜ Erdbeben" for label in topics.labels)
    assert "earthquake" not in (await prefs_of(runtime, 910)).categories
    screen = await me.press_and_see(topics, "set:menu")
    assert "Themen: " in screen.text and "Erdbeben" not in screen.text

    screen = await me.press_and_see(screen, "set:u")
    assert screen.text == "Welche Aktualisierungen eines Reisehinweises soll ich senden?"
    assert "Nur Stufenänderungen" in screen.labels[0]
    screen = await me.press_and_see(screen, "set:u:levels")
    assert "Aktualisierungen: nur Stufenänderungen" in screen.text

    screen = await me.press_and_see(screen, "set:q")
    assert screen.text.startswith("Während der Ruhezeiten halte ich Meldungen")
    assert "Keine Ruhezeiten" in screen.labels[-2]
    screen = await me.press_and_see(screen, "set:q:22:00-07:00")
    assert "Ruhezeiten: 22:00–07:00" in screen.text

    screen = await me.press_and_see(screen, "set:tz")
    assert "richten sich nach Ihrer Zeitzone" in screen.text
    assert "set:tz:Asia/Tokyo" in screen.buttons and "Andere Zeitzone eingeben" in screen.labels
    screen = await me.press_and_see(screen, "set:tz:Asia/Tokyo")
    assert "Zeitzone: Asia/Tokyo (UTC+09:00)" in screen.text

    screen = await me.press_and_see(screen, "set:d")
    assert "Tägliche Zusammenfassung um 18:00" in screen.labels and "Sofort" in screen.labels[0]
    screen = await me.press_and_see(screen, "set:d:18:00")
    assert "Zustellung: eine tägliche Zusammenfassung um 18:00" in screen.text

    prefs = await prefs_of(runtime, 910)
    assert (prefs.update_mode, prefs.quiet_start, prefs.quiet_end) == ("levels", "22:00", "07:00")
    assert (prefs.timezone, prefs.delivery_mode, prefs.digest_time) == (
        "Asia/Tokyo",
        "daily",
        "18:00",
    )


async def test_typed_timezone_in_french(runtime: BotRuntime, traveller: Travellers) -> None:
    me = traveller(911, "fr")
    menu = await me.say("/settings")
    zones = await me.press_and_see(menu, "set:tz")
    assert "Saisir un autre fuseau horaire" in zones.labels
    asked = await me.press_and_see(zones, "set:tz:type")
    assert asked.text.startswith("Indiquez votre fuseau horaire, par exemple")
    refused = await me.say("Mars/Olympus")
    assert "Je ne connais pas le fuseau horaire « Mars/Olympus »" in refused.text
    accepted = await me.say("europe/paris")
    assert "Votre fuseau horaire est maintenant Europe/Paris (UTC+02:00)." in accepted.text
    assert (await prefs_of(runtime, 911)).timezone == "Europe/Paris"
    menu = await me.say("/settings")
    topics = await me.press_and_see(menu, "set:c")
    assert topics.text.startswith("Sur quels thèmes voulez-vous des alertes ?")
    screen = await me.press_and_see(await me.press_and_see(topics, "set:menu"), "set:d")
    assert "Récapitulatif quotidien à 08:00" in screen.labels
    screen = await me.press_and_see(screen, "set:d:08:00")
    assert "Envoi : un récapitulatif quotidien à 08:00" in screen.text
