from bot.store import chats
from bot.store.database import Database, migration_files
from tests.builders import BASE_TIME


async def test_migrations_apply_once_and_are_recorded(db_url: str):
    db = await Database.open(db_url)
    names = [name for name, _ in migration_files()]
    applied = [row["name"] for row in await db.fetch_all("SELECT name FROM schema_migrations")]
    assert sorted(applied) == names
    assert await db.migrate() == []
    if db_url.startswith("sqlite"):
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
    await db.close()
    reopened = await Database.open(db_url)
    assert await reopened.migrate() == []
    await reopened.close()


async def test_register_keeps_chosen_language_and_reactivates(db: Database):
    chat, created = await chats.register_chat(db, 5, kind="private", language="fr", now=BASE_TIME)
    assert created and chat.language == "fr"
    await chats.set_language(db, 5, "de", now=BASE_TIME)
    await chats.deactivate(db, 5, "blocked", now=BASE_TIME)
    chat, created = await chats.register_chat(db, 5, kind="private", language="en", now=BASE_TIME)
    assert not created
    assert chat.language == "de"
    assert chat.active


async def test_subscribe_reports_only_new_countries(db: Database):
    await chats.register_chat(db, 6, kind="private", language="en", now=BASE_TIME)
    assert await chats.subscribe(db, 6, ["DE", "FR"], now=BASE_TIME) == ["DE", "FR"]
    assert await chats.subscribe(db, 6, ["FR", "JP"], now=BASE_TIME) == ["JP"]
    assert await chats.unsubscribe(db, 6, ["FR", "IT"]) == ["FR"]
    assert await chats.subscriptions_of(db, 6) == ["DE", "JP"]
