"""Common Alerting Protocol 1.1 / 1.2: single alerts, and Atom or RSS indexes of them.

A CAP <alert> (namespace urn:oasis:names:tc:emergency:cap:1.1 or :1.2, prefixed or not)
has one <info> per language, each with areas (<polygon>, <circle>, <geocode>). National
weather services and civil-protection agencies (US NWS, MeteoAlarm, NSW RFS, ...) publish
an Atom or RSS index whose entries link to the CAP documents and repeat some cap:*
fields: `parse` reads those fields, `poll` fetches the linked documents. The US NWS API
serves the same messages as JSON (`cap_json`).

An Update or Cancel names the messages it replaces in <references>
("sender,identifier,sent" triples), so an alert's id is the identifier of the first
message of its chain: an update replaces and a cancel withdraws the same alert.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.alerts import Alert, Category, LocalText, Severity
from bot.countries import from_coordinates, normalise_code
from bot.sources.base import (
    ITEM_ERRORS,
    UNFORESEEN_ITEM_ERRORS,
    FeedClient,
    ParsedFeed,
    PollOutcome,
    SchemaChanged,
    SourceAdapter,
    SourceError,
    Validators,
    item_problem,
    load_json,
    read_each,
    unforeseen,
)
from bot.sources.text import plain_text, shorten
from bot.sources.xml import NS, Element, local_name, parse_date, parse_xml_leniently

CAP_NAMESPACES = frozenset({NS["cap11"], NS["cap12"]})
# lxml tag filters, matched in C: "{*}name" is `name` in any namespace or none, "{uri}*"
# any element in that namespace; comments and processing instructions never match.
_ANY_CAP_ELEMENT = tuple(sorted(f"{{{uri}}}*" for uri in CAP_NAMESPACES))
_AREA_FIELDS = frozenset({"areaDesc", "polygon", "circle", "geocode"})
ATOM = NS["atom"]
SUMMARY_CHARS = 400

SEVERITIES = {
    "extreme": Severity.EXTREME,
    "severe": Severity.HIGH,
    "moderate": Severity.CAUTION,
    "minor": Severity.NORMAL,
}
# A public alert its publisher did not grade ("Unknown", or no severity a reader of CAP
# knows) is not put below caution: the Bureau of Meteorology's severe thunderstorm
# warnings and Sweden's Important Public Announcements (VMA) are all "Unknown", and as
# "normal precautions" they missed every reader who asked for caution and above.
UNGRADED = Severity.CAUTION
# What the event text says wins over the broad CAP category ("Met" covers floods too).
# Words of the event text that say the category, most telling first.
_WILDFIRE_WORDS = (
    "bushfire", "bush fire", "wildfire", "wild fire", "forest fire", "forest-fire", "grassfire",
    "grass fire",
)  # fmt: skip
EVENT_WORDS: tuple[tuple[tuple[str, ...], Category], ...] = (
    (("tsunami",), Category.TSUNAMI),
    (("earthquake", "seismic"), Category.EARTHQUAKE),
    (("volcan", "ashfall", "ash fall"), Category.VOLCANO),
    (("hurricane", "typhoon", "cyclone", "tropical storm"), Category.CYCLONE),
    (("flood",), Category.FLOOD),
    (_WILDFIRE_WORDS, Category.WILDFIRE),
    (("drought",), Category.DROUGHT),
)
# The same words as case-insensitive patterns, for text that is not plain ASCII (where
# Unicode case rules are more than lower()).
_EVENT_PATTERNS = tuple(
    (re.compile("|".join(map(re.escape, words)), re.I), category) for words, category in EVENT_WORDS
)
# Weather in the event's own words, for messages with no <category> that says so:
# MeteoAlarm's Atom index leaves it out ("Yellow Wind warning", "Orange Snow-ice warning",
# "Red High-temperature warning"). Whole words, as "ice" is in "police" and "heat" in
# "theatre"; read only once the event words and the category have said nothing.
_WEATHER = re.compile(
    r"\b(?:weather|wind|gale|storm|thunderstorms?|tornado|hail|rain|snow|ice|icy|blizzard|"
    r"fog|frost|freezing|heat|heatwave|cold|temperature|coastal ?event|avalanches?|dust|"
    r"surf)\b",
    re.IGNORECASE,
)
CATEGORIES = {
    "fire": Category.WILDFIRE,
    "met": Category.WEATHER,
    "health": Category.HEALTH,
    "security": Category.SECURITY,
}
# The parameter in which MeteoAlarm gives its colour ("2; yellow; Moderate"). It can be a
# step above the CAP severity: the DWD's thunderstorm warnings are Moderate and orange.
AWARENESS_LEVEL = "awareness_level"
# MeteoAlarm's index entries leave that parameter out; their titles begin with the colour
# ("Orange Thunderstorm Warning issued for Germany - Kreis Cochem-Zell"), as do the events
# of some countries ("Yellow Wind warning"), written here as the parameter writes it.
AWARENESS_COLOURS = {
    "green": "1; green",
    "yellow": "2; yellow",
    "orange": "3; orange",
    "red": "4; red",
}
# NWS geocodes: the United States, but its territories have ISO codes of their own.
US_GEOCODES = frozenset({"fips6", "fips", "same", "ugc"})
# The NWS also warns Palau, Micronesia and the Marshall Islands (from its Guam office):
# countries of their own, with FIPS 5-2 state numbers and UGC codes like the territories.
# The US Minor Outlying Islands are 74, and their atolls' old numbers.
US_TERRITORIES_FIPS = {
    "60": "AS", "64": "FM", "66": "GU", "68": "MH", "69": "MP", "70": "PW", "72": "PR",
    "78": "VI",
    **{number: "UM" for number in ("67", "71", "74", "76", "79", "81", "84", "86", "89", "95")},
}  # fmt: skip
# Their UGC letters are their ISO codes; PS is the marine area of American Samoa's waters.
US_TERRITORIES_UGC = {
    **{code: code for code in ("AS", "GU", "MP", "PR", "VI", "FM", "MH", "PW")},
    "PS": "AS",
}
# The Guam office writes Rota, Saipan and Tinian (the Northern Marianas' municipalities
# 100, 110 and 120) under Guam's state number: "066010 066100 066110 066120" for "Guam;
# Rota; Saipan; Tinian", with zones GUZ001 to GUZ004 (a real NWS index of 2018).
NORTHERN_MARIANAS_UNDER_GUAM = frozenset({"085", "100", "110", "120"})
# Zones whose country their two letters do not tell, from the NWS's zone list: the
# Northern Marianas' land zones under Guam's letters, and the marine zones of Guam's
# office ("PMZ161 Koror Palau Coastal Waters") and San Juan's ("AMZ725 Coastal Waters of
# Southern USVI, Vieques, and Eastern Puerto Rico out 10 NM").
UGC_ZONE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "GUZ002": ("MP",), "GUZ003": ("MP",), "GUZ004": ("MP",),
    "PMZ151": ("GU",), "PMZ152": ("MP",), "PMZ153": ("MP",), "PMZ154": ("MP",),
    "PMZ161": ("PW",), "PMZ171": ("FM",), "PMZ172": ("FM",), "PMZ173": ("FM",),
    "PMZ174": ("FM",), "PMZ181": ("MH",), "PMZ191": ("GU", "MP"),
    "AMZ710": ("PR", "VI"), "AMZ712": ("PR",), "AMZ715": ("PR", "VI"), "AMZ722": ("VI",),
    "AMZ725": ("PR", "VI"), "AMZ732": ("PR",), "AMZ735": ("PR",), "AMZ741": ("PR",),
    "AMZ742": ("PR",), "AMZ745": ("PR",),
}  # fmt: skip
# NUTS and MeteoAlarm's EMMA_ID start with a country code, Eurostat's spelling.
EUROSTAT_CODES = {"EL": "GR", "UK": "GB"}
# Top-level domains of senders that name no country.
GENERIC_DOMAINS = frozenset({"eu", "int", "io", "tv", "fm", "me", "co", "cc", "ws"})


@dataclass(slots=True)
class Area:
    """What the <area> blocks of one <info> say about where: descriptions, the countries
    of its geocodes, the centre of each polygon and circle (placed in `locate`)."""

    descriptions: list[str] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    centres: list[tuple[float, float]] = field(default_factory=list)


def cap_namespace(element: Element) -> str | None:
    """The CAP namespace of `element`, or None when it is not a CAP element."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        uri = tag[1:].partition("}")[0]
        if uri in CAP_NAMESPACES:
            return uri
    return None


