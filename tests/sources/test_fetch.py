"""FeedClient against a real HTTP server on 127.0.0.1 (the `feed_server` fixture)."""

from pathlib import Path

import httpx
import pytest

from bot.sources.base import FeedClient, FetchFailed, Validators

GDACS = "/gdacs-rss-2019-12-30.xml"
GDACS_BYTES = (Path(__file__).resolve().parents[2] / "feeds" / GDACS.lstrip("/")).read_bytes()


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0)) as client:
        yield client


async def test_first_get_returns_the_bytes_and_validators(feed_server, http):
    fetched = await FeedClient(http).get(feed_server.url(GDACS))
    assert fetched.status == "ok"
    assert fetched.body == GDACS_BYTES
    assert fetched.validators.etag
    assert fetched.validators.last_modified == "Tue, 07 Oct 2025 21:08:05 GMT"


async def test_unchanged_feed_costs_one_304_on_the_conditional_get(feed_server, http):
    client = FeedClient(http)
    first = await client.get(feed_server.url(GDACS))
    second = await client.get(feed_server.url(GDACS), first.validators)
    assert second.status == "not-modified"
    assert second.body == b""
    assert second.validators == first.validators
    assert feed_server.requests[GDACS] == 2
    assert feed_server.conditional_requests[GDACS] == 1


async def test_if_modified_since_alone_gets_a_304(feed_server, http):
    first = await FeedClient(http).get(feed_server.url(GDACS))
    only_date = Validators(last_modified=first.validators.last_modified)
    assert (await FeedClient(http).get(feed_server.url(GDACS), only_date)).status == "not-modified"


async def test_changed_feed_is_fetched_again_with_new_validators(feed_server, http):
    client = FeedClient(http)
    url = feed_server.add("/feed.xml", b"<rss><channel/></rss>")
    first = await client.get(url)
    feed_server.add("/feed.xml", b"<rss><channel><item/></channel></rss>")
    second = await client.get(url, first.validators)
    assert second.status == "ok"
    assert second.body == b"<rss><channel><item/></channel></rss>"
    assert second.validators.etag != first.validators.etag


async def test_body_over_the_cap_by_content_length_fails(feed_server, http):
    url = feed_server.add("/big.xml", b"x" * 5000)
    with pytest.raises(FetchFailed, match="5000 bytes, over the 1024-byte cap"):
        await FeedClient(http, max_bytes=1024).get(url)


async def test_streamed_body_over_the_cap_fails_without_content_length(feed_server, http):
    url = feed_server.add("/stream.xml", b"y" * 100_000, chunked=True)
    async with http.stream("GET", url) as response:
        assert "Content-Length" not in response.headers
    with pytest.raises(FetchFailed, match="over the 50000-byte cap"):
        await FeedClient(http, max_bytes=50_000).get(url)


async def test_streamed_body_under_the_cap_arrives_whole(feed_server, http):
    url = feed_server.add("/stream.xml", GDACS_BYTES, chunked=True)
    assert (await FeedClient(http).get(url)).body == GDACS_BYTES


async def test_slow_server_times_out_as_fetch_failed(feed_server):
    feed_server.delay(GDACS, 2.0)
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.2)) as http:
        with pytest.raises(FetchFailed, match="timed out"):
            await FeedClient(http).get(feed_server.url(GDACS))


@pytest.mark.parametrize("status", [500, 502, 503, 404, 403])
async def test_http_errors_raise_fetch_failed_with_the_status(feed_server, http, status):
    feed_server.fail(GDACS, status)
    with pytest.raises(FetchFailed, match=f"HTTP {status}"):
        await FeedClient(http).get(feed_server.url(GDACS))
    assert (await FeedClient(http).get(feed_server.url(GDACS))).status == "ok"


async def test_connection_refused_raises_fetch_failed(http):
    with pytest.raises(FetchFailed, match="could not fetch"):
        await FeedClient(http).get("http://127.0.0.1:9/feed.xml")


async def test_a_linked_document_fetched_before_costs_a_304_and_comes_back_whole(feed_server, http):
    client = FeedClient(http)
    url = feed_server.add("/cap/1.xml", b"<alert>first</alert>")

    first = await client.get_document(url)
    again = await client.get_document(url)
    feed_server.add("/cap/1.xml", b"<alert>second</alert>")
    changed = await client.get_document(url)

    assert (first.status, first.body) == ("ok", b"<alert>first</alert>")
    assert (again.status, again.body) == ("ok", b"<alert>first</alert>")
    assert (changed.status, changed.body) == ("ok", b"<alert>second</alert>")
    assert feed_server.requests["/cap/1.xml"] == 3
    assert feed_server.conditional_requests["/cap/1.xml"] == 1


async def test_a_linked_document_without_validators_is_fetched_whole_each_time(feed_server, http):
    client = FeedClient(http)
    url = feed_server.add("/cap/plain.xml", b"<alert/>", validators=False)

    for _ in range(2):
        assert (await client.get_document(url)).body == b"<alert/>"

    assert feed_server.requests["/cap/plain.xml"] == 2
    assert feed_server.conditional_requests["/cap/plain.xml"] == 0


async def test_kept_documents_are_bounded_the_least_recently_used_dropped_first(feed_server, http):
    client = FeedClient(http, max_cached_bytes=400)  # room for four 100-byte documents
    urls = [feed_server.add(f"/cap/{n}.xml", bytes([65 + n]) * 100) for n in range(5)]

    for url in urls:
        await client.get_document(url)
    for url in reversed(urls):  # the first was dropped to make room for the fifth
        await client.get_document(url)

    assert feed_server.conditional_requests["/cap/0.xml"] == 0
    assert [feed_server.conditional_requests[f"/cap/{n}.xml"] for n in range(1, 5)] == [1] * 4
