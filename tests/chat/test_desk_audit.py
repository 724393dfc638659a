"""Every desk action lands in the audit log admins read: who, what, when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.standin import StandIn
from bot.store import audit
from tests.clock import Clock
from tests.desks.harness import ADMIN, Person, desk_bot, join, organisation, send_all


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn) -> AsyncIterator[BotRuntime]:
    async with desk_bot(tmp_path, standin, Clock()) as bot:
        yield bot


async def test_organisation_invite_and_join_are_audited_with_their_actor(
    runtime: BotRuntime, standin: StandIn
) -> None:
    lead = Person(standin, 611, "lead")
    org = await organisation(runtime, standin, "Audited Ltd", lead)
    traveller = Person(standin, 612, "walker")
    await join(runtime, lead, traveller)

    entries = await audit.recent(runtime.services.db, limit=20)
    by_action = {entry.action: entry for entry in entries}
    assert by_action["desk.org_create"].actor_id == ADMIN
    assert by_action["desk.invite"].actor_id == 611
    assert by_action["desk.join"].actor_id == 612
    assert all(entry.details.get("org") == org for entry in by_action.values())


async def test_desk_changes_and_views_of_travellers_data_are_audited(
    runtime: BotRuntime, standin: StandIn
) -> None:
    lead = Person(standin, 611, "lead")
    deputy = Person(standin, 613, "deputy")
    org = await organisation(runtime, standin, "Audited Ltd", lead)
    await deputy.say("/desk")
    await lead.say("/operator_add @deputy")
    walker = Person(standin, 612, "walker")
    await join(runtime, lead, walker)
    link = await lead.say("/invite")
    invite_id = int(link.text.split("/invite_revoke ")[1].split(".")[0])
    await lead.say(f"/invite_revoke {invite_id}")
    await deputy.say("/trip_add @walker Kenya 2025-10-07 2025-10-09")
    dropped = await lead.say(
        "/broadcast\nTitle: Drop me\nCountries: Kenya\nSeverity: 2\nEvent: x.", answers=2
    )
    await lead.press(dropped, "dsk:drop:1")
    summary = await deputy.say(
        "/broadcast\nTitle: Send me\nCountries: Kenya\nSeverity: 2\nSafety check: yes\nEvent: y.",
        answers=2,
    )
    await deputy.press_and_read(summary, "dsk:send:2")
    await send_all(runtime)
    await lead.say("/roster")
    report = await lead.say("/report 2")
    await lead.press_and_read(report, "dsk:who:2")
    await lead.press(report, "dsk:csv:2")
    await standin.wait_until(lambda: bool(standin.documents), timeout=10)

    entries = await audit.recent(runtime.services.db, limit=50, action_prefix="desk.")
    seen = [(e.action, e.actor_id, dict(e.details)) for e in reversed(entries)]
    expected = [
        ("desk.operator_add", 611, {"org": org, "user": 613}),
        ("desk.invite_revoke", 611, {"org": org, "invite": invite_id}),
        ("desk.trips_import", 613, {"org": org, "accepted": 1, "rejected": 0}),
        ("desk.broadcast_drop", 611, {"org": org, "broadcast": 1}),
        ("desk.broadcast", 613, {"org": org, "broadcast": 2, "recipients": 1}),
        ("desk.roster_view", 611, {"org": org}),
        ("desk.report_view", 611, {"org": org, "broadcast": 2}),
        ("desk.report_view", 611, {"org": org, "broadcast": 2, "listing": "no_answer"}),
        ("desk.report_export", 611, {"org": org, "broadcast": 2}),
    ]
    for entry in expected:
        assert entry in seen, entry
    order = [seen.index(entry) for entry in expected]
    assert order == sorted(order)
    assert sum(action == "desk.broadcast" for action, _, _ in seen) == 1


async def test_refused_attempts_on_another_desk_leave_no_desk_action_behind(
    runtime: BotRuntime, standin: StandIn
) -> None:
    lead, rival = Person(standin, 611, "lead"), Person(standin, 621, "rival")
    acme = await organisation(runtime, standin, "Acme", lead)
    await organisation(runtime, standin, "Globex", rival)
    before = await audit.recent(runtime.services.db, limit=50)
    for command in (f"/roster {acme}", f"/invite {acme}", f"/operator_add {acme} @rival"):
        await rival.say(command)
    assert await audit.recent(runtime.services.db, limit=50) == before
