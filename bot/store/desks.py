"""Travel-desk storage: organisations, members, invites, trips, broadcasts, check-ins.

Every read and write that a desk makes names the organisation it acts for, so a row of
another organisation can never be reached by changing an id in a command or a button.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.alerts import Alert
from bot.desks.audience import Audience, AudienceRule
from bot.desks.invites import Invite, InviteState, InviteTerms, invite_state
from bot.desks.report import BroadcastReport, RecipientLine, outcome_of
from bot.desks.roles import Membership, Organisation, Role, RosterEntry
from bot.desks.safety import MAX_REMINDERS, SafetyAnswer
from bot.desks.trips import DeskTrip
from bot.desks.warning import WarningDraft
from bot.sources.serialise import alert_to_json
from bot.store import outbox
from bot.store.clock import from_db, to_db
from bot.store.database import Database, Row

# organisations and members


async def create_organisation(
    db: Database, name: str, owner_id: int, *, created_by: int, now: datetime
) -> Organisation:
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO desk_organisations (name, created_by, created_at) VALUES (?, ?, ?)",
            (name, created_by, to_db(now)),
        )
        org_id = cursor.lastrowid
        assert org_id is not None
        await conn.execute(
            "INSERT INTO desk_members (org_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
            (org_id, owner_id, Role.OWNER.value, to_db(now)),
        )
    return Organisation(org_id, name)


async def organisation(db: Database, org_id: int) -> Organisation | None:
    row = await db.fetch_one("SELECT id, name FROM desk_organisations WHERE id = ?", (org_id,))
    return None if row is None else Organisation(row["id"], row["name"])


_MEMBER_SELECT = (
    "SELECT m.org_id, o.name, m.user_id, m.role, m.reference, c.username"
    " FROM desk_members AS m JOIN desk_organisations AS o ON o.id = m.org_id"
    " LEFT JOIN chats AS c ON c.chat_id = m.user_id"
)


def _member(row: Row) -> Membership:
    return Membership(row[0], row[1], row[2], Role(row[3]), row[4], row[5])


async def membership(db: Database, org_id: int, user_id: int) -> Membership | None:
    row = await db.fetch_one(
        _MEMBER_SELECT + " WHERE m.org_id = ? AND m.user_id = ?", (org_id, user_id)
    )
    return None if row is None else _member(row)


async def memberships(db: Database, user_id: int) -> list[Membership]:
    rows = await db.fetch_all(_MEMBER_SELECT + " WHERE m.user_id = ? ORDER BY m.org_id", (user_id,))
    return [_member(row) for row in rows]


async def operator_ids(db: Database, org_id: int) -> list[int]:
    rows = await db.fetch_all(
        "SELECT user_id FROM desk_members WHERE org_id = ? AND role IN ('owner', 'operator')"
        " ORDER BY user_id",
        (org_id,),
    )
    return [row[0] for row in rows]


async def grant_operator(db: Database, org_id: int, user_id: int, *, now: datetime) -> bool:
    """Make someone an operator (a traveller is promoted); False if they already ran it."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO desk_members (org_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role"
            " WHERE desk_members.role = 'traveller'",
            (org_id, user_id, Role.OPERATOR.value, to_db(now)),
        )
        return cursor.rowcount == 1


async def focus(db: Database, user_id: int) -> int | None:
    """The organisation an operator last chose with /org (checked again at each use)."""
    value = await db.fetch_value("SELECT org_id FROM desk_focus WHERE user_id = ?", (user_id,))
    return None if value is None else int(value)


async def set_focus(db: Database, user_id: int, org_id: int) -> None:
    await db.execute(
        "INSERT INTO desk_focus (user_id, org_id) VALUES (?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET org_id = excluded.org_id",
        (user_id, org_id),
    )


