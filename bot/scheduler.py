"""When things run. No business logic lives here: jobs call the poller.

APScheduler 3 job stores must never be shared between schedulers, so jobs are kept in
memory and rebuilt from the settings at every start.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.briefings import remove_ended_trips, send_due_briefings
from bot.config import Settings, SourceConfig
from bot.coordination import Coordinator
from bot.delivery.sender import Sender
from bot.polling import Poller
from bot.services import Services

log = logging.getLogger(__name__)

# Longer than the hourly interval: the process that sends briefings keeps doing so.
BRIEFINGS_LEASE = timedelta(minutes=90)


def schedule_polls(scheduler: AsyncIOScheduler, poller: Poller, settings: Settings) -> None:
    """One job per enabled source, first run now, then every interval (with jitter)."""
    for source in settings.sources:
        if not source.enabled:
            log.info("source %s is switched off", source.name)
            continue
        interval = source.interval_seconds or settings.poll_interval_seconds
        scheduler.add_job(
            _poll_job,
            IntervalTrigger(seconds=interval, jitter=min(30, interval // 10)),
            args=[poller, source],
            id=f"poll:{source.name}",
            name=f"poll {source.name}",
            next_run_time=datetime.now(UTC),
            max_instances=1,  # a slow poll is never overlapped by the next one
            coalesce=True,
            misfire_grace_time=interval,
        )


async def _poll_job(poller: Poller, source: SourceConfig) -> None:
    try:
        await poller.poll(source)
    except Exception:  # logged and retried next time; a failing poll never stops the bot
        log.exception("poll of %s crashed", source.name)


def schedule_briefings(
    scheduler: AsyncIOScheduler,
    services: Services,
    sender: Sender,
    coordinator: Coordinator | None = None,
) -> None:
    """Trip briefings every hour (each is sent once, whenever the job first finds it due),
    and a daily cleanup of trips long over. With a `coordinator` (several processes on one
    database) only the holder of the briefings lease sends them."""
    scheduler.add_job(
        _briefing_job,
        IntervalTrigger(hours=1, jitter=60),
        args=[services, sender, coordinator],
        id="briefings",
        name="trip briefings",
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        _cleanup_job,
        CronTrigger(hour=3, minute=17, timezone=UTC),
        args=[services],
        id="trip-cleanup",
        name="remove ended trips",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=24 * 3600,
    )


async def _briefing_job(
    services: Services, sender: Sender, coordinator: Coordinator | None
) -> None:
    try:
        if coordinator is None:
            await send_due_briefings(services, sender)
            return
        async with coordinator.leased("briefings", BRIEFINGS_LEASE) as held:
            if held:
                await send_due_briefings(services, sender)
    except Exception:  # logged and retried next hour
        log.exception("trip briefings crashed")


async def _cleanup_job(services: Services) -> None:
    try:
        await remove_ended_trips(services)
    except Exception:  # logged and retried tomorrow
        log.exception("trip cleanup crashed")
