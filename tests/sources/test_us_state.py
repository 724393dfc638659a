from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts import Category, Severity
from bot.sources.base import FeedMalformed, SchemaChanged
from bot.sources.us_state import UsStateAdapter, destination_name, parse_level, slug

SAMPLE = (
    Path(__file__).resolve().parents[2] / "feeds" / "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"
)

# Read off each item of the sample by hand: the destination its title names (and, for the
# grouped advisories, what their own text says they cover), in ISO 3166-1 alpha-2.
EXPECTED: dict[str, tuple[set[str], int]] = {
    "Maldives - Level 2: Exercise Increased Caution": ({"MV"}, 2),
    "Equatorial Guinea - Level 2: Exercise Increased Caution": ({"GQ"}, 2),
    "Madagascar - Level 3: Reconsider Travel": ({"MG"}, 3),
    "Antarctica - Level 2: Exercise Increased Caution": ({"AQ"}, 2),
    "Sierra Leone - Level 2: Exercise Increased Caution": ({"SL"}, 2),
    "Nepal - Level 3: Reconsider Travel": ({"NP"}, 3),
    "Armenia - Level 2: Exercise Increased Caution": ({"AM"}, 2),
    "Belarus - Level 4: Do Not Travel": ({"BY"}, 4),
    "Mexico Travel Advisory - Level 2: Exercise Increased Caution": ({"MX"}, 2),
    "Democratic Republic of the Congo - Level 3: Reconsider Travel": ({"CD"}, 3),
    "United Arab Emirates - Level 2: Exercise Increased Caution": ({"AE"}, 2),
    "Cambodia - Level 2: Exercise Increased Caution": ({"KH"}, 2),
    "Thailand - Level 2: Exercise Increased Caution": ({"TH"}, 2),
    "Syria - Level 4: Do Not Travel": ({"SY"}, 4),
    "Iraq - Level 4: Do Not Travel": ({"IQ"}, 4),
    "Rwanda - Level 2: Exercise Increased Caution": ({"RW"}, 2),
    "Libya - Level 4: Do Not Travel": ({"LY"}, 4),
    "Egypt - Level 2: Exercise Increased Caution": ({"EG"}, 2),
    "Nigeria - Level 3: Reconsider Travel": ({"NG"}, 3),
    "Haiti - Level 4: Do Not Travel": ({"HT"}, 4),
    "Mauritania - Level 3: Reconsider Travel": ({"MR"}, 3),
    "Lebanon - Level 4: Do Not Travel": ({"LB"}, 4),
    "India - Level 2: Exercise Increased Caution": ({"IN"}, 2),
    "Marshall Islands - Level 1: Exercise Normal Precautions": ({"MH"}, 1),
    "Mozambique - Level 2: Exercise Increased Caution": ({"MZ"}, 2),
    "Australia - Level 1: Exercise Normal Precautions": ({"AU"}, 1),
    "Liechtenstein - Level 1: Exercise Normal Precautions": ({"LI"}, 1),
    "Germany - Level 2: Exercise Increased Caution": ({"DE"}, 2),
    "Burma (Myanmar) - Level 4: Do Not Travel": ({"MM"}, 4),
    "United Kingdom - Level 2: Exercise Increased Caution": ({"GB"}, 2),
    "Russia - Level 4: Do Not Travel": ({"RU"}, 4),
    "Yemen - Level 4: Do Not Travel": ({"YE"}, 4),
    "Niger - Level 3: Reconsider Travel": ({"NE"}, 3),
    "Kenya - Level 2: Exercise Increased Caution": ({"KE"}, 2),
    "Singapore - Level 1: Exercise Normal Precautions": ({"SG"}, 1),
    "French Guiana - Level 1: Exercise Normal Precautions": ({"GF"}, 1),
    "Gabon - Level 2: Exercise Increased Caution": ({"GA"}, 2),
    "Mainland China, Hong Kong & Macau - See Summaries - Level 2: Exercise Increased Caution": (
        {"CN", "HK", "MO"},
        2,
    ),
    "Hong Kong - Level 2: Exercise Increased Caution": ({"HK"}, 2),
    "Macau - Level 3: Reconsider Travel": ({"MO"}, 3),
    "Ukraine - Level 4: Do Not Travel": ({"UA"}, 4),
    "Greenland - Level 2: Exercise Increased Caution": ({"GL"}, 2),
    "Senegal - Level 1: Exercise Normal Precautions": ({"SN"}, 1),
    "The Gambia - Level 2: Exercise Increased Caution": ({"GM"}, 2),
    # "The Kingdom of Denmark consists of Denmark, the Faroe Islands, and Greenland."
    "Kingdom of Denmark - Level 2: Exercise Increased Caution": ({"DK", "FO", "GL"}, 2),
    "Austria - Level 1: Exercise Normal Precautions": ({"AT"}, 1),
    # "...the islands of Guadeloupe, Martinique, French Saint Martin, and Saint Barthélemy."
    "French West Indies - Level 1: Exercise Normal Precautions": ({"GP", "MQ", "MF", "BL"}, 1),
    "Curaçao - Level 1: Exercise Normal Precautions": ({"CW"}, 1),
    "Sint Eustatius - Level 1: Exercise Normal Precautions": ({"BQ"}, 1),
    "Bonaire - Level 1: Exercise Normal Precautions": ({"BQ"}, 1),
    "Saba - Level 1: Exercise Normal Precautions": ({"BQ"}, 1),
    "Cote d Ivoire - Level 2: Exercise Increased Caution": ({"CI"}, 2),
    "Mali - Level 4: Do Not Travel": ({"ML"}, 4),
    "Sudan - Level 4: Do Not Travel": ({"SD"}, 4),
}


