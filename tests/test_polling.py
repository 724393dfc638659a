"""Polling sources for real over local HTTP: health, backoff, 304s, failures kept apart."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.config import SourceConfig
from bot.polling import Backoff, Poller
from bot.sources.base import FeedClient
from bot.store import alerts as alert_store
from bot.store import sources as source_store
from bot.store.database import Database
from tests.clock import Clock
from tests.conftest import FEEDS_DIR

STATE_FILE = "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "poll.sqlite3")
    yield database
    await database.close()


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=0.5) as client:
        yield client


def poller_for(db, http, clock, **kwargs) -> Poller:
    return Poller(db, FeedClient(http), clock=clock, rng=random.Random(7), **kwargs)


async def test_unchanged_feed_costs_one_conditional_request(db, http, feed_server):
    clock = Clock()
    source = SourceConfig("us-state", "us-state", feed_server.url(STATE_FILE))
    poller = poller_for(db, http, clock)
    first = await poller.poll(source)
    second = await poller.poll(source)
    assert first.status == "ok" and first.items == 54 and first.announcements == 54
    assert second.status == "not-modified"
    assert feed_server.conditional_requests["/" + STATE_FILE] == 1
    health = await source_store.get_health(db, "us-state")
    assert health.items_seen == 54 and health.consecutive_failures == 0


async def test_items_a_poll_skipped_are_in_source_health_until_the_feed_is_read_again(
    db, http, feed_server
):
    """The bad item of a feed is reported where an admin looks (`/sources`, `python -m
    bot sources`), not only in the log; a 304 keeps the report, a clean feed clears it."""
    clock = Clock()
    good = feed_server.url(STATE_FILE)
    body = (FEEDS_DIR / STATE_FILE).read_bytes()
    broken = body.replace(b"<title>Maldives - Level 2: Exercise Increased Caution<", b"<title><", 1)
    path = feed_server.add("/state.xml", broken, content_type="application/rss+xml")
    source = SourceConfig("us-state", "us-state", path)
    poller = poller_for(db, http, clock)

    await poller.poll(source)
    health = await source_store.get_health(db, "us-state")
    assert (health.items_seen, health.item_problems) == (53, 1)
    assert health.first_item_problem == "an item has no title"

    assert (await poller.poll(source)).status == "not-modified"
    assert (await source_store.get_health(db, "us-state")).item_problems == 1

    await poller.poll(SourceConfig("us-state", "us-state", good))
    health = await source_store.get_health(db, "us-state")
    assert (health.items_seen, health.item_problems, health.first_item_problem) == (54, 0, None)


async def test_failing_source_backs_off_and_recovers(db, http, feed_server):
    clock = Clock()
    source = SourceConfig("us-state", "us-state", feed_server.url(STATE_FILE))
    feed_server.fail("/" + STATE_FILE, 503, times=2)
    poller = poller_for(db, http, clock, backoff=Backoff(base_seconds=60, jitter=0.5))

    failed = await poller.poll(source)
    assert failed.status == "failed" and "503" in (failed.error or "")
    health = await source_store.get_health(db, "us-state")
    assert health.consecutive_failures == 1
    assert health.next_attempt_at is not None
    wait = health.next_attempt_at - clock.now
    assert timedelta(seconds=30) <= wait <= timedelta(seconds=90)

    skipped = await poller.poll(source)
    assert skipped.status == "skipped" and feed_server.requests["/" + STATE_FILE] == 1

    clock.now += timedelta(minutes=2)
    assert (await poller.poll(source)).status == "failed"
    health = await source_store.get_health(db, "us-state")
    assert health.consecutive_failures == 2
    assert health.next_attempt_at - clock.now >= timedelta(seconds=60)  # doubled

    clock.now += timedelta(minutes=5)
    recovered = await poller.poll(source)
    assert recovered.status == "ok"
    health = await source_store.get_health(db, "us-state")
    assert health.consecutive_failures == 0 and health.last_error is None


async def test_malformed_feed_is_reported_and_known_alerts_are_kept(db, http, feed_server):
    clock = Clock()
    source = SourceConfig("us-state", "us-state", feed_server.url("/state.xml"))
    feed_server.add("/state.xml", (feed_server.document("/" + STATE_FILE)).body)
    poller = poller_for(db, http, clock)
    assert (await poller.poll(source)).status == "ok"

    feed_server.add("/state.xml", b"<rss><channel><item><title>broken")
    clock.now += timedelta(hours=1)
    report = await poller.poll(source, force=True)
    assert report.status == "failed"
    assert "FeedMalformed" in (report.error or "")
    health = await source_store.get_health(db, "us-state")
    assert "FeedMalformed" in (health.last_error or "")
    germany = await alert_store.current_alerts_for(db, "DE", now=clock.now)
    assert [alert.source for alert in germany] == ["us-state"]


async def test_paused_source_is_not_polled(db, http, feed_server):
    source = SourceConfig("us-state", "us-state", feed_server.url(STATE_FILE))
    await source_store.set_paused(db, "us-state", True)
    report = await poller_for(db, http, Clock()).poll(source)
    assert report.status == "skipped" and report.error == "paused"
    assert feed_server.requests["/" + STATE_FILE] == 0


async def test_hanging_source_does_not_delay_the_others(db, http, feed_server):
    """A source that times out finishes after one that answers at once, in the same round."""
    slow = SourceConfig("slow", "us-state", feed_server.url("/slow.xml"))
    fast = SourceConfig("fast", "gdacs", feed_server.url("/gdacs-rss-2019-12-30.xml"))
    feed_server.add("/slow.xml", b"<rss/>")
    feed_server.delay("/slow.xml", 2.0)
    poller = poller_for(db, http, Clock())
    finished: list[str] = []

    async def poll(source: SourceConfig) -> None:
        report = await poller.poll(source)
        finished.append(f"{report.source}:{report.status}")

    await asyncio.gather(poll(slow), poll(fast))
    assert finished == ["fast:ok", "slow:failed"]
    health = await source_store.get_health(db, "slow")
    assert "FetchFailed" in (health.last_error or "") and "timed out" in (health.last_error or "")


async def test_a_bug_in_an_adapter_is_recorded_not_raised(db, http, feed_server, monkeypatch):
    from bot.sources import us_state

    def explode(self, body, *, source):
        raise ZeroDivisionError("adapter bug")

    monkeypatch.setattr(us_state.UsStateAdapter, "parse", explode)
    source = SourceConfig("us-state", "us-state", feed_server.url(STATE_FILE))
    report = await poller_for(db, http, Clock()).poll(source)
    assert report.status == "failed" and "ZeroDivisionError" in (report.error or "")


async def test_cap_alert_polled_past_its_expiry_is_recorded_and_not_sent(db, http, feed_server):
    """The NSW fire warning expires at 2011-10-06 23:04 Sydney time (13:04 UTC)."""
    clock = Clock()
    sample = feed_server.document("/cap12-au-nsw-rfs-2011-10-05.cap.xml").body
    url = feed_server.add("/nsw.xml", sample, validators=False)  # no 304: parsed each time
    source = SourceConfig("nsw", "cap", url)
    poller = poller_for(db, http, clock)
    clock.now = datetime(2011, 10, 6, 1, tzinfo=UTC)
    live = await poller.poll(source)
    assert (live.announcements, live.expired, live.past_expiry) == (1, 0, 0)
    assert [a.id for a in await alert_store.current_alerts_for(db, "AU", now=clock.now)]

    clock.now = datetime(2011, 10, 6, 14, tzinfo=UTC)
    over = await poller.poll(source)
    assert (over.status, over.announcements, over.queued, over.expired) == ("ok", 0, 0, 1)
    assert over.past_expiry == 1
    again = await poller.poll(source)
    assert (again.announcements, again.expired) == (0, 0)  # its expiry is recorded once
    assert again.past_expiry == 1  # but the feed still carries it
    assert await alert_store.current_alerts_for(db, "AU", now=clock.now) == []
    assert await alert_store.versions_to_fan_out(db) == []


async def test_cap_alert_first_seen_after_its_expiry_is_not_announced(db, http, feed_server):
    clock = Clock()  # 2025: the 2011 warning is long over
    source = SourceConfig("nsw", "cap", feed_server.url("cap12-au-nsw-rfs-2011-10-05.cap.xml"))
    report = await poller_for(db, http, clock).poll(source)
    assert (report.status, report.items, report.announcements) == ("ok", 1, 0)
    assert (report.queued, report.expired, report.past_expiry) == (0, 0, 1)
    assert await alert_store.current_alerts_for(db, "AU", now=clock.now) == []
