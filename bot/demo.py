"""`python -m bot demo`: the whole bot, offline, on the bundled sample feeds.

It serves the sample feeds over local HTTP, starts the local Bot API stand-in, plays three
travellers (writing in English, French and Spanish) who subscribe in chat, polls the
sources once, lets the dispatcher send, and prints each message as that traveller sees
it. Then it polls again to show that an unchanged feed sends nothing, and once more after
the State Department raises Germany's level, to show an update. Last, a company's travel
desk invites two of them, broadcasts its own warning with a safety check, and reads who
got it and who answered.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from aiohttp import web

from bot.app import BotRuntime, build_runtime
from bot.chat.desk_checkin import desk_round
from bot.chat.desk_messages import messenger_of
from bot.config import PROJECT_ROOT, Settings, SourceConfig
from bot.logs import configure_logging
from bot.standin import SentMessage, StandIn, render_for_terminal

FEEDS_DIR = PROJECT_ROOT / "feeds"

STATE_DEPT_FILE = "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"
# (source kind, sample file) polled by the demo.
DEMO_FEEDS: tuple[tuple[str, str], ...] = (
    ("us-state", STATE_DEPT_FILE),
    ("ca-travel", "canada-travel-voyage-index-alpha-eng-2014-10-02.json"),
    ("gdacs", "gdacs-rss-2019-12-30.xml"),
    ("usgs", "usgs-significant_month-2023-10-11.geojson"),
    ("cap", "cap12-au-nsw-rfs-2011-10-05.cap.xml"),
)


@dataclass(frozen=True, slots=True)
class Traveller:
    chat_id: int
    name: str
    language_code: str
    says: tuple[str, ...]


PRESS = "press:"  # a traveller's line that presses the button with this callback data

TRAVELLERS = (
    Traveller(
        1001, "Alice", "en", ("/start", "/subscribe Kenya, Ukrane", f"{PRESS}sub:UA", "/list")
    ),
    Traveller(1002, "Bruno", "fr-FR", ("/start", "/subscribe Allemagne, 🇦🇺", "/list")),
    Traveller(1003, "Carmen", "es", ("/start", "/subscribe Filipinas")),
)
# The travel desk's operator, also the bot's admin here (she creates her organisation).
DESK = Traveller(1004, "Dana (travel desk)", "en", ())
CARMEN_REFERENCE = "E2041"  # her staff number, given with a personal invite
WARNING = (
    "/broadcast\n"
    "Title: Nairobi: protests near the CBD\n"
    "Countries: Kenya\n"
    "Severity: high\n"
    "Category: unrest\n"
    "Safety check: yes\n"
    "Audience: now, subscribers\n"
    "Event: Large protests are under way in the central business district.\n"
    "Advice: Avoid the area, keep your phone charged and answer this message."
)


async def serve_feeds(documents: dict[str, bytes]) -> tuple[web.AppRunner, str]:
    """A local HTTP server answering what the real sources would (`documents` by file name).

    The dict is read at each request, so the demo can publish a changed feed.
    """

    async def answer(request: web.Request) -> web.Response:
        body = documents.get(request.match_info["name"])
        return web.Response(body=body) if body is not None else web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{name}", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def run_demo(out: TextIO, *, verbose: bool = True) -> int:
    configure_logging(level="WARNING", secrets=[])
    documents = {file: (FEEDS_DIR / file).read_bytes() for _, file in DEMO_FEEDS}
    feeds_runner, feeds_url = await serve_feeds(documents)
    standin = StandIn()
    await standin.start()
    try:
        with tempfile.TemporaryDirectory(prefix="travel-risk-demo-") as scratch:
            settings = Settings(
                token=standin.token,
                database_url=f"sqlite:///{Path(scratch) / 'demo.sqlite3'}",
                data_dir=Path(scratch),
                admin_ids=frozenset({DESK.chat_id}),
                poll_interval_seconds=900,
                bot_api_url=standin.base_url,
                sources=tuple(
                    SourceConfig(kind, kind, f"{feeds_url}/{file}") for kind, file in DEMO_FEEDS
                ),
            )
            return await _play(settings, standin, documents, out, verbose=verbose)
    finally:
        await standin.stop()
        await feeds_runner.cleanup()


async def _play(
    settings: Settings,
    standin: StandIn,
    documents: dict[str, bytes],
    out: TextIO,
    *,
    verbose: bool,
) -> int:
    runtime = await build_runtime(settings)
    await runtime.start(schedule=False)
    try:
        talk = out if verbose else io.StringIO()  # the conversations; what arrives always shows
        _say(out, "== Travellers talk to the bot ==")
        for traveller in TRAVELLERS:
            for text in traveller.says:
                if text.startswith(PRESS):
                    await _press(standin, traveller, text.removeprefix(PRESS), talk)
                else:
                    await _write(standin, traveller, text, talk)

        _say(out, "\n== The bot polls the sources ==")
        await _poll_and_show(runtime, standin, out)

        _say(out, "\n== The same feeds, polled again ==")
        sent_before = len(standin.sent)
        reports = await runtime.poll_all(force=True)
        await runtime.dispatcher.drain()
        queued = sum(report.queued for report in reports)
        _say(
            out,
            f"{queued} messages queued, {len(standin.sent) - sent_before} sent: an unchanged"
            " feed sends nothing.",
        )

        _say(out, "\n== The State Department raises Germany to level 3 ==")
        documents[STATE_DEPT_FILE] = raise_germany(documents[STATE_DEPT_FILE])
        await _poll_and_show(runtime, standin, out)

        _say(out, "\n== A company's travel desk warns its own travellers ==")
        await _travel_desk(runtime, standin, out, talk)
    finally:
        await runtime.stop()
    return 0


async def _poll_and_show(runtime: BotRuntime, standin: StandIn, out: TextIO) -> None:
    already = {t.chat_id: len(standin.messages_to(t.chat_id)) for t in TRAVELLERS}
    for report in await runtime.poll_all(force=True):
        _say(
            out,
            f"{report.source}: {report.status}, {report.items} items,"
            f" {report.announcements} new or changed, {report.queued} messages queued"
            + (f", {report.past_expiry} past its expiry (not sent)" if report.past_expiry else "")
            + (f" ({report.error})" if report.error else ""),
        )
    await runtime.dispatcher.drain()
    _show_received(out, standin, TRAVELLERS, already)


def _show_received(
    out: TextIO, standin: StandIn, people: Sequence[Traveller], already: dict[int, int]
) -> None:
    """What each of `people` got since they had `already[chat_id]` messages."""
    for person in people:
        received = standin.messages_to(person.chat_id)[already[person.chat_id] :]
        _say(out, f"\n-- {person.name} receives {len(received)} message(s) --")
        for message in received:
            _print_message(out, person, message)


async def _travel_desk(runtime: BotRuntime, standin: StandIn, out: TextIO, talk: TextIO) -> None:
    """Dana creates Acme Travel's desk and invites Alice and Carmen, who open the link, and
    records Carmen's trip to Kenya; she sends a warning with a safety check to the members
    in Kenya today or following it; Alice answers it, Carmen does not; Dana reads the
    report and asks who has not answered."""
    alice, carmen = TRAVELLERS[0], TRAVELLERS[2]
    await _write(standin, DESK, f"/org_create Acme Travel {DESK.chat_id}", talk)
    # A link for anyone (Alice), and a personal one that gives Carmen her staff number.
    for traveller, options in ((alice, "days=7"), (carmen, f"ref={CARMEN_REFERENCE}")):
        invite = await _write(standin, DESK, f"/invite {options}", talk)
        token = re.search(r"start=(join_[A-Za-z0-9_-]+)", invite[-1].text)
        if token is None:
            raise RuntimeError(f"no invite link in: {invite[-1].text}")
        await _write(standin, traveller, f"/start {token.group(1)}", talk)
    today = runtime.services.clock().date()
    trip = f"{today.isoformat()} {(today + timedelta(days=5)).isoformat()}"
    await _write(standin, DESK, f"/trip_add {CARMEN_REFERENCE} Kenya {trip}", talk)
    summary = await _write(standin, DESK, WARNING, talk, answers=2)
    await _press(standin, DESK, summary[-1].buttons()[0][0]["callback_data"], talk)

    already = {t.chat_id: len(standin.messages_to(t.chat_id)) for t in (alice, carmen)}
    await runtime.dispatcher.drain()
    application = runtime.application
    await desk_round(application.bot, runtime.services, messenger_of(application))
    _show_received(out, standin, (alice, carmen), already)

    question = standin.messages_to(alice.chat_id)[-1]
    await _press(standin, alice, question.buttons()[0][0]["callback_data"], talk, answers=0)
    report = await _write(standin, DESK, "/report", talk)
    await _press(standin, DESK, report[-1].buttons()[0][1]["callback_data"], talk)


async def _write(
    standin: StandIn,
    person: Traveller,
    text: str,
    out: TextIO,
    *,
    answers: int = 1,
) -> list[SentMessage]:
    """`person` writes `text`; returns (and prints) the bot's `answers` messages."""
    before = len(standin.messages_to(person.chat_id))
    standin.user_message(
        person.chat_id, text, language_code=person.language_code, first_name=person.name
    )
    await standin.wait_for(before + answers, chat_id=person.chat_id, timeout=10)
    received = standin.messages_to(person.chat_id)[before:]
    _show_turn(out, person, text, received)
    return received


