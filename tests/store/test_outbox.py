"""The outbox: who gets a row for an alert version, and what admins can do with dead ones."""

from __future__ import annotations

from datetime import timedelta

from bot.alerts import Category, Change, Severity
from bot.store import chats, outbox
from bot.store.database import Database
from bot.store.dialect import Dialect
from tests.builders import make_alert
from tests.delivery.travellers import START, add_chat, add_version


async def recipients(db: Database, version: int) -> list[int]:
    rows = await db.fetch_all(
        "SELECT chat_id FROM deliveries WHERE alert_version_id = ? ORDER BY chat_id", (version,)
    )
    return [row["chat_id"] for row in rows]


async def test_enqueue_adds_each_chat_once_and_ignores_pairs_already_queued(
    db: Database,
) -> None:
    version = await add_version(db, make_alert())

    assert await outbox.enqueue(db, version, [1, 2, 3, 2], now=START) == 3
    assert await outbox.enqueue(db, version, [3, 4], now=START) == 1
    assert await recipients(db, version) == [1, 2, 3, 4]
    assert await outbox.pending_count(db) == 4


async def test_enqueue_takes_a_hundred_thousand_chats_in_one_statement(db: Database) -> None:
    version = await add_version(db, make_alert())

    assert await outbox.enqueue(db, version, range(100_000), now=START) == 100_000
    assert await outbox.pending_count(db) == 100_000


async def test_matching_sends_one_row_per_chat_following_any_of_the_countries(
    db: Database,
) -> None:
    await add_chat(db, 1, ["FR", "DE"])
    await add_chat(db, 2, ["DE"])
    await add_chat(db, 3, ["JP"])
    version = await add_version(db, make_alert(id="EU", countries=("FR", "DE")))

    assert await outbox.enqueue_matching(db, version, now=START) == 2
    assert await recipients(db, version) == [1, 2]
    assert await outbox.enqueue_matching(db, version, now=START) == 0


async def test_matching_honours_level_category_and_inactive_chats(db: Database) -> None:
    await add_chat(db, 1, ["FR"], min_severity=3)
    await add_chat(db, 2, ["FR"], min_severity=2)
    await add_chat(db, 3, ["FR"], categories="earthquake,health")
    await add_chat(db, 4, ["FR"], categories="advisory")
    await add_chat(db, 5, ["FR"])
    await chats.deactivate(db, 5, "blocked", now=START)
    alert = make_alert(id="FR", countries=("FR",), severity=Severity.CAUTION)
    version = await add_version(db, alert)

    await outbox.enqueue_matching(db, version, now=START)

    assert await recipients(db, version) == [2, 4]


async def test_a_lowering_reaches_readers_of_the_level_it_came_down_from(db: Database) -> None:
    await add_chat(db, 1, ["FR"], min_severity=4)
    await add_chat(db, 2, ["FR"], min_severity=2)
    lowered = make_alert(id="FR", countries=("FR",), severity=Severity.NORMAL)
    version = await add_version(db, lowered, Change.LOWERED, Severity.EXTREME)

    await outbox.enqueue_matching(db, version, now=START)

    assert await recipients(db, version) == [1, 2]


async def test_matching_walks_the_country_index(db: Database) -> None:
    version = await add_version(db, make_alert(category=Category.HEALTH))
    query = (
        "SELECT DISTINCT s.chat_id"
        " FROM subscriptions AS s INDEXED BY subscriptions_by_country"
        " JOIN chats AS c ON c.chat_id = s.chat_id"
        " WHERE s.country IN (SELECT value FROM json_each('[\"FR\"]')) AND c.active = 1"
    )
    if db.dialect is Dialect.SQLITE:
        plan = [row["detail"] for row in await db.fetch_all("EXPLAIN QUERY PLAN " + query)]
    else:
        # PostgreSQL plans by the table's size (tiny here): with sequential scans off, a
        # lookup by country must go through the country index.
        async with db.transaction() as conn:
            await conn.execute("SET LOCAL enable_seqscan = off")
            explain = "EXPLAIN SELECT chat_id FROM subscriptions WHERE country = 'FR'"
            plan = [row[0] for row in await (await conn.execute(explain)).fetchall()]
    assert any("subscriptions_by_country" in line for line in plan)
    assert await outbox.enqueue_matching(db, version, now=START) == 0


