"""Admin commands: statistics, sources, users, dead letters, announcements and the audit log.

Only the user ids in ADMIN_IDS, in a private chat, can use them; anyone else gets exactly
the answer an unknown command gets, so the commands are not even discoverable. Every action
that changes something is written to the audit log.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from functools import wraps
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
)

from bot import countries
from bot.chat import admin_orgs, traveller
from bot.chat.common import current_chat, reply, services_of, translator_for
from bot.config import SourceConfig
from bot.i18n import Translator
from bot.ops.announce import (
    MAX_ANNOUNCEMENT_CHARS,
    announcement_alert,
    announcement_payload,
)
from bot.polling import Poller
from bot.services import Services
from bot.store import admin as admin_store
from bot.store import audit, outbox
from bot.store import chats as chat_store
from bot.store import sources as source_store

ADMIN_TOOLS_KEY = "admin_tools"
BLOCK_GROUP = -1  # before every other handler
_COMMAND_PREFIX = re.compile(r"^/\S+\s*")


@dataclass(frozen=True, slots=True)
class AdminTools:
    """What admin commands reach besides the services: the running poller and dispatcher."""

    poller: Poller
    wake_dispatcher: Callable[[], None]


Context = ContextTypes.DEFAULT_TYPE
AdminHandler = Callable[[Update, Context, Services, Translator, int], Awaitable[None]]


def admin_only(handler: AdminHandler) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Run `handler` for an admin in a private chat; answer anyone else as if unknown."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        services = services_of(context)
        user, chat = update.effective_user, update.effective_chat
        if (
            user is None
            or chat is None
            or chat.type != "private"
            or user.id not in services.settings.admin_ids
        ):
            if update.callback_query is not None:
                await traveller.button(update, context)
            else:
                await traveller.unknown_command(update, context)
            return
        t = translator_for(await current_chat(update, services), services)
        await handler(update, context, services, t, user.id)

    return guarded


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The block gate and the admin commands; call before the traveller's catch-alls."""
    application.add_handler(TypeHandler(Update, drop_blocked_users), group=BLOCK_GROUP)
    commands: dict[str, AdminHandler] = {
        "admin": admin_help,
        "stats": stats,
        "sources": sources,
        "source_pause": source_pause,
        "source_resume": source_resume,
        "poll": poll_now,
        "user": user,
        "block": block,
        "unblock": unblock,
        "dead": dead,
        "announce": announce,
        "audit": audit_log,
        "orgs": admin_orgs.organisations,
        "org_owner": admin_orgs.name_owner,
        "org_owner_remove": admin_orgs.remove_owner,
    }
    for name, handler in commands.items():
        application.add_handler(CommandHandler(name, admin_only(handler)))
    application.add_handler(CallbackQueryHandler(admin_only(button), pattern=r"^adm:"))


async def drop_blocked_users(update: Update, context: Context) -> None:
    """Ignore everything a blocked user sends (admins cannot be blocked)."""
    user = update.effective_user
    if user is None or update.my_chat_member is not None:
        return
    services = services_of(context)
    if user.id in services.settings.admin_ids:
        return
    if await admin_store.is_blocked(services.db, user.id):
        raise ApplicationHandlerStop


def _arguments(update: Update) -> str:
    message = update.effective_message
    return _COMMAND_PREFIX.sub("", (message.text or "") if message else "", count=1).strip()


def _tools(context: Context) -> AdminTools:
    tools = context.application.bot_data[ADMIN_TOOLS_KEY]
    assert isinstance(tools, AdminTools)
    return tools


def _duration(seconds: float, t: Translator) -> str:
    if seconds < 120:
        return t.gettext("%(seconds)s s", seconds=round(seconds))
    if seconds < 7200:
        return t.gettext("%(minutes)s min", minutes=round(seconds / 60))
    return t.gettext("%(hours)s h", hours=round(seconds / 3600, 1))


