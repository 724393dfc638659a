from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.base import FeedMalformed
from bot.sources.xml import (
    as_utc,
    child_text,
    children_text,
    from_epoch_ms,
    local_name,
    parse_date,
    parse_iso8601,
    parse_rfc822,
    parse_xml,
    parse_xml_leniently,
    qname,
)


def test_utf8_bom_and_leading_whitespace_are_accepted():
    root = parse_xml(b"\xef\xbb\xbf  \n<?xml version='1.0' encoding='utf-8'?><rss><a>x</a></rss>")
    assert root.tag == "rss"
    assert child_text(root, "a") == "x"


def test_declared_latin1_encoding_is_honoured():
    body = "<?xml version='1.0' encoding='ISO-8859-1'?><t>Curaçao</t>".encode("latin-1")
    assert parse_xml(body).text == "Curaçao"


def test_utf16_document_with_bom_is_read():
    body = "<?xml version='1.0' encoding='UTF-16'?><t>Herāt</t>".encode("utf-16")
    assert parse_xml(body).text == "Herāt"


def test_entities_are_not_expanded():
    body = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY boom "BOOM">]><t>&boom;</t>'
    root = parse_xml(body)
    assert "BOOM" not in "".join(root.itertext())


def test_external_entities_are_never_fetched_or_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file://{secret}">]><t>&x;</t>'
    ).encode()
    root = parse_xml(body)
    assert "TOP SECRET" not in "".join(root.itertext())


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"<rss><channel></rss>", "not valid XML"),
        (b"{'features': []}", "not valid XML"),
        (b"<?xml version='1.0' encoding='no-such-charset'?><t/>", "not valid XML"),
    ],
)
def test_invalid_documents_raise_feed_malformed_saying_why(body, words):
    with pytest.raises(FeedMalformed, match=words):
        parse_xml(body)


def test_namespace_helpers_read_prefixed_children():
    root = parse_xml(
        b'<item xmlns:gdacs="http://www.gdacs.org"><title> T </title>'
        b"<gdacs:eventid>42</gdacs:eventid><gdacs:eventid>43</gdacs:eventid><!-- c --></item>"
    )
    assert child_text(root, qname("gdacs", "eventid")) == "42"
    assert children_text(root, "http://www.gdacs.org") == {"eventid": "42"}
    assert children_text(root) == {"title": "T"}
    assert [local_name(child) for child in root] == ["title", "eventid", "eventid", ""]
    assert child_text(root, "missing") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 29 Dec 2019 12:00:00 GMT", datetime(2019, 12, 29, 12, 0, tzinfo=UTC)),
        ("Tue, 07 Oct 2025", datetime(2025, 10, 7, tzinfo=UTC)),
        ("07 Oct 2025 10:00 +0200", datetime(2025, 10, 7, 8, 0, tzinfo=UTC)),
        ("Mon,  30 Dec 2019 01:27:00 EST", datetime(2019, 12, 30, 6, 27, tzinfo=UTC)),
        ("Mon, 30 Dec 2019 01:27:00 -0000", datetime(2019, 12, 30, 1, 27, tzinfo=UTC)),
    ],
)
def test_rfc822_dates_come_back_as_aware_utc(text, expected):
    parsed = parse_rfc822(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["", "yesterday", "Tue, 32 Oct 2025", "2025-10-07"])
def test_unreadable_rfc822_dates_raise_value_error(text):
    with pytest.raises(ValueError):
        parse_rfc822(text)


def test_iso8601_offsets_are_converted_and_naive_values_taken_as_utc():
    assert parse_iso8601("2025-10-07T21:08:05Z") == datetime(2025, 10, 7, 21, 8, 5, tzinfo=UTC)
    assert parse_iso8601("2011-10-05T11:00:00+11:00") == datetime(2011, 10, 5, 0, tzinfo=UTC)
    assert parse_iso8601("2025-10-07T21:08:05").tzinfo is UTC
    with pytest.raises(ValueError):
        parse_iso8601("Tue, 07 Oct 2025")


