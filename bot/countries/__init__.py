"""Countries: ISO codes, FIPS codes, names in the bot's languages, flags and places.

Everything else in the bot names a country by its ISO 3166-1 alpha-2 code; this package
is the one place that turns what sources and people write into those codes.
"""

from bot.countries.codes import ALL_COUNTRIES, normalise_code
from bot.countries.fips import from_fips
from bot.countries.flags import flag
from bot.countries.geo import from_coordinates
from bot.countries.names import SUPPORTED_LANGUAGES, country_name, resolve
from bot.countries.query import CountryQuery, UnknownTerm, parse_countries, search
from bot.countries.text import destination_countries, find_in_text

__all__ = [
    "ALL_COUNTRIES",
    "SUPPORTED_LANGUAGES",
    "CountryQuery",
    "UnknownTerm",
    "country_name",
    "destination_countries",
    "find_in_text",
    "flag",
    "from_coordinates",
    "from_fips",
    "normalise_code",
    "parse_countries",
    "resolve",
    "search",
]
