"""Safe, fast XML reading and the date formats feeds use.

Feeds come from servers we do not control, so the parser never expands entities, never
touches the network and refuses pathologically deep or huge trees. Every date comes back
as an aware UTC `datetime`, whatever the feed wrote.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeAlias

from lxml import etree

from bot.sources.base import FeedMalformed, SchemaChanged

# lxml ships no type information: this alias documents intent, mypy sees Any.
Element: TypeAlias = etree._Element

# Namespaces the adapters read; adapters name elements as f"{{{NS['gdacs']}}}eventid".
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "gdacs": "http://www.gdacs.org",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "georss": "http://www.georss.org/georss",
    "cap11": "urn:oasis:names:tc:emergency:cap:1.1",
    "cap12": "urn:oasis:names:tc:emergency:cap:1.2",
    "ta": "http://www.smartraveller.gov.au/schema/rss/travel_advisories/",
}

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class _XmlParsers(threading.local):
    """This thread's parser, built once per thread: lxml parsers are not safe to share
    between threads, and building one per document is most of the cost of a small one."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            remove_blank_text=False,
            recover=False,
        )


_PARSERS = _XmlParsers()


def parse_xml(body: bytes) -> Element:
    """The root element of `body`; raises FeedMalformed saying why when it is not XML.

    A UTF-8 byte-order mark and white space before `<?xml` are common in real feeds
    (GDACS sends a BOM) and are dropped; the declared encoding is honoured.
    """
    # lxml reads a UTF-16 BOM itself: stripping it would lose the byte order.
    utf16 = body.startswith(_UTF16_BOMS)
    data = body if utf16 else body.removeprefix(_UTF8_BOM).lstrip()
    if not data:
        raise FeedMalformed("the document is empty")
    try:
        root = etree.fromstring(data, _PARSERS.parser)
    except etree.XMLSyntaxError as error:
        raise FeedMalformed(f"not valid XML: {error.msg or error}") from error
    except (ValueError, LookupError) as error:  # e.g. an unknown declared encoding
        raise FeedMalformed(f"not valid XML: {error}") from error
    if root is None:
        raise FeedMalformed("not valid XML: no root element")
    return root


def parse_xml_leniently(body: bytes) -> tuple[Element, str]:
    """`parse_xml`, except that a document whose root element is whole but followed by
    something that is not XML is read up to the end of its root: some of MeteoAlarm's CAP
    messages end so (readers of that service trim them). The second value says what was
    left out, "" when nothing was. Anything else that is not XML is still refused."""
    try:
        return parse_xml(body), ""
    except FeedMalformed as refusal:
        if "Extra content at the end of the document" not in str(refusal):
            raise
        last_end_tag = body.rfind(b"</")
        end = body.find(b">", last_end_tag) + 1 if last_end_tag >= 0 else 0
        try:
            root = parse_xml(body[:end]) if end > 0 else None
        except FeedMalformed:
            root = None
        if root is None:
            raise refusal from None
        left_out = len(body[end:].strip())
        return root, f"{left_out} bytes after the end of the document left out"


def rss_channel(root: Element) -> Element:
    """The <channel> of an RSS 2.0 document; SchemaChanged when `root` is something else."""
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SchemaChanged(f"expected RSS 2.0 with a <channel>, got <{root.tag}>")
    return channel


def qname(prefix: str, local: str) -> str:
    """Clark notation `{uri}local` for a prefix of `NS`, as lxml's find() wants it."""
    return f"{{{NS[prefix]}}}{local}"


def local_name(element: Element) -> str:
    """The tag without its namespace; comments and processing instructions give ""."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child_text(element: Element, tag: str) -> str:
    """The stripped text of the first child `tag` (Clark notation), "" when absent."""
    found = element.find(tag)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def children_text(element: Element, namespace: str = "") -> dict[str, str]:
    """Stripped texts of the direct children in `namespace` (a URI), keyed by local name.

    One pass over the children is faster than a find() per field on wide items (GDACS
    items have some forty elements); the first occurrence of a name wins.
    """
    # lxml picks the children in C: "{uri}*" is any element in that namespace, "{}*" any
    # element in none (comments and processing instructions are never picked).
    wanted, cut = (f"{{{namespace}}}*", len(namespace) + 2) if namespace else ("{}*", 0)
    texts: dict[str, str] = {}
    for child in element.iterchildren(wanted):
        tag = child.tag[cut:]
        if tag not in texts:
            texts[tag] = (child.text or "").strip()
    return texts


# ---- dates ---------------------------------------------------------------------------

_RFC822_DATE_ONLY = re.compile(r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})$")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
# The overwhelmingly common shape, "Sun, 29 Dec 2019 12:00:00 GMT", read without the
# general parser: date parsing is the hidden cost of a feed of hundreds of items.
_RFC822_GMT = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?"
    r" (?:GMT|UTC|UT|Z|\+0000)$"
)


def parse_rfc822(text: str) -> datetime:
    """An RSS `pubDate` ("Tue, 07 Oct 2025 21:08:05 GMT") as aware UTC.

    Also takes the date-only form the State Department sends ("Tue, 07 Oct 2025",
    read as midnight UTC). Raises ValueError on anything else.
    """
    text = " ".join(text.split())
    timed = ":" in text  # each of the two shapes read here needs or refuses a colon
    match = _RFC822_GMT.match(text) if timed else None
    if match:
        day, month, year, hour, minute, second = match.groups()
        month_number = _MONTHS.get(month.lower())
        if month_number is not None:
            return datetime(
                int(year),
                month_number,
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                tzinfo=UTC,
            )
    date_only = None if timed else _RFC822_DATE_ONLY.match(text)
    if date_only:
        day, month, year = date_only.groups()
        month_number = _MONTHS.get(month.lower())
        # The general parser reads a year below 100 as 19xx or 20xx: leave those to it,
        # and an impossible date too, so that its error is the one raised.
        if month_number is not None and int(year) >= 100:
            try:
                return datetime(int(year), month_number, int(day), tzinfo=UTC)
            except ValueError:
                pass
        text += " 00:00:00 +0000"
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError) as error:
        raise ValueError(f"not an RFC 822 date: {text!r}") from error
    return as_utc(parsed)


def parse_iso8601(text: str) -> datetime:
    """An ISO 8601 / RFC 3339 timestamp as aware UTC; one without an offset is taken as UTC.

    Raises ValueError when `text` is not one.
    """
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"not an ISO 8601 date: {text!r}") from error
    return as_utc(parsed)


def parse_date(text: str) -> datetime:
    """Either format, for feeds that mix them (dc:date next to pubDate)."""
    text = text.strip()
    if text[:4].isdigit():
        return parse_iso8601(text)
    return parse_rfc822(text)


def from_epoch_ms(milliseconds: int | float) -> datetime:
    """Milliseconds since 1970 (USGS GeoJSON) as aware UTC."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=milliseconds)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive value is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
