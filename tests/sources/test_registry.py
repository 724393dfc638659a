import asyncio
import threading
from pathlib import Path

import httpx
import pytest

from bot.sources.base import FeedClient, ParsedFeed, SourceAdapter, Validators
from bot.sources.registry import ADAPTERS, adapter_for

FEEDS = Path(__file__).resolve().parents[2] / "feeds"


@pytest.mark.parametrize("kind", ["us-state", "gdacs", "usgs"])
def test_each_kind_gives_its_adapter(kind):
    adapter = adapter_for(kind)
    assert isinstance(adapter, SourceAdapter)
    assert adapter.kind == kind


def test_registered_kinds_match_their_adapters():
    assert all(adapter_class.kind == kind for kind, adapter_class in ADAPTERS.items())


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(KeyError, match="us-state") as error:
        adapter_for("meteoalarm")
    assert "meteoalarm" in str(error.value)


class _WaitsForTheLoop(SourceAdapter):
    """Parses only once the event loop has run another coroutine: proof it was not blocked."""

    kind = "waits"

    def __init__(self) -> None:
        self.loop_ran = threading.Event()

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        if not self.loop_ran.wait(timeout=5):
            raise AssertionError("the event loop was blocked while parsing")
        return ParsedFeed(alerts=(), problems=(body.decode(), source))


async def test_other_coroutines_keep_running_while_a_polled_feed_parses(feed_server):
    adapter = _WaitsForTheLoop()
    url = feed_server.add("/body.xml", b"body")

    async def chat_handler() -> str:
        await asyncio.sleep(0.01)
        adapter.loop_ran.set()
        return "answered"

    async with httpx.AsyncClient() as http:
        outcome, answer = await asyncio.gather(
            adapter.poll(FeedClient(http), url, source="src", validators=Validators()),
            chat_handler(),
        )
    assert answer == "answered"
    assert outcome.feed is not None and outcome.feed.problems == ("body", "src")


async def test_polling_gives_the_same_alerts_as_parsing_the_file(feed_server):
    body = (FEEDS / "gdacs-rss-2019-12-30.xml").read_bytes()
    adapter = adapter_for("gdacs")
    async with httpx.AsyncClient() as http:
        outcome = await adapter.poll(
            FeedClient(http),
            feed_server.url("/gdacs-rss-2019-12-30.xml"),
            source="gdacs",
            validators=Validators(),
        )
    assert outcome.feed == adapter.parse(body, source="gdacs")
