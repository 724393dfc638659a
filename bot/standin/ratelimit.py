"""Telegram's flood limits, as sliding windows a test can measure a client against.

Telegram does not publish exact numbers; its FAQ says about 30 messages a second overall,
about one a second in one chat (short bursts pass) and 20 a minute in one group. The
numbers are configurable; counting is per bot token, as Telegram counts.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

GROUP_TYPES = frozenset({"group", "supergroup", "channel"})


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Flood limits; `burst` messages may reach one private chat in any `burst` seconds."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    burst: int = 1
    paid_per_second: int = 1000  # allow_paid_broadcast has its own, much higher, limit


@dataclass(frozen=True, slots=True)
class _Window:
    limit: int
    seconds: float


class FloodControl:
    """Sliding windows of accepted sends; `check` says how long to wait, or 0 to go."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self._limits = limits
        self._clock = clock
        self._sent: dict[tuple[str, ...], deque[float]] = {}

    def check(self, token: str, chat_id: int, chat_type: str, paid: bool = False) -> int:
        """Record a send and return 0, or return the whole seconds to wait (at least 1)."""
        now = self._clock()
        windows = self._windows(token, chat_id, chat_type, paid)
        wait = max(self._wait(key, window, now) for key, window in windows)
        if wait > 0:
            return max(1, math.ceil(wait))
        for key, _ in windows:
            self._sent.setdefault(key, deque()).append(now)
        return 0

    def sent_within(self, seconds: float, chat_id: int | None = None) -> int:
        """How many sends were accepted in the last `seconds` (to `chat_id`, if given)."""
        now = self._clock()
        key_kind = "global" if chat_id is None else "chat"
        total = 0
        for key, times in self._sent.items():
            if key[0] == key_kind and (chat_id is None or key[2] == str(chat_id)):
                total += sum(1 for t in times if now - t < seconds)
        return total

    def _windows(
        self, token: str, chat_id: int, chat_type: str, paid: bool
    ) -> list[tuple[tuple[str, ...], _Window]]:
        limits = self._limits
        if paid:
            overall = (("paid", token), _Window(limits.paid_per_second, 1.0))
        else:
            overall = (("global", token), _Window(limits.global_per_second, 1.0))
        if chat_type in GROUP_TYPES:
            chat = _Window(limits.per_group_per_minute, 60.0)
        else:
            burst = max(1, limits.burst)
            chat = _Window(burst, burst / limits.per_chat_per_second)
        return [overall, (("chat", token, str(chat_id)), chat)]

    def _wait(self, key: tuple[str, ...], window: _Window, now: float) -> float:
        times = self._sent.get(key)
        if times is None:
            return 0.0
        while times and now - times[0] >= window.seconds:
            times.popleft()
        if len(times) < window.limit:
            return 0.0
        return times[len(times) - window.limit] + window.seconds - now


def busiest_window(times: list[float], seconds: float) -> int:
    """The most events in any window of `seconds`: the rate a client actually achieved."""
    ordered = sorted(times)
    best = 0
    start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
