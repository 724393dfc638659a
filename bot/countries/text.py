"""Countries named inside a source's free text: "35 km NNW of Herāt, Afghanistan"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.countries.names import NameIndex, all_languages_index, fold, name_variants, resolve
from bot.countries.regions import (
    AMBIGUOUS_WITH_COUNTRY,
    NOT_COUNTRIES_IN_TEXT,
    REGIONS,
    TRAILING_CODES,
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TRAILING_CODE = re.compile(r",\s*([A-Z]{2})\s*$")
_TOWN_LEAD = re.compile(r".*\b(?:of|near)\s+", re.IGNORECASE | re.DOTALL)
_NAME_PARTS = re.compile(r"\s*(?:,|&|\band\b)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    start: int
    end: int
    key: str  # fold(text), "" for a connector word: a phrase's key is its words' keys joined


@cache
def _text_index() -> NameIndex:
    """Country names in every language, then the regions that feeds name instead."""
    table = dict(all_languages_index().codes_by_key)
    for name in NOT_COUNTRIES_IN_TEXT:
        for key in name_variants(name):
            table.pop(key, None)
    for name, codes in REGIONS.items():
        for key in name_variants(name):
            table.setdefault(key, frozenset(codes))
    return NameIndex(table, max(key.count(" ") + 1 for key in table))


def find_in_text(text: str) -> frozenset[str]:
    """Every country a free-text place or title names, longest name first.

    ISO codes are not read in running text (USGS's "CA" is California, not Canada), except
    the postal codes USGS puts after a last comma ("Port Townsend, WA").
    """
    index = _text_index()
    words = [_Word(m.group(), m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    found: set[str] = set()
    position = 0
    while position < len(words):
        stop, codes, key = _longest(words, position, index)
        if key in _ambiguous_keys():
            codes = _state_or_country(key, text[: words[position].start])
        found.update(codes)
        position = stop
    trailing = _TRAILING_CODE.search(text)
    if trailing and trailing.group(1) in TRAILING_CODES:
        found.add(TRAILING_CODES[trailing.group(1)])
    return frozenset(found)


def destination_countries(name: str) -> frozenset[str]:
    """The countries an advisory's destination name stands for.

    A name is first read whole ("Bosnia and Herzegovina"), then as a list when every part
    is a country ("Mainland China, Hong Kong & Macau"), then as free text ("Israel and the
    Occupied Palestinian Territories"): a destination left without a country is a warning
    nobody receives.
    """
    whole = resolve(name)
    if whole:
        return whole
    parts = [part for part in _NAME_PARTS.split(name) if part]
    found: set[str] = set()
    for part in parts:
        found |= resolve(part)
    if len(parts) > 1 and all(resolve(part) for part in parts):
        return frozenset(found)
    return frozenset(found | find_in_text(name))


def _longest(words: list[_Word], start: int, index: NameIndex) -> tuple[int, frozenset[str], str]:
    """The longest name starting at `start`; a region with no country still consumes words."""
    for stop in range(min(len(words), start + index.longest_words), start, -1):
        key = " ".join([word.key for word in words[start:stop] if word.key])
        if key in index.codes_by_key:
            return stop, index.codes_by_key[key], key
    return start + 1, frozenset(), ""


@cache
def _ambiguous_keys() -> dict[str, tuple[str, str]]:
    return {fold(name): pair for name, pair in AMBIGUOUS_WITH_COUNTRY.items()}


def _state_or_country(key: str, before: str) -> frozenset[str]:
    """ "Atlanta, Georgia" is the US state, "Tbilisi, Georgia" the country.

    Decided by where the town before the comma is; with no town the country is meant, and
    with a town found in both or neither, both are returned so that nobody misses a warning.
    """
    country, state_of = _ambiguous_keys()[key]
    town = _town_before_comma(before)
    if not town:
        return frozenset({country})
    # Imported here: the gazetteer is a large optional load, needed for this case only.
    from bot.places import find_place

    in_country = find_place(town, country) is not None
    in_state_country = find_place(town, state_of) is not None
    if in_country != in_state_country:
        return frozenset({country if in_country else state_of})
    return frozenset({country, state_of})


def _town_before_comma(before: str) -> str:
    """ "5 km N of Atlanta, " -> "Atlanta"; "" when the name is not preceded by a comma."""
    head = before.rstrip()
    if not head.endswith(","):
        return ""
    segment = head[:-1].rsplit(",", 1)[-1]
    return _TOWN_LEAD.sub("", segment).strip()
