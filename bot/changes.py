"""Change detection: what a poll learnt about an alert compared with what was known.

The same logic serves the running bot and `python -m bot diff`, so what the command
prints is what travellers would be sent.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from bot.alerts import Alert, Change, Severity


@dataclass(frozen=True, slots=True)
class KnownState:
    """What was stored for an alert at the previous poll.

    `expired` says the alert had already expired when it was last seen, so its expiry was
    recorded then and is not news again.
    """

    version: str
    severity: Severity
    body: str
    cancelled: bool
    expired: bool = False


@dataclass(frozen=True, slots=True)
class Announcement:
    """An alert worth telling travellers about, and how it differs from before."""

    alert: Alert
    change: Change
    previous_severity: Severity | None = None
    what_changed: tuple[str, ...] = ()


def has_expired(alert: Alert, now: datetime) -> bool:
    """True once the source's own end time (CAP `<expires>`) has passed."""
    return alert.expires is not None and alert.expires <= now


def classify(alert: Alert, known: KnownState | None, *, now: datetime) -> Announcement | None:
    """Return the announcement for `alert`, or None when it is a republication of the same.

    A lowered level (down to level 1, the all-clear) is news, and so is a change of text at
    the same level; a re-dated or re-ordered item with the same content is not.

    An alert whose `expires` has passed at `now` is never news: first seen already expired,
    it is only recorded; seen live before, it comes back as `Change.EXPIRED` once, which the
    store records without telling anyone. A cancellation of a live alert is still announced
    after its expiry, so whoever heard of the danger hears that it is over.
    """
    if known is None:
        if alert.cancelled or has_expired(alert, now):
            return None  # never seen, already withdrawn or over: nothing to tell
        return Announcement(alert, Change.NEW)
    live_before = not known.cancelled and not known.expired
    if alert.cancelled and live_before:
        return Announcement(alert, Change.CANCELLED, previous_severity=known.severity)
    if has_expired(alert, now):
        if live_before:
            return Announcement(alert, Change.EXPIRED, previous_severity=known.severity)
        return None
    if alert.version == known.version:
        return None
    if alert.cancelled and not known.cancelled:
        return Announcement(alert, Change.CANCELLED, previous_severity=known.severity)
    if alert.severity > known.severity:
        return Announcement(alert, Change.RAISED, previous_severity=known.severity)
    if alert.severity < known.severity:
        return Announcement(alert, Change.LOWERED, previous_severity=known.severity)
    return Announcement(
        alert,
        Change.TEXT,
        previous_severity=known.severity,
        what_changed=changed_sections(known.body, alert.body or alert.summary),
    )


def changed_sections(old: str, new: str, *, limit: int = 5) -> tuple[str, ...]:
    """Name the sections of an advisory whose text changed, for the update message.

    Bodies are paragraphs separated by blank lines. Adapters mark section headings with a
    leading "## " (GOV.UK parts, Smartraveller fields, WHO sections); in bodies without
    marks, a short one-line paragraph without closing punctuation is taken as a heading.
    Without headings, the start of each changed paragraph stands in for a name.
    """
    old_sections = dict(_sections(old))
    new_sections = _sections(new)
    changed: list[str] = []
    for heading, text in new_sections:
        if old_sections.get(heading) != text:
            changed.append(heading or _lead(text, old))
    for heading in old_sections:
        if heading and heading not in dict(new_sections):
            changed.append(heading)
    unique = list(dict.fromkeys(name for name in changed if name))
    return tuple(unique[:limit])


def _sections(body: str) -> list[tuple[str, str]]:
    sections: list[tuple[str, list[str]]] = [("", [])]
    marked = any(line.startswith("## ") for line in body.splitlines())
    for paragraph in (p.strip() for p in body.split("\n\n")):
        if not paragraph:
            continue
        if marked and paragraph.startswith("## "):
            heading, _, rest = paragraph[3:].partition("\n")
            sections.append((heading.strip(), [" ".join(rest.split())] if rest.strip() else []))
        elif not marked and _is_heading(paragraph):
            sections.append((paragraph, []))
        else:
            sections[-1][1].append(" ".join(paragraph.split()))
    return [(heading, "\n".join(texts)) for heading, texts in sections if heading or texts]


def _is_heading(paragraph: str) -> bool:
    return "\n" not in paragraph and len(paragraph) <= 60 and paragraph[-1] not in ".:;,!?)"


def _lead(text: str, old: str) -> str:
    """The first changed paragraph of a heading-less section, cut to a few words."""
    old_paragraphs = set(old.split("\n"))
    for paragraph in text.split("\n"):
        if paragraph not in old_paragraphs:
            words = paragraph.split()
            return " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    matcher = difflib.SequenceMatcher(a=old, b=text)
    return "" if matcher.ratio() == 1.0 else " ".join(text.split()[:8])
