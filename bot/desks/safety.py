"""Safety checks: "I'm safe" / "I need help" answers, reminders and the desk's tally.

The buttons carry an opaque random token, looked up in the store together with the person
who may press it, so callback data forged by a modified client grants nothing.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

CHECK_IN_PREFIX = "chk:"
MAX_REMINDERS = 2
_DATA = re.compile(r"^chk:(?P<token>[A-Za-z0-9_-]{16,40}):(?P<answer>[sh])$")


class SafetyAnswer(StrEnum):
    SAFE = "safe"
    HELP = "help"


def new_check_in_token() -> str:
    return secrets.token_urlsafe(16)


def check_in_data(token: str, answer: SafetyAnswer) -> str:
    """Callback data for one button: well inside Telegram's 64 bytes."""
    return f"{CHECK_IN_PREFIX}{token}:{answer.value[0]}"


def read_check_in_data(data: str) -> tuple[str, SafetyAnswer] | None:
    match = _DATA.match(data)
    if match is None:
        return None
    answer = SafetyAnswer.SAFE if match.group("answer") == "s" else SafetyAnswer.HELP
    return match.group("token"), answer


def reminder_due(
    asked_at: datetime,
    last_reminded_at: datetime | None,
    reminders: int,
    interval: timedelta,
    now: datetime,
) -> bool:
    """A non-responder is reminded `interval` after the question, then after each reminder."""
    if reminders >= MAX_REMINDERS:
        return False
    return (last_reminded_at or asked_at) + interval <= now


@dataclass(frozen=True, slots=True)
class Tally:
    """Where a broadcast stands: messages that reached people, and the answers."""

    recipients: int
    delivered: int
    failed: int
    safe: int
    need_help: int

    @property
    def pending(self) -> int:
        return self.recipients - self.delivered - self.failed

    @property
    def answered(self) -> int:
        return self.safe + self.need_help

    @property
    def no_answer(self) -> int:
        return self.delivered - self.answered
