import asyncio
import threading
from pathlib import Path

import pytest

from bot.sources.base import ParsedFeed, SourceAdapter
from bot.sources.registry import ADAPTERS, adapter_for, parse_in_thread

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


async def test_other_coroutines_keep_running_while_a_feed_parses():
    adapter = _WaitsForTheLoop()

    async def chat_handler() -> str:
        await asyncio.sleep(0.01)
        adapter.loop_ran.set()
        return "answered"

    parsed, answer = await asyncio.gather(parse_in_thread(adapter, b"body", "src"), chat_handler())
    assert answer == "answered"
    assert parsed.problems == ("body", "src")


async def test_parse_in_thread_gives_the_same_alerts_as_parse():
    body = (FEEDS / "gdacs-rss-2019-12-30.xml").read_bytes()
    adapter = adapter_for("gdacs")
    assert await parse_in_thread(adapter, body, "gdacs") == adapter.parse(body, source="gdacs")
