"""Who a desk's warning goes to: travellers there now, and optionally more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.desks.keywords import Keywords, fold, keywords_for

MAX_DAYS_AHEAD = 90


@dataclass(frozen=True, slots=True)
class AudienceRule:
    """Travellers with a trip there today always; `subscribers` adds those who follow the
    countries, `days_ahead` those whose trip starts within that many days."""

    subscribers: bool = False
    days_ahead: int = 0

    def arriving_by(self, today: date) -> date:
        return today + timedelta(days=self.days_ahead)


def parse_audience(text: str, words: Keywords | None = None) -> AudienceRule:
    """ "now", "now, subscribers, next 14 days" -> a rule; unknown words are ignored.

    `words` are the operator's ("maintenant, abonnés, 14 prochains jours"); English only
    without them.
    """
    words = words or keywords_for()
    folded = fold(text)
    days = words.days.search(folded)
    ahead = 0 if days is None else int(days.group("n") or days.group("m"))
    return AudienceRule(
        subscribers=any(stem in folded for stem in words.subscribers),
        days_ahead=min(ahead, MAX_DAYS_AHEAD),
    )


def read_audience(text: str, words: Keywords | None = None) -> AudienceRule | None:
    """The rule of an answer that names at least one option (now, subscribers, N days);
    None for an answer that names none, so the operator is asked again."""
    words = words or keywords_for()
    folded = fold(text)
    understood = (
        words.now.search(folded) is not None
        or words.days.search(folded) is not None
        or any(stem in folded for stem in words.subscribers)
    )
    return parse_audience(text, words) if understood else None


@dataclass(frozen=True, slots=True)
class Audience:
    """The organisation's members a warning reaches, by why they are reached."""

    present: frozenset[int] = frozenset()
    arriving: frozenset[int] = frozenset()
    subscribed: frozenset[int] = frozenset()

    @property
    def recipients(self) -> tuple[int, ...]:
        return tuple(sorted(self.present | self.arriving | self.subscribed))
