from bot.countries import ALL_COUNTRIES, normalise_code


def test_all_countries_are_the_iso_codes_plus_kosovo():
    assert len(ALL_COUNTRIES) == 250
    assert "XK" in ALL_COUNTRIES
    assert all(len(code) == 2 and code.isupper() for code in ALL_COUNTRIES)


def test_all_countries_leaves_out_cldr_regions_that_are_not_countries():
    for not_a_country in ("001", "150", "EU", "UN", "ZZ", "QO", "EZ", "AN", "CS", "IC", "EA"):
        assert not_a_country not in ALL_COUNTRIES


def test_alpha2_and_alpha3_in_any_case_give_alpha2():
    assert normalise_code("de") == "DE"
    assert normalise_code("DEU") == "DE"
    assert normalise_code(" deu ") == "DE"
    assert normalise_code("XKX") == "XK"
    assert normalise_code("uk") == "GB"


def test_unknown_codes_give_none():
    for code in ("", "ZZ", "EU", "XXX", "Germany", "1"):
        assert normalise_code(code) is None
