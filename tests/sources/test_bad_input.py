"""Hostile or merely unusual bytes around the real samples: Windows line endings, other
declared encodings, entity bombs. Each variant is derived in memory from `feeds/`."""

from __future__ import annotations

import re
import time

import pytest

from bot.sources.base import FeedMalformed, ParsedFeed
from bot.sources.registry import adapter_for
from tests.sources.sample_fields import FEEDS, KINDS

# Every sample a poll could read (the GOV.UK index only leads to the country items).
SAMPLES = {
    name: kind
    for name, kind in KINDS.items()
    if name != "govuk-content-api-travel_advice_index.example.json"
}
XML_SAMPLES = [name for name in SAMPLES if not name.endswith(("json", "geojson"))]
JSON_SAMPLES = [name for name in SAMPLES if name not in XML_SAMPLES]
_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>")


def parse(name: str, body: bytes) -> ParsedFeed:
    return adapter_for(SAMPLES[name]).parse(body, source=SAMPLES[name])


def original(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def redeclared(name: str, encoding: str, codec: str) -> bytes:
    """The sample's text with its XML declaration naming `encoding`, encoded by `codec`.

    Characters `codec` cannot write become character references; inside CDATA (the State
    Department's HTML descriptions) they stay references, which the HTML reading resolves.
    """
    text = original(name).decode("utf-8-sig")
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    body = _DECLARATION.sub(declaration.encode(), text.encode(), count=1).decode()
    if not body.startswith("<?xml"):
        body = declaration + "\n" + body
    return body.encode(codec, errors="xmlcharrefreplace")


def test_every_sample_is_covered():
    samples = {path.name for path in FEEDS.iterdir() if path.suffix != ".md"}
    assert samples - set(SAMPLES) == {"govuk-content-api-travel_advice_index.example.json"}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_windows_line_endings_give_the_same_alerts(name: str):
    body = original(name)
    assert b"\r" not in body
    crlf = body.replace(b"\n", b"\r\n")
    expected = parse(name, body)
    assert expected.alerts
    assert parse(name, crlf) == expected


@pytest.mark.parametrize("name", JSON_SAMPLES)
def test_a_json_sample_behind_a_byte_order_mark_gives_the_same_alerts(name: str):
    """Windows tools and some CDNs put a UTF-8 BOM before JSON, which json.loads refuses."""
    body = original(name)
    assert not body.startswith(b"\xef\xbb\xbf")
    assert parse(name, b"\xef\xbb\xbf" + body) == parse(name, body)


@pytest.mark.parametrize("name", XML_SAMPLES)
def test_a_utf16_copy_gives_the_same_alerts(name: str):
    body = redeclared(name, "UTF-16", "utf-16")  # Python writes the byte-order mark
    assert body.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert parse(name, body) == parse(name, original(name))


@pytest.mark.parametrize("name", XML_SAMPLES)
def test_a_latin1_copy_gives_the_same_alerts(name: str):
    body = redeclared(name, "ISO-8859-1", "latin-1")
    assert parse(name, body) == parse(name, original(name))


def test_a_latin1_byte_is_read_as_latin1_not_utf8():
    """GDACS item text with "é" written as the single byte 0xE9, as Latin-1 says."""
    name = "gdacs-rss-2019-12-30.xml"
    text = original(name).decode("utf-8-sig").replace("CALVINIA-19", "CALVINIÉ-19")
    text = text.replace('encoding="utf-8"', 'encoding="ISO-8859-1"', 1)
    body = text.encode("latin-1")
    assert b"\xc9" in body
    [cyclone] = [a for a in parse(name, body).alerts if a.id == "TC1000643"]
    assert "CALVINIÉ-19" in cyclone.title


def _nested_bomb(levels: int) -> bytes:
    """The "billion laughs": each entity is ten of the one before; 10 levels is 10^9."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [' + "".join(entities) + "]>\n"
        '<rss version="2.0"><channel><title>Advisories</title><item>'
        f"<title>Germany - Level 2: Exercise Increased Caution &lol{levels - 1};</title>"
        "<link>https://travel.state.gov/de</link><pubDate>Tue, 13 May 2025</pubDate>"
        "<description>Exercise increased caution.</description>"
        '<category domain="Country-Tag">GM</category></item></channel></rss>'
    ).encode()


def test_billion_laughs_is_refused_at_once_without_expanding():
    """libxml2 counts what the entities would amount to and stops: the feed is refused as
    malformed, in well under a second, with a reason an admin can read."""
    started = time.perf_counter()
    with pytest.raises(FeedMalformed, match=r"(?i)entity") as refused:
        adapter_for("us-state").parse(_nested_bomb(10), source="us-state")
    assert time.perf_counter() - started < 1.0
    assert "not valid XML" in str(refused.value)


def test_quadratic_blowup_is_refused_at_once():
    """One 50 kB entity referenced 50,000 times (2.5 GB) instead of nesting."""
    big = "A" * 50_000
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{big}">]>'
        f"<rss><channel><item><title>{'&a;' * 50_000}</title></item></channel></rss>"
    ).encode()
    started = time.perf_counter()
    with pytest.raises(FeedMalformed, match=r"(?i)entity"):
        adapter_for("gdacs").parse(body, source="gdacs")
    assert time.perf_counter() - started < 1.0


def test_small_nested_entities_are_left_unexpanded():
    """Below libxml2's amplification limit the item parses, and nothing is expanded."""
    feed = adapter_for("us-state").parse(_nested_bomb(3), source="us-state")
    [alert] = feed.alerts
    assert alert.countries == ("DE",)
    assert "lol" not in alert.title and "lol" not in alert.body
