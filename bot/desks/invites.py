"""Invite links: a random token in a deep link, stored only as its hash.

Whoever holds a valid link joins as a traveller, so the token is unguessable (192 bits)
and the database never holds it in a form that could be replayed from a backup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

JOIN_PREFIX = "join_"
TOKEN_BYTES = 24  # 192 bits; 32 url-safe characters, well inside the 64 of a start payload
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_REFERENCE = re.compile(r"^[\w.@-]{1,64}$")
MAX_INVITE_DAYS = 365


class InviteState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used-up"


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    org_id: int
    created_at: datetime
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    revoked_at: datetime | None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class InviteTerms:
    """What an operator asked for: how long the link lasts, how often, and for whom."""

    days: int | None = None
    max_uses: int | None = None
    reference: str | None = None  # a personal invite: whoever joins gets this reference

    def expires_at(self, now: datetime) -> datetime | None:
        return None if self.days is None else now + timedelta(days=self.days)


class InviteTermsError(ValueError):
    """An invite option was not understood; the message names it."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN.match(text))


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={JOIN_PREFIX}{token}"


def invite_state(invite: Invite | None, now: datetime) -> InviteState:
    """Whether a link may still be used; revocation wins over expiry in what people are told."""
    if invite is None:
        return InviteState.UNKNOWN
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if invite.expires_at is not None and invite.expires_at <= now:
        return InviteState.EXPIRED
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return InviteState.USED_UP
    return InviteState.VALID


def parse_invite_terms(words: list[str]) -> InviteTerms:
    """`days=7 uses=20 ref=E123`, in any order; a personal invite (ref=) is single-use."""
    days: int | None = None
    uses: int | None = None
    reference: str | None = None
    for word in words:
        key, eq, value = word.partition("=")
        key = key.casefold()
        if not eq:
            raise InviteTermsError(word)
        if key in {"days", "expires"} and value.isdigit() and 0 < int(value) <= MAX_INVITE_DAYS:
            days = int(value)
        elif key in {"uses", "max"} and value.isdigit() and int(value) > 0:
            uses = int(value)
        elif key in {"ref", "reference"} and _REFERENCE.match(value):
            reference = value
        else:
            raise InviteTermsError(word)
    if reference is not None:
        uses = 1
    return InviteTerms(days, uses, reference)
