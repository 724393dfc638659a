from dataclasses import replace
from datetime import timedelta

from bot.alerts import Category, Change, Severity
from bot.changes import KnownState, changed_sections, classify
from tests.builders import BASE_TIME, make_alert

NOW = BASE_TIME + timedelta(hours=1)


def known(alert, **overrides):
    state = KnownState(alert.version, alert.severity, alert.body, alert.cancelled)
    return replace(state, **overrides)


def storm(**overrides):
    """A CAP-like hazard that ends at a stated time (one hour after NOW unless told)."""
    fields = {
        "source": "cap",
        "id": "storm-1",
        "category": Category.WEATHER,
        "severity": Severity.HIGH,
        "expires": NOW + timedelta(hours=1),
    }
    return make_alert(**{**fields, **overrides})


def test_first_sight_is_new():
    assert classify(make_alert(), None, now=NOW).change is Change.NEW


def test_republication_with_new_dates_is_not_news():
    alert = make_alert()
    redated = replace(
        alert,
        published=alert.published + timedelta(days=3),
        updated=alert.updated + timedelta(days=3),
    )
    assert classify(redated, known(alert), now=NOW) is None


def test_rewrapped_whitespace_is_not_news():
    alert = make_alert()
    rewrapped = replace(alert, body=alert.body.replace(" ", "  \n "))
    assert rewrapped.version == alert.version
    assert classify(rewrapped, known(alert), now=NOW) is None


def test_level_raised_names_previous_level():
    before = make_alert()
    after = replace(before, severity=Severity.HIGH, source_level="Level 3: Reconsider Travel")
    announcement = classify(after, known(before), now=NOW)
    assert announcement.change is Change.RAISED
    assert announcement.previous_severity is Severity.CAUTION


def test_level_lowered_to_all_clear_is_news():
    before = make_alert(severity=Severity.EXTREME)
    after = replace(before, severity=Severity.NORMAL)
    announcement = classify(after, known(before), now=NOW)
    assert announcement.change is Change.LOWERED
    assert announcement.previous_severity is Severity.EXTREME


def test_text_change_at_same_level_says_which_section():
    before = make_alert(body="Summary\n\nCalm.\n\nSafety and security\n\nPetty crime.")
    after = replace(before, body="Summary\n\nCalm.\n\nSafety and security\n\nProtests in Berlin.")
    announcement = classify(after, known(before), now=NOW)
    assert announcement.change is Change.TEXT
    assert announcement.what_changed == ("Safety and security",)


def test_cancellation_is_announced_once():
    before = make_alert()
    cancelled = replace(before, cancelled=True)
    assert classify(cancelled, known(before), now=NOW).change is Change.CANCELLED
    assert classify(cancelled, known(cancelled), now=NOW) is None


def test_alert_cancelled_before_first_sight_is_not_announced():
    assert classify(make_alert(cancelled=True), None, now=NOW) is None


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


def test_alert_first_seen_after_its_expiry_is_not_announced():
    assert classify(storm(expires=NOW - timedelta(minutes=1)), None, now=NOW) is None
    assert classify(storm(expires=NOW), None, now=NOW) is None  # `expires` is the end


def test_alert_before_its_expiry_is_new():
    assert classify(storm(), None, now=NOW).change is Change.NEW


def test_live_alert_polled_past_its_expiry_expires_once():
    alert = storm()
    later = NOW + timedelta(hours=2)
    announcement = classify(alert, known(alert), now=later)
    assert announcement.change is Change.EXPIRED
    assert announcement.previous_severity is Severity.HIGH
    assert classify(alert, known(alert, expired=True), now=later) is None


def test_update_arriving_after_its_expiry_is_not_announced_as_raised():
    alert = storm(severity=Severity.CAUTION)
    raised = replace(alert, severity=Severity.EXTREME, expires=NOW - timedelta(minutes=5))
    assert classify(raised, known(alert), now=NOW).change is Change.EXPIRED
    assert classify(raised, known(alert, expired=True), now=NOW) is None


def test_expiry_moved_later_brings_an_expired_alert_back_quietly():
    """An Update that only extends `expires` has the same content: not news."""
    alert = storm()
    assert classify(alert, known(alert, expired=True), now=NOW) is None


def test_cancellation_of_a_live_alert_is_announced_even_past_its_expiry():
    alert = storm()
    cancelled = replace(alert, cancelled=True)
    later = NOW + timedelta(hours=2)
    assert classify(cancelled, known(alert), now=later).change is Change.CANCELLED
    assert classify(cancelled, known(alert, expired=True), now=later) is None
