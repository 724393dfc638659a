"""Is the bot doing its job? /readyz says no when a source has been failing for too long
or the outbox is stuck, so a monitor (or an orchestrator) can tell an admin."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import SourceConfig
from bot.store import admin as admin_store
from bot.store import sources as source_store
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class Thresholds:
    source_failing: timedelta = timedelta(minutes=120)
    outbox_stuck: timedelta = timedelta(minutes=60)


@dataclass(frozen=True, slots=True)
class Problem:
    check: str  # "source" or "outbox"
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class Readiness:
    problems: tuple[Problem, ...]

    @property
    def ready(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "ready": self.ready,
            "problems": [
                {"check": p.check, "subject": p.subject, "detail": p.detail} for p in self.problems
            ],
        }


class ReadinessCheck:
    """Checks sources and the outbox against thresholds, at the time the clock says."""

    def __init__(
        self,
        db: Database,
        sources: Sequence[SourceConfig],
        *,
        clock: Callable[[], datetime],
        started_at: datetime,
        thresholds: Thresholds = Thresholds(),
    ) -> None:
        self._db = db
        self._sources = [source for source in sources if source.enabled]
        self._clock = clock
        self._started_at = started_at
        self._thresholds = thresholds

    async def check(self) -> Readiness:
        now = self._clock()
        problems: list[Problem] = []
        for source in self._sources:
            health = await source_store.get_health(self._db, source.name)
            if health.paused or health.consecutive_failures == 0:
                continue
            # A source that never worked has been failing since the bot started.
            since = health.last_success or self._started_at
            if now - since > self._thresholds.source_failing:
                problems.append(
                    Problem(
                        "source",
                        source.name,
                        f"failing since {since.isoformat(timespec='seconds')}"
                        f" ({health.consecutive_failures} in a row): {health.last_error or ''}",
                    )
                )
        oldest = await admin_store.oldest_due_pending(self._db, now=now)
        if oldest is not None and now - oldest > self._thresholds.outbox_stuck:
            problems.append(
                Problem(
                    "outbox",
                    "deliveries",
                    f"a delivery due since {oldest.isoformat(timespec='seconds')} is not sent",
                )
            )
        return Readiness(tuple(problems))
