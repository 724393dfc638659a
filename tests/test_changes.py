from dataclasses import replace
from datetime import timedelta

from bot.alerts import Change, Severity
from bot.changes import KnownState, changed_sections, classify
from tests.builders import make_alert


def known(alert, **overrides):
    state = KnownState(alert.version, alert.severity, alert.body, alert.cancelled)
    return replace(state, **overrides)


def test_first_sight_is_new():
    assert classify(make_alert(), None).change is Change.NEW


def test_republication_with_new_dates_is_not_news():
    alert = make_alert()
    redated = replace(
        alert,
        published=alert.published + timedelta(days=3),
        updated=alert.updated + timedelta(days=3),
    )
    assert classify(redated, known(alert)) is None


def test_rewrapped_whitespace_is_not_news():
    alert = make_alert()
    rewrapped = replace(alert, body=alert.body.replace(" ", "  \n "))
    assert rewrapped.version == alert.version
    assert classify(rewrapped, known(alert)) is None


def test_level_raised_names_previous_level():
    before = make_alert()
    after = replace(before, severity=Severity.HIGH, source_level="Level 3: Reconsider Travel")
    announcement = classify(after, known(before))
    assert announcement.change is Change.RAISED
    assert announcement.previous_severity is Severity.CAUTION


def test_level_lowered_to_all_clear_is_news():
    before = make_alert(severity=Severity.EXTREME)
    after = replace(before, severity=Severity.NORMAL)
    announcement = classify(after, known(before))
    assert announcement.change is Change.LOWERED
    assert announcement.previous_severity is Severity.EXTREME


def test_text_change_at_same_level_says_which_section():
    before = make_alert(body="Summary\n\nCalm.\n\nSafety and security\n\nPetty crime.")
    after = replace(before, body="Summary\n\nCalm.\n\nSafety and security\n\nProtests in Berlin.")
    announcement = classify(after, known(before))
    assert announcement.change is Change.TEXT
    assert announcement.what_changed == ("Safety and security",)


def test_cancellation_is_announced_once():
    before = make_alert()
    cancelled = replace(before, cancelled=True)
    assert classify(cancelled, known(before)).change is Change.CANCELLED
    assert classify(cancelled, known(cancelled)) is None


def test_alert_cancelled_before_first_sight_is_not_announced():
    assert classify(make_alert(cancelled=True), None) is None


def test_changed_sections_without_headings_quotes_the_new_paragraph():
    changed = changed_sections("Old text here.", "Brand new warning about floods in the north.")
    assert changed and changed[0].startswith("Brand new warning")


def test_removed_section_is_reported():
    old = "Entry requirements\n\nVisa needed.\n\nHealth\n\nVaccinate."
    new = "Entry requirements\n\nVisa needed."
    assert changed_sections(old, new) == ("Health",)


def test_marked_sections_are_named_by_their_heading():
    old = "## Summary\n\nCalm.\n\n## Safety and security\n\nPetty crime.\n\n## Health\n\nOk."
    new = old.replace("Petty crime.", "Protests near the parliament. Avoid crowds.")
    assert changed_sections(old, new) == ("Safety and security",)


def test_unmarked_headings_in_marked_body_are_not_sections():
    old = "## Entry\n\nShort line\n\nVisa needed."
    new = "## Entry\n\nShort line\n\nNo visa needed."
    assert changed_sections(old, new) == ("Entry",)
