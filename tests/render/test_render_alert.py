"""An alert as a Telegram message: structure, languages, escaping, direction, dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts import Alert, Category, Change, LocalText, Severity
from bot.countries.flags import flags_in
from bot.i18n import SUPPORTED_LANGUAGES, Catalogs
from bot.render import SEVERITY_EMOJI, Renderer, category_word, severity_word, source_name
from bot.render.text import FIRST_STRONG_ISOLATE as FSI
from bot.render.text import POP_DIRECTIONAL_ISOLATE as PDI
from bot.render.text import RIGHT_TO_LEFT_MARK as RLM
from bot.standin.html_check import parse_html
from tests.builders import make_alert

ROOT = Path(__file__).resolve().parent.parent.parent
TELEGRAM_LIMIT = 4096
WINTER = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(ROOT / "locales")


@pytest.fixture(scope="module")
def renderer(catalogs: Catalogs) -> Renderer:
    return Renderer(ROOT / "templates", catalogs)


def syria(**overrides: object) -> Alert:
    alert = make_alert(
        id="SY",
        countries=("SY",),
        severity=Severity.EXTREME,
        source_level="Level 4: Do Not Travel",
        title="Syria - Level 4: Do Not Travel",
        summary="Do not travel to Syria due to terrorism, civil unrest and armed conflict.",
        advice="Leave Syria now if you can do so safely.",
        url="https://travel.state.gov/syria",
        published=WINTER,
        updated=WINTER,
    )
    return replace(alert, **overrides)


def visible(message: str) -> str:
    """The text a reader sees; raises like Telegram on anything its HTML mode refuses."""
    return parse_html(message).text


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("severity", list(Severity))
def test_first_line_is_emoji_flag_country_and_level(
    severity: Severity, language: str, renderer: Renderer, catalogs: Catalogs
) -> None:
    t = catalogs.translator(language)
    message = renderer.alert(syria(severity=severity), language=language)
    first = message.split("\n")[0]
    assert (
        first == f"{SEVERITY_EMOJI[severity]} 🇸🇾 {t.country('SY')} — {severity_word(severity, t)}"
    )
    visible(message)


def test_severity_words_follow_the_official_levels(catalogs: Catalogs) -> None:
    english = [severity_word(s, catalogs.translator("en")) for s in Severity]
    french = [severity_word(s, catalogs.translator("fr")) for s in Severity]
    assert english == [
        "Exercise normal precautions",
        "Exercise increased caution",
        "Reconsider travel",
        "Do not travel",
    ]
    assert french == [
        "Vigilance normale",
        "Vigilance renforcée",
        "Déconseillé sauf raison impérative",
        "Formellement déconseillé",
    ]


def test_new_alert_headline_is_the_bold_title(renderer: Renderer) -> None:
    lines = renderer.alert(syria(), language="en").split("\n")
    assert lines[0] == "🔴 🇸🇾 Syria — Do not travel"
    assert lines[1] == "<b>Syria - Level 4: Do Not Travel</b>"


def test_message_follows_the_security_alert_structure(renderer: Renderer) -> None:
    alert = syria(facts={"region": "Idlib", "advisory_state": "3"})
    text = visible(renderer.alert(alert, language="en", timezone="UTC"))
    order = [
        "Syria - Level 4: Do Not Travel",
        "Category: Travel advisory",
        "Official level: Level 4: Do Not Travel",
        "What happened",
        "Do not travel to Syria due to terrorism",
        "Context",
        "Region: Idlib",
        "Advice",
        "Leave Syria now",
        "Source: US State Department",
        "Published Jan 15, 2025, 10:00",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "advisory_state" not in text  # facts for the bot, not for readers


def test_context_leaves_out_codes_the_message_already_says(renderer: Renderer) -> None:
    cyclone = syria(
        source="gdacs",
        category=Category.CYCLONE,
        source_level="Orange alert",
        facts={"event_type": "TC", "alert_level": "Orange", "population": "2 million"},
    )
    text = visible(renderer.alert(cyclone, language="en"))
    assert text.startswith("🔴 🇸🇾 Syria — Tropical cyclone\n")  # the category, once
    assert "Category:" not in text and "Official level: Orange alert" in text
    assert "People exposed: 2 million" in text
    assert "TC" not in text and "Alert level" not in text and "Event:" not in text


def test_source_is_linked(renderer: Renderer) -> None:
    parsed = parse_html(renderer.alert(syria(), language="en"))
    links = [span for span in parsed.spans if span.kind == "text_link"]
    assert [link.url for link in links] == ["https://travel.state.gov/syria"]
    assert parsed.text[links[0].start : links[0].end] == "US State Department"


def test_unknown_source_is_named_as_configured(renderer: Renderer) -> None:
    message = renderer.alert(syria(source="cap-nsw"), language="en")
    assert 'Source: <a href="https://travel.state.gov/syria">cap-nsw</a>' in message


def test_a_link_that_is_not_http_is_not_a_link(renderer: Renderer) -> None:
    message = renderer.alert(syria(url="javascript:alert(1)"), language="en")
    assert "<a " not in message
    assert "Source: US State Department" in message


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "<b>Level raised: Reconsider travel → Do not travel</b>"),
        (
            "fr",
            "<b>Niveau relevé : Déconseillé sauf raison impérative → Formellement déconseillé</b>",
        ),
    ],
)
def test_level_raised_headline(language: str, expected: str, renderer: Renderer) -> None:
    message = renderer.alert(
        syria(), language=language, change=Change.RAISED, previous_severity=Severity.HIGH
    )
    lines = message.split("\n")
    assert lines[1] == expected
    assert lines[2] == "<i>Syria - Level 4: Do Not Travel</i>"  # the title still shown


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "<b>Level lowered: Do not travel → Reconsider travel</b>"),
        (
            "fr",
            "<b>Niveau abaissé : Formellement déconseillé → Déconseillé sauf raison impérative</b>",
        ),
    ],
)
def test_level_lowered_headline(language: str, expected: str, renderer: Renderer) -> None:
    message = renderer.alert(
        syria(severity=Severity.HIGH),
        language=language,
        change=Change.LOWERED,
        previous_severity=Severity.EXTREME,
    )
    assert message.split("\n")[1] == expected


@pytest.mark.parametrize(
    ("change", "previous", "expected"),
    [
        (Change.RAISED, Severity.HIGH, "<b>Level raised: 🟠 → 🔴</b>"),
        (Change.LOWERED, Severity.EXTREME, "<b>Level lowered: 🔴 → 🟠</b>"),
        (Change.RAISED, None, "<b>Level raised to: 🔴</b>"),
    ],
)
def test_a_hazards_level_change_is_told_in_dots_not_travel_advice(
    change: Change, previous: Severity | None, expected: str, renderer: Renderer
) -> None:
    """An earthquake's episode raised from orange to red is worse where it struck: that is
    not advice against travel to the whole country."""
    severity = Severity.HIGH if change == Change.LOWERED else Severity.EXTREME
    quake = syria(source="usgs", category=Category.EARTHQUAKE, severity=severity)
    message = renderer.alert(quake, language="en", change=change, previous_severity=previous)
    lines = message.split("\n")
    assert lines[0].endswith(" — Earthquake")
    assert lines[1] == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "<b>Level raised to: Do not travel</b>"),
        ("fr", "<b>Niveau relevé à : Formellement déconseillé</b>"),
    ],
)
def test_level_raised_without_previous_level(
    language: str, expected: str, renderer: Renderer
) -> None:
    message = renderer.alert(syria(), language=language, change=Change.RAISED)
    assert message.split("\n")[1] == expected


@pytest.mark.parametrize(
    ("language", "heading", "updated"),
    [("en", "What changed", "Updated: "), ("fr", "Ce qui a changé", "Mise à jour : ")],
)
def test_text_update_lists_what_changed(
    language: str, heading: str, updated: str, renderer: Renderer
) -> None:
    message = renderer.alert(
        syria(),
        language=language,
        change=Change.TEXT,
        what_changed=("Safety and security", "Entry requirements"),
    )
    assert message.split("\n")[1] == f"<b>{updated}Syria - Level 4: Do Not Travel</b>"
    assert f"<b>{heading}</b>\n• Safety and security\n• Entry requirements\n" in message


def test_text_update_without_section_names_still_says_so(renderer: Renderer) -> None:
    message = renderer.alert(syria(), language="en", change=Change.TEXT)
    assert "The source updated the text of this alert." in message


@pytest.mark.parametrize(
    ("language", "level", "body"),
    [
        ("en", "Alert cancelled", "The source has cancelled this alert: it no longer applies."),
        ("fr", "Alerte levée", "La source a levé cette alerte : elle ne s'applique plus."),
    ],
)
@pytest.mark.parametrize("how", ["change", "flag"])
def test_cancellation_says_so_clearly(
    how: str, language: str, level: str, body: str, renderer: Renderer
) -> None:
    if how == "change":
        message = renderer.alert(syria(), language=language, change=Change.CANCELLED)
    else:
        message = renderer.alert(syria(cancelled=True), language=language)
    first, second = message.split("\n")[:2]
    assert first.startswith("✅ 🇸🇾 ") and first.endswith(f" — {level}")
    assert "Syria - Level 4: Do Not Travel" in second
    assert body in visible(message)
    assert "Leave Syria now" not in message  # advice of a withdrawn alert is not repeated


@pytest.mark.parametrize("language", ["en", "fr"])
def test_unchanged_renders_like_new(language: str, renderer: Renderer) -> None:
    new = renderer.alert(syria(), language=language, change=Change.NEW)
    assert renderer.alert(syria(), language=language, change=Change.UNCHANGED) == new


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("category", list(Category))
def test_every_category_is_named(
    category: Category, language: str, renderer: Renderer, catalogs: Catalogs
) -> None:
    """Travel advice is headed by its level and names its category below; a hazard is
    headed by what it is ("Germany — Severe weather"), its level shown by the dot and the
    official level: a district's thunderstorm is no advice to reconsider travel."""
    t = catalogs.translator(language)
    message = visible(renderer.alert(syria(category=category), language=language))
    heading = message.split("\n")[0]
    label = "Category: %s" if language == "en" else "Catégorie : %s"
    if category in (Category.ADVISORY, Category.SECURITY, Category.CONFLICT):
        assert heading.endswith(" — " + severity_word(Severity.EXTREME, t))
        assert label % category_word(category, t) in message
    else:
        assert heading.endswith(" — " + category_word(category, t))
        assert (label % "").strip() not in message


