"""Matching benchmark: how long one alert takes to find (and queue) its recipients.

1,000,000 subscriptions over 200 countries, popularity skewed like real travel (a few
countries followed by many). For the most followed country, and for an alert covering
three countries, it times the recipient query alone and `enqueue_matching` (query plus
the outbox rows).

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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alerts import Alert, Category, Severity  # noqa: E402
from bot.sources.serialise import alert_to_json  # noqa: E402
from bot.store import outbox  # noqa: E402
from bot.store.clock import to_db  # noqa: E402
from bot.store.database import Database  # noqa: E402

COUNTRIES = ["".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2)][:200]

RECIPIENTS = (
    "SELECT count(DISTINCT s.chat_id) FROM subscriptions AS s INDEXED BY subscriptions_by_country"
    " JOIN chats AS c ON c.chat_id = s.chat_id"
    " WHERE s.country IN (SELECT value FROM json_each(?)) AND c.active = 1 AND c.min_severity <= ?"
    " AND (c.categories = '' OR instr(',' || c.categories || ',', ',' || ? || ',') > 0)"
)


async def populate(db: Database, subscriptions: int, seed: int = 11) -> int:
    """Chats following 1 to 4 countries (2.5 on average), chosen with Zipf-like weights."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
    stamp = to_db(datetime.now(UTC))
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
    started = time.perf_counter()
    found = await db.fetch_value(RECIPIENTS, (json.dumps(list(countries)), 4, "advisory"))
    find_seconds = time.perf_counter() - started
    version = await announce(db, countries)
    started = time.perf_counter()
    queued = await outbox.enqueue_matching(db, version, now=datetime.now(UTC))
    enqueue_seconds = time.perf_counter() - started
    return {
        "countries": list(countries),
        "recipients": int(found),
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
