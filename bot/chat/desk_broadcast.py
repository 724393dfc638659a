"""Desk broadcasts: compose a warning, preview it with its audience, confirm, follow up.

A warning is written step by step (the draft and the question it waits on are stored, so
a restart loses nothing), or sent whole in one message or a .txt file. Nothing goes out
before the operator presses the send button under the preview. Every button names a
broadcast by id and is checked against the presser's membership; check-in buttons carry
an opaque token that only its recipient can use.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.chat import traveller
from bot.chat.common import chat_context, reply, services_of
from bot.chat.desk import Desk, arguments, audited, open_desk, user_id_of
from bot.delivery.split import split_message
from bot.desks.audience import Audience, read_audience
from bot.desks.keywords import keywords_for
from bot.desks.report import BroadcastReport
from bot.desks.safety import SafetyAnswer, new_check_in_token
from bot.desks.warning import (
    WarningDraft,
    parse_warning,
    read_category,
    read_countries,
    read_safety,
    read_severity,
    warning_alert,
)
from bot.i18n import N_, Translator
from bot.store import desks as desk_store

log = logging.getLogger(__name__)

# The application's bot_data may hold a callable that wakes the delivery loop at once;
# without it, queued warnings go out at the dispatcher's next round.
WAKE_DELIVERY_KEY = "wake_delivery"
MAX_FILE_BYTES = 64 * 1024
MAX_LISTED = 50

# Step-by-step order; "fill" drafts (read from one text) only ask what is missing.
STEPS = (
    "title",
    "countries",
    "severity",
    "category",
    "event",
    "context",
    "advice",
    "safety",
    "audience",
)
_QUESTIONS = {
    "title": N_("Title of the warning?"),
    "countries": N_("Which countries? (names or codes, separated by ;)"),
    "severity": N_("Severity? 1 (informational) to 4 (do not travel), or a word such as high."),
    "category": N_("Category? For example: security, conflict, health, weather, flood, other."),
    "event": N_("What happened? (the event)"),
    "context": N_("Context? (send - to leave it out)"),
    "advice": N_("Advice to travellers? (send - to leave it out)"),
    "safety": N_("Ask for a safety check? yes, no, or yes with a reminder time such as 30m."),
    "audience": N_(
        "Who gets it? now (travellers there today), and optionally subscribers and next 14 days."
    ),
}


# composing


async def broadcast(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast [org]: start a warning step by step, or with the whole warning below the
    command (see docs/desks.md for the format)."""
    words = arguments(update)
    desk = await open_desk(update, context, words[0] if words else None)
    if desk is None:
        return
    message = update.effective_message
    assert message is not None
    _, _, body = (message.text or "").partition("\n")
    if body.strip():
        await start_draft(
            update, desk, parse_warning(body, desk.chat.language, keywords_for(desk.t))
        )
        return
    await start_draft(update, desk, WarningDraft(), mode="ask")