async def user_by_username(db: Database, username: str) -> int | None:
    """The user id of someone who has talked to the bot, by @username."""
    value = await db.fetch_value(
        "SELECT chat_id FROM chats WHERE kind = 'private' AND username = ? COLLATE NOCASE",
        (username.lstrip("@"),),
    )
    return None if value is None else int(value)


async def traveller_index(db: Database, org_id: int) -> dict[str, int]:
    """Every way an import file may name a member: reference, @username, user id (folded)."""
    rows = await db.fetch_all(
        "SELECT m.user_id, m.reference, c.username FROM desk_members AS m"
        " LEFT JOIN chats AS c ON c.chat_id = m.user_id WHERE m.org_id = ?",
        (org_id,),
    )
    index: dict[str, int] = {}
    for user_id, reference, username in rows:
        index[str(user_id)] = user_id
        if username:
            index["@" + username.casefold()] = user_id
        if reference:
            index[reference.casefold()] = user_id
    return index


# invites


async def create_invite(
    db: Database,
    org_id: int,
    token_hash: str,
    terms: InviteTerms,
    *,
    created_by: int,
    now: datetime,
) -> int:
    expires = terms.expires_at(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO desk_invites (org_id, token_hash, reference, created_by, created_at,"
            " expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                org_id,
                token_hash,
                terms.reference,
                created_by,
                to_db(now),
                None if expires is None else to_db(expires),
                terms.max_uses,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


_INVITE_SELECT = (
    "SELECT id, org_id, created_at, expires_at, max_uses, uses, revoked_at, reference"
    " FROM desk_invites"
)


def _invite(row: Row) -> Invite:
    created = from_db(row[2])
    assert created is not None
    return Invite(row[0], row[1], created, from_db(row[3]), row[4], row[5], from_db(row[6]), row[7])


async def invites(db: Database, org_id: int, *, now: datetime) -> list[Invite]:
    """The organisation's invites that still work."""
    rows = await db.fetch_all(_INVITE_SELECT + " WHERE org_id = ? ORDER BY id", (org_id,))
    found = [_invite(row) for row in rows]
    return [invite for invite in found if invite_state(invite, now) == InviteState.VALID]


async def revoke_invite(db: Database, org_id: int, invite_id: int, *, now: datetime) -> bool:
    return (
        await db.execute(
            "UPDATE desk_invites SET revoked_at = ? WHERE id = ? AND org_id = ?"
            " AND revoked_at IS NULL",
            (to_db(now), invite_id, org_id),
        )
        == 1
    )


@dataclass(frozen=True, slots=True)
class Redemption:
    state: InviteState
    organisation: Organisation | None = None
    already_member: bool = False


async def redeem_invite(
    db: Database, token_hash: str, user_id: int, *, now: datetime
) -> Redemption:
    """Join the organisation of a valid invite, in one transaction so uses are exact."""
    async with db.transaction() as conn:
        cursor = await conn.execute(_INVITE_SELECT + " WHERE token_hash = ?", (token_hash,))
        row = await cursor.fetchone()
        invite = None if row is None else _invite(row)
        state = invite_state(invite, now)
        if invite is None or state != InviteState.VALID:
            return Redemption(state)
        cursor = await conn.execute(
            "SELECT name FROM desk_organisations WHERE id = ?", (invite.org_id,)
        )
        name_row = await cursor.fetchone()
        assert name_row is not None
        org = Organisation(invite.org_id, name_row[0])
        cursor = await conn.execute(
            "INSERT INTO desk_members (org_id, user_id, role, reference, joined_at)"
            " SELECT ?, ?, 'traveller', ?, ? WHERE NOT EXISTS (SELECT 1 FROM desk_members"
            " WHERE org_id = ? AND reference = ? COLLATE NOCASE)"
            " ON CONFLICT (org_id, user_id) DO NOTHING",
            (org.id, user_id, invite.reference, to_db(now), org.id, invite.reference),
        )
        if cursor.rowcount == 0:
            cursor = await conn.execute(
                "SELECT 1 FROM desk_members WHERE org_id = ? AND user_id = ?", (org.id, user_id)
            )
            if await cursor.fetchone() is not None:
                return Redemption(InviteState.VALID, org, already_member=True)
            # The personal reference went to someone else meanwhile: join without it.
            await conn.execute(
                "INSERT INTO desk_members (org_id, user_id, role, joined_at)"
                " VALUES (?, ?, 'traveller', ?)",
                (org.id, user_id, to_db(now)),
            )
        await conn.execute("UPDATE desk_invites SET uses = uses + 1 WHERE id = ?", (invite.id,))
    return Redemption(InviteState.VALID, org)


# trips and roster


async def add_trips(
    db: Database, org_id: int, trips: Sequence[DeskTrip], *, now: datetime
) -> list[bool]:
    """Store trips of members of `org_id`; one flag per trip, False for one already there."""
    added: list[bool] = []
    async with db.transaction() as conn:
        for trip in trips:
            cursor = await conn.execute(
                "INSERT INTO desk_trips (org_id, user_id, countries, starts, ends, created_at)"
                " SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM desk_members"
                " WHERE org_id = ? AND user_id = ?) ON CONFLICT DO NOTHING",
                (
                    org_id,
                    trip.user_id,
                    ",".join(sorted(trip.countries)),
                    trip.starts.isoformat(),
                    trip.ends.isoformat(),
                    to_db(now),
                    org_id,
                    trip.user_id,
                ),
            )
            added.append(cursor.rowcount == 1)
    return added


async def roster(db: Database, org_id: int, *, today: date) -> list[RosterEntry]:
    """Members with what they follow and their trips that have not ended."""
    members = [
        _member(row)
        for row in await db.fetch_all(
            _MEMBER_SELECT + " WHERE m.org_id = ? ORDER BY m.role <> 'owner',"
            " m.role <> 'operator', coalesce(m.reference, c.username, CAST(m.user_id AS TEXT))",
            (org_id,),
        )
    ]
    subscriptions: dict[int, list[str]] = {}
    for chat_id, country in await db.fetch_all(
        "SELECT s.chat_id, s.country FROM subscriptions AS s JOIN desk_members AS m"
        " ON m.user_id = s.chat_id WHERE m.org_id = ? ORDER BY s.country",
        (org_id,),
    ):
        subscriptions.setdefault(chat_id, []).append(country)
    trips: dict[int, list[DeskTrip]] = {}
    for user_id, codes, starts, ends in await db.fetch_all(
        "SELECT user_id, countries, starts, ends FROM desk_trips WHERE org_id = ? AND ends >= ?"
        " ORDER BY starts",
        (org_id, today.isoformat()),
    ):
        trips.setdefault(user_id, []).append(
            DeskTrip(
                user_id,
                tuple(codes.split(",")),
                date.fromisoformat(starts),
                date.fromisoformat(ends),
            )
        )
    return [
        RosterEntry(
            member,
            tuple(subscriptions.get(member.user_id, ())),
            tuple(trips.get(member.user_id, ())),
        )
        for member in members
    ]


async def audience(
    db: Database, org_id: int, countries: Sequence[str], rule: AudienceRule, *, today: date
) -> Audience:
    """The organisation's members a warning about `countries` reaches under `rule`."""
    overlap = (
        "EXISTS (SELECT 1 FROM json_each(p.codes) AS j"
        " WHERE instr(',' || t.countries || ',', ',' || j.value || ',') > 0)"
    )
    rows = await db.fetch_all(
        "WITH p (codes, today, until, days, subscribers)"
        " AS (SELECT ?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER))"
        " SELECT m.user_id,"
        " EXISTS (SELECT 1 FROM desk_trips AS t WHERE t.org_id = m.org_id"
        f"  AND t.user_id = m.user_id AND t.starts <= p.today AND t.ends >= p.today AND {overlap}),"
        " p.days > 0 AND EXISTS (SELECT 1 FROM desk_trips AS t WHERE t.org_id = m.org_id"
        "  AND t.user_id = m.user_id AND t.starts > p.today AND t.starts <= p.until"
        f"  AND {overlap}),"
        " p.subscribers <> 0 AND EXISTS (SELECT 1 FROM subscriptions AS s"
        "  WHERE s.chat_id = m.user_id AND s.country IN (SELECT value FROM json_each(p.codes)))"
        " FROM desk_members AS m, p WHERE m.org_id = ?",
        (
            json.dumps(sorted(set(countries))),
            today.isoformat(),
            rule.arriving_by(today).isoformat(),
            rule.days_ahead,
            int(rule.subscribers),
            org_id,
        ),
    )
    return Audience(
        present=frozenset(row[0] for row in rows if row[1]),
        arriving=frozenset(row[0] for row in rows if row[2]),
        subscribed=frozenset(row[0] for row in rows if row[3]),
    )


# broadcasts


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    org_id: int
    operator_id: int
    state: str
    step: str | None
    draft: WarningDraft
    alert_version_id: int | None
    sent_at: datetime | None


_BROADCAST_SELECT = (
    "SELECT id, org_id, operator_id, state, step, draft, alert_version_id, sent_at"
    " FROM desk_broadcasts"
)


def _broadcast(row: Row) -> Broadcast:
    return Broadcast(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        WarningDraft.from_json(row[5]),
        row[6],
        from_db(row[7]),
    )


async def create_draft(
    db: Database,
    org_id: int,
    operator_id: int,
    draft: WarningDraft,
    *,
    step: str | None,
    now: datetime,
) -> int:
    """A new draft; the operator's other unfinished step-by-step drafts are dropped."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE desk_broadcasts SET state = 'cancelled', step = NULL"
            " WHERE operator_id = ? AND state = 'draft'",
            (operator_id,),
        )
        cursor = await conn.execute(
            "INSERT INTO desk_broadcasts (org_id, operator_id, step, draft, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (org_id, operator_id, step, draft.to_json(), to_db(now)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def save_draft(
    db: Database, broadcast_id: int, draft: WarningDraft, *, step: str | None
) -> None:
    await db.execute(
        "UPDATE desk_broadcasts SET draft = ?, step = ? WHERE id = ? AND state = 'draft'",
        (draft.to_json(), step, broadcast_id),
    )


async def composing(db: Database, operator_id: int) -> Broadcast | None:
    """The draft an operator is writing step by step, if any."""
    row = await db.fetch_one(
        _BROADCAST_SELECT + " WHERE operator_id = ? AND step IS NOT NULL AND state = 'draft'"
        " ORDER BY id DESC LIMIT 1",
        (operator_id,),
    )
    return None if row is None else _broadcast(row)


async def broadcast(db: Database, org_id: int, broadcast_id: int) -> Broadcast | None:
    """One broadcast of `org_id`; another organisation's is None, as if it did not exist."""
    row = await db.fetch_one(
        _BROADCAST_SELECT + " WHERE id = ? AND org_id = ?", (broadcast_id, org_id)
    )
    return None if row is None else _broadcast(row)


async def broadcast_org(db: Database, broadcast_id: int) -> int | None:
    """Which organisation a broadcast id belongs to; callers then check the membership."""
    value = await db.fetch_value("SELECT org_id FROM desk_broadcasts WHERE id = ?", (broadcast_id,))
    return None if value is None else int(value)


async def sent_broadcasts(db: Database, org_id: int, limit: int = 10) -> list[Broadcast]:
    rows = await db.fetch_all(
        _BROADCAST_SELECT + " WHERE org_id = ? AND state = 'sent' ORDER BY id DESC LIMIT ?",
        (org_id, limit),
    )
    return [_broadcast(row) for row in rows]


async def cancel_draft(db: Database, org_id: int, broadcast_id: int) -> bool:
    return (
        await db.execute(
            "UPDATE desk_broadcasts SET state = 'cancelled', step = NULL"
            " WHERE id = ? AND org_id = ? AND state = 'draft'",
            (broadcast_id, org_id),
        )
        == 1
    )


async def send_broadcast(
    db: Database,
    org_id: int,
    broadcast_id: int,
    alert: Alert,
    recipients: Sequence[int],
    *,
    check_in_tokens: Mapping[int, str],
    remind_after: timedelta,
    now: datetime,
) -> int | None:
    """Record the warning as an announcement and queue it for exactly `recipients`.

    The draft is claimed first, so a second press of "send" sends nothing. The version row
    is born fanned out: subscription matching must never send a desk's warning.
    Returns the alert version id, or None when the draft was already sent or cancelled.
    """
    stamp = to_db(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE desk_broadcasts SET state = 'sent', step = NULL, sent_at = ?"
            " WHERE id = ? AND org_id = ? AND state = 'draft'",
            (stamp, broadcast_id, org_id),
        )
        if cursor.rowcount != 1:
            return None
        payload = json.dumps({**alert_to_json(alert), "what_changed": []}, ensure_ascii=False)
        cursor = await conn.execute(
            "INSERT INTO alert_versions (source, alert_id, version, change, severity,"
            " payload, seen_at, fanned_out) VALUES (?, ?, ?, 'new', ?, ?, ?, 1)",
            (alert.source, alert.id, alert.version, int(alert.severity), payload, stamp),
        )
        version_id = cursor.lastrowid
        assert version_id is not None
        await conn.execute(
            "UPDATE desk_broadcasts SET alert_version_id = ? WHERE id = ?",
            (version_id, broadcast_id),
        )
        await conn.executemany(
            "INSERT INTO desk_check_ins (broadcast_id, user_id, token, remind_after_s)"
            " VALUES (?, ?, ?, ?)",
            [
                (broadcast_id, user_id, token, int(remind_after.total_seconds()))
                for user_id, token in check_in_tokens.items()
            ],
        )
    await outbox.enqueue(db, version_id, recipients, now=now)
    return version_id


async def report(db: Database, org_id: int, broadcast_id: int) -> BroadcastReport | None:
    """Every recipient of one of `org_id`'s broadcasts, with delivery and answer."""
    sent = await broadcast(db, org_id, broadcast_id)
    if sent is None or sent.alert_version_id is None:
        return None
    rows = await db.fetch_all(
        "SELECT d.chat_id, m.reference, c.username, d.state, d.last_error, c.inactive_reason,"
        " k.answer, k.answered_at"
        " FROM deliveries AS d"
        " LEFT JOIN chats AS c ON c.chat_id = d.chat_id"
        " LEFT JOIN desk_members AS m ON m.org_id = ? AND m.user_id = d.chat_id"
        " LEFT JOIN desk_check_ins AS k ON k.broadcast_id = ? AND k.user_id = d.chat_id"
        " WHERE d.alert_version_id = ?"
        " ORDER BY coalesce(m.reference, c.username, CAST(d.chat_id AS TEXT))",
        (org_id, broadcast_id, sent.alert_version_id),
    )
    lines = tuple(
        RecipientLine(
            user_id=row[0],
            reference=row[1],
            username=row[2],
            outcome=outcome_of(row[3], row[4], row[5]),
            error=row[4] or row[5],
            answer=None if row[6] is None else SafetyAnswer(row[6]),
            answered_at=from_db(row[7]),
        )
        for row in rows
    )
    return BroadcastReport(
        broadcast_id, sent.draft.title, sent.sent_at, sent.draft.safety_check, lines
    )


# safety check-ins


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One recipient's safety check, with what a question or reminder needs."""

    broadcast_id: int
    org_id: int
    user_id: int
    token: str
    title: str
    language: str
    message_id: int | None
    asked_at: datetime | None
    answer: SafetyAnswer | None
    reminders: int
    last_reminded_at: datetime | None
    remind_after: timedelta


_CHECK_IN_SELECT = (
    "SELECT k.broadcast_id, b.org_id, k.user_id, k.token, b.draft,"
    " coalesce(c.language, 'en'), d.message_id, k.asked_at, k.answer, k.reminders,"
    " k.last_reminded_at, k.remind_after_s"
    " FROM desk_check_ins AS k JOIN desk_broadcasts AS b ON b.id = k.broadcast_id"
    " LEFT JOIN deliveries AS d ON d.alert_version_id = b.alert_version_id"
    "  AND d.chat_id = k.user_id"
    " LEFT JOIN chats AS c ON c.chat_id = k.user_id"
)


def _check_in(row: Row) -> CheckIn:
    return CheckIn(
        broadcast_id=row[0],
        org_id=row[1],
        user_id=row[2],
        token=row[3],
        title=WarningDraft.from_json(row[4]).title,
        language=row[5],
        message_id=row[6],
        asked_at=from_db(row[7]),
        answer=None if row[8] is None else SafetyAnswer(row[8]),
        reminders=row[9],
        last_reminded_at=from_db(row[10]),
        remind_after=timedelta(seconds=row[11]),
    )


async def check_ins_to_ask(db: Database, limit: int) -> list[CheckIn]:
    """Recipients whose warning has been delivered and who have not been asked yet (a chat
    that blocked the bot or was deleted is asked nothing more)."""
    rows = await db.fetch_all(
        _CHECK_IN_SELECT + " WHERE k.asked_at IS NULL AND d.state = 'sent'"
        " AND coalesce(c.active, 1) = 1 ORDER BY d.id LIMIT ?",
        (limit,),
    )
    return [_check_in(row) for row in rows]


async def claim_question(db: Database, token: str, *, now: datetime) -> bool:
    """Mark a question asked before sending it, so two rounds never both send it."""
    return (
        await db.execute(
            "UPDATE desk_check_ins SET asked_at = ? WHERE token = ? AND asked_at IS NULL",
            (to_db(now), token),
        )
        == 1
    )


async def release_question(db: Database, token: str) -> None:
    """The question could not be sent for a passing reason: the next round asks again."""
    await db.execute("UPDATE desk_check_ins SET asked_at = NULL WHERE token = ?", (token,))


async def open_check_ins(db: Database, limit: int = 1000) -> list[CheckIn]:
    """Asked, not answered, with reminders left: the candidates for a reminder."""
    rows = await db.fetch_all(
        _CHECK_IN_SELECT + " WHERE k.asked_at IS NOT NULL AND k.answer IS NULL"
        " AND k.reminders < ? AND coalesce(c.active, 1) = 1 ORDER BY k.asked_at LIMIT ?",
        (MAX_REMINDERS, limit),
    )
    return [_check_in(row) for row in rows]


async def claim_reminder(db: Database, check_in: CheckIn, *, now: datetime) -> bool:
    return (
        await db.execute(
            "UPDATE desk_check_ins SET reminders = reminders + 1, last_reminded_at = ?"
            " WHERE token = ? AND reminders = ? AND answer IS NULL",
            (to_db(now), check_in.token, check_in.reminders),
        )
        == 1
    )


async def release_reminder(db: Database, check_in: CheckIn) -> None:
    """The reminder claimed from `check_in` (as it was before the claim) was not sent."""
    await db.execute(
        "UPDATE desk_check_ins SET reminders = ?, last_reminded_at = ?"
        " WHERE token = ? AND reminders = ?",
        (
            check_in.reminders,
            None if check_in.last_reminded_at is None else to_db(check_in.last_reminded_at),
            check_in.token,
            check_in.reminders + 1,
        ),
    )


async def record_answer(
    db: Database, token: str, user_id: int, answer: SafetyAnswer, *, now: datetime
) -> CheckIn | None:
    """Record the answer of the person the question was for; anyone else gets None."""
    changed = await db.execute(
        "UPDATE desk_check_ins SET answer = ?, answered_at = ? WHERE token = ? AND user_id = ?",
        (answer.value, to_db(now), token, user_id),
    )
    if changed != 1:
        return None
    row = await db.fetch_one(_CHECK_IN_SELECT + " WHERE k.token = ?", (token,))
    return None if row is None else _check_in(row)


# notices of official alerts


async def announced_countries(db: Database, alert_version_id: int) -> tuple[str, list[str]] | None:
    """(source, countries) of an announcement, or None if there is no such version."""
    row = await db.fetch_one(
        "SELECT source, payload FROM alert_versions WHERE id = ?", (alert_version_id,)
    )
    if row is None:
        return None
    payload = json.loads(row["payload"])
    return str(row["source"]), [str(code).upper() for code in payload.get("countries", ())]


@dataclass(frozen=True, slots=True)
class DeskNotice:
    org_id: int
    alert_version_id: int
    present: int
    arriving: int
    payload: str


async def queue_notices(
    db: Database,
    alert_version_id: int,
    countries: Sequence[str],
    *,
    today: date,
    until: date,
    now: datetime,
) -> int:
    """For each organisation with members there now or arriving by `until`, one notice."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO desk_notices"
            " (org_id, alert_version_id, present, arriving, created_at)"
            " SELECT t.org_id, :version,"
            " count(DISTINCT CASE WHEN t.starts <= :today THEN t.user_id END),"
            " count(DISTINCT CASE WHEN t.starts > :today THEN t.user_id END), :now"
            " FROM desk_trips AS t JOIN desk_members AS m"
            "  ON m.org_id = t.org_id AND m.user_id = t.user_id"
            " WHERE t.ends >= :today AND t.starts <= :until AND EXISTS ("
            "  SELECT 1 FROM json_each(:codes) AS j"
            "  WHERE instr(',' || t.countries || ',', ',' || j.value || ',') > 0)"
            " GROUP BY t.org_id",
            {
                "version": alert_version_id,
                "today": today.isoformat(),
                "until": until.isoformat(),
                "now": to_db(now),
                "codes": json.dumps(sorted(set(countries))),
            },
        )
        return cursor.rowcount


async def unsent_notices(db: Database, limit: int = 50) -> list[DeskNotice]:
    rows = await db.fetch_all(
        "SELECT n.org_id, n.alert_version_id, n.present, n.arriving, v.payload"
        " FROM desk_notices AS n JOIN alert_versions AS v ON v.id = n.alert_version_id"
        " WHERE n.sent_at IS NULL ORDER BY n.created_at LIMIT ?",
        (limit,),
    )
    return [DeskNotice(*tuple(row)) for row in rows]


async def claim_notice(db: Database, notice: DeskNotice, *, now: datetime) -> bool:
    return (
        await db.execute(
            "UPDATE desk_notices SET sent_at = ? WHERE org_id = ? AND alert_version_id = ?"
            " AND sent_at IS NULL",
            (to_db(now), notice.org_id, notice.alert_version_id),
        )
        == 1
    )


# organisations as admins see them


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    id: int
    name: str
    owners: tuple[int, ...]
    operators: int
    travellers: int


async def organisation_summaries(db: Database) -> list[OrganisationSummary]:
    """Every organisation with its owners and head counts (admins only)."""
    rows = await db.fetch_all(
        "SELECT o.id, o.name, m.user_id, m.role FROM desk_organisations AS o"
        " LEFT JOIN desk_members AS m ON m.org_id = o.id ORDER BY o.id, m.user_id"
    )
    found: dict[int, tuple[str, list[int], list[str]]] = {}
    for row in rows:
        _, owners, roles = found.setdefault(row[0], (row[1], [], []))
        if row[3] == Role.OWNER.value:
            owners.append(row[2])
        if row[3] is not None:
            roles.append(row[3])
    return [
        OrganisationSummary(
            org_id,
            name,
            tuple(owners),
            operators=sum(role == Role.OPERATOR.value for role in roles),
            travellers=sum(role == Role.TRAVELLER.value for role in roles),
        )
        for org_id, (name, owners, roles) in found.items()
    ]


async def name_owner(db: Database, org_id: int, user_id: int, *, now: datetime) -> bool:
    """Make someone an owner of the organisation (joining it if needed); False if already."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO desk_members (org_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role"
            " WHERE desk_members.role <> 'owner'",
            (org_id, user_id, Role.OWNER.value, to_db(now)),
        )
        return cursor.rowcount == 1


async def remove_owner(db: Database, org_id: int, user_id: int) -> str:
    """Take the desk away from an owner (they stay a traveller of the organisation).

    Returns "removed", "not-owner", or "last-owner" (an organisation keeps one owner, so
    that someone can always run its desk: name another first).
    """
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT user_id FROM desk_members WHERE org_id = ? AND role = 'owner'", (org_id,)
        )
        owners = [row[0] for row in await cursor.fetchall()]
        if user_id not in owners:
            return "not-owner"
        if len(owners) == 1:
            return "last-owner"
        await conn.execute(
            "UPDATE desk_members SET role = 'traveller' WHERE org_id = ? AND user_id = ?",
            (org_id, user_id),
        )
    return "removed"


