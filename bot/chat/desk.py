"""Travel-desk commands: organisations, operators, invites, joining, roster and trips.

Every command acts for one organisation the sender runs, chosen by an explicit id or by
/org; another organisation's id is refused with the same answer whether it exists or not.
Desk commands work in private chats only, so a roster never lands in a group.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat import traveller
from bot.chat.common import chat_context, current_chat, reply, services_of, translator_for
from bot.desks import invites as invite_rules
from bot.desks.invites import InviteState, InviteTermsError
from bot.desks.roles import Membership, RosterEntry
from bot.desks.trips import RowProblem, TripFileError, TripImport, read_trip_csv
from bot.i18n import N_, Translator
from bot.services import Services
from bot.store import audit
from bot.store import desks as desk_store
from bot.store.chats import Chat

MAX_NAME_CHARS = 80
MAX_CSV_BYTES = 1024 * 1024
MAX_ROSTER_LINES = 200
MAX_REPORTED_ROWS = 30


@dataclass(frozen=True, slots=True)
class Desk:
    """The sender, acting as an operator of one organisation."""

    services: Services
    chat: Chat
    t: Translator
    operator: Membership

    @property
    def org_id(self) -> int:
        return self.operator.org_id


async def audited(
    services: Services, update: Update, action: str, details: dict[str, object]
) -> None:
    """Record a desk action in the audit log admins read (who, what, when)."""
    await audit.record(services.db, user_id_of(update), f"desk.{action}", details, services.clock())


def arguments(update: Update) -> list[str]:
    """The words after the command on its first line."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    first_line = text.split("\n", 1)[0]
    return first_line.split()[1:]


