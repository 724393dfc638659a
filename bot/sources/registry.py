"""The one place source adapters are registered, by the `kind` a SOURCES entry names.

Adding a source means writing its module and adding one line to `ADAPTERS`.
"""

from __future__ import annotations

from bot.sources.au_smartraveller import AuSmartravellerAdapter
from bot.sources.base import SourceAdapter
from bot.sources.ca_travel import CaTravelAdapter
from bot.sources.cap import CapAdapter
from bot.sources.gdacs import GdacsAdapter
from bot.sources.uk_fcdo import UkFcdoAdapter
from bot.sources.us_state import UsStateAdapter
from bot.sources.usgs import UsgsAdapter
from bot.sources.who_don import WhoDonAdapter

ADAPTERS: dict[str, type[SourceAdapter]] = {
    "us-state": UsStateAdapter,
    "gdacs": GdacsAdapter,
    "usgs": UsgsAdapter,
    "uk-fcdo": UkFcdoAdapter,
    "ca-travel": CaTravelAdapter,
    "au-smartraveller": AuSmartravellerAdapter,
    "cap": CapAdapter,
    "who-don": WhoDonAdapter,
}


def adapter_for(kind: str) -> SourceAdapter:
    """A new adapter for `kind`; KeyError names the kinds there are."""
    try:
        adapter_class = ADAPTERS[kind]
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise KeyError(f"unknown source kind {kind!r}; known kinds: {known}") from None
    return adapter_class()