async def admin_help(update: Update, _: Context, s: Services, t: Translator, __: int) -> None:
    lines = [
        t.gettext("<b>Admin commands</b>"),
        t.gettext("/stats: chats, subscriptions, alerts, deliveries and delays"),
        t.gettext("/sources: health of each source"),
        t.gettext("/source_pause NAME, /source_resume NAME, /poll NAME"),
        t.gettext("/user ID or @username: look up a user, remove subscriptions, block"),
        t.gettext("/block ID reason, /unblock ID"),
        t.gettext("/dead: dead letters; /dead retry ID|all, /dead drop ID|all"),
        t.gettext("/announce TEXT: send a message to every chat, after a preview"),
        t.gettext("/audit N: the latest admin and desk actions"),
        t.gettext("/org_create NAME @owner, /desk: travel desk organisations (see /desk)"),
        t.gettext("/orgs: organisations; /org_owner ORG USER, /org_owner_remove ORG USER"),
    ]
    await reply(update, "\n".join(lines), t=t)


# statistics


async def stats(update: Update, _: Context, s: Services, t: Translator, __: int) -> None:
    figures = await admin_store.statistics(s.db, now=s.clock())
    c, d = figures.chats, figures.deliveries
    lines = [
        t.gettext("<b>Statistics</b>"),
        t.gettext(
            "Chats: %(active)s active, %(inactive)s gone, %(blocked)s blocked by admins",
            active=c.active,
            inactive=c.inactive,
            blocked=c.blocked,
        ),
    ]
    if figures.top_countries:
        top = ", ".join(f"{countries.flag(code)} {code} {n}" for code, n in figures.top_countries)
        lines.append(t.gettext("Most followed: %(countries)s", countries=top))
    if figures.trips is not None:
        lines.append(t.gettext("Trips: %(count)s", count=figures.trips))
    if figures.organisations is not None:
        lines.append(t.gettext("Organisations: %(count)s", count=figures.organisations))
    lines.append(t.gettext("Alerts per source (24 h / 7 days):"))
    for activity in figures.alerts:
        lines.append(
            f"• {html.escape(activity.source)}: {activity.last_day} / {activity.last_week}"
        )
    if not figures.alerts:
        lines.append(t.gettext("• none this week"))
    lines.append(
        t.gettext(
            "Deliveries: %(sent)s sent, %(pending)s waiting, %(failed)s failed, %(dead)s dead",
            sent=d.sent,
            pending=d.pending,
            failed=d.failed,
            dead=d.dead,
        )
    )
    delay = figures.delay
    if delay.median_seconds is not None and delay.p95_seconds is not None:
        lines.append(
            t.gettext(
                "Delay from first sighting to delivery (7 days, %(count)s messages):"
                " median %(median)s, 95%% within %(p95)s",
                count=delay.count,
                median=_duration(delay.median_seconds, t),
                p95=_duration(delay.p95_seconds, t),
            )
        )
    await reply(update, "\n".join(lines), t=t)


# sources


def _source(s: Services, name: str) -> SourceConfig | None:
    return next((source for source in s.settings.sources if source.name == name), None)


async def _unknown_source(update: Update, s: Services, t: Translator, name: str) -> None:
    known = ", ".join(source.name for source in s.settings.sources)
    await reply(
        update,
        t.gettext(
            "There is no source “%(name)s”. Sources: %(known)s",
            name=html.escape(name[:60]),
            known=html.escape(known),
        ),
        t=t,
    )


