"""What is known of each source's alerts, and the announcements made from them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.alerts import Alert, Change, Severity
from bot.changes import Announcement, KnownState, classify, has_expired
from bot.sources.serialise import alert_from_json, alert_to_json
from bot.store.clock import from_db, to_db
from bot.store.database import Database


@dataclass(frozen=True, slots=True)
class RecordedAnnouncement:
    alert_version_id: int
    announcement: Announcement


@dataclass(frozen=True, slots=True)
class PollChanges:
    """What recording one poll learnt: announcements to fan out, and alerts that expired.

    An expiry is recorded (the alert's state, with its `expires`, is stored and /status
    leaves it out) but has no alert version: nobody is sent anything about it.
    """

    announced: list[RecordedAnnouncement] = field(default_factory=list)
    expired: list[Announcement] = field(default_factory=list)


async def record_poll(
    db: Database, source: str, alerts: Sequence[Alert], *, now: datetime
) -> list[RecordedAnnouncement]:
    """Store a poll's alerts and return what is news, in one transaction."""
    return (await record_poll_changes(db, source, alerts, now=now)).announced


async def record_poll_changes(
    db: Database, source: str, alerts: Sequence[Alert], *, now: datetime
) -> PollChanges:
    """Store a poll's alerts and return what is news and what expired, in one transaction.

    Dedup is on content as well as on id: an item the source re-ids with the same content
    (same version digest) as one already known is not announced again. An alert already
    past its `expires` at `now` is stored but never announced (see `classify`).
    """
    stamp = to_db(now)
    changes = PollChanges()
    recorded = changes.announced
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT alert_id, version, severity, payload, last_seen FROM alerts WHERE source = ?",
            (source,),
        )
        known_rows = {row["alert_id"]: row for row in await cursor.fetchall()}
        known_versions = {row["version"] for row in known_rows.values()}
        for alert in latest_of_each(alerts):
            row = known_rows.get(alert.id)
            known = None
            if row is not None:
                payload = json.loads(row["payload"])
                known = KnownState(
                    version=row["version"],
                    severity=Severity(row["severity"]),
                    body=payload.get("body") or payload.get("summary", ""),
                    cancelled=bool(payload.get("cancelled")),
                    expired=_expired_when_last_seen(payload, row["last_seen"]),
                )
            announcement = classify(alert, known, now=now)
            if announcement and known is None and alert.version in known_versions:
                announcement = None  # the same content under a new id
            payload_text = json.dumps(alert_to_json(alert), ensure_ascii=False)
            await conn.execute(
                "INSERT INTO alerts (source, alert_id, version, severity, countries, category,"
                " payload, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source, alert_id) DO UPDATE SET version = excluded.version,"
                " severity = excluded.severity, countries = excluded.countries,"
                " category = excluded.category, payload = excluded.payload,"
                " last_seen = excluded.last_seen",
                (
                    source,
                    alert.id,
                    alert.version,
                    int(alert.severity),
                    ",".join(alert.countries),
                    str(alert.category),
                    payload_text,
                    stamp,
                    stamp,
                ),
            )
            if announcement is None:
                continue
            if announcement.change is Change.EXPIRED:
                changes.expired.append(announcement)
                continue
            cursor = await conn.execute(
                "INSERT INTO alert_versions (source, alert_id, version, change, severity,"
                " previous_severity, payload, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source,
                    alert.id,
                    alert.version,
                    str(announcement.change),
                    int(alert.severity),
                    None
                    if announcement.previous_severity is None
                    else int(announcement.previous_severity),
                    json.dumps(
                        {**alert_to_json(alert), "what_changed": list(announcement.what_changed)},
                        ensure_ascii=False,
                    ),
                    stamp,
                ),
            )
            assert cursor.lastrowid is not None
            recorded.append(RecordedAnnouncement(cursor.lastrowid, announcement))
    return changes


def latest_of_each(alerts: Sequence[Alert]) -> list[Alert]:
    """One alert per id, the most recently updated, in feed order.

    Feeds list an item twice (GDACS has sent the same flood twice in one document, an
    event can appear with two episodes, and the State Department's 2026 feed lists some
    destinations twice, from an old and a new page, on the same day): each id is one
    alert, announced at most once a poll, and compared with what was known before the
    poll, not with its own twin. Between twins of the same date the choice goes by content
    (the higher version digest), not by feed order, so a feed that reorders them is not
    announced as changed.
    """
    chosen: dict[str, Alert] = {}
    for alert in alerts:
        held = chosen.get(alert.id)
        if held is None or (alert.updated, alert.version) > (held.updated, held.version):
            chosen[alert.id] = alert
    return list(chosen.values())


def _expired_when_last_seen(payload: dict[str, object], last_seen: str) -> bool:
    """Whether the stored alert had expired at the poll that last saw it (its expiry was
    dealt with then)."""
    expires = payload.get("expires")
    seen = from_db(last_seen)
    if not isinstance(expires, str) or seen is None:
        return False
    return datetime.fromisoformat(expires) <= seen


async def versions_to_fan_out(db: Database) -> list[int]:
    """Announcements whose outbox rows are not written yet (a crash may leave some)."""
    rows = await db.fetch_all("SELECT id FROM alert_versions WHERE fanned_out = 0 ORDER BY id")
    return [row["id"] for row in rows]


async def mark_fanned_out(db: Database, alert_version_id: int) -> None:
    await db.execute("UPDATE alert_versions SET fanned_out = 1 WHERE id = ?", (alert_version_id,))


async def load_announcement(db: Database, alert_version_id: int) -> Announcement | None:
    row = await db.fetch_one(
        "SELECT change, previous_severity, payload FROM alert_versions WHERE id = ?",
        (alert_version_id,),
    )
    if row is None:
        return None
    payload = json.loads(row["payload"])
    previous = row["previous_severity"]
    return Announcement(
        alert=alert_from_json(payload),
        change=Change(row["change"]),
        previous_severity=None if previous is None else Severity(previous),
        what_changed=tuple(payload.get("what_changed", ())),
    )


async def current_alerts_for(db: Database, country: str, *, now: datetime) -> list[Alert]:
    """The latest state of every source's alerts that cover `country` (for /status), less
    those whose `expires` has passed at `now` (the caller's clock) and those a later
    message of the same source says it replaces (CAP's merged updates)."""
    moment = now
    rows = await db.fetch_all(
        "SELECT payload FROM alerts WHERE ',' || countries || ',' LIKE ? ORDER BY source",
        (f"%,{country},%",),
    )
    alerts = [alert_from_json(json.loads(row["payload"])) for row in rows]
    replaced = {
        (alert.source, identifier)
        for alert in alerts
        for identifier in alert.facts.get("replaces", "").split()
    }
    return [
        alert
        for alert in alerts
        if not has_expired(alert, moment) and (alert.source, alert.id) not in replaced
    ]
