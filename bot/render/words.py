"""The words and symbols an alert is labelled with, in the reader's language.

Each English word is marked with `N_` so extraction finds it; it is translated where it
is shown, through the reader's `Translator`.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.alerts import Category, Change, Severity
from bot.i18n import N_, Translator

SEVERITY_EMOJI: Mapping[int, str] = {1: "🟢", 2: "🟡", 3: "🟠", 4: "🔴"}
CANCELLED_EMOJI = "✅"
UNKNOWN_LEVEL_EMOJI = "⚪"

# Worded like the official advisory levels, which travellers already know.
_SEVERITY_WORDS: Mapping[Severity, str] = {
    Severity.NORMAL: N_("Exercise normal precautions"),
    Severity.CAUTION: N_("Exercise increased caution"),
    Severity.HIGH: N_("Reconsider travel"),
    Severity.EXTREME: N_("Do not travel"),
}

_CATEGORY_WORDS: Mapping[Category, str] = {
    Category.ADVISORY: N_("Travel advisory"),
    Category.SECURITY: N_("Security"),
    Category.CONFLICT: N_("Armed conflict"),
    Category.EARTHQUAKE: N_("Earthquake"),
    Category.TSUNAMI: N_("Tsunami"),
    Category.CYCLONE: N_("Tropical cyclone"),
    Category.FLOOD: N_("Flood"),
    Category.VOLCANO: N_("Volcanic eruption"),
    Category.WILDFIRE: N_("Wildfire"),
    Category.DROUGHT: N_("Drought"),
    Category.WEATHER: N_("Severe weather"),
    Category.HEALTH: N_("Disease outbreak"),
    Category.OTHER: N_("Other hazard"),
}

# How a one-line summary (a digest) says what happened to an alert.
_CHANGE_WORDS: Mapping[Change, str] = {
    Change.NEW: N_("new"),
    Change.RAISED: N_("level raised"),
    Change.LOWERED: N_("level lowered"),
    Change.TEXT: N_("updated"),
    Change.CANCELLED: N_("cancelled"),
    Change.UNCHANGED: N_("unchanged"),
}

# Source adapter kind (or configured source name) -> the name a traveller recognises.
SOURCE_NAMES: Mapping[str, str] = {
    "us-state": N_("US State Department"),
    "uk-fcdo": N_("UK FCDO"),
    "ca-travel": N_("Global Affairs Canada"),
    "au-smartraveller": N_("Smartraveller (Australia)"),
    "gdacs": N_("GDACS"),
    "usgs": N_("USGS"),
    "cap": N_("CAP"),
    "who-don": N_("WHO"),
    "desk": N_("Travel desk"),
}

# Facts worth a reader's attention; the others (states, flags, URLs) are for the bot itself.
FACT_LABELS: Mapping[str, str] = {
    "region": N_("Region"),
    "parts": N_("Parts of the country"),
    "place": N_("Place"),
    "magnitude": N_("Magnitude"),
    "depth": N_("Depth"),
    "depth_km": N_("Depth (km)"),
    "event": N_("Event"),
    # Not shown: a source's event code ("TC", "earthquake") and alert colour ("Orange")
    # repeat what the category and the official level already say, less readably.
    "population": N_("People exposed"),
    "disease": N_("Disease"),
    "cases": N_("Cases"),
    "deaths": N_("Deaths"),
    "areas": N_("Areas"),
}


def severity_word(severity: Severity, t: Translator) -> str:
    return t.gettext(_SEVERITY_WORDS[Severity(severity)])


# Categories whose level is advice about travel itself. A hazard's level says how bad the
# hazard is where it strikes, not whether to go: its messages are headed by what it is
# ("Germany — Severe weather", not "Germany — Reconsider travel" for one district's
# thunderstorms), and the dot and the official level say how bad.
TRAVEL_ADVICE_CATEGORIES = frozenset({Category.ADVISORY, Category.SECURITY, Category.CONFLICT})


def is_travel_advice(category: Category) -> bool:
    """Whether an alert's level is advice about travel (a message's first line then gives
    it in words); a hazard's first line names the hazard instead."""
    return Category(category) in TRAVEL_ADVICE_CATEGORIES


def heading_word(category: Category, severity: Severity, t: Translator) -> str:
    """What a first line says of an alert: its level for travel advice, else its kind."""
    if is_travel_advice(category):
        return severity_word(severity, t)
    return category_word(category, t)


def severity_emoji(severity: Severity | None) -> str:
    return UNKNOWN_LEVEL_EMOJI if severity is None else SEVERITY_EMOJI[int(severity)]


def category_word(category: Category, t: Translator) -> str:
    return t.gettext(_CATEGORY_WORDS[Category(category)])


def change_word(change: Change, t: Translator) -> str:
    return t.gettext(_CHANGE_WORDS[Change(change)])


def source_name(source: str, t: Translator) -> str:
    """The readable name of a configured source; an unknown name is shown as it is.

    A source named "kind:instance" (a travel desk's "desk:12") is named after its kind.
    """
    known = SOURCE_NAMES.get(source) or SOURCE_NAMES.get(source.split(":", 1)[0])
    return t.gettext(known) if known is not None else source


def fact_label(key: str, t: Translator) -> str | None:
    """The reader's label for a fact, or None for facts that are not meant for readers."""
    label = FACT_LABELS.get(key)
    return t.gettext(label) if label is not None else None
