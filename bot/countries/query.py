"""Reading the countries a traveller types: "/subscribe France, Côte d'Ivoire 🇩🇪 usa"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from bot.countries.codes import ALL_COUNTRIES, normalise_code
from bot.countries.flags import flags_in
from bot.countries.names import (
    SUPPORTED_LANGUAGES,
    NameIndex,
    all_languages_index,
    country_name,
    fold,
    language_index,
)

_MAX_SUGGESTIONS = 3
_SUGGESTION_CUTOFF = 60.0  # rapidfuzz ratio, 0-100: below this a guess helps nobody
_WHOLE_TERM_CUTOFF = 80.0  # several unknown words read as one misspelt name above this

# Flags (two regional indicators), separators (also Arabic ones), or a run of other text.
_TOKEN = re.compile(
    r"(?P<flag>[\U0001F1E6-\U0001F1FF]{2})"
    r"|(?P<sep>[,;\n\u060C\u061B]+)"
    r"|(?P<word>[^\s,;\u060C\u061B\U0001F1E6-\U0001F1FF]+)"
)


@dataclass(frozen=True, slots=True)
class UnknownTerm:
    """Something typed that is no country; `suggestions` are ISO2 codes, best first."""

    term: str
    suggestions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CountryQuery:
    """The countries found, in the order typed and without duplicates, and what was not."""

    found: tuple[str, ...]
    unknown: tuple[UnknownTerm, ...]


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    is_flag: bool
    after_separator: bool


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    separated = True
    for match in _TOKEN.finditer(text):
        if match.group("sep"):
            separated = True
            continue
        tokens.append(_Token(match.group(), bool(match.group("flag")), separated))
        separated = False
    return tokens


def _indexes(language: str) -> tuple[NameIndex, ...]:
    own = language_index(language) if language in SUPPORTED_LANGUAGES else language_index("en")
    return (own, language_index("en"), all_languages_index())


def _lookup(words: list[str], indexes: tuple[NameIndex, ...]) -> frozenset[str]:
    key = fold(" ".join(words))
    if not key:
        return frozenset()
    for index in indexes:
        found = index.get(key)
        if found:
            return found
    if len(words) == 1 and len(key) <= 3:
        code = normalise_code(key)
        if code is not None:
            return frozenset({code})
    return frozenset()


def parse_countries(text: str, language: str = "en") -> CountryQuery:
    """Countries in what a user typed: names (longest match over words), codes and flags.

    Commas, semicolons and new lines separate countries, and so do spaces when the words
    on either side are names on their own; a name written with a comma ("Korea, North")
    is still read whole. Words that are no country are reported with suggestions.
    """
    indexes = _indexes(language)
    longest = max(index.longest_words for index in indexes)
    tokens = _tokens(text)
    found: dict[str, None] = {}
    unknown: list[UnknownTerm] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            unknown.extend(_unknown_terms(pending, language))
            pending.clear()

    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token.after_separator:
            flush()
        if token.is_flag:
            flush()
            flagged = flags_in(token.text)
            if flagged:
                found.update(dict.fromkeys(flagged))
            else:
                unknown.append(UnknownTerm(token.text, ()))
            position += 1
            continue
        match_end, codes = _longest_match(tokens, position, longest, indexes)
        if codes:
            flush()
            found.update(dict.fromkeys(sorted(codes)))
            position = match_end
            continue
        if fold(token.text):
            pending.append(token.text)
        position += 1
    flush()
    return CountryQuery(tuple(found), tuple(unknown))


def _longest_match(
    tokens: list[_Token], start: int, longest: int, indexes: tuple[NameIndex, ...]
) -> tuple[int, frozenset[str]]:
    end = start
    while end < len(tokens) and end - start < longest and not tokens[end].is_flag:
        end += 1
    for stop in range(end, start, -1):
        codes = _lookup([token.text for token in tokens[start:stop]], indexes)
        if codes:
            return stop, codes
    return start + 1, frozenset()


def _unknown_terms(words: list[str], language: str) -> list[UnknownTerm]:
    """One unknown term for words that read as one misspelt name, else one per word."""
    whole = " ".join(words)
    if len(words) == 1:
        return [UnknownTerm(whole, suggest(whole, language))]
    best = _scored_suggestions(whole, language)
    if best and best[0][1] >= _WHOLE_TERM_CUTOFF:
        return [UnknownTerm(whole, tuple(code for code, _ in best))]
    return [UnknownTerm(word, suggest(word, language)) for word in words]


def suggest(term: str, language: str) -> tuple[str, ...]:
    """Up to three ISO2 codes whose name in `language` or English is closest to `term`."""
    return tuple(code for code, _ in _scored_suggestions(term, language))


def _scored_suggestions(term: str, language: str) -> list[tuple[str, float]]:
    key = fold(term)
    if not key:
        return []
    keys, codes_of = _suggestion_choices(language if language in SUPPORTED_LANGUAGES else "en")
    ranked: list[tuple[str, float]] = []
    matches = process.extract(
        key, keys, scorer=fuzz.ratio, limit=12, score_cutoff=_SUGGESTION_CUTOFF
    )
    for choice, score, _ in matches:
        for code in codes_of[choice]:
            if all(code != seen for seen, _ in ranked):
                ranked.append((code, float(score)))
    return ranked[:_MAX_SUGGESTIONS]


@cache
def _suggestion_choices(language: str) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    codes_of: dict[str, tuple[str, ...]] = {}
    for index in (language_index(language), language_index("en")):
        for key, codes in index.codes_by_key.items():
            codes_of.setdefault(key, tuple(sorted(codes)))
    return tuple(codes_of), codes_of


def search(prefix: str, language: str, limit: int = 8) -> list[str]:
    """Countries for a searchable keyboard: names starting with the text first, then
    names with a word starting with it, then names containing it."""
    key = fold(prefix)
    if not key or limit <= 0:
        return []
    ranked: list[tuple[int, str, str]] = []
    code = normalise_code(key) if len(key) <= 3 else None
    for candidate, names in _search_names(language).items():
        rank = min(_rank(key, name) for name in names)
        if candidate == code:
            rank = 0
        if rank < 4:
            ranked.append((rank, names[0], candidate))
    ranked.sort()
    return [candidate for _, _, candidate in ranked[:limit]]


def _rank(key: str, name: str) -> int:
    if name == key:
        return 0
    if name.startswith(key):
        return 1
    if f" {key}" in f" {name}":
        return 2
    if key in name:
        return 3
    return 4


@cache
def _search_names(language: str) -> dict[str, tuple[str, ...]]:
    """Folded names of each country: localised first (it also orders results), then English."""
    languages = (language, "en") if language in SUPPORTED_LANGUAGES else ("en",)
    names: dict[str, list[str]] = {code: [] for code in sorted(ALL_COUNTRIES)}
    for lang in languages:
        for code in names:
            names[code].append(fold(country_name(code, lang)))
    for lang in languages:
        for key, codes in language_index(lang).codes_by_key.items():
            if len(codes) == 1:
                (only,) = codes
                names[only].append(key)
    return {code: tuple(keys) for code, keys in names.items()}
