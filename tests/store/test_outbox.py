"""The outbox: rows queued once per (chat, alert version), claimed a page at a time, and what
admins can do with dead ones. Who gets a row is matching's business (tests/test_matching.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.store import chats, outbox
from bot.store.clock import to_db
from bot.store.database import Database
from bot.store.dialect import to_postgres
from bot.store.postgres import PostgresDatabase
from tests.builders import make_alert
from tests.clock import START
from tests.databases import BACKENDS
from tests.delivery.travellers import add_chat, add_version


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
        await outbox.enqueue(db, version, [1], now=START)

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
    await outbox.enqueue(db, version, [-100], now=START)

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
    await outbox.enqueue(db, version, [-100, -1001], now=START)

    assert await outbox.migrate_chat(db, -100, -1001, now=START) == 0

    old = await chats.get_chat(db, -100)
    assert old is not None and not old.active
    assert await chats.subscriptions_of(db, -1001) == ["FR", "JP"]
    pending = await db.fetch_all("SELECT chat_id FROM deliveries WHERE state = 'pending'")
    assert [row["chat_id"] for row in pending] == [-1001]


async def test_pages_of_claims_follow_the_id_order_and_skip_rows_not_due(db: Database) -> None:
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, range(1, 1201), now=START)
    later = [ident for ident in range(1, 1201) if ident % 7 == 0]
    await outbox.reschedule(
        db, later, at=START + timedelta(minutes=5), error=None, count_attempt=False
    )

    pages, after = [], 0
    while page := await outbox.claim_due_rows(
        db, "a", now=START, alive_since=START, after_id=after, limit=500
    ):
        pages.append([row.id for row in page])
        after = page[-1].id
    claimed = [ident for page in pages for ident in page]

    assert [len(page) for page in pages] == [500, 500, 29]
    assert claimed == sorted(set(range(1, 1201)) - set(later))


CLAIM_PARAMETERS = {"holder": "a", "after": 0, "now": to_db(START), "alive": "", "limit": 500}


async def postgres_plan(db: PostgresDatabase, sql: str, params: dict[str, object]) -> list[str]:
    """PostgreSQL's plan of a store statement. It plans by its statistics and the tables'
    sizes, small here: with sequential scans off it shows which indexes it would walk."""
    statement = to_postgres(sql)
    assert statement.names is not None
    async with db.connection.transaction():
        await db.connection.execute("SET LOCAL enable_seqscan = off")
        rows = await db.connection.fetch(
            "EXPLAIN " + statement.sql, *(params[name] for name in statement.names)
        )
    return [row[0] for row in rows]


async def test_a_claim_reads_one_page_not_the_whole_outbox(db: Database) -> None:
    """The claim walks the pending rows from where the last page ended and stops at the
    page size: no sort, no second pass over every pending row, and "does another process
    serve this chat?" is one index lookup per row."""
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, range(1, 2001), now=START)
    sql = outbox.claim_statement(db.dialect)
    if isinstance(db, PostgresDatabase):
        plan = await postgres_plan(db, sql, CLAIM_PARAMETERS)
        assert any("using deliveries_pending on deliveries d" in line for line in plan), plan
        assert any("using deliveries_claimed_chats on deliveries o" in line for line in plan)
        assert any("(chat_id = d.chat_id)" in line for line in plan), plan
        assert not any("Sort" in line for line in plan), plan
        return
    query = "EXPLAIN QUERY PLAN " + sql
    plan = [row["detail"] for row in await db.fetch_all(query, CLAIM_PARAMETERS)]
    assert any("deliveries_pending (id>?)" in line for line in plan), plan
    assert any("deliveries_claimed_chats (chat_id=?" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line or line.startswith("SCAN") for line in plan), plan


# Only PostgreSQL plans from statistics that can go stale; CI always has PostgreSQL.
@pytest.mark.parametrize("backend", [name for name in BACKENDS if name == "postgresql"])
async def test_after_a_fan_out_into_a_long_history_a_claim_still_reads_one_page(
    db: Database,
) -> None:
    """PostgreSQL's statistics, as autovacuum leaves them after a history of sent rows,
    say nothing is pending; a fan-out refreshes them, or each row of a page would be
    checked against every pending row."""
    old = await add_version(db, make_alert(id="old"))
    await outbox.enqueue(db, old, range(1, 20_001), now=START)
    await db.execute("UPDATE deliveries SET state = 'sent'")
    await db.execute("ANALYZE deliveries")
    new = await add_version(db, make_alert(id="new"))
    await outbox.enqueue(db, new, range(1, 2001), now=START)

    plan = await postgres_plan(db, outbox.claim_statement(db.dialect), CLAIM_PARAMETERS)

    assert any("using deliveries_claimed_chats on deliveries o" in line for line in plan), plan
    assert not any("using deliveries_pending on deliveries o" in line for line in plan), plan
