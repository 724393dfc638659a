"""Admin commands for travel-desk organisations: list them, name or remove an owner.

Creating one is `/org_create` (bot/chat/desk.py); these complete what an admin needs
when a company's desk changes hands.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import ContextTypes

from bot.chat.common import reply
from bot.chat.desk import resolve_person
from bot.i18n import Translator
from bot.services import Services
from bot.store import audit
from bot.store import desks as desk_store

Context = ContextTypes.DEFAULT_TYPE


def _words(update: Update) -> list[str]:
    message = update.effective_message
    text = (message.text or "") if message else ""
    return text.split()[1:]


async def organisations(update: Update, _: Context, s: Services, t: Translator, __: int) -> None:
    """/orgs: every organisation with its owners and head counts."""
    summaries = await desk_store.organisation_summaries(s.db)
    if not summaries:
        await reply(
            update, t.gettext("There are no organisations yet. Create one with /org_create."), t=t
        )
        return
    lines = [t.gettext("<b>Organisations</b>")]
    for org in summaries:
        owners = ", ".join(str(owner) for owner in org.owners) or "—"
        lines.append(
            t.gettext(
                "%(id)s. %(name)s: owners %(owners)s; %(operators)s operators,"
                " %(travellers)s travellers",
                id=org.id,
                name=html.escape(org.name),
                owners=owners,
                operators=org.operators,
                travellers=org.travellers,
            )
        )
    await reply(update, "\n".join(lines), t=t)


async def _target(update: Update, s: Services, t: Translator, usage: str) -> tuple[int, int] | None:
    """(organisation id, user id) from "ORG USER", or None after saying what is wrong."""
    words = _words(update)
    if len(words) != 2 or not words[0].isdigit() or len(words[0]) > 12:
        await reply(update, t.gettext("Write it like this: %(example)s", example=usage), t=t)
        return None
    org = await desk_store.organisation(s.db, int(words[0]))
    if org is None:
        await reply(
            update, t.gettext("There is no organisation %(id)s.", id=html.escape(words[0])), t=t
        )
        return None
    person = await resolve_person(s, words[1])
    if person is None:
        await reply(
            update,
            t.gettext(
                "I don't know %(who)s: use a user id, or the @username of someone who has"
                " talked to me.",
                who=html.escape(words[1][:40]),
            ),
            t=t,
        )
        return None
    return org.id, person


async def name_owner(update: Update, _: Context, s: Services, t: Translator, actor: int) -> None:
    """/org_owner ORG USER: make USER an owner of the organisation."""
    target = await _target(update, s, t, "<code>/org_owner 3 @someone</code>")
    if target is None:
        return
    org_id, person = target
    changed = await desk_store.name_owner(s.db, org_id, person, now=s.clock())
    if changed:
        await audit.record(s.db, actor, "org.owner_add", {"org": org_id, "user": person}, s.clock())
        await reply(
            update, t.gettext("%(who)s now owns organisation %(id)s.", who=person, id=org_id), t=t
        )
    else:
        await reply(
            update,
            t.gettext("%(who)s already owns organisation %(id)s.", who=person, id=org_id),
            t=t,
        )


async def remove_owner(update: Update, _: Context, s: Services, t: Translator, actor: int) -> None:
    """/org_owner_remove ORG USER: take the desk away from an owner (never the last one)."""
    target = await _target(update, s, t, "<code>/org_owner_remove 3 @someone</code>")
    if target is None:
        return
    org_id, person = target
    outcome = await desk_store.remove_owner(s.db, org_id, person)
    if outcome == "removed":
        await audit.record(
            s.db, actor, "org.owner_remove", {"org": org_id, "user": person}, s.clock()
        )
        text = t.gettext(
            "%(who)s no longer owns organisation %(id)s (they stay one of its travellers).",
            who=person,
            id=org_id,
        )
    elif outcome == "last-owner":
        text = t.gettext(
            "%(who)s is the last owner of organisation %(id)s: name another owner first.",
            who=person,
            id=org_id,
        )
    else:
        text = t.gettext("%(who)s does not own organisation %(id)s.", who=person, id=org_id)
    await reply(update, text, t=t)
