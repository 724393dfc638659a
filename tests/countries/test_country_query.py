from bot.countries import CountryQuery, UnknownTerm, parse_countries, search


def test_several_countries_separated_by_commas_semicolons_newlines_and_spaces():
    query = parse_countries("France, Germany; Italy\nSpain Portugal")
    assert query == CountryQuery(found=("FR", "DE", "IT", "ES", "PT"), unknown=())


def test_multi_word_names_are_kept_together():
    query = parse_countries("United States Bosnia and Herzegovina Côte d'Ivoire")
    assert query.found == ("US", "BA", "CI")


def test_names_in_the_users_language():
    assert parse_countries("Vereinigte Staaten Frankreich", "de").found == ("US", "FR")
    assert parse_countries("Соединённые Штаты, Россия", "ru").found == ("US", "RU")
    assert parse_countries("الولايات المتحدة، مصر", "ar").found == ("US", "EG")


def test_codes_and_flags_also_run_together():
    assert parse_countries("de DEU 🇫🇷🇩🇪 jp").found == ("DE", "FR", "JP")


def test_duplicates_are_dropped_and_input_order_kept():
    assert parse_countries("Japan, France, japan, 🇫🇷").found == ("JP", "FR")


def test_a_name_written_with_a_comma_is_read_whole():
    assert parse_countries("Korea, North").found == ("KP",)


def test_connector_words_are_not_codes():
    # "and" is not Andorra's alpha-3 here, nor "the" anything.
    assert parse_countries("France and the Netherlands").found == ("FR", "NL")


def test_misspellings_are_unknown_with_suggestions():
    query = parse_countries("Germny, Frnce, Italy")
    assert query.found == ("IT",)
    assert [term.term for term in query.unknown] == ["Germny", "Frnce"]
    assert query.unknown[0].suggestions[0] == "DE"
    assert query.unknown[1].suggestions[0] == "FR"
    assert all(len(term.suggestions) <= 3 for term in query.unknown)


def test_suggestions_use_the_users_language():
    query = parse_countries("Allemagn", "fr")
    assert query.unknown[0].suggestions[0] == "DE"


def test_a_misspelt_multi_word_name_is_one_unknown_term():
    query = parse_countries("Untied Staets")
    assert query.unknown == (UnknownTerm("Untied Staets", query.unknown[0].suggestions),)
    assert query.unknown[0].suggestions[0] == "US"


def test_nonsense_gives_no_suggestions():
    assert parse_countries("qqqq").unknown == (UnknownTerm("qqqq", ()),)


def test_search_puts_names_starting_with_the_text_first():
    assert search("ger", "en")[0] == "DE"
    assert search("alle", "fr")[0] == "DE"
    assert set(search("kor", "en")[:2]) == {"KR", "KP"}


def test_search_finds_english_names_from_another_language_and_respects_limit():
    assert "DE" in search("germ", "ru")
    assert len(search("a", "en", limit=5)) == 5
    assert search("", "en") == []
    assert search("zzzz", "en") == []
