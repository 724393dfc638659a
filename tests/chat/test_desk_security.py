"""One organisation's desk can never see, count or message another's travellers: each
crossing is tried by command, argument and forged button, and refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.standin import SentMessage, StandIn
from bot.store import desks as desk_store
from tests.clock import START, Clock
from tests.desks.harness import Person, desk_bot, invite_token, join, organisation, send_all

TODAY = START.date()
REFUSED = "You do not run the travel desk of organisation"


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn) -> AsyncIterator[BotRuntime]:
    async with desk_bot(tmp_path, standin, Clock()) as bot:
        yield bot


@dataclass
class TwoDesks:
    acme: int
    globex: int
    lead: Person  # runs Acme
    rival: Person  # runs Globex
    nomad: Person  # travels for Acme, in Kenya now
    invite_id: str  # an open Acme invite
    invite_token: str
    summary: SentMessage  # Acme's preview with its send button (broadcast 1, a draft)


@pytest.fixture
async def desks(runtime: BotRuntime, standin: StandIn) -> TwoDesks:
    lead, rival = Person(standin, 601, "lead"), Person(standin, 602, "rival")
    acme = await organisation(runtime, standin, "Acme", lead)
    globex = await organisation(runtime, standin, "Globex", rival)
    nomad = Person(standin, 501, "nomad")
    await join(runtime, lead, nomad)
    ends = (TODAY + timedelta(days=3)).isoformat()
    await lead.say(f"/trip_add @nomad Kenya {TODAY.isoformat()} {ends}")
    link = await lead.say("/invite")
    invite_id = link.text.split("/invite_revoke ")[1].split(".")[0]
    summary = await lead.say(
        "/broadcast\nTitle: Acme only\nCountries: Kenya\nSeverity: 2\nEvent: Acme's news.",
        answers=2,
    )
    assert summary.button_data()[0] == "dsk:send:1"
    return TwoDesks(acme, globex, lead, rival, nomad, invite_id, invite_token(link), summary)


async def test_roster_of_another_organisation_is_refused(desks: TwoDesks) -> None:
    answer = await desks.rival.say(f"/roster {desks.acme}")
    assert REFUSED in answer.text and "nomad" not in answer.text
    own = await desks.rival.say("/roster")
    assert "nomad" not in own.text and "Globex" in own.text
    assert REFUSED in (await desks.rival.say(f"/org {desks.acme}")).text
    assert REFUSED in (await desks.rival.say("/roster 999")).text  # the same for no such org


async def test_traveller_cannot_run_the_desk_of_their_own_organisation(desks: TwoDesks) -> None:
    assert REFUSED in (await desks.nomad.say(f"/roster {desks.acme}")).text
    assert "do not run a travel desk" in (await desks.nomad.say("/invite")).text
    assert "do not run a travel desk" in (await desks.nomad.say("/operator_add @nomad")).text


async def test_broadcast_to_another_organisation_is_refused(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    answer = await desks.rival.say(
        f"/broadcast {desks.acme}\nTitle: x\nCountries: Kenya\nSeverity: 4\nEvent: y."
    )
    assert REFUSED in answer.text
    own = await desks.rival.say(
        "/broadcast\nTitle: Globex\nCountries: Kenya\nSeverity: 4\nEvent: y.", answers=2
    )
    assert "Recipients: 0" in own.text and "nobody" in own.text
    assert not [d for d in own.button_data() if d.startswith("dsk:send")]


async def test_forged_buttons_for_another_organisations_broadcast_do_nothing(
    desks: TwoDesks, runtime: BotRuntime, standin: StandIn
) -> None:
    own = await desks.rival.say("/desk")
    for action in ("send", "drop", "tally", "who", "csv"):
        toast = await desks.rival.press(own, f"dsk:{action}:1", forged=True)
        assert toast == "This button is not for you."
    for data in ("dsk:send:999", "dsk:send:x", "dsk:send:1:2", "dsk:frobnicate:1"):
        assert await desks.rival.press(own, data, forged=True) == "This button is not for you."
    await send_all(runtime)
    assert not standin.documents
    broadcast = await desk_store.broadcast(runtime.services.db, desks.acme, 1)
    assert broadcast is not None and broadcast.state == "draft"
    assert "Acme only" not in desks.nomad.inbox()[-1].text


async def test_report_of_another_organisations_broadcast_is_refused(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    await desks.lead.press(desks.summary, "dsk:send:1")
    await send_all(runtime)
    answer = await desks.rival.say("/report 1")
    assert "Your desk has no warning 1" in answer.text and "Recipients" not in answer.text
    assert (await desks.rival.say("/report 999")).text == answer.text.replace("1", "999")
    assert "Delivered: 1" in (await desks.lead.say("/report 1")).text


async def test_invite_of_another_organisation_cannot_be_revoked(
    desks: TwoDesks, standin: StandIn
) -> None:
    answer = await desks.rival.say(f"/invite_revoke {desks.invite_id}")
    assert "no open invite" in answer.text
    assert REFUSED in (await desks.rival.say(f"/invite_revoke {desks.acme} {desks.invite_id}")).text
    welcome = await Person(standin, 503).say(f"/start join_{desks.invite_token}")
    assert "joined the travel desk of <b>Acme</b>" in welcome.text


async def test_forged_check_in_answers_are_refused(
    desks: TwoDesks, runtime: BotRuntime, standin: StandIn
) -> None:
    summary = await desks.lead.say(
        "/broadcast\nTitle: Check\nCountries: Kenya\nSeverity: 3\nSafety check: yes\n"
        "Event: Check in please.",
        answers=2,
    )
    await desks.lead.press(summary, summary.button_data()[0])
    await send_all(runtime)
    question = desks.nomad.inbox()[-1]
    help_button = question.button_data()[1]
    own = await desks.rival.say("/desk")
    assert "expired" in await desks.rival.press(own, help_button, forged=True)
    assert "expired" in await desks.nomad.press(question, "chk:" + "A" * 22 + ":h", forged=True)
    report = await desks.lead.say("/report 2")
    assert "Need help: 0" in report.text and "No answer: 1" in report.text
    assert not any("needs help" in m.text for m in desks.lead.inbox())


async def test_traveller_of_two_organisations_is_seen_by_each_only_through_its_own_trips(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    await join(runtime, desks.rival, desks.nomad)
    roster = await desks.rival.say("/roster")
    assert "@nomad" in roster.text and "KE" not in roster.text
    orgs = await desks.nomad.say("/org")
    assert "Acme" in orgs.text and "Globex" in orgs.text


async def count(runtime: BotRuntime, table: str) -> int:
    return int(await runtime.services.db.fetch_value(f"SELECT count(*) FROM {table}"))


async def test_invites_and_broadcasts_of_another_organisation_are_refused(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    await desks.lead.press(desks.summary, "dsk:send:1")
    await send_all(runtime)
    invites = await desks.rival.say(f"/invites {desks.acme}")
    assert REFUSED in invites.text and "Open invites" not in invites.text
    broadcasts = await desks.rival.say(f"/broadcasts {desks.acme}")
    assert REFUSED in broadcasts.text and "Acme only" not in broadcasts.text
    assert "Acme only" in (await desks.lead.say("/broadcasts")).text
    assert "Acme only" not in (await desks.rival.say("/broadcasts")).text


async def test_operator_of_another_organisation_cannot_add_operators_to_it(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    for target in ("@rival", "@nomad", str(desks.rival.user_id)):
        answer = await desks.rival.say(f"/operator_add {desks.acme} {target}")
        assert REFUSED in answer.text and "is now an operator" not in answer.text
    db = runtime.services.db
    assert await desk_store.membership(db, desks.acme, desks.rival.user_id) is None
    nomad = await desk_store.membership(db, desks.acme, desks.nomad.user_id)
    assert nomad is not None and nomad.role == "traveller"
    assert await desk_store.operator_ids(db, desks.acme) == [desks.lead.user_id]


async def test_files_whose_caption_names_another_organisation_are_refused(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    trips, drafts = await count(runtime, "desk_trips"), await count(runtime, "desk_broadcasts")
    day = TODAY.isoformat()
    content = f"traveller,countries,from,to\n@nomad,Japan,{day},{day}\n".encode()
    [answer] = await desks.rival.send_file("trips.csv", content, caption=str(desks.acme))
    assert REFUSED in answer.text and "added" not in answer.text
    warning = b"Title: Fake\nCountries: Kenya\nSeverity: 4\nEvent: Leave now."
    [answer] = await desks.rival.send_file(
        "warning.txt", warning, caption=f"for {desks.acme} please"
    )
    assert REFUSED in answer.text and "Fake" not in answer.text
    assert await count(runtime, "desk_trips") == trips
    assert await count(runtime, "desk_broadcasts") == drafts


async def test_trips_for_another_organisations_traveller_are_refused_by_command_and_file(
    desks: TwoDesks, runtime: BotRuntime
) -> None:
    before = len(desks.nomad.inbox())
    trips = await count(runtime, "desk_trips")
    day = TODAY.isoformat()
    answer = await desks.rival.say(f"/trip_add @nomad Japan {day} {day}")
    assert "0 trips added" in answer.text and "unknown traveller" in answer.text
    content = (
        "traveller,countries,from,to\n"
        f"@nomad,Japan,{day},{day}\n"
        f"{desks.nomad.user_id},Japan,{day},{day}\n"
    ).encode()
    [answer] = await desks.rival.send_file("trips.csv", content)
    assert "0 trips added" in answer.text and "2 rows rejected" in answer.text
    assert "line 2: unknown traveller" in answer.text
    assert "line 3: unknown traveller" in answer.text
    assert await count(runtime, "desk_trips") == trips
    roster = await desks.rival.say("/roster")
    assert "nomad" not in roster.text and "JP" not in roster.text
    await send_all(runtime)
    assert len(desks.nomad.inbox()) == before  # nobody told nomad anything
