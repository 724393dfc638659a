"""A travel desk from start to finish through the chat: organisation, invites, trip import,
a broadcast with preview and confirmation, delivery report, safety check and reminders."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import BotRuntime
from bot.chat.desk_checkin import DeskRound
from bot.chat.desk_checkin import desk_round as run_desk_round
from bot.standin import StandIn
from bot.store import desks as desk_store
from tests.desks.harness import (
    ADMIN,
    START,
    SYRIA,
    Clock,
    Person,
    desk_bot,
    join,
    organisation,
    send_all,
)

TODAY = START.date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn, clock: Clock) -> AsyncIterator[BotRuntime]:
    async with desk_bot(tmp_path, standin, clock) as bot:
        yield bot


@pytest.fixture
def olivia(standin: StandIn) -> Person:
    return Person(standin, 601, "olivia")


async def acme_with_travellers(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> tuple[int, Person, Person, Person]:
    """Acme's desk run by olivia; tom (by @username), E502 (personal invite) and 503 joined."""
    org = await organisation(runtime, standin, "Acme Travel", olivia)
    tom, ana, ben = Person(standin, 501, "tom"), Person(standin, 502), Person(standin, 503)
    await join(runtime, olivia, tom, "days=7 uses=10")
    await join(runtime, olivia, ana, "ref=E502")
    await join(runtime, olivia, ben)
    return org, tom, ana, ben


