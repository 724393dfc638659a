"""Alert + language -> Telegram HTML, through Jinja2 templates and the reader's catalog.

One Jinja2 environment per language, so a template never sees another reader's words.
Autoescape is on: every value that comes from a feed is escaped, and a template that
names a variable it was not given fails instead of printing nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from functools import partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.alerts import Alert, Change, LocalText, Severity
from bot.countries import flag
from bot.i18n import Catalogs, Translator
from bot.render.text import clip, isolate, tidy
from bot.render.words import (
    CANCELLED_EMOJI,
    category_word,
    change_word,
    fact_label,
    heading_word,
    is_travel_advice,
    severity_emoji,
    severity_word,
    source_name,
)

MAX_PLACES = 3  # country names on a first line before "+N more"
MAX_DIGEST_ITEMS = 20  # keeps a digest well under Telegram's 4,096 characters
MAX_AREAS = 30  # areas named in a message of several warnings: at most 100 characters each,
# so that the list stays well under Telegram's 4,096 characters, in one message


class Renderer:
    """Renders every message the bot sends, in the reader's language and timezone."""

    def __init__(self, templates_dir: Path, catalogs: Catalogs) -> None:
        self.catalogs = catalogs
        loader = FileSystemLoader(templates_dir)
        self._environments: Mapping[str, Environment] = {
            language: _environment(loader, translator)
            for language, translator in catalogs.translators.items()
        }

    def render(self, template: str, *, language: str, **context: object) -> str:
        """Any message template, e.g. `render("help.j2", language="fr", commands=...)`."""
        translator = self.catalogs.translator(language)
        environment = self._environments[translator.language]
        text = environment.get_template(template).render(**context)
        return tidy(text, translator.right_to_left)

    def alert(
        self,
        alert: Alert,
        *,
        language: str,
        timezone: str = "UTC",
        change: Change = Change.NEW,
        previous_severity: Severity | None = None,
        what_changed: tuple[str, ...] = (),
    ) -> str:
        """One alert as a message: level line, headline, event, context, advice, source."""
        return self.render(
            "alert.j2",
            language=language,
            alert=alert,
            change=Change(change),
            cancelled=alert.cancelled or change == Change.CANCELLED,
            previous_severity=previous_severity,
            what_changed=what_changed,
            timezone=timezone,
        )

    def digest(
        self, items: Sequence[tuple[Alert, Change]], *, language: str, timezone: str = "UTC"
    ) -> str:
        """Several alerts in one message, a line each (a quiet-hours or catch-up summary);
        warnings of one event at one level, the event once and then their areas."""
        event = one_event(items)
        if event:
            return self.render(
                "warnings.j2",
                language=language,
                items=tuple(items),
                event=event,
                countries=tuple(sorted({code for alert, _ in items for code in alert.countries})),
                areas=areas_of(items),
                same_title=len({alert.title for alert, _ in items}) == 1,
                # The last to end, if each has an end: "valid until" the first would mislead.
                expires=None
                if any(alert.expires is None for alert, _ in items)
                else max(alert.expires for alert, _ in items if alert.expires is not None),
                # The first to begin, if each was issued ahead of its start.
                starts=None
                if any(alert.starts is None for alert, _ in items)
                else min(alert.starts for alert, _ in items if alert.starts is not None),
                limit=MAX_AREAS,
                timezone=timezone,
            )
        return self.render(
            "digest.j2",
            language=language,
            items=tuple(items),
            limit=MAX_DIGEST_ITEMS,
            timezone=timezone,
        )


def areas_of(items: Sequence[tuple[Alert, Change]]) -> tuple[str, ...]:
    """Every area the warnings name, each once, in order: a CAP alert's "; "-separated
    areas (a German MeteoAlarm message names dozens of districts), else its title."""
    areas: dict[str, None] = {}
    for alert, _ in items:
        for area in (alert.facts.get("area") or alert.title).split("; "):
            if area.strip():
                areas[area.strip()] = None
    return tuple(areas)