@pytest.fixture(scope="module")
def feed():
    return UsStateAdapter().parse(SAMPLE.read_bytes(), source="us-state")


def test_every_item_comes_out_with_its_countries_and_level(feed):
    got = {alert.title: (set(alert.countries), int(alert.severity)) for alert in feed.alerts}
    assert got == EXPECTED
    assert len(feed.alerts) == 54


def test_the_sample_parses_without_problems(feed):
    assert feed.problems == ()


def test_ids_are_one_per_destination_and_ignore_the_url_scheme(feed):
    ids = {alert.title: alert.id for alert in feed.alerts}
    assert len(set(ids.values())) == len(ids)
    assert ids["Maldives - Level 2: Exercise Increased Caution"] == "maldives"
    assert ids["Antarctica - Level 2: Exercise Increased Caution"] == "antarctica"
    assert ids["Mexico Travel Advisory - Level 2: Exercise Increased Caution"] == "mexico"
    assert ids["Curaçao - Level 1: Exercise Normal Precautions"] == "curacao"


def test_an_advisory_is_normalised_with_level_label_date_and_change_note(feed):
    maldives = next(a for a in feed.alerts if a.id == "maldives")
    assert maldives.source == "us-state"
    assert maldives.category is Category.ADVISORY
    assert maldives.severity is Severity.CAUTION
    assert maldives.source_level == "Level 2: Exercise Increased Caution"
    assert maldives.published == datetime(2025, 10, 7, tzinfo=UTC)
    assert maldives.url.endswith("/maldives-travel-advisory.html")
    assert maldives.summary.startswith("Reissued Language: There were no changes to the")
    assert len(maldives.summary) <= 400
    assert "<" not in maldives.body
    assert "• Tourist locations" in maldives.body
    assert maldives.body.endswith("trip cancelation coverage.")


def test_untidy_titles_are_collapsed(feed):
    kenya = next(a for a in feed.alerts if a.id == "kenya")
    assert kenya.title == "Kenya - Level 2: Exercise Increased Caution"


def test_parsing_twice_gives_the_same_versions():
    body = SAMPLE.read_bytes()
    first = UsStateAdapter().parse(body, source="us-state")
    second = UsStateAdapter().parse(body, source="us-state")
    assert [a.version for a in first.alerts] == [a.version for a in second.alerts]


def _item(title: str, categories: str, description: str = "<p>Note.</p>") -> str:
    return (
        f"<item><title>{title}</title><link>https://example.org/x.html</link>"
        f"<pubDate>Tue, 07 Oct 2025</pubDate><description><![CDATA[{description}]]></description>"
        f"{categories}</item>"
    )