def trips_csv(*rows: tuple[str, str, str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["traveller", "countries", "from", "to"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


async def test_admin_creates_organisation_and_names_its_owner_by_username(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    await olivia.say("/desk")
    answer = await Person(standin, ADMIN).say("/org_create Acme Travel @olivia")
    assert "Acme Travel" in answer.text and "@olivia" in answer.text
    member = await desk_store.membership(runtime.services.db, 1, olivia.user_id)
    assert member is not None and member.role == "owner"


async def test_someone_who_is_no_admin_cannot_create_an_organisation(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    answer = await olivia.say("/org_create Mine @olivia")
    assert "administrators" in answer.text
    assert await desk_store.memberships(runtime.services.db, olivia.user_id) == []


async def test_invited_travellers_join_and_bad_links_get_a_clear_answer(
    runtime: BotRuntime, standin: StandIn, olivia: Person, clock: Clock
) -> None:
    org = await organisation(runtime, standin, "Acme Travel", olivia)
    tom = Person(standin, 501, "tom")
    assert "joined the travel desk of <b>Acme Travel</b>" in await join(runtime, olivia, tom)
    assert "already belong" in (await join(runtime, olivia, tom))

    once = await olivia.say("/invite uses=1")
    token = once.text.split("start=join_")[1].split()[0]
    await Person(standin, 502).say(f"/start join_{token}")
    assert (
        "used as often as allowed" in (await Person(standin, 503).say(f"/start join_{token}")).text
    )

    week = await olivia.say("/invite days=7")
    token = week.text.split("start=join_")[1].split()[0]
    clock.advance(days=8)
    assert "expired" in (await Person(standin, 504).say(f"/start join_{token}")).text

    revoked = await olivia.say("/invite")
    token = revoked.text.split("start=join_")[1].split()[0]
    invite_id = revoked.text.split("/invite_revoke ")[1].split(".")[0]
    assert "withdrawn" in (await olivia.say(f"/invite_revoke {invite_id}")).text
    assert "withdrawn" in (await Person(standin, 505).say(f"/start join_{token}")).text

    assert (
        "don't know this invite" in (await Person(standin, 506).say("/start join_" + "A" * 32)).text
    )
    members = {
        entry.member.user_id
        for entry in await desk_store.roster(runtime.services.db, org, today=clock().date())
    }
    assert members == {601, 501, 502}


async def test_invite_token_is_stored_only_as_a_hash(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    await organisation(runtime, standin, "Acme Travel", olivia)
    link = await olivia.say("/invite")
    token = link.text.split("start=join_")[1].split()[0]
    assert len(token) >= 32  # 24 random bytes, url-safe
    stored = await runtime.services.db.fetch_all("SELECT token_hash FROM desk_invites")
    assert [row[0] for row in stored] != [token] and token not in str(list(stored[0]))


async def test_trip_import_reports_accepted_and_rejected_rows(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    await acme_with_travellers(runtime, standin, olivia)
    content = trips_csv(
        ("@tom", "Syria", day(-1), day(5)),
        ("E502", "Syria; IQ", day(0), day(3)),
        ("503", "Syria", day(3), day(9)),
        ("nobody", "France", day(0), day(3)),
        ("E502", "Atlantis", day(0), day(3)),
        ("@tom", "Japan", "next week", day(3)),
        ("@tom", "Japan", day(4), day(1)),
        ("@tom", "Syria", day(-1), day(5)),
    )
    [answer] = await olivia.send_file("trips.csv", content)
    text = answer.text
    assert "3 trips added" in text and "5 rows rejected" in text
    assert "line 5: unknown traveller" in text
    assert "line 6: unknown country (Atlantis)" in text
    assert "line 7: bad dates" in text
    assert "line 8: 'to' is before 'from'" in text
    assert "line 9: duplicate" in text

    [again] = await olivia.send_file("trips.csv", content)
    assert "0 trips added" in again.text and "line 2: duplicate" in again.text

    roster = await olivia.say("/roster")
    assert "@tom" in roster.text and "E502" in roster.text and "SY" in roster.text
    assert "📍 IQ,SY" in roster.text and "✈ SY" in roster.text


async def test_trip_added_by_command_reaches_the_roster(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    await acme_with_travellers(runtime, standin, olivia)
    answer = await olivia.say(f"/trip_add E502 United Kingdom; France {day(0)} {day(2)}")
    assert "1 trip added" in answer.text
    assert "FR,GB" in (await olivia.say("/roster")).text


async def test_pasted_alert_file_is_previewed_and_sent_only_after_confirmation(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    _org, tom, ana, ben = await acme_with_travellers(runtime, standin, olivia)
    await olivia.send_file(
        "trips.csv",
        trips_csv(
            ("@tom", "Syria", day(-1), day(5)),
            ("E502", "Iraq; Syria", day(0), day(3)),
            ("503", "Syria", day(3), day(9)),
        ),
    )
    before = {p.user_id: len(p.inbox()) for p in (tom, ana, ben)}
    preview, summary = await olivia.send_file("alert.txt", SYRIA, answers=2)
    assert "Syria: IS propaganda concedes Mosul defeat" in preview.text
    assert "Informational" in preview.text
    assert "Recipients: 2" in summary.text and "there now: 2" in summary.text
    assert summary.button_data() == ["dsk:send:1", "dsk:drop:1"]
    await send_all(runtime)
    assert {p.user_id: len(p.inbox()) for p in (tom, ana, ben)} == before  # nothing yet

    done = await olivia.press_and_read(summary, "dsk:send:1")
    assert "on its way to 2 travellers" in done.text
    await send_all(runtime)
    for person in (tom, ana):
        warning = person.inbox()[-1].text
        assert "Syria: IS propaganda concedes Mosul defeat" in warning
        assert "Rumiyah" in warning and "no picnic" in warning
        assert "Professional security advice and support should be sought" in warning
    assert len(ben.inbox()) == before[ben.user_id]  # arriving later: not in a "now" audience

    report = await olivia.say("/report 1")
    assert "Recipients: 2" in report.text and "Delivered: 2" in report.text
    assert "Failed: 0" in report.text

    again = await olivia.press(summary, "dsk:send:1", forged=True)
    assert "already sent" in again
    await send_all(runtime)
    assert all(len(p.inbox()) == before[p.user_id] + 1 for p in (tom, ana))


async def test_one_message_broadcast_with_safety_check_tallies_answers_and_reminds(
    runtime: BotRuntime, standin: StandIn, olivia: Person, clock: Clock
) -> None:
    _org, tom, ana, ben = await acme_with_travellers(runtime, standin, olivia)
    otto = Person(standin, 604, "otto")
    await otto.say("/desk")
    await olivia.say("/operator_add @otto")
    cid = Person(standin, 507)
    await join(runtime, olivia, cid)
    await olivia.send_file(
        "trips.csv",
        trips_csv(
            ("@tom", "Kenya", day(-1), day(5)),
            ("E502", "Kenya", day(0), day(3)),
            ("503", "Kenya", day(2), day(9)),
            ("507", "KE", day(0), day(9)),
        ),
    )
    standin.block(ben.user_id)
    text = (
        "/broadcast\n"
        "Title: Nairobi: protests near the CBD\n"
        "Countries: Kenya\n"
        "Severity: high\n"
        "Category: unrest\n"
        "Safety check: yes, remind after 30 minutes\n"
        "Audience: now, next 7 days\n"
        "Event: Large protests are under way.\n"
        "Advice: Avoid the area and check in."
    )
    summary = await olivia.say(text, answers=2)
    assert "Recipients: 4" in summary.text and "arriving within 7 days: 1" in summary.text
    assert "Safety check: yes; reminders after 30 minutes" in summary.text
    await olivia.press_and_read(summary, summary.button_data()[0])
    round_ = await send_all(runtime)
    assert round_.questions == 3

    question = tom.inbox()[-1]
    assert "are you safe" in question.text
    safe = question.button_data()[0]
    assert "Thank you" in await tom.press(question, safe)
    question = ana.inbox()[-1]
    await ana.press(question, question.button_data()[1])
    for operator in (olivia, otto):
        await standin.wait_for(lambda m: "needs help" in m.text, chat_id=operator.user_id)
        assert "E502 needs help" in operator.inbox()[-1].plain_text

    report = await olivia.say("/report 1")
    for line in (
        "Recipients: 4",
        "Delivered: 3",
        "Failed: 1",
        "blocked the bot: 1",
        "Safe: 1",
        "Need help: 1",
        "No answer: 1",
        "🆘 E502",
    ):
        assert line in report.text
    silent = await olivia.press_and_read(report, "dsk:who:1")
    assert "507" in silent.text and "E502" not in silent.text

    assert (await desk_round(runtime)).reminders == 0
    clock.advance(minutes=31)
    assert (await desk_round(runtime)).reminders == 1
    assert "Reminder" in cid.inbox()[-1].text
    assert (await desk_round(runtime)).reminders == 0
    await cid.press(cid.inbox()[-1], cid.inbox()[-1].button_data()[0])
    clock.advance(minutes=31)
    assert (await desk_round(runtime)).reminders == 0

    await olivia.press(report, "dsk:csv:1")
    await standin.wait_until(lambda: bool(standin.documents), timeout=10)
    rows = list(csv.DictReader(io.StringIO(standin.documents[-1].content.decode("utf-8-sig"))))
    by_id = {row["user_id"]: row for row in rows}
    assert by_id["502"]["answer"] == "help" and by_id["502"]["reference"] == "E502"
    assert by_id["503"]["delivery"] == "blocked"
    assert by_id["507"]["answer"] == "safe"


async def test_warning_written_step_by_step_is_previewed_and_can_be_cancelled(
    runtime: BotRuntime, standin: StandIn, olivia: Person
) -> None:
    _org, tom, _ana, _ben = await acme_with_travellers(runtime, standin, olivia)
    await olivia.say(f"/trip_add @tom France {day(0)} {day(3)}")
    assert "Title" in (await olivia.say("/broadcast")).text
    assert "countries" in (await olivia.say("Strike at Paris airports")).text
    assert "Atlantis" in (await olivia.say("Atlantis")).text
    assert "Severity" in (await olivia.say("France")).text
    assert "Category" in (await olivia.say("2")).text
    assert "happened" in (await olivia.say("transport")).text
    assert "Context" in (await olivia.say("Air traffic controllers strike on Thursday.")).text
    assert "Advice" in (await olivia.say("-")).text
    assert "safety" in (await olivia.say("Allow extra time.")).text
    assert "Who gets it" in (await olivia.say("no")).text
    summary = await olivia.say("now", answers=2)
    preview = olivia.inbox()[-2]
    assert "Strike at Paris airports" in preview.text and "Allow extra time." in preview.text
    assert "Recipients: 1" in summary.text
    await olivia.press(summary, "dsk:drop:1")
    assert "already sent or cancelled" in await olivia.press(summary, "dsk:send:1", forged=True)
    await send_all(runtime)
    assert "Strike" not in tom.inbox()[-1].text
    # once done, plain text is the traveller's again
    assert "/subscribe" in (await olivia.say("hello")).text


async def desk_round(runtime: BotRuntime) -> DeskRound:
    return await run_desk_round(runtime.application.bot, runtime.services)
