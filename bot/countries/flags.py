"""Flag emoji: two regional-indicator symbols spelling the ISO alpha-2 code."""

from __future__ import annotations

from bot.countries.codes import ALL_COUNTRIES

_REGIONAL_A = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A
_REGIONAL_Z = _REGIONAL_A + 25


def flag(code: str) -> str:
    """The flag emoji of a country; "" for anything that is not a known country code."""
    key = code.strip().upper()
    if key not in ALL_COUNTRIES:
        return ""
    return "".join(chr(_REGIONAL_A + ord(letter) - ord("A")) for letter in key)


def is_regional_indicator(char: str) -> bool:
    return _REGIONAL_A <= ord(char) <= _REGIONAL_Z


def flags_in(text: str) -> tuple[str, ...]:
    """Country codes of the flags in `text`, in order, also when run together ("🇫🇷🇩🇪").

    Regional indicators pair up left to right, as Unicode renders them; a pair that is not a
    known country is skipped so that it cannot shift the pairing of the flags after it.
    """
    if text.isascii():  # no flag: a constant-time check on most text a feed sends
        return ()
    codes: list[str] = []
    pending = ""
    for char in text:
        if not is_regional_indicator(char):
            pending = ""
            continue
        letter = chr(ord("A") + ord(char) - _REGIONAL_A)
        if not pending:
            pending = letter
            continue
        code, pending = pending + letter, ""
        if code in ALL_COUNTRIES:
            codes.append(code)
    return tuple(codes)