async def warning_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .txt file with a warning in it (caption: the organisation's number, if needed)."""
    message = update.effective_message
    assert message is not None and message.document is not None
    org = next((w for w in (message.caption or "").split() if w.isdigit()), None)
    desk = await open_desk(update, context, org)
    if desk is None:
        return
    if (message.document.file_size or 0) > MAX_FILE_BYTES:
        await reply(update, desk.t.gettext("That file is too big for a warning."), t=desk.t)
        return
    file = await message.document.get_file()
    content = bytes(await file.download_as_bytearray())
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        await reply(update, desk.t.gettext("The file is not UTF-8 text."), t=desk.t)
        return
    await start_draft(update, desk, parse_warning(text, desk.chat.language, keywords_for(desk.t)))


async def start_draft(update: Update, desk: Desk, draft: WarningDraft, mode: str = "fill") -> None:
    broadcast_id = await desk_store.create_draft(
        desk.services.db,
        desk.org_id,
        user_id_of(update),
        draft,
        step=None,
        now=desk.services.clock(),
    )
    if draft.problems:
        await reply(
            update,
            desk.t.gettext(
                "I did not understand: %(terms)s",
                terms=html.escape(", ".join(draft.problems)[:300]),
            ),
            t=desk.t,
        )
    await next_step(update, desk, broadcast_id, draft, mode, after=None)


def _next_field(draft: WarningDraft, mode: str, after: str | None) -> str | None:
    if mode == "ask":
        index = 0 if after is None else STEPS.index(after) + 1
        return STEPS[index] if index < len(STEPS) else None
    missing = draft.missing()
    return missing[0] if missing else None


async def next_step(
    update: Update,
    desk: Desk,
    broadcast_id: int,
    draft: WarningDraft,
    mode: str,
    after: str | None,
) -> None:
    field = _next_field(draft, mode, after)
    step = None if field is None else f"{mode}:{field}"
    await desk_store.save_draft(desk.services.db, broadcast_id, draft, step=step)
    if field is None:
        await preview(update, desk, broadcast_id, draft)
    else:
        await reply(update, desk.t.gettext(_QUESTIONS[field]), t=desk.t)


async def compose_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat: an operator's answer to a draft's question, or else
    the traveller's usual answer to text that is no command."""
    services = services_of(context)
    user = update.effective_user
    message = update.effective_message
    draft_row = None
    if user is not None and message is not None and message.text:
        draft_row = await desk_store.composing(services.db, user.id)
    if message is None or not message.text or draft_row is None or draft_row.step is None:
        await traveller.plain_text(update, context)
        return
    desk = await open_desk(update, context, str(draft_row.org_id))
    if desk is None:
        await desk_store.cancel_draft(services.db, draft_row.org_id, draft_row.id)
        return
    mode, _, field = draft_row.step.partition(":")
    updated = answer_step(draft_row.draft, field, message.text, desk.t)
    if isinstance(updated, str):
        await reply(update, updated_problem(updated, field, desk.t), t=desk.t)
    else:
        await next_step(update, desk, draft_row.id, updated, mode, after=field)


def answer_step(draft: WarningDraft, field: str, text: str, t: Translator) -> WarningDraft | str:
    """The draft with one answer in it, or the part of the answer not understood.

    Answers are read in English and in the operator's language (`t`).
    """
    words = keywords_for(t)
    text = text.strip()
    skipped = text in {"-", "—"}
    if field == "title":
        return replace(draft, title=text[:300])
    if field == "countries":
        found, unknown = read_countries(text, t.language)
        if unknown or not found:
            return ", ".join(unknown) or text
        return replace(draft, countries=found)
    if field == "severity":
        level = read_severity(text, words)
        if level is None:
            return text
        return replace(draft, severity=level[0], level_word=level[1])
    if field == "category":
        category = read_category(text, words)
        return text if category is None else replace(draft, category=category)
    if field == "event":
        return replace(draft, event=text)
    if field == "context":
        return replace(draft, context="" if skipped else text)
    if field == "advice":
        return replace(draft, advice="" if skipped else text)
    if field == "safety":
        safety = read_safety(text, words)
        if safety is None:
            return text
        minutes = safety[1] or draft.remind_after_minutes
        return replace(draft, safety_check=safety[0], remind_after_minutes=minutes)
    audience = read_audience(text, words)
    return text if audience is None else replace(draft, audience=audience)


def updated_problem(term: str, field: str, t: Translator) -> str:
    return (
        t.gettext("I did not understand: %(terms)s", terms=html.escape(term[:200]))
        + "\n"
        + t.gettext(_QUESTIONS[field])
    )


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast_cancel: drop the warning being written."""
    services, _, t = await chat_context(update, context)
    draft_row = await desk_store.composing(services.db, user_id_of(update))
    if draft_row is not None:
        await desk_store.cancel_draft(services.db, draft_row.org_id, draft_row.id)
    await reply(update, t.gettext("Nothing will be sent."), t=t)


# preview and sending


async def preview(update: Update, desk: Desk, broadcast_id: int, draft: WarningDraft) -> None:
    """The warning as travellers will see it, who gets it, and the buttons to send or drop."""
    warning = draft.complete()
    now = desk.services.clock()
    alert = warning_alert(
        warning,
        org_id=desk.org_id,
        org_name=desk.operator.org_name,
        broadcast_id=broadcast_id,
        now=now,
    )
    rendered = desk.services.renderer.alert(
        alert, language=desk.chat.language, timezone=desk.chat.timezone
    )
    for part in split_message(rendered):
        await reply(update, part, t=desk.t)
    audience = await desk_store.audience(
        desk.services.db, desk.org_id, warning.countries, draft.audience, today=now.date()
    )
    t = desk.t
    lines = [t.gettext("This is what travellers will get; the frame is in each one's language.")]
    lines.append(audience_text(audience, draft.audience.days_ahead, t))
    if warning.safety_check:
        lines.append(
            t.gettext(
                "Safety check: yes; reminders after %(minutes)s minutes.",
                minutes=draft.remind_after_minutes,
            )
        )
    count = len(audience.recipients)
    buttons = [InlineKeyboardButton(t.gettext("Cancel"), callback_data=f"dsk:drop:{broadcast_id}")]
    if count:
        label = t.ngettext("Send to %(num)s traveller", "Send to %(num)s travellers", count)
        buttons.insert(0, InlineKeyboardButton(label, callback_data=f"dsk:send:{broadcast_id}"))
    else:
        lines.append(t.gettext("No traveller matches: there is nobody to send it to."))
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup([buttons]), t=t)


def audience_text(audience: Audience, days_ahead: int, t: Translator) -> str:
    parts = [
        t.ngettext("Recipients: %(num)s", "Recipients: %(num)s", len(audience.recipients)),
        t.gettext("there now: %(num)s", num=len(audience.present)),
    ]
    if days_ahead:
        parts.append(
            t.gettext(
                "arriving within %(days)s days: %(num)s",
                days=days_ahead,
                num=len(audience.arriving),
            )
        )
    if audience.subscribed:
        parts.append(t.gettext("following: %(num)s", num=len(audience.subscribed)))
    return " · ".join(parts)


async def desk_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """dsk:<action>:<broadcast>: checked against the presser's own membership, never trusted."""
    query = update.callback_query
    assert query is not None
    services, chat, t = await chat_context(update, context)
    parts = (query.data or "").split(":")
    org_id = None
    if len(parts) == 3 and parts[2].isdigit() and len(parts[2]) < 12:
        org_id = await desk_store.broadcast_org(services.db, int(parts[2]))
    member = (
        None
        if org_id is None
        else await desk_store.membership(services.db, org_id, query.from_user.id)
    )
    if member is None or not member.runs_desk or parts[1] not in _ACTIONS:
        await query.answer(t.gettext("This button is not for you."), show_alert=True)
        return
    desk = Desk(services, chat, t, member)
    await _ACTIONS[parts[1]](update, context, desk, int(parts[2]))


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, desk: Desk, ident: int) -> None:
    query = update.callback_query
    assert query is not None
    services = desk.services
    draft_row = await desk_store.broadcast(services.db, desk.org_id, ident)
    if draft_row is None or draft_row.state != "draft":
        await query.answer(desk.t.gettext("This warning was already sent or cancelled."))
        return
    now = services.clock()
    warning = draft_row.draft.complete()
    audience = await desk_store.audience(
        services.db, desk.org_id, warning.countries, draft_row.draft.audience, today=now.date()
    )
    recipients = audience.recipients
    tokens = {uid: new_check_in_token() for uid in recipients} if warning.safety_check else {}
    alert = warning_alert(
        warning, org_id=desk.org_id, org_name=desk.operator.org_name, broadcast_id=ident, now=now
    )
    version = await desk_store.send_broadcast(
        services.db,
        desk.org_id,
        ident,
        alert,
        recipients,
        check_in_tokens=tokens,
        remind_after=warning.remind_after,
        now=now,
    )
    if version is None:
        await query.answer(desk.t.gettext("This warning was already sent or cancelled."))
        return
    await audited(
        services,
        update,
        "broadcast",
        {"org": desk.org_id, "broadcast": ident, "recipients": len(recipients)},
    )
    wake: Callable[[], None] | None = context.application.bot_data.get(WAKE_DELIVERY_KEY)
    if wake is not None:
        wake()
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(
        update,
        desk.t.ngettext(
            "Warning %(id)s is on its way to %(num)s traveller. /report %(id)s shows who got it.",
            "Warning %(id)s is on its way to %(num)s travellers. /report %(id)s shows who got it.",
            len(recipients),
            id=ident,
        ),
        t=desk.t,
    )


