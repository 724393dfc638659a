import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts import Category, Severity
from bot.sources.base import FeedMalformed, SchemaChanged
from bot.sources.usgs import UsgsAdapter, severity_for_magnitude

SAMPLE = Path(__file__).resolve().parents[2] / "feeds" / "usgs-significant_month-2023-10-11.geojson"

# Read off each feature of the sample by hand: id -> (countries, severity, tsunami flag).
# Severity is the PAGER colour; the one feature without PAGER (M5.0) goes by magnitude.
EXPECTED: dict[str, tuple[set[str], int, bool]] = {
    "us6000len8": ({"AF"}, 4, False),  # western Afghanistan, red
    "us6000lec2": ({"PL", "SK"}, 1, False),  # Poland-Slovakia border region, M5.0, no PAGER
    "uw61965081": ({"US"}, 1, True),  # Port Townsend, WA, green
    "us6000ldqf": ({"PG"}, 1, False),
    "us6000ldqd": ({"PG"}, 1, True),
    "us6000ldpv": ({"AF"}, 2, False),  # 35 km NNW of Herāt, yellow
    "us6000ldpm": ({"AF"}, 3, False),  # orange
    "us6000ldph": ({"AF"}, 2, False),
    "us6000ldpg": ({"AF"}, 3, False),
    "us6000ldny": ({"MX"}, 1, False),
    "ak023ctna5d5": ({"US"}, 1, False),  # Anchorage, Alaska
    "us6000lcri": ({"PH"}, 1, False),
    "us6000lcgj": ({"NP"}, 2, False),
    "us6000lc8t": ({"IN"}, 2, False),
    "nc73943821": ({"US"}, 1, True),  # Ferndale, CA
    "nc73938736": ({"US"}, 1, True),  # Westley, CA
    "us7000kwg2": ({"JP"}, 1, False),
    "us7000kv90": ({"PH"}, 1, False),
}


@pytest.fixture(scope="module")
def feed():
    return UsgsAdapter().parse(SAMPLE.read_bytes(), source="usgs")


def test_every_feature_comes_out_with_countries_severity_and_tsunami_flag(feed):
    got = {
        alert.id: (set(alert.countries), int(alert.severity), alert.facts["tsunami"] == "1")
        for alert in feed.alerts
    }
    assert got == EXPECTED
    assert feed.problems == ()
    assert {alert.category for alert in feed.alerts} == {Category.EARTHQUAKE}


def test_an_earthquake_is_normalised_with_times_point_and_facts(feed):
    herat = next(a for a in feed.alerts if a.id == "us6000ldpv")
    assert herat.title == "M 5.9 - 35 km NNW of Herāt, Afghanistan"
    assert herat.published == datetime(2023, 10, 7, 7, 40, 29, 417000, tzinfo=UTC)
    assert herat.updated == datetime(2023, 10, 8, 7, 47, 17, 831000, tzinfo=UTC)
    assert (herat.latitude, herat.longitude) == (34.6391, 62.0327)
    assert herat.source_level == "PAGER yellow"
    assert herat.facts["magnitude"] == "5.9"
    assert herat.facts["depth_km"] == "7.726"
    assert herat.facts["pager_alert"] == "yellow"
    assert herat.url == "https://earthquake.usgs.gov/earthquakes/eventpage/us6000ldpv"
    assert herat.summary.startswith("35 km NNW of Herāt, Afghanistan: magnitude 5.9 (mww)")


def test_the_tsunami_flag_is_named_in_the_title_but_does_not_raise_severity(feed):
    port_townsend = next(a for a in feed.alerts if a.id == "uw61965081")
    assert "tsunami" in port_townsend.title
    assert port_townsend.severity is Severity.NORMAL
    assert "tsunami.gov" in port_townsend.summary


def test_no_pager_falls_back_to_magnitude(feed):
    border = next(a for a in feed.alerts if a.id == "us6000lec2")
    assert border.source_level == "M 5.0"
    assert "pager_alert" not in border.facts


