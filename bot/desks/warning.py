"""A travel desk's warning: its parts, and how a pasted or typed text is read into them.

Two shapes of text are read (see docs/desks.md):
- labelled lines (`Title: ...`, `Countries: ...`, `Severity: ...`) before the sections;
- an alert pasted from a security provider's page: a date line, the headline
  ("Syria: ..."), a standfirst, a level word ("Informational"), then the sections.
Sections start with a heading alone on its line ("Event", "Context", "Advice"). Their text
is kept as written: the desk's words reach travellers unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import countries
from bot.alerts import Alert, Category, Severity
from bot.desks.audience import AudienceRule, read_audience
from bot.desks.keywords import ENGLISH, Keywords, fold, keywords_for

DEFAULT_REMINDER = timedelta(hours=1)
DEFAULT_CATEGORY = Category.SECURITY  # most desk warnings are; a Category line says otherwise

# English level and category words; each operator's own are added by `keywords_for`.
LEVEL_WORDS: Mapping[str, Severity] = ENGLISH.levels
CATEGORY_WORDS: Mapping[str, Category] = ENGLISH.categories

# Header labels and section headings, as people write them, -> field names.
_LABELS: Mapping[str, str] = {
    "title": "title",
    "headline": "title",
    "countries": "countries",
    "country": "countries",
    "location": "countries",
    "severity": "severity",
    "level": "severity",
    "category": "category",
    "type": "category",
    "date": "date",
    "safety check": "safety",
    "check-in": "safety",
    "check in": "safety",
    "audience": "audience",
}
_SECTIONS: Mapping[str, str] = {
    "event": "event",
    "what happened": "event",
    "summary": "event",
    "context": "context",
    "background": "context",
    "advice": "advice",
    "recommendations": "advice",
    "what to do": "advice",
}
_NOISE = frozenset({"skip to main content"})  # left over when a web page is copied
_LABEL_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z -]{1,20}?)\s*:\s*(?P<value>.*)$")
_HEADLINE_PLACE = re.compile(r"^(?P<place>[^:]{2,80}):\s+\S")
_ANSWER_WORDS = re.compile(r"[\s,;.،؛]+")  # Arabic has its own comma and semicolon
_DATE_FORMATS = ("%d %b %Y %I:%M %p", "%d %B %Y %I:%M %p", "%d %b %Y %H:%M", "%d %b %Y")
MAX_FIELD_CHARS = 3000


class WarningIncomplete(ValueError):
    """A warning lacks parts it cannot go out without; `missing` names them."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True, slots=True)
class TravelWarning:
    """A desk's warning, complete: what travellers are told, in the desk's own words."""

    title: str
    countries: tuple[str, ...]
    severity: Severity
    category: Category
    event: str
    context: str = ""
    advice: str = ""
    standfirst: str = ""  # the line under a headline that sums it up
    level_word: str = ""  # the level as the desk or its provider wrote it ("Informational")
    published: datetime | None = None
    safety_check: bool = False
    remind_after: timedelta = DEFAULT_REMINDER