async def _drop(update: Update, context: ContextTypes.DEFAULT_TYPE, desk: Desk, ident: int) -> None:
    query = update.callback_query
    assert query is not None
    if await desk_store.cancel_draft(desk.services.db, desk.org_id, ident):
        await audited(
            desk.services, update, "broadcast_drop", {"org": desk.org_id, "broadcast": ident}
        )
    await query.answer(desk.t.gettext("Nothing will be sent."))
    await query.edit_message_reply_markup(None)


async def _tally(
    update: Update, context: ContextTypes.DEFAULT_TYPE, desk: Desk, ident: int
) -> None:
    query = update.callback_query
    assert query is not None
    found = await desk_store.report(desk.services.db, desk.org_id, ident)
    await query.answer()
    if found is not None:
        await _audit_view(update, desk, ident, "report_view")
        try:
            await query.edit_message_text(
                report_text(found, desk.t),
                parse_mode="HTML",
                reply_markup=report_buttons(ident, desk.t),
            )
        except TelegramError as error:  # "message is not modified" when nothing changed
            log.debug("report %s not refreshed: %s", ident, error)


async def _who(update: Update, context: ContextTypes.DEFAULT_TYPE, desk: Desk, ident: int) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    found = await desk_store.report(desk.services.db, desk.org_id, ident)
    if found is not None:
        await _audit_view(update, desk, ident, "report_view", listing="no_answer")
        await reply(update, non_responders_text(found, desk.t), t=desk.t)


