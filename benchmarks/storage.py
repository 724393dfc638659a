"""Storage benchmark: SQLite next to PostgreSQL on the two hot paths.

- matching: the recipients of one alert (the most followed country) among N
  subscriptions, found and queued by `matching.fan_out`, as the bot queues an alert;
- outbox: claims and marks per second, as a dispatcher drains (pages of 500 claimed by
  `outbox.claim_due_rows`, each row marked sent by `outbox.mark_sent` in groups of 16).

    python benchmarks/storage.py                          # 200,000 subscriptions, 20,000 rows
    python benchmarks/storage.py --scale 0.1              # quick check
    python benchmarks/storage.py --postgres-url postgresql://user@host/db

PostgreSQL is measured in a schema of its own in that database, dropped afterwards; without
a URL (or TEST_POSTGRES_URL) only SQLite is measured. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.match import COUNTRIES, announce, populate  # noqa: E402
from bot.coordination import new_holder_id  # noqa: E402
from bot.matching import fan_out  # noqa: E402
from bot.store import coordination, outbox  # noqa: E402
from bot.store.database import Database  # noqa: E402

PAGE = 500
GROUP = 16  # sends recorded per commit, as the dispatcher's ledger does at concurrency 16


async def matching(db: Database, subscriptions: int) -> dict[str, Any]:
    await populate(db, subscriptions)
    await db.execute("ANALYZE")  # both databases plan by statistics; a live one has them
    version = await announce(db, (COUNTRIES[0],))
    started = time.perf_counter()
    queued = await fan_out(db, version, now=datetime.now(UTC))
    seconds = time.perf_counter() - started
    return {"subscriptions": subscriptions, "recipients": queued, "ms": round(seconds * 1e3, 1)}


async def draining(db: Database, rows: int) -> dict[str, Any]:
    version = await announce(db, ("ZZ",))
    now = datetime.now(UTC)
    await outbox.enqueue(db, version, range(10_000_000, 10_000_000 + rows), now=now)
    holder = new_holder_id()
    await coordination.heartbeat(db, holder, now=now, ttl=timedelta(minutes=5))
    done, after = 0, 0
    started = time.perf_counter()
    while True:
        claimed = await outbox.claim_due_rows(
            db,
            holder,
            now=now,
            alive_since=now - timedelta(minutes=5),
            after_id=after,
            limit=PAGE,
        )
        if not claimed:
            break
        after = claimed[-1].id
        for start in range(0, len(claimed), GROUP):
            group = claimed[start : start + GROUP]
            await outbox.mark_sent(db, [outbox.SentRecord(r.id, r.id, now) for r in group])
        done += len(claimed)
    seconds = time.perf_counter() - started
    return {"rows": done, "per_second": round(done / seconds)}


async def measure(location: str, subscriptions: int, rows: int) -> dict[str, Any]:
    db = await Database.open(location)
    try:
        return {
            "matching": await matching(db, subscriptions),
            "outbox": await draining(db, rows),
        }
    finally:
        await db.close()


async def on_postgres(url: str, subscriptions: int, rows: int) -> dict[str, Any]:
    schema = "bench_" + secrets.token_hex(4)
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        separator = "&" if "?" in url else "?"
        return await measure(f"{url}{separator}search_path={schema}", subscriptions, rows)
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await admin.close()


async def main(scale: float, postgres_url: str | None) -> dict[str, Any]:
    subscriptions, rows = max(1000, int(200_000 * scale)), max(500, int(20_000 * scale))
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        results["sqlite"] = await measure(str(Path(scratch) / "bench.sqlite3"), subscriptions, rows)
    if postgres_url:
        results["postgresql"] = await on_postgres(postgres_url, subscriptions, rows)
    print(f"{'':<12}{'matching (recipients, ms)':>30}{'outbox (claims+marks/s)':>28}")
    for name, figures in results.items():
        match = figures["matching"]
        cell = f"{match['recipients']:,} of {match['subscriptions']:,} in {match['ms']} ms"
        print(f"{name:<12}{cell:>30}{figures['outbox']['per_second']:>28,}")
    if not postgres_url:
        print("postgresql: not measured (give --postgres-url or set TEST_POSTGRES_URL)")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of full size")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL") or None,
        help="a PostgreSQL database to measure in (a schema of its own, dropped afterwards)",
    )
    arguments = parser.parse_args()
    print(json.dumps(asyncio.run(main(arguments.scale, arguments.postgres_url))))
