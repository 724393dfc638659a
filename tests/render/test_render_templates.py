"""The other messages: digest, help, subscription list, trip briefing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
import pytest

from bot.alerts import Alert, Category, Change, LocalText, Severity
from bot.i18n import SUPPORTED_LANGUAGES, Catalogs
from bot.render import Renderer, severity_word
from bot.render.renderer import MAX_DIGEST_ITEMS
from bot.standin.html_check import parse_html
from tests.builders import make_alert

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(ROOT / "locales")


@pytest.fixture(scope="module")
def renderer(catalogs: Catalogs) -> Renderer:
    return Renderer(TEMPLATES, catalogs)


def syria() -> Alert:
    return make_alert(
        id="SY",
        countries=("SY",),
        severity=Severity.EXTREME,
        title="Syria - Level 4: Do Not Travel",
        url="https://travel.state.gov/syria",
    )


def quake() -> Alert:
    return make_alert(
        source="gdacs",
        id="EQ1",
        countries=("JP",),
        severity=Severity.HIGH,
        category=Category.EARTHQUAKE,
        title="Orange earthquake <M 6.8> & tsunami risk",
        url="https://www.gdacs.org/report.aspx?eventid=1&eventtype=EQ",
    )


def test_digest_has_a_line_per_alert(renderer: Renderer) -> None:
    items = [(make_alert(), Change.NEW), (syria(), Change.RAISED), (quake(), Change.CANCELLED)]
    message = renderer.digest(items, language="en")
    parsed = parse_html(message)
    lines = parsed.text.split("\n")
    assert lines[0] == "3 travel alerts"
    assert lines[2:] == [
        "🟡 🇩🇪 Germany — Exercise increased caution: Germany - Level 2: Exercise Increased Caution",
        "🔴 🇸🇾 Syria — Do not travel: Syria - Level 4: Do Not Travel (level raised)",
        "✅ 🇯🇵 Japan — Alert cancelled: Orange earthquake <M 6.8> & tsunami risk",
    ]
    assert [s.url for s in parsed.spans if s.kind == "text_link"] == [
        "https://travel.state.gov/germany",
        "https://travel.state.gov/syria",
        "https://www.gdacs.org/report.aspx?eventid=1&eventtype=EQ",
    ]


@pytest.mark.parametrize(
    ("language", "header", "more"),
    [
        ("en", "25 travel alerts", "+5 more alerts"),
        ("fr", "25 alertes voyage", "+5 autres alertes"),
        ("ru", "25 предупреждений", "и ещё 5 предупреждений"),
    ],
)
def test_long_digest_is_cut_with_a_count(
    language: str, header: str, more: str, renderer: Renderer
) -> None:
    items = [(replace(make_alert(), id=str(i)), Change.NEW) for i in range(25)]
    text = parse_html(renderer.digest(items, language=language)).text
    lines = text.split("\n")
    assert lines[0] == header
    assert lines[-1] == more
    assert sum(1 for line in lines if line.startswith("🟡")) == MAX_DIGEST_ITEMS


def test_digest_of_one_alert_is_singular(renderer: Renderer, catalogs: Catalogs) -> None:
    text = parse_html(renderer.digest([(syria(), Change.NEW)], language="fr")).text
    assert text.startswith("1 alerte voyage\n")
    assert "(nouveau)" not in text  # a new alert needs no label


def test_digest_uses_the_readers_language_text(renderer: Renderer) -> None:
    canada = make_alert(
        source="ca-travel",
        title="Germany travel advice",
        translations={"fr": LocalText("Conseils aux voyageurs : Allemagne", "Résumé")},
        facts={"url_fr": "https://voyage.gc.ca/destinations/allemagne"},
    )
    message = renderer.digest([(canada, Change.TEXT)], language="fr")
    assert (
        '<a href="https://voyage.gc.ca/destinations/allemagne">'
        "Conseils aux voyageurs : Allemagne</a> <i>(mis à jour)</i>"
    ) in message


def test_help_lists_the_commands_it_is_given(renderer: Renderer) -> None:
    commands = [("subscribe", "Follow countries"), ("list", "Countries you follow <all>")]
    message = renderer.render("help.j2", language="en", commands=commands)
    text = parse_html(message).text
    assert "/subscribe — Follow countries\n/list — Countries you follow <all>" in text
    assert "&lt;all&gt;" in message


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_help_is_translated(language: str, renderer: Renderer, catalogs: Catalogs) -> None:
    t = catalogs.translator(language)
    text = parse_html(renderer.render("help.j2", language=language, commands=[])).text
    assert text.split("\n")[0].lstrip("\u200f") == t.gettext("Travel alerts")
    assert t.gettext("Commands") in text


def test_subscription_list_shows_countries_and_levels(renderer: Renderer) -> None:
    message = renderer.render(
        "subscriptions.j2",
        language="fr",
        countries=["FR", "SY"],
        levels={"SY": Severity.EXTREME},
        min_severity=Severity.CAUTION,
    )
    assert parse_html(message).text.split("\n") == [
        "Vous suivez 2 pays :",
        "⚪ 🇫🇷 France — Aucun avis en cours",
        "🔴 🇸🇾 Syrie — Formellement déconseillé",
        "",
        "Vous recevez les alertes à partir de ce niveau : Vigilance renforcée",
    ]


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [("en", 1, "You follow 1 country:"), ("ru", 2, "В вашем списке 2 страны:")],
)
def test_subscription_list_counts_with_plurals(
    language: str, count: int, expected: str, renderer: Renderer
) -> None:
    message = renderer.render(
        "subscriptions.j2",
        language=language,
        countries=["FR", "DE"][:count],
        levels={},
        min_severity=Severity.NORMAL,
    )
    assert parse_html(message).text.split("\n")[0] == expected


def test_empty_subscription_list(renderer: Renderer) -> None:
    message = renderer.render(
        "subscriptions.j2", language="de", countries=[], levels={}, min_severity=Severity.NORMAL
    )
    assert message == "Sie folgen noch keinem Land."


def test_trip_briefing(renderer: Renderer, catalogs: Catalogs) -> None:
    message = renderer.render(
        "trip.j2",
        language="en",
        destinations=[("JP", Severity.HIGH), ("FR", None)],
        alerts=[quake()],
        starts=date(2025, 3, 1),
        ends=date(2025, 3, 9),
        timezone="Asia/Tokyo",
    )
    text = parse_html(message).text
    assert text.split("\n") == [
        "Trip briefing",
        "From Mar 1, 2025 to Mar 9, 2025",
        "",
        "Current levels",
        "🟠 🇯🇵 Japan — Reconsider travel",
        "⚪ 🇫🇷 France — No current advisory",
        "",
        "Recent alerts",
        # The country's level is travel advice; the alert is headed by what it is.
        "🟠 🇯🇵 Japan — Earthquake: Orange earthquake <M 6.8> & tsunami risk Oct 7, 2025",
    ]


def test_trip_briefing_without_dates_or_alerts(renderer: Renderer) -> None:
    message = renderer.render(
        "trip.j2",
        language="es",
        destinations=[("MX", Severity.CAUTION)],
        alerts=[],
        starts=None,
        ends=None,
        timezone="UTC",
    )
    text = parse_html(message).text
    assert "🟡 🇲🇽 México — Extreme las precauciones" in text
    assert text.endswith("No hay alertas recientes para estos países.")
    assert "Del " not in text


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_template_renders_valid_telegram_html(language: str, renderer: Renderer) -> None:
    contexts: dict[str, dict[str, object]] = {
        "help.j2": {"commands": [("help", "<help>")]},
        "subscriptions.j2": {
            "countries": ["FR", "DE", "SY", "JP"],
            "levels": {"SY": Severity.EXTREME},
            "min_severity": Severity.HIGH,
        },
        "trip.j2": {
            "destinations": [("SY", Severity.EXTREME)],
            "alerts": [syria(), quake()],
            "starts": date(2025, 3, 1),
            "ends": None,
            "timezone": "UTC",
        },
        "digest.j2": {
            "items": [(syria(), Change.LOWERED), (quake(), Change.NEW)],
            "limit": 1,
            "timezone": "UTC",
        },
    }
    for template, context in contexts.items():
        message = renderer.render(template, language=language, **context)
        parse_html(message)
        assert "\n\n\n" not in message


def test_every_template_documents_its_context() -> None:
    for path in TEMPLATES.glob("*.j2"):
        head = path.read_text(encoding="utf-8").lstrip()
        assert head.startswith("{#"), path.name
        if not path.name.startswith("_"):
            assert "Context:" in head.split("#}")[0], path.name


def test_a_missing_context_variable_fails_loudly(renderer: Renderer) -> None:
    with pytest.raises(jinja2.UndefinedError):
        renderer.render("help.j2", language="en")


def test_unknown_language_renders_in_the_default(renderer: Renderer) -> None:
    message = renderer.render(
        "subscriptions.j2", language="pt-br", countries=[], levels={}, min_severity=Severity.NORMAL
    )
    assert message == "You do not follow any country yet."


def test_severity_word_is_used_in_the_subscription_threshold(
    renderer: Renderer, catalogs: Catalogs
) -> None:
    for language in SUPPORTED_LANGUAGES:
        t = catalogs.translator(language)
        message = renderer.render(
            "subscriptions.j2",
            language=language,
            countries=["FR"],
            levels={},
            min_severity=Severity.HIGH,
        )
        assert severity_word(Severity.HIGH, t) in message


def county(name: str, **overrides: object) -> Alert:
    warning = make_alert(
        source="cap",
        id=f"PL.{name}",
        countries=("PL",),
        severity=Severity.CAUTION,
        category=Category.WEATHER,
        title=f"Yellow Thunderstorm warning issued for Poland - {name} County",
        url=f"https://feeds.meteoalarm.org/{name}",
        facts={"event": "Yellow Thunderstorm warning", "area": f"{name} <County>"},
    )
    return replace(warning, **overrides)


@pytest.mark.parametrize(
    ("language", "level"),
    [
        # a hazard's kind, not a travel level: these are a few counties' thunderstorms
        ("en", "Severe weather · 3 areas"),
        ("fr", "Intempéries · 3 zones"),
        ("ru", None),
        ("ar", None),
    ],
)
def test_warnings_of_one_event_name_it_once_then_their_areas(
    language: str, level: str | None, renderer: Renderer
) -> None:
    items = [(county(name), Change.NEW) for name in ("Tychy", "Zabrze", "Bytom")]
    parsed = parse_html(renderer.digest(items, language=language))  # Telegram's HTML rules
    lines = parsed.text.split("\n")
    assert "Yellow Thunderstorm warning" in lines[0] and "🇵🇱" in lines[0]
    if level is not None:
        assert lines[1] == level
    areas = "".join(c for c in lines[3] if c not in "\u200f\u2068\u2069")  # Arabic's isolates
    assert areas == "Tychy <County>; Zabrze <County>; Bytom <County>"
    assert [s.url for s in parsed.spans if s.kind == "text_link"] == [
        "https://feeds.meteoalarm.org/Tychy"  # the source line, linked to the first
    ]


def test_warnings_that_differ_in_event_level_or_change_are_listed_line_by_line(
    renderer: Renderer,
) -> None:
    alike = [(county("Tychy"), Change.NEW), (county("Zabrze"), Change.NEW)]
    other_event = county("Bytom", facts={"event": "Yellow Wind warning", "area": "Bytom"})
    for odd in (
        (other_event, Change.NEW),
        (county("Bytom", severity=Severity.HIGH), Change.NEW),
        (county("Bytom"), Change.TEXT),
        (county("Bytom", facts={}), Change.NEW),
    ):
        text = parse_html(renderer.digest([*alike, odd], language="en")).text
        assert text.startswith("3 travel alerts\n"), odd


def test_cancelled_warnings_of_one_event_say_so_once(renderer: Renderer) -> None:
    items = [(county(name, cancelled=True), Change.CANCELLED) for name in ("Tychy", "Zabrze")]
    lines = parse_html(renderer.digest(items, language="en")).text.split("\n")
    assert lines[0] == "✅ 🇵🇱 Poland — Yellow Thunderstorm warning"
    assert lines[1] == "Alert cancelled · 2 areas"
    assert not any(line.startswith("Valid until") for line in lines)


def test_warnings_with_one_title_are_headed_by_it_and_name_each_district_once(
    renderer: Renderer,
) -> None:
    """MeteoAlarm's German messages each cover many districts under one title."""
    title = "Yellow Low-temperature Warning issued for Germany"
    facts = {"event": "frost"}
    north = county("N", title=title, facts=facts | {"area": "Kreis Leipzig; Stadt Köln"})
    south = county("S", title=title, facts=facts | {"area": "Stadt Köln; Kreis Passau"})
    lines = parse_html(
        renderer.digest([(north, Change.NEW), (south, Change.NEW)], language="en")
    ).text.split("\n")
    assert lines[0] == f"🟡 🇵🇱 Poland — {title}"
    assert lines[1] == "Severe weather · 3 areas"
    assert lines[3] == "Kreis Leipzig; Stadt Köln; Kreis Passau"


