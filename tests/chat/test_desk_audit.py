"""Every desk action lands in the audit log admins read: who, what, when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.standin import StandIn
from bot.store import audit
from tests.desks.harness import ADMIN, Clock, Person, desk_bot, join, organisation


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


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
