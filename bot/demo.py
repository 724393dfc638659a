"""`python -m bot demo`: the whole bot, offline, on the bundled sample feeds.

It serves the sample feeds over local HTTP, starts the local Bot API stand-in, plays two
travellers (one writing in English, one in French) who subscribe in chat, polls the
sources once, lets the dispatcher send, and prints each message as that traveller sees
it. Then it polls again to show that an unchanged feed sends nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from aiohttp import web

from bot.app import build_runtime
from bot.config import PROJECT_ROOT, Settings, SourceConfig
from bot.logs import configure_logging
from bot.standin import SentMessage, StandIn, render_for_terminal

FEEDS_DIR = PROJECT_ROOT / "feeds"

# (source kind, sample file) polled by the demo.
DEMO_FEEDS: tuple[tuple[str, str], ...] = (
    ("us-state", "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"),
)


@dataclass(frozen=True, slots=True)
class Traveller:
    chat_id: int
    name: str
    language_code: str
    says: tuple[str, ...]


TRAVELLERS = (
    Traveller(1001, "Alice", "en", ("/start", "/subscribe Mexico, Kenya, Ukrane", "/list")),
    Traveller(1002, "Bruno", "fr-FR", ("/start", "/subscribe Allemagne, 🇱🇧, SN", "/list")),
)


async def serve_feeds(directory: Path) -> tuple[web.AppRunner, str]:
    """A local HTTP server for the sample feed files (what the real sources would answer)."""
    app = web.Application()
    app.router.add_static("/", directory, show_index=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def run_demo(out: TextIO, *, verbose: bool = True) -> int:
    configure_logging(level="WARNING", secrets=[])
    feeds_runner, feeds_url = await serve_feeds(FEEDS_DIR)
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
            return await _play(settings, standin, out, verbose=verbose)
    finally:
        await standin.stop()
        await feeds_runner.cleanup()


async def _play(settings: Settings, standin: StandIn, out: TextIO, *, verbose: bool) -> int:
    runtime = await build_runtime(settings)
    await runtime.start(schedule=False)
    try:
        _say(out, "== Travellers talk to the bot ==")
        for traveller in TRAVELLERS:
            for text in traveller.says:
                before = len(standin.messages_to(traveller.chat_id))
                standin.user_message(
                    traveller.chat_id,
                    text,
                    language_code=traveller.language_code,
                    first_name=traveller.name,
                )
                await standin.wait_for(before + 1, chat_id=traveller.chat_id, timeout=10)
                if verbose:
                    _say(out, f"\n{traveller.name} > {text}")
                    for message in standin.messages_to(traveller.chat_id)[before:]:
                        _print_message(out, traveller, message)

        _say(out, "\n== The bot polls the sources ==")
        already = {t.chat_id: len(standin.messages_to(t.chat_id)) for t in TRAVELLERS}
        for report in await runtime.poll_all(force=True):
            _say(
                out,
                f"{report.source}: {report.status}, {report.items} items,"
                f" {report.announcements} new or changed, {report.queued} messages queued"
                + (f" ({report.error})" if report.error else ""),
            )
        await runtime.dispatcher.drain()
        for traveller in TRAVELLERS:
            received = standin.messages_to(traveller.chat_id)[already[traveller.chat_id] :]
            _say(out, f"\n-- {traveller.name} receives {len(received)} alert(s) --")
            for message in received:
                _print_message(out, traveller, message)

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
    finally:
        await runtime.stop()
    return 0


def _print_message(out: TextIO, traveller: Traveller, message: SentMessage) -> None:
    text = render_for_terminal(message)
    indented = "\n".join("    " + line for line in text.splitlines())
    _say(out, f"  bot -> {traveller.name}:\n{indented}")


def _say(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)