@pytest.mark.parametrize(
    ("magnitude", "severity"),
    [(None, 1), (5.9, 1), (6.0, 2), (6.9, 2), (7.0, 3), (7.99, 3), (8.0, 4), (9.1, 4)],
)
def test_severity_for_magnitude_bands(magnitude, severity):
    assert severity_for_magnitude(magnitude) == severity


def _document(*features: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(**properties: object) -> dict:
    base = {"mag": 7.4, "place": "offshore", "time": 1696984916160, "updated": 1696984916160}
    return {
        "type": "Feature",
        "id": "x1",
        "properties": base | properties,
        "geometry": {"type": "Point", "coordinates": [141.0, 38.3, 40.0]},
    }


def test_a_place_without_a_country_name_uses_the_coordinates():
    (alert,) = UsgsAdapter().parse(_document(_feature(alert=None)), source="usgs").alerts
    assert alert.countries == ("JP",)
    assert alert.severity is Severity.HIGH


@pytest.mark.parametrize(
    ("place", "countries"),
    [
        ("5 km N of Lebanon, Oregon", ("US",)),
        ("3 km SW of Mexico, Missouri", ("US",)),
        ("2 km S of Lebanon, PA", ("US",)),
        ("4 km NW of Jordan, Montana", ("US",)),
        ("10 km S of Santiago, Chile", ("CL",)),
        ("Volcano Islands, Japan region", ("JP",)),
        ("Poland-Slovakia border region", ("PL", "SK")),
        ("East of the South Sandwich Islands", ("GS",)),
    ],
)
def test_the_region_after_the_last_comma_names_the_country_not_the_town(place, countries):
    """Many US towns are named like countries; USGS puts the state after the comma."""
    (alert,) = UsgsAdapter().parse(_document(_feature(place=place)), source="usgs").alerts
    assert alert.countries == countries


def test_a_quake_with_no_country_and_no_position_is_skipped_and_reported():
    feature = _feature(place="southern Pacific Ocean") | {"geometry": None}
    feed = UsgsAdapter().parse(_document(feature), source="usgs")
    assert feed.alerts == ()
    assert len(feed.problems) == 1 and "reaches nobody" in feed.problems[0]


def test_a_deleted_event_is_cancelled():
    (alert,) = UsgsAdapter().parse(_document(_feature(status="deleted")), source="usgs").alerts
    assert alert.cancelled


def test_a_broken_feature_is_skipped_and_reported_while_the_rest_come_through():
    broken = {"type": "Feature", "id": "bad1", "properties": {"mag": 5}}
    feed = UsgsAdapter().parse(_document(broken, "nonsense", _feature()), source="usgs")
    assert [a.id for a in feed.alerts] == ["x1"]
    assert len(feed.problems) == 2
    assert "bad1" in feed.problems[0] and "time" in feed.problems[0]


def test_features_with_values_of_the_wrong_type_are_skipped_and_the_rest_come_through():
    wrong = [
        _feature(alert=1) | {"id": "pager-number"},
        _feature(place=["Japan"]) | {"id": "place-list"},
        _feature(time=1e300) | {"id": "time-overflow"},
        {"type": "Feature", "id": "no-properties", "properties": None},
    ]
    feed = UsgsAdapter().parse(_document(*wrong, _feature()), source="usgs")

    assert [alert.id for alert in feed.alerts] == ["x1"]
    assert [problem.split(":")[0] for problem in feed.problems] == [
        "feature pager-number",
        "feature place-list",
        "feature time-overflow",
        "feature no-properties",
    ]
    assert "'alert' is int, not text" in feed.problems[0]


def test_json_without_features_is_a_schema_change():
    with pytest.raises(SchemaChanged):
        UsgsAdapter().parse(b'{"type": "FeatureCollection"}', source="usgs")
    with pytest.raises(SchemaChanged):
        UsgsAdapter().parse(b"[]", source="usgs")


def test_invalid_json_is_malformed():
    with pytest.raises(FeedMalformed):
        UsgsAdapter().parse(b"<html>502 Bad Gateway</html>", source="usgs")