@pytest.mark.parametrize("language", ["en", "fr"])
def test_category_words_are_distinct(language: str, catalogs: Catalogs) -> None:
    t = catalogs.translator(language)
    words = {category_word(category, t) for category in Category}
    assert len(words) == len(Category)


def test_feed_values_are_escaped(renderer: Renderer) -> None:
    nasty = '<script>alert("x")</script> & <b>'
    alert = syria(
        title=f"Title {nasty}",
        summary=f"Summary {nasty}",
        advice=f"Advice {nasty}",
        source_level=f"Level {nasty}",
        url='https://example.org/?a=1&b="2"',
        facts={"region": f"Region {nasty}"},
        countries=("SY", "<XX>"),
    )
    for change in Change:
        message = renderer.alert(
            alert, language="en", change=change, what_changed=(f"Section {nasty}",)
        )
        assert "<script>" not in message
        parsed = parse_html(message)
        assert f"Title {nasty}" in parsed.text
        assert all(span.kind in {"bold", "italic", "text_link"} for span in parsed.spans)
    message = renderer.alert(alert, language="en", change=Change.TEXT, what_changed=(nasty,))
    text = visible(message)
    for part in ("Summary", "Advice", "Level", "Region"):
        assert f"{part} {nasty}" in text
    assert f"• {nasty}" in text
    assert "&lt;script&gt;" in message
    assert 'href="https://example.org/?a=1&amp;b=&#34;2&#34;"' in message


