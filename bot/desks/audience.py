"""Who a desk's warning goes to: travellers there now, and optionally more."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MAX_DAYS_AHEAD = 90
_DAYS = re.compile(r"(\d{1,3})\s*(?:days?|d)\b", re.IGNORECASE)
_SUBSCRIBERS = ("subscri", "follow")


@dataclass(frozen=True, slots=True)
class AudienceRule:
    """Travellers with a trip there today always; `subscribers` adds those who follow the
    countries, `days_ahead` those whose trip starts within that many days."""

    subscribers: bool = False
    days_ahead: int = 0

    def arriving_by(self, today: date) -> date:
        return today + timedelta(days=self.days_ahead)


def parse_audience(text: str) -> AudienceRule:
    """ "now", "now, subscribers, next 14 days" -> a rule; unknown words are ignored."""
    folded = text.casefold()
    days = _DAYS.search(folded)
    return AudienceRule(
        subscribers=any(word in folded for word in _SUBSCRIBERS),
        days_ahead=0 if days is None else min(int(days.group(1)), MAX_DAYS_AHEAD),
    )


@dataclass(frozen=True, slots=True)
class Audience:
    """The organisation's members a warning reaches, by why they are reached."""

    present: frozenset[int] = frozenset()
    arriving: frozenset[int] = frozenset()
    subscribed: frozenset[int] = frozenset()

    @property
    def recipients(self) -> tuple[int, ...]:
        return tuple(sorted(self.present | self.arriving | self.subscribed))
