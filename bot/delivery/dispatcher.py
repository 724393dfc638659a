"""Draining the outbox into Telegram: paced, threaded, and safe to kill at any moment.

A round walks the due rows in id order, one lane per chat so that a chat's messages go
out one at a time and in order, and hands each ready chat to one of `concurrency` sends.
Every send is recorded before its slot is reused, so a crash repeats at most the sends
that were in flight.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.alerts import Alert, Change, Severity
from bot.coordination import new_holder_id
from bot.delivery.ledger import Ledger
from bot.delivery.pacing import DeliveryLimits, Pacer
from bot.delivery.plain import as_safe_html
from bot.delivery.round import Carry, DrainReport, Job, Moved, Next, Round, Stop
from bot.delivery.sender import (
    ChatGone,
    ChatMoved,
    Failed,
    Sender,
    SendResult,
    Sent,
    SlowDown,
    Unparsable,
)
from bot.delivery.split import split_message
from bot.sources.serialise import alert_from_json
from bot.store import outbox
from bot.store.database import Database
from bot.store.outbox import OutboxRow

__all__ = ["DeliveryLimits", "Dispatcher", "DrainReport", "RenderRequest"]

log = logging.getLogger(__name__)

_CACHE_LIMIT = 50_000  # rendered texts kept between rounds


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """Everything a message's text depends on besides the alert: readers sharing one share
    the text, so an alert is rendered once per language, not once per reader."""

    language: str
    timezone: str
    change: Change
    previous_severity: Severity | None
    what_changed: tuple[str, ...] = ()


class Dispatcher:
    """Sends what the outbox holds, as fast as Telegram allows and no faster.

    Rounds in one process never overlap. Several processes drain one outbox: each round
    claims its rows for `holder` (see `outbox.claim_due_rows`), and releases what it did
    not send when it ends. A claim holds while its holder's heartbeat is younger than
    `claim_seconds`; a process without a heartbeat (one alone needs none) holds nothing
    back from the others.
    """

    def __init__(
        self,
        db: Database,
        sender: Sender,
        render: Callable[[Alert, RenderRequest], str],
        *,
        limits: DeliveryLimits,
        clock: Callable[[], datetime],
        render_digest: Callable[[list[tuple[Alert, Change]], RenderRequest], str] | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        page_size: int = 500,
        holder: str | None = None,
        claim_seconds: float = 60.0,
    ) -> None:
        self.db = db
        self.holder = holder or new_holder_id()
        self.claim_seconds = claim_seconds
        self.sender = sender
        self.limits = limits
        self.clock = clock
        self.pacer = Pacer(limits, monotonic=monotonic)
        self.ledger = Ledger(db)
        self.page_size = page_size
        self._render = render
        self._render_digest = render_digest
        self._rng = rng or random.Random()
        self._alerts: dict[int, Alert | None] = {}
        self._what_changed: dict[int, tuple[str, ...]] = {}
        self._texts: dict[tuple[int, RenderRequest], str] = {}
        self._round_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._halt: asyncio.Event | None = None

    @property
    def digests(self) -> bool:
        return self._render_digest is not None

    async def drain(self, *, max_messages: int | None = None) -> DrainReport:
        """Send everything due now (or the first `max_messages`), then report."""
        async with self._round_lock:
            if len(self._texts) > _CACHE_LIMIT:
                self._texts.clear()
                self._alerts.clear()
                self._what_changed.clear()
            try:
                return await Round(self, max_messages, self._halt).run()
            finally:
                await outbox.release_claims(self.db, self.holder)

    async def run(self, stop: asyncio.Event) -> None:
        """Drain, then sleep until the next row falls due or `wake()`; until `stop` is set."""
        self._halt = stop
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.drain()
                delay = await self._until_next_due()
            except Exception:
                log.exception("delivery round failed; trying again shortly")
                delay = 5.0
            await _first_of(stop, self._wake, timeout=delay)

    def wake(self) -> None:
        """New rows are in the outbox: start a round now rather than at the next due time."""
        self._wake.set()

    async def _until_next_due(self) -> float:
        due = await outbox.next_due_at(self.db)
        if due is None:
            return 60.0
        seconds = (datetime.fromisoformat(due) - self.clock()).total_seconds()
        return min(60.0, max(0.05, seconds))

    # alerts and texts

    async def load_alerts(self, version_ids: set[int]) -> None:
        missing = version_ids - self._alerts.keys()
        if not missing:
            return
        for version_id, payload in (await outbox.alert_payloads(self.db, missing)).items():
            try:
                data = json.loads(payload)
                self._alerts[version_id] = alert_from_json(data)
                self._what_changed[version_id] = tuple(data.get("what_changed") or ())
            except (KeyError, ValueError, TypeError) as error:
                log.error("alert version %s has an unreadable payload: %s", version_id, error)
                self._alerts[version_id] = None

    def alert(self, version_id: int) -> Alert | None:
        return self._alerts.get(version_id)

    def text_for(self, row: OutboxRow) -> str:
        alert = self._alerts[row.alert_version_id]
        assert alert is not None
        request = RenderRequest(
            language=row.language,
            timezone=row.timezone,
            change=Change(row.change),
            previous_severity=None
            if row.previous_severity is None
            else Severity(row.previous_severity),
            what_changed=self._what_changed.get(row.alert_version_id, ()),
        )
        key = (row.alert_version_id, request)
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = self._render(alert, request)
        return text

    def digest_text_for(self, job: Job) -> str:
        assert self._render_digest is not None
        first = job.rows[0]
        items: list[tuple[Alert, Change]] = []
        for row in job.rows:
            alert = self._alerts[row.alert_version_id]
            assert alert is not None
            items.append((alert, Change(row.change)))
        request = RenderRequest(first.language, first.timezone, Change.NEW, None)
        return self._render_digest(items, request)

    # one message

    async def deliver(self, job: Job, tally: DrainReport) -> Next:
        """Send one job's message (in parts if long) and record what came of it. The round
        took the first send's turn from the pacer; an unused turn is given back here."""
        turn = _Turn(held=True)
        try:
            return await self._deliver(job, tally, turn)
        finally:
            if turn.held:
                self.pacer.finish(job.chat_id, job.chat_kind)

    async def _send(
        self, job: Job, html: str, turn: _Turn, *, reply_to: int | None, silent: bool
    ) -> SendResult:
        """One request, in its turn; the pacer hears when its answer is back."""
        if not turn.held:
            await self.pacer.wait_turn(job.chat_id, job.chat_kind)
            turn.held = True
        try:
            return await self.sender.send(job.chat_id, html, reply_to=reply_to, silent=silent)
        finally:
            turn.held = False
            self.pacer.finish(job.chat_id, job.chat_kind)

    async def _deliver(self, job: Job, tally: DrainReport, turn: _Turn) -> Next:
        try:
            text = self.digest_text_for(job) if job.digest else self.text_for(job.rows[0])
        except Exception as error:
            log.exception("rendering delivery %s failed", job.rows[0].id)
            await self._give_up(job, f"render failed: {error!r}", tally)
            return Carry()
        first = job.rows[0]
        parts = split_message(text)
        reply_to = None if job.digest or first.change == Change.NEW else first.reply_to
        if reply_to is None and not job.digest and first.change != Change.NEW:
            # The original may have gone out earlier in this very round.
            reply_to = await outbox.thread_message(
                self.db, job.chat_id, first.source, first.alert_id
            )
        silent = not job.digest and first.change == Change.TEXT
        message_id: int | None = None
        for index in range(min(first.parts_sent, len(parts) - 1), len(parts)):
            result = await self._send(job, parts[index], turn, reply_to=reply_to, silent=silent)
            if isinstance(result, Unparsable):
                plain = as_safe_html(parts[index])
                result = await self._send(job, plain, turn, reply_to=reply_to, silent=silent)
            if not isinstance(result, Sent):
                return await self._settle(job, result, tally)
            message_id = message_id or result.message_id
            reply_to = None
            if index < len(parts) - 1:
                await outbox.record_part(self.db, first.id, index + 1, message_id)
        assert message_id is not None
        sent_at = self.clock()
        await self.ledger.record(
            [outbox.SentRecord(row.id, message_id, sent_at) for row in job.rows]
        )
        tally.sent += len(job.rows)
        return Carry()

    async def _settle(self, job: Job, result: SendResult, tally: DrainReport) -> Next:
        ids = [row.id for row in job.rows]
        now = self.clock()
        if isinstance(result, SlowDown):
            self.pacer.slow_down(job.chat_id, job.chat_kind, result.seconds)
            tally.slowed += 1
            return Stop(until=now + timedelta(seconds=result.seconds))
        if isinstance(result, ChatGone):
            await outbox.deactivate_chat(self.db, job.chat_id, result.reason, now=now)
            tally.deactivated += 1
            return Stop()
        if isinstance(result, ChatMoved):
            await outbox.migrate_chat(self.db, job.chat_id, result.new_chat_id, now=now)
            tally.migrated += 1
            return Moved(result.new_chat_id)
        if isinstance(result, Failed):
            attempts = job.rows[0].attempts + 1
            if attempts < self.limits.max_attempts:
                retry_at = now + timedelta(seconds=self.backoff(attempts))
                await outbox.reschedule(
                    self.db, ids, at=retry_at, error=result.description, count_attempt=True
                )
                tally.retried += len(ids)
                return Carry()
            await self._give_up(job, result.description, tally)
            return Carry()
        # Refused, TooLong, or Unparsable even as plain text: sending again cannot help.
        await self._give_up(job, getattr(result, "description", repr(result)), tally)
        return Carry()

    async def _give_up(self, job: Job, error: str, tally: DrainReport) -> None:
        await outbox.mark_dead(self.db, [row.id for row in job.rows], error)
        tally.dead += len(job.rows)
        log.warning("delivery to chat %s is a dead letter: %s", job.chat_id, error)

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number `attempt`: doubling, capped, with jitter so that a
        failed burst does not come back as one burst."""
        base = self.limits.backoff_seconds * 2 ** (attempt - 1)
        return min(self.limits.max_backoff_seconds, base) * (0.5 + self._rng.random())


@dataclass(slots=True)
class _Turn:
    """Whether a job holds a pacer turn it has not used yet."""

    held: bool


async def _first_of(stop: asyncio.Event, wake: asyncio.Event, *, timeout: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