def test_only_telegram_tags_and_real_newlines(renderer: Renderer) -> None:
    for language in SUPPORTED_LANGUAGES:
        for change in Change:
            message = renderer.alert(
                syria(facts={"region": "Idlib"}, expires=WINTER),
                language=language,
                change=change,
                previous_severity=Severity.HIGH,
                what_changed=("Entry",),
            )
            parsed = parse_html(message)  # raises on <br>, <p>, bare & ...
            assert {span.kind for span in parsed.spans} <= {"bold", "italic", "text_link"}
            assert "\n\n\n" not in message
            assert not message.startswith(("\n", RLM + "\n")) and not message.endswith("\n")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_renders_its_own_words(
    language: str, renderer: Renderer, catalogs: Catalogs
) -> None:
    t = catalogs.translator(language)
    message = renderer.alert(syria(), language=language)
    text = visible(message)
    assert severity_word(Severity.EXTREME, t) in text
    assert t.country("SY") in text
    assert source_name("us-state", t) in text
    if language != "en":
        assert "What happened" not in text


def test_arabic_isolates_latin_feed_text(renderer: Renderer) -> None:
    alert = syria(facts={"region": "Idlib (north-west)"})
    message = renderer.alert(
        alert, language="ar", change=Change.TEXT, what_changed=("Safety and security",)
    )
    assert f"{FSI}Syria - Level 4: Do Not Travel{PDI}" in message
    assert f"{FSI}Do not travel to Syria due to terrorism" in message
    assert f"{FSI}Leave Syria now if you can do so safely.{PDI}" in message
    assert f"{FSI}Level 4: Do Not Travel{PDI}" in message
    assert f"{FSI}Idlib (north-west){PDI}" in message
    assert f"• {FSI}Safety and security{PDI}" in message
    # The link target stays a clean URL; only what the reader sees is isolated.
    assert 'href="https://travel.state.gov/syria"' in message
    parsed = parse_html(message)
    assert [span.url for span in parsed.spans if span.kind == "text_link"] == [
        "https://travel.state.gov/syria"
    ]
    # Every line starts right to left, even one that begins with isolated Latin text.
    assert all(line.startswith(RLM) for line in message.split("\n") if line)


