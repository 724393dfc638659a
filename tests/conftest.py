"""Fixtures shared by every test package.

`feed_server` is a real HTTP server on 127.0.0.1 that serves the repository's feed
samples (`feeds/<file>` at `/<file>`) and any bytes a test registers, so the real fetch
code runs: conditional GET (ETag / Last-Modified / 304), size caps, timeouts, errors.

    async def test_x(feed_server):
        feed_server.add("/gdacs.xml", body)             # or serve feeds/ files as they are
        url = feed_server.url("/usgs-significant_month-2023-10-11.geojson")
        feed_server.fail("/gdacs.xml", 503, times=1)    # the next request gets a 503
        feed_server.delay("/gdacs.xml", 2.0)            # answer after two seconds
        assert feed_server.requests["/gdacs.xml"] == 1
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from aiohttp import web

FEEDS_DIR = Path(__file__).resolve().parent.parent / "feeds"
# Every served document claims this modification time, so If-Modified-Since is testable.
SERVED_LAST_MODIFIED = datetime(2025, 10, 7, 21, 8, 5, tzinfo=UTC)

_CONTENT_TYPES = {
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".json": "application/json",
    ".geojson": "application/geo+json",
}


@dataclass
class Document:
    """What the server answers at one path."""

    body: bytes
    content_type: str = "application/xml"
    etag: str | None = None  # None: a digest of the body
    last_modified: datetime = SERVED_LAST_MODIFIED
    chunked: bool = False  # stream without Content-Length (to test a streamed size cap)
    validators: bool = True  # send ETag / Last-Modified and honour conditional requests

    def entity_tag(self) -> str:
        return self.etag or '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass
class FeedServer:
    """The running server: register documents, inject failures, count requests per path."""

    base_url: str = ""
    documents: dict[str, Document] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    conditional_requests: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[int]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def add(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/xml",
        etag: str | None = None,
        chunked: bool = False,
        validators: bool = True,
    ) -> str:
        """Serve `body` at `path` (replacing what was there) and return its URL."""
        self.documents[path] = Document(
            body, content_type=content_type, etag=etag, chunked=chunked, validators=validators
        )
        return self.url(path)

    def fail(self, path: str, status: int, *, times: int = 1) -> None:
        """Answer the next `times` requests for `path` with HTTP `status`."""
        self.failures.setdefault(path, []).extend([status] * times)

    def delay(self, path: str, seconds: float) -> None:
        """Wait `seconds` before answering requests for `path`."""
        self.delays[path] = seconds

    def document(self, path: str) -> Document | None:
        if path in self.documents:
            return self.documents[path]
        name = path.lstrip("/")
        candidate = FEEDS_DIR / name
        if "/" in name or not candidate.is_file():
            return None
        content_type = _CONTENT_TYPES.get(candidate.suffix, "application/octet-stream")
        return Document(candidate.read_bytes(), content_type=content_type)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.requests[path] += 1
        if path in self.delays:
            await asyncio.sleep(self.delays[path])
        pending = self.failures.get(path)
        if pending:
            return web.Response(status=pending.pop(0), text="injected failure")
        document = self.document(path)
        if document is None:
            return web.Response(status=404, text="not found")
        headers: dict[str, str] = {}
        if document.validators:
            etag = document.entity_tag()
            headers = {"ETag": etag, "Last-Modified": format_datetime(document.last_modified, True)}
            if _not_modified(request, etag, document.last_modified):
                self.conditional_requests[path] += 1
                return web.Response(status=304, headers=headers)
        if document.chunked:
            response = web.StreamResponse(headers=headers)
            response.content_type = document.content_type
            response.enable_chunked_encoding()
            await response.prepare(request)
            for start in range(0, len(document.body), 16 * 1024):
                await response.write(document.body[start : start + 16 * 1024])
            await response.write_eof()
            return response
        return web.Response(body=document.body, headers=headers, content_type=document.content_type)


def _not_modified(request: web.Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in {tag.strip() for tag in if_none_match.split(",")} or if_none_match == "*"
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            return last_modified <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A local HTTP server on 127.0.0.1 serving feeds/ and registered documents."""
    server = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.base_url = f"http://{host}:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture(autouse=True)
def no_chat_handler_fails(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """A chat handler that raises is a bug even when the reader is told something went
    wrong: every test fails on one, unless it is marked `handler_fails`."""
    yield
    if request.node.get_closest_marker("handler_fails") is not None:
        return
    failures = [
        record.getMessage()
        for record in caplog.get_records("call")
        if record.name == "bot.chat.errors"
    ]
    assert not failures, failures
