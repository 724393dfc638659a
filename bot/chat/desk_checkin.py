"""Safety check-ins and desk notices: what the desk's job sends, and the answers.

A warning with a safety check goes out through the outbox like any alert; once the outbox
records it delivered, the desk round asks the question in a reply to it ("I'm safe" /
"I need help"), reminds non-responders at the broadcast's interval, and passes a call
for help to every operator at once. The round also sends operators the notices of
official alerts that touch their travellers.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.chat.common import current_chat, services_of, translator_for
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
QUESTIONS_PER_ROUND = 25  # with a round every 5 s, about 5 a second: well under Telegram's 30


@dataclass(frozen=True, slots=True)
class DeskRound:
    """What one round sent, for logs and tests."""

    notices: int = 0
    questions: int = 0
    reminders: int = 0


def check_in_buttons(token: str, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "✅ " + t.gettext("I'm safe"),
                    callback_data=check_in_data(token, SafetyAnswer.SAFE),
                ),
                InlineKeyboardButton(
                    "🆘 " + t.gettext("I need help"),
                    callback_data=check_in_data(token, SafetyAnswer.HELP),
                ),
            ]
        ]
    )


async def check_in_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """chk:<token>:<s|h>, accepted only from the person the question was sent to."""
    query = update.callback_query
    assert query is not None
    services = services_of(context)
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
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
        return
    await query.answer(t.gettext("Your travel desk has been told you need help."), show_alert=True)
    await alert_operators(context.bot, services, answered, query.from_user.id)


async def alert_operators(bot: Bot, services: Services, check_in: CheckIn, user_id: int) -> None:
    """A call for help goes to every operator of the organisation at once."""
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
        await _send(bot, operator_id, text)


async def desk_round(bot: Bot, services: Services) -> DeskRound:
    """Send what is due: notices to operators, check-in questions, reminders."""
    now = services.clock()
    notices = 0
    for notice in await desk_store.unsent_notices(services.db):
        if await desk_store.claim_notice(services.db, notice, now=now):
            notices += await _send_notice(bot, services, notice)
    questions = 0
    for check_in in await desk_store.check_ins_to_ask(services.db, QUESTIONS_PER_ROUND):
        if await desk_store.claim_question(services.db, check_in.token, now=now):
            t = services.catalogs.translator(check_in.language)
            text = t.gettext(
                "Safety check about “%(title)s”: are you safe? Your travel desk sees your answer.",
                title=html.escape(check_in.title[:120]),
            )
            questions += await _send(
                bot,
                check_in.user_id,
                text,
                check_in_buttons(check_in.token, t),
                check_in.message_id,
            )
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
        if due and await desk_store.claim_reminder(services.db, check_in, now=now):
            t = services.catalogs.translator(check_in.language)
            text = t.gettext(
                "Reminder: your travel desk is waiting to hear that you are safe (“%(title)s”).",
                title=html.escape(check_in.title[:120]),
            )
            reminders += await _send(
                bot,
                check_in.user_id,
                text,
                check_in_buttons(check_in.token, t),
                check_in.message_id,
            )
    return DeskRound(notices, questions, reminders)


async def desk_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        report = await desk_round(context.bot, services_of(context))
    except Exception:  # a failed round must not stop the next ones; it is logged for admins
        log.exception("travel desk round failed")
        return
    if report != DeskRound():
        log.info("travel desk round: %s", report)


def schedule_desk_round(application: Any, seconds: float = ROUND_SECONDS) -> None:
    """Run `desk_round` every few seconds on the application's job queue (if it has one)."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(desk_job, interval=seconds, first=seconds)


async def _send_notice(bot: Bot, services: Services, notice: DeskNotice) -> int:
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
        sent += await _send(bot, operator_id, "\n".join(lines))
    return sent


async def _translator(services: Services, chat_id: int) -> Translator:
    chat = await chat_store.get_chat(services.db, chat_id)
    return services.catalogs.translator(chat.language if chat else None)


async def _send(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> int:
    """1 if sent; a failure is logged (the report shows the warning's own delivery)."""
    reply = (
        None if reply_to is None else ReplyParameters(reply_to, allow_sending_without_reply=True)
    )
    try:
        await bot.send_message(
            chat_id, text, parse_mode="HTML", reply_markup=markup, reply_parameters=reply
        )
    except TelegramError as error:
        log.warning("travel desk message to %s failed: %s", chat_id, error)
        return 0
    return 1
