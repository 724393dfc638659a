"""Matching benchmark: how long one alert takes to find (and queue) its recipients.

1,000,000 subscriptions over 200 countries, popularity skewed like real travel (a few
countries followed by many). For the most followed country, an alert covering three
countries and the least followed country, it times what the bot runs for an announcement:
the recipient query alone (`places.count_covering`, the statement `enqueue_covering` runs
without the insert) and `matching.fan_out` (the query plus the outbox rows, as the bot
queues an alert).

    python benchmarks/match.py                # 1,000,000 subscriptions
    python benchmarks/match.py --scale 0.05   # quick check

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import string
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alerts import Alert, Category, Severity  # noqa: E402
from bot.matching import fan_out, reach_of  # noqa: E402
from bot.sources.serialise import alert_to_json  # noqa: E402
from bot.store import alerts as alert_store  # noqa: E402
from bot.store import places  # noqa: E402
from bot.store.clock import to_db  # noqa: E402
from bot.store.database import Database  # noqa: E402

COUNTRIES = ["".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2)][:200]


async def populate(db: Database, subscriptions: int, seed: int = 11) -> int:
    """Chats following 1 to 4 countries (2.5 on average), chosen with Zipf-like weights;
    one chat in 50 is also on a trip under way to one or two countries."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
    now = datetime.now(UTC)
    stamp = to_db(now)
    chats: list[tuple[int, int, str, str, str]] = []
    rows: list[tuple[int, str, str]] = []
    chat = 0
    while len(rows) < subscriptions:
        chat += 1
        followed = set(rng.choices(COUNTRIES, weights, k=rng.randint(1, 4)))
        categories = "" if rng.random() < 0.8 else "advisory,health"
        chats.append((chat, rng.choice([1, 1, 1, 2, 3]), categories, stamp, stamp))
        rows += [(chat, country, stamp) for country in followed]
    await db.executemany(
        "INSERT INTO chats (chat_id, min_severity, categories, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        chats,
    )
    await db.executemany(
        "INSERT INTO subscriptions (chat_id, country, created_at) VALUES (?, ?, ?)",
        rows[:subscriptions],
    )
    starts, ends = now - timedelta(days=1), now + timedelta(days=7)
    span = (starts.date().isoformat(), ends.date().isoformat(), to_db(starts), to_db(ends))
    trips = list(enumerate(range(1, chat + 1, 50), start=1))
    await db.executemany(
        "INSERT INTO trips (id, chat_id, starts_on, ends_on, starts_at, ends_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(trip, traveller, *span, stamp) for trip, traveller in trips],
    )
    await db.executemany(
        "INSERT INTO trip_countries (trip_id, country, position) VALUES (?, ?, ?)",
        [
            (trip, country, position)
            for trip, _ in trips
            for position, country in enumerate(set(rng.choices(COUNTRIES, weights, k=2)))
        ],
    )
    return chat


async def announce(db: Database, countries: tuple[str, ...]) -> int:
    now = datetime.now(UTC)
    alert = Alert(
        source="bench",
        id="-".join(countries),
        countries=countries,
        severity=Severity.EXTREME,
        source_level="Level 4: Do Not Travel",
        category=Category.ADVISORY,
        title="Do Not Travel",
        summary="Armed conflict.",
        url="https://example.org/",
        published=now,
        updated=now,
    )
    version = await db.fetch_value(
        "INSERT INTO alert_versions (source, alert_id, version, change, severity, payload,"
        " seen_at) VALUES ('bench', ?, ?, 'new', 4, ?, ?) RETURNING id",
        (alert.id, alert.version, json.dumps(alert_to_json(alert)), to_db(now)),
    )
    return int(version)


async def measure(db: Database, countries: tuple[str, ...]) -> dict[str, Any]:
    version = await announce(db, countries)
    announcement = await alert_store.load_announcement(db, version)
    assert announcement is not None
    now = datetime.now(UTC)
    started = time.perf_counter()
    found = await places.count_covering(db, reach_of(announcement), now=now)
    find_seconds = time.perf_counter() - started
    started = time.perf_counter()
    queued = await fan_out(db, version, now=now)
    enqueue_seconds = time.perf_counter() - started
    return {
        "countries": list(countries),
        "recipients": found,
        "find_ms": round(find_seconds * 1000, 1),
        "enqueue_ms": round(enqueue_seconds * 1000, 1),
        "queued": queued,
    }


async def main(scale: float) -> dict[str, Any]:
    subscriptions = max(1000, int(1_000_000 * scale))
    with tempfile.TemporaryDirectory() as workdir:
        db = await Database.open(Path(workdir) / "match.sqlite3")
        started = time.perf_counter()
        chats = await populate(db, subscriptions)
        setup = time.perf_counter() - started
        await db.execute("ANALYZE")
        top = await measure(db, (COUNTRIES[0],))
        print(f"most followed country: {json.dumps(top)}", flush=True)
        several = await measure(db, (COUNTRIES[1], COUNTRIES[2], COUNTRIES[50]))
        print(f"three countries:       {json.dumps(several)}", flush=True)
        rare = await measure(db, (COUNTRIES[-1],))
        print(f"least followed:        {json.dumps(rare)}", flush=True)
        await db.close()
    return {
        "scale": scale,
        "subscriptions": subscriptions,
        "chats": chats,
        "setup_seconds": round(setup, 1),
        "most_followed": top,
        "three_countries": several,
        "least_followed": rare,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of full size")
    print(json.dumps(asyncio.run(main(parser.parse_args().scale))))
