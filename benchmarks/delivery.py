"""Delivery benchmark: one alert per country to subscribers spread over 200 countries.

Two phases, each drained by a separate process (so its memory and CPU are its own) against
the Bot API stand-in running in a third process:

1. paced: the stand-in enforces 30 messages/s (1/s per chat) and answers 429 beyond
   that; the default limits are used. Figures: achieved / allowed rate over the steady
   window, messages lost, duplicates, 429s received.
2. ceiling: the stand-in's limits are off and ours are lifted. Figures: messages a second
   (wall clock) and messages per CPU-second of the draining process (all its threads, so
   SQLite's too), peak memory of the draining process.

The steady window is the middle 90% of the messages in the order the stand-in accepted
them: from the arrival of the message at 5% to that of the message at 95%. That leaves out
start-up (connections, the first page of the outbox) and the tail, where the last chats
wait out their own one-a-second limit. The slowest 10-second stretch inside the window is
reported too, to show the rate is steady.

On a machine with two cores or more the draining process is pinned to one core and the
stand-in to another, so the bot's "one core" is its own (`--no-pin` to leave them be).

    python benchmarks/delivery.py                 # 100,000 subscribers, a 3-minute window
    python benchmarks/delivery.py --scale 0.05    # quick check

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import resource
import string
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.alerts import Alert, Category, Severity  # noqa: E402
from bot.delivery.dispatcher import DeliveryLimits, Dispatcher, RenderRequest  # noqa: E402
from bot.sources.serialise import alert_to_json  # noqa: E402
from bot.store import outbox  # noqa: E402
from bot.store.clock import to_db  # noqa: E402
from bot.store.database import Database  # noqa: E402

COUNTRIES = ["".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2)][:200]
ALLOWED_RATE = 30.0
UNLIMITED = DeliveryLimits(
    global_per_second=1_000_000, private_chat_per_second=1_000_000, group_per_minute=1_000_000
)


def render(alert: Alert, request: RenderRequest) -> str:
    return f'<b>{alert.title}</b>\n\n{alert.summary}\n\n<a href="{alert.url}">Read more</a>'


# setup


async def build_outbox(path: Path, subscribers: int, seed: int = 7) -> int:
    """Chats, subscriptions (one country each, a tenth follow a second), one alert per
    country, queued through `matching.fan_out` as the bot does. Returns messages queued."""
    # Here, not at the top: the draining process runs this file too, and matching's
    # imports (the place names among them) would count in its memory.
    from bot.matching import fan_out

    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = to_db(now)
    db = await Database.open(path)
    await db.executemany(
        "INSERT INTO chats (chat_id, kind, language, created_at, updated_at)"
        " VALUES (?, 'private', ?, ?, ?)",
        (
            (chat, rng.choice(["en", "fr", "de"]), stamp, stamp)
            for chat in range(1, subscribers + 1)
        ),
    )
    subscriptions = []
    for chat in range(1, subscribers + 1):
        followed = {rng.choice(COUNTRIES)}
        if rng.random() < 0.1:
            followed.add(rng.choice(COUNTRIES))
        subscriptions += [(chat, country, stamp) for country in followed]
    await db.executemany(
        "INSERT INTO subscriptions (chat_id, country, created_at) VALUES (?, ?, ?)", subscriptions
    )
    queued = 0
    for country in COUNTRIES:
        alert = Alert(
            source="bench",
            id=country,
            countries=(country,),
            severity=Severity.EXTREME,
            source_level="Level 4: Do Not Travel",
            category=Category.ADVISORY,
            title=f"{country} - Level 4: Do Not Travel",
            summary="Do not travel due to armed conflict.",
            url=f"https://example.org/{country}",
            published=now,
            updated=now,
        )
        version = await db.fetch_value(
            "INSERT INTO alert_versions (source, alert_id, version, change, severity, payload,"
            " seen_at) VALUES (?, ?, ?, 'new', 4, ?, ?) RETURNING id",
            ("bench", country, alert.version, json.dumps(alert_to_json(alert)), stamp),
        )
        queued += await fan_out(db, int(version), now=now)
    await db.close()
    return queued


async def expected_per_chat(path: Path) -> Counter[int]:
    db = await Database.open(path)
    rows = await db.fetch_all("SELECT chat_id, count(*) FROM deliveries GROUP BY chat_id")
    await db.close()
    return Counter({int(row[0]): int(row[1]) for row in rows})


# the stand-in process


async def serve(chats: int, limited: bool) -> None:
    from bot.standin import RateLimits, StandIn

    limits = RateLimits(global_per_second=int(ALLOWED_RATE)) if limited else None
    async with StandIn(rate_limits=limits) as standin:
        for chat in range(1, chats + 1):
            standin.known_chat(chat)
        print(json.dumps({"base_url": standin.base_url, "token": standin.token}), flush=True)
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := (await reader.readline()).decode().strip():
            if line == "stats":
                counts = Counter(message.chat_id for message in standin.sent)
                print(
                    json.dumps(
                        {
                            "counts": counts,
                            "times": sorted(message.at for message in standin.sent),
                            "too_many_requests": len(standin.too_many_requests),
                        }
                    ),
                    flush=True,
                )
            elif line == "quit":
                return


# the draining process


async def drain(
    path: Path, base_url: str, token: str, unlimited: bool, transport: str, concurrency: int
) -> None:
    from telegram import Bot

    from bot.delivery.sender import AiohttpRequest, TelegramSender

    limits = replace(UNLIMITED if unlimited else DeliveryLimits(), concurrency=concurrency)
    db = await Database.open(path)
    request = AiohttpRequest(connections=limits.concurrency) if transport == "aiohttp" else None
    # httpx is python-telegram-bot's default transport; aiohttp is ours for broadcasts
    async with Bot(token, base_url=base_url, request=request) as bot:
        dispatcher = Dispatcher(
            db, TelegramSender(bot), render, limits=limits, clock=lambda: datetime.now(UTC)
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        report = await dispatcher.drain()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    pending = await outbox.pending_count(db)
    await db.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "sent": report.sent,
        "slowed": report.slowed,
        "retried": report.retried,
        "dead": report.dead,
        "pending": pending,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_mb": peak_kb / 1024,
    }
    print(json.dumps(result), flush=True)


# orchestration


async def child(*args: str, core: int | None = None) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
        limit=1 << 27,  # the stats line lists every chat and every arrival
    )
    if core is not None:
        os.sched_setaffinity(process.pid, {core})
    return process


def cores() -> tuple[int | None, int | None]:
    """(the drainer's core, the stand-in's core), or no pinning on a single core."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    return available[0], available[1]


