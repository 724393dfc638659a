"""Killed mid-broadcast, restarted: everyone gets the alert, and repeats stay within the
sends that were in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from bot.standin import StandIn
from bot.store import outbox
from bot.store.database import Database
from tests.builders import make_alert
from tests.clock import START
from tests.delivery.travellers import add_version

SCRIPT = Path(__file__).with_name("crash_drainer.py")
ROOT = Path(__file__).resolve().parents[2]
READERS = 1500
CONCURRENCY = 8


async def start_drainer(db_path: Path, standin: StandIn) -> asyncio.subprocess.Process:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        str(db_path),
        standin.base_url,
        standin.token,
        str(CONCURRENCY),
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
    )


async def test_a_killed_drain_resumes_without_losing_anyone_and_repeats_at_most_in_flight(
    tmp_path: Path, standin: StandIn
) -> None:
    db_path = tmp_path / "crash.sqlite3"
    db = await Database.open(db_path)
    version = await add_version(db, make_alert(id="FR", countries=("FR",)))
    await outbox.enqueue(db, version, range(1, READERS + 1), now=START)
    await db.close()
    for chat_id in range(1, READERS + 1):
        standin.known_chat(chat_id)
    standin.delay("sendMessage", 0.01)  # keep sends on the wire when the kill lands

    first = await start_drainer(db_path, standin)
    await standin.wait_until(lambda: len(standin.sent) >= READERS // 3, timeout=30)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    killed_at = len(standin.sent)
    assert killed_at < READERS

    second = await start_drainer(db_path, standin)
    output, _ = await asyncio.wait_for(second.communicate(), timeout=60)
    assert second.returncode == 0, output

    received = Counter(message.chat_id for message in standin.sent)
    assert set(received) == set(range(1, READERS + 1))
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= CONCURRENCY
    db = await Database.open(db_path)
    assert await outbox.pending_count(db) == 0
    await db.close()
