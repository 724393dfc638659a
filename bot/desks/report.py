"""A broadcast's delivery report: who got it, who did not and why, and what they answered."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.desks.safety import SafetyAnswer, Tally


class Outcome(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"
    BLOCKED = "blocked"
    NOT_FOUND = "not found"
    DEACTIVATED = "deactivated"
    FAILED = "failed"


def outcome_of(state: str, last_error: str | None, inactive_reason: str | None) -> Outcome:
    """The delivery's state and Telegram's own words, as a reason an operator can act on."""
    if state == "sent":
        return Outcome.DELIVERED
    if state == "pending":
        return Outcome.PENDING
    text = f"{last_error or ''} {inactive_reason or ''}".casefold()
    if "blocked" in text or "kicked" in text:
        return Outcome.BLOCKED
    if "deactivated" in text:
        return Outcome.DEACTIVATED
    if "not found" in text or "peer_id_invalid" in text:
        return Outcome.NOT_FOUND
    return Outcome.FAILED


@dataclass(frozen=True, slots=True)
class RecipientLine:
    user_id: int
    reference: str | None
    username: str | None
    outcome: Outcome
    error: str | None
    answer: SafetyAnswer | None
    answered_at: datetime | None

    def label(self) -> str:
        return self.reference or (f"@{self.username}" if self.username else str(self.user_id))


@dataclass(frozen=True, slots=True)
class BroadcastReport:
    broadcast_id: int
    title: str
    sent_at: datetime | None
    safety_check: bool
    lines: tuple[RecipientLine, ...]

    def tally(self) -> Tally:
        outcomes = [line.outcome for line in self.lines]
        return Tally(
            recipients=len(outcomes),
            delivered=outcomes.count(Outcome.DELIVERED),
            failed=sum(o not in (Outcome.DELIVERED, Outcome.PENDING) for o in outcomes),
            safe=sum(line.answer == SafetyAnswer.SAFE for line in self.lines),
            need_help=sum(line.answer == SafetyAnswer.HELP for line in self.lines),
        )

    def failures(self) -> dict[Outcome, int]:
        counts: dict[Outcome, int] = {}
        for line in self.lines:
            if line.outcome not in (Outcome.DELIVERED, Outcome.PENDING):
                counts[line.outcome] = counts.get(line.outcome, 0) + 1
        return counts

    def non_responders(self) -> tuple[RecipientLine, ...]:
        return tuple(
            line for line in self.lines if line.outcome == Outcome.DELIVERED and not line.answer
        )

    def to_csv(self) -> bytes:
        """One row per recipient, for the desk's spreadsheet (UTF-8 with a BOM for Excel)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["reference", "username", "user_id", "delivery", "error", "answer", "answered_at"]
        )
        for line in self.lines:
            writer.writerow(
                [
                    _safe_cell(line.reference or ""),
                    line.username or "",
                    line.user_id,
                    line.outcome.value,
                    _safe_cell(line.error or ""),
                    line.answer.value if line.answer else "",
                    line.answered_at.isoformat() if line.answered_at else "",
                ]
            )
        return ("\ufeff" + buffer.getvalue()).encode()


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
