from dataclasses import replace

from bot.alerts import Change, Severity
from bot.store.alerts import load_announcement, record_poll, versions_to_fan_out
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
