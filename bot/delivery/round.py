"""One round of draining: the due rows, one lane per chat, handed out at Telegram's pace.

A chat is in the ready heap only while it has a message waiting and none in flight, so
its messages go out one at a time and in the order they were queued (an update never
overtakes the message it replies to).
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.alerts import Change, Severity
from bot.changes import has_expired
from bot.delivery.quiet import hold_until
from bot.store import outbox
from bot.store.outbox import OutboxRow
from bot.store.trips import trips_under_way
from bot.trips import effective_timezone

if TYPE_CHECKING:
    from bot.delivery.dispatcher import Dispatcher


@dataclass(slots=True)
class DrainReport:
    """What one round did, counted in deliveries (a digest counts each alert in it). The
    round adds to it as it goes and hands it over when it ends."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    deactivated: int = 0
    migrated: int = 0
    held: int = 0
    slowed: int = 0
    expired: int = 0  # not sent: the alert's own end time passed while it waited


@dataclass(frozen=True, slots=True)
class Job:
    """One message to one chat: a single delivery, or a digest of held ones."""

    chat_id: int
    chat_kind: str
    rows: tuple[OutboxRow, ...]
    digest: bool = False


@dataclass(frozen=True, slots=True)
class Carry:
    """The chat's other messages in this round can go on."""


@dataclass(frozen=True, slots=True)
class Stop:
    """Nothing more to this chat in this round: it is gone, or paused until `until`."""

    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Moved:
    new_chat_id: int


Next = Carry | Stop | Moved

_MAX_QUEUED_PAGES = 20  # rows held in memory at most, in pages
EXPIRED_ERROR = "alert expired before it could be sent"
# Warnings of one event at one level, due at once for one chat, that go as one message.
# A CAP publisher issues one message per area: MeteoAlarm lists a thunderstorm warning
# for each of 84 Polish counties, the NWS a flood warning per river reach. Each is its own
# alert (its own updates and cancellation), but a reader wants one message, not 84.
BURST_SIZE = 3