def test_warnings_of_one_event_are_valid_until_the_last_of_them_ends(renderer: Renderer) -> None:
    early, late = datetime(2023, 5, 23, 15, tzinfo=UTC), datetime(2023, 5, 23, 19, tzinfo=UTC)
    ending = [county("Tychy", expires=late), county("Zabrze", expires=early)]
    text = parse_html(renderer.digest([(a, Change.NEW) for a in ending], language="en")).text
    assert text.splitlines()[-1].startswith("Valid until May 23, 2023, 7:00")
    open_ended = [*ending, county("Bytom", expires=None)]
    text = parse_html(renderer.digest([(a, Change.NEW) for a in open_ended], language="en")).text
    assert "Valid until" not in text


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "In effect from May 23, 2023, 1:00"),
        ("fr", "En vigueur à partir du 23 mai 2023, 13:00"),
        ("de", "Gültig ab 23.05.2023, 13:00"),
    ],
)
def test_warnings_issued_ahead_say_when_they_begin(
    language: str, line: str, renderer: Renderer
) -> None:
    """MeteoAlarm issues a warning in the morning for thunderstorms from 13:00: a reader
    must not take it for weather already under way."""
    first, later = datetime(2023, 5, 23, 13, tzinfo=UTC), datetime(2023, 5, 23, 15, tzinfo=UTC)
    ahead = [county("Tychy", starts=later), county("Zabrze", starts=first)]

    single = parse_html(renderer.alert(ahead[1], language=language)).text
    listed = parse_html(renderer.digest([(a, Change.NEW) for a in ahead], language=language))

    assert line in single
    assert line in listed.text  # the first of them to begin
    under_way = [*ahead, county("Bytom", starts=None)]
    text = parse_html(renderer.digest([(a, Change.NEW) for a in under_way], language="en")).text
    assert "In effect from" not in text


def test_warnings_of_one_event_from_two_sources_are_listed_line_by_line(
    renderer: Renderer,
) -> None:
    items = [(county("Tychy"), Change.NEW), (county("Zabrze", source="cap-pl"), Change.NEW)]
    assert parse_html(renderer.digest(items, language="en")).text.startswith("2 travel alerts")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_longest_list_of_warnings_fits_one_telegram_message(
    language: str, renderer: Renderer
) -> None:
    long_name = "Very Long District Name " * 10
    items = [
        (county(f"{n}", facts={"event": "E" * 300, "area": f"{long_name}{n}"}), Change.TEXT)
        for n in range(200)
    ]
    message = renderer.digest(items, language=language)
    assert len(parse_html(message).text) < 4096
