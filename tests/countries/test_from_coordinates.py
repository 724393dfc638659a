import math

from bot.countries import from_coordinates


def test_coordinates_on_land_give_the_country():
    assert from_coordinates(48.8566, 2.3522) == "FR"
    assert from_coordinates(34.6391, 62.0327) == "AF"  # near Herat, from the USGS sample
    assert from_coordinates(-5.5066, 146.1982) == "PG"


def test_open_ocean_gives_none():
    assert from_coordinates(0.0, -140.0) is None
    assert from_coordinates(-50.0, -120.0, max_km=400.0) is None


def test_max_km_widens_the_search():
    assert from_coordinates(0.0, -140.0, max_km=20_000) is not None


def test_invalid_coordinates_give_none():
    assert from_coordinates(math.nan, 0.0) is None
    assert from_coordinates(91.0, 0.0) is None
    assert from_coordinates(0.0, 181.0) is None
