"""The one alert shape every source is normalised into.

Nothing here knows about Telegram, HTTP or the database: an `Alert` is a plain value
that a source adapter produces and everything downstream consumes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum


class Severity(IntEnum):
    """One scale for every source, modelled on the four travel-advisory levels."""

    NORMAL = 1  # exercise normal precautions
    CAUTION = 2  # exercise increased caution
    HIGH = 3  # reconsider travel / high
    EXTREME = 4  # do not travel / extreme


class Category(StrEnum):
    ADVISORY = "advisory"
    SECURITY = "security"
    CONFLICT = "conflict"
    EARTHQUAKE = "earthquake"
    TSUNAMI = "tsunami"
    CYCLONE = "cyclone"
    FLOOD = "flood"
    VOLCANO = "volcano"
    WILDFIRE = "wildfire"
    DROUGHT = "drought"
    WEATHER = "weather"
    HEALTH = "health"
    OTHER = "other"


# Hazards that happen at a point: a reader who named a city only hears of them nearby.
POINT_HAZARDS = frozenset(
    {
        Category.EARTHQUAKE,
        Category.TSUNAMI,
        Category.CYCLONE,
        Category.VOLCANO,
        Category.WEATHER,
        Category.WILDFIRE,
        Category.FLOOD,
    }
)


class Change(StrEnum):
    """What a poll learnt about an alert, compared with what was stored before."""

    NEW = "new"
    RAISED = "raised"
    LOWERED = "lowered"
    TEXT = "text"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # its `expires` passed: recorded, dropped from /status, not sent
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class LocalText:
    """A source's own text in another language (Canada publishes French). An empty
    `source_level` or `advice` means the source gave none in that language."""

    title: str
    summary: str
    source_level: str = ""
    advice: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """A normalised alert from one source.

    `id` is the source's own stable identifier for the thing being tracked (a country's
    advisory, an event); `version` changes whenever what a reader would be told changes.
    """

    source: str
    id: str
    countries: tuple[str, ...]
    severity: Severity
    source_level: str
    category: Category
    title: str
    summary: str
    url: str
    published: datetime
    updated: datetime
    body: str = ""  # full plain text, used to say which sections changed
    advice: str = ""
    expires: datetime | None = None
    # When it takes effect, for a warning issued ahead ("thunderstorms from 13:00
    # tomorrow"); None when it applies from publication.
    starts: datetime | None = None
    cancelled: bool = False
    latitude: float | None = None
    longitude: float | None = None
    translations: Mapping[str, LocalText] = field(default_factory=dict)
    facts: Mapping[str, str] = field(default_factory=dict)  # magnitude, event type, ...

    @property
    def version(self) -> str:
        """A digest of what a reader is told; dates and ids are left out on purpose.

        Feeds re-date and re-publish unchanged items; only a change of level, countries,
        wording or cancellation makes a new version.
        """
        material = {
            "severity": int(self.severity),
            "level": self.source_level,
            "countries": sorted(self.countries),
            "category": str(self.category),
            "title": normalise_text(self.title),
            "text": normalise_text(self.body or self.summary),
            "cancelled": self.cancelled,
        }
        raw = json.dumps(material, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def text_for(self, language: str) -> LocalText:
        """The texts in `language` where the source published them, else its own."""
        local = self.translations.get(language)
        if local is None:
            return LocalText(self.title, self.summary, self.source_level, self.advice)
        return LocalText(
            local.title,
            local.summary,
            local.source_level or self.source_level,
            local.advice or self.advice,
        )


_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Collapse white space and case so that a re-wrapped paragraph is not news."""
    return _SPACES.sub(" ", text).strip().casefold()
