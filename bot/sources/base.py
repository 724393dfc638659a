"""What every source adapter shares: fetching over HTTP, parse results and errors.

An adapter turns the bytes of one feed into `Alert`s. Fetching is separate so that the
command line can parse a file and the bot can poll a URL through exactly the same parser.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

import httpx

from bot.alerts import Alert
from bot.sources.json_steps import loads_in_steps


class SourceError(Exception):
    """A poll of a source failed; the message is what an admin sees in source health."""


class FetchFailed(SourceError):
    """The feed could not be fetched: timeout, connection refused, HTTP error, too large."""


class FeedMalformed(SourceError):
    """The bytes are not valid XML or JSON at all."""


class SchemaChanged(SourceError):
    """The document parses but is not the shape this adapter knows: fail loudly, never yield
    an empty list that looks like "no alerts"."""


# From this size a document is decoded member by member (`loads_in_steps`), so that the
# worker thread decoding it lets chat handlers run; smaller ones in one call, faster.
STEPWISE_JSON_BYTES = 256 * 1024


def load_json(body: bytes) -> Any:
    """The decoded JSON document (a UTF-8 byte order mark allowed); FeedMalformed when the
    bytes are not JSON."""
    data = body.removeprefix(b"\xef\xbb\xbf")
    try:
        if len(data) < STEPWISE_JSON_BYTES:
            return json.loads(data)
        return loads_in_steps(data.decode(json.detect_encoding(data), "surrogatepass"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedMalformed(f"not valid JSON: {error}") from error


@dataclass(frozen=True, slots=True)
class Validators:
    """HTTP validators kept between polls so an unchanged feed costs one 304."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    status: Literal["ok", "not-modified"]
    body: bytes
    validators: Validators
    url: str


@dataclass(frozen=True, slots=True)
class _Kept:
    """A linked document kept in memory: what to ask for it conditionally, its bytes, and
    the date its feed entry gave when it was fetched."""

    validators: Validators
    body: bytes
    entry_updated: str
    fetched_at: float  # FeedClient.clock's reading when it was last asked for


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The alerts of one feed, and the items that were skipped with the reason why."""

    alerts: tuple[Alert, ...]
    problems: tuple[str, ...] = ()


class SkippedItem(Exception):
    """One item cannot become an alert; the message says which and why. The feed's other
    items still come through."""


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One item's alert, and what was odd about it though it could be read."""

    alert: Alert
    problems: tuple[str, ...] = ()


Item = TypeVar("Item")

log = logging.getLogger(__name__)

# What an adapter raises on an item shaped as it did not foresee (a number where its
# schema has a list): a bug to fix, but one item's, so the feed's other items still come
# through and the item is reported, not the whole poll failed.
UNFORESEEN_ITEM_ERRORS = (TypeError, KeyError, AttributeError, IndexError)
UNFORESEEN_MARK = "could not be read ("
# Everything reading one item may raise and leave the feed's other items readable: an
# item refused with its reason (ValueError), or one of a shape not foreseen.
ITEM_ERRORS = (ValueError, *UNFORESEEN_ITEM_ERRORS)


def unforeseen(where: str, error: Exception) -> str:
    """The problem to report for an item that raised one of `UNFORESEEN_ITEM_ERRORS`; the
    traceback goes to the log, for whoever fixes the adapter."""
    log.warning("%s: unforeseen %s", where, type(error).__name__, exc_info=error)
    return f"{where}: {UNFORESEEN_MARK}{type(error).__name__}: {error})"


def item_problem(where: str, error: Exception) -> str:
    """The problem to report for an item that raised one of `ITEM_ERRORS`: "where: why"."""
    if isinstance(error, ValueError):
        return f"{where}: {error}"
    return unforeseen(where, error)


def parse_items(items: Iterable[Item], parse_one: Callable[[Item], ParsedItem]) -> ParsedFeed:
    """Every item through `parse_one`: a malformed one (SkippedItem) is reported in the
    feed's problems and the rest come through."""
    alerts: list[Alert] = []
    problems: list[str] = []
    for position, item in enumerate(items):
        try:
            parsed = parse_one(item)
        except SkippedItem as skipped:
            problems.append(str(skipped))
            continue
        except UNFORESEEN_ITEM_ERRORS as error:
            problems.append(unforeseen(f"item {position}", error))
            continue
        alerts.append(parsed.alert)
        problems.extend(parsed.problems)
    return ParsedFeed(tuple(alerts), tuple(problems))


def read_each(
    items: Iterable[Item], read: Callable[[Item], Alert | None], *, label: str
) -> ParsedFeed:
    """Every item through `read`: one it cannot use (ValueError) is reported as "<label>
    <position>: why" and the rest come through; None is an item that is no alert (a test
    message, a destination with no level)."""
    alerts: list[Alert] = []
    problems: list[str] = []
    for position, item in enumerate(items):
        try:
            alert = read(item)
        except ITEM_ERRORS as error:
            problems.append(item_problem(f"{label} {position}", error))
            continue
        if alert is not None:
            alerts.append(alert)
    return ParsedFeed(tuple(alerts), tuple(problems))


