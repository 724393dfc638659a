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
from bot.matching import fan_out
from bot.standin import StandIn
from bot.store import alerts as alert_store
from bot.store import desks as desk_store
from tests.builders import make_alert
from tests.clock import START, Clock
from tests.desks.harness import (
    ADMIN,
    SYRIA,
    Person,
    desk_bot,
    join,
    organisation,
    run_desk_round,
    send_all,
)

TODAY = START.date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn, clock: Clock) -> AsyncIterator[BotRuntime]:
    async with desk_bot(tmp_path, standin, clock) as bot:
        yield bot


@pytest.fixture
def lead(standin: StandIn) -> Person:
    return Person(standin, 601, "lead")


async def acme_with_travellers(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> tuple[int, Person, Person, Person]:
    """Acme's desk run by lead; nomad (by @username), E502 (personal invite) and 503 joined."""
    org = await organisation(runtime, standin, "Acme Travel", lead)
    nomad = Person(standin, 501, "nomad")
    referenced, later = Person(standin, 502), Person(standin, 503)
    await join(runtime, lead, nomad, "days=7 uses=10")
    await join(runtime, lead, referenced, "ref=E502")
    await join(runtime, lead, later)
    return org, nomad, referenced, later


def trips_csv(*rows: tuple[str, str, str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["traveller", "countries", "from", "to"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


async def test_admin_creates_organisation_and_names_its_owner_by_username(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    await lead.say("/desk")
    answer = await Person(standin, ADMIN).say("/org_create Acme Travel @lead")
    assert "Acme Travel" in answer.text and "@lead" in answer.text
    member = await desk_store.membership(runtime.services.db, 1, lead.user_id)
    assert member is not None and member.role == "owner"


async def test_someone_who_is_no_admin_cannot_create_an_organisation(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    unknown = await lead.say("/zzzz")
    answer = await lead.say("/org_create Mine @lead")
    assert answer.text == unknown.text.replace("/zzzz", "/org_create")
    assert answer.reply_markup is None
    assert await desk_store.memberships(runtime.services.db, lead.user_id) == []
    assert await runtime.services.db.fetch_value("SELECT count(*) FROM desk_organisations") == 0


async def test_invited_travellers_join_and_bad_links_get_a_clear_answer(
    runtime: BotRuntime, standin: StandIn, lead: Person, clock: Clock
) -> None:
    org = await organisation(runtime, standin, "Acme Travel", lead)
    nomad = Person(standin, 501, "nomad")
    assert "joined the travel desk of <b>Acme Travel</b>" in await join(runtime, lead, nomad)
    assert "already belong" in (await join(runtime, lead, nomad))

    once = await lead.say("/invite uses=1")
    token = once.text.split("start=join_")[1].split()[0]
    await Person(standin, 502).say(f"/start join_{token}")
    assert (
        "used as often as allowed" in (await Person(standin, 503).say(f"/start join_{token}")).text
    )

    week = await lead.say("/invite days=7")
    token = week.text.split("start=join_")[1].split()[0]
    clock.advance(days=8)
    assert "expired" in (await Person(standin, 504).say(f"/start join_{token}")).text

    revoked = await lead.say("/invite")
    token = revoked.text.split("start=join_")[1].split()[0]
    invite_id = revoked.text.split("/invite_revoke ")[1].split(".")[0]
    assert "withdrawn" in (await lead.say(f"/invite_revoke {invite_id}")).text
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
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    await organisation(runtime, standin, "Acme Travel", lead)
    link = await lead.say("/invite")
    token = link.text.split("start=join_")[1].split()[0]
    assert len(token) >= 32  # 24 random bytes, url-safe
    stored = await runtime.services.db.fetch_all("SELECT token_hash FROM desk_invites")
    assert [row[0] for row in stored] != [token] and token not in str(list(stored[0]))


async def test_trip_import_reports_accepted_and_rejected_rows(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    await acme_with_travellers(runtime, standin, lead)
    content = trips_csv(
        ("@nomad", "Syria", day(-1), day(5)),
        ("E502", "Syria; IQ", day(0), day(3)),
        ("503", "Syria", day(3), day(9)),
        ("nobody", "France", day(0), day(3)),
        ("E502", "Atlantis", day(0), day(3)),
        ("@nomad", "Japan", "next week", day(3)),
        ("@nomad", "Japan", day(4), day(1)),
        ("@nomad", "Syria", day(-1), day(5)),
    )
    [answer] = await lead.send_file("trips.csv", content)
    text = answer.text
    assert "3 trips added" in text and "5 rows rejected" in text
    assert "line 5: unknown traveller" in text
    assert "line 6: unknown country (Atlantis)" in text
    assert "line 7: bad dates" in text
    assert "line 8: 'to' is before 'from'" in text
    assert "line 9: duplicate" in text

    [again] = await lead.send_file("trips.csv", content)
    assert "0 trips added" in again.text and "line 2: duplicate" in again.text

    roster = await lead.say("/roster")
    assert "@nomad" in roster.text and "E502" in roster.text and "SY" in roster.text
    assert "📍 IQ,SY" in roster.text and "✈ SY" in roster.text


async def test_trip_added_by_command_reaches_the_roster(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    await acme_with_travellers(runtime, standin, lead)
    answer = await lead.say(f"/trip_add E502 United Kingdom; France {day(0)} {day(2)}")
    assert "1 trip added" in answer.text
    assert "FR,GB" in (await lead.say("/roster")).text


async def test_pasted_alert_file_is_previewed_and_sent_only_after_confirmation(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, nomad, referenced, later = await acme_with_travellers(runtime, standin, lead)
    await lead.send_file(
        "trips.csv",
        trips_csv(
            ("@nomad", "Syria", day(-1), day(5)),
            ("E502", "Iraq; Syria", day(0), day(3)),
            ("503", "Syria", day(3), day(9)),
        ),
    )
    before = {p.user_id: len(p.inbox()) for p in (nomad, referenced, later)}
    preview, summary = await lead.send_file("alert.txt", SYRIA, answers=2)
    assert "Syria: IS propaganda concedes Mosul defeat" in preview.text
    assert "Informational" in preview.text
    assert "Recipients: 2" in summary.text and "there now: 2" in summary.text
    assert summary.button_data() == ["dsk:send:1", "dsk:drop:1"]
    await send_all(runtime)
    assert {p.user_id: len(p.inbox()) for p in (nomad, referenced, later)} == before  # nothing yet

    done = await lead.press_and_read(summary, "dsk:send:1")
    assert "on its way to 2 travellers" in done.text
    await send_all(runtime)
    for person in (nomad, referenced):
        warning = person.inbox()[-1].text
        assert "Syria: IS propaganda concedes Mosul defeat" in warning
        assert "Rumiyah" in warning and "no picnic" in warning
        assert "Professional security advice and support should be sought" in warning
    assert len(later.inbox()) == before[later.user_id]  # arriving later: not in a "now" audience

    report = await lead.say("/report 1")
    assert "Recipients: 2" in report.text and "Delivered: 2" in report.text
    assert "Failed: 0" in report.text

    again = await lead.press(summary, "dsk:send:1", forged=True)
    assert "already sent" in again
    await send_all(runtime)
    assert all(len(p.inbox()) == before[p.user_id] + 1 for p in (nomad, referenced))


async def test_one_message_broadcast_with_safety_check_tallies_answers_and_reminds(
    runtime: BotRuntime, standin: StandIn, lead: Person, clock: Clock
) -> None:
    _org, nomad, referenced, later = await acme_with_travellers(runtime, standin, lead)
    deputy = Person(standin, 604, "deputy")
    await deputy.say("/desk")
    await lead.say("/operator_add @deputy")
    absent = Person(standin, 507)
    await join(runtime, lead, absent)
    await lead.send_file(
        "trips.csv",
        trips_csv(
            ("@nomad", "Kenya", day(-1), day(5)),
            ("E502", "Kenya", day(0), day(3)),
            ("503", "Kenya", day(2), day(9)),
            ("507", "KE", day(0), day(9)),
        ),
    )
    standin.block(later.user_id)
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
    summary = await lead.say(text, answers=2)
    assert "Recipients: 4" in summary.text and "arriving within 7 days: 1" in summary.text
    assert "Safety check: yes; reminders after 30 minutes" in summary.text
    await lead.press_and_read(summary, summary.button_data()[0])
    round_ = await send_all(runtime)
    assert round_.questions == 3

    question = nomad.inbox()[-1]
    assert "are you safe" in question.text
    safe = question.button_data()[0]
    assert "Thank you" in await nomad.press(question, safe)
    question = referenced.inbox()[-1]
    await referenced.press(question, question.button_data()[1])
    for operator in (lead, deputy):
        await standin.wait_for(lambda m: "needs help" in m.text, chat_id=operator.user_id)
        assert "E502 needs help" in operator.inbox()[-1].plain_text

    report = await lead.say("/report 1")
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
    silent = await lead.press_and_read(report, "dsk:who:1")
    assert "507" in silent.text and "E502" not in silent.text

    assert (await desk_round(runtime)).reminders == 0
    clock.advance(minutes=31)
    assert (await desk_round(runtime)).reminders == 1
    assert "Reminder" in absent.inbox()[-1].text
    assert (await desk_round(runtime)).reminders == 0
    await absent.press(absent.inbox()[-1], absent.inbox()[-1].button_data()[0])
    clock.advance(minutes=31)
    assert (await desk_round(runtime)).reminders == 0

    await lead.press(report, "dsk:csv:1")
    await standin.wait_until(lambda: bool(standin.documents), timeout=10)
    rows = list(csv.DictReader(io.StringIO(standin.documents[-1].content.decode("utf-8-sig"))))
    by_id = {row["user_id"]: row for row in rows}
    assert by_id["502"]["answer"] == "help" and by_id["502"]["reference"] == "E502"
    assert by_id["503"]["delivery"] == "blocked"
    assert by_id["507"]["answer"] == "safe"


async def test_warning_written_step_by_step_is_previewed_and_can_be_cancelled(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, nomad, _ana, _ben = await acme_with_travellers(runtime, standin, lead)
    await lead.say(f"/trip_add @nomad France {day(0)} {day(3)}")
    assert "Title" in (await lead.say("/broadcast")).text
    assert "countries" in (await lead.say("Strike at Paris airports")).text
    assert "Atlantis" in (await lead.say("Atlantis")).text
    assert "Severity" in (await lead.say("France")).text
    assert "Category" in (await lead.say("2")).text
    assert "happened" in (await lead.say("transport")).text
    assert "Context" in (await lead.say("Air traffic controllers strike on Thursday.")).text
    assert "Advice" in (await lead.say("-")).text
    assert "safety" in (await lead.say("Allow extra time.")).text
    assert "Who gets it" in (await lead.say("no")).text
    summary = await lead.say("now", answers=2)
    preview = lead.inbox()[-2]
    assert "Strike at Paris airports" in preview.text and "Allow extra time." in preview.text
    assert "Recipients: 1" in summary.text
    await lead.press(summary, "dsk:drop:1")
    assert "already sent or cancelled" in await lead.press(summary, "dsk:send:1", forged=True)
    await send_all(runtime)
    assert "Strike" not in nomad.inbox()[-1].text
    # once done, plain text is the traveller's again
    assert "/subscribe" in (await lead.say("hello")).text


async def desk_round(runtime: BotRuntime) -> DeskRound:
    return await run_desk_round(runtime)


async def test_official_alert_tells_the_desk_how_many_travellers_are_there(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    await acme_with_travellers(runtime, standin, lead)
    await lead.send_file(
        "trips.csv",
        trips_csv(("@nomad", "Germany", day(-1), day(5)), ("503", "DE", day(3), day(9))),
    )
    db, now = runtime.services.db, runtime.services.clock()
    for item in await alert_store.record_poll(db, "us-state", [make_alert()], now=now):
        await fan_out(db, item.alert_version_id, now=now)
    assert (await desk_round(runtime)).notices == 1
    notice = lead.inbox()[-1].text
    assert "US State Department" in notice and "Germany - Level 2" in notice
    assert "1 of your travellers is there now" in notice and "1 arrives within 14 days" in notice
    assert (await desk_round(runtime)).notices == 0


KENYA_WARNING = (
    "/broadcast\n"
    "Title: Nairobi: protests near the CBD\n"
    "Countries: Kenya\n"
    "Severity: high\n"
    "Category: unrest\n"
    "Safety check: yes\n"
    "Event: Large protests are under way.\n"
    "Context: The budget vote is on Thursday.\n"
    "Advice: Avoid the area and check in."
)


async def send_warning(runtime: BotRuntime, lead: Person, text: str = KENYA_WARNING) -> None:
    """The operator writes a warning, presses send, and the outbox and desk round run."""
    summary = await lead.say(text, answers=2)
    await lead.press_and_read(summary, summary.button_data()[0])
    await send_all(runtime)


async def test_travellers_get_the_frame_in_their_language_and_the_desks_words_as_written(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    await organisation(runtime, standin, "Acme Travel", lead)
    amelie = Person(standin, 511, "amelie", language_code="fr")
    jonas = Person(standin, 512, "jonas", language_code="de")
    for person in (amelie, jonas):
        await join(runtime, lead, person)
        await lead.say(f"/trip_add @{person.username} Kenya {day(0)} {day(3)}")
    await send_warning(runtime, lead)

    frames = (
        (
            amelie,
            "Catégorie : Sécurité",
            "Déconseillé sauf raison impérative",
            "<b>Ce qui se passe</b>",
            "<b>Contexte</b>",
            "<b>Conseils</b>",
            "Vérification de sécurité",
        ),
        (
            jonas,
            "Kategorie: Sicherheit",
            "Von nicht notwendigen Reisen wird abgeraten",
            "<b>Was geschehen ist</b>",
            "<b>Hintergrund</b>",
            "<b>Empfehlungen</b>",
            "Sicherheitsabfrage",
        ),
    )
    for person, *frame in frames:
        warning, question = (m.text for m in person.inbox()[-2:])
        received = warning + "\n" + question
        for words in frame:
            assert words in received, (person.language_code, words)
        for english in ("Category:", "What happened", "<b>Advice</b>", "Reconsider travel"):
            assert english not in warning, (person.language_code, english)
        for written in (
            "Nairobi: protests near the CBD",
            "Large protests are under way.",
            "The budget vote is on Thursday.",
            "Avoid the area and check in.",
        ):
            assert written in warning, (person.language_code, written)


async def test_report_counts_who_read_the_warning_by_pressing_a_button(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, nomad, referenced, _later = await acme_with_travellers(runtime, standin, lead)
    for person in ("@nomad", "E502", "503"):
        await lead.say(f"/trip_add {person} Kenya {day(0)} {day(3)}")
    await send_warning(runtime, lead)
    for person, answer in ((nomad, 0), (referenced, 1)):
        question = person.inbox()[-1]
        await person.press(question, question.button_data()[answer])
    await standin.wait_for(lambda m: "needs help" in m.text, chat_id=lead.user_id)
    report = (await lead.say("/report 1")).text
    lines = report.splitlines()
    expected = [
        "Delivered: 3",
        "Read (pressed a button): 2",
        "Safe: 1",
        "Need help: 1",
        "No answer: 1",
    ]
    assert [line for line in lines if line in expected] == expected, report


async def test_the_question_shows_the_last_answer_and_keeps_both_buttons(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, nomad, _referenced, _later = await acme_with_travellers(runtime, standin, lead)
    await lead.say(f"/trip_add @nomad Kenya {day(0)} {day(3)}")
    await send_warning(runtime, lead)
    question = nomad.inbox()[-1]

    def marks() -> list[list[str]]:
        """The question's buttons after each edit the bot made to them."""
        return [
            [
                button["text"]
                for row in (edit.reply_markup or {})["inline_keyboard"]
                for button in row
            ]
            for edit in standin.edits
            if (edit.chat_id, edit.message_id) == (nomad.user_id, question.message_id)
        ]

    safe, help_ = question.button_data()
    await nomad.press(question, safe)
    await standin.wait_until(lambda: len(marks()) == 1, timeout=10, waiting_for="an edit")
    assert marks()[-1] == ["✓ ✅ I'm safe", "🆘 I need help"]
    await nomad.press(question, help_)  # safe at first, then in need of help
    await standin.wait_until(lambda: len(marks()) == 2, timeout=10, waiting_for="an edit")
    assert marks()[-1] == ["✅ I'm safe", "✓ 🆘 I need help"]
    await nomad.press(question, help_)  # the same answer again: the desk is told again
    await standin.wait_until(
        lambda: sum("needs help" in m.text for m in lead.inbox()) == 2,
        timeout=10,
        waiting_for="two calls for help",
    )
    report = (await lead.say("/report")).text
    assert "Need help: 1" in report and "Safe: 0" in report


async def test_report_alone_shows_the_desks_latest_warning(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, nomad, _referenced, _later = await acme_with_travellers(runtime, standin, lead)
    assert "sent no warning yet" in (await lead.say("/report")).text
    await lead.say(f"/trip_add @nomad Kenya {day(0)} {day(3)}")
    await send_warning(runtime, lead)
    await send_warning(runtime, lead, KENYA_WARNING.replace("the CBD", "the stadium"))

    latest = await lead.say("/report")
    assert "the stadium" in latest.text and "the CBD" not in latest.text
    assert latest.button_data()[0] == "dsk:tally:2"
    assert "the CBD" in (await lead.say("/report 1")).text
    assert "do not run a travel desk" in (await nomad.say("/report")).text


async def test_report_and_csv_name_a_deleted_account_and_a_chat_not_found(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, _nomad, referenced, later = await acme_with_travellers(runtime, standin, lead)
    for person in ("@nomad", "E502", "503"):
        await lead.say(f"/trip_add {person} Kenya {day(0)} {day(3)}")
    standin.deactivate(referenced.user_id)  # 403 "user is deactivated"
    standin.fail_next(
        "sendMessage",
        chat_id=later.user_id,
        error_code=400,
        description="Bad Request: chat not found",
    )
    await send_warning(runtime, lead)

    report = await lead.say("/report 1")
    for line in (
        "Recipients: 3",
        "Delivered: 1",
        "Failed: 2",
        "account deleted: 1",
        "chat not found: 1",
    ):
        assert line in report.text, report.text
    assert "blocked the bot" not in report.text and "other error" not in report.text

    await lead.press(report, "dsk:csv:1")
    await standin.wait_until(lambda: bool(standin.documents), timeout=10)
    rows = list(csv.DictReader(io.StringIO(standin.documents[-1].content.decode("utf-8-sig"))))
    by_id = {row["user_id"]: row for row in rows}
    assert (
        by_id["502"]["delivery"] == "deactivated" and "deactivated" in by_id["502"]["error"].lower()
    )
    assert (
        by_id["503"]["delivery"] == "not found"
        and "chat not found" in by_id["503"]["error"].lower()
    )
    assert by_id["501"]["delivery"] == "delivered" and by_id["501"]["error"] == ""


async def test_roster_shows_what_each_traveller_follows(
    runtime: BotRuntime, standin: StandIn, lead: Person
) -> None:
    _org, nomad, referenced, _later = await acme_with_travellers(runtime, standin, lead)
    await nomad.say("/subscribe Japan, Germany")
    await referenced.say("/subscribe Kenya")
    roster = (await lead.say("/roster")).text
    lines = {line.split(" · ")[0]: line for line in roster.splitlines()}
    assert "follows DE, JP" in lines["@nomad"]
    assert "follows KE" in lines["E502"]
    assert "follows" not in lines["503"]