def texts(element: Element, name: str) -> list[str]:
    """Stripped texts of the children called `name`, in any namespace."""
    return [(child.text or "").strip() for child in element.iterchildren(f"{{*}}{name}")]


def text(element: Element, name: str) -> str:
    found = next(element.iterchildren(f"{{*}}{name}"), None)
    return "" if found is None else (found.text or "").strip()


def first_texts(element: Element) -> dict[str, str]:
    """`text(element, name)` for every name at once, keyed by local name: one pass over
    the children instead of a search per field (an <info> is read for a dozen)."""
    found: dict[str, str] = {}
    for child in element.iterchildren("{*}*"):
        name = child.tag.rpartition("}")[2]
        if name not in found:
            found[name] = (child.text or "").strip()
    return found


def geocode_countries(value_name: str, value: str) -> set[str]:
    """ISO codes a geocode implies: NWS codes are the US, ISO 3166 values and the NUTS /
    EMMA_ID prefixes name the country; postcodes and the like say nothing."""
    kind = value_name.strip().casefold()
    found: set[str] = set()
    for code in value.split():
        if kind == "ugc":  # "PRZ001": state, territory or marine area, Z or C, number
            zone = code.upper()
            found.update(UGC_ZONE_COUNTRIES.get(zone) or (US_TERRITORIES_UGC.get(zone[:2], "US"),))
        elif kind in US_GEOCODES:  # SAME / FIPS6 "PSSCCC" (part, state, county), FIPS "SSCCC"
            state = code[1:3] if len(code) == 6 else code[:2]
            if state == "66" and code[-3:] in NORTHERN_MARIANAS_UNDER_GUAM:
                found.add("MP")
            else:
                found.add(US_TERRITORIES_FIPS.get(state, "US"))
        elif kind.startswith(("nuts", "emma")):
            prefix = code[:2].upper()
            country = normalise_code(EUROSTAT_CODES.get(prefix, prefix))
            found |= {country} if country else set()
        elif "iso" in kind:
            country = normalise_code(code.split("-")[0])
            found |= {country} if country else set()
    return found


