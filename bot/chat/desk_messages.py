"""The desk's own messages: safety questions, reminders, calls for help, notices to operators.

They do not go through the outbox, whose rows are alerts rendered for a reader: each of
these carries its recipient's own buttons or counts. So they are sent here, but the same
way: paced by a `Pacer` (one message a second in a chat, a few a second overall), and every
Telegram error judged by the outbox's own `outcome_of`. A 429 pauses sending, a chat that
is gone is switched off as the dispatcher does, a network or server error is tried again
with backoff, and what is given up is logged for admins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.delivery.pacing import DeliveryLimits, Pacer
from bot.delivery.sender import ChatGone, Failed, SendResult, Sent, SlowDown, outcome_of
from bot.services import Services
from bot.store import desks as desk_store
from bot.store import outbox

log = logging.getLogger(__name__)

MESSENGER_KEY = "desk_messenger"
PRIVATE = "private"  # every desk message goes to a person's private chat
# A few a second: the dispatcher keeps most of Telegram's 30 for alerts and warnings.
DESK_LIMITS = DeliveryLimits(
    global_per_second=5, max_attempts=6, backoff_seconds=10.0, max_backoff_seconds=900.0
)
# The longest a message waits for its turn; a longer pause (after a 429) leaves it for a
# later round rather than holding up the round, or a button's answer.
PATIENCE_SECONDS = 2.0
_FORGET_AFTER = timedelta(days=1)
# How long a process that took a waiting message to send it has before the others may:
# longer than a send can take, short enough for a call for help.
TAKEN_FOR = timedelta(seconds=60)


class Verdict(StrEnum):
    SENT = "sent"
    LATER = "later"  # not sent for a passing reason: try again
    NEVER = "never"  # the chat is gone, or Telegram refuses this message: logged


class DeskMessenger:
    """Sends desk messages at Telegram's pace and remembers what to try again, and when.

    Questions and reminders have a row each, which the round releases to try again; calls
    for help and notices are kept in the database until they go (`desk_messages_waiting`),
    so neither a restart nor a second process loses or doubles one.
    """

    def __init__(
        self,
        limits: DeliveryLimits = DESK_LIMITS,
        *,
        pacer: Pacer | None = None,
        monotonic: Callable[[], float] | None = None,
    ) -> None:
        """`pacer`: the dispatcher's, to share Telegram's overall limit with the outbox;
        without it the desk keeps to its own few messages a second."""
        self.limits = limits
        self.pacer = pacer or Pacer(limits, monotonic=monotonic or time.monotonic)
        self._failures: dict[str, tuple[int, datetime]] = {}  # key: (attempts, not before)

    def ready(self, key: str, chat_id: int, now: datetime) -> bool:
        """Whether a message may be tried now: not backing off, and its turn is near."""
        failure = self._failures.get(key)
        if failure is not None and failure[1] > now:
            return False
        return self.pacer.ready_at(chat_id) - self.pacer.now() <= PATIENCE_SECONDS

    async def send(
        self,
        bot: Bot,
        services: Services,
        key: str,
        chat_id: int,
        text: str,
        *,
        markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
    ) -> Verdict:
        """Send one message (`key` names it for retries); the caller acts on the verdict."""
        if not self.ready(key, chat_id, services.clock()):
            return Verdict.LATER
        await self.pacer.wait_turn(chat_id, PRIVATE)
        try:
            result = await _send_message(bot, chat_id, text, markup, reply_to)
        finally:
            self.pacer.finish(chat_id, PRIVATE)
        return await self._judge(services, key, chat_id, result)

    async def deliver(
        self, bot: Bot, services: Services, key: str, chat_id: int, text: str
    ) -> bool:
        """Send a message that has no row of its own; one that must wait is kept in the
        database for `retry_due`."""
        verdict = await self.send(bot, services, key, chat_id, text)
        if verdict == Verdict.LATER:
            await self._keep(services, key, chat_id, text)
        return verdict == Verdict.SENT

    async def retry_due(self, bot: Bot, services: Services) -> int:
        """Try again the kept messages whose time has come; returns how many went."""
        now = services.clock()
        self._forget_stale(now)
        sent = 0
        for message in await desk_store.waiting_messages(services.db, now=now):
            # What an earlier run, or another process, learnt of this message.
            self._failures.setdefault(message.key, (message.attempts, message.not_before))
            if not self.ready(message.key, message.chat_id, now):
                continue
            if not await desk_store.take_waiting(services.db, message, until=now + TAKEN_FOR):
                continue  # another process is sending it
            verdict = await self.send(bot, services, message.key, message.chat_id, message.text)
            if verdict == Verdict.LATER:
                await self._keep(services, message.key, message.chat_id, message.text)
            else:
                await desk_store.drop_waiting(services.db, message.key)
            sent += verdict == Verdict.SENT
        return sent

    async def _keep(self, services: Services, key: str, chat_id: int, text: str) -> None:
        now = services.clock()
        attempts, not_before = self._failures.get(key, (0, now))
        await desk_store.keep_waiting(
            services.db,
            key,
            chat_id,
            text,
            attempts=attempts,
            not_before=max(not_before, now),
            now=now,
        )

    async def _judge(
        self, services: Services, key: str, chat_id: int, result: SendResult
    ) -> Verdict:
        now = services.clock()
        if isinstance(result, Sent):
            self._failures.pop(key, None)
            return Verdict.SENT
        if isinstance(result, SlowDown):
            self.pacer.slow_down(chat_id, PRIVATE, result.seconds)
            log.warning(
                "travel desk message %s to %s held: Telegram asks to wait %.0f s",
                key,
                chat_id,
                result.seconds,
            )
            return Verdict.LATER
        if isinstance(result, ChatGone):
            self._failures.pop(key, None)
            await outbox.deactivate_chat(services.db, chat_id, result.reason, now=now)
            log.warning("travel desk message %s: chat %s is gone (%s)", key, chat_id, result.reason)
            return Verdict.NEVER
        description = getattr(result, "description", repr(result))
        if isinstance(result, Failed):
            attempts = self._failures.get(key, (0, now))[0] + 1
            if attempts < self.limits.max_attempts:
                self._failures[key] = (attempts, now + self._backoff(attempts))
                log.warning(
                    "travel desk message %s to %s failed (attempt %s), will try again: %s",
                    key,
                    chat_id,
                    attempts,
                    description,
                )
                return Verdict.LATER
        self._failures.pop(key, None)
        log.error("travel desk message %s to %s given up: %s", key, chat_id, description)
        return Verdict.NEVER

    def _backoff(self, attempt: int) -> timedelta:
        seconds = self.limits.backoff_seconds * 2 ** (attempt - 1)
        return timedelta(seconds=min(self.limits.max_backoff_seconds, seconds))

    def _forget_stale(self, now: datetime) -> None:
        """Backoffs of messages nobody tries any more (answered meanwhile) are dropped; a
        waiting message's own are in its row."""
        stale = [k for k, (_, at) in self._failures.items() if at + _FORGET_AFTER < now]
        for key in stale:
            del self._failures[key]


async def _send_message(
    bot: Bot,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    reply_to: int | None,
) -> SendResult:
    reply = (
        None if reply_to is None else ReplyParameters(reply_to, allow_sending_without_reply=True)
    )
    try:
        message = await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, reply_parameters=reply
        )
    except TelegramError as error:
        return outcome_of(error)  # an invalid token is raised: the round logs it
    return Sent(message.message_id)


def messenger_of(application: Any) -> DeskMessenger:
    """The application's one messenger, so its pacing and retries span rounds and buttons
    (the wiring may put one there first, e.g. with the dispatcher's pacer)."""
    messenger = application.bot_data.get(MESSENGER_KEY)
    if not isinstance(messenger, DeskMessenger):
        messenger = application.bot_data[MESSENGER_KEY] = DeskMessenger()
    return messenger
