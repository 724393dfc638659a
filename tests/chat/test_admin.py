"""Admin commands through the real bot and the stand-in: only admins can use them, and
every change they make is audited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import BotRuntime, build_runtime
from bot.config import SourceConfig
from bot.standin import StandIn
from bot.store import admin as admin_store
from bot.store import audit, outbox
from bot.store import chats as chat_store
from bot.store import sources as source_store
from tests.chat.conftest import Traveller, chat_settings
from tests.clock import Clock
from tests.conftest import FEEDS_DIR, FeedServer

ADMIN = 900
ADMIN_COMMANDS = (
    "/admin",
    "/stats",
    "/sources",
    "/source_pause us-state",
    "/source_resume us-state",
    "/poll us-state",
    "/user 700",
    "/block 700",
    "/unblock 700",
    "/dead",
    "/dead retry all",
    "/announce Hello",
    "/audit",
    "/orgs",
    "/org_owner 1 700",
    "/org_owner_remove 1 700",
    "/org_create Acme 700",
)
STATE_FEED = "/us-state-dept-TAsTWs-2025-10-07.trimmed.xml"


@pytest.fixture
async def runtime(
    tmp_path: Path, standin: StandIn, clock: Clock, feed_server: FeedServer
) -> AsyncIterator[BotRuntime]:
    settings = replace(
        chat_settings(tmp_path, standin),
        admin_ids=frozenset({ADMIN}),
        sources=(SourceConfig("us-state", "us-state", feed_server.url(STATE_FEED)),),
    )
    bot = await build_runtime(settings, clock=clock)
    await bot.start(schedule=False)
    yield bot
    await bot.stop()


@pytest.fixture
def admin(traveller: Callable[..., Traveller]) -> Traveller:
    return traveller(ADMIN)


async def quiet_for(standin: StandIn, chat_id: int, seconds: float = 0.3) -> bool:
    """True when the bot said nothing to `chat_id` for `seconds`."""
    before = len(standin.messages_to(chat_id))
    await asyncio.sleep(seconds)
    return len(standin.messages_to(chat_id)) == before


async def test_non_admin_gets_the_unknown_command_answer_for_every_admin_command(
    runtime: BotRuntime, traveller: Callable[..., Traveller]
) -> None:
    stranger = traveller(701)
    unknown = (await stranger.say("/zzzz")).text
    for command in ADMIN_COMMANDS:
        name = command.split()[0]
        answer = await stranger.say(command)
        assert answer.text == unknown.replace("/zzzz", name), command
        assert answer.reply_markup is None
    assert await audit.recent(runtime.services.db) == []
    assert await admin_store.get_block(runtime.services.db, 700) is None


async def test_admin_commands_in_a_group_are_unknown_there(
    runtime: BotRuntime, standin: StandIn
) -> None:
    for text in ("/zzzz", "/stats", "/dead drop all"):
        standin.user_message(-100500, text, user_id=ADMIN, chat_type="group")
        assert await quiet_for(standin, -100500, 0.3)  # as silent as for an unknown command
    assert await audit.recent(runtime.services.db) == []


async def test_stats_show_chats_subscriptions_alerts_deliveries_and_delay(
    runtime: BotRuntime,
    admin: Traveller,
    traveller: Callable[..., Traveller],
    standin: StandIn,
    clock: Clock,
) -> None:
    await traveller(701).say("/subscribe Germany, Mexico")
    await traveller(701).say("/trip Japan 2026-12-01 2026-12-15")  # a personal trip
    await traveller(702).say("/subscribe Germany")
    await traveller(703).say("/subscribe Germany")
    await traveller(704).say("/subscribe Mexico")
    # a desk with one trip and one warning, which is no source of alerts
    await admin.say("/org_create Acme 801")
    link = (await traveller(801).say("/invite")).text
    await traveller(802).say("/start join_" + link.split("start=join_")[1].split()[0])
    await traveller(801).say("/trip_add 802 Germany 2025-10-07 2025-10-09")
    preview = await traveller(801).say_and_wait(
        "/broadcast\nTitle: Desk note\nCountries: Germany\nSeverity: 2\nEvent: x.", 2
    )
    await traveller(801).press_and_read(preview[1], "dsk:send:1")
    await runtime.dispatcher.drain()

    standin.fail_next("sendMessage", chat_id=703, error_code=400, description="Bad Request: x")
    standin.deactivate(704)  # sends to 704 get 403: a failed delivery, a gone chat
    # 702's first try meets a server error: its message goes on the retry, half an hour on.
    standin.fail_next("sendMessage", chat_id=702, error_code=500, description="Internal")
    await runtime.poll_all()
    clock.advance(seconds=30)
    await runtime.dispatcher.drain()
    clock.advance(minutes=30)
    await runtime.dispatcher.drain()

    answer = (await admin.say("/stats")).text
    versions = await runtime.services.db.fetch_value(
        "SELECT count(*) FROM alert_versions WHERE source = 'us-state'"
    )
    assert versions > 0
    for line in (
        "Chats: 6 active, 1 gone, 0 blocked by admins",  # 701-703, 801, 802 and the admin
        "DE 3",
        "MX 2",
        "Trips: 2",  # 701's own and the desk's
        "Organisations: 1",
        f"• us-state: {versions} / {versions}",
        "Deliveries: 4 sent, 0 waiting, 1 failed, 1 dead",  # 3 alerts and the desk's warning
        "(7 days, 3 messages): median 30 s, 95% within 30 min",
    ):
        assert line in answer, (line, answer)
    assert "desk" not in answer and "announcement" not in answer

    clock.advance(days=2)
    assert f"• us-state: 0 / {versions}" in (await admin.say("/stats")).text
    clock.advance(days=6)
    later = (await admin.say("/stats")).text
    assert "us-state" not in later and "none this week" in later and "median" not in later


async def test_pause_and_resume_a_source_is_honoured_and_audited(
    runtime: BotRuntime, admin: Traveller
) -> None:
    answer = await admin.say("/source_pause us-state")
    assert "paused" in answer.text
    assert (await source_store.get_health(runtime.services.db, "us-state")).paused
    assert [report.status for report in await runtime.poll_all()] == ["skipped"]

    await admin.say("/source_resume us-state")
    assert not (await source_store.get_health(runtime.services.db, "us-state")).paused
    actions = [entry.action for entry in await audit.recent(runtime.services.db)]
    assert actions == ["source.resume", "source.pause"]
    log = (await admin.say("/audit")).text
    assert "source.pause" in log and str(ADMIN) in log


async def test_unknown_source_name_is_escaped_and_lists_the_known_ones(
    runtime: BotRuntime, admin: Traveller
) -> None:
    answer = await admin.say("/source_pause <b>nope</b>")
    assert "<b>nope</b>" in answer.plain_text and "us-state" in answer.text


async def test_poll_now_polls_the_source_and_reports(
    runtime: BotRuntime, admin: Traveller, feed_server: FeedServer
) -> None:
    await source_store.set_paused(runtime.services.db, "us-state", True)
    first, result = await admin.say_and_wait("/poll us-state", 2)
    assert "Polling" in first.text
    assert "us-state: ok" in result.text
    assert feed_server.requests[STATE_FEED] == 1
    assert "source.poll" in [e.action for e in await audit.recent(runtime.services.db)]


async def test_sources_show_health_of_each_source(
    runtime: BotRuntime, admin: Traveller, feed_server: FeedServer
) -> None:
    feed_server.fail(STATE_FEED, 503)
    await runtime.poll_all()
    answer = (await admin.say("/sources")).text
    assert "us-state" in answer and "failing" in answer and "503" in answer


async def test_sources_show_the_items_the_last_feed_read_could_not_use(
    runtime: BotRuntime, admin: Traveller, feed_server: FeedServer
) -> None:
    body = (FEEDS_DIR / STATE_FEED.lstrip("/")).read_bytes()
    untitled = body.replace(b"<title>Maldives - Level 2: Exercise Increased Caution<", b"<title><")
    feed_server.add(STATE_FEED, untitled, content_type="application/rss+xml")
    await runtime.poll_all()
    answer = (await admin.say("/sources")).text
    assert (
        "us-state" in answer
        and "1 item problem in the last feed read: an item has no title" in answer
    )


async def test_sources_say_so_when_none_is_configured(
    tmp_path: Path, standin: StandIn, clock: Clock, traveller: Callable[..., Traveller]
) -> None:
    settings = replace(chat_settings(tmp_path, standin), admin_ids=frozenset({ADMIN}), sources=())
    bot = await build_runtime(settings, clock=clock)
    await bot.start(schedule=False)
    try:
        answer = (await traveller(ADMIN).say("/sources")).text
    finally:
        await bot.stop()
    assert answer == "<b>Sources</b>\nNone is configured: the SOURCES setting names them."


async def test_admin_removes_a_users_subscription_and_blocks_then_unblocks_them(
    runtime: BotRuntime, admin: Traveller, traveller: Callable[..., Traveller], standin: StandIn
) -> None:
    user = traveller(703)
    standin.known_chat(703, username="wanderer")
    await user.say("/subscribe Germany, Japan")
    await chat_store.register_chat(
        runtime.services.db,
        703,
        kind="private",
        language="en",
        now=runtime.services.clock(),
        username="wanderer",
    )
    card = await admin.say("/user @Wanderer")
    assert "703" in card.text and "DE" in card.text and "JP" in card.text

    await admin.press_and_read(card, "adm:unsub:703:DE")
    assert await chat_store.subscriptions_of(runtime.services.db, 703) == ["JP"]

    await admin.press_and_read(card, "adm:block:703")
    standin.user_message(703, "/list")
    assert await quiet_for(standin, 703)

    answer = await admin.say("/unblock 703")
    assert "unblocked" in answer.text
    assert "You follow" in (await user.say("/list")).text
    actions = [e.action for e in await audit.recent(runtime.services.db)]
    assert actions[:4] == ["user.unblock", "user.block", "user.unsubscribe", "user.view"]


async def test_admins_cannot_be_blocked(runtime: BotRuntime, admin: Traveller) -> None:
    answer = await admin.say(f"/block {ADMIN}")
    assert "cannot" in answer.text
    assert "Statistics" in (await admin.say("/stats")).text


async def test_dead_letters_are_listed_retried_and_dropped(
    runtime: BotRuntime, admin: Traveller, traveller: Callable[..., Traveller], standin: StandIn
) -> None:
    db = runtime.services.db
    await traveller(704).say("/subscribe Germany")
    standin.fail_next("sendMessage", chat_id=704, error_code=400, description="Bad Request: x")
    await runtime.poll_all()
    await runtime.dispatcher.drain()
    [letter] = await outbox.dead_letters(db)
    listing = await admin.say("/dead")
    assert f"#{letter.id}" in listing.text

    before = len(standin.messages_to(704))
    answer = await admin.say(f"/dead retry {letter.id}")
    assert "1 dead letter queued again" in answer.text
    await standin.wait_for(before + 1, chat_id=704, timeout=10)
    assert "Germany" in standin.messages_to(704)[-1].text
    assert await outbox.dead_letters(db) == []

    await outbox.mark_dead(db, [letter.id], "gave up")
    await admin.press_and_read(listing, "adm:dead:drop:all")
    assert await outbox.dead_letters(db) == []


async def test_announcement_preview_then_confirm_reaches_every_chat_once(
    runtime: BotRuntime, admin: Traveller, traveller: Callable[..., Traveller], standin: StandIn
) -> None:
    for chat_id in (705, 706, 707):
        await traveller(chat_id).say("/help")
    await admin.say("/block 707")
    preview = await admin.say("/announce Maintenance <tonight> & tomorrow\nSecond line")
    assert "3 chats" in preview.text  # 705, 706 and the admin; 707 is blocked
    assert "Maintenance <tonight>" in preview.plain_text
    assert all(len(standin.messages_to(c)) == 1 for c in (705, 706))  # nothing sent yet

    assert preview.reply_markup is not None
    [send, _cancel] = [b for row in preview.reply_markup["inline_keyboard"] for b in row]
    await admin.press(preview, send["callback_data"])
    for chat_id in (705, 706):
        message = await standin.wait_for(
            lambda m: "Maintenance" in m.text, chat_id=chat_id, timeout=10
        )
        assert message.plain_text == "Maintenance <tonight> & tomorrow\nSecond line"
    await admin.press(preview, send["callback_data"])
    await standin.wait_for(lambda m: "already sent" in m.text, chat_id=ADMIN, timeout=10)
    assert await quiet_for(standin, 707, 0.3)
    for chat_id in (705, 706, ADMIN):
        assert sum(m.text.startswith("Maintenance") for m in standin.messages_to(chat_id)) == 1
    actions = [e.action for e in await audit.recent(runtime.services.db)]
    assert "announcement.send" in actions and "announcement.draft" in actions


async def test_cancelled_announcement_sends_nothing(
    runtime: BotRuntime, admin: Traveller, traveller: Callable[..., Traveller], standin: StandIn
) -> None:
    await traveller(708).say("/help")
    preview = await admin.say("/announce Never mind")
    assert preview.reply_markup is not None
    [_send, cancel] = [b for row in preview.reply_markup["inline_keyboard"] for b in row]
    answer = await admin.press_and_read(preview, cancel["callback_data"])
    assert "cancelled" in answer.text
    assert await outbox.pending_count(runtime.services.db) == 0
    assert await quiet_for(standin, 708, 0.3)


async def test_a_stranger_pressing_an_admin_button_changes_nothing(
    runtime: BotRuntime, traveller: Callable[..., Traveller], standin: StandIn
) -> None:
    stranger = traveller(709)
    message = await stranger.say("/help")
    standin.press_button(709, message.message_id, "adm:block:710", forged=True)
    await standin.wait_until(lambda: len(standin.answered_callbacks) == 1, timeout=5)
    assert standin.answered_callbacks[0].text == "This button has expired."
    assert await admin_store.get_block(runtime.services.db, 710) is None


async def test_admin_lists_organisations_and_hands_ownership_over(
    runtime: BotRuntime, admin: Traveller, traveller: Callable[..., Traveller]
) -> None:
    from bot.store import desks as desk_store

    db = runtime.services.db
    await traveller(801).say("/start")
    await traveller(802).say("/start")
    org = await desk_store.create_organisation(
        db, "Acme", 801, created_by=ADMIN, now=runtime.services.clock()
    )

    listing = (await admin.say("/orgs")).text
    assert "Acme" in listing and "801" in listing

    refused = (await admin.say(f"/org_owner_remove {org.id} 801")).text
    assert "last owner" in refused
    assert (await desk_store.membership(db, org.id, 801)).role == "owner"

    await admin.say(f"/org_owner {org.id} 802")
    assert (await desk_store.membership(db, org.id, 802)).role == "owner"
    await admin.say(f"/org_owner_remove {org.id} 801")
    assert (await desk_store.membership(db, org.id, 801)).role == "traveller"

    actions = [entry.action for entry in await audit.recent(db)]
    assert "org.owner_add" in actions and "org.owner_remove" in actions
    assert "no organisation" in (await admin.say("/org_owner 999 802")).text
