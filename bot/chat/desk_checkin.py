"""Safety check-ins and desk notices: what the desk's job sends, and the answers.

A warning with a safety check goes out through the outbox like any alert; once the outbox
records it delivered, the desk round asks the question in a reply to it ("I'm safe" /
"I need help"), reminds non-responders at the broadcast's interval, and passes a call
for help to every operator at once. The round also sends operators the notices of
official alerts that touch their travellers. All of it is paced, and retried after a
passing failure, by the `DeskMessenger` (bot/chat/desk_messages.py).
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.chat.common import chat_context, services_of, ticked
from bot.chat.desk_messages import DeskMessenger, Verdict, messenger_of
from bot.desks.notices import NOTICE_DAYS_AHEAD
from bot.desks.safety import SafetyAnswer, check_in_data, read_check_in_data, reminder_due
from bot.i18n import Translator
from bot.render.words import severity_word, source_name
from bot.services import Services
from bot.sources.serialise import alert_from_json
from bot.store import chats as chat_store
from bot.store import desks as desk_store
from bot.store.desks import CheckIn, DeskNotice

log = logging.getLogger(__name__)

ROUND_SECONDS = 5.0
QUESTIONS_PER_ROUND = 25  # a round every 5 s; the messenger paces them at 5 a second


@dataclass(frozen=True, slots=True)
class DeskRound:
    """What one round sent, for logs and tests."""

    notices: int = 0
    questions: int = 0
    reminders: int = 0
    retried: int = 0  # calls for help and notices that had to wait, sent now


def check_in_buttons(
    token: str, t: Translator, chosen: SafetyAnswer | None = None
) -> InlineKeyboardMarkup:
    """The two answers; the one `chosen` last is ticked, as in the other pickers, and both
    stay, since someone safe at first may need help later."""
    labels = {
        SafetyAnswer.SAFE: "✅ " + t.gettext("I'm safe"),
        SafetyAnswer.HELP: "🆘 " + t.gettext("I need help"),
    }
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ticked(label, answer == chosen),
                    callback_data=check_in_data(token, answer),
                )
                for answer, label in labels.items()
            ]
        ]
    )


async def check_in_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """chk:<token>:<s|h>, accepted only from the person the question was sent to."""
    query = update.callback_query
    assert query is not None
    services, _, t = await chat_context(update, context)
    parsed = read_check_in_data(query.data or "")
    answered = None
    if parsed is not None:
        answered = await desk_store.record_answer(
            services.db, parsed[0], query.from_user.id, parsed[1], now=services.clock()
        )
    if parsed is None or answered is None:
        await query.answer(t.gettext("This button has expired."), show_alert=True)
        return
    if parsed[1] == SafetyAnswer.SAFE:
        await query.answer(t.gettext("Thank you. Your travel desk knows you are safe."))
    else:
        await query.answer(
            t.gettext("Your travel desk has been told you need help."), show_alert=True
        )
        await alert_operators(
            context.bot, services, answered, query.from_user.id, messenger_of(context.application)
        )
    try:  # the question shows the answer given, for whoever scrolls back to it
        await query.edit_message_reply_markup(check_in_buttons(parsed[0], t, parsed[1]))
    except TelegramError as error:  # deleted, too old, or the same answer again
        log.info("could not mark the answer on a safety question: %s", error)


async def alert_operators(
    bot: Bot, services: Services, check_in: CheckIn, user_id: int, messenger: DeskMessenger
) -> None:
    """A call for help goes to every operator of the organisation at once (one that cannot
    be reached now is tried again by the desk round)."""
    member = await desk_store.membership(services.db, check_in.org_id, user_id)
    label = member.label() if member is not None else str(user_id)
    for operator_id in await desk_store.operator_ids(services.db, check_in.org_id):
        t = await _translator(services, operator_id)
        text = t.gettext(
            "🆘 %(who)s needs help (warning %(id)s: %(title)s).",
            who=f'<a href="tg://user?id={user_id}">{html.escape(label)}</a>',
            id=check_in.broadcast_id,
            title=html.escape(check_in.title[:120]),
        )
        await messenger.deliver(
            bot, services, f"help:{check_in.token}:{operator_id}", operator_id, text
        )


async def desk_round(
    bot: Bot, services: Services, messenger: DeskMessenger | None = None
) -> DeskRound:
    """Send what is due: notices to operators, messages kept to try again, check-in
    questions, reminders. A question or reminder that must wait is released for a later
    round; one whose chat is gone stays claimed (the chat is switched off)."""
    messenger = messenger or DeskMessenger()
    now = services.clock()
    notices = 0
    for notice in await desk_store.unsent_notices(services.db):
        if await desk_store.claim_notice(services.db, notice, now=now):
            notices += await _send_notice(bot, services, messenger, notice)
    retried = await messenger.retry_due(bot, services)
    questions = 0
    for check_in in await desk_store.check_ins_to_ask(services.db, QUESTIONS_PER_ROUND):
        key = f"question:{check_in.token}"
        if not messenger.ready(key, check_in.user_id, now):
            continue
        if await desk_store.claim_question(services.db, check_in.token, now=now):
            t = services.catalogs.translator(check_in.language)
            text = t.gettext(
                "Safety check about “%(title)s”: are you safe? Your travel desk sees your answer.",
                title=html.escape(check_in.title[:120]),
            )
            verdict = await _ask(bot, services, messenger, key, check_in, text, t)
            if verdict == Verdict.LATER:
                await desk_store.release_question(services.db, check_in.token)
            questions += verdict == Verdict.SENT
    reminders = 0
    for check_in in await desk_store.open_check_ins(services.db):
        assert check_in.asked_at is not None
        due = reminder_due(
            check_in.asked_at,
            check_in.last_reminded_at,
            check_in.reminders,
            check_in.remind_after,
            now,
        )
        key = f"reminder:{check_in.token}"
        if not due or not messenger.ready(key, check_in.user_id, now):
            continue
        if await desk_store.claim_reminder(services.db, check_in, now=now):
            t = services.catalogs.translator(check_in.language)
            text = t.gettext(
                "Reminder: your travel desk is waiting to hear that you are safe (“%(title)s”).",
                title=html.escape(check_in.title[:120]),
            )
            verdict = await _ask(bot, services, messenger, key, check_in, text, t)
            if verdict == Verdict.LATER:
                await desk_store.release_reminder(services.db, check_in)
            reminders += verdict == Verdict.SENT
    return DeskRound(notices, questions, reminders, retried)


async def _ask(
    bot: Bot,
    services: Services,
    messenger: DeskMessenger,
    key: str,
    check_in: CheckIn,
    text: str,
    t: Translator,
) -> Verdict:
    """A safety question or its reminder: the answer buttons, under the warning it is about."""
    return await messenger.send(
        bot,
        services,
        key,
        check_in.user_id,
        text,
        markup=check_in_buttons(check_in.token, t),
        reply_to=check_in.message_id,
    )


async def desk_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        report = await desk_round(
            context.bot, services_of(context), messenger_of(context.application)
        )
    except Exception:  # a failed round must not stop the next ones; it is logged for admins
        log.exception("travel desk round failed")
        return
    if report != DeskRound():
        log.info("travel desk round: %s", report)


def schedule_desk_round(application: Any, seconds: float = ROUND_SECONDS) -> None:
    """Run `desk_round` every few seconds on the application's job queue (if it has one)."""
    messenger_of(application)
    if application.job_queue is not None:
        application.job_queue.run_repeating(desk_job, interval=seconds, first=seconds)