def one_event(items: Sequence[tuple[Alert, Change]]) -> str:
    """The event several warnings share, with the same level and change; "" when they are
    not all alike (or are only one)."""
    if len(items) < 2:
        return ""
    first, change = items[0]
    event = first.facts.get("event", "")
    alike = all(
        alert.facts.get("event", "") == event
        and alert.source == first.source
        and alert.severity == first.severity
        and alert.cancelled == first.cancelled
        and other == change
        for alert, other in items
    )
    return event if alike else ""


def _environment(loader: FileSystemLoader, t: Translator) -> Environment:
    environment = Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        t.translations.gettext, t.translations.ngettext, newstyle=True
    )
    environment.filters.update(
        bidi=partial(isolate, right_to_left=t.right_to_left),
        clip=clip,
    )
    environment.globals.update(
        language=t.language,
        right_to_left=t.right_to_left,
        country=t.country,
        flag=flag,
        flags=_flags,
        places=partial(_places, t=t),
        severity_word=partial(severity_word, t=t),
        is_travel_advice=is_travel_advice,
        heading_word=partial(heading_word, t=t),
        severity_emoji=severity_emoji,
        cancelled_emoji=CANCELLED_EMOJI,
        category_word=partial(category_word, t=t),
        change_word=partial(change_word, t=t),
        source_name=partial(source_name, t=t),
        source_link=partial(_source_link, t=t),
        alert_url=partial(_alert_url, t=t),
        facts_of=partial(_facts, t=t),
        text_for=partial(_text_for, t=t),
        format_datetime=t.format_datetime,
        format_day_or_moment=partial(_day_or_moment, t=t),
        format_date=t.format_date,
    )
    return environment


def _flags(codes: Sequence[str]) -> str:
    return "".join(flag(code) for code in codes[:MAX_PLACES])


def _places(codes: Sequence[str], t: Translator) -> str:
    """At most three names, then a count: short enough for a phone's lock screen."""
    names = [t.country(code) for code in codes[:MAX_PLACES]]
    separator = "، " if t.language == "ar" else ", "  # Arabic has its own comma
    text = separator.join(names)
    hidden = len(codes) - MAX_PLACES
    if hidden > 0:
        text += " " + t.ngettext("+%(num)s more", "+%(num)s more", hidden)
    return text


def _day_or_moment(moment: datetime, timezone: str, t: Translator) -> str:
    """A publication date as the source gave it: a source that gives only a day (the
    State Department's "07 Oct 2025") arrives as midnight UTC, which in the reader's
    timezone would show a time nobody wrote, and the day before west of Greenwich."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment
    if utc.time() == time(0, 0):
        return t.format_date(utc.date())
    return t.format_datetime(moment, timezone)


def _text_for(alert: Alert, t: Translator) -> LocalText:
    return alert.text_for(t.language)


def _alert_url(alert: Alert, t: Translator) -> str:
    """The alert's page in the reader's language where the source has one; "" if not http(s).

    Only web links: Telegram refuses a message whose link has another scheme.
    """
    url = alert.facts.get(f"url_{t.language}") or alert.url
    return url if url.startswith(("https://", "http://")) else ""


def _source_link(alert: Alert, t: Translator) -> Markup:
    """The source's name, linked to the alert's page; a travel desk's warning also names
    its organisation, since a traveller may belong to several, and a CAP alert its
    sender ("CAP (NWS Lake Charles LA)"), since one CAP source can relay many agencies."""
    name = isolate(source_name(alert.source, t), t.right_to_left)
    sender = alert.facts.get("sender", "").strip()
    organisation = alert.facts.get("organisation", "").strip() or (
        sender if "@" not in sender and "://" not in sender else ""
    )
    if organisation:
        name += f" ({isolate(organisation, t.right_to_left)})"
    url = _alert_url(alert, t)
    if not url:
        return escape(name)
    return Markup('<a href="{url}">{name}</a>').format(url=url, name=name)


def _facts(alert: Alert, t: Translator) -> list[tuple[str, str]]:
    """The facts meant for readers, with labels in their language."""
    shown: list[tuple[str, str]] = []
    for key, value in alert.facts.items():
        label = fact_label(key, t)
        if label is not None and value.strip() and value.strip().lower() not in {"yes", "no"}:
            shown.append((label, value.strip()))
    return shown
