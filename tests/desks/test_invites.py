"""Invite links: unguessable tokens, hashed, with expiry, uses and revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.desks.invites import (
    Invite,
    InviteState,
    InviteTermsError,
    deep_link,
    hash_token,
    invite_state,
    looks_like_token,
    new_token,
    parse_invite_terms,
)

NOW = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)


def invite(**changes: object) -> Invite:
    values: dict[str, object] = {
        "id": 1,
        "org_id": 1,
        "created_at": NOW,
        "expires_at": None,
        "max_uses": None,
        "uses": 0,
        "revoked_at": None,
    }
    values.update(changes)
    return Invite(**values)  # type: ignore[arg-type]


def test_tokens_carry_at_least_128_random_bits_and_fit_a_start_payload() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert len(token) * 6 >= 128 and looks_like_token(token)
        assert len(deep_link("travel_risk_bot", token).split("start=")[1]) <= 64
        assert hash_token(token) != token and len(hash_token(token)) == 64


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({}, InviteState.VALID),
        ({"expires_at": NOW}, InviteState.EXPIRED),
        ({"expires_at": NOW + timedelta(seconds=1)}, InviteState.VALID),
        ({"max_uses": 2, "uses": 2}, InviteState.USED_UP),
        ({"revoked_at": NOW, "expires_at": NOW}, InviteState.REVOKED),
    ],
)
def test_invite_state_follows_expiry_uses_and_revocation(
    changes: dict[str, object], state: InviteState
) -> None:
    assert invite_state(invite(**changes), NOW) == state
    assert invite_state(None, NOW) == InviteState.UNKNOWN


def test_invite_terms_are_read_and_a_personal_invite_is_single_use() -> None:
    terms = parse_invite_terms(["days=7", "ref=E123"])
    assert terms.days == 7 and terms.reference == "E123" and terms.max_uses == 1
    assert terms.expires_at(NOW) == NOW + timedelta(days=7)
    with pytest.raises(InviteTermsError):
        parse_invite_terms(["forever"])
    with pytest.raises(InviteTermsError):
        parse_invite_terms(["days=0"])