def as_object(item: Any) -> dict[str, Any]:
    """A JSON item that must be an object; ValueError when it is not."""
    if not isinstance(item, dict):
        raise ValueError("not an object")
    return item


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll produced; `feed` is None when the server said 304 Not Modified."""

    feed: ParsedFeed | None
    validators: Validators
    documents_fetched: int = 1
    extra: dict[str, str] = field(default_factory=dict)


class FeedClient:
    """GETs feeds with a timeout, a size cap and conditional requests.

    The `httpx.AsyncClient` is passed in so tests (and the demo) control transport and base.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        max_bytes: int = 20 * 1024 * 1024,
        max_cached_bytes: int = 32 * 1024 * 1024,
        trust_entry_for: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.max_bytes = max_bytes
        self.max_cached_bytes = max_cached_bytes
        self.trust_entry_for = trust_entry_for
        self.clock = clock
        # Linked documents by URL, least recently used first.
        self._documents: OrderedDict[str, _Kept] = OrderedDict()
        self._cached_bytes = 0

    async def get_document(self, url: str, *, entry_updated: str = "") -> Fetched:
        """A document a feed links to (a CAP message of an index, a GOV.UK country item).

        Polls read every linked document again whenever the feed itself changes. When the
        feed's entry for it still gives the date it gave when the document was kept
        (`entry_updated`, Atom's <updated>), the kept copy is used without a request:
        MeteoAlarm's index changes at every request (its own <updated>) and carries no
        validators, so each poll fetched every warning again. That date is trusted for
        `trust_entry_for` seconds at most: a publisher that changes a document and not
        its entry delays the change by no more than that. Else a
        document fetched before is asked for conditionally, and on a 304 its kept copy
        comes back. The copies are kept in memory, the least recently used dropped beyond
        `max_cached_bytes`.
        """
        kept = self._documents.get(url)
        if (
            kept is not None
            and entry_updated
            and kept.entry_updated == entry_updated
            and self.clock() - kept.fetched_at < self.trust_entry_for
        ):
            self._documents.move_to_end(url)
            return Fetched("ok", kept.body, kept.validators, url)
        fetched = await self.get(url, kept.validators if kept else Validators())
        if fetched.status == "not-modified":
            if kept is None:
                raise FetchFailed(f"{url} answered 304 Not Modified to an unconditional GET")
            fetched = Fetched("ok", kept.body, kept.validators, url)
        self._keep(url, fetched, entry_updated)
        return fetched

    def _keep(self, url: str, fetched: Fetched, entry_updated: str) -> None:
        old = self._documents.pop(url, None)
        if old is not None:
            self._cached_bytes -= len(old.body)
        validators = fetched.validators
        worth_keeping = validators.etag or validators.last_modified or entry_updated
        if not worth_keeping or len(fetched.body) > self.max_cached_bytes // 4:
            return
        self._documents[url] = _Kept(validators, fetched.body, entry_updated, self.clock())
        self._cached_bytes += len(fetched.body)
        while self._cached_bytes > self.max_cached_bytes:
            _, dropped = self._documents.popitem(last=False)
            self._cached_bytes -= len(dropped.body)

    async def get(self, url: str, validators: Validators = Validators()) -> Fetched:
        headers = {"Accept": "application/xml, application/json, */*;q=0.5"}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            async with self.http.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return Fetched("not-modified", b"", validators, url)
                if response.status_code >= 400:
                    raise FetchFailed(f"HTTP {response.status_code} from {url}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchFailed(
                        f"{url} is {int(declared)} bytes, over the {self.max_bytes}-byte cap"
                    )
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchFailed(f"{url} is over the {self.max_bytes}-byte cap")
                    chunks.append(chunk)
                new_validators = Validators(
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                )
                return Fetched("ok", b"".join(chunks), new_validators, str(response.url))
        except httpx.TimeoutException as error:
            raise FetchFailed(f"timed out fetching {url}: {type(error).__name__}") from error
        except httpx.HTTPError as error:
            raise FetchFailed(f"could not fetch {url}: {type(error).__name__}: {error}") from error


class SourceAdapter(ABC):
    """Base class of the adapters: one feed kind, one `parse`.

    Single-document feeds need only `parse`; feeds that are an index of documents
    (GOV.UK, CAP over Atom) override `poll` to fetch the linked documents too.
    """

    kind: ClassVar[str]

    @abstractmethod
    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        """Normalise one document of this feed kind; raise FeedMalformed or SchemaChanged."""

    async def poll(
        self, client: FeedClient, url: str, *, source: str, validators: Validators
    ) -> PollOutcome:
        fetched = await client.get(url, validators)
        if fetched.status == "not-modified":
            return PollOutcome(None, validators)
        # In a worker thread: a large feed must not stall chat handlers while it parses.
        feed = await asyncio.to_thread(self.parse, fetched.body, source=source)
        return PollOutcome(feed, fetched.validators)
