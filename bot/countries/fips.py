"""FIPS 10-4 country codes, which the US State Department still uses in its feed's
Country-Tag, mapped to ISO 3166-1 alpha-2.

FIPS and ISO share most two-letter shapes but not their meaning (FIPS AS is Australia,
ISO AS is American Samoa), so a FIPS code must never be read as ISO. One FIPS code can
stand for several ISO codes (a former country, the State Department's own groupings) and
several FIPS codes for one ISO code (Gaza and the West Bank are both PS).
"""

from __future__ import annotations

# One FIPS code, one ISO country: GeoNames countryInfo.txt (CC BY 4.0), which lists the
# FIPS 10-4 code of every ISO country that has one.
_FIPS_TO_ISO: dict[str, str] = {
    "AA": "AW",
    "AC": "AG",
    "AE": "AE",
    "AF": "AF",
    "AG": "DZ",
    "AJ": "AZ",
    "AL": "AL",
    "AM": "AM",
    "AN": "AD",
    "AO": "AO",
    "AQ": "AS",
    "AR": "AR",
    "AS": "AU",
    "AU": "AT",
    "AV": "AI",
    "AY": "AQ",
    "BA": "BH",
    "BB": "BB",
    "BC": "BW",
    "BD": "BM",
    "BE": "BE",
    "BF": "BS",
    "BG": "BD",
    "BH": "BZ",
    "BK": "BA",
    "BL": "BO",
    "BM": "MM",
    "BN": "BJ",
    "BO": "BY",
    "BP": "SB",
    "BR": "BR",
    "BT": "BT",
    "BU": "BG",
    "BV": "BV",
    "BX": "BN",
    "BY": "BI",
    "CA": "CA",
    "CB": "KH",
    "CD": "TD",
    "CE": "LK",
    "CF": "CG",
    "CG": "CD",
    "CH": "CN",
    "CI": "CL",
    "CJ": "KY",
    "CK": "CC",
    "CM": "CM",
    "CN": "KM",
    "CO": "CO",
    "CQ": "MP",
    "CS": "CR",
    "CT": "CF",
    "CU": "CU",
    "CV": "CV",
    "CW": "CK",
    "CY": "CY",
    "DA": "DK",
    "DJ": "DJ",
    "DO": "DM",
    "DR": "DO",
    "EC": "EC",
    "EG": "EG",
    "EI": "IE",
    "EK": "GQ",
    "EN": "EE",
    "ER": "ER",
    "ES": "SV",
    "ET": "ET",
    "EZ": "CZ",
    "FG": "GF",
    "FI": "FI",
    "FJ": "FJ",
    "FK": "FK",
    "FM": "FM",
    "FO": "FO",
    "FP": "PF",
    "FR": "FR",
    "FS": "TF",
    "GA": "GM",
    "GB": "GA",
    "GG": "GE",
    "GH": "GH",
    "GI": "GI",
    "GJ": "GD",
    "GK": "GG",
    "GL": "GL",
    "GM": "DE",
    "GP": "GP",
    "GQ": "GU",
    "GR": "GR",
    "GT": "GT",
    "GV": "GN",
    "GY": "GY",
    "HA": "HT",
    "HK": "HK",
    "HM": "HM",
    "HO": "HN",
    "HR": "HR",
    "HU": "HU",
    "IC": "IS",
    "ID": "ID",
    "IM": "IM",
    "IN": "IN",
    "IO": "IO",
    "IR": "IR",
    "IS": "IL",
    "IT": "IT",
    "IV": "CI",
    "IZ": "IQ",
    "JA": "JP",
    "JE": "JE",
    "JM": "JM",
    "JO": "JO",
    "KE": "KE",
    "KG": "KG",
    "KN": "KP",
    "KR": "KI",
    "KS": "KR",
    "KT": "CX",
    "KU": "KW",
    "KV": "XK",
    "KZ": "KZ",
    "LA": "LA",
    "LE": "LB",
    "LG": "LV",
    "LH": "LT",
    "LI": "LR",
    "LO": "SK",
    "LS": "LI",
    "LT": "LS",
    "LU": "LU",
    "LY": "LY",
    "MA": "MG",
    "MB": "MQ",
    "MC": "MO",
    "MD": "MD",
    "MF": "YT",
    "MG": "MN",
    "MH": "MS",
    "MI": "MW",
    "MJ": "ME",
    "MK": "MK",
    "ML": "ML",
    "MN": "MC",
    "MO": "MA",
    "MP": "MU",
    "MR": "MR",
    "MT": "MT",
    "MU": "OM",
    "MV": "MV",
    "MX": "MX",
    "MY": "MY",
    "MZ": "MZ",
    "NC": "NC",
    "NE": "NU",
    "NF": "NF",
    "NG": "NE",
    "NH": "VU",
    "NI": "NG",
    "NL": "NL",
    "NN": "SX",
    "NO": "NO",
    "NP": "NP",
    "NR": "NR",
    "NS": "SR",
    "NU": "NI",
    "NZ": "NZ",
    "OD": "SS",
    "PA": "PY",
    "PC": "PN",
    "PE": "PE",
    "PK": "PK",
    "PL": "PL",
    "PM": "PA",
    "PO": "PT",
    "PP": "PG",
    "PS": "PW",
    "PU": "GW",
    "QA": "QA",
    "RE": "RE",
    "RI": "RS",
    "RM": "MH",
    "RN": "MF",
    "RO": "RO",
    "RP": "PH",
    "RQ": "PR",
    "RS": "RU",
    "RW": "RW",
    "SA": "SA",
    "SB": "PM",
    "SC": "KN",
    "SE": "SC",
    "SF": "ZA",
    "SG": "SN",
    "SH": "SH",
    "SI": "SI",
    "SL": "SL",
    "SM": "SM",
    "SN": "SG",
    "SO": "SO",
    "SP": "ES",
    "ST": "LC",
    "SU": "SD",
    "SV": "SJ",
    "SW": "SE",
    "SX": "GS",
    "SY": "SY",
    "SZ": "CH",
    "TB": "BL",
    "TD": "TT",
    "TH": "TH",
    "TI": "TJ",
    "TK": "TC",
    "TL": "TK",
    "TN": "TO",
    "TO": "TG",
    "TP": "ST",
    "TS": "TN",
    "TT": "TL",
    "TU": "TR",
    "TV": "TV",
    "TW": "TW",
    "TX": "TM",
    "TZ": "TZ",
    "UC": "CW",
    "UG": "UG",
    "UK": "GB",
    "UP": "UA",
    "US": "US",
    "UV": "BF",
    "UY": "UY",
    "UZ": "UZ",
    "VC": "VC",
    "VE": "VE",
    "VI": "VG",
    "VM": "VN",
    "VQ": "VI",
    "VT": "VA",
    "WA": "NA",
    "WE": "PS",
    "WF": "WF",
    "WI": "EH",
    "WS": "WS",
    "WZ": "SZ",
    "YM": "YE",
    "ZA": "ZM",
    "ZI": "ZW",
}