def test_arabic_isolates_each_line_of_multiline_text(renderer: Renderer) -> None:
    message = renderer.alert(syria(summary="First line.\nSecond line."), language="ar")
    assert f"{RLM}{FSI}First line.{PDI}\n{RLM}{FSI}Second line.{PDI}" in message


def test_arabic_first_line_reads_right_to_left(renderer: Renderer) -> None:
    first = renderer.alert(syria(), language="ar").split("\n")[0]
    assert first == f"{RLM}🔴 🇸🇾 سوريا — لا تسافر"


def test_left_to_right_languages_have_no_isolates(renderer: Renderer) -> None:
    for language in ("en", "fr", "de", "es", "ru"):
        message = renderer.alert(syria(), language=language)
        assert FSI not in message and PDI not in message and RLM not in message


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("UTC", "Published Jan 15, 2025, 10:00\u202fAM"),
        ("Europe/Paris", "Published Jan 15, 2025, 11:00\u202fAM"),
        ("America/New_York", "Published Jan 15, 2025, 5:00\u202fAM"),
    ],
)
def test_dates_in_the_readers_timezone(timezone: str, expected: str, renderer: Renderer) -> None:
    assert expected in renderer.alert(syria(), language="en", timezone=timezone)


def test_updated_and_expiry_dates_are_shown_when_they_differ(renderer: Renderer) -> None:
    alert = syria(
        updated=datetime(2025, 7, 1, 8, 30, tzinfo=UTC),
        expires=datetime(2025, 7, 2, 8, 30, tzinfo=UTC),
    )
    text = renderer.alert(alert, language="fr", timezone="Europe/Paris")
    assert "Publié le 15 janv. 2025, 11:00" in text
    assert "Mis à jour le 1 juil. 2025, 10:30" in text
    assert "Valable jusqu'au 2 juil. 2025, 10:30" in text
    assert "Updated" not in renderer.alert(syria(), language="en")


