"""The desk store: audiences stay inside their organisation; desks hear of official alerts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.desks.audience import AudienceRule
from bot.desks.notices import notify_desks
from bot.desks.trips import DeskTrip
from bot.desks.warning import WarningDraft
from bot.store import alerts as alert_store
from bot.store import chats as chat_store
from bot.store import desks as desk_store
from bot.store.database import Database
from tests.builders import make_alert

NOW = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


async def two_desks(db: Database) -> tuple[int, int]:
    """Acme (travellers 11, 12) and Globex (traveller 12, 21); 12 travels for both."""
    acme = await desk_store.create_organisation(db, "Acme", 1, created_by=99, now=NOW)
    globex = await desk_store.create_organisation(db, "Globex", 2, created_by=99, now=NOW)
    for org, user in ((acme.id, 11), (acme.id, 12), (globex.id, 12), (globex.id, 21)):
        await db.execute(
            "INSERT INTO desk_members (org_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
            (org, user, "traveller", NOW.isoformat()),
        )
    return acme.id, globex.id


def trip(user: int, code: str, starts: int, ends: int) -> DeskTrip:
    return DeskTrip(
        user,
        (code,),
        date.fromordinal(TODAY.toordinal() + starts),
        date.fromordinal(TODAY.toordinal() + ends),
    )


async def test_audience_counts_only_the_organisations_own_trips(db: Database) -> None:
    acme, globex = await two_desks(db)
    await desk_store.add_trips(db, acme, [trip(11, "KE", -1, 3), trip(12, "KE", 0, 2)], now=NOW)
    await desk_store.add_trips(db, globex, [trip(21, "KE", 5, 9)], now=NOW)
    now_only = await desk_store.audience(db, acme, ["KE"], AudienceRule(), today=TODAY)
    assert now_only.recipients == (11, 12)
    globex_now = await desk_store.audience(db, globex, ["KE"], AudienceRule(), today=TODAY)
    assert globex_now.recipients == ()  # 12's trip was Acme's business
    later = await desk_store.audience(db, globex, ["KE"], AudienceRule(days_ahead=7), today=TODAY)
    assert later.arriving == {21}


async def test_trips_of_people_outside_the_organisation_are_refused(db: Database) -> None:
    acme, _ = await two_desks(db)
    assert await desk_store.add_trips(db, acme, [trip(21, "KE", 0, 1)], now=NOW) == [False]


async def test_subscribers_join_the_audience_only_when_asked(db: Database) -> None:
    acme, _ = await two_desks(db)
    await chat_store.register_chat(db, 11, kind="private", language="en", now=NOW)
    await chat_store.register_chat(db, 21, kind="private", language="en", now=NOW)
    await chat_store.subscribe(db, 11, ["KE"], now=NOW)
    await chat_store.subscribe(db, 21, ["KE"], now=NOW)
    assert (
        await desk_store.audience(db, acme, ["KE"], AudienceRule(), today=TODAY)
    ).recipients == ()
    rule = AudienceRule(subscribers=True)
    assert (await desk_store.audience(db, acme, ["KE"], rule, today=TODAY)).recipients == (11,)


async def test_official_alert_queues_one_notice_per_desk_with_travellers_there(
    db: Database,
) -> None:
    acme, globex = await two_desks(db)
    await desk_store.add_trips(db, acme, [trip(11, "DE", -1, 3), trip(12, "DE", 4, 8)], now=NOW)
    await desk_store.add_trips(db, globex, [trip(21, "FR", 0, 3)], now=NOW)
    [recorded] = await alert_store.record_poll(db, "us-state", [make_alert()], now=NOW)
    assert await notify_desks(db, recorded.alert_version_id, now=NOW) == 1
    [notice] = await desk_store.unsent_notices(db)
    assert (notice.org_id, notice.present, notice.arriving) == (acme, 1, 1)
    assert await notify_desks(db, recorded.alert_version_id, now=NOW) == 0  # once only


async def test_desk_warnings_are_never_matched_to_subscribers(db: Database) -> None:
    acme, _ = await two_desks(db)
    await chat_store.register_chat(db, 21, kind="private", language="en", now=NOW)
    await chat_store.subscribe(db, 21, ["DE"], now=NOW)
    draft_id = await desk_store.create_draft(db, acme, 1, WarningDraft(), step=None, now=NOW)
    version = await desk_store.send_broadcast(
        db,
        acme,
        draft_id,
        make_alert(source=f"desk:{acme}"),
        [11],
        check_in_tokens={},
        remind_after=timedelta(hours=1),
        now=NOW,
    )
    assert version is not None
    assert await alert_store.versions_to_fan_out(db) == []
    rows = await db.fetch_all("SELECT chat_id FROM deliveries")
    assert [row[0] for row in rows] == [11]
    assert await notify_desks(db, version, now=NOW) == 0