async def dead_row(db: Database, chat_id: int) -> int:
    version = await add_version(db, make_alert(id=f"A{chat_id}"))
    await outbox.enqueue(db, version, [chat_id], now=START)
    ident = int(await db.fetch_value("SELECT max(id) FROM deliveries"))
    await outbox.mark_dead(db, [ident], "Internal Server Error")
    return ident


async def test_dead_letters_can_be_listed_retried_and_dropped(db: Database) -> None:
    first = await dead_row(db, 1)
    second = await dead_row(db, 2)

    letters = await outbox.dead_letters(db)
    assert [(d.id, d.chat_id, d.last_error) for d in letters] == [
        (first, 1, "Internal Server Error"),
        (second, 2, "Internal Server Error"),
    ]
    assert await outbox.retry_dead(db, first) == 1
    assert await outbox.pending_count(db) == 1
    due = await outbox.due_rows(db, now=START, after_id=0, limit=10)
    assert [(row.id, row.attempts) for row in due] == [(first, 0)]
    assert await outbox.drop_dead(db) == 1
    assert await outbox.dead_letters(db) == []


async def test_deactivating_a_chat_stops_its_pending_rows(db: Database) -> None:
    await add_chat(db, 1, ["FR"])
    for alert_id in ("A", "B"):
        version = await add_version(db, make_alert(id=alert_id, countries=("FR",)))
        await outbox.enqueue_matching(db, version, now=START)

    assert await outbox.deactivate_chat(db, 1, "bot was blocked by the user", now=START) == 2

    chat = await chats.get_chat(db, 1)
    assert chat is not None and not chat.active
    assert await outbox.pending_count(db) == 0
    states = await db.fetch_all("SELECT state, last_error FROM deliveries")
    assert {(r["state"], r["last_error"]) for r in states} == {
        ("failed", "bot was blocked by the user")
    }


async def test_migrating_a_group_moves_settings_subscriptions_and_pending_rows(
    db: Database,
) -> None:
    await add_chat(db, -100, ["FR", "JP"], kind="group", language="fr", min_severity=2)
    version = await add_version(db, make_alert(id="FR", countries=("FR",)))
    await outbox.enqueue_matching(db, version, now=START)

    assert await outbox.migrate_chat(db, -100, -1001, now=START + timedelta(seconds=1)) == 1

    moved = await chats.get_chat(db, -1001)
    assert moved is not None
    assert (moved.kind, moved.language, moved.min_severity) == ("supergroup", "fr", 2)
    assert await chats.get_chat(db, -100) is None
    assert await chats.subscriptions_of(db, -1001) == ["FR", "JP"]
    assert await recipients(db, version) == [-1001]


async def test_migrating_into_a_known_supergroup_merges_and_retires_the_old_chat(
    db: Database,
) -> None:
    await add_chat(db, -100, ["FR"], kind="group")
    await add_chat(db, -1001, ["JP"], kind="supergroup")
    version = await add_version(db, make_alert(id="FR", countries=("FR", "JP")))
    await outbox.enqueue_matching(db, version, now=START)

    assert await outbox.migrate_chat(db, -100, -1001, now=START) == 0

    old = await chats.get_chat(db, -100)
    assert old is not None and not old.active
    assert await chats.subscriptions_of(db, -1001) == ["FR", "JP"]
    pending = await db.fetch_all("SELECT chat_id FROM deliveries WHERE state = 'pending'")
    assert [row["chat_id"] for row in pending] == [-1001]
