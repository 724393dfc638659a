import pytest

from bot.countries import country_name, resolve
from bot.countries.names import fold


def test_country_name_is_babels_localised_name():
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("DE", "de") == "Deutschland"
    assert country_name("de", "ru") == "Германия"


def test_country_name_falls_back_to_english_then_the_code():
    assert country_name("DE", "xx") == "Germany"
    assert country_name("QQ", "en") == "QQ"


def test_fold_ignores_case_accents_punctuation_and_connectors():
    assert fold("St. Kitts & Nevis") == fold("Saint-Kitts-et-Nevis") == "saint kitts nevis"
    assert fold("Соединённые Штаты") == fold("соединенные штаты")
    assert fold("Côte d’Ivoire") == fold("cote d'ivoire")


@pytest.mark.parametrize(
    ("term", "codes"),
    [
        ("Germany", {"DE"}),
        ("de", {"DE"}),
        ("DEU", {"DE"}),
        ("🇫🇷", {"FR"}),
        ("Vereinigte Staaten", {"US"}),
        ("Соединённые Штаты", {"US"}),
        ("الولايات المتحدة", {"US"}),
        ("Burma", {"MM"}),
        ("Burma (Myanmar)", {"MM"}),
        ("Cabo Verde", {"CV"}),
        ("Cape Verde", {"CV"}),
        ("Czech Republic", {"CZ"}),
        ("Eswatini", {"SZ"}),
        ("Swaziland", {"SZ"}),
        ("Turkiye", {"TR"}),
        ("Turkey", {"TR"}),
        ("Ivory Coast", {"CI"}),
        ("Cote d Ivoire", {"CI"}),
        ("The Gambia", {"GM"}),
        ("The Bahamas", {"BS"}),
        ("North Macedonia", {"MK"}),
        ("Macedonia", {"MK"}),
        ("Timor-Leste", {"TL"}),
        ("East Timor", {"TL"}),
        ("Vatican", {"VA"}),
        ("Holy See", {"VA"}),
        ("Congo (Kinshasa)", {"CD"}),
        ("Democratic Republic of the Congo", {"CD"}),
        ("Congo (Brazzaville)", {"CG"}),
        ("Republic of the Congo", {"CG"}),
        ("Korea, North", {"KP"}),
        ("North Korea", {"KP"}),
        ("Micronesia", {"FM"}),
        ("St Kitts", {"KN"}),
        ("Saint Kitts and Nevis", {"KN"}),
        ("Curaçao", {"CW"}),
        ("Sint Eustatius", {"BQ"}),
        ("Caribbean Netherlands", {"BQ"}),
        ("Netherlands Caribbean", {"BQ"}),
        ("Dutch Caribbean", {"CW", "AW", "SX", "BQ"}),
        ("French West Indies", {"GP", "MQ", "BL", "MF"}),
        ("Kingdom of Denmark", {"DK", "GL", "FO"}),
        ("Mainland China, Hong Kong & Macau", {"CN", "HK", "MO"}),
        ("Israel, The West Bank and Gaza", {"IL", "PS"}),
        ("Canary Islands", {"ES"}),
    ],
)
def test_resolve_reads_codes_flags_names_and_variants(term, codes):
    assert resolve(term) == codes


def test_names_match_case_and_accent_insensitively():
    assert resolve("CÔTE D'IVOIRE") == resolve("cote d ivoire") == {"CI"}
    assert resolve("türkiye") == resolve("TURKIYE") == {"TR"}


def test_a_name_for_two_countries_covers_both():
    assert resolve("Congo") == {"CD", "CG"}
    assert resolve("Virgin Islands") == {"VI", "VG"}


def test_unknown_terms_resolve_to_nothing():
    assert resolve("") == frozenset()
    assert resolve("Atlantis") == frozenset()
    assert resolve("EU") == frozenset()


def test_name_indexes_are_built_once():
    from bot.countries.names import all_languages_index, language_index

    assert language_index("fr") is language_index("fr")
    assert all_languages_index() is all_languages_index()
