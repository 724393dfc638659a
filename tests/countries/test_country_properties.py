from hypothesis import given, settings
from hypothesis import strategies as st

from bot.countries import (
    ALL_COUNTRIES,
    SUPPORTED_LANGUAGES,
    country_name,
    find_in_text,
    flag,
    parse_countries,
    resolve,
    search,
)

CODES = st.sampled_from(sorted(ALL_COUNTRIES))
LANGUAGES = st.sampled_from(SUPPORTED_LANGUAGES)


def test_every_localised_name_reads_back_as_its_country():
    # Exhaustive rather than sampled: 250 codes x 6 languages is cheap.
    wrong = {
        (code, language, country_name(code, language)): parse_countries(
            country_name(code, language), language
        ).found
        for code in ALL_COUNTRIES
        for language in SUPPORTED_LANGUAGES
        if parse_countries(country_name(code, language), language).found != (code,)
    }
    assert wrong == {}


@given(CODES, LANGUAGES)
def test_localised_name_reads_back(code, language):
    assert parse_countries(country_name(code, language), language).found == (code,)


@given(CODES)
def test_flag_resolves_to_its_country(code):
    assert resolve(flag(code)) == {code}


@given(st.lists(CODES, min_size=1, max_size=5, unique=True), LANGUAGES)
def test_several_names_separated_by_commas_read_back_in_order(codes, language):
    text = ", ".join(country_name(code, language) for code in codes)
    assert parse_countries(text, language).found == tuple(codes)


@settings(max_examples=300)
@given(st.text(), LANGUAGES)
def test_arbitrary_text_never_raises(text, language):
    query = parse_countries(text, language)
    assert set(query.found) <= ALL_COUNTRIES
    assert resolve(text) <= ALL_COUNTRIES
    assert find_in_text(text) <= ALL_COUNTRIES
    assert set(search(text, language)) <= ALL_COUNTRIES