@dataclass(frozen=True, slots=True)
class WarningDraft:
    """A warning being written: step by step in a chat, or read from one text at once."""

    title: str = ""
    countries: tuple[str, ...] = ()
    severity: Severity | None = None
    category: Category | None = None
    event: str = ""
    context: str = ""
    advice: str = ""
    standfirst: str = ""
    level_word: str = ""
    published: datetime | None = None
    safety_check: bool = False
    remind_after_minutes: int = int(DEFAULT_REMINDER.total_seconds() // 60)
    audience: AudienceRule = field(default_factory=AudienceRule)
    problems: tuple[str, ...] = ()  # terms that were not understood, for the operator

    def missing(self) -> tuple[str, ...]:
        wanted = {
            "title": bool(self.title),
            "countries": bool(self.countries),
            "severity": self.severity is not None,
            "event": bool(self.event),
        }
        return tuple(name for name, present in wanted.items() if not present)

    def complete(self) -> TravelWarning:
        """The warning, or WarningIncomplete naming what is missing."""
        missing = self.missing()
        if missing or self.severity is None:
            raise WarningIncomplete(missing)
        return TravelWarning(
            title=self.title,
            countries=self.countries,
            severity=self.severity,
            category=self.category or DEFAULT_CATEGORY,
            event=self.event,
            context=self.context,
            advice=self.advice,
            standfirst=self.standfirst,
            level_word=self.level_word,
            published=self.published,
            safety_check=self.safety_check,
            remind_after=timedelta(minutes=self.remind_after_minutes),
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["published"] = None if self.published is None else self.published.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> WarningDraft:
        data: dict[str, Any] = json.loads(text)
        published = data.get("published")
        return cls(
            title=data.get("title", ""),
            countries=tuple(data.get("countries", ())),
            severity=None if data.get("severity") is None else Severity(data["severity"]),
            category=None if data.get("category") is None else Category(data["category"]),
            event=data.get("event", ""),
            context=data.get("context", ""),
            advice=data.get("advice", ""),
            standfirst=data.get("standfirst", ""),
            level_word=data.get("level_word", ""),
            published=None if published is None else datetime.fromisoformat(published),
            safety_check=bool(data.get("safety_check")),
            remind_after_minutes=int(data.get("remind_after_minutes", 60)),
            audience=AudienceRule(**data.get("audience", {})),
            problems=tuple(data.get("problems", ())),
        )


def read_severity(text: str, words: Keywords | None = None) -> tuple[Severity, str] | None:
    """A level word or number -> (level, the word as written); None if it is neither.

    `words` are the operator's (English only without them): "high", "élevé", "Stufe 3".
    """
    words = words or keywords_for()
    word = fold(text)
    if word in words.levels:
        return words.levels[word], text.strip(" .:")
    number = words.level_number.match(word)
    if number is not None:
        return Severity(int(number.group("n"))), ""
    return None


def read_category(text: str, words: Keywords | None = None) -> Category | None:
    """A category word ("security", "sécurité", "Konflikt"); None if it is none."""
    return (words or keywords_for()).categories.get(fold(text))


def read_countries(text: str, language: str = "en") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes found, terms not understood) in a list like "Syria; Iraq" or "SY, IQ"."""
    query = countries.parse_countries(text[:1000], language)
    return query.found, tuple(unknown.term for unknown in query.unknown)


def read_safety(text: str, words: Keywords | None = None) -> tuple[bool, int | None] | None:
    """ "yes", "no", "oui, 30 min", "2h" -> (ask, minutes); None if unclear."""
    words = words or keywords_for()
    folded = fold(text)
    duration = words.duration.search(folded)
    minutes = None
    if duration is not None:
        n = int(duration.group("n"))
        minutes = n * 60 if duration.group("unit") in words.hours else n
        minutes = max(5, min(minutes, 7 * 24 * 60))
    first = _ANSWER_WORDS.split(folded, maxsplit=1)[0] if folded else ""
    if first in words.no:
        return False, None
    if first in words.yes or minutes is not None:
        return True, minutes
    return None


def read_date(text: str) -> datetime | None:
    """A provider's date line ("07 Aug 2017 | 05:36 PM UTC") or an ISO date, as UTC."""
    cleaned = " ".join(text.replace("|", " ").replace(",", " ").split())
    cleaned = re.sub(r"\s*(UTC|GMT|Z)$", "", cleaned, flags=re.IGNORECASE)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        moment = None
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(cleaned, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_warning(text: str, language: str = "en", words: Keywords | None = None) -> WarningDraft:
    """Read a warning from one message or file; what is missing is left for the operator.

    `language` reads country names; `words` the operator's level, category, yes/no and
    audience words (English only without them). Labels and headings stay English.
    """
    words = words or keywords_for()
    header: dict[str, str] = {}
    free_lines: list[str] = []
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n"):
        line = raw.strip()
        heading = _section_heading(line)
        if heading is not None:
            current, rest = heading
            sections.setdefault(current, [])
            if rest:
                sections[current].append(rest)
            continue
        if current is not None:
            sections[current].append(line)
            continue
        if not line or line.casefold() in _NOISE:
            continue
        label = _LABEL_LINE.match(line)
        key = _LABELS.get(label.group("key").strip().casefold()) if label else None
        if label is not None and key is not None and key not in header:
            header[key] = label.group("value").strip()
        else:
            free_lines.append(line)
    draft = _from_header(WarningDraft(), header, language, words)
    draft = _from_free_lines(draft, free_lines, words)
    if not draft.countries and draft.title:
        place = _HEADLINE_PLACE.match(draft.title)
        if place is not None:
            found, unknown = read_countries(place.group("place"), language)
            if found and not unknown:
                draft = replace(draft, countries=found)
    return replace(
        draft,
        event=_paragraphs(sections.get("event", [])),
        context=_paragraphs(sections.get("context", [])),
        advice=_paragraphs(sections.get("advice", [])),
    )


def _section_heading(line: str) -> tuple[str, str] | None:
    """ "Event", "Context:", "Advice: Leave now." -> (section, text on the same line)."""
    name, colon, rest = line.partition(":")
    key = _SECTIONS.get(" ".join(name.split()).casefold())
    if key is None or (not colon and rest):
        return None
    return key, rest.strip()


def _from_header(
    draft: WarningDraft, header: Mapping[str, str], language: str, words: Keywords
) -> WarningDraft:
    problems: list[str] = []
    changes: dict[str, Any] = {}
    if header.get("title"):
        changes["title"] = header["title"][:MAX_FIELD_CHARS]
    if "countries" in header:
        found, unknown = read_countries(header["countries"], language)
        changes["countries"] = found
        problems += unknown
    if "severity" in header:
        level = read_severity(header["severity"], words)
        if level is None:
            problems.append(header["severity"])
        else:
            changes["severity"], changes["level_word"] = level
    if "category" in header:
        category = read_category(header["category"], words)
        if category is None:
            problems.append(header["category"])
        changes["category"] = category
    if "date" in header:
        changes["published"] = read_date(header["date"])
    if "safety" in header:
        safety = read_safety(header["safety"], words)
        if safety is None:
            problems.append(header["safety"])
        else:
            changes["safety_check"] = safety[0]
            if safety[1] is not None:
                changes["remind_after_minutes"] = safety[1]
    if "audience" in header:
        audience = read_audience(header["audience"], words)
        if audience is None:
            problems.append(header["audience"])
        else:
            changes["audience"] = audience
    return replace(draft, problems=draft.problems + tuple(problems), **changes)


def _from_free_lines(draft: WarningDraft, lines: list[str], words: Keywords) -> WarningDraft:
    """Unlabelled lines before the sections: a date, the headline, a standfirst, a level
    word and a category word, in whatever order a provider prints them."""
    standfirst: list[str] = []
    for line in lines:
        if draft.published is None and (moment := read_date(line)) is not None:
            draft = replace(draft, published=moment)
        elif draft.severity is None and (level := read_severity(line, words)) is not None:
            draft = replace(draft, severity=level[0], level_word=level[1])
        elif draft.category is None and (category := read_category(line, words)) is not None:
            draft = replace(draft, category=category)
        elif not draft.title:
            draft = replace(draft, title=line[:MAX_FIELD_CHARS])
        else:
            standfirst.append(line)
    if standfirst:
        draft = replace(draft, standfirst="\n".join(standfirst)[:MAX_FIELD_CHARS])
    return draft


def _paragraphs(lines: list[str]) -> str:
    """Lines as written; runs of blank lines become one paragraph break."""
    text = "\n".join(lines).strip()
    return re.sub(r"\n\s*\n+", "\n\n", text)[:MAX_FIELD_CHARS]


# A desk's warnings are alerts of source "desk:<org id>": private to their recipients, never
# matched to subscribers, never republished in the open feeds.
DESK_SOURCE_PREFIX = "desk:"


def is_desk_source(source: str) -> bool:
    return source.startswith(DESK_SOURCE_PREFIX)


def warning_alert(
    warning: TravelWarning, *, org_id: int, org_name: str, broadcast_id: int, now: datetime
) -> Alert:
    """The warning as an `Alert` from source "desk:<org id>", so the outbox, the dispatcher
    and the localised frame treat it like any official alert. The text is not translated;
    the organisation's name goes with it, for the source line."""
    summary = "\n\n".join(part for part in (warning.standfirst, warning.event) if part)
    body = "\n\n".join(
        part
        for part in (warning.standfirst, warning.event, warning.context, warning.advice)
        if part
    )
    published = warning.published or now
    facts = {"organisation": org_name}
    if warning.context:
        facts["context"] = warning.context
    return Alert(
        source=f"{DESK_SOURCE_PREFIX}{org_id}",
        id=f"broadcast-{broadcast_id}",
        countries=warning.countries,
        severity=warning.severity,
        source_level=warning.level_word,
        category=warning.category,
        title=warning.title,
        summary=summary,
        url="",
        published=published,
        updated=published,
        body=body,
        advice=warning.advice,
        facts=facts,
    )
