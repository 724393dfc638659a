"""Parsing a feed happens in worker threads: chat handlers keep being answered while a
poll reads a large document, for single-document feeds and for indexes of documents."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bot.sources.base import FeedClient, ParsedFeed, Validators
from bot.sources.cap import CapAdapter
from bot.sources.uk_fcdo import UkFcdoAdapter
from bot.sources.us_state import UsStateAdapter

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
SLOW_PARSE_SECONDS = 0.15  # how long each document "takes" to parse here


async def loop_turns_during(poll: Awaitable[Any]) -> tuple[Any, int, float]:
    """Run `poll` while a ticker asks for a turn every 5 ms; the poll's result, how many
    turns the ticker got, and how long the poll took."""
    turns = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal turns
        while not stop.is_set():
            await asyncio.sleep(0.005)
            turns += 1

    ticking = asyncio.create_task(ticker())
    started = time.perf_counter()
    try:
        result = await poll
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        await ticking
    return result, turns, elapsed


def slowed(parse: Callable[..., ParsedFeed]) -> Callable[..., ParsedFeed]:
    """`parse` that first holds its thread as a very large document would."""

    def slow(*args: Any, **kwargs: Any) -> ParsedFeed:
        time.sleep(SLOW_PARSE_SECONDS)
        return parse(*args, **kwargs)

    return slow


def assert_loop_kept_turning(turns: int, elapsed: float, parses: int) -> None:
    assert elapsed >= SLOW_PARSE_SECONDS * parses / 2  # the slow parses did run
    # Blocked, the loop would get no turn while a document parses; free, about one per
    # 5 ms. Half of that is a wide margin for a busy machine.
    assert turns >= int(elapsed / 0.005) // 2


async def test_a_single_document_feed_is_parsed_off_the_event_loop(feed_server: Any) -> None:
    adapter = UsStateAdapter()
    adapter.parse = slowed(adapter.parse)  # type: ignore[method-assign]
    url = feed_server.url("us-state-dept-TAsTWs-2025-10-07.trimmed.xml")
    async with httpx.AsyncClient() as http:
        outcome, turns, elapsed = await loop_turns_during(
            adapter.poll(FeedClient(http), url, source="us-state", validators=Validators())
        )

    assert outcome.feed is not None and len(outcome.feed.alerts) == 54
    assert_loop_kept_turning(turns, elapsed, parses=1)


async def test_each_linked_cap_document_is_parsed_off_the_event_loop(feed_server: Any) -> None:
    documents = ["cap12-au-nsw-rfs-2011-10-05.cap.xml", "nws-cap11-alert-2010-08-30.cap.xml"]
    entries = "".join(
        f"<entry><id>e{n}</id><updated>2010-08-30T04:07:00-06:00</updated><title>t</title>"
        f'<link type="application/cap+xml" href="{feed_server.url(name)}"/></entry>'
        for n, name in enumerate(documents)
    )
    index = feed_server.add(
        "/index.atom",
        f'<feed xmlns="http://www.w3.org/2005/Atom"><id>i</id>{entries}</feed>'.encode(),
        content_type="application/atom+xml",
    )
    adapter = CapAdapter(concurrency=1)
    adapter.parse_document = slowed(adapter.parse_document)  # type: ignore[method-assign]
    async with httpx.AsyncClient() as http:
        outcome, turns, elapsed = await loop_turns_during(
            adapter.poll(FeedClient(http), index, source="cap", validators=Validators())
        )

    assert outcome.feed is not None
    assert sorted(a.countries for a in outcome.feed.alerts) == [("AU",), ("US",)]
    assert_loop_kept_turning(turns, elapsed, parses=2)


async def test_each_gov_uk_country_item_is_parsed_off_the_event_loop(feed_server: Any) -> None:
    item = json.loads((FEEDS / "govuk-content-api-travel_advice-albania.example.json").read_text())
    slugs = ("albania", "austria")
    for slug in slugs:
        feed_server.add(
            f"/api/content/foreign-travel-advice/{slug}",
            json.dumps(item).encode(),
            content_type="application/json",
        )
    index = {
        "base_path": "/foreign-travel-advice",
        "document_type": "travel_advice_index",
        "details": {},
        "links": {
            "children": [
                {"base_path": f"/foreign-travel-advice/{slug}", "title": slug} for slug in slugs
            ]
        },
    }
    url = feed_server.add(
        "/api/content/foreign-travel-advice", json.dumps(index).encode(),
        content_type="application/json",
    )  # fmt: skip
    adapter = UkFcdoAdapter(concurrency=1)
    adapter.parse = slowed(adapter.parse)  # type: ignore[method-assign]
    async with httpx.AsyncClient() as http:
        outcome, turns, elapsed = await loop_turns_during(
            adapter.poll(FeedClient(http), url, source="uk-fcdo", validators=Validators())
        )

    assert outcome.feed is not None and len(outcome.feed.alerts) == 2
    assert_loop_kept_turning(turns, elapsed, parses=2)
