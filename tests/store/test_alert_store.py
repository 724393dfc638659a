import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.alerts import Category, Change, Severity
from bot.sources.cap import CapAdapter
from bot.store.alerts import (
    current_alerts_for,
    load_announcement,
    record_poll,
    record_poll_changes,
    versions_to_fan_out,
)
from bot.store.database import Database
from tests.builders import BASE_TIME, make_alert


async def test_first_poll_announces_every_alert_once(db: Database):
    alerts = [make_alert(), make_alert(id="FR", countries=("FR",), title="France")]
    first = await record_poll(db, "us-state", alerts, now=BASE_TIME)
    again = await record_poll(db, "us-state", alerts, now=BASE_TIME)
    assert [r.announcement.change for r in first] == [Change.NEW, Change.NEW]
    assert again == []


async def test_same_item_twice_in_one_feed_is_one_announcement(db: Database):
    recorded = await record_poll(db, "us-state", [make_alert(), make_alert()], now=BASE_TIME)
    assert len(recorded) == 1


async def test_two_versions_of_one_item_in_one_feed_are_one_announcement_of_the_latest(
    db: Database,
):
    """An event listed twice, an older and a newer episode: one alert, the newer one."""
    older = make_alert(id="TC1", severity=Severity.CAUTION, title="Cyclone, episode 1")
    newer = replace(
        older,
        severity=Severity.EXTREME,
        title="Cyclone, episode 2",
        updated=older.updated + timedelta(hours=6),
    )
    for feed in ([older, newer], [newer, older]):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM alert_versions")
            await conn.execute("DELETE FROM alerts")
        recorded = await record_poll(db, "gdacs", feed, now=BASE_TIME)
        assert [(r.announcement.change, r.announcement.alert.title) for r in recorded] == [
            (Change.NEW, "Cyclone, episode 2")
        ]
        assert await record_poll(db, "gdacs", [newer], now=BASE_TIME) == []


async def test_twins_of_the_same_date_in_either_order_are_the_same_alert(db: Database):
    """The State Department lists some destinations twice (an old and a new page), same
    day, different text: whichever order a poll sees them in, nothing is announced twice."""
    old_page = make_alert(id="tunisia", body="Old page text.", url="https://example.org/old")
    new_page = replace(old_page, body="New page text.", url="https://example.org/new")
    first = await record_poll(db, "us-state", [old_page, new_page], now=BASE_TIME)
    again = await record_poll(db, "us-state", [new_page, old_page], now=BASE_TIME)
    assert [r.announcement.change for r in first] == [Change.NEW]
    assert again == []


async def test_reidentified_item_with_same_content_is_not_news(db: Database):
    await record_poll(db, "us-state", [make_alert(id="GM,advisory")], now=BASE_TIME)
    recorded = await record_poll(db, "us-state", [make_alert(id="GM-advisory-2")], now=BASE_TIME)
    assert recorded == []


async def test_level_going_back_and_forth_is_announced_each_time(db: Database):
    level2 = make_alert()
    level3 = replace(level2, severity=Severity.HIGH, source_level="Level 3: Reconsider Travel")
    changes = []
    for alert in (level2, level3, level2, level3):
        for item in await record_poll(db, "us-state", [alert], now=BASE_TIME):
            changes.append(item.announcement.change)
    assert changes == [Change.NEW, Change.RAISED, Change.LOWERED, Change.RAISED]


async def test_announcement_is_rebuilt_from_the_database(db: Database):
    level2 = make_alert()
    level3 = replace(level2, severity=Severity.HIGH, source_level="Level 3: Reconsider Travel")
    await record_poll(db, "us-state", [level2], now=BASE_TIME)
    [recorded] = await record_poll(db, "us-state", [level3], now=BASE_TIME)
    loaded = await load_announcement(db, recorded.alert_version_id)
    assert loaded is not None
    assert loaded.alert == level3
    assert loaded.change is Change.RAISED
    assert loaded.previous_severity is Severity.CAUTION
    assert recorded.alert_version_id in await versions_to_fan_out(db)


def bushfire(**overrides):
    """A CAP warning for New South Wales that ends two hours after BASE_TIME."""
    fields = {
        "source": "cap",
        "id": "nsw-rfs-1",
        "countries": ("AU",),
        "category": Category.WILDFIRE,
        "severity": Severity.HIGH,
        "title": "Bush fire at Mount Hope",
        "expires": BASE_TIME + timedelta(hours=2),
    }
    return make_alert(**{**fields, **overrides})


async def test_alert_expired_at_poll_time_is_recorded_not_announced(db: Database):
    late = BASE_TIME + timedelta(hours=3)
    changes = await record_poll_changes(db, "cap", [bushfire()], now=late)
    assert changes.announced == [] and changes.expired == []
    assert await versions_to_fan_out(db) == []
    assert await current_alerts_for(db, "AU", now=late) == []
    assert await current_alerts_for(db, "AU", now=BASE_TIME) == [bushfire()]  # it is stored


