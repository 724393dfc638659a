"""Matching: which chats an announcement goes to.

A chat hears of an alert when it covers one of the alert's countries: by a standing
subscription, or by a trip under way. A point hazard (an earthquake, a storm, ... with
coordinates) reaches a chat that named a town in that country only when the town is
within a radius that grows with the level; advisories reach the whole country.

Recipients are found by SQL over the subscriptions, trips and places indexes (in the
store), never by looping over users in Python: only the few places inside a bounding box
around the hazard have their exact distance checked here. Writing the outbox rows and
marking the announcement fanned out are separate steps, and both are idempotent, so a
crash in between only means the next run writes the (already present) rows again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from bot.alerts import POINT_HAZARDS, Alert, Change, Severity
from bot.changes import Announcement
from bot.desks.notices import notify_desks
from bot.places import distance_km
from bot.store import alerts as alert_store
from bot.store import outbox
from bot.store import places as place_store
from bot.store.database import Database
from bot.store.places import Box, Reach

# How far a point hazard reaches a reader who named a town, by level: a minor quake is felt
# nearby, a major one (or a cyclone at the top level) hundreds of kilometres away.
HAZARD_RADIUS_KM: Mapping[Severity, float] = {
    Severity.NORMAL: 50.0,
    Severity.CAUTION: 50.0,
    Severity.HIGH: 100.0,
    Severity.EXTREME: 350.0,
}
_KM_PER_DEGREE = 111.32  # along a meridian, and along the equator


def hazard_radius_km(severity: Severity) -> float:
    return HAZARD_RADIUS_KM[Severity(severity)]


def reach_severity(announcement: Announcement) -> Severity:
    """The level that decides who hears an announcement: for a lowering or cancellation,
    the level it had before, so whoever heard of the danger hears that it passed."""
    severity = announcement.alert.severity
    previous = announcement.previous_severity
    if announcement.change in (Change.LOWERED, Change.CANCELLED) and previous is not None:
        return max(severity, previous)
    return severity


def is_point_hazard(alert: Alert) -> bool:
    """A hazard at a known point; one without coordinates reaches the whole country."""
    return (
        alert.category in POINT_HAZARDS
        and alert.latitude is not None
        and alert.longitude is not None
    )


def bounding_box(latitude: float, longitude: float, radius_km: float) -> Box:
    """A rectangle holding every point within `radius_km`; near a pole or the date line
    it spans all longitudes (wider than needed, never too narrow)."""
    d_lat = radius_km / _KM_PER_DEGREE
    south, north = max(-90.0, latitude - d_lat), min(90.0, latitude + d_lat)
    widest = max(abs(south), abs(north))
    cos = math.cos(math.radians(widest))
    if widest >= 89.0 or cos <= 0:
        return Box(south, north, -180.0, 180.0)
    d_lon = radius_km / (_KM_PER_DEGREE * cos)
    west, east = longitude - d_lon, longitude + d_lon
    if west < -180.0 or east > 180.0:
        return Box(south, north, -180.0, 180.0)
    return Box(south, north, west, east)


def reach_of(announcement: Announcement) -> Reach:
    """Who an announcement is for, as the store's recipient query takes it."""
    alert = announcement.alert
    return Reach(
        countries=tuple(alert.countries),
        severity=int(reach_severity(announcement)),
        category=str(alert.category),
        change=str(announcement.change),
        point_hazard=is_point_hazard(alert),
    )


async def fan_out(db: Database, alert_version_id: int, *, now: datetime) -> int:
    """Queue one announcement for every chat that should receive it; returns rows added."""
    announcement = await alert_store.load_announcement(db, alert_version_id)
    if announcement is None:
        raise LookupError(f"no alert version {alert_version_id}")
    reach = reach_of(announcement)
    queued = await place_store.enqueue_covering(db, alert_version_id, reach, now=now)
    if reach.point_hazard:
        severity = reach_severity(announcement)
        queued += await _enqueue_nearby(db, alert_version_id, announcement, severity, now=now)
    await notify_desks(db, alert_version_id, now=now)  # idempotent, like the rows above
    await alert_store.mark_fanned_out(db, alert_version_id)
    return queued


async def _enqueue_nearby(
    db: Database,
    alert_version_id: int,
    announcement: Announcement,
    severity: Severity,
    *,
    now: datetime,
) -> int:
    """Chats with a town close enough to the hazard."""
    alert = announcement.alert
    assert alert.latitude is not None and alert.longitude is not None
    radius = hazard_radius_km(severity)
    box = bounding_box(alert.latitude, alert.longitude, radius)
    candidates = await place_store.places_near(
        db,
        box,
        severity=int(severity),
        category=str(alert.category),
        change=str(announcement.change),
        now=now,
    )
    near = {
        place.chat_id
        for place in candidates
        if distance_km(alert.latitude, alert.longitude, place.latitude, place.longitude) <= radius
    }
    if not near:
        return 0
    return await outbox.enqueue(db, alert_version_id, sorted(near), now=now)


async def fan_out_pending(db: Database, *, now: datetime) -> int:
    """Finish any fan-out a crash interrupted."""
    total = 0
    for alert_version_id in await alert_store.versions_to_fan_out(db):
        total += await fan_out(db, alert_version_id, now=now)
    return total