# FIPS 10-4 entries that are not an ISO country of their own: minor territories that ISO
# files under a parent, and the oceans' codes left out on purpose (no country to warn).
_FIPS_TERRITORIES: dict[str, frozenset[str]] = {
    "AT": frozenset({"AU"}),  # Ashmore and Cartier Islands
    "AX": frozenset({"CY"}),  # Akrotiri: a UK base area on Cyprus, reached through Cyprus
    "BQ": frozenset({"UM"}),  # Navassa Island (not Bonaire: ISO BQ is FIPS A1 at State)
    "BS": frozenset({"TF"}),  # Bassas da India
    "CR": frozenset({"AU"}),  # Coral Sea Islands
    "DQ": frozenset({"UM"}),  # Jarvis Island
    "DX": frozenset({"CY"}),  # Dhekelia: a UK base area on Cyprus
    "EU": frozenset({"TF"}),  # Europa Island
    "FQ": frozenset({"UM"}),  # Baker Island
    "GO": frozenset({"TF"}),  # Glorioso Islands
    "GZ": frozenset({"PS"}),  # Gaza Strip
    "HQ": frozenset({"UM"}),  # Howland Island
    "IP": frozenset({"FR"}),  # Clipperton Island
    "JN": frozenset({"SJ"}),  # Jan Mayen
    "JQ": frozenset({"UM"}),  # Johnston Atoll
    "JU": frozenset({"TF"}),  # Juan de Nova Island
    "KQ": frozenset({"UM"}),  # Kingman Reef
    "LQ": frozenset({"UM"}),  # Palmyra Atoll
    "MQ": frozenset({"UM"}),  # Midway Islands
    "NT": frozenset({"CW", "SX", "BQ"}),  # Netherlands Antilles, dissolved in 2010
    # Disputed islands: every claimant, so that no follower of a claimant misses a warning.
    "PF": frozenset({"CN", "TW", "VN"}),  # Paracel Islands
    "PG": frozenset({"CN", "TW", "VN", "PH", "MY", "BN"}),  # Spratly Islands
    "TE": frozenset({"TF"}),  # Tromelin Island
    "WQ": frozenset({"UM"}),  # Wake Island
    "YI": frozenset({"RS", "ME"}),  # Serbia and Montenegro, split in 2006
}

# The State Department's own pseudo-codes, read off the items that carry them in its
# TAsTWs feed (item title in the comment).
_STATE_DEPT_PSEUDO: dict[str, frozenset[str]] = {
    "A1": frozenset({"BQ"}),  # "Bonaire", "Sint Eustatius", "Saba": one item each
    "A2": frozenset({"GF"}),  # "French Guiana"
    "A3": frozenset({"GP", "MQ", "BL", "MF"}),  # "French West Indies"
}


def from_fips(code: str) -> frozenset[str]:
    """FIPS 10-4 (or State Department pseudo-code) -> ISO alpha-2 codes; empty if unknown."""
    key = code.strip().upper()
    single = _FIPS_TO_ISO.get(key)
    if single is not None:
        return frozenset({single})
    return _FIPS_TERRITORIES.get(key) or _STATE_DEPT_PSEUDO.get(key) or frozenset()


def fips_codes() -> frozenset[str]:
    """Every code `from_fips` knows, for tests and for validating a feed's tags."""
    return frozenset(_FIPS_TO_ISO) | frozenset(_FIPS_TERRITORIES) | frozenset(_STATE_DEPT_PSEUDO)
