"""Several processes on one database: outbox claims, leases and heartbeats, on every backend."""

from __future__ import annotations

from datetime import timedelta

from bot.store import coordination, outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import START
from tests.delivery.travellers import add_chat, add_version

LATER = START + timedelta(seconds=30)


async def claim(db: Database, holder: str, *, limit: int = 100, now=START) -> list[int]:
    """Claim as a live process (one with a heartbeat) would."""
    await coordination.heartbeat(db, holder, now=now, ttl=timedelta(minutes=5))
    rows = await outbox.claim_due_rows(
        db, holder, now=now, alive_since=now - timedelta(seconds=15), after_id=0, limit=limit
    )
    return [row.id for row in rows]


async def test_two_processes_claim_disjoint_rows_and_every_row_once(db: Database) -> None:
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, range(1, 101), now=START)

    first = await claim(db, "a", limit=60)
    second = await claim(db, "b", limit=60)

    assert len(first) == 60
    assert len(second) == 40
    assert not set(first) & set(second)


async def test_a_chat_claimed_by_one_process_is_left_to_it(db: Database) -> None:
    await add_chat(db, 7, ["FR"])
    first_alert = await add_version(db, make_alert(id="one"))
    await outbox.enqueue(db, first_alert, [7], now=START)
    assert len(await claim(db, "a")) == 1

    second_alert = await add_version(db, make_alert(id="two"))
    await outbox.enqueue(db, second_alert, [7, 8], now=START)

    taken_by_b = await claim(db, "b")
    rows_of_b = await db.fetch_all("SELECT chat_id FROM deliveries WHERE claimed_by = 'b'", ())
    assert len(taken_by_b) == 1
    assert [row["chat_id"] for row in rows_of_b] == [8]
    assert len(await claim(db, "a")) == 2  # its own chat's newer row joins it


async def test_a_dead_processes_claims_lapse_and_another_takes_the_rows(db: Database) -> None:
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, [1, 2, 3], now=START)
    assert len(await claim(db, "dead")) == 3
    assert await claim(db, "alive") == []

    assert len(await claim(db, "alive", now=LATER)) == 3


async def test_claims_of_a_process_without_heartbeat_are_free(db: Database) -> None:
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, [1, 2, 3], now=START)
    assert len(await claim(db, "crashed")) == 3
    await db.execute("DELETE FROM processes WHERE holder = 'crashed'")

    assert len(await claim(db, "restarted")) == 3


async def test_sent_rows_are_never_claimed_again(db: Database) -> None:
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, [1, 2], now=START)
    ids = await claim(db, "a")
    await outbox.mark_sent(db, [outbox.SentRecord(ids[0], 99, START)])
    await outbox.release_claims(db, "a")

    assert await claim(db, "b") == ids[1:]


async def test_a_lease_has_one_holder_until_it_expires_or_is_released(db: Database) -> None:
    ttl = timedelta(seconds=10)
    assert await coordination.acquire_lease(db, "poll:x", "a", now=START, ttl=ttl)
    assert not await coordination.acquire_lease(db, "poll:x", "b", now=START, ttl=ttl)
    assert await coordination.acquire_lease(db, "poll:x", "a", now=START, ttl=ttl)  # renewed
    assert await coordination.lease_holder(db, "poll:x", now=START) == "a"

    assert await coordination.acquire_lease(db, "poll:x", "b", now=LATER, ttl=ttl)
    assert not await coordination.acquire_lease(db, "poll:x", "a", now=LATER, ttl=ttl)
    assert await coordination.release_lease(db, "poll:x", "b")
    assert await coordination.acquire_lease(db, "poll:x", "a", now=LATER, ttl=ttl)


async def test_heartbeats_count_live_processes_and_forget_silent_ones(db: Database) -> None:
    ttl = timedelta(seconds=15)
    assert await coordination.heartbeat(db, "a", now=START, ttl=ttl) == 1
    assert await coordination.heartbeat(db, "b", now=START, ttl=ttl) == 2
    assert await coordination.heartbeat(db, "c", now=START + timedelta(seconds=5), ttl=ttl) == 3

    assert await coordination.heartbeat(db, "c", now=LATER - timedelta(seconds=10), ttl=ttl) == 1
    await coordination.leave(db, "c")
    assert await coordination.heartbeat(db, "a", now=LATER, ttl=ttl) == 1


async def test_a_heartbeat_keeps_its_processes_claims_alive(db: Database) -> None:
    version = await add_version(db, make_alert())
    await outbox.enqueue(db, version, [1, 2], now=START)
    assert len(await claim(db, "a")) == 2
    await coordination.heartbeat(db, "a", now=LATER, ttl=timedelta(seconds=15))

    assert await claim(db, "b", now=LATER) == []