async def sources(update: Update, _: Context, s: Services, t: Translator, __: int) -> None:
    lines = [t.gettext("<b>Sources</b>")]
    if not s.settings.sources:
        lines.append(t.gettext("None is configured: the SOURCES setting names them."))
    for source in s.settings.sources:
        health = await source_store.get_health(s.db, source.name)
        if not source.enabled:
            state = t.gettext("off")
        elif health.paused:
            state = t.gettext("paused")
        elif health.consecutive_failures:
            state = t.gettext("failing")
        elif health.last_success:
            state = t.gettext("ok")
        else:
            state = t.gettext("not polled yet")
        last = t.format_datetime(health.last_success, "UTC") if health.last_success else "—"
        lines.append(
            t.gettext(
                "<b>%(name)s</b>: %(state)s · last success %(last)s · %(failures)s failures in"
                " a row · %(items)s items",
                name=html.escape(source.name),
                state=state,
                last=last,
                failures=health.consecutive_failures,
                items=health.items_seen,
            )
        )
        if health.consecutive_failures and health.next_attempt_at:
            lines.append(
                t.gettext(
                    "  next try %(when)s",
                    when=t.format_datetime(health.next_attempt_at, "UTC"),
                )
            )
        if health.last_error:
            lines.append(
                t.gettext("  last error: %(error)s", error=html.escape(health.last_error[:200]))
            )
        if health.item_problems and health.first_item_problem:
            lines.append(
                t.ngettext(
                    "  %(num)s item problem in the last feed read: %(problem)s",
                    "  %(num)s item problems in the last feed read, the first: %(problem)s",
                    health.item_problems,
                    problem=html.escape(health.first_item_problem[:200]),
                )
            )
    await reply(update, "\n".join(lines), t=t)


async def _set_paused(update: Update, s: Services, t: Translator, actor: int, paused: bool) -> None:
    name = _arguments(update)
    if _source(s, name) is None:
        await _unknown_source(update, s, t, name)
        return
    await source_store.set_paused(s.db, name, paused)
    action = "source.pause" if paused else "source.resume"
    await audit.record(s.db, actor, action, {"source": name}, s.clock())
    text = (
        t.gettext("Source %(name)s is paused.", name=html.escape(name))
        if paused
        else t.gettext("Source %(name)s is polled again.", name=html.escape(name))
    )
    await reply(update, text, t=t)


async def source_pause(update: Update, _: Context, s: Services, t: Translator, a: int) -> None:
    await _set_paused(update, s, t, a, True)


async def source_resume(update: Update, _: Context, s: Services, t: Translator, a: int) -> None:
    await _set_paused(update, s, t, a, False)


async def poll_now(update: Update, context: Context, s: Services, t: Translator, a: int) -> None:
    """Poll one source now, ignoring pause and backoff; the result follows in a second
    message, so a slow feed does not hold up everyone else's commands."""
    name = _arguments(update)
    config = _source(s, name)
    if config is None:
        await _unknown_source(update, s, t, name)
        return
    await audit.record(s.db, a, "source.poll", {"source": name}, s.clock())
    await reply(update, t.gettext("Polling %(name)s…", name=html.escape(name)), t=t)
    poller = _tools(context).poller

    async def poll_and_report() -> None:
        report = await poller.poll(config, force=True)
        if report.status == "failed":
            text = t.gettext(
                "%(name)s failed: %(error)s",
                name=html.escape(name),
                error=html.escape((report.error or "")[:300]),
            )
        else:
            text = t.gettext(
                "%(name)s: %(status)s, %(items)s items, %(announcements)s announcements,"
                " %(queued)s messages queued",
                name=html.escape(name),
                status=report.status,
                items=report.items,
                announcements=report.announcements,
                queued=report.queued,
            )
        await reply(update, text, t=t)

    context.application.create_task(poll_and_report(), update=update)


# users