async def _csv(update: Update, context: ContextTypes.DEFAULT_TYPE, desk: Desk, ident: int) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    found = await desk_store.report(desk.services.db, desk.org_id, ident)
    if found is not None:
        await _audit_view(update, desk, ident, "report_export")
        await context.bot.send_document(
            desk.chat.chat_id,
            InputFile(found.to_csv(), filename=f"broadcast-{ident}.csv"),
            caption=desk.t.gettext("Report of warning %(id)s", id=ident),
        )


async def _audit_view(update: Update, desk: Desk, ident: int, action: str, **extra: str) -> None:
    """Who looked at whose answers: reports name travellers and where they are."""
    details: dict[str, object] = {"org": desk.org_id, "broadcast": ident, **extra}
    await audited(desk.services, update, action, details)


_ACTIONS: dict[str, Callable[[Update, Any, Desk, int], Any]] = {
    "send": _send,
    "drop": _drop,
    "tally": _tally,
    "who": _who,
    "csv": _csv,
}


# reports


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/report <warning>: recipients, deliveries, failures and answers; /report alone, those
    of the desk's latest warning. A warning of an organisation the sender does not run gets
    the same answer as one that does not exist."""
    services, _, t = await chat_context(update, context)
    words = arguments(update)
    target = words[0] if words else ""
    if not target:
        desk = await open_desk(update, context, None)
        if desk is None:
            return
        latest = await desk_store.sent_broadcasts(services.db, desk.org_id, limit=1)
        if not latest:
            await reply(update, t.gettext("Your desk has sent no warning yet."), t=t)
            return
        target = str(latest[0].id)
    found, found_org = None, None
    if target.isdigit() and len(target) < 12:
        org_id = await desk_store.broadcast_org(services.db, int(target))
        member = (
            None
            if org_id is None
            else await desk_store.membership(services.db, org_id, user_id_of(update))
        )
        if member is not None and member.runs_desk:
            found = await desk_store.report(services.db, member.org_id, int(target))
            found_org = member.org_id
    if found is None:
        await reply(
            update,
            t.gettext(
                "Your desk has no warning %(id)s. /broadcasts lists them.",
                id=html.escape(target[:20]),
            ),
            t=t,
        )
        return
    await audited(
        services, update, "report_view", {"org": found_org, "broadcast": found.broadcast_id}
    )
    await reply(
        update, report_text(found, t), reply_markup=report_buttons(found.broadcast_id, t), t=t
    )


def report_buttons(ident: int, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t.gettext("Refresh"), callback_data=f"dsk:tally:{ident}"),
                InlineKeyboardButton(t.gettext("No answer yet"), callback_data=f"dsk:who:{ident}"),
                InlineKeyboardButton(t.gettext("CSV"), callback_data=f"dsk:csv:{ident}"),
            ]
        ]
    )


_OUTCOME_WORDS = {
    "blocked": N_("blocked the bot"),
    "not found": N_("chat not found"),
    "deactivated": N_("account deleted"),
    "failed": N_("other error"),
}


def report_text(found: BroadcastReport, t: Translator) -> str:
    tally = found.tally()
    lines = [
        t.gettext(
            "<b>Warning %(id)s</b>: %(title)s",
            id=found.broadcast_id,
            title=html.escape(found.title[:120]),
        ),
        t.gettext("Recipients: %(num)s", num=tally.recipients),
        t.gettext("Delivered: %(num)s", num=tally.delivered),
        t.gettext("Waiting to be sent: %(num)s", num=tally.pending),
        t.gettext("Failed: %(num)s", num=tally.failed),
    ]
    for outcome, count in sorted(found.failures().items()):
        lines.append(f"  · {t.gettext(_OUTCOME_WORDS[outcome.value])}: {count}")
    if found.safety_check:
        lines += [
            # Telegram tells a bot nothing of reads: a pressed button is the only sign.
            t.gettext("Read (pressed a button): %(num)s", num=tally.answered),
            t.gettext("Safe: %(num)s", num=tally.safe),
            t.gettext("Need help: %(num)s", num=tally.need_help),
            t.gettext("No answer: %(num)s", num=tally.no_answer),
        ]
        for line in found.lines:
            if line.answer == SafetyAnswer.HELP:
                lines.append(f"🆘 {html.escape(line.label())}")
    return "\n".join(lines)


def non_responders_text(found: BroadcastReport, t: Translator) -> str:
    silent = found.non_responders()
    if not silent:
        return t.gettext("Everyone who got warning %(id)s has answered.", id=found.broadcast_id)
    lines = [
        t.ngettext(
            "%(num)s traveller has not answered:",
            "%(num)s travellers have not answered:",
            len(silent),
        )
    ]
    lines += [html.escape(line.label()) for line in silent[:MAX_LISTED]]
    if len(silent) > MAX_LISTED:
        lines.append("…")
    return "\n".join(lines)


async def broadcasts(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcasts [org]: the desk's latest warnings."""
    words = arguments(update)
    desk = await open_desk(update, context, words[0] if words else None)
    if desk is None:
        return
    sent = await desk_store.sent_broadcasts(desk.services.db, desk.org_id)
    if not sent:
        await reply(update, desk.t.gettext("Your desk has sent no warning yet."), t=desk.t)
        return
    lines = [desk.t.gettext("Latest warnings (see one with /report and its number):")]
    for item in sent:
        when = desk.t.format_datetime(item.sent_at, desk.chat.timezone) if item.sent_at else ""
        lines.append(f"{item.id}. {html.escape(item.draft.title[:80])} · {when}")
    await reply(update, "\n".join(lines), t=desk.t)