def _feed(*items: str) -> bytes:
    channel = "".join(items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>'.encode()


def test_tag_and_title_that_disagree_keep_both_and_report_it():
    """The 2026 feed tags Slovenia "SV" (FIPS: Svalbard; ISO: El Salvador): neither is the
    title's country, so both are kept, and an admin is told."""
    body = _feed(
        _item(
            "Slovenia - Level 1: Exercise Normal Precautions",
            '<category domain="Threat-Level">Level 1: Exercise Normal Precautions</category>'
            '<category domain="Country-Tag">SV</category>',
        )
    )
    feed = UsStateAdapter().parse(body, source="us-state")
    assert set(feed.alerts[0].countries) == {"SI", "SJ"}
    assert len(feed.problems) == 1
    assert "Country-Tag" in feed.problems[0] and "Slovenia" in feed.problems[0]


@pytest.mark.parametrize(
    ("title", "tag", "country"),
    [
        ("Tunisia", "TN", "TN"),  # FIPS TN is Tonga
        ("Saint Kitts and Nevis", "KN", "KN"),  # FIPS KN is North Korea
        ("Cambodia", "KH", "KH"),  # not a FIPS code at all
        ("Australia", "AU", "AU"),  # FIPS AU is Austria
    ],
)
def test_a_tag_written_in_iso_that_names_the_titles_country_is_read_as_iso(title, tag, country):
    """The 2026 feed writes some tags in ISO 3166 instead of FIPS 10-4."""
    level = '<category domain="Threat-Level">Level 2: Exercise Increased Caution</category>'
    body = _feed(
        _item(f"{title} - Level 2", f'{level}<category domain="Country-Tag">{tag}</category>')
    )

    feed = UsStateAdapter().parse(body, source="us-state")

    assert feed.alerts[0].countries == (country,)
    assert feed.problems == ()


def test_a_level_written_twice_in_the_title_is_shown_once():
    level = '<category domain="Threat-Level">Level 3: Reconsider Travel</category>'
    title = "Israel - Level 3: Reconsider Travel - Level 3: Reconsider Travel"
    body = _feed(_item(title, level + '<category domain="Country-Tag">IS</category>'))

    [alert] = UsStateAdapter().parse(body, source="us-state").alerts

    assert alert.title == "Israel - Level 3: Reconsider Travel"
    assert (alert.id, alert.countries) == ("israel", ("IL",))


def test_a_title_without_letters_takes_its_id_from_its_tags():
    level = '<category domain="Threat-Level">Level 2: Exercise Increased Caution</category>'
    body = _feed(
        _item("🇺🇳", level + '<category domain="Country-Tag">CG</category>'),  # FIPS CG: DR Congo
        _item("Kenya - Level 2", level + '<category domain="Country-Tag">KE</category>'),
    )
    first, second = UsStateAdapter().parse(body, source="us-state").alerts
    assert (first.id, first.countries) == ("cd", ("CD",))
    assert second.id == "kenya"


def test_level_from_the_title_when_there_is_no_threat_level_category():
    body = _feed(
        _item("Mexico Travel Advisory - Level 3", '<category domain="Country-Tag">MX</category>')
    )
    (alert,) = UsStateAdapter().parse(body, source="us-state").alerts
    assert alert.severity is Severity.HIGH
    assert alert.source_level == "Level 3: Reconsider Travel"


def test_an_item_without_a_readable_pubdate_is_dated_by_dc_date_else_the_channel():
    tag = '<category domain="Country-Tag">NP</category>'
    undated = _item("Nepal - Level 3: Reconsider Travel", tag).replace(
        "<pubDate>Tue, 07 Oct 2025</pubDate>", "<pubDate>soon</pubDate>"
    )
    with_dc_date = undated.replace(
        "</item>",
        '<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2025-10-06</dc:date></item>',
    )
    channel_date = "<pubDate>Sun, 05 Oct 2025 08:00:00 GMT</pubDate>"

    def published(item: str) -> datetime:
        body = _feed(channel_date + item)
        (alert,) = UsStateAdapter().parse(body, source="us-state").alerts
        return alert.published

    assert published(with_dc_date) == datetime(2025, 10, 6, tzinfo=UTC)
    assert published(undated) == datetime(2025, 10, 5, 8, tzinfo=UTC)
    no_date_at_all = UsStateAdapter().parse(_feed(undated), source="us-state")
    assert no_date_at_all.alerts == ()
    assert "no readable pubDate" in no_date_at_all.problems[0]


def test_a_bad_item_is_skipped_and_reported_while_the_rest_come_through():
    body = _feed(
        _item("Worldwide Caution", ""),
        _item("Atlantis - Level 4: Do Not Travel", ""),
        _item("Nepal - Level 3: Reconsider Travel", '<category domain="Country-Tag">NP</category>'),
    )
    feed = UsStateAdapter().parse(body, source="us-state")
    assert [a.countries for a in feed.alerts] == [("NP",)]
    assert len(feed.problems) == 2
    assert "Worldwide Caution" in feed.problems[0] and "level" in feed.problems[0]
    assert "Atlantis" in feed.problems[1] and "country" in feed.problems[1]


def test_rss_without_a_channel_is_a_schema_change():
    with pytest.raises(SchemaChanged):
        UsStateAdapter().parse(b"<rss version='2.0'><item/></rss>", source="us-state")
    with pytest.raises(SchemaChanged):
        UsStateAdapter().parse(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", source="us-state")


def test_html_instead_of_xml_is_malformed():
    with pytest.raises(FeedMalformed):
        UsStateAdapter().parse(b"<html><body>Service Unavailable<br></body></html>", source="x")


def test_an_empty_channel_is_no_alerts_not_an_error():
    assert UsStateAdapter().parse(_feed(), source="us-state").alerts == ()


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Kenya  - Level 2: Exercise Increased Caution", "Kenya"),
        ("Mexico Travel Advisory - Level 2", "Mexico"),
        (
            "Mainland China, Hong Kong & Macau - See Summaries - Level 2: X",
            "Mainland China, Hong Kong & Macau",
        ),
        ("Burma (Myanmar) - Level 4: Do Not Travel", "Burma (Myanmar)"),
        ("Mexico Level 2", "Mexico"),
    ],
)
def test_destination_name_is_read_from_the_title(title, name):
    assert destination_name(" ".join(title.split())) == name


def test_level_and_slug_helpers():
    assert parse_level("Level 4: Do Not Travel").number == 4
    assert parse_level("Level 2").label == "Exercise Increased Caution"
    assert parse_level("Worldwide Caution") is None
    assert slug("Cote d Ivoire") == slug("Côte d'Ivoire") == "cote-d-ivoire"
