import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.alerts import Alert, Category, LocalText, Severity
from bot.sources.serialise import alert_from_json, alert_to_json

FULL = Alert(
    source="gdacs",
    id="TC1000643",
    countries=("MU", "RE"),
    severity=Severity.HIGH,
    source_level="Orange alert",
    category=Category.CYCLONE,
    title="Orange alert for tropical cyclone CALVINIA-19",
    summary="A tropical storm.",
    url="http://www.gdacs.org/report.aspx?eventtype=TC&eventid=1000643",
    published=datetime(2019, 12, 29, 12, tzinfo=UTC),
    updated=datetime(2019, 12, 30, 1, 35, 11, tzinfo=UTC),
    body="A tropical storm.\n\nPopulation affected is 0.",
    advice="Follow local authorities.",
    expires=datetime(2020, 1, 2, tzinfo=UTC),
    starts=datetime(2019, 12, 30, 6, tzinfo=UTC),
    cancelled=True,
    latitude=-19.4,
    longitude=59.8,
    translations={
        "fr": LocalText(
            "Alerte orange", "Une tempête tropicale.", "Orange", "Suivez les autorités."
        ),
        "es": LocalText("Alerta naranja", "Una tormenta tropical."),
    },
    facts={"episode": "12", "event_type": "TC"},
)

MINIMAL = Alert(
    source="us-state",
    id="maldives",
    countries=("MV",),
    severity=Severity.CAUTION,
    source_level="Level 2: Exercise Increased Caution",
    category=Category.ADVISORY,
    title="Maldives - Level 2: Exercise Increased Caution",
    summary="",
    url="",
    published=datetime(2025, 10, 7, tzinfo=UTC),
    updated=datetime(2025, 10, 7, tzinfo=UTC),
)


@pytest.mark.parametrize("alert", [FULL, MINIMAL], ids=["every-field", "defaults"])
def test_round_trip_through_json_text_is_exact(alert):
    data = json.loads(json.dumps(alert_to_json(alert)))
    again = alert_from_json(data)
    assert again == alert
    assert again.version == alert.version


def test_json_has_the_documented_keys_with_iso_utc_dates():
    data = alert_to_json(FULL)
    assert data["version"] == FULL.version
    assert data["published"] == "2019-12-29T12:00:00+00:00"
    assert data["expires"] == "2020-01-02T00:00:00+00:00"
    assert data["severity"] == 3
    assert data["category"] == "cyclone"
    assert data["countries"] == ["MU", "RE"]
    assert data["translations"] == {  # a level and advice only where the source gave them
        "es": {"title": "Alerta naranja", "summary": "Una tormenta tropical."},
        "fr": {
            "title": "Alerte orange",
            "summary": "Une tempête tropicale.",
            "source_level": "Orange",
            "advice": "Suivez les autorités.",
        },
    }
    assert set(data) >= {
        "source", "id", "version", "countries", "severity", "source_level", "category",
        "title", "url", "published", "updated", "summary", "body", "advice", "expires",
        "cancelled", "latitude", "longitude", "translations", "facts",
    }  # fmt: skip


def test_dates_in_other_zones_are_written_in_utc():
    paris = timezone(timedelta(hours=2))
    alert = Alert(**{**_fields(MINIMAL), "published": datetime(2025, 10, 7, 2, tzinfo=paris)})
    data = alert_to_json(alert)
    assert data["published"] == "2025-10-07T00:00:00+00:00"
    assert alert_from_json(data).published == alert.published


def test_missing_required_key_raises_key_error():
    data = alert_to_json(MINIMAL)
    del data["countries"]
    with pytest.raises(KeyError):
        alert_from_json(data)


def test_unknown_category_raises_value_error():
    data = alert_to_json(MINIMAL) | {"category": "meteor"}
    with pytest.raises(ValueError):
        alert_from_json(data)


def _fields(alert: Alert) -> dict:
    return {name: getattr(alert, name) for name in Alert.__dataclass_fields__}


@given(
    countries=st.lists(st.sampled_from(["FR", "DE", "MV", "US"]), unique=True).map(tuple),
    severity=st.sampled_from(list(Severity)),
    category=st.sampled_from(list(Category)),
    title=st.text(),
    body=st.text(),
    moment=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    latitude=st.none() | st.floats(-90, 90),
    facts=st.dictionaries(st.text(min_size=1), st.text(), max_size=4),
)
def test_any_alert_survives_the_round_trip(
    countries, severity, category, title, body, moment, latitude, facts
):
    alert = Alert(
        **{
            **_fields(FULL),
            "countries": countries,
            "severity": severity,
            "category": category,
            "title": title,
            "body": body,
            "published": moment,
            "latitude": latitude,
            "facts": facts,
        }
    )
    assert alert_from_json(json.loads(json.dumps(alert_to_json(alert)))) == alert