def canada() -> Alert:
    return syria(
        source="ca-travel",
        id="DE",
        countries=("DE",),
        severity=Severity.NORMAL,
        title="Germany travel advice",
        summary="Take normal security precautions in Germany.",
        url="https://travel.gc.ca/destinations/germany",
        source_level="Take normal security precautions",
        advice="Take normal security precautions.",
        translations={
            "fr": LocalText(
                "Conseils aux voyageurs : Allemagne",
                "Prenez des mesures de sécurité normales en Allemagne.",
                source_level="Prendre des mesures de sécurité normales",
                advice="Prendre des mesures de sécurité normales.",
            )
        },
        facts={"url_fr": "https://voyage.gc.ca/destinations/allemagne"},
    )


def test_canadas_french_text_for_french_readers(renderer: Renderer) -> None:
    message = renderer.alert(canada(), language="fr")
    assert message.split("\n")[1] == "<b>Conseils aux voyageurs : Allemagne</b>"
    assert "Prenez des mesures de sécurité normales en Allemagne." in message
    assert "Germany travel advice" not in message
    assert (
        '<a href="https://voyage.gc.ca/destinations/allemagne">Affaires mondiales Canada</a>'
        in (message)
    )


def test_canadas_french_level_and_advice_for_french_readers(renderer: Renderer) -> None:
    text = visible(renderer.alert(canada(), language="fr"))
    assert "Niveau officiel : Prendre des mesures de sécurité normales\n" in text
    assert "Conseils\nPrendre des mesures de sécurité normales." in text
    assert "Take normal security precautions" not in text


def test_canadas_english_text_for_other_readers(renderer: Renderer) -> None:
    for language in ("en", "de"):
        message = renderer.alert(canada(), language=language)
        assert "Germany travel advice" in message
        assert "Take normal security precautions." in message
        assert "Allemagne" not in message and "Prendre" not in message
        assert 'href="https://travel.gc.ca/destinations/germany"' in message


def test_english_only_source_text_stays_english_in_a_french_frame(renderer: Renderer) -> None:
    text = visible(renderer.alert(syria(), language="fr"))
    assert "Ce qui se passe\nDo not travel to Syria due to terrorism" in text


@pytest.mark.parametrize(
    ("codes", "language", "expected"),
    [
        (("FR", "DE"), "en", "🇫🇷🇩🇪 France, Germany — "),
        (("FR", "DE", "IT"), "en", "🇫🇷🇩🇪🇮🇹 France, Germany, Italy — "),
        (("FR", "DE", "IT", "ES"), "en", "🇫🇷🇩🇪🇮🇹 France, Germany, Italy +1 more — "),
        (("FR", "DE", "IT", "ES", "PT"), "en", "France, Germany, Italy +2 more — "),
        (("FR", "DE", "IT", "ES"), "fr", "France, Allemagne, Italie +1 autre — "),
        (("FR", "DE", "IT", "ES", "PT"), "fr", "France, Allemagne, Italie +2 autres — "),
        (("FR", "DE", "IT", "ES", "PT"), "ru", "Франция, Германия, Италия и ещё 2 — "),
        (("FR", "DE", "IT", "ES", "PT"), "ar", "فرنسا، ألمانيا، إيطاليا +2 أخرى — "),
    ],
)
def test_many_countries_are_cut_to_three_names(
    codes: tuple[str, ...], language: str, expected: str, renderer: Renderer
) -> None:
    first = renderer.alert(syria(countries=codes), language=language).split("\n")[0]
    assert expected in first