async def _press(
    standin: StandIn,
    person: Traveller,
    data: str,
    out: TextIO,
    *,
    answers: int = 1,
) -> list[SentMessage]:
    """`person` presses the button `data` of the last message the bot sent them; returns
    (and prints, after the short notice the bot may show) the bot's `answers` messages."""
    last = standin.messages_to(person.chat_id)[-1]
    label = next(
        button["text"]
        for row in last.buttons()
        for button in row
        if button.get("callback_data") == data
    )
    before = len(standin.messages_to(person.chat_id))
    query_id = standin.press_button(person.chat_id, last.message_id, data)
    await standin.wait_until(
        lambda: any(a.callback_query_id == query_id for a in standin.answered_callbacks),
        timeout=10,
        waiting_for=f"an answer to {data}",
    )
    await standin.wait_for(before + answers, chat_id=person.chat_id, timeout=10)
    received = standin.messages_to(person.chat_id)[before:]
    notice = next(a for a in standin.answered_callbacks if a.callback_query_id == query_id)
    _show_turn(out, person, f"(presses [ {label} ])", received, notice.text or "")
    return received


def _show_turn(
    out: TextIO, person: Traveller, action: str, received: Sequence[SentMessage], notice: str = ""
) -> None:
    """What `person` did, the short notice a button press may show, then the answers."""
    _say(out, f"\n{person.name} > {action}")
    if notice:
        _say(out, f"  bot -> {person.name} (a notice): {notice}")
    for message in received:
        _print_message(out, person, message)


def raise_germany(feed: bytes) -> bytes:
    """The State Department feed with Germany's item raised from level 2 to level 3."""
    start = feed.index(b"<title>Germany - ")
    end = feed.index(b"</item>", start)
    item = feed[start:end].replace(
        b"Level 2: Exercise Increased Caution", b"Level 3: Reconsider Travel"
    )
    return feed[:start] + item + feed[end:]


def _print_message(out: TextIO, traveller: Traveller, message: SentMessage) -> None:
    text = render_for_terminal(message)
    indented = "\n".join("    " + line for line in text.splitlines())
    _say(out, f"  bot -> {traveller.name}:\n{indented}")


def _say(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)
