"""Places inside countries that hazard feeds name instead of the country.

USGS writes "Port Townsend, WA" and "Anchorage, Alaska"; GDACS and USGS use the
Flinn-Engdahl seismic region names ("Kuril Islands", "south of the Fiji Islands"). A
region mapped to no country ("Mid-Atlantic Ridge", "Central America") is still listed:
it stops a longer phrase being read as a country name inside it ("America").
"""

from __future__ import annotations

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "DC": "District of Columbia",
}  # fmt: skip

# Postal abbreviations USGS appends after a comma for US territories and Mexico.
TRAILING_CODES: dict[str, str] = {
    **dict.fromkeys(US_STATES, "US"),
    "PR": "PR",
    "GU": "GU",
    "VI": "VI",
    "AS": "AS",
    "MP": "MP",
    "MX": "MX",  # "Ejido, B.C., MX"
}

# Country names of another of the bot's languages that, in the English the feeds write,
# are a place or a word of their own: German "Island" (Iceland) in "Kodiak Island", Spanish
# "Granada" (Grenada) in "Granada, Spain", "Salvador, Brazil", Mexico's "Guadalupe Island",
# French "Maurice" (Mauritius) in "Maurice Ewing Bank", and the Spanish names of Caribbean
# and Atlantic islands that are towns all over Latin America and Spain ("San Martín,
# Peru", "Santa Lucía, Argentina"). Not read in running text; people who type them in
# chat still find the country.
NOT_COUNTRIES_IN_TEXT = (
    "Island", "Granada", "Salvador", "Guadalupe", "Maurice", "Grenade",
    "San Martín", "Santa Lucía", "Santa Elena", "San Bartolomé",
)  # fmt: skip

# The US state named like a country: read as the state only next to a US town.
AMBIGUOUS_WITH_COUNTRY: dict[str, tuple[str, str]] = {"Georgia": ("GE", "US")}

REGIONS: dict[str, tuple[str, ...]] = {
    **{name: ("US",) for name in US_STATES.values() if name != "Georgia"},
    "Aleutian Islands": ("US",),
    "Andreanof Islands": ("US",),
    "Rat Islands": ("US",),
    "Fox Islands": ("US",),
    "Hawaiian Islands": ("US",),
    "Gulf of Alaska": ("US",),
    "Gulf of Mexico": ("US", "MX"),
    "Gulf of California": ("MX",),
    "Baja California": ("MX",),
    "Baja California Sur": ("MX",),
    "Mariana Islands": ("GU", "MP"),
    "Mona Passage": ("PR", "DO"),
    "British Columbia": ("CA",),
    "Yukon": ("CA",),
    "Vancouver Island": ("CA",),
    "Loyalty Islands": ("NC",),
    "Fiji Islands": ("FJ",),
    "Tonga Islands": ("TO",),
    "Kermadec Islands": ("NZ",),
    "Santa Cruz Islands": ("SB",),
    "Vanuatu Islands": ("VU",),
    "New Britain": ("PG",),
    "New Ireland": ("PG",),
    "Bougainville": ("PG",),
    "Admiralty Islands": ("PG",),
    "New Guinea": ("PG", "ID"),
    "Papua": ("ID",),
    "Sumatra": ("ID",),
    "Sumatera": ("ID",),
    "Java": ("ID",),
    "Jawa": ("ID",),
    "Bali": ("ID",),
    "Lombok": ("ID",),
    "Sulawesi": ("ID",),
    "Celebes": ("ID",),
    "Kalimantan": ("ID",),
    "Molucca Sea": ("ID",),
    "Banda Sea": ("ID",),
    "Halmahera": ("ID",),
    "Kepulauan Talaud": ("ID",),
    "Kepulauan Babar": ("ID",),
    "Mindanao": ("PH",),
    "Luzon": ("PH",),
    "Philippine Islands": ("PH",),
    "Hokkaido": ("JP",),
    "Honshu": ("JP",),
    "Kyushu": ("JP",),
    "Shikoku": ("JP",),
    "Izu Islands": ("JP",),
    "Bonin Islands": ("JP",),
    "Ryukyu Islands": ("JP",),
    "Kuril Islands": ("RU",),
    "Kurile Islands": ("RU",),
    "Kamchatka": ("RU",),
    "Sakhalin": ("RU",),
    "Komandorskiye Ostrova": ("RU",),
    "Xizang": ("CN",),
    "Tibet": ("CN",),
    "Xinjiang": ("CN",),
    "Kashmir": ("IN", "PK"),
    "Hindu Kush": ("AF", "PK"),
    "Andaman Islands": ("IN",),
    "Nicobar Islands": ("IN",),
    "Easter Island": ("CL",),
    "Galapagos Islands": ("EC",),
    "Macquarie Island": ("AU",),
    "Tasmania": ("AU",),
    "Balleny Islands": ("AQ",),
    "South Shetland Islands": ("AQ",),
    "Prince Edward Islands": ("ZA",),
    "Crete": ("GR",),
    "Dodecanese Islands": ("GR",),
    "Sicily": ("IT",),
    "Sardinia": ("IT",),
    "Corsica": ("FR",),
    "Canary Islands": ("ES",),
    "Balearic Islands": ("ES",),
    "Mauritius - Reunion": ("MU", "RE"),
    "Tristan da Cunha": ("SH",),
    "Guadalupe Island": ("MX",),
    # GDACS writes "Miscellaneous (French) Indian Ocean Islands" (cyclone BEJISA-14, 2014):
    # without the parenthesis, lest "French" alone be read as these islands.
    "Miscellaneous French Indian Ocean Islands": ("RE", "YT", "TF"),
    "Reykjanes Ridge": ("IS",),
    "Ascension Island": ("SH",),
    # Regions that are no country, listed so that a country name inside them is not read.
    "Central America": (),
    "North America": (),
    "South America": (),
    "Latin America": (),
    "Mid-Atlantic Ridge": (),
    "Gulf of Guinea": (),
    "Central East Pacific Rise": (),
    "East Pacific Rise": (),
    "Owen Fracture Zone": (),
    # Disease names (WHO outbreak titles) that contain a country's name.
    "Crimean-Congo": (),
    "Sudan virus": (),
    "Sudan ebolavirus": (),
    "Zaire ebolavirus": (),
    "Argentine haemorrhagic fever": (),
    "Argentine hemorrhagic fever": (),
    "Hong Kong flu": (),
    "Guinea worm": (),
    "Spanish flu": (),
}
