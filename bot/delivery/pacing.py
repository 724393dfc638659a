"""Telegram's speed limits, kept on our side so that a broadcast never meets a 429.

Sends are spaced evenly rather than sent in bursts: about 30 a second overall (1,000 with
paid broadcasts), one a second in a private chat, 20 a minute in a group. A 429 pauses the
chat it came from, or everything when that chat cannot be the one over its limit.

Two rules together. The schedule spaces sends evenly, slowed by `margin`, and a send that
starts a little late does not push the schedule back (a busy event loop costs no rate).
The window is the hard limit: Telegram counts a send at some moment between our request
and its answer, so a send's turn returns to the pool only a full window after its answer
came back. However late a request travels, no window of Telegram's can then hold more
than the limit.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

GROUP_KINDS = frozenset({"group", "supergroup", "channel"})


@dataclass(frozen=True, slots=True)
class DeliveryLimits:
    """How fast and how stubbornly to deliver.

    `margin` slows the even pace by that fraction: Telegram's limits are "about" so many
    a second. The window rule (see the module) holds the limit itself without it.
    """

    global_per_second: float = 30
    private_chat_per_second: float = 1
    group_per_minute: float = 20
    paid_broadcast: bool = False
    paid_per_second: float = 1000
    max_attempts: int = 8
    concurrency: int = 16
    margin: float = 0.02
    backoff_seconds: float = 2.0  # the first retry's delay; doubled at every attempt
    max_backoff_seconds: float = 600.0

    @property
    def overall_per_second(self) -> float:
        return self.paid_per_second if self.paid_broadcast else self.global_per_second


class Blame(StrEnum):
    """Whose limit a 429 was about."""

    CHAT = "chat"
    EVERYONE = "everyone"


# How far behind its even schedule a send may start and still keep it: a late wake-up is
# made up by the next sends instead of being lost (at 30 a second, up to 3 sends).
CATCH_UP_SECONDS = 0.1


class Pacer:
    """Earliest next send times, overall and per chat, on a monotonic clock in seconds.

    Every `take` (a send starting) is paired with a `finish` (its answer came back, or the
    turn went unused): the window counts a send from one to the other and a window after.
    """

    def __init__(
        self,
        limits: DeliveryLimits,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        stretch = 1.0 + limits.margin
        self._overall_gap = stretch / limits.overall_per_second
        self._one_process_gap = self._overall_gap
        self._private_gap = stretch / limits.private_chat_per_second
        self._group_gap = stretch * 60.0 / limits.group_per_minute
        # the limits themselves, measured from a send's answer to the next send's request
        self._private_floor = 1.0 / limits.private_chat_per_second
        self._group_floor = 60.0 / limits.group_per_minute
        # at most `capacity` sends in any `window` seconds: 30 in 1 s, or 1 in 2 s at 0.5/s
        self._one_process_capacity = max(1, math.floor(limits.overall_per_second))
        self._capacity = self._one_process_capacity
        self._window = self._one_process_capacity / limits.overall_per_second
        self._in_flight = 0
        self._returns: deque[float] = deque()  # when finished sends' turns come back
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_overall = 0.0
        self._paused_until = 0.0
        self._next_in_chat: dict[int, float] = {}
        # (latest, the one before) send times per chat, to tell whose limit a 429 was about
        self._sends: dict[int, tuple[float, float | None]] = {}
        self._takes = 0

    def now(self) -> float:
        return self._monotonic()

    def share(self, processes: int) -> None:
        """Several processes send for one bot token: each keeps to its equal part of the
        overall rate (the per-chat limits stay whole: a chat is served by one process)."""
        self._overall_gap = self._one_process_gap * max(1, processes)
        self._capacity = max(1, self._one_process_capacity // max(1, processes))

    def overall_ready_at(self) -> float:
        return max(self._next_overall, self._paused_until, self._window_ready_at())

    def _window_ready_at(self) -> float:
        """When the window has a turn free: now, a returning turn's time, or at the earliest
        a window from now when every turn is still on the wire."""
        now = self._monotonic()
        returns = self._returns
        while returns and returns[0] <= now:
            returns.popleft()
        over = self._in_flight + len(returns) - self._capacity
        if over < 0:
            return 0.0
        return returns[over] if over < len(returns) else now + self._window

    def chat_ready_at(self, chat_id: int) -> float:
        return max(self._next_in_chat.get(chat_id, 0.0), self._paused_until)

    def ready_at(self, chat_id: int) -> float:
        return max(self.overall_ready_at(), self.chat_ready_at(chat_id))

    def take(self, chat_id: int, chat_kind: str) -> None:
        """Record a send to `chat_id` now; the caller waited for `ready_at` first."""
        now = self._monotonic()
        # on schedule, or a little late: keep the schedule; further behind (idle): start anew
        behind = now - self._next_overall > CATCH_UP_SECONDS
        self._next_overall = (now if behind else self._next_overall) + self._overall_gap
        self._in_flight += 1
        gap = self._group_gap if chat_kind in GROUP_KINDS else self._private_gap
        self._next_in_chat[chat_id] = max(now, self._next_in_chat.get(chat_id, 0.0)) + gap
        latest = self._sends.get(chat_id)
        self._sends[chat_id] = (now, None if latest is None else latest[0])
        self._takes += 1
        if self._takes % 10_000 == 0:
            self._forget_idle(now)

    def finish(self, chat_id: int, chat_kind: str) -> None:
        """The send `take` started has its answer (or never went): its turn comes back a
        window from now, and the chat's next send waits a full interval from now."""
        now = self._monotonic()
        self._in_flight = max(0, self._in_flight - 1)
        self._returns.append(now + self._window)
        floor = now + (self._group_floor if chat_kind in GROUP_KINDS else self._private_floor)
        if floor > self._next_in_chat.get(chat_id, 0.0):
            self._next_in_chat[chat_id] = floor

    async def wait_turn(self, chat_id: int, chat_kind: str) -> None:
        """Sleep until both the overall pace and the chat's allow a send, then take it."""
        while (delay := self.ready_at(chat_id) - self._monotonic()) > 0:
            await self._sleep(delay)
        self.take(chat_id, chat_kind)

    def slow_down(self, chat_id: int, chat_kind: str, seconds: float) -> Blame:
        """Honour a 429: nothing more to that chat for `seconds`, and if the chat had no
        send within its own limit's reach, the limit was the overall one: pause everything."""
        now = self._monotonic()
        until = now + seconds
        self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), until)
        reach = 60.0 if chat_kind in GROUP_KINDS else 1.0
        # The send that got the 429 was itself recorded by `take`; look at the one before.
        latest, previous = self._sends.get(chat_id, (now, None))
        if previous is not None and latest - previous < reach * 1.5:
            return Blame.CHAT
        self._paused_until = max(self._paused_until, until)
        return Blame.EVERYONE

    def _forget_idle(self, now: float) -> None:
        """Drop chats whose next turn has passed, so memory stays flat over a long run."""
        idle = [chat for chat, at in self._next_in_chat.items() if at <= now]
        for chat in idle:
            del self._next_in_chat[chat]
            self._sends.pop(chat, None)
