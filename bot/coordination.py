"""Several bot processes on one database, coordinated through it.

- Singleton work (polling a source, the briefing job) runs under a lease: one process at a
  time holds it and renews it while it works; when that process dies the lease expires and
  another process takes the work over.
- Every process beats a heartbeat; the live ones split Telegram's rate limit for the bot
  token equally, and the beat renews the process's claims on outbox rows (a dead process's
  claims expire with its heartbeat, and its rows go to the others).

APScheduler's job stores are never shared: each process schedules its own jobs, and the
leases decide which process's job does the work.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime, timedelta

from bot.store import coordination as store
from bot.store.database import Database

log = logging.getLogger(__name__)


def new_holder_id() -> str:
    """host:pid:random, unique for each start of each process."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Coordinator:
    """This process's identity and its leases, heartbeat and share of the sending rate."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        holder: str | None = None,
        beat_seconds: float = 5.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.holder = holder or new_holder_id()
        self.beat_seconds = beat_seconds
        self.processes = 1

    @property
    def heartbeat_ttl(self) -> timedelta:
        """A process silent for three beats is dead; its claims and rate share go."""
        return timedelta(seconds=3 * self.beat_seconds)

    async def beat(self) -> int:
        """One heartbeat; returns how many processes are alive."""
        self.processes = await store.heartbeat(
            self.db, self.holder, now=self.clock(), ttl=self.heartbeat_ttl
        )
        return self.processes

    async def join(self) -> int:
        """The first heartbeat. If other processes are alive, wait until each has beaten
        since, so that they count this one before it takes its share of the rate."""
        if await self.beat() > 1:
            await asyncio.sleep(1.5 * self.beat_seconds)
            return await self.beat()
        return self.processes

    async def run(self, stop: asyncio.Event, on_count: Callable[[int], None]) -> None:
        """Beat every `beat_seconds` until `stop`, telling `on_count` the live processes."""
        while not stop.is_set():
            try:
                on_count(await self.beat())
            except Exception:  # a missed beat costs a little rate; the next one may work
                log.exception("heartbeat failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.beat_seconds)

    async def acquire(self, name: str, ttl: timedelta) -> bool:
        return await store.acquire_lease(self.db, name, self.holder, now=self.clock(), ttl=ttl)

    @asynccontextmanager
    async def leased(self, name: str, ttl: timedelta) -> AsyncIterator[bool]:
        """Yields True with the lease held (renewed every third of `ttl` until the body
        ends; kept afterwards, so this process stays the one doing the work), or False when
        another live process holds it."""
        if not await self.acquire(name, ttl):
            yield False
            return
        renewal = asyncio.create_task(self._renew(name, ttl))
        try:
            yield True
        finally:
            renewal.cancel()
            with suppress(asyncio.CancelledError):
                await renewal

    async def _renew(self, name: str, ttl: timedelta) -> None:
        while True:
            await asyncio.sleep(ttl.total_seconds() / 3)
            try:
                if not await self.acquire(name, ttl):
                    log.error("lease %s was taken over while this process held it", name)
                    return
            except Exception:
                log.exception("renewing lease %s failed", name)

    async def leave(self) -> None:
        """A clean stop: leases, claims and the heartbeat go now, not at their expiry."""
        await store.leave(self.db, self.holder)
