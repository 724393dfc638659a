import pytest

from bot.places import Place, distance_km, find_place


def test_most_populous_place_of_that_name_wins():
    paris = find_place("Paris")
    assert paris is not None
    assert paris.country == "FR"
    assert paris.population > 1_000_000


def test_country_narrows_the_match():
    paris = find_place("paris", "us")
    assert isinstance(paris, Place)
    assert paris.country == "US"


def test_names_match_without_case_or_accents():
    assert find_place("sao paulo") == find_place("São Paulo")
    assert find_place("HERAT") is not None and find_place("HERAT").country == "AF"


def test_unknown_place_is_none():
    assert find_place("Nowhereville Xyzzy") is None
    assert find_place("Tbilisi", "US") is None
    assert find_place("") is None


def test_distance_paris_to_london_is_about_344_km():
    assert distance_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(344, abs=3)


def test_distance_is_zero_to_itself_and_half_the_globe_at_most():
    assert distance_km(10.0, 20.0, 10.0, 20.0) == 0.0
    assert distance_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(20_015, rel=0.001)
