"""Polling one source: fetch, parse, detect changes, queue deliveries, keep its health.

A failing source is recorded and retried with exponential backoff and jitter; it never
stops the bot and never delays the other sources.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.changes import has_expired
from bot.config import SourceConfig
from bot.coordination import Coordinator
from bot.matching import fan_out
from bot.sources.base import FeedClient, SourceError, Validators
from bot.sources.registry import adapter_for
from bot.store import alerts as alert_store
from bot.store import sources as source_store
from bot.store.database import Database

log = logging.getLogger(__name__)

PollStatus = Literal["ok", "not-modified", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class PollReport:
    source: str
    status: PollStatus
    items: int = 0
    announcements: int = 0
    queued: int = 0
    expired: int = 0  # alerts whose `expires` passed since the last poll: recorded, not sent
    past_expiry: int = 0  # items of the feed already past their `expires` (none is sent)
    problems: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before retrying a failing source: base * 2^(failures-1), capped, with jitter."""

    base_seconds: float = 60.0
    max_seconds: float = 6 * 3600.0
    jitter: float = 0.5  # +-50%

    def delay(self, failures: int, rng: random.Random) -> timedelta:
        raw = min(self.max_seconds, self.base_seconds * 2 ** max(0, failures - 1))
        return timedelta(seconds=raw * rng.uniform(1 - self.jitter, 1 + self.jitter))


@dataclass(frozen=True, slots=True)
class SourceLeases:
    """Several processes on one database: a source is polled by the holder of its lease.

    The lease outlives the poll interval, so the holder keeps the source from one poll to
    the next; when the holder dies, another process takes over once the lease expires.
    """

    coordinator: Coordinator
    default_interval_seconds: float
    margin_seconds: float = 120.0

    def ttl(self, config: SourceConfig) -> timedelta:
        interval = config.interval_seconds or self.default_interval_seconds
        return timedelta(seconds=1.5 * interval + self.margin_seconds)


class Poller:
    """Polls configured sources through their adapters and queues what is news."""

    def __init__(
        self,
        db: Database,
        client: FeedClient,
        *,
        clock: Callable[[], datetime],
        on_queued: Callable[[], None] | None = None,
        backoff: Backoff = Backoff(),
        rng: random.Random | None = None,
        leases: SourceLeases | None = None,
    ) -> None:
        self._db = db
        self.leases = leases
        self._client = client
        self._clock = clock
        self._on_queued = on_queued
        self._backoff = backoff
        self._rng = rng or random.Random()

    async def poll(self, config: SourceConfig, *, force: bool = False) -> PollReport:
        """Poll one source now, unless it is paused or backing off (`force` ignores both),
        or another process holds its lease (several processes on one database)."""
        if self.leases is None:
            return await self._poll(config, force=force)
        name, ttl = f"poll:{config.name}", self.leases.ttl(config)
        async with self.leases.coordinator.leased(name, ttl) as held:
            if not held:
                log.info("source %s: polled by another process", config.name)
                return PollReport(config.name, "skipped", error="polled by another process")
            return await self._poll(config, force=force)

    async def _poll(self, config: SourceConfig, *, force: bool) -> PollReport:
        health = await source_store.get_health(self._db, config.name)
        now = self._clock()
        if not force and health.paused:
            return PollReport(config.name, "skipped", error="paused")
        if not force and health.next_attempt_at and health.next_attempt_at > now:
            return PollReport(config.name, "skipped", error="backing off")
        adapter = adapter_for(config.kind)
        validators = Validators(health.etag, health.last_modified)
        try:
            outcome = await adapter.poll(
                self._client, config.url, source=config.name, validators=validators
            )
        except SourceError as error:
            return await self._failed(config, f"{type(error).__name__}: {error}")
        except Exception as error:  # a bug in an adapter must not stop the other sources
            log.exception("source %s: unexpected error", config.name)
            return await self._failed(config, f"unexpected {type(error).__name__}: {error}")

        if outcome.feed is None:
            await source_store.record_success(
                self._db,
                config.name,
                now=now,
                etag=outcome.validators.etag,
                last_modified=outcome.validators.last_modified,
                items_seen=None,
            )
            return PollReport(config.name, "not-modified")

        feed = outcome.feed
        for problem in feed.problems:
            log.warning("source %s: item problem: %s", config.name, problem)
        changes = await alert_store.record_poll_changes(self._db, config.name, feed.alerts, now=now)
        recorded = changes.announced
        queued = 0
        for item in recorded:
            queued += await fan_out(self._db, item.alert_version_id, now=now)
        await source_store.record_success(
            self._db,
            config.name,
            now=now,
            etag=outcome.validators.etag,
            last_modified=outcome.validators.last_modified,
            items_seen=len(feed.alerts),
            item_problems=feed.problems,
        )
        if queued and self._on_queued:
            self._on_queued()
        past_expiry = sum(has_expired(alert, now) for alert in feed.alerts)
        log.info(
            "source %s: %d items, %d announcements, %d messages queued, %d expired,"
            " %d past their expiry",
            config.name,
            len(feed.alerts),
            len(recorded),
            queued,
            len(changes.expired),
            past_expiry,
        )
        return PollReport(
            config.name,
            "ok",
            items=len(feed.alerts),
            announcements=len(recorded),
            queued=queued,
            expired=len(changes.expired),
            past_expiry=past_expiry,
            problems=feed.problems,
        )

    async def _failed(self, config: SourceConfig, error: str) -> PollReport:
        now = self._clock()
        health = await source_store.get_health(self._db, config.name)
        retry_at = now + self._backoff.delay(health.consecutive_failures + 1, self._rng)
        failures = await source_store.record_failure(
            self._db, config.name, error, now=now, retry_at=retry_at
        )
        log.warning(
            "source %s failed (%d in a row), next try at %s: %s",
            config.name,
            failures,
            retry_at.isoformat(timespec="seconds"),
            error,
        )
        return PollReport(config.name, "failed", error=error)
