"""/about says where alerts come from; /mydata shows everything stored; /forget deletes it."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.app import BotRuntime
from bot.store import chats as chat_store
from bot.store import outbox, preferences
from bot.store.alerts import record_poll
from tests.builders import make_alert
from tests.chat.conftest import Traveller
from tests.clock import START

Travellers = Callable[..., Traveller]


async def deliver_one(runtime: BotRuntime, chat_id: int) -> None:
    """A new alert queued for the chat, as the poller and matcher would leave it."""
    db = runtime.services.db
    number = await db.fetch_value("SELECT count(*) FROM alert_versions")
    alert = make_alert(id=f"KE-{number}", body=f"Advisory number {number}.")
    recorded = await record_poll(db, "us-state", [alert], now=START)
    await outbox.enqueue(db, recorded[0].alert_version_id, [chat_id], now=START)


async def test_about_lists_sources_intervals_and_the_disclaimer(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    answer = await traveller(1100).say("/about")
    assert "US State Department: every 15 minutes" in answer.text
    assert "GDACS: every 5 minutes" in answer.text
    assert "official sources prevail" in answer.text
    french = await traveller(1101, "fr").say("/about")
    assert "GDACS" in french.text and "15" in french.text


async def test_mydata_shows_every_record_in_french(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1102, "fr")
    await me.say("/subscribe Kenya, Japon")
    await me.say("/trip Japon, Corée du Sud 2026-12-01 2026-12-15")
    await me.say("/place Kyoto")
    menu = await me.say("/settings")
    await me.press_and_see(await me.press_and_see(menu, "set:q"), "set:q:22:00-07:00")
    await deliver_one(runtime, 1102)
    answer, document = await me.say_and_wait("/mydata", 2)
    lines = answer.plain_text.splitlines()
    assert "Identifiant du chat : 1102" in lines
    assert "Premier contact : 7 oct. 2025" in lines
    assert "Pays : 🇯🇵 Japon, 🇰🇪 Kenya" in lines  # French names from Babel
    assert "Voyages" in lines
    assert "• 🇯🇵 Japon, 🇰🇷 Corée du Sud, 1 déc. 2026 – 15 déc. 2026" in lines
    assert "Lieux" in lines
    assert any(line.startswith("• 🇯🇵 Kyoto, Japon (35.") for line in lines)
    assert "Heures de silence : 22:00–07:00" in lines  # the settings, in words
    assert "Messages enregistrés comme envoyés ou en attente : 1" in lines
    assert lines[-1] == "/forget efface tout."
    assert document.method == "sendDocument" and document.text == "Tout, dans un fichier JSON."
    data = json.loads(me.standin.documents[-1].content)
    assert [row["country"] for row in data["trip_countries"]] == ["JP", "KR"]
    assert data["places"][0]["name"] == "Kyoto"


async def test_mydata_shows_every_record_in_english(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1107)
    await me.say("/trip Peru 2026-03-01 2026-03-20")
    answer, _ = await me.say_and_wait("/mydata", 2)
    lines = answer.plain_text.splitlines()
    assert "Countries: none" in lines and "Trips" in lines
    assert "• 🇵🇪 Peru, Mar 1, 2026 – Mar 20, 2026" in lines
    assert "Alerts from level: 🟢 1 · Exercise normal precautions" in lines
    assert "Places" not in lines  # nothing stored, nothing listed
    assert me.standin.documents[-1].filename == "mydata.json"


async def test_mydata_lists_rows_of_any_other_table_within_one_message(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    db = runtime.services.db
    await db.execute("CREATE TABLE future_notes (chat_id INTEGER, note TEXT)")
    me = traveller(1108)
    await me.say("/subscribe Kenya")
    await db.execute("INSERT INTO future_notes VALUES (1108, 'window seat <b>')")
    answer, _ = await me.say_and_wait("/mydata", 2)
    assert "future_notes" in answer.plain_text
    assert "• note: window seat &lt;b&gt;" in answer.text

    for number in range(200):
        await db.execute("INSERT INTO future_notes VALUES (1108, ?)", (f"note {number} " * 5,))
    answer, document = await me.say_and_wait("/mydata", 2)
    assert document.method == "sendDocument"
    assert len(answer.plain_text) < 4096
    assert "… and more: everything is in the file below." in answer.plain_text
    assert answer.plain_text.endswith("/forget deletes all of it.")
    assert len(json.loads(me.standin.documents[-1].content)["future_notes"]) == 201


async def test_long_mydata_comes_as_a_json_file_too(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1103)
    await me.say("/subscribe " + ", ".join(["FR", "DE", "JP", "KE", "PE", "CL", "AR", "BR"]))
    for _ in range(6):
        await deliver_one(runtime, 1103)
    db = runtime.services.db
    await chat_store.subscribe(
        db, 1103, ["US", "CA", "MX", "ES", "IT", "PT", "GR", "TR", "EG", "MA"], now=START
    )
    messages = await me.say_and_wait("/mydata", 2)
    assert messages[1].method == "sendDocument"
    document = me.standin.documents[-1]
    assert document.filename == "mydata.json"
    data = json.loads(document.content)
    assert data["chats"][0]["chat_id"] == 1103
    assert len(data["subscriptions"]) == 18
    assert {row["chat_id"] for row in data["deliveries"]} == {1103}


async def test_forget_asks_first_and_keeps_everything_on_no(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    me = traveller(1104)
    await me.say("/subscribe Kenya")
    question = await me.say("/forget")
    assert question.button_data() == ["forget:yes", "forget:no"]
    kept = await me.press_and_see(question, "forget:no")
    assert "Nothing was deleted" in kept.text
    assert await chat_store.subscriptions_of(runtime.services.db, 1104) == ["KE"]


async def test_forget_deletes_every_table_that_names_the_chat(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    db = runtime.services.db
    await db.execute("CREATE TABLE future_notes (chat_id INTEGER, note TEXT)")
    # A later table whose rows belong to the chat through another table, without cascade.
    await db.execute("CREATE TABLE future_bags (id INTEGER PRIMARY KEY, chat_id INTEGER)")
    await db.execute(
        "CREATE TABLE future_items (bag_id INTEGER NOT NULL REFERENCES future_bags(id), item TEXT)"
    )
    me = traveller(1105, "fr")
    other = traveller(1106)
    await me.say("/subscribe Kenya")
    await other.say("/subscribe Kenya")
    await deliver_one(runtime, 1105)
    await deliver_one(runtime, 1106)
    await db.execute("INSERT INTO future_notes VALUES (1105, 'x'), (1106, 'y')")
    await db.execute("INSERT INTO future_bags VALUES (1, 1105), (2, 1106)")
    await db.execute("INSERT INTO future_items VALUES (1, 'passport'), (2, 'map')")
    exported = await preferences.personal_data(db, 1105)
    assert exported["future_items"] == [{"bag_id": 1, "item": "passport"}]

    tables = await preferences.tables_with_chat_id(db)
    assert {"chats", "subscriptions", "deliveries", "future_notes"} <= set(tables)

    question = await me.say("/forget")
    done = await me.press_and_see(question, "forget:yes")
    assert "/start" in done.text
    for table in tables:
        left = await db.fetch_value(f"SELECT count(*) FROM {table} WHERE chat_id = 1105")
        assert left == 0, table
    assert await chat_store.subscriptions_of(db, 1106) == ["KE"]
    assert await db.fetch_value("SELECT count(*) FROM future_notes WHERE chat_id = 1106") == 1
    assert await chat_store.get_chat(db, 1105) is None
    assert [tuple(row) for row in await db.fetch_all("SELECT item FROM future_items")] == [("map",)]
