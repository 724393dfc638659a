"""CAP served as JSON, read by the `cap` adapter like CAP XML: the US NWS alerts API and,
at the end, MeteoAlarm's API.

No capture of api.weather.gov is in feeds/: the documents below follow its published
shape (GeoJSON FeatureCollection, one feature per alert; JSON-LD "@graph"; one feature
for /alerts/{id}), with its quirks: references as objects, geocodes as lists, polygon
points [lon, lat], no language field, "@id" as the only link.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.alerts import Category, Severity
from bot.sources.base import FeedClient, FeedMalformed, SchemaChanged, Validators
from bot.sources.cap import CapAdapter

API = "https://api.weather.gov/alerts/"
SENDER = "w-nws.webmaster@noaa.gov"


def properties(identifier: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "@id": API + identifier,
        "@type": "wx:Alert",
        "id": identifier,
        "areaDesc": "Bexar; Guadalupe; Comal",
        "geocode": {"SAME": ["048029", "048187", "048091"], "UGC": ["TXZ205", "TXZ206"]},
        "affectedZones": ["https://api.weather.gov/zones/forecast/TXZ205"],
        "references": [],
        "sent": "2026-05-04T23:15:00-05:00",
        "effective": "2026-05-04T23:15:00-05:00",
        "onset": "2026-05-04T23:15:00-05:00",
        "expires": "2026-05-05T00:00:00-05:00",
        "ends": None,
        "status": "Actual",
        "messageType": "Alert",
        "category": "Met",
        "severity": "Severe",
        "certainty": "Observed",
        "urgency": "Immediate",
        "event": "Severe Thunderstorm Warning",
        "sender": SENDER,
        "senderName": "NWS Austin/San Antonio TX",
        "headline": "Severe Thunderstorm Warning issued May 4 at 11:15PM CDT by NWS Austin/San"
        " Antonio TX",
        "description": "At 1114 PM CDT, a severe thunderstorm was located over\nNew Braunfels,"
        " moving east at 25 mph.\n\nHAZARD...60 mph wind gusts.",
        "instruction": "For your protection move to an interior room on the lowest floor.",
        "response": "Shelter",
        "parameters": {"NWSheadline": ["SEVERE THUNDERSTORM WARNING"], "VTEC": ["/O.NEW/"]},
    }
    base.update(fields)
    return base


SQUARE = {  # around New Braunfels, TX, as GeoJSON writes it: [lon, lat]
    "type": "Polygon",
    "coordinates": [[[-98.2, 29.6], [-98.0, 29.6], [-98.0, 29.8], [-98.2, 29.8], [-98.2, 29.6]]],
}
FIRST = "urn:oid:2.49.0.1.840.0.aaa.001.1"
UPDATE = "urn:oid:2.49.0.1.840.0.bbb.001.1"


def feature(props: dict[str, Any], geometry: Any = None) -> dict[str, Any]:
    return {"id": props["@id"], "type": "Feature", "geometry": geometry, "properties": props}


COLLECTION = {
    "@context": ["https://geojson.org/geojson-ld/geojson-context.jsonld", {"@version": "1.1"}],
    "type": "FeatureCollection",
    "features": [
        feature(properties(FIRST), SQUARE),
        feature(
            properties(
                UPDATE,
                messageType="Update",
                severity="Extreme",
                sent="2026-05-04T23:40:00-05:00",
                references=[
                    {
                        "@id": API + FIRST,
                        "identifier": FIRST,
                        "sender": SENDER,
                        "sent": "2026-05-04T23:15:00-05:00",
                    },
                ],
            )
        ),
        feature(
            properties(
                "urn:oid:2.49.0.1.840.0.guam.001.1",
                areaDesc="Guam",
                geocode={"UGC": ["GUZ001"]},
                event="Flood Watch",
                severity="Moderate",
            )
        ),
        feature(properties("urn:oid:2.49.0.1.840.0.test.001.1", status="Test")),
        feature(properties("urn:oid:2.49.0.1.840.0.bad.001.1", sent=None)),
    ],
    "title": "Current watches, warnings, and advisories for the United States",
    "updated": "2026-05-05T04:45:00+00:00",
}


def parse(document: Any) -> Any:
    return CapAdapter().parse(json.dumps(document).encode(), source="nws")


def test_each_alert_of_the_geojson_answer_is_read_as_cap() -> None:
    feed = parse(COLLECTION)

    first, update, guam = feed.alerts
    assert first.id == FIRST
    assert update.id == FIRST  # an Update replaces the message it references
    assert guam.countries == ("GU",)
    assert [alert.countries for alert in (first, update)] == [("US",), ("US",)]
    assert [alert.severity for alert in feed.alerts] == [
        Severity.HIGH,
        Severity.EXTREME,
        Severity.CAUTION,
    ]
    assert first.category is Category.WEATHER and guam.category is Category.FLOOD
    assert feed.problems == ("feature 4: an alert without an id or a sent time",)


@pytest.mark.parametrize(
    ("references", "chain"),
    [
        (f"{SENDER},{FIRST},2026-05-04T23:15:00-05:00", FIRST),  # CAP's own way of writing
        (1, UPDATE),  # unusable: the update still comes through, as a message of its own
        ({"identifier": FIRST}, UPDATE),
        (None, UPDATE),
    ],
)
def test_references_in_another_shape_do_not_lose_the_update(references: Any, chain: str) -> None:
    update = properties(UPDATE, messageType="Update", references=references)

    feed = parse({"type": "FeatureCollection", "features": [feature(update)]})

    assert [alert.id for alert in feed.alerts] == [chain]
    assert feed.problems == ()


def test_an_alert_reads_like_its_cap_document() -> None:
    first = parse(COLLECTION).alerts[0]

    assert first.title.startswith("Severe Thunderstorm Warning issued May 4")
    assert first.summary.startswith("At 1114 PM CDT, a severe thunderstorm was located over")
    assert first.advice == "For your protection move to an interior room on the lowest floor."
    assert first.url == API + FIRST
    assert first.published == datetime(2026, 5, 5, 4, 15, tzinfo=UTC)
    assert first.expires == datetime(2026, 5, 5, 5, 0, tzinfo=UTC)
    assert first.facts["area"] == "Bexar; Guadalupe; Comal"
    # GeoJSON writes [lon, lat]: the centre is New Braunfels, not the Antarctic.
    assert first.latitude == pytest.approx(29.7) and first.longitude == pytest.approx(-98.1)


def test_json_ld_and_a_single_alert_give_the_same_alerts() -> None:
    graph = {"@graph": [item["properties"] for item in COLLECTION["features"]]}
    single = COLLECTION["features"][2]

    assert [alert.id for alert in parse(graph).alerts] == [FIRST, FIRST, single["id"][len(API) :]]
    assert parse(single).alerts == (parse(COLLECTION).alerts[2],)


def test_a_cancel_withdraws_the_alert() -> None:
    cancel = copy.deepcopy(COLLECTION["features"][1])
    cancel["properties"]["messageType"] = "Cancel"

    [alert] = parse({"type": "FeatureCollection", "features": [cancel]}).alerts

    assert alert.id == FIRST and alert.cancelled


@pytest.mark.parametrize(
    "document", [{"type": "FeatureCollection"}, {"alerts": []}, [1, 2], {"features": "none"}]
)
def test_json_of_another_shape_is_a_schema_change(document: Any) -> None:
    with pytest.raises(SchemaChanged, match="NWS alerts API"):
        parse(document)


def test_broken_json_is_malformed() -> None:
    with pytest.raises(FeedMalformed):
        CapAdapter().parse(b'{"features": [', source="nws")


async def test_poll_reads_the_api_over_http(feed_server: Any) -> None:
    url = feed_server.add(
        "/alerts/active", json.dumps(COLLECTION).encode(), content_type="application/geo+json"
    )
    async with httpx.AsyncClient() as http:
        outcome = await CapAdapter().poll(
            FeedClient(http), url, source="nws", validators=Validators()
        )

    assert outcome.feed is not None
    assert [alert.id for alert in outcome.feed.alerts] == [
        FIRST,
        FIRST,
        COLLECTION["features"][2]["properties"]["id"],
    ]
    assert outcome.documents_fetched == 1


def test_a_broken_feature_is_reported_and_a_broken_shape_only_loses_the_position() -> None:
    broken_shape = copy.deepcopy(COLLECTION["features"][0])
    broken_shape["geometry"] = {"type": "Polygon", "coordinates": [[["west", None], [1]]]}
    document = {"features": [{"properties": ["not", "an", "object"]}, "text", broken_shape]}

    feed = parse(document)

    [alert] = feed.alerts
    assert alert.id == FIRST and alert.countries == ("US",)
    assert alert.latitude is None and alert.longitude is None
    assert feed.problems == ("feature 0: not an object", "feature 1: not an object")


# MeteoAlarm's API (feeds.meteoalarm.org/api/v1/warnings/feeds-<country>): a real answer
# is among the captures (tests/sources/captures/cap12-ba-meteoalarm-api-json-*.json);
# these build the shapes it allows around one warning.
def meteoalarm_alert(identifier: str, **fields: Any) -> dict[str, Any]:
    def info(language: str, headline: str) -> dict[str, Any]:
        return {
            "language": language,
            "category": ["Met"],
            "event": "Wind Yellow Warning",
            "headline": headline,
            "description": "Wind gusts 50-70 km/h.",
            "severity": "Moderate",
            "certainty": "Likely",
            "urgency": "Future",
            "expires": "2024-01-07T23:59:59+01:00",
            "parameter": [{"valueName": "awareness_level", "value": "2; yellow; Moderate"}],
            "area": [
                {"areaDesc": "Trebinje", "geocode": [{"valueName": "EMMA_ID", "value": "BA008"}]}
            ],
        }

    alert: dict[str, Any] = {
        "identifier": identifier,
        "sender": "https://rhmzrs.com/",
        "sent": "2024-01-05T08:39:49+01:00",
        "status": "Actual",
        "msgType": "Alert",
        "scope": "Public",
        "info": [
            info("bs", "Vjetar žuto upozorenje - region Trebinje"),
            info("en", "Wind Yellow Warning for Bosnia and Herzegovina - region Trebinje"),
        ],
    }
    return alert | fields


def meteoalarm(*alerts: dict[str, Any]) -> bytes:
    return json.dumps(
        {"warnings": [{"alert": alert, "uuid": f"uuid-{n}"} for n, alert in enumerate(alerts)]}
    ).encode()


def test_meteoalarms_json_reads_like_cap_with_the_english_block_first() -> None:
    [alert] = CapAdapter().parse(meteoalarm(meteoalarm_alert("BA.1")), source="cap").alerts

    assert alert.id == "BA.1"
    assert alert.countries == ("BA",)
    assert alert.severity is Severity.CAUTION
    assert alert.category is Category.WEATHER
    assert alert.title == "Wind Yellow Warning for Bosnia and Herzegovina - region Trebinje"
    assert alert.translations["bs"].title == "Vjetar žuto upozorenje - region Trebinje"
    assert alert.expires == datetime(2024, 1, 7, 22, 59, 59, tzinfo=UTC)


def test_json_messages_not_for_the_public_are_ignored() -> None:
    restricted = meteoalarm_alert("BA.2", scope="Restricted")
    answer = meteoalarm(meteoalarm_alert("BA.1"), restricted)
    assert [alert.id for alert in CapAdapter().parse(answer, source="cap").alerts] == ["BA.1"]

    private = properties(UPDATE, scope="Private")
    feed = parse({"type": "FeatureCollection", "features": [feature(private)]})
    assert (feed.alerts, feed.problems) == ((), ())


def test_meteoalarms_update_keeps_the_first_message_id_and_a_cancel_withdraws() -> None:
    references = "https://rhmzrs.com/,BA.1,2024-01-05T08:39:49+01:00"
    update = meteoalarm_alert("BA.2", msgType="Update", references=references)
    cancel = meteoalarm_alert("BA.3", msgType="Cancel", references=references)

    first, second = CapAdapter().parse(meteoalarm(update, cancel), source="cap").alerts

    assert (first.id, first.cancelled) == ("BA.1", False)
    assert (second.id, second.cancelled) == ("BA.1", True)


def test_one_meteoalarm_alert_and_single_values_where_lists_are_usual() -> None:
    alert = meteoalarm_alert("BA.1")
    for block in alert["info"]:
        block["category"] = "Met"  # one value, not a list
        block["area"] = {  # one area, not a list, with a polygon and no geocode
            "areaDesc": "Trebinje",
            "polygon": ["42.7,18.3 42.8,18.4 42.6,18.5 42.7,18.3"],
        }
    body = json.dumps({"alert": alert}).encode()

    [read] = CapAdapter().parse(body, source="cap").alerts

    assert read.category is Category.WEATHER
    assert read.countries == ("BA",)  # from the polygon's centre
    assert read.latitude == pytest.approx(42.7, abs=0.05)


def test_a_broken_meteoalarm_warning_is_reported_and_the_others_are_read() -> None:
    body = meteoalarm(
        meteoalarm_alert("BA.1"),
        meteoalarm_alert("", sent=""),
        meteoalarm_alert("BA.3", status="Test"),
        meteoalarm_alert("BA.4"),
    )

    feed = CapAdapter().parse(body, source="cap")

    assert [alert.id for alert in feed.alerts] == ["BA.1", "BA.4"]  # a test message is none
    [problem] = feed.problems
    assert "warning 1" in problem and "identifier" in problem


def test_meteoalarms_json_awareness_level_raises_the_cap_severity() -> None:
    orange = meteoalarm_alert("BA.1")
    for block in orange["info"]:
        block["parameter"] = [{"valueName": "awareness_level", "value": "3; orange; Severe"}]

    [alert] = CapAdapter().parse(meteoalarm(orange), source="cap").alerts

    assert alert.severity is Severity.HIGH


def test_every_shape_of_a_meteoalarm_area_places_it_as_in_cap_xml() -> None:
    alert = meteoalarm_alert("BA.1")
    for block in alert["info"]:
        block["area"] = [
            {
                "areaDesc": "Border",
                "polygon": [
                    "43.85,18.35 43.86,18.45 43.80,18.40 43.85,18.35",  # near Sarajevo
                    "45.80,15.95 45.82,16.05 45.78,16.00 45.80,15.95",  # near Zagreb
                ],
            }
        ]

    [read] = CapAdapter().parse(meteoalarm(alert), source="cap").alerts

    assert read.countries == ("BA", "HR")
    assert read.latitude == pytest.approx(43.84, abs=0.05)  # the first shape's centre