def user_id_of(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def open_desk(
    update: Update, context: ContextTypes.DEFAULT_TYPE, org: str | None
) -> Desk | None:
    """The organisation the sender runs: `org` if given, else their /org choice, else their
    only one. Replies and returns None when there is none to act for."""
    services, chat, t = await chat_context(update, context)
    user_id = user_id_of(update)
    if org is not None:
        member = None
        if org.isdigit() and len(org) < 12:
            member = await desk_store.membership(services.db, int(org), user_id)
        if member is None or not member.runs_desk:
            await reply(
                update,
                t.gettext(
                    "You do not run the travel desk of organisation %(org)s.",
                    org=html.escape(org[:20]),
                ),
                t=t,
            )
            return None
        return Desk(services, chat, t, member)
    desks = [m for m in await desk_store.memberships(services.db, user_id) if m.runs_desk]
    chosen = await desk_store.focus(services.db, user_id)
    member = next((m for m in desks if m.org_id == chosen), None)
    if member is None and len(desks) == 1:
        member = desks[0]
    if member is not None:
        return Desk(services, chat, t, member)
    if not desks:
        await reply(update, t.gettext("You do not run a travel desk."), t=t)
    else:
        await reply(update, organisations_text(desks, None, t), t=t)
    return None


def organisations_text(members: list[Membership], current: int | None, t: Translator) -> str:
    lines = [t.gettext("Your organisations (choose one with /org followed by its number):")]
    for member in members:
        mark = " ◀" if member.org_id == current else ""
        lines.append(f"{member.org_id}. {html.escape(member.org_name)} — {member.role.value}{mark}")
    return "\n".join(lines)


async def resolve_person(services: Services, word: str) -> int | None:
    """A user id typed as a number, or the id of an @username that has talked to the bot."""
    word = word.strip()
    if word.isdigit() and len(word) < 16:
        return int(word)
    if word.startswith("@") and 1 < len(word) <= 33:
        return await desk_store.user_by_username(services.db, word)
    return None


# organisations and operators


async def org_create(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/org_create Name of the company @owner (or the owner's user id): admins only; anyone
    else gets the answer of an unknown command, as for every admin command."""
    services = services_of(context)
    if user_id_of(update) not in services.settings.admin_ids:
        await traveller.unknown_command(update, context)
        return
    chat = await current_chat(update, services)
    t = translator_for(chat, services)
    words = arguments(update)
    if len(words) < 2:
        await reply(
            update,
            t.gettext(
                "Write it like this: %(example)s",
                example="<code>/org_create Acme Travel @owner</code>",
            ),
            t=t,
        )
        return
    name = " ".join(words[:-1])[:MAX_NAME_CHARS]
    owner = await resolve_person(services, words[-1])
    if owner is None:
        await reply(update, unknown_person_text(words[-1], t), t=t)
        return
    org = await desk_store.create_organisation(
        services.db, name, owner, created_by=user_id_of(update), now=services.clock()
    )
    await audited(services, update, "org_create", {"org": org.id, "owner": owner})
    await reply(
        update,
        t.gettext(
            "Organisation %(org)s created (number %(id)s); its owner is %(owner)s.",
            org=f"<b>{html.escape(org.name)}</b>",
            id=org.id,
            owner=html.escape(words[-1][:40]),
        ),
        t=t,
    )


def unknown_person_text(word: str, t: Translator) -> str:
    return t.gettext(
        "I don't know %(who)s yet: ask them to send /start to me, or give their numeric user id.",
        who=html.escape(word[:40]),
    )


async def org_choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/org: the organisations you belong to; /org 3: work on organisation 3's desk."""
    words = arguments(update)
    if words:
        desk = await open_desk(update, context, words[0])
        if desk is None:
            return
        await desk_store.set_focus(desk.services.db, user_id_of(update), desk.org_id)
        await reply(
            update,
            desk.t.gettext(
                "You are now working on the desk of %(org)s.",
                org=f"<b>{html.escape(desk.operator.org_name)}</b>",
            ),
            t=desk.t,
        )
        return
    services, _, t = await chat_context(update, context)
    members = await desk_store.memberships(services.db, user_id_of(update))
    if not members:
        await reply(update, t.gettext("You do not belong to any organisation."), t=t)
        return
    current = await desk_store.focus(services.db, user_id_of(update))
    await reply(update, organisations_text(members, current, t), t=t)


async def operator_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/operator_add @user, or /operator_add <org> @user."""
    words = arguments(update)
    desk = await open_desk(update, context, words[0] if len(words) > 1 else None)
    if desk is None:
        return
    if not words:
        await reply(
            update,
            desk.t.gettext(
                "Write it like this: %(example)s", example="<code>/operator_add @colleague</code>"
            ),
            t=desk.t,
        )
        return
    person = await resolve_person(desk.services, words[-1])
    if person is None:
        await reply(update, unknown_person_text(words[-1], desk.t), t=desk.t)
        return
    added = await desk_store.grant_operator(
        desk.services.db, desk.org_id, person, now=desk.services.clock()
    )
    if added:
        await audited(desk.services, update, "operator_add", {"org": desk.org_id, "user": person})
    text = (
        desk.t.gettext(
            "%(who)s is now an operator of %(org)s.",
            who=html.escape(words[-1][:40]),
            org=html.escape(desk.operator.org_name),
        )
        if added
        else desk.t.gettext("%(who)s already runs this desk.", who=html.escape(words[-1][:40]))
    )
    await reply(update, text, t=desk.t)


# invites and joining


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite [org] [days=7] [uses=20] [ref=E123]: a link that makes travellers join."""
    words = arguments(update)
    org = words[0] if words and "=" not in words[0] else None
    desk = await open_desk(update, context, org)
    if desk is None:
        return
    try:
        terms = invite_rules.parse_invite_terms(words[1:] if org else words)
    except InviteTermsError as error:
        await reply(
            update,
            desk.t.gettext(
                "I don't understand %(option)s. Options: days=7 uses=20 ref=E123",
                option=html.escape(str(error)[:40]),
            ),
            t=desk.t,
        )
        return
    token = invite_rules.new_token()
    invite_id = await desk_store.create_invite(
        desk.services.db,
        desk.org_id,
        invite_rules.hash_token(token),
        terms,
        created_by=user_id_of(update),
        now=desk.services.clock(),
    )
    await audited(desk.services, update, "invite", {"org": desk.org_id, "invite": invite_id})
    link = invite_rules.deep_link(context.bot.username, token)
    lines = [
        desk.t.gettext(
            "Invite %(id)s for %(org)s: travellers who open this link join your desk.",
            id=invite_id,
            org=html.escape(desk.operator.org_name),
        ),
        html.escape(link),
    ]
    expires = terms.expires_at(desk.services.clock())
    if expires is not None:
        lines.append(
            desk.t.gettext(
                "Valid until %(date)s.",
                date=desk.t.format_datetime(expires, desk.chat.timezone),
            )
        )
    if terms.max_uses is not None:
        lines.append(desk.t.gettext("Uses: %(uses)s.", uses=terms.max_uses))
    if terms.reference:
        lines.append(
            desk.t.gettext(
                "Whoever joins with it gets the reference %(ref)s.",
                ref=html.escape(terms.reference),
            )
        )
    lines.append(desk.t.gettext("Withdraw it with /invite_revoke %(id)s.", id=invite_id))
    await reply(update, "\n".join(lines), t=desk.t)


async def invites(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invites [org]: the invites that still work."""
    words = arguments(update)
    desk = await open_desk(update, context, words[0] if words else None)
    if desk is None:
        return
    found = await desk_store.invites(desk.services.db, desk.org_id, now=desk.services.clock())
    if not found:
        await reply(update, desk.t.gettext("No invite is open."), t=desk.t)
        return
    lines = [desk.t.gettext("Open invites:")]
    for item in found:
        limit = "∞" if item.max_uses is None else str(item.max_uses)
        until = (
            desk.t.format_datetime(item.expires_at, desk.chat.timezone) if item.expires_at else "—"
        )
        ref = f" ({html.escape(item.reference)})" if item.reference else ""
        lines.append(f"{item.id}. {item.uses}/{limit} · {until}{ref}")
    await reply(update, "\n".join(lines), t=desk.t)


async def invite_revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite_revoke <invite>, or /invite_revoke <org> <invite>."""
    words = arguments(update)
    desk = await open_desk(update, context, words[0] if len(words) > 1 else None)
    if desk is None:
        return
    target = words[-1] if words else ""
    revoked = target.isdigit() and await desk_store.revoke_invite(
        desk.services.db, desk.org_id, int(target[:12]), now=desk.services.clock()
    )
    if revoked:
        await audited(
            desk.services, update, "invite_revoke", {"org": desk.org_id, "invite": int(target)}
        )
        await reply(
            update, desk.t.gettext("Invite %(id)s withdrawn.", id=html.escape(target)), t=desk.t
        )
    else:
        await reply(
            update,
            desk.t.gettext(
                "Your desk has no open invite %(id)s. /invites lists them.",
                id=html.escape(target[:20]),
            ),
            t=desk.t,
        )


async def join(update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str) -> None:
    """/start join_<token>: the traveller opened an invite link."""
    services, _, t = await chat_context(update, context)
    token = payload.removeprefix(invite_rules.JOIN_PREFIX)
    if not invite_rules.looks_like_token(token):
        outcome = desk_store.Redemption(InviteState.UNKNOWN)
    else:
        outcome = await desk_store.redeem_invite(
            services.db, invite_rules.hash_token(token), user_id_of(update), now=services.clock()
        )
    if outcome.organisation is not None:
        if not outcome.already_member:
            await audited(services, update, "join", {"org": outcome.organisation.id})
        name = f"<b>{html.escape(outcome.organisation.name)}</b>"
        text = (
            t.gettext("You already belong to %(org)s.", org=name)
            if outcome.already_member
            else t.gettext(
                "Welcome! You joined the travel desk of %(org)s. It can now send you warnings"
                " about the places you travel to, and ask whether you are safe.",
                org=name,
            )
        )
        await reply(update, text, t=t)
        return
    answers = {
        InviteState.EXPIRED: t.gettext(
            "This invite has expired. Ask your travel desk for a new link."
        ),
        InviteState.REVOKED: t.gettext(
            "This invite was withdrawn. Ask your travel desk for a new link."
        ),
        InviteState.USED_UP: t.gettext(
            "This invite has been used as often as allowed. Ask your travel desk for a new link."
        ),
    }
    await reply(
        update,
        answers.get(
            outcome.state,
            t.gettext("I don't know this invite. Check the link, or ask your travel desk."),
        ),
        t=t,
    )


# roster and trips


async def roster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/roster [org]: each member, what they follow, and their trips that have not ended."""
    words = arguments(update)
    desk = await open_desk(update, context, words[0] if words else None)
    if desk is None:
        return
    today = desk.services.clock().date()
    entries = await desk_store.roster(desk.services.db, desk.org_id, today=today)
    await audited(desk.services, update, "roster_view", {"org": desk.org_id})
    travellers = [e for e in entries if not e.member.runs_desk]
    lines = [
        desk.t.ngettext(
            "%(org)s: %(num)s traveller",
            "%(org)s: %(num)s travellers",
            len(travellers),
            org=f"<b>{html.escape(desk.operator.org_name)}</b>",
        )
    ]
    for entry in entries[:MAX_ROSTER_LINES]:
        lines.append(roster_line(entry, today, desk.t))
    if len(entries) > MAX_ROSTER_LINES:
        lines.append("…")
    await reply(update, "\n".join(lines), t=desk.t)


def roster_line(entry: RosterEntry, today: date, t: Translator) -> str:
    member = entry.member
    head = html.escape(member.label())
    if member.runs_desk:
        head += f" ({member.role.value})"
    parts = [head]
    if entry.subscriptions:
        parts.append(t.gettext("follows %(codes)s", codes=", ".join(entry.subscriptions)))
    for trip in entry.trips[:5]:
        here = "📍" if trip.starts <= today else "✈"
        parts.append(f"{here} {','.join(trip.countries)} {trip.starts}–{trip.ends}")
    return " · ".join(parts)


async def trip_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/trip_add <traveller> <countries> <from> <to>, for the desk you work on."""
    desk = await open_desk(update, context, None)
    if desk is None:
        return
    words = arguments(update)
    usage = desk.t.gettext(
        "Write it like this: %(example)s",
        example="<code>/trip_add E123 France; Germany 2025-05-01 2025-05-09</code>",
    )
    if len(words) < 4:
        await reply(update, usage, t=desk.t)
        return
    content = "traveller,countries,from,to\n" + ",".join(
        _csv_quote(cell) for cell in (words[0], " ".join(words[1:-2]), words[-2], words[-1])
    )
    await import_trips(update, desk, content.encode())


def _csv_quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


async def trips_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .csv file sent to the bot: the trips it lists are imported (caption: org id)."""
    message = update.effective_message
    assert message is not None and message.document is not None
    words = (message.caption or "").split()
    org = next((w for w in words if w.isdigit()), None)
    desk = await open_desk(update, context, org)
    if desk is None:
        return
    if (message.document.file_size or 0) > MAX_CSV_BYTES:
        await reply(update, desk.t.gettext("That file is too big: 1 MB at most."), t=desk.t)
        return
    file = await message.document.get_file()
    content = bytes(await file.download_as_bytearray())
    await import_trips(update, desk, content[: MAX_CSV_BYTES + 1])


async def import_trips(update: Update, desk: Desk, content: bytes) -> None:
    index = await desk_store.traveller_index(desk.services.db, desk.org_id)

    def find(word: str) -> int | None:
        return index.get(word.strip().casefold())

    try:
        parsed = read_trip_csv(content, find, desk.chat.language)
    except TripFileError as error:
        await reply(
            update,
            desk.t.gettext(
                "I could not read the file: %(reason)s. See /desk for the columns.",
                reason=html.escape(str(error)),
            ),
            t=desk.t,
        )
        return
    stored = await desk_store.add_trips(
        desk.services.db,
        desk.org_id,
        [row.trip for row in parsed.accepted],
        now=desk.services.clock(),
    )
    await audited(
        desk.services,
        update,
        "trips_import",
        {"org": desk.org_id, "accepted": len(parsed.accepted), "rejected": len(parsed.rejected)},
    )
    await reply(update, import_report(parsed.without_stored(stored), desk.t), t=desk.t)


_PROBLEM_WORDS = {
    RowProblem.UNKNOWN_TRAVELLER: N_("unknown traveller"),
    RowProblem.UNKNOWN_COUNTRY: N_("unknown country"),
    RowProblem.BAD_DATES: N_("bad dates (use YYYY-MM-DD)"),
    RowProblem.END_BEFORE_START: N_("'to' is before 'from'"),
    RowProblem.DUPLICATE: N_("duplicate"),
    RowProblem.MISSING: N_("missing value"),
}


def import_report(result: TripImport, t: Translator) -> str:
    lines = [
        t.ngettext("%(num)s trip added.", "%(num)s trips added.", len(result.accepted)),
    ]
    if result.rejected:
        lines.append(
            t.ngettext("%(num)s row rejected:", "%(num)s rows rejected:", len(result.rejected))
        )
    for row in result.rejected[:MAX_REPORTED_ROWS]:
        reason = t.gettext(_PROBLEM_WORDS[row.problem])
        detail = f" ({html.escape(row.detail)})" if row.detail else ""
        lines.append(t.gettext("line %(line)s: %(reason)s", line=row.line, reason=reason) + detail)
    if len(result.rejected) > MAX_REPORTED_ROWS:
        lines.append("…")
    return "\n".join(lines)


async def desk_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/desk: the travel-desk commands."""
    t = (await chat_context(update, context)).t
    lines = [
        t.gettext("<b>Travel desk</b>"),
        t.gettext("/org: your organisations; /org 2 to work on one"),
        t.gettext("/operator_add @colleague: add an operator"),
        t.gettext(
            "/invite days=7 uses=20: a link for travellers to join (/invites, /invite_revoke)"
        ),
        t.gettext("/roster: travellers, what they follow, their trips"),
        t.gettext("/trip_add E123 France 2025-05-01 2025-05-09: add a trip"),
        t.gettext("Send a .csv file with columns traveller, countries, from, to to import trips"),
        t.gettext("/broadcast: write a warning step by step, or paste it below the command"),
        t.gettext("/broadcasts: latest warnings; /report 12: who got warning 12 and answers"),
    ]
    await reply(update, "\n".join(lines), t=t)