def sender_country(sender: str) -> str | None:
    """The country of a sender's e-mail, domain or web address ("webmaster@rfs.nsw.gov.au"
    and "https://www.krisinformation.se/" -> AU and SE)."""
    address = sender.strip().lower()
    if "://" in address:
        address = address.partition("://")[2]
    host = address.rpartition("@")[2].split("/", 1)[0].split(":", 1)[0]
    domain = host.rstrip(".")
    top = domain.rpartition(".")[2]
    if top in ("gov", "mil"):
        return "US"
    if len(top) != 2 or top in GENERIC_DOMAINS:
        return None
    return normalise_code(top)


def centre_of(polygon: str) -> tuple[float, float] | None:
    """The mean of a CAP polygon's "lat,lon lat,lon ..." vertices (closing one dropped)."""
    points: list[tuple[float, float]] = []
    for pair in polygon.split():
        lat, _, lon = pair.partition(",")
        try:
            points.append((float(lat), float(lon)))
        except ValueError:
            return None
    return ring_centre(points)


def ring_centre(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The mean of a ring's (lat, lon) vertices, the closing one (a repeat of the first)
    dropped; None for no vertices."""
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def circle_centre(circle: str) -> tuple[float, float] | None:
    """The centre of a CAP circle "lat,lon radius"."""
    point = circle.split()[0] if circle.split() else ""
    return centre_of(point)


def read_areas(container: Element) -> Area:
    """What the <area> blocks of a CAP <info> say about where."""
    area = Area()
    for block in container.iterchildren("{*}area"):
        _add_area(area, [(local_name(child), child) for child in block.iterchildren("{*}*")])
    return area


def _add_area(area: Area, children: Sequence[tuple[str, Element]]) -> None:
    """Add what the children of one <area> block (or an index entry's cap:* area fields),
    given with their local names, say."""
    by_name: dict[str, list[Element]] = {}
    for name, child in children:
        by_name.setdefault(name, []).append(child)

    geocodes = map(first_texts, by_name.get("geocode", ()))
    add_to_area(
        area,
        descriptions=[(child.text or "").strip() for child in by_name.get("areaDesc", ())],
        geocodes=[(named.get("valueName", ""), named.get("value", "")) for named in geocodes],
        polygons=[(child.text or "").strip() for child in by_name.get("polygon", ())],
        circles=[(child.text or "").strip() for child in by_name.get("circle", ())],
    )


def add_to_area(
    area: Area,
    *,
    descriptions: Iterable[str],
    geocodes: Iterable[tuple[str, str]],
    polygons: Iterable[str],
    circles: Iterable[str],
) -> None:
    """Add what one area block says, read from XML or JSON: its descriptions, the countries
    of its geocodes (value name, value), and the centre of each polygon and circle."""
    area.descriptions += [text for text in descriptions if text]
    for value_name, value in geocodes:
        area.countries |= geocode_countries(value_name, value)
    shapes = [centre_of(polygon) for polygon in polygons]
    shapes += [circle_centre(circle) for circle in circles]
    area.centres += [centre for centre in shapes if centre is not None]


def locate(
    centres: Sequence[tuple[float, float]], sender: str | None
) -> tuple[set[str], tuple[float, float] | None]:
    """The countries the shapes' centres lie in, and the first centre.

    CAP writes points "lat,lon", but some publishers write "lon,lat" (Krisinformation's
    circles over Sweden, read as written, lie in the Arabian Sea or in Pakistan). A point
    that is not in the sender's country, but is once swapped, is read swapped.
    """
    countries: set[str] = set()
    first: tuple[float, float] | None = None
    for latitude, longitude in centres:
        point = (latitude, longitude)
        country = from_coordinates(latitude, longitude)
        if sender and country != sender and from_coordinates(longitude, latitude) == sender:
            point, country = (longitude, latitude), sender
        first = first or point
        if country:
            countries.add(country)
    return countries, first


def category_of(categories: Iterable[str], event: str) -> Category:
    if event.isascii():  # one lower() and substring tests: several times faster than re.I
        lowered = event.lower()
        for words, category in EVENT_WORDS:
            for word in words:
                if word in lowered:
                    return category
    else:
        for pattern, category in _EVENT_PATTERNS:
            if pattern.search(event):
                return category
    folded = [c.strip().casefold() for c in categories]
    for name in ("fire", "health", "security", "met"):  # a fire is more than its weather
        if name in folded:
            return CATEGORIES[name]
    return Category.WEATHER if _WEATHER.search(event) else Category.OTHER


def chain_id(identifier: str, references: str) -> str:
    """The identifier of the first message of a references chain (the earliest sent)."""
    earliest: tuple[str, str] | None = None
    for triple in references.split():
        parts = triple.split(",")
        if len(parts) < 2 or not parts[1]:
            continue
        sent = parts[2] if len(parts) > 2 else ""
        try:
            key = parse_date(sent).isoformat() if sent else ""
        except ValueError:
            key = sent
        if earliest is None or (key and key < earliest[0]):
            earliest = (key, parts[1])
    return earliest[1] if earliest else identifier


def replaced_messages(references: str, chain: str) -> list[str]:
    """The identifiers an Update or Cancel replaces besides its chain's first: the US NWS
    merges warnings issued side by side into one update that references them all, and
    each of those was an alert of its own (`current_alerts_for` leaves them out)."""
    found = [parts[1] for triple in references.split() if len(parts := triple.split(",")) > 1]
    return sorted({identifier for identifier in found if identifier and identifier != chain})


@dataclass(frozen=True, slots=True)
class Info:
    """What one CAP <info> block says, read from the tree once: the first text of each
    field by local name, the <category> values and the areas."""

    fields: dict[str, str]
    categories: list[str]
    area: Area


def read_info(element: Element) -> Info:
    fields = first_texts(element)
    for parameter in element.iterchildren("{*}parameter"):
        named = first_texts(parameter)
        if named.get("valueName", "").casefold() == AWARENESS_LEVEL:
            fields[AWARENESS_LEVEL] = named.get("value", "")
    return Info(fields, texts(element, "category"), read_areas(element))


def awareness_severity(value: str) -> Severity:
    """MeteoAlarm's awareness level ("3; orange; Severe") on our scale: its levels 1 green
    to 4 red are ours, 1 normal precautions to 4 extreme; anything else says nothing."""
    number = value.partition(";")[0].strip()
    return Severity(int(number)) if number in ("1", "2", "3", "4") else Severity.NORMAL


def awareness_colour(value: str) -> str:
    """The colour of a MeteoAlarm awareness level ("3; orange; Severe" -> "Orange"), ""
    when it gives no level `awareness_severity` can read."""
    number, _, rest = value.partition(";")
    if number.strip() not in ("1", "2", "3", "4"):
        return ""
    return rest.partition(";")[0].strip().capitalize()


@dataclass(frozen=True, slots=True)
class Message:
    """The fields of one CAP message (or index entry) an Alert is built from."""

    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    references: str
    infos: Sequence[Info]


def is_english(language: str) -> bool:
    return not language or language.casefold().startswith("en")


def merged_areas(infos: Sequence[Info]) -> Area:
    """Where all the <info> blocks together say: each description once, every country,
    the first centre. (One block, as in every index entry, is its own area.)"""
    if len(infos) == 1:
        return infos[0].area
    area = Area()
    for info in infos:
        found = info.area
        area.descriptions += [d for d in found.descriptions if d not in area.descriptions]
        area.countries |= found.countries
        area.centres += found.centres
    return area


def alert_from_message(message: Message, *, source: str, url: str = "") -> Alert:
    """A CAP message -> its Alert; ValueError when a field it needs is unusable."""
    if not message.infos:
        raise ValueError(f"{message.identifier}: no <info> block")
    infos = list(message.infos)
    fields = [info.fields for info in infos]
    main_at = 0
    if len(fields) > 1:
        main_at = next((n for n, f in enumerate(fields) if is_english(f.get("language", ""))), 0)
    main, field = infos[main_at], fields[main_at]
    event = field.get("event", "")
    headline = field.get("headline", "") or event or message.identifier
    description = plain_text(field.get("description", ""))
    instruction = plain_text(field.get("instruction", ""))
    severity = max(SEVERITIES.get(f.get("severity", "").casefold(), UNGRADED) for f in fields)
    colours = [awareness_severity(f[AWARENESS_LEVEL]) for f in fields if AWARENESS_LEVEL in f]
    if colours:  # MeteoAlarm's colour, when it is above the CAP severity
        severity = max(severity, *colours)
    level = field.get("severity", "") or "Unknown"
    colour = awareness_colour(field.get(AWARENESS_LEVEL, ""))
    if colour:  # MeteoAlarm's own word for its level: "Orange (Moderate)"
        level = f"{colour} ({level})"
    area = merged_areas(infos)
    if area.countries:
        # Geocodes name the countries: the shapes add none (a town across a border can be
        # nearer a border area's centre than its own towns) and cost no lookups.
        countries = set(area.countries)
        centre = area.centres[0] if area.centres else None
    else:
        sender = sender_country(message.sender)
        countries, centre = locate(area.centres, sender)
        if not countries and sender:
            countries.add(sender)
    if not countries:
        raise ValueError(f"{message.identifier}: no country in its areas or sender")
    expires_text = field.get("expires", "")
    expires = parse_date(expires_text) if expires_text else None
    starts = _later_onset(field.get("onset", ""), message.sent)
    translations: dict[str, LocalText] = {}
    for at, other_field in enumerate(fields):
        language = other_field.get("language", "")[:2].casefold()
        if at == main_at or not language or language == "en" or language in translations:
            continue
        other = other_field.get("headline", "") or other_field.get("event", "") or headline
        translations[language] = LocalText(
            other,
            shorten(plain_text(other_field.get("description", "")), SUMMARY_CHARS),
            advice=plain_text(other_field.get("instruction", "")),
        )
    chain = chain_id(message.identifier, message.references)
    facts = {
        "event": event,
        "urgency": field.get("urgency", "") or "Unknown",
        "certainty": field.get("certainty", "") or "Unknown",
        "message_type": message.msg_type,
        "message_id": message.identifier,
        "replaces": " ".join(replaced_messages(message.references, chain)),
        "area": "; ".join(area.descriptions),
        "sender": field.get("senderName", "") or message.sender,
    }
    return Alert(
        source=source,
        id=chain,
        countries=tuple(sorted(countries)),
        severity=severity,
        source_level=level,
        category=category_of(main.categories, f"{event} {headline}"),
        title=headline,
        summary=shorten(description or headline, SUMMARY_CHARS),
        url=field.get("web", "") or url,
        published=message.sent,
        updated=message.sent,
        body="\n\n".join(part for part in (description, instruction) if part),
        advice=instruction,
        expires=expires,
        starts=starts,
        cancelled=message.msg_type.casefold() == "cancel",
        latitude=centre[0] if centre else None,
        longitude=centre[1] if centre else None,
        translations=translations,
        facts={key: value for key, value in facts.items() if value},
    )


def _later_onset(onset_text: str, sent: datetime) -> datetime | None:
    """When a message's hazard begins, if after it was sent (a warning issued ahead);
    None for one already under way, or an onset that cannot be read."""
    if not onset_text:
        return None
    try:
        onset = parse_date(onset_text)
    except ValueError:
        return None
    return onset if onset > sent else None


def is_real_alert(status: str, msg_type: str, scope: str = "") -> bool:
    """Whether a message is meant for the public: not a Test, Exercise, System or Draft
    message, nor an Ack or Error, nor one whose scope is Restricted or Private (a missing
    status counts as Actual, a missing scope as Public)."""
    return (
        status.casefold() in ("actual", "")
        and msg_type.casefold() not in ("ack", "error")
        and scope.strip().casefold() in ("public", "")
    )


def read_alert(root: Element, *, source: str, url: str = "") -> Alert | None:
    """A CAP <alert> -> its Alert, None for messages that are not real alerts
    (status Test/Exercise/System/Draft, msgType Ack/Error, scope Restricted/Private)."""
    msg_type = text(root, "msgType") or "Alert"
    if not is_real_alert(text(root, "status"), msg_type, text(root, "scope")):
        return None
    identifier = text(root, "identifier")
    sent_text = text(root, "sent")
    if not identifier or not sent_text:
        raise ValueError("CAP alert without identifier or sent")
    message = Message(
        identifier=identifier,
        sender=text(root, "sender"),
        sent=parse_date(sent_text),
        msg_type=msg_type,
        references=text(root, "references"),
        infos=[read_info(info) for info in root.iterchildren("{*}info")],
    )
    return alert_from_message(message, source=source, url=url)


def entry_link(entry: Element) -> str:
    """The CAP document an index entry points to: a link typed application/cap+xml,
    else the entry's first (alternate) link; RSS items have <link>text</link>."""
    return _link_among(list(entry.iterchildren("{*}link")))


def _link_among(links: Sequence[Element]) -> str:
    for link in links:
        if "cap" in (link.get("type") or "") and link.get("href"):
            return str(link.get("href"))
    for link in links:
        href = link.get("href") or (link.text or "").strip()
        if href and link.get("rel", "alternate") == "alternate":
            return str(href)
    return ""


def has_cap_fields(entry: Element) -> bool:
    return next(entry.iterchildren(*_ANY_CAP_ELEMENT), None) is not None


def read_entry(entry: Element, *, source: str) -> Alert | None:
    """An index entry's own cap:* fields -> an Alert, as the index alone can tell it;
    None for an entry with no cap:* field or one that is not a real alert."""
    read = entry_message(entry)
    return None if read is None else alert_from_message(read[0], source=source, url=read[1])


def read_entries(
    entries: Iterable[tuple[int, Element]], *, source: str
) -> tuple[list[Alert], list[str], list[int]]:
    """The alerts that an index's entries (with their positions) tell by themselves, a
    problem for each entry that cannot be read, and the positions of the entries that
    tell none (no cap:* field, or not a real alert).

    Entries of one message (one identifier and sent time) are one alert with all their
    areas: MeteoAlarm lists a German warning once for each district it covers (381
    entries, 21 messages, in one real index), each entry naming its own district.
    """
    reads: list[tuple[Message, str]] = []
    problems: list[str] = []
    silent: list[int] = []
    for position, entry in entries:
        try:
            read = entry_message(entry)
        except ITEM_ERRORS as error:
            problems.append(item_problem(f"entry {position}", error))
            continue
        if read is None:
            silent.append(position)
        else:
            reads.append(read)
    if len({message.identifier for message, _ in reads}) < len(reads):
        reads = _one_per_message(reads)
    alerts: list[Alert] = []
    for message, url in reads:
        try:
            alerts.append(alert_from_message(message, source=source, url=url))
        except ValueError as error:
            problems.append(str(error))
        except UNFORESEEN_ITEM_ERRORS as error:
            problems.append(unforeseen(message.identifier, error))
    return alerts, problems, silent


def _one_per_message(reads: list[tuple[Message, str]]) -> list[tuple[Message, str]]:
    """Index entries grouped by message (identifier and sent time), in the order of their
    first entry, each group merged into one message."""
    messages: dict[tuple[str, datetime], list[tuple[Message, str]]] = {}
    for read in reads:
        messages.setdefault((read[0].identifier, read[0].sent), []).append(read)
    return [
        parts[0] if len(parts) == 1 else (merged_message(parts), parts[0][1])
        for parts in messages.values()
    ]


def merged_message(parts: Sequence[tuple[Message, str]]) -> Message:
    """One message from the index entries that each give one of its areas: the first
    entry's fields, every area, and a headline without the first entry's own area
    ("Yellow Frost Warning issued for Germany - Kreis Vulkaneifel")."""
    first = parts[0][0].infos[0]
    area = merged_areas([info for message, _ in parts for info in message.infos])
    headline = first.fields.get("headline", "")
    own_area = first.area.descriptions[0] if first.area.descriptions else ""
    if own_area and len(area.descriptions) > 1:
        for separator in (" - ", " – "):
            headline = headline.removesuffix(separator + own_area)
    info = Info(first.fields | {"headline": headline}, first.categories, area)
    return replace(parts[0][0], infos=[info])


def entry_message(entry: Element) -> tuple[Message, str] | None:
    """An index entry's own cap:* fields as a CAP message, and the CAP document it links
    to; None for an entry with no cap:* field or one that is not a real alert.

    The entry's children are walked once: the first text of every child by local name
    (any namespace: Atom's id and dates, RSS's guid), its links, and the CAP children that
    make the entry's <info> (fields, categories, area) as in a CAP document.
    """
    field: dict[str, str] = {}
    cap_fields: dict[str, str] = {}
    categories: list[str] = []
    area_children: list[tuple[str, Element]] = []
    links: list[Element] = []
    author: Element | None = None
    has_cap = False
    for child in entry.iterchildren("{*}*"):
        tag = child.tag
        name, is_cap = _TAG_NAMES.get(tag) or _tag_name(tag)
        value = (child.text or "").strip()
        if name not in field:
            field[name] = value
            if name == "author":
                author = child
        if name == "link":
            links.append(child)
        if not is_cap:
            continue
        has_cap = True
        if name in _AREA_FIELDS:
            area_children.append((name, child))
            continue
        if name == "area":  # a whole <cap:area> block, as Krisinformation writes them
            area_children += [(local_name(part), part) for part in child.iterchildren("{*}*")]
            continue
        if name == "category":
            categories.append(value)
        if name not in cap_fields:
            cap_fields[name] = value
    if not has_cap:  # an ordinary feed entry: nothing to read
        return None
    msg_type = field.get("msgType") or field.get("message_type") or "Alert"
    if not is_real_alert(field.get("status", ""), msg_type, field.get("scope", "")):
        return None
    identifier = field.get("identifier") or field.get("id") or field.get("guid") or ""
    sent_text = (
        field.get("sent") or field.get("published") or field.get("updated")
        or field.get("pubDate") or field.get("effective") or ""
    )  # fmt: skip
    if not identifier or not sent_text:
        raise ValueError("index entry without an id or a date")
    title = field.get("title", "")
    info_fields = cap_fields | {  # the entry's own title and text over the cap:* fields
        "event": field.get("event") or title.split(" issued ")[0],
        "headline": title,
        "description": field.get("summary") or field.get("description") or "",
        "senderName": text(author, "name") if author is not None else "",
    }
    if AWARENESS_LEVEL not in info_fields:
        colour = meteoalarm_colour(title, info_fields["event"], info_fields["senderName"])
        if colour:
            info_fields[AWARENESS_LEVEL] = colour
    area = Area()
    _add_area(area, area_children)
    message = Message(
        identifier=identifier,
        sender=field.get("sender") or info_fields["senderName"] or _author_uri(author),
        sent=parse_date(sent_text),
        msg_type=msg_type,
        references=field.get("references", ""),
        infos=[Info(info_fields, categories, area)],
    )
    return message, _link_among(links)


def meteoalarm_colour(title: str, event: str, author: str) -> str:
    """The awareness level ("3; orange") that a MeteoAlarm index entry's title or event
    begins with, "" when it names none. Only MeteoAlarm's entries: the US NWS's "Red Flag
    Warning" is a kind of fire-weather warning, not a colour."""
    if "meteoalarm" not in author.casefold():
        return ""
    for text in (title, event):
        colour = AWARENESS_COLOURS.get(text.partition(" ")[0].casefold())
        if colour:
            return colour
    return ""


def _author_uri(author: Element | None) -> str:
    return "" if author is None else text(author, "uri") or text(author, "email")


# Element names seen in indexes: (local name, is a CAP element), by Clark-notation tag. A
# feed has a few dozen names, so splitting each tag once saves work on every entry.
_TAG_NAMES: dict[str, tuple[str, bool]] = {}
_MAX_TAG_NAMES = 1024  # a hostile feed inventing names cannot grow it without end


def _tag_name(tag: str) -> tuple[str, bool]:
    namespace, _, name = tag[1:].partition("}") if tag[0] == "{" else ("", "", tag)
    named = (name, namespace in CAP_NAMESPACES)
    if len(_TAG_NAMES) < _MAX_TAG_NAMES:
        _TAG_NAMES[tag] = named
    return named


def index_entries(root: Element) -> list[Element] | None:
    """The entries of an Atom feed or RSS channel; None when `root` is neither."""
    name = local_name(root)
    if name == "feed":
        return list(root.iterchildren("{*}entry"))
    if name == "rss":
        channel = next(root.iterchildren("{*}channel"), None)
        return [] if channel is None else list(channel.iterchildren("{*}item"))
    return None


def read_index_entries(body: bytes) -> tuple[list[Element] | None, str]:
    """The entries of an index (None for a document of another kind), and what was left
    out after the end of the document ("" when nothing was)."""
    root, left_out = parse_xml_leniently(body)
    return index_entries(root), left_out


def is_json(body: bytes) -> bool:
    """Whether `body` is JSON (the US NWS API's alerts) rather than CAP XML."""
    return body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[")


class CapAdapter(SourceAdapter):
    """CAP 1.1/1.2 alerts, from one document or from an Atom/RSS index of them."""

    kind = "cap"

    def __init__(self, *, concurrency: int = 8) -> None:
        self.concurrency = concurrency

    def parse(self, body: bytes, *, source: str) -> ParsedFeed:
        return self.parse_document(body, source=source)

    def parse_document(self, body: bytes, *, source: str, url: str = "") -> ParsedFeed:
        """`parse`, with the URL the document came from as the alert's link when the
        CAP message names no <web> page of its own."""
        if is_json(body):
            # Imported here: the JSON reader builds its messages with this module.
            from bot.sources.cap_json import read_cap_json

            return read_cap_json(load_json(body), source=source)
        root, left_out = parse_xml_leniently(body)
        parsed = self.parse_root(root, source=source, url=url)
        if left_out:
            return ParsedFeed(parsed.alerts, (*parsed.problems, left_out))
        return parsed

    def parse_root(self, root: Element, *, source: str, url: str) -> ParsedFeed:
        """A CAP alert, an <alerts> list of them, or an index's entries, read from its root."""
        if local_name(root) == "alert" and cap_namespace(root):
            try:
                alert = read_alert(root, source=source, url=url)
            except ValueError as error:
                return ParsedFeed((), (str(error),))
            return ParsedFeed((alert,) if alert else ())
        if local_name(root) == "alerts" and cap_namespace(root):
            return self.parse_alerts(root, source=source, url=url)
        entries = index_entries(root)
        if entries is None:
            raise SchemaChanged(
                f"not a CAP alert, a list of alerts, an Atom feed or RSS: <{local_name(root)}>"
            )
        alerts, problems, silent = read_entries(enumerate(entries), source=source)
        for position in silent:
            entry = entries[position]
            if not has_cap_fields(entry) and (link := entry_link(entry)):
                # Read from a file (`python -m bot parse`), an index of bare links yields
                # nothing: say where the alerts are rather than print nothing at all.
                problems.append(f"entry {position}: its CAP document is {link}, read by a poll")
        return ParsedFeed(tuple(alerts), tuple(problems))

    def parse_alerts(self, root: Element, *, source: str, url: str) -> ParsedFeed:
        """Several <alert>s in one <alerts> document, as SMHI (Sweden) serves them."""
        return read_each(
            root.iterchildren("{*}alert"),
            lambda element: read_alert(element, source=source, url=url),
            label="alert",
        )

    async def poll(
        self, client: FeedClient, url: str, *, source: str, validators: Validators
    ) -> PollOutcome:
        """A CAP document is parsed as is; an index's linked CAP documents are fetched,
        a few at a time, and an entry whose document fails falls back to its own fields."""
        fetched = await client.get(url, validators)
        if fetched.status == "not-modified":
            return PollOutcome(None, validators)
        # Parsing happens in worker threads, as in `SourceAdapter.poll`: a large index
        # (MeteoAlarm's run to hundreds of entries) must not stall chat handlers.
        body = fetched.body
        entries, left_out = (
            (None, "") if is_json(body) else await asyncio.to_thread(read_index_entries, body)
        )
        if entries is None:
            parsed = await asyncio.to_thread(
                self.parse_document, fetched.body, source=source, url=url
            )
            return PollOutcome(parsed, fetched.validators)
        # Each linked document once: MeteoAlarm links every district's entry of a message
        # to the same document.
        linked: dict[str, list[tuple[int, Element]]] = {}
        unlinked: list[tuple[int, Element]] = []
        for position, entry in enumerate(entries):
            link = entry_link(entry)
            (linked.setdefault(link, []) if link else unlinked).append((position, entry))
        gate = asyncio.Semaphore(self.concurrency)

        async def one(link: str, group: list[tuple[int, Element]]) -> ParsedFeed | str:
            """The document's alerts, or why it could not be read (its entries then speak)."""
            updated = (group[0][1].findtext("{*}updated") or "").strip()
            async with gate:
                try:
                    document = await client.get_document(link, entry_updated=updated)
                    return await asyncio.to_thread(
                        self.parse_document, document.body, source=source, url=link
                    )
                except SourceError as error:
                    return f"{link}: {error}"

        links = list(linked)
        results = await asyncio.gather(*(one(link, linked[link]) for link in links))
        alerts: list[Alert] = []
        problems: list[str] = []
        fallback = list(unlinked)
        for link, result in zip(links, results, strict=True):
            if isinstance(result, str):
                problems.append(result)
                fallback += linked[link]
            else:
                alerts += result.alerts
                problems += result.problems
        fallback.sort(key=lambda positioned: positioned[0])  # in the index's order
        with_fields = [(at, entry) for at, entry in fallback if has_cap_fields(entry)]
        from_entries, unreadable, _ = read_entries(with_fields, source=source)
        alerts += from_entries
        problems += unreadable
        problems += [
            f"entry {at}: no CAP link and no cap fields"
            for at, entry in unlinked
            if not has_cap_fields(entry)
        ]
        if left_out:
            problems.append(left_out)
        return PollOutcome(
            ParsedFeed(tuple(alerts), tuple(problems)),
            fetched.validators,
            documents_fetched=1 + len(links),
        )
