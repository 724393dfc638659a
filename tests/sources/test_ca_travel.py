"""Global Affairs Canada: the real 2014 document, the current schema built from it, and
documents whose keys changed."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts import Alert, Category, Severity
from bot.sources.base import FeedClient, FeedMalformed, SchemaChanged, Validators
from bot.sources.ca_travel import CaTravelAdapter

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "feeds"
    / ("canada-travel-voyage-index-alpha-eng-2014-10-02.json")
)


def sample() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE.read_bytes())
    return document


def parse(document: dict[str, Any]) -> Any:
    return CaTravelAdapter().parse(json.dumps(document).encode(), source="ca-travel")


@pytest.fixture(scope="module")
def by_id() -> dict[str, Alert]:
    feed = CaTravelAdapter().parse(SAMPLE.read_bytes(), source="ca-travel")
    return {alert.id: alert for alert in feed.alerts}


@pytest.mark.parametrize(
    ("key", "country", "severity", "regional"),
    [
        ("AF", "AF", Severity.EXTREME, "no"),  # advisory-state 3
        ("SY", "SY", Severity.EXTREME, "no"),
        ("EG", "EG", Severity.HIGH, "yes"),  # 2, with regional advisories
        ("LB", "LB", Severity.HIGH, "yes"),
        ("MX", "MX", Severity.CAUTION, "yes"),  # 1
        ("TH", "TH", Severity.CAUTION, "yes"),
        ("KE", "KE", Severity.CAUTION, "yes"),
        ("IN", "IN", Severity.CAUTION, "yes"),
        ("RU", "RU", Severity.CAUTION, "yes"),
        ("FR", "FR", Severity.NORMAL, "no"),  # 0
        ("US", "US", Severity.NORMAL, "no"),
        ("PT-20", "PT", Severity.NORMAL, "no"),  # the Azores, an ISO 3166-2 key
        ("IC", "ES", Severity.NORMAL, "no"),  # the Canary Islands: a reserved code, not ISO
    ],
)
def test_each_country_gets_its_level(
    by_id: dict[str, Alert], key: str, country: str, severity: Severity, regional: str
) -> None:
    alert = by_id[key]

    assert alert.countries == (country,)
    assert alert.severity is severity
    assert alert.facts["regional_advisories"] == regional
    assert alert.category is Category.ADVISORY


def test_whole_sample_is_read_without_problems() -> None:
    feed = CaTravelAdapter().parse(SAMPLE.read_bytes(), source="ca-travel")

    assert len(feed.alerts) == len(sample()["data"])
    assert feed.problems == ()


def test_afghanistan_reads_like_the_website(by_id: dict[str, Alert]) -> None:
    alert = by_id["AF"]

    assert alert.title == "Afghanistan travel advice"
    assert alert.source_level == "Avoid all travel"
    assert alert.url == "https://travel.gc.ca/destinations/afghanistan"
    assert alert.published == datetime(2014, 8, 6, 17, 35, 35, tzinfo=UTC)  # 13:35 EDT
    assert alert.summary.startswith("AVOID ALL TRAVEL.")
    assert "The Laws & Culture tab was updated" in alert.summary  # &amp; decoded
    assert alert.facts["update_type"] == "Regular text update"


def test_french_text_is_a_translation_with_entities_decoded(by_id: dict[str, Alert]) -> None:
    french = by_id["AF"].translations["fr"]

    assert french.title == "Conseils aux voyageurs : Afghanistan"
    assert french.summary.startswith("ÉVITEZ TOUT VOYAGE.")
    assert "L’onglet Lois et coutumes a été mis à jour" in french.summary
    assert "&" not in french.summary
    assert by_id["PT-20"].translations["fr"].title == "Conseils aux voyageurs : Açores"


def test_french_readers_get_canadas_french_level_and_advice(by_id: dict[str, Alert]) -> None:
    french, english = by_id["AF"].text_for("fr"), by_id["AF"].text_for("en")

    assert (french.source_level, french.advice) == ("Éviter tout voyage", "Éviter tout voyage.")
    assert (english.source_level, english.advice) == ("Avoid all travel", "Avoid all travel.")
    regional = [alert for alert in by_id.values() if alert.facts["regional_advisories"] == "yes"]
    assert regional, "the sample has countries with regional advisories"
    for alert in regional:
        assert alert.advice.endswith(" Regional advisories also apply.")
        assert alert.text_for("fr").advice.endswith(
            " Des avertissements régionaux s'appliquent aussi."
        )


def test_regional_advisories_are_in_the_advice(by_id: dict[str, Alert]) -> None:
    assert by_id["EG"].advice == "Avoid non-essential travel. Regional advisories also apply."
    assert by_id["FR"].advice == "Take normal security precautions."


def current_schema() -> dict[str, Any]:
    """The 2014 entries reshaped into today's index-updated.json: country-id, country-iso,
    country-eng and country-fra added, the 2014-only keys dropped."""
    document = sample()
    for number, (key, entry) in enumerate(document["data"].items()):
        entry.pop("full-info-url")
        entry.pop("see-other-iso")
        entry["country-id"] = 1000 + number
        entry["country-iso"] = key.split("-")[0]
        entry["country-eng"] = entry["eng"]["name"]
        entry["country-fra"] = entry["fra"]["name"]
    return document


def test_current_schema_gives_the_same_levels_as_2014(by_id: dict[str, Alert]) -> None:
    feed = parse(current_schema())

    assert feed.problems == ()
    for alert in feed.alerts:
        assert alert.countries == by_id[alert.id].countries
        assert alert.severity is by_id[alert.id].severity


def test_country_iso_wins_over_the_key() -> None:
    document = current_schema()
    document["data"] = {"1234": document["data"]["TH"]}

    [alert] = parse(document).alerts

    assert alert.countries == ("TH",)


def test_date_without_timestamp_is_ottawa_time() -> None:
    document = sample()
    entry = document["data"]["AF"]
    del entry["date-published"]["timestamp"]

    alert = next(a for a in parse(document).alerts if a.id == "AF")

    assert alert.published == datetime(2014, 8, 6, 17, 35, 35, tzinfo=UTC)


def test_renamed_advisory_state_is_a_schema_change() -> None:
    document = sample()
    for entry in document["data"].values():
        entry["advisory-level"] = entry.pop("advisory-state")

    with pytest.raises(SchemaChanged, match="'advisory-state' is missing"):
        parse(document)


def test_an_entry_without_date_published_is_dated_by_its_friendly_date() -> None:
    """The 2026 documents of one destination carry "friendly-date" and "update-metadata"
    instead of "date-published" and "recent-updates-type"; an index may follow."""
    document = sample()
    for entry in document["data"].values():
        del entry["date-published"]
        entry["eng"].pop("friendly-date", None)
    document["data"]["FR"]["eng"]["friendly-date"] = "October 5, 2026 07:02 EDT"
    document["data"]["FR"]["update-metadata"] = "Editorial change"
    del document["data"]["FR"]["recent-updates-type"]
    document["data"]["MX"]["eng"]["friendly-date"] = "January 15, 2026 16:30 EST"

    feed = parse(document)

    by_id = {alert.id: alert for alert in feed.alerts}
    assert by_id["FR"].published == datetime(2026, 10, 5, 11, 2, tzinfo=UTC)  # EDT: UTC-4
    assert by_id["MX"].published == datetime(2026, 1, 15, 21, 30, tzinfo=UTC)  # EST: UTC-5
    assert by_id["FR"].facts["update_type"] == "Editorial change"
    assert set(by_id) == {"FR", "MX"}
    assert len(feed.problems) == len(document["data"]) - 2
    assert all("neither date-published nor a friendly-date" in p for p in feed.problems)


def test_a_document_with_no_readable_entry_is_a_schema_change() -> None:
    document = sample()
    for entry in document["data"].values():
        entry["date-published"] = "yesterday"

    with pytest.raises(SchemaChanged, match="no entry could be read"):
        parse(document)


def test_one_destinations_document_says_to_configure_the_index() -> None:
    """data.international.gc.ca also serves each destination alone (cta-cap-fr.json), with
    the entry itself as "data": a source pointed at one gets told which URL to use."""
    entry = sample()["data"]["FR"]
    document = {"metadata": {"generated": {"timestamp": 1791199216}}, "data": entry}

    with pytest.raises(SchemaChanged, match=r"one destination's document.*index-updated.json"):
        parse(document)


@pytest.mark.parametrize(
    "document",
    [
        {"metadata": {}, "countries": {}},
        {"data": []},
        {"data": {}},
        [{"advisory-state": 1}],
    ],
)
def test_unknown_shapes_are_schema_changes(document: Any) -> None:
    with pytest.raises(SchemaChanged):
        CaTravelAdapter().parse(json.dumps(document).encode(), source="ca-travel")


def test_bad_entries_are_skipped_and_reported() -> None:
    document = sample()
    document["data"]["FR"]["advisory-state"] = 7
    del document["data"]["MX"]["eng"]
    document["data"]["ZZ"] = copy.deepcopy(document["data"]["US"])
    document["data"]["ZZ"]["eng"]["name"] = "Atlantis"  # neither its key nor name is a country
    document["data"]["XX"] = "not an entry"

    feed = parse(document)

    ids = {alert.id for alert in feed.alerts}
    assert {"FR", "MX", "ZZ", "XX"}.isdisjoint(ids)
    assert len(ids) == len(sample()["data"]) - 2
    assert sorted(problem.split(":")[0] for problem in feed.problems) == ["FR", "MX", "XX", "ZZ"]


def test_invalid_json_is_malformed() -> None:
    with pytest.raises(FeedMalformed):
        CaTravelAdapter().parse(SAMPLE.read_bytes()[:5000], source="ca-travel")


async def test_poll_reads_the_sample_over_http(feed_server: Any) -> None:
    async with httpx.AsyncClient() as http:
        outcome = await CaTravelAdapter().poll(
            FeedClient(http), feed_server.url(SAMPLE.name), source="ca-travel",
            validators=Validators(),
        )  # fmt: skip

    assert outcome.feed is not None
    assert len(outcome.feed.alerts) == len(sample()["data"])


ODD_VALUES = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.lists(
    st.integers(), max_size=2
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(["advisory-state", "eng", "fra", "date-published", "country-iso"]),
    value=ODD_VALUES | st.dictionaries(st.text(max_size=8), ODD_VALUES, max_size=3),
)
def test_any_odd_value_gives_an_alert_or_a_problem(key: str, value: Any) -> None:
    document = {"data": {"AF": sample()["data"]["AF"], "SY": sample()["data"]["SY"]}}
    document["data"]["AF"][key] = value

    feed = parse(document)

    assert "SY" in {alert.id for alert in feed.alerts}
    assert len(feed.alerts) + len(feed.problems) == 2
