"""Coordinates -> country, offline, for hazards that come as a point (a quake's epicentre)."""

from __future__ import annotations

import math

from bot.countries.codes import normalise_code

_EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), good to about 0.5 % anywhere on Earth."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def from_coordinates(lat: float, lon: float, *, max_km: float = 400.0) -> str | None:
    """The country of the nearest town of 1,000 people or more (GeoNames, via the
    `reverse-geocode` package); None in open ocean, farther than `max_km` from any town.

    The nearest town is a good guess near coasts and borders only to within a few km;
    a source's own country field, when it has one, should win.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    # Imported here: reverse_geocode loads scipy and its city table on import and first use.
    import reverse_geocode

    nearest = reverse_geocode.get((lat, lon))
    if distance_km(lat, lon, float(nearest["latitude"]), float(nearest["longitude"])) > max_km:
        return None
    return normalise_code(str(nearest["country_code"]))