async def _show_user(update: Update, s: Services, t: Translator, chat_id: int) -> None:
    record = await admin_store.user_record(s.db, chat_id)
    if record is None:
        await reply(update, t.gettext("I don't know that user."), t=t)
        return
    chat = record.chat
    name = f" @{chat.username}" if chat.username else ""
    title = f" “{chat.title}”" if chat.title else ""
    lines = [
        f"<b>{chat.chat_id}</b>{html.escape(name + title)} ({html.escape(chat.kind)})",
        t.gettext(
            "Language: %(language)s · timezone: %(timezone)s",
            language=html.escape(chat.language),
            timezone=html.escape(chat.timezone),
        ),
    ]
    if record.created_at is not None:
        lines.append(t.gettext("Since %(when)s", when=t.format_datetime(record.created_at, "UTC")))
    if not chat.active:
        lines.append(
            t.gettext("Inactive: %(reason)s", reason=html.escape(record.inactive_reason or "—"))
        )
    if record.block is not None:
        lines.append(
            t.gettext(
                "Blocked by %(admin)s on %(when)s: %(reason)s",
                admin=record.block.blocked_by,
                when=t.format_datetime(record.block.blocked_at, "UTC"),
                reason=html.escape(record.block.reason or "—"),
            )
        )
    follows = ", ".join(f"{countries.flag(c)} {c}" for c in record.subscriptions) or "—"
    lines.append(t.gettext("Follows: %(countries)s", countries=follows))
    d = record.deliveries
    lines.append(
        t.gettext(
            "Deliveries: %(sent)s sent, %(pending)s waiting, %(failed)s failed, %(dead)s dead",
            sent=d.sent,
            pending=d.pending,
            failed=d.failed,
            dead=d.dead,
        )
    )
    buttons = [
        [InlineKeyboardButton(f"✖ {code}", callback_data=f"adm:unsub:{chat.chat_id}:{code}")]
        for code in record.subscriptions[:20]
    ]
    if record.block is None:
        buttons.append(
            [InlineKeyboardButton(t.gettext("Block"), callback_data=f"adm:block:{chat.chat_id}")]
        )
    else:
        buttons.append(
            [
                InlineKeyboardButton(
                    t.gettext("Unblock"), callback_data=f"adm:unblock:{chat.chat_id}"
                )
            ]
        )
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons), t=t)


async def user(update: Update, _: Context, s: Services, t: Translator, a: int) -> None:
    ref = _arguments(update)[:64]
    chat_id = await admin_store.find_chat_id(s.db, ref) if ref else None
    if chat_id is None:
        await reply(update, t.gettext("I don't know that user."), t=t)
        return
    await audit.record(s.db, a, "user.view", {"user": chat_id}, s.clock())
    await _show_user(update, s, t, chat_id)


def _user_id(text: str) -> int | None:
    word = text.split(maxsplit=1)[0] if text else ""
    return int(word) if word.lstrip("-").isdigit() and len(word) < 20 else None


async def _block(
    update: Update, s: Services, t: Translator, a: int, user_id: int, why: str
) -> None:
    if user_id in s.settings.admin_ids:
        await reply(update, t.gettext("Admins cannot be blocked."), t=t)
        return
    await admin_store.block_user(s.db, user_id, by=a, now=s.clock(), reason=why or None)
    await audit.record(s.db, a, "user.block", {"user": user_id, "reason": why}, s.clock())
    await reply(
        update, t.gettext("User %(user)s is blocked: I ignore what they send.", user=user_id), t=t
    )


async def _unblock(update: Update, s: Services, t: Translator, a: int, user_id: int) -> None:
    await admin_store.unblock_user(s.db, user_id)
    await audit.record(s.db, a, "user.unblock", {"user": user_id}, s.clock())
    await reply(update, t.gettext("User %(user)s is unblocked.", user=user_id), t=t)


async def block(update: Update, _: Context, s: Services, t: Translator, a: int) -> None:
    text = _arguments(update)
    user_id = _user_id(text)
    if user_id is None:
        await reply(update, t.gettext("Which user? For example: /block 123456789 spam"), t=t)
        return
    reason = text.split(maxsplit=1)[1][:200] if len(text.split(maxsplit=1)) > 1 else ""
    await _block(update, s, t, a, user_id, reason)