async def test_live_alert_polled_past_its_expiry_expires_once_and_silently(db: Database):
    [new] = await record_poll(db, "cap", [bushfire()], now=BASE_TIME)
    assert new.announcement.change is Change.NEW
    late = BASE_TIME + timedelta(hours=3)
    first = await record_poll_changes(db, "cap", [bushfire()], now=late)
    assert first.announced == []
    assert [a.change for a in first.expired] == [Change.EXPIRED]
    assert await versions_to_fan_out(db) == [new.alert_version_id]  # nothing more to send
    again = await record_poll_changes(db, "cap", [bushfire()], now=late + timedelta(hours=1))
    assert again.announced == [] and again.expired == []
    assert await current_alerts_for(db, "AU", now=late) == []


async def test_update_after_expiry_is_not_announced(db: Database):
    await record_poll(db, "cap", [bushfire()], now=BASE_TIME)
    worse = bushfire(severity=Severity.EXTREME, summary="Emergency warning.")
    late = BASE_TIME + timedelta(hours=3)
    changes = await record_poll_changes(db, "cap", [worse], now=late)
    assert changes.announced == [] and [a.change for a in changes.expired] == [Change.EXPIRED]
    assert await current_alerts_for(db, "AU", now=late) == []


async def test_alert_gone_from_the_feed_after_expiring_leaves_status(db: Database):
    await record_poll(db, "cap", [bushfire()], now=BASE_TIME)
    late = BASE_TIME + timedelta(hours=3)
    assert await record_poll(db, "cap", [], now=late) == []
    assert await current_alerts_for(db, "AU", now=BASE_TIME + timedelta(hours=1)) == [bushfire()]
    assert await current_alerts_for(db, "AU", now=late) == []
    assert await record_poll(db, "cap", [bushfire()], now=late) == []  # back, still over


async def test_cancellation_after_expiry_still_reaches_those_who_heard(db: Database):
    await record_poll(db, "cap", [bushfire()], now=BASE_TIME)
    late = BASE_TIME + timedelta(hours=3)
    [cancelled] = await record_poll(db, "cap", [bushfire(cancelled=True)], now=late)
    assert cancelled.announcement.change is Change.CANCELLED
    assert cancelled.announcement.previous_severity is Severity.HIGH


async def test_status_keeps_alerts_without_expiry(db: Database):
    await record_poll(db, "us-state", [make_alert()], now=BASE_TIME)
    far = BASE_TIME + timedelta(days=3650)
    assert [a.id for a in await current_alerts_for(db, "DE", now=far)] == ["DE"]


def _nws(identifier: str, *, message_type: str = "Alert", references: tuple[str, ...] = ()) -> dict:
    """An api.weather.gov alert's properties, as the cap adapter reads them."""
    return {
        "properties": {
            "id": identifier,
            "sent": "2026-08-25T10:32:00-05:00" if not references else "2026-08-26T04:14:00-05:00",
            "status": "Actual",
            "messageType": message_type,
            "severity": "Extreme",
            "event": "Hurricane Warning",
            "headline": f"Hurricane Warning ({identifier})",
            "sender": "w-nws.webmaster@noaa.gov",
            "geocode": {"UGC": ["LAZ073"]},
            "expires": "2026-08-27T00:00:00-05:00",
            "references": [
                {"identifier": ref, "sender": "w-nws.webmaster@noaa.gov",
                 "sent": "2026-08-25T10:32:00-05:00"}
                for ref in references
            ],
        }
    }  # fmt: skip


async def test_an_update_that_merges_two_warnings_leaves_one_in_status(db: Database):
    """NWS issues warnings for neighbouring zones side by side, then one update that
    references them all: the update continues the first, and /status no longer lists the
    second as if it were still in force."""

    def poll(*features: dict) -> list:
        body = json.dumps({"features": list(features)}).encode()
        return list(CapAdapter().parse(body, source="nws").alerts)

    now = datetime(2026, 8, 26, 12, 0, tzinfo=UTC)
    first = await record_poll(db, "nws", poll(_nws("A1"), _nws("A2")), now=now)
    merged = poll(_nws("U1", message_type="Update", references=("A1", "A2")))
    second = await record_poll(db, "nws", merged, now=now)

    assert [r.announcement.change for r in first] == [Change.NEW, Change.NEW]
    assert [(r.announcement.alert.id, r.announcement.change) for r in second] == [
        ("A1", Change.TEXT)
    ]
    current = await current_alerts_for(db, "US", now=now)
    assert [(alert.id, alert.facts["message_id"]) for alert in current] == [("A1", "U1")]
