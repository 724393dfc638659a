"""Country names in every language the bot speaks, and the index that reads them back.

Names come from CLDR through Babel (`Locale(lang).territories`) plus the aliases in
`aliases.py`. Matching folds case, accents, punctuation and connector words, so
"St. Kitts & Nevis", "Saint-Kitts-et-Nevis" and "saint kitts and nevis" meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from babel import Locale, UnknownLocaleError

from bot.countries.aliases import BY_LANGUAGE, CLDR_SUBDIVISIONS, ENGLISH
from bot.countries.codes import ALL_COUNTRIES, normalise_code
from bot.countries.flags import flags_in

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "ru", "ar")

# Words that join parts of a name and that people drop or swap for "&".
_CONNECTORS = frozenset({"and", "the", "et", "und", "y", "и"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount"}
_ARABIC_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ـ": "", "_": " "}
_NOT_WORD = re.compile(r"[^\w]+")
_PARENTHESES = re.compile(r"\s*\(([^)]*)\)")


@cache
def _strip_marks() -> dict[int, str | None]:
    """A translation table that drops combining marks (accents, Arabic vowel signs)."""
    table: dict[int, str | None] = {
        point: None for point in range(0x10000) if unicodedata.combining(chr(point))
    }
    table.update({ord(letter): plain for letter, plain in _ARABIC_LETTERS.items()})
    return table


def fold(text: str) -> str:
    """The matching key of a name: no case, accents, punctuation or connector words."""
    bare = text.casefold()
    if not bare.isascii():
        bare = unicodedata.normalize("NFKD", bare).translate(_strip_marks())
    words = []
    for word in _NOT_WORD.split(bare):
        if word and word not in _CONNECTORS:
            words.append(_ABBREVIATIONS.get(word, word))
    return " ".join(words)


def name_variants(name: str) -> set[str]:
    """Keys a name is known by: as written, and without or only its parenthesis.

    CLDR writes "Myanmar (Burma)", "Hong Kong SAR China" and "Congo - Kinshasa"; people
    write "Myanmar", "Burma" and "Congo (Kinshasa)".
    """
    keys = {fold(name)}
    inside = _PARENTHESES.findall(name)
    if inside:
        keys.add(fold(_PARENTHESES.sub("", name)))
        keys.update(fold(part) for part in inside)
    return {key for key in keys if key}


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Folded name -> ISO codes, for one language or for all of them."""

    codes_by_key: Mapping[str, frozenset[str]]
    longest_words: int

    def get(self, key: str) -> frozenset[str]:
        return self.codes_by_key.get(key, frozenset())


def _tier(entries: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for name, codes in entries:
        for key in name_variants(name):
            table.setdefault(key, set()).update(codes)
    return table


@cache
def language_index(language: str) -> NameIndex:
    """The names of one language, most authoritative first.

    A key takes its meaning from the first tier that has it: CLDR's names exactly as
    written; then CLDR's names shortened, this language's aliases and the subdivisions
    CLDR names; then English aliases. So Spanish "China" stays CN although CLDR's Spanish
    name of Hong Kong is "RAE de Hong Kong (China)".
    """
    territories = territory_names(language)
    cldr = [(territories[code], (code,)) for code in sorted(ALL_COUNTRIES) if code in territories]
    exact: dict[str, set[str]] = {}
    for name, codes in cldr:
        exact.setdefault(fold(name), set()).update(codes)
    local = cldr + list(BY_LANGUAGE.get(language, {}).items())
    local += [
        (territories[sub], (parent,))
        for sub, parent in CLDR_SUBDIVISIONS.items()
        if sub in territories
    ]
    table: dict[str, frozenset[str]] = {}
    for tier in (exact, _tier(local), _tier(ENGLISH.items())):
        for key, tier_codes in tier.items():
            table.setdefault(key, frozenset(tier_codes))
    return NameIndex(table, max((key.count(" ") + 1 for key in table), default=1))


@cache
def all_languages_index() -> NameIndex:
    """Every language at once, for text whose language is unknown (feeds, `resolve`).

    Where languages disagree on a key, English wins, then the order of SUPPORTED_LANGUAGES:
    a feed written in English must not be reread as French.
    """
    table: dict[str, frozenset[str]] = {}
    for language in SUPPORTED_LANGUAGES:
        for key, codes in language_index(language).codes_by_key.items():
            table.setdefault(key, codes)
    return NameIndex(table, max((key.count(" ") + 1 for key in table), default=1))


def country_name(code: str, language: str) -> str:
    """Babel's name of a country in `language`; English, then the code itself, if missing."""
    key = code.strip().upper()
    return territory_names(language).get(key) or territory_names("en").get(key) or key


@cache
def territory_names(language: str) -> Mapping[str, str]:
    """CLDR territory names of a language ("pt-br" works too); empty for an unknown one."""
    try:
        return Locale.parse(language, sep="-").territories
    except (UnknownLocaleError, ValueError, TypeError):
        return {}


def resolve(text: str) -> frozenset[str]:
    """One term -> ISO codes: an ISO2/ISO3 code, a flag, or a name in any language."""
    term = text.strip()
    if not term:
        return frozenset()
    flags = flags_in(term)
    if flags and _only_flags(term):
        return frozenset(flags)
    code = normalise_code(term) if len(term) <= 3 else None
    if code is not None:
        return frozenset({code})
    index = all_languages_index()
    found = index.get(fold(term))
    if found:
        return found
    # "Burma (Myanmar)": each part of a name written with a parenthesis.
    return frozenset().union(*(index.get(key) for key in name_variants(term)))


def _only_flags(term: str) -> bool:
    return all(0x1F1E6 <= ord(char) <= 0x1F1FF or char.isspace() for char in term)