async def _send_notice(
    bot: Bot, services: Services, messenger: DeskMessenger, notice: DeskNotice
) -> int:
    alert = alert_from_json(json.loads(notice.payload))
    sent = 0
    for operator_id in await desk_store.operator_ids(services.db, notice.org_id):
        t = await _translator(services, operator_id)
        lines = [
            t.gettext(
                "🔔 %(source)s: %(title)s (%(level)s)",
                source=html.escape(source_name(alert.source, t)),
                title=html.escape(alert.title[:150]),
                level=severity_word(alert.severity, t),
            ),
            t.ngettext(
                "%(num)s of your travellers is there now.",
                "%(num)s of your travellers are there now.",
                notice.present,
            ),
            t.ngettext(
                "%(num)s arrives within %(days)s days.",
                "%(num)s arrive within %(days)s days.",
                notice.arriving,
                days=NOTICE_DAYS_AHEAD,
            ),
        ]
        key = f"notice:{notice.org_id}:{notice.alert_version_id}:{operator_id}"
        sent += await messenger.deliver(bot, services, key, operator_id, "\n".join(lines))
    return sent


async def _translator(services: Services, chat_id: int) -> Translator:
    chat = await chat_store.get_chat(services.db, chat_id)
    return services.catalogs.translator(chat.language if chat else None)
