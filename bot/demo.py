"""`python -m bot demo`: the whole bot, offline, on the bundled sample feeds.

It serves the sample feeds over local HTTP, starts the local Bot API stand-in, plays three
travellers (writing in English, French and Spanish) who subscribe in chat, polls the
sources once, lets the dispatcher send, and prints each message as that traveller sees
it. Then it polls again to show that an unchanged feed sends nothing, and once more after
the State Department raises Germany's level, to show an update.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aiohttp import web

from bot.app import BotRuntime, build_runtime
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
                admin_ids=frozenset(),
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
        _say(out, "== Travellers talk to the bot ==")
        for traveller in TRAVELLERS:
            for text in traveller.says:
                before = len(standin.messages_to(traveller.chat_id))
                if text.startswith(PRESS):
                    data = text.removeprefix(PRESS)
                    last = standin.messages_to(traveller.chat_id)[-1]
                    standin.press_button(traveller.chat_id, last.message_id, data)
                    label = next(
                        button["text"]
                        for row in last.buttons()
                        for button in row
                        if button.get("callback_data") == data
                    )
                    shown = f"(presses [ {label} ])"
                else:
                    standin.user_message(
                        traveller.chat_id,
                        text,
                        language_code=traveller.language_code,
                        first_name=traveller.name,
                    )
                    shown = text
                await standin.wait_for(before + 1, chat_id=traveller.chat_id, timeout=10)
                if verbose:
                    _say(out, f"\n{traveller.name} > {shown}")
                    for message in standin.messages_to(traveller.chat_id)[before:]:
                        _print_message(out, traveller, message)

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
    for traveller in TRAVELLERS:
        received = standin.messages_to(traveller.chat_id)[already[traveller.chat_id] :]
        _say(out, f"\n-- {traveller.name} receives {len(received)} message(s) --")
        for message in received:
            _print_message(out, traveller, message)


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
