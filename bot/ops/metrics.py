"""Prometheus metrics, in a registry of the bot's own (never the process-wide default).

Two processes, or two bots in one test, each count their own. The poller and the
dispatcher report through the subclasses below, so neither knows about Prometheus.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.config import SourceConfig
from bot.delivery.dispatcher import Dispatcher, DrainReport
from bot.polling import Poller, PollReport
from bot.store import admin as admin_store
from bot.store import outbox
from bot.store.clock import to_db
from bot.store.database import Database

log = logging.getLogger(__name__)

PREFIX = "travel_risk_bot"
# From a quick delivery (seconds) to one held by quiet hours or a digest (a day).
DELAY_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600, 86400)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The bot's counters, gauges and histograms, all in `self.registry`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.polls = Counter(
            f"{PREFIX}_polls",
            "Source polls, by source and outcome.",
            ["source", "status"],
            registry=r,
        )
        self.alerts = Counter(
            f"{PREFIX}_alerts",
            "Announcements made (new or changed alerts), by source.",
            ["source"],
            registry=r,
        )
        self.deliveries = Counter(
            f"{PREFIX}_deliveries",
            "Delivery outcomes: sent, retried, dead, held, deactivated, migrated, slowed, expired.",
            ["outcome"],
            registry=r,
        )
        self.errors = Counter(
            f"{PREFIX}_errors", "Errors an admin should look at, by kind.", ["kind"], registry=r
        )
        self.queue_depth = Gauge(
            f"{PREFIX}_outbox_pending", "Deliveries waiting in the outbox.", registry=r
        )
        self.delay = Histogram(
            f"{PREFIX}_delivery_delay_seconds",
            "From an alert's first sighting to its delivery.",
            buckets=DELAY_BUCKETS,
            registry=r,
        )
        self.updates = Counter(
            f"{PREFIX}_updates", "Telegram updates received through the webhook.", registry=r
        )

    def record_poll(self, report: PollReport) -> None:
        self.polls.labels(report.source, report.status).inc()
        if report.announcements:
            self.alerts.labels(report.source).inc(report.announcements)
        if report.status == "failed":
            self.errors.labels("poll").inc()

    def record_drain(self, report: DrainReport) -> None:
        outcomes = (
            "sent",
            "retried",
            "dead",
            "held",
            "deactivated",
            "migrated",
            "slowed",
            "expired",
        )
        for outcome in outcomes:
            count = getattr(report, outcome)
            if count:
                self.deliveries.labels(outcome).inc(count)
        if report.dead:
            self.errors.labels("delivery").inc(report.dead)

    async def exposition(self, db: Database) -> bytes:
        """The text format for /metrics, with the queue depth read now."""
        self.queue_depth.set(await outbox.pending_count(db))
        return generate_latest(self.registry)


class MeteredPoller(Poller):
    """A poller that counts what each poll did."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    async def poll(self, config: SourceConfig, *, force: bool = False) -> PollReport:
        report = await super().poll(config, force=force)
        self.metrics.record_poll(report)
        return report


class MeteredDispatcher(Dispatcher):
    """A dispatcher that counts each round's outcomes and observes delivery delays.

    Delays are read back from the outbox after a round (sent_at minus the alert version's
    seen_at), from a watermark, so every send is observed once.
    """

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        self._watermark: tuple[str, int] = (to_db(self.clock()), 0)

    async def drain(self, *, max_messages: int | None = None) -> DrainReport:
        try:
            report = await super().drain(max_messages=max_messages)
        except Exception:
            self.metrics.errors.labels("delivery_round").inc()
            raise
        self.metrics.record_drain(report)
        if report.sent:
            await self._observe_delays()
        return report

    async def _observe_delays(self) -> None:
        try:
            delays = await admin_store.delays_since(self.db, after=self._watermark)
        except Exception:  # metrics never stop deliveries
            log.exception("could not read delivery delays for the metrics")
            return
        for delay in delays:
            self.metrics.delay.observe(delay.seconds)
        if delays:
            self._watermark = (delays[-1].sent_at, delays[-1].delivery_id)