def test_alert_without_country_names_its_category(renderer: Renderer) -> None:
    """A cyclone at sea is headed by what it is; travel advice with no country (a desk's
    warning for a route) still gives its level."""
    at_sea = syria(countries=(), category=Category.CYCLONE, severity=Severity.HIGH)
    assert renderer.alert(at_sea, language="en").split("\n")[0] == "🟠 Tropical cyclone"
    advice = syria(countries=(), category=Category.SECURITY, severity=Severity.HIGH)
    assert renderer.alert(advice, language="en").split("\n")[0] == (
        "🟠 Security — Reconsider travel"
    )


def test_first_two_lines_fit_a_lock_screen(renderer: Renderer) -> None:
    alert = syria(
        countries=("FR", "DE", "IT", "ES", "PT", "BE"),
        title="Green earthquake alert (Magnitude 4.6M, Depth:10km) in Italy 15/01/2025 10:00 UTC, "
        "few people affected in 100km, aftershocks possible in the coming days",
    )
    for language in SUPPORTED_LANGUAGES:
        message = renderer.alert(alert, language=language)
        first, second = visible(message).split("\n")[:2]
        assert len(first) - len(flags_in(first)) <= 80  # a flag is two code points, one glyph
        assert len(second) <= 100
        assert second.rstrip(PDI).endswith("…")
        assert "aftershocks possible in the coming days" in message  # full title below


def test_long_feed_text_stays_under_telegrams_limit(renderer: Renderer) -> None:
    long = "Avoid the border areas. " * 2000
    alert = syria(summary=long, advice=long, title=long, source_level=long)
    for language in SUPPORTED_LANGUAGES:
        text = visible(
            renderer.alert(alert, language=language, change=Change.TEXT, what_changed=(long,) * 20)
        )
        assert len(text) < TELEGRAM_LIMIT


def test_a_day_without_a_time_is_shown_as_that_day_in_every_timezone(renderer: Renderer) -> None:
    """The State Department dates its items with a day only (read as midnight UTC)."""
    day_only = syria(
        published=datetime(2025, 10, 7, tzinfo=UTC), updated=datetime(2025, 10, 7, tzinfo=UTC)
    )
    for timezone in ("America/New_York", "Asia/Tokyo", "UTC"):
        text = visible(renderer.alert(day_only, language="en", timezone=timezone))
        assert "Published Oct 7, 2025\n" in text + "\n", timezone
        assert "Oct 6" not in text and "12:00" not in text and "8:00" not in text
    moment = syria(published=datetime(2025, 10, 7, 0, 30, tzinfo=UTC))
    text = visible(renderer.alert(moment, language="en", timezone="America/New_York"))
    assert "Published Oct 6, 2025, 8:30\u202fPM" in text  # a real time is the reader's time


def test_a_desks_warning_names_its_organisation_as_the_source(renderer: Renderer) -> None:
    warning = syria(source="desk:7", url="", facts={"organisation": "Acme Travel"})
    assert "Source: Travel desk (Acme Travel)\n" in visible(renderer.alert(warning, language="en"))
    arabic = renderer.alert(warning, language="ar")
    assert f"({FSI}Acme Travel{PDI})" in arabic  # a Latin name keeps its place in Arabic
    assert "Organisation" not in visible(renderer.alert(warning, language="en"))  # not a fact


@pytest.mark.parametrize(
    ("sender", "source_line"),
    [
        ("NWS Lake Charles LA", "Source: CAP (NWS Lake Charles LA)\n"),
        ("w-nws.webmaster@noaa.gov", "Source: CAP\n"),  # an address says little
        ("https://www.krisinformation.se/", "Source: CAP\n"),
    ],
)
def test_a_cap_alert_names_its_sender_as_the_source(
    sender: str, source_line: str, renderer: Renderer
) -> None:
    """One CAP source can relay many agencies (an NWS index, MeteoAlarm)."""
    alert = syria(source="cap", url="", facts={"sender": sender})
    assert source_line in visible(renderer.alert(alert, language="en"))