async def unblock(update: Update, _: Context, s: Services, t: Translator, a: int) -> None:
    user_id = _user_id(_arguments(update))
    if user_id is None:
        await reply(update, t.gettext("Which user? For example: /unblock 123456789"), t=t)
        return
    await _unblock(update, s, t, a, user_id)


# dead letters


async def dead(update: Update, context: Context, s: Services, t: Translator, a: int) -> None:
    words = _arguments(update).lower().split()
    if words and words[0] in ("retry", "drop") and len(words) == 2:
        await _dead_action(update, context, s, t, a, words[0], words[1])
        return
    letters = await outbox.dead_letters(s.db, limit=20)
    if not letters:
        await reply(update, t.gettext("No dead letters."), t=t)
        return
    lines = [t.gettext("<b>Dead letters</b> (oldest first)")]
    for letter in letters:
        lines.append(
            t.gettext(
                "#%(id)s to %(chat)s · %(source)s %(alert)s · %(attempts)s attempts · %(error)s",
                id=letter.id,
                chat=letter.chat_id,
                source=html.escape(letter.source),
                alert=html.escape(letter.alert_id[:60]),
                attempts=letter.attempts,
                error=html.escape((letter.last_error or "")[:120]),
            )
        )
    lines.append(t.gettext("/dead retry ID|all · /dead drop ID|all"))
    buttons = [
        [
            InlineKeyboardButton(t.gettext("Retry all"), callback_data="adm:dead:retry:all"),
            InlineKeyboardButton(t.gettext("Drop all"), callback_data="adm:dead:drop:all"),
        ]
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons), t=t)


async def _dead_action(
    update: Update, context: Context, s: Services, t: Translator, a: int, verb: str, which: str
) -> None:
    if which != "all" and not which.isdigit():
        await reply(update, t.gettext("/dead retry ID|all · /dead drop ID|all"), t=t)
        return
    delivery_id = None if which == "all" else int(which)
    if verb == "retry":
        count = await outbox.retry_dead(s.db, delivery_id, now=s.clock())
        _tools(context).wake_dispatcher()
        text = t.ngettext(
            "%(num)s dead letter queued again.", "%(num)s dead letters queued again.", count
        )
    else:
        count = await outbox.drop_dead(s.db, delivery_id)
        text = t.ngettext("%(num)s dead letter dropped.", "%(num)s dead letters dropped.", count)
    await audit.record(s.db, a, f"dead.{verb}", {"which": which, "count": count}, s.clock())
    await reply(update, text, t=t)


# announcements


async def announce(update: Update, _: Context, s: Services, t: Translator, a: int) -> None:
    text = _arguments(update)
    if not text:
        await reply(
            update, t.gettext("What should I announce? /announce followed by the text."), t=t
        )
        return
    if len(text) > MAX_ANNOUNCEMENT_CHARS:
        await reply(
            update,
            t.gettext(
                "That is too long: at most %(limit)s characters.", limit=MAX_ANNOUNCEMENT_CHARS
            ),
            t=t,
        )
        return
    announcement_id = await admin_store.create_announcement(s.db, text, by=a, now=s.clock())
    audience = len(await admin_store.announcement_audience(s.db))
    await audit.record(s.db, a, "announcement.draft", {"announcement": announcement_id}, s.clock())
    preview = t.gettext("<b>Preview</b>: this goes to %(count)s chats. Send it?", count=audience)
    buttons = [
        [
            InlineKeyboardButton(
                t.gettext("Send to %(count)s chats", count=audience),
                callback_data=f"adm:ann:send:{announcement_id}",
            ),
            InlineKeyboardButton(
                t.gettext("Cancel"), callback_data=f"adm:ann:cancel:{announcement_id}"
            ),
        ]
    ]
    await reply(
        update, f"{preview}\n\n{html.escape(text)}", reply_markup=InlineKeyboardMarkup(buttons), t=t
    )


