import re
from pathlib import Path

import pytest

from bot.countries import ALL_COUNTRIES, from_fips, resolve
from bot.countries.fips import fips_codes

FEED = Path(__file__).parents[2] / "feeds" / "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"


@pytest.mark.parametrize(
    ("fips", "iso"),
    [
        ("AS", "AU"), ("AU", "AT"), ("SG", "SN"), ("SN", "SG"), ("NG", "NE"), ("NI", "NG"),
        ("GM", "DE"), ("UK", "GB"), ("CG", "CD"), ("CF", "CG"), ("BG", "BD"), ("BU", "BG"),
        ("CH", "CN"), ("SZ", "CH"), ("EZ", "CZ"), ("RS", "RU"), ("RI", "RS"), ("KN", "KP"),
        ("KS", "KR"), ("IZ", "IQ"), ("IS", "IL"), ("GZ", "PS"), ("WE", "PS"), ("KV", "XK"),
        ("MJ", "ME"), ("DA", "DK"), ("UP", "UA"), ("BM", "MM"), ("IV", "CI"), ("GA", "GM"),
        ("GB", "GA"), ("UC", "CW"), ("AY", "AQ"), ("RM", "MH"), ("EK", "GQ"),
    ],
)  # fmt: skip
def test_fips_codes_that_differ_from_iso(fips, iso):
    assert from_fips(fips) == {iso}


def test_fips_is_case_insensitive_and_unknown_is_empty():
    assert from_fips("gm") == {"DE"}
    assert from_fips("ZZ") == frozenset()
    assert from_fips("") == frozenset()


def test_full_fips_table_covers_every_published_entry_and_only_known_countries():
    assert len(fips_codes()) >= 270
    for code in fips_codes():
        assert from_fips(code), code
        assert from_fips(code) <= ALL_COUNTRIES, code


def test_minor_territories_and_dissolved_countries_map_to_every_successor():
    assert from_fips("BQ") == {"UM"}  # Navassa Island, not Bonaire
    assert from_fips("JN") == {"SJ"}
    assert from_fips("NT") == {"CW", "SX", "BQ"}
    assert from_fips("YI") == {"RS", "ME"}


def test_state_department_pseudo_codes_match_their_items():
    assert from_fips("A1") == {"BQ"}
    assert from_fips("A2") == {"GF"}
    assert from_fips("A3") == {"GP", "MQ", "BL", "MF"}


def _feed_items() -> list[tuple[str, list[str]]]:
    text = FEED.read_text(encoding="utf-8")
    items = []
    for item in re.findall(r"<item>(.*?)</item>", text, re.S):
        title = re.search(r"<title>(.*?)</title>", item, re.S).group(1)
        name = re.split(r"\s+-\s+", title.replace("&amp;", "&"))[0]
        name = name.removesuffix(" Travel Advisory").strip()
        items.append((name, re.findall(r'domain="Country-Tag">([^<]*)<', item)))
    return items


def test_every_country_tag_in_the_feed_agrees_with_its_item_title():
    checked = 0
    for name, tags in _feed_items():
        for tag in tags:
            assert from_fips(tag), tag
            assert from_fips(tag) & resolve(name), (tag, name)
            checked += 1
    assert checked >= 50


def test_feed_items_without_a_tag_resolve_from_their_title():
    untagged = {name: resolve(name) for name, tags in _feed_items() if not tags}
    assert untagged == {"Hong Kong": {"HK"}, "Macau": {"MO"}}
