"""/metrics in the Prometheus text format: polls, alerts, deliveries, errors, queue depth and
delay are there after a poll and a delivery, counted in the bot's own registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import REGISTRY

from bot.ops.metrics import Metrics
from bot.standin import StandIn
from bot.store import chats as chat_store
from bot.store.admin import delays_since, delivery_counts
from tests.conftest import FeedServer
from tests.ops.conftest import STATE_FEED, OpsBot


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_polls_alerts_deliveries_errors_queue_and_delay(
    ops_bot: Callable[..., Awaitable[OpsBot]], standin: StandIn, feed_server: FeedServer
) -> None:
    bot = await ops_bot()
    db = bot.runtime.services.db
    standin.known_chat(810)
    await chat_store.register_chat(db, 810, kind="private", language="en", now=bot.clock())
    await chat_store.subscribe(db, 810, ["DE", "MX"], now=bot.clock())
    await bot.runtime.poll_all()
    bot.clock.advance(seconds=42)
    await bot.runtime.dispatcher.drain()
    feed_server.fail(STATE_FEED, 500)
    await bot.runtime.poll_all(force=True)

    async with httpx.AsyncClient(base_url=bot.url) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(response.text)
    sent = (await delivery_counts(db)).sent
    assert sent >= 2
    prefix = "travel_risk_bot"
    ok = (("source", "us-state"), ("status", "ok"))
    assert found[(f"{prefix}_polls_total", ok)] == 1
    failed = (("source", "us-state"), ("status", "failed"))
    assert found[(f"{prefix}_polls_total", failed)] == 1
    assert found[(f"{prefix}_alerts_total", (("source", "us-state"),))] > 0
    assert found[(f"{prefix}_deliveries_total", (("outcome", "sent"),))] == sent
    assert found[(f"{prefix}_errors_total", (("kind", "poll"),))] == 1
    assert found[(f"{prefix}_outbox_pending", ())] == 0
    assert found[(f"{prefix}_delivery_delay_seconds_count", ())] == sent
    # The running dispatcher may send some before the clock moves: read the delays back.
    delays = [d.seconds for d in await delays_since(db, after=("", 0))]
    assert set(delays) <= {0, 42} and 42 in delays
    assert round(found[(f"{prefix}_delivery_delay_seconds_sum", ())]) == sum(delays)
    assert found[(f"{prefix}_delivery_delay_seconds_bucket", (("le", "30.0"),))] == delays.count(0)
    assert found[(f"{prefix}_delivery_delay_seconds_bucket", (("le", "60.0"),))] == sent


def test_two_metrics_objects_count_separately_and_leave_the_default_registry_alone() -> None:
    first, second = Metrics(), Metrics()
    first.errors.labels("poll").inc()
    assert first.registry.get_sample_value("travel_risk_bot_errors_total", {"kind": "poll"}) == 1
    assert (
        second.registry.get_sample_value("travel_risk_bot_errors_total", {"kind": "poll"}) is None
    )
    assert REGISTRY.get_sample_value("travel_risk_bot_errors_total", {"kind": "poll"}) is None