def steady_window(times: list[float]) -> dict[str, Any]:
    """The rate over the middle 90% of arrivals, and the slowest 10 s inside it."""
    if len(times) < 20:
        return {"window_seconds": 0.0, "messages_per_second": None, "slowest_10s": None}
    first, last = int(len(times) * 0.05), int(len(times) * 0.95)
    start, end = times[first], times[last]
    duration = end - start
    slowest: float | None = None
    edge, index = start, first
    while edge + 10.0 <= end:
        count = 0
        while index <= last and times[index] < edge + 10.0:
            count += 1
            index += 1
        slowest = count / 10.0 if slowest is None else min(slowest, count / 10.0)
        edge += 10.0
    return {
        "window_seconds": round(duration, 1),
        "messages_per_second": round((last - first) / duration, 2) if duration else None,
        "slowest_10s": slowest,
    }


async def read_json(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    line = await process.stdout.readline()
    if not line:
        raise RuntimeError("a benchmark process ended without answering")
    result: dict[str, Any] = json.loads(line)
    return result


async def phase(
    workdir: Path,
    name: str,
    subscribers: int,
    *,
    limited: bool,
    transport: str,
    pin: bool,
    concurrency: int = DeliveryLimits().concurrency,
) -> dict[str, Any]:
    path = workdir / f"{name}.sqlite3"
    bot_core, server_core = cores() if pin else (None, None)
    started = time.perf_counter()
    queued = await build_outbox(path, subscribers)
    enqueue_seconds = time.perf_counter() - started
    expected = await expected_per_chat(path)
    server = await child(
        "--serve", str(subscribers), "--limited" if limited else "--free", core=server_core
    )
    address = await read_json(server)
    drainer = await child(
        "--drain",
        str(path),
        address["base_url"],
        address["token"],
        "--limited" if limited else "--free",
        transport,
        str(concurrency),
        core=bot_core,
    )
    drained = await read_json(drainer)
    await drainer.wait()
    assert server.stdin is not None
    server.stdin.write(b"stats\n")
    await server.stdin.drain()
    stats = await read_json(server)
    server.stdin.write(b"quit\n")
    await server.stdin.drain()
    await server.wait()
    received = Counter({int(chat): count for chat, count in stats["counts"].items()})
    lost = sum(max(0, n - received[chat]) for chat, n in expected.items())
    duplicates = sum(max(0, n - expected[chat]) for chat, n in received.items())
    sent = sum(received.values())
    return {
        "subscribers": subscribers,
        "messages": queued,
        "setup_seconds": round(enqueue_seconds, 2),
        **steady_window(stats["times"]),
        "lost": lost,
        "duplicates": duplicates,
        "too_many_requests": stats["too_many_requests"],
        "drain_seconds": round(drained["seconds"], 2),
        "drain_cpu_seconds": round(drained["cpu_seconds"], 2),
        "messages_per_cpu_second": round(sent / drained["cpu_seconds"], 1)
        if drained["cpu_seconds"]
        else None,
        "peak_mb": round(drained["peak_mb"], 1),
        "left_pending": drained["pending"],
        "transport": transport,
        "pinned": bot_core is not None,
    }


async def main(
    scale: float,
    window_seconds: float,
    transports: list[str],
    phases: set[str],
    pin: bool,
    concurrency: int,
) -> dict[str, Any]:
    figures: dict[str, Any] = {"scale": scale}
    with tempfile.TemporaryDirectory() as workdir:
        if "paced" in phases:
            # ~10% of readers get two messages, and the window is the middle 90%: size the
            # paced run so that the window lasts `window_seconds`.
            paced_readers = max(50, int(ALLOWED_RATE * window_seconds * scale / 0.9 / 1.1))
            paced = await phase(
                Path(workdir), "paced", paced_readers, limited=True, transport="aiohttp", pin=pin
            )
            rate = paced["messages_per_second"] or 0.0
            paced["allowed_rate"] = ALLOWED_RATE
            paced["achieved_over_allowed"] = round(rate / ALLOWED_RATE, 3)
            print(f"paced:   {json.dumps(paced)}", flush=True)
            figures["paced"] = paced
        readers = max(100, int(100_000 * scale))
        for transport in transports if "ceiling" in phases else []:
            ceiling = await phase(
                Path(workdir),
                f"ceiling-{transport}",
                readers,
                limited=False,
                transport=transport,
                pin=pin,
                concurrency=concurrency,
            )
            print(f"ceiling ({transport}): {json.dumps(ceiling)}", flush=True)
            figures[f"ceiling_{transport}"] = ceiling
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        asyncio.run(serve(int(sys.argv[2]), sys.argv[3] == "--limited"))
    elif len(sys.argv) > 1 and sys.argv[1] == "--drain":
        asyncio.run(
            drain(
                Path(sys.argv[2]),
                sys.argv[3],
                sys.argv[4],
                sys.argv[5] == "--free",
                sys.argv[6],
                int(sys.argv[7]),
            )
        )
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of full size")
        parser.add_argument(
            "--window", type=float, default=180.0, help="seconds of paced sending at full scale"
        )
        parser.add_argument(
            "--transport",
            action="append",
            choices=["aiohttp", "httpx"],
            help="HTTP transport(s) for the ceiling run (default: both)",
        )
        parser.add_argument(
            "--only", choices=["paced", "ceiling"], help="run one phase (default: both)"
        )
        parser.add_argument(
            "--no-pin", action="store_true", help="leave both processes free to use any core"
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=DeliveryLimits().concurrency,
            help="messages in flight in the ceiling run (SEND_CONCURRENCY; paid broadcasts"
            " want more than the default)",
        )
        options = parser.parse_args()
        transports = options.transport or ["aiohttp", "httpx"]
        phases = {options.only} if options.only else {"paced", "ceiling"}
        figures = main(
            options.scale,
            options.window,
            transports,
            phases,
            not options.no_pin,
            options.concurrency,
        )
        print(json.dumps(asyncio.run(figures)))