@dataclass(frozen=True, slots=True)
class WaitingMessage:
    """A desk message without a row of its own, waiting to be tried again."""

    key: str
    chat_id: int
    text: str
    attempts: int
    not_before: datetime


async def keep_waiting(
    db: Database,
    key: str,
    chat_id: int,
    text: str,
    *,
    attempts: int,
    not_before: datetime,
    now: datetime,
) -> None:
    """Keep (or update) a message that must be tried again at `not_before`."""
    await db.execute(
        "INSERT INTO desk_messages_waiting (message_key, chat_id, text, attempts, not_before,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_key) DO UPDATE SET"
        " attempts = excluded.attempts, not_before = excluded.not_before",
        (key, chat_id, text, attempts, to_db(not_before), to_db(now)),
    )


async def waiting_messages(
    db: Database, *, now: datetime, limit: int = 100
) -> list[WaitingMessage]:
    """The waiting messages whose time has come, the longest waiting first."""
    rows = await db.fetch_all(
        "SELECT message_key, chat_id, text, attempts, not_before FROM desk_messages_waiting"
        " WHERE not_before <= ? ORDER BY not_before, message_key LIMIT ?",
        (to_db(now), limit),
    )
    return [
        WaitingMessage(
            key=row["message_key"],
            chat_id=int(row["chat_id"]),
            text=row["text"],
            attempts=int(row["attempts"]),
            not_before=datetime.fromisoformat(row["not_before"]),
        )
        for row in rows
    ]


async def take_waiting(db: Database, message: WaitingMessage, *, until: datetime) -> bool:
    """Take a waiting message to send it now: no other process tries it before `until`.
    False when another process took it first."""
    return (
        await db.execute(
            "UPDATE desk_messages_waiting SET not_before = ?"
            " WHERE message_key = ? AND not_before = ?",
            (to_db(until), message.key, to_db(message.not_before)),
        )
        == 1
    )


async def drop_waiting(db: Database, key: str) -> None:
    """The message went, or never will: it waits no more."""
    await db.execute("DELETE FROM desk_messages_waiting WHERE message_key = ?", (key,))


async def waiting_count(db: Database) -> int:
    return int(await db.fetch_value("SELECT count(*) FROM desk_messages_waiting") or 0)
