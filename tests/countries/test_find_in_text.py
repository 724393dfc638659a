import html
import json
import re
from pathlib import Path

import pytest

from bot.countries import destination_countries, find_in_text, resolve

FEEDS = Path(__file__).parents[2] / "feeds"


def test_every_usgs_place_in_the_sample_names_a_country():
    feed = json.loads((FEEDS / "usgs-significant_month-2023-10-11.geojson").read_text())
    places = [feature["properties"]["place"] for feature in feed["features"]]
    assert places
    for place in places:
        assert find_in_text(place), place


def test_every_gdacs_country_string_in_the_sample_resolves():
    text = (FEEDS / "gdacs-rss-2019-12-30.xml").read_text(encoding="utf-8-sig")
    strings = [html.unescape(s) for s in re.findall(r"<gdacs:country>([^<]*)<", text)]
    assert strings
    for value in strings:
        names = [part for part in value.split(",") if part.strip()]
        assert len(find_in_text(value)) >= len(names), value


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("35 km NNW of Herāt, Afghanistan", {"AF"}),
        ("Port Townsend, WA", {"US"}),
        ("3 km SW of Ferndale, CA", {"US"}),
        ("5 km S of Volcano, Hawaii", {"US"}),
        ("Alaska", {"US"}),
        ("4 km NNW of Anchorage, Alaska", {"US"}),
        ("Puerto Rico", {"PR"}),
        ("10 km N of Yigo Village, Guam", {"GU"}),
        ("south of the Fiji Islands", {"FJ"}),
        ("Southeast Of Loyalty Islands", {"NC"}),
        ("Mainland China, Hong Kong & Macau", {"CN", "HK", "MO"}),
        ("Poland-Slovakia border region", {"PL", "SK"}),
        ("55 km SE of Madang, Papua New Guinea", {"PG"}),
        ("12 km W of Santa Fe, New Mexico", {"US"}),
        ("Bosnia & Herzegovina, Bulgaria", {"BA", "BG"}),
        ("Kuril Islands", {"RU"}),
    ],
)
def test_places_in_free_text(text, codes):
    assert find_in_text(text) == codes


def test_georgia_is_the_us_state_next_to_a_us_town_and_the_country_otherwise():
    assert find_in_text("Atlanta, Georgia") == {"US"}
    assert find_in_text("10 km SE of Savannah, Georgia") == {"US"}
    assert find_in_text("5 km N of Tbilisi, Georgia") == {"GE"}
    assert find_in_text("Georgia") == {"GE"}
    assert find_in_text("South Georgia and the South Sandwich Islands") == {"GS"}


def test_no_false_positives_from_common_phrases():
    assert find_in_text("off the coast of Central America") == frozenset()
    assert find_in_text("Mid-Atlantic Ridge") == frozenset()
    assert find_in_text("Crimean-Congo haemorrhagic fever - Iraq") == {"IQ"}
    # Bare codes in running text are not countries: "CA" here is no Canada.
    assert find_in_text("CA IN US DE magnitude") == frozenset()
    assert find_in_text("") == frozenset()


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("Bosnia and Herzegovina", {"BA"}),  # one country, though it has an "and"
        ("Trinidad and Tobago", {"TT"}),
        ("Mainland China, Hong Kong & Macau", {"CN", "HK", "MO"}),
        ("Israel and the Occupied Palestinian Territories", {"IL", "PS"}),
        ("Israel, the West Bank and Gaza", {"IL", "PS"}),
        ("South Korea (Republic of Korea)", {"KR"}),
        ("Côte d'Ivoire (Ivory Coast)", {"CI"}),
        ("Bonaire, Sint Eustatius and Saba", {"BQ"}),
        ("French Saint Martin", {"MF"}),  # not "French" as France's Indian Ocean islands
        ("Miscellaneous (French) Indian Ocean Islands", {"RE", "YT", "TF"}),
        ("Atlantis", set()),
    ],
)
def test_a_destination_name_stands_for_its_countries(name: str, codes: set[str]):
    assert destination_countries(name) == codes


@pytest.mark.parametrize(
    ("place", "codes"),
    [
        # German "Island" is Iceland, Spanish "Granada" Grenada: not in English place names.
        ("107km S of Raoul Island, New Zealand", {"NZ"}),
        ("Kodiak Island, Alaska", {"US"}),
        ("10 km SW of Granada, Spain", {"ES"}),
        ("15 km E of Salvador, Brazil", {"BR"}),
        ("Guadalupe Island region", {"MX"}),
        ("Maurice Ewing Bank", set()),
        ("5 km N of San Salvador, El Salvador", {"SV"}),
        ("Reykjanes Ridge", {"IS"}),
        # Spanish names of islands, and towns across Latin America and Spain.
        ("10 km N of San Martín, Peru", {"PE"}),
        ("12 km S of Santa Lucía, Argentina", {"AR"}),
        ("Santa Elena, Ecuador", {"EC"}),
        ("San Bartolomé, Spain", {"ES"}),
        ("Saint Martin", {"MF"}),
        ("Saint Lucia", {"LC"}),
    ],
)
def test_a_foreign_country_name_that_is_an_english_place_is_not_read(place: str, codes: set[str]):
    assert find_in_text(place) == codes


def test_people_can_still_type_a_country_in_their_own_language():
    assert resolve("Island") == {"IS"}  # German
    assert resolve("Granada") == {"GD"}  # Spanish
    assert resolve("Santa Lucía") == {"LC"}


@pytest.mark.parametrize(
    ("title", "codes"),
    [
        ("Sudan virus disease in Uganda", {"UG"}),
        ("Ebola virus disease (Zaire ebolavirus) in Guinea", {"GN"}),
        ("Argentine haemorrhagic fever in Bolivia", {"BO"}),
        ("Crimean-Congo haemorrhagic fever in Iraq", {"IQ"}),
        ("Ebola virus disease in Sudan", {"SD"}),
    ],
)
def test_a_disease_named_after_a_country_is_no_country(title: str, codes: set[str]):
    assert find_in_text(title) == codes
