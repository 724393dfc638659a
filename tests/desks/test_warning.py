"""Reading a desk's warning from pasted text: the parts are recognised, the words kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.alerts import Category, Severity
from bot.desks.warning import (
    WarningDraft,
    parse_warning,
    read_safety,
    read_severity,
    warning_alert,
)
from tests.desks.harness import SYRIA

SYRIA_TEXT = SYRIA.decode("utf-8")
NOW = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)


def section(name: str, following: str | None) -> str:
    """The sample's own text between a heading line and the next, for comparison."""
    start = SYRIA_TEXT.index(f"\n{name}\n") + len(name) + 2
    end = SYRIA_TEXT.index(f"\n{following}\n", start) if following else len(SYRIA_TEXT)
    return SYRIA_TEXT[start:end].strip()


def test_pasted_provider_alert_has_each_part_recognised() -> None:
    draft = parse_warning(SYRIA_TEXT)
    assert draft.title == "Syria: IS propaganda concedes Mosul defeat"
    assert draft.countries == ("SY",)
    assert draft.severity == Severity.NORMAL and draft.level_word == "Informational"
    assert draft.published == datetime(2017, 8, 7, 17, 36, tzinfo=UTC)
    assert draft.standfirst.startswith("Amid significant losses")
    assert draft.missing() == () and draft.problems == ()


def test_pasted_provider_alert_keeps_its_sections_word_for_word() -> None:
    draft = parse_warning(SYRIA_TEXT)
    assert draft.event == section("Event", "Context")
    assert draft.context == section("Context", "Advice")
    assert draft.advice == section("Advice", None)
    assert "Skip to main content" not in draft.to_json()


def test_warning_alert_carries_the_desk_source_and_every_section() -> None:
    warning = parse_warning(SYRIA_TEXT).complete()
    alert = warning_alert(warning, org_id=7, org_name="Acme Travel", broadcast_id=3, now=NOW)
    assert alert.source == "desk:7" and alert.id == "broadcast-3"
    assert alert.source_level == "Informational" and alert.countries == ("SY",)
    assert section("Event", "Context") in alert.summary
    assert alert.facts["context"] == section("Context", "Advice")
    assert alert.advice == section("Advice", None)
    assert alert.published == datetime(2017, 8, 7, 17, 36, tzinfo=UTC)


def test_labelled_lines_and_inline_sections_are_read() -> None:
    draft = parse_warning(
        "Title: Flooding in Accra\nCountries: Ghana; Togo\nSeverity: 3\nCategory: flood\n"
        "Safety check: 2h\nAudience: now, subscribers, next 10 days\n\n"
        "Event: Heavy rain flooded roads.\nMore rain is expected.\n\nAdvice: Stay indoors."
    )
    assert draft.title == "Flooding in Accra" and draft.countries == ("GH", "TG")
    assert draft.severity == Severity.HIGH and draft.category == Category.FLOOD
    assert draft.safety_check and draft.remind_after_minutes == 120
    assert draft.audience.subscribers and draft.audience.days_ahead == 10
    assert draft.event == "Heavy rain flooded roads.\nMore rain is expected."
    assert draft.advice == "Stay indoors."


def test_missing_parts_are_named_and_unknown_terms_reported() -> None:
    draft = parse_warning("Countries: Narnia\nSeverity: whatever\n\nEvent: Something.")
    assert draft.missing() == ("title", "countries", "severity")
    assert "Narnia" in draft.problems and "whatever" in draft.problems


def test_severity_words_map_to_the_four_levels() -> None:
    levels = {w: read_severity(w) for w in ("Informational", "Moderate", "High", "Extreme", "2")}
    assert [level[0] for level in levels.values() if level] == [1, 2, 3, 4, 2]
    assert read_severity("Event") is None


def test_safety_answers_read_yes_no_and_reminder_times() -> None:
    assert read_safety("no") == (False, None)
    assert read_safety("yes") == (True, None)
    assert read_safety("yes, remind after 30 minutes") == (True, 30)
    assert read_safety("maybe") is None


def test_draft_survives_storage_as_json() -> None:
    draft = parse_warning(SYRIA_TEXT)
    assert WarningDraft.from_json(draft.to_json()) == draft
    assert draft.complete().remind_after == timedelta(hours=1)


@given(st.text(max_size=400))
def test_any_text_reads_without_error(text: str) -> None:
    draft = parse_warning(text)
    assert WarningDraft.from_json(draft.to_json()) == draft
