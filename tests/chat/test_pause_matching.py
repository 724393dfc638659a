"""What a traveller sets in chat decides what is queued: /pause stops everything, and
"level changes only" skips text-only updates."""

from __future__ import annotations

from collections.abc import Callable

from bot.alerts import Severity
from bot.app import BotRuntime
from bot.matching import fan_out_pending
from bot.store.alerts import record_poll
from bot.store.database import Database
from tests.builders import make_alert
from tests.chat.conftest import Traveller
from tests.clock import START

Travellers = Callable[..., Traveller]


async def queued_for(db: Database, chat_id: int) -> int:
    return int(
        await db.fetch_value("SELECT count(*) FROM deliveries WHERE chat_id = ?", (chat_id,))
    )


async def announce(db: Database, **changes: object) -> None:
    """A poll that finds Germany's advisory (new, or changed), fanned out to readers."""
    await record_poll(db, "us-state", [make_alert(**changes)], now=START)
    await fan_out_pending(db, now=START)


async def test_paused_chat_gets_nothing_queued_until_it_resumes(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    db = runtime.services.db
    paused, listening = traveller(1400), traveller(1401)
    for reader in (paused, listening):
        await reader.say("/subscribe Germany")
    await paused.say("/pause")
    await announce(db)
    assert await queued_for(db, 1400) == 0
    assert await queued_for(db, 1401) == 1

    await paused.say("/resume")
    await announce(db, severity=Severity.HIGH, source_level="Level 3: Reconsider Travel")
    assert await queued_for(db, 1400) == 1


async def test_level_changes_only_skips_text_updates(
    runtime: BotRuntime, traveller: Travellers
) -> None:
    db = runtime.services.db
    levels_only, everything = traveller(1402), traveller(1403)
    for reader in (levels_only, everything):
        await reader.say("/subscribe Germany")
    menu = await levels_only.say("/settings")
    screen = await levels_only.press_and_see(menu, "set:u")
    await levels_only.press_and_see(screen, "set:u:levels")
    await announce(db)
    assert (await queued_for(db, 1402), await queued_for(db, 1403)) == (1, 1)

    await announce(db, body="Summary\n\nReworded: exercise increased caution in Germany.")
    assert (await queued_for(db, 1402), await queued_for(db, 1403)) == (1, 2)

    await announce(db, severity=Severity.HIGH, source_level="Level 3: Reconsider Travel")
    assert (await queued_for(db, 1402), await queued_for(db, 1403)) == (2, 3)