def test_parse_date_accepts_both_formats():
    assert parse_date("2025-10-07T00:00:00Z") == parse_date("Tue, 07 Oct 2025")


def test_epoch_milliseconds_become_utc():
    assert from_epoch_ms(1696984916160) == datetime(2023, 10, 11, 0, 41, 56, 160000, tzinfo=UTC)


@given(st.datetimes(timezones=st.just(timezone(timedelta(hours=5, minutes=30)))))
def test_as_utc_keeps_the_instant(moment):
    converted = as_utc(moment)
    assert converted == moment
    assert converted.tzinfo is UTC


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)))
def test_rfc822_fast_path_agrees_with_the_standard_library(moment):
    from email.utils import format_datetime

    moment = moment.replace(microsecond=0, tzinfo=UTC)
    assert parse_rfc822(format_datetime(moment, usegmt=True)) == moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 07 Oct 2025", datetime(2025, 10, 7, tzinfo=UTC)),
        ("07 OCT 2025", datetime(2025, 10, 7, tzinfo=UTC)),
        ("Tue,7 Oct 2025", datetime(2025, 10, 7, tzinfo=UTC)),
        # Two-digit years are the general parser's to read, as they always were.
        ("Tue, 07 Oct 25", datetime(2025, 10, 7, tzinfo=UTC)),
        ("Tue, 07 Oct 0099", datetime(1999, 10, 7, tzinfo=UTC)),
    ],
)
def test_date_only_rfc822_is_midnight_utc(text, expected):
    parsed = parse_rfc822(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_an_impossible_date_only_rfc822_says_it_is_not_a_date():
    with pytest.raises(ValueError, match="not an RFC 822 date"):
        parse_rfc822("Tue, 31 Feb 2025")


@given(st.dates(min_value=date(100, 1, 1), max_value=date(9999, 12, 31)))
def test_rfc822_date_only_fast_path_agrees_with_the_standard_library(day):
    from email.utils import parsedate_to_datetime

    text = f"{day:%a}, {day.day:02d} {day:%b} {day.year:04d}"
    assert parse_rfc822(text) == parsedate_to_datetime(f"{text} 00:00:00 +0000")


def test_threads_each_parse_with_their_own_parser():
    bodies = [f"<rss><channel><title>{n}</title></channel></rss>".encode() for n in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        titles = list(pool.map(lambda body: child_text(parse_xml(body)[0], "title"), bodies))
    assert titles == [str(n) for n in range(200)]


def test_children_text_without_a_namespace_skips_namespaced_children_and_comments():
    root = parse_xml(
        b'<item xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>no</dc:title>'
        b"<!-- c --><?pi x?><title> yes </title><title>second</title></item>"
    )
    assert children_text(root) == {"title": "yes"}


def test_a_whole_root_followed_by_something_else_is_read_up_to_its_end():
    body = b"<?xml version='1.0'?><alert><id>1</id></alert>\n\x00\x00 trailing junk"
    root, left_out = parse_xml_leniently(body)
    assert root.findtext("id") == "1"
    assert left_out == "16 bytes after the end of the document left out"
    whole, nothing = parse_xml_leniently(b"<alert><id>1</id></alert>\n")
    assert (whole.tag, nothing) == ("alert", "")


@pytest.mark.parametrize(
    "body",
    [
        b"<alert><id>1</id></alert> junk with </end> in it",  # the cut would fall in the junk
        b"<alert><id>1</id></alert><alert><id>2</id></alert>",  # a second root: not dropped
        b"<alert><id>1</id>",  # cut short
        b"<alert><id>1</id></alert>".decode().encode("utf-16") + "junk".encode("utf-16-le"),
    ],
)
def test_anything_else_that_is_not_xml_is_still_refused(body):
    with pytest.raises(FeedMalformed):
        parse_xml_leniently(body)