class Round:
    def __init__(
        self, dispatcher: Dispatcher, max_messages: int | None, halt: asyncio.Event | None
    ) -> None:
        self.d = dispatcher
        self.max_messages = max_messages
        self.halt = halt
        self.tally = DrainReport()
        self.lanes: dict[int, deque[Job]] = {}
        self.heap: list[tuple[float, int]] = []
        self.in_heap: set[int] = set()
        self.busy: set[int] = set()
        self.queued = 0
        self.started = 0
        self.after_id = 0
        self.exhausted = False
        # Rows picked up out of id order (a digest's, a migrated chat's): skip them later.
        self.claimed: set[int] = set()
        # Chats whose due rows were already looked at for warnings that go together.
        self.grouped: set[int] = set()
        # Every row given a job in this round: still pending while it waits or is on its
        # way, and never to be put in a list as well.
        self.taken: set[int] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.errors: list[BaseException] = []

    async def run(self) -> DrainReport:
        try:
            await self._loop()
        finally:
            if self.tasks:
                await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.errors:
            raise self.errors[0]
        return self.tally

    async def _loop(self) -> None:
        pacer = self.d.pacer
        concurrency = max(1, self.d.limits.concurrency)
        while not self.errors and not (self.halt is not None and self.halt.is_set()):
            if self.max_messages is not None and self.started >= self.max_messages:
                return
            if not self.exhausted and self._wants_rows():
                await self._refill()
                continue
            if not self.heap:
                if not self.tasks:
                    if self.exhausted:
                        return
                    continue
                await asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED)
                continue
            if len(self.tasks) >= concurrency:
                await asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED)
                continue
            listed, chat_id = self.heap[0]
            chat_ready = pacer.chat_ready_at(chat_id)
            if chat_ready > listed:  # paused since it was listed
                heapq.heapreplace(self.heap, (chat_ready, chat_id))
                continue
            delay = max(chat_ready, pacer.overall_ready_at()) - pacer.now()
            if delay > 0:
                await self._idle(delay)
                continue
            heapq.heappop(self.heap)
            self.in_heap.discard(chat_id)
            job = self.lanes[chat_id].popleft()
            self.queued -= 1
            pacer.take(chat_id, job.chat_kind)
            self.busy.add(chat_id)
            self.started += 1
            task = asyncio.create_task(self._perform(job))
            self.tasks.add(task)
            task.add_done_callback(self._finished)

    def _wants_rows(self) -> bool:
        """Read on while fewer than a page of chats wait their turn: counting rows instead,
        one chat with many messages (sent one a second) would hold back every other chat.
        The rows held in memory stay bounded all the same."""
        return len(self.heap) < self.d.page_size and self.queued < _MAX_QUEUED_PAGES * (
            self.d.page_size
        )

    async def _idle(self, delay: float) -> None:
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.sleep(delay)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.errors.append(task.exception())  # type: ignore[arg-type]

    async def _perform(self, job: Job) -> None:
        chat_id = job.chat_id
        try:
            outcome = await self.d.deliver(job, self.tally)
        finally:
            self.busy.discard(chat_id)
        if isinstance(outcome, Stop):
            await self._drop_lane(chat_id, outcome.until, job)
        elif isinstance(outcome, Moved):
            await self._drop_lane(chat_id, None, job)
            moved = await outbox.chat_due_rows(self.d.db, outcome.new_chat_id, now=self.d.clock())
            await self._admit(moved, out_of_order=True)
        self._list(chat_id)

    async def _drop_lane(self, chat_id: int, until: datetime | None, current: Job) -> None:
        """Take the chat's remaining messages out of this round; a pause writes the time
        they may go into their rows (the current one's too), so a restart honours it."""
        lane = self.lanes.pop(chat_id, deque())
        self.queued -= len(lane)
        self.claimed.difference_update(row.id for job in lane for row in job.rows)
        self.claimed.difference_update(row.id for row in current.rows)
        if until is None:
            return
        ids = [row.id for job in (current, *lane) for row in job.rows]
        await outbox.reschedule(self.d.db, ids, at=until, error=None, count_attempt=False)

    def _list(self, chat_id: int) -> None:
        """Put a chat with waiting messages and none in flight in the ready heap."""
        if chat_id in self.busy or chat_id in self.in_heap or not self.lanes.get(chat_id):
            if chat_id in self.lanes and not self.lanes[chat_id] and chat_id not in self.busy:
                del self.lanes[chat_id]
            return
        heapq.heappush(self.heap, (self.d.pacer.chat_ready_at(chat_id), chat_id))
        self.in_heap.add(chat_id)

    async def _refill(self) -> None:
        now = self.d.clock()
        rows = await outbox.claim_due_rows(
            self.d.db,
            self.d.holder,
            now=now,
            alive_since=now - timedelta(seconds=self.d.claim_seconds),
            after_id=self.after_id,
            limit=self.d.page_size,
        )
        if len(rows) < self.d.page_size:
            self.exhausted = True
        if rows:
            self.after_id = rows[-1].id
        await self._admit(rows, out_of_order=False)

    async def _admit(self, rows: list[OutboxRow], *, out_of_order: bool) -> None:
        """Queue rows as jobs; hold back the ones a reader wants later, drop the ones whose
        chat is gone, whose alert cannot be read or whose alert is over."""
        rows = [row for row in rows if row.id not in self.claimed]
        await self.d.load_alerts({row.alert_version_id for row in rows})
        now = self.d.clock()
        rows = await self._in_destination_time(rows, now)
        crowded = await self._crowded(rows, now)
        held: list[tuple[int, datetime]] = []
        stopped: list[int] = []
        unreadable: list[int] = []
        expired: list[int] = []
        for row in rows:
            if row.id in self.claimed:  # already in a digest built from an earlier row
                continue
            if not row.chat_active:
                stopped.append(row.id)
                continue
            if self.d.alert(row.alert_version_id) is None:
                unreadable.append(row.id)
                continue
            if self._is_over(row, now):
                expired.append(row.id)
                self.claimed.add(row.id)  # so that no digest built below takes it
                continue
            if row.digest and self.d.digests:
                job = await self._digest_job(row, now)
                if job is not None:
                    self._queue(job)
                continue
            if not row.digest:
                until = hold_until(
                    now,
                    severity=row.severity,
                    timezone=row.timezone,
                    quiet_start=row.quiet_start,
                    quiet_end=row.quiet_end,
                    delivery_mode=row.delivery_mode,
                    digest_time=row.digest_time,
                )
                if until is not None:
                    held.append((row.id, until))
                    continue
                # (Only from a row that could be held: the top level goes even in quiet
                # hours, and must not take the chat's held warnings along with it.)
                crowding = row.chat_id in crowded and row.severity < Severity.EXTREME
                if crowding and row.chat_id not in self.grouped:
                    self.grouped.add(row.chat_id)
                    for job in await self._together_jobs(row, now):
                        self._queue(job)
                    if row.id in self.claimed:  # it went into one of them
                        continue
            self._queue(Job(row.chat_id, row.chat_kind, (row,)))
        if out_of_order:
            self.claimed.update(row.id for row in rows)
        if held:
            await outbox.hold(self.d.db, held)
            self.tally.held += len(held)
        if stopped:
            await outbox.mark_failed(self.d.db, stopped, "chat inactive")
        if unreadable:
            await outbox.mark_dead(self.d.db, unreadable, "alert payload unreadable")
            self.tally.dead += len(unreadable)
        await self._drop_expired(expired)

    def _is_over(self, row: OutboxRow, now: datetime) -> bool:
        """Whether the row's alert reached its own end time (CAP `expires`) while the row
        waited (quiet hours, a retry, a long queue): a warning "until 14:00" read at 16:00
        misleads. A cancellation still goes, so whoever heard of the danger hears it is
        over."""
        alert = self.d.alert(row.alert_version_id)
        return alert is not None and row.change != Change.CANCELLED and has_expired(alert, now)

    async def _drop_expired(self, ids: list[int]) -> None:
        if ids:
            await outbox.mark_failed(self.d.db, ids, EXPIRED_ERROR)
            self.tally.expired += len(ids)

    async def _in_destination_time(self, rows: list[OutboxRow], now: datetime) -> list[OutboxRow]:
        """During a trip, quiet hours and dates follow the destination's clock."""
        if not rows:
            return rows
        under_way = await trips_under_way(self.d.db, {row.chat_id for row in rows}, now=now)
        if not under_way:
            return rows
        return [
            replace(row, timezone=effective_timezone(row.timezone, under_way[row.chat_id], now))
            if row.chat_id in under_way
            else row
            for row in rows
        ]

    async def _digest_job(self, row: OutboxRow, now: datetime) -> Job | None:
        """All of the chat's held rows that are due, as one digest message."""
        rows = [
            held
            for held in await outbox.chat_due_rows(
                self.d.db, row.chat_id, now=now, digest_only=True
            )
            if held.id not in self.claimed
        ]
        await self.d.load_alerts({held.alert_version_id for held in rows})
        rows = [held for held in rows if self.d.alert(held.alert_version_id) is not None]
        return await self._list_job(row, rows, now)

    async def _list_job(
        self, row: OutboxRow, members: list[OutboxRow], now: datetime
    ) -> Job | None:
        """One message listing `members` of `row`'s chat, all taken for this round; those
        whose alert is over are dropped instead, None if that leaves none."""
        over = [due.id for due in members if self._is_over(due, now)]
        self.claimed.update(due.id for due in members)
        await self._drop_expired(over)
        current = tuple(due for due in members if due.id not in over)
        return Job(row.chat_id, row.chat_kind, current, digest=True) if current else None

    async def _crowded(self, rows: list[OutboxRow], now: datetime) -> set[int]:
        """The chats of `rows` with enough rows due for some to go together."""
        if not self.d.digests:
            return set()
        candidates = {row.chat_id for row in rows if row.chat_id not in self.grouped}
        return await outbox.crowded_chats(self.d.db, candidates, now=now, at_least=BURST_SIZE)

    async def _together_jobs(self, row: OutboxRow, now: datetime) -> list[Job]:
        """The chat's due warnings that go together (`BURST_SIZE` or more of one event at
        one level, what happened to each the same), one digest job per group; its other
        rows go one by one. The top level is never folded into a list."""
        groups: dict[tuple[str, ...], list[OutboxRow]] = {}
        chat_rows = await outbox.chat_due_rows(self.d.db, row.chat_id, now=now)
        await self.d.load_alerts({due.alert_version_id for due in chat_rows})
        for due in chat_rows:
            if due.id in self.claimed or due.id in self.taken or due.severity >= Severity.EXTREME:
                continue  # in a job of this round already, or at the top level
            alert = self.d.alert(due.alert_version_id)
            event = alert.facts.get("event", "") if alert is not None else ""
            if alert is not None and event:
                key = (due.source, str(due.severity), due.change, str(alert.category), event)
                groups.setdefault(key, []).append(due)
        jobs = []
        for members in groups.values():
            if len(members) >= BURST_SIZE and (job := await self._list_job(row, members, now)):
                jobs.append(job)
        return jobs

    def _queue(self, job: Job) -> None:
        self.taken.update(row.id for row in job.rows)
        self.lanes.setdefault(job.chat_id, deque()).append(job)
        self.queued += 1
        self._list(job.chat_id)