async def _send_announcement(
    context: Context, s: Services, t: Translator, a: int, ident: int
) -> str:
    draft = await admin_store.get_announcement(s.db, ident)
    if draft is None:
        return t.gettext("This button has expired.")
    now = s.clock()
    alert = announcement_alert(ident, draft.text, now=now)
    version_id = await admin_store.begin_announcement(
        s.db,
        ident,
        version=alert.version,
        severity=int(alert.severity),
        payload=announcement_payload(alert),
        now=now,
    )
    if version_id is None:
        return t.gettext("This announcement was already sent or cancelled.")
    audience = await admin_store.announcement_audience(s.db)
    queued = await outbox.enqueue(s.db, version_id, audience, now=now)
    await admin_store.finish_announcement(s.db, ident, recipients=len(audience), now=now)
    _tools(context).wake_dispatcher()
    await audit.record(s.db, a, "announcement.send", {"announcement": ident, "queued": queued}, now)
    return t.gettext("Announcement queued for %(count)s chats.", count=len(audience))


# buttons and the audit log


async def button(update: Update, context: Context, s: Services, t: Translator, a: int) -> None:
    """adm:unsub:CHAT:XX, adm:block:ID, adm:unblock:ID, adm:dead:VERB:all, adm:ann:VERB:ID."""
    query = update.callback_query
    assert query is not None
    parts = (query.data or "").split(":")
    await query.answer()
    if len(parts) == 4 and parts[1] == "unsub" and parts[2].lstrip("-").isdigit():
        code = parts[3]
        if code in countries.ALL_COUNTRIES:
            chat_id = int(parts[2])
            removed = await chat_store.unsubscribe(s.db, chat_id, [code])
            await audit.record(
                s.db, a, "user.unsubscribe", {"user": chat_id, "country": code}, s.clock()
            )
            if removed:
                await reply(
                    update,
                    t.gettext("Removed %(country)s from %(user)s.", country=code, user=chat_id),
                    t=t,
                )
            await _show_user(update, s, t, chat_id)
            return
    if len(parts) == 3 and parts[1] in ("block", "unblock") and parts[2].lstrip("-").isdigit():
        if parts[1] == "block":
            await _block(update, s, t, a, int(parts[2]), "")
        else:
            await _unblock(update, s, t, a, int(parts[2]))
        return
    if len(parts) == 4 and parts[1] == "dead" and parts[2] in ("retry", "drop"):
        await _dead_action(update, context, s, t, a, parts[2], parts[3])
        return
    if len(parts) == 4 and parts[1] == "ann" and parts[3].isdigit():
        ident = int(parts[3])
        if parts[2] == "send":
            await reply(update, await _send_announcement(context, s, t, a, ident), t=t)
            return
        if parts[2] == "cancel":
            cancelled = await admin_store.cancel_announcement(s.db, ident, now=s.clock())
            if cancelled:
                await audit.record(
                    s.db, a, "announcement.cancel", {"announcement": ident}, s.clock()
                )
            await reply(
                update,
                t.gettext("Announcement cancelled.")
                if cancelled
                else t.gettext("This announcement was already sent or cancelled."),
                t=t,
            )
            return
    await reply(update, t.gettext("This button has expired."), t=t)


async def audit_log(update: Update, _: Context, s: Services, t: Translator, __: int) -> None:
    words = _arguments(update).split()
    limit = min(100, int(words[0])) if words and words[0].isdigit() else 20
    entries = await audit.recent(s.db, limit=max(1, limit))
    if not entries:
        await reply(update, t.gettext("The audit log is empty."), t=t)
        return
    lines = [t.gettext("<b>Audit log</b> (newest first)")]
    for entry in entries:
        details = json.dumps(dict(entry.details), ensure_ascii=False)[:200]
        lines.append(
            f"{entry.at.strftime('%Y-%m-%d %H:%M')} · {entry.actor_id if entry.actor_id else '—'}"
            f" · {html.escape(entry.action)} · <code>{html.escape(details)}</code>"
        )
    await reply(update, "\n".join(lines), t=t)
