"""The command line as a user runs it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import httpx

from bot.config import PROJECT_ROOT, SourceConfig
from bot.demo import raise_germany, run_demo
from bot.polling import Poller
from bot.sources.base import FeedClient
from bot.store import sources as source_store
from bot.store.database import Database
from tests.builders import BASE_TIME

FEEDS = PROJECT_ROOT / "feeds"
STATE_DEPT = FEEDS / "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"
GDACS = FEEDS / "gdacs-rss-2019-12-30.xml"
NSW_FIRE = FEEDS / "cap12-au-nsw-rfs-2011-10-05.cap.xml"
PARSE_KEYS = {
    "source", "id", "version", "countries", "severity", "source_level",
    "category", "title", "url", "published", "updated",
}  # fmt: skip


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environment,
        timeout=60,
    )


def test_run_without_token_stops_with_one_clear_line():
    result = run_cli("run")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "Traceback" not in result.stderr


def test_malformed_setting_stops_with_one_line_naming_it():
    result = run_cli("run", env={"TELEGRAM_BOT_TOKEN": "1:x", "POLL_INTERVAL_SECONDS": "often"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: POLL_INTERVAL_SECONDS is malformed: expected a whole number,"
        " got 'often'"
    ]


def test_parse_prints_one_json_object_per_item():
    result = run_cli("parse", "us-state", str(STATE_DEPT))
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 54
    assert all(set(obj) >= PARSE_KEYS for obj in objects)
    germany = next(obj for obj in objects if obj["title"].startswith("Germany"))
    assert germany["countries"] == ["DE"] and germany["severity"] == 2


def test_parse_of_a_broken_file_says_why():
    result = run_cli("parse", "gdacs", str(FEEDS / "PROVENANCE.md"))
    assert result.returncode == 1
    assert "FeedMalformed" in result.stderr


def test_parse_of_an_unknown_kind_lists_the_known_ones():
    result = run_cli("parse", "meteo", str(STATE_DEPT))
    assert result.returncode == 2
    assert "us-state" in result.stderr


def test_diff_reports_a_raised_level_with_the_previous_one(tmp_path: Path):
    changed = tmp_path / "new.xml"
    changed.write_bytes(raise_germany(STATE_DEPT.read_bytes()))
    result = run_cli("diff", "us-state", str(STATE_DEPT), str(changed))
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    entry = json.loads(line)
    assert entry["change"] == "raised"
    assert entry["previous_severity"] == 2 and entry["severity"] == 3
    assert entry["countries"] == ["DE"]
    assert set(entry) >= PARSE_KEYS


def test_diff_gives_the_previous_level_of_a_text_change(tmp_path: Path):
    feed = STATE_DEPT.read_bytes()
    changed = tmp_path / "new.xml"
    changed.write_bytes(
        feed.replace(b"attacking people in public locations", b"attacking crowds", 1)
    )
    result = run_cli("diff", "us-state", str(STATE_DEPT), str(changed))
    assert result.returncode == 0, result.stderr
    [entry] = [json.loads(line) for line in result.stdout.splitlines()]
    assert entry["change"] == "text" and entry["countries"] == ["DE"]
    assert entry["previous_severity"] == 2 and entry["severity"] == 2


def test_diff_gives_the_previous_level_of_a_cancellation(tmp_path: Path):
    feed = GDACS.read_bytes()
    start = feed.index(b'<guid isPermaLink="false">TC1000643</guid>')
    item_start = feed.rindex(b"<item>", 0, start)
    ended = feed[:item_start] + feed[item_start:].replace(
        b"<gdacs:iscurrent>true</gdacs:iscurrent>", b"<gdacs:iscurrent>false</gdacs:iscurrent>", 1
    )
    changed = tmp_path / "new.xml"
    changed.write_bytes(ended)
    result = run_cli("diff", "gdacs", str(GDACS), str(changed))
    assert result.returncode == 0, result.stderr
    [entry] = [json.loads(line) for line in result.stdout.splitlines()]
    assert entry["id"] == "TC1000643" and entry["change"] == "cancelled"
    assert entry["cancelled"] is True and entry["previous_severity"] == 1


def test_diff_reports_an_alert_whose_update_ends_it_as_expired(tmp_path: Path):
    """The fire's update brings its end forward to 10:00; at noon it is over, not news."""
    feed = NSW_FIRE.read_bytes()
    shortened = feed.replace(
        b"2011-10-06T23:04:00+10:00</cap:expires>", b"2011-10-06T10:00:00+10:00</cap:expires>"
    )
    assert shortened != feed
    changed = tmp_path / "new.cap.xml"
    changed.write_bytes(shortened)
    noon = "2011-10-06T12:00:00+10:00"
    result = run_cli("diff", "cap", str(NSW_FIRE), str(changed), "--at", noon)
    assert result.returncode == 0, result.stderr
    [entry] = [json.loads(line) for line in result.stdout.splitlines()]
    assert entry["change"] == "expired" and entry["countries"] == ["AU"]
    assert entry["previous_severity"] == entry["severity"] == 1
    assert entry["expires"] == "2011-10-06T00:00:00+00:00"


def test_diff_past_every_expiry_announces_nothing_new():
    result = run_cli("diff", "cap", str(NSW_FIRE), str(NSW_FIRE), "--at", "2011-10-07T00:00Z")
    assert result.returncode == 0 and result.stdout == ""


def test_diff_of_a_feed_with_itself_announces_nothing():
    result = run_cli("diff", "us-state", str(STATE_DEPT), str(STATE_DEPT))
    assert result.returncode == 0 and result.stdout == ""


async def test_demo_shows_each_traveller_their_messages_and_sends_nothing_twice():
    out = io.StringIO()
    assert await run_demo(out) == 0
    text = out.getvalue()
    assert "Alice > (presses [ 🇺🇦 Ukraine ])" in text
    assert "Alice receives 4 message(s)" in text
    assert "Vigilance renforcée → Déconseillé sauf raison impérative" in text  # Bruno, French
    assert "Niveau officiel : Prendre des mesures de sécurité normales" in text  # Canada's own
    assert "Filipinas" in text  # Carmen, Spanish
    assert "0 messages queued, 0 sent: an unchanged feed sends nothing." in text
    # A travel desk warns Alice (following Kenya) and Carmen (on a trip there), each in
    # their language; Alice answers the safety check, Carmen does not.
    desk = text[text.index("== A company's travel desk warns its own travellers ==") :]
    assert "Recipients: 2 · there now: 1 · following: 1" in desk
    assert "¿está a salvo?" in desk and "are you safe?" in desk
    assert "Thank you. Your travel desk knows you are safe." in desk
    report = desk[desk.index("Dana (travel desk) > /report") :]
    assert "Delivered: 2" in report and "Safe: 1" in report and "No answer: 1" in report
    assert report.rstrip().endswith("1 traveller has not answered:\n    E2041")
    # The CAP sample is a 2011 warning: polled, not sent, and the report says why.
    assert "cap: ok, 1 items, 0 new or changed, 0 messages queued, 1 past its expiry" in text


_HEALTH_ROW = re.compile(
    r"^(?P<source>\S+) +(?P<kind>\S+) +(?P<state>\S+) +"
    r"(?P<attempt>-|\d{4}-\d\d-\d\d \d\d:\d\d UTC) +(?P<success>-|\d{4}-\d\d-\d\d \d\d:\d\d UTC) +"
    r"(?P<fails>\d+) +(?P<backoff>-|\d{4}-\d\d-\d\d \d\d:\d\d UTC) +(?P<items>\d+) +"
    r"(?P<problems>\d+)  (?P<error>.*)$"
)


async def test_sources_prints_attempt_success_failures_backoff_items_and_error(
    tmp_path: Path, feed_server
):
    """One poll that worked and one that failed, through the poller, then the command."""
    database = tmp_path / "bot.sqlite3"
    working = SourceConfig("state", "us-state", feed_server.url(STATE_DEPT.name))
    feed_server.add("/quakes.geojson", b"{}", content_type="application/geo+json")
    feed_server.fail("/quakes.geojson", 503, times=1)
    failing = SourceConfig("quakes", "usgs", feed_server.url("/quakes.geojson"))
    db = await Database.open(database)
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            poller = Poller(db, FeedClient(http), clock=lambda: BASE_TIME, rng=random.Random(7))
            assert (await poller.poll(working)).status == "ok"
            assert (await poller.poll(failing)).status == "failed"
        retry_at = (await source_store.get_health(db, "quakes")).next_attempt_at
    finally:
        await db.close()
    assert retry_at is not None

    sources = f"state=us-state@{working.url} quakes=usgs@{failing.url} !off=gdacs@{working.url}"
    result = run_cli("sources", env={"DATABASE_URL": f"sqlite:///{database}", "SOURCES": sources})
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    columns = ("last attempt", "last success", "fails", "backoff until", "items", "problems")
    for column in (*columns, "last error"):
        assert column in header
    rows = {}
    for line in lines:
        match = _HEALTH_ROW.match(line)
        assert match, line
        rows[match["source"]] = match.groupdict()
    polled = "2025-10-07 12:00 UTC"
    assert rows["state"] == {
        "source": "state", "kind": "us-state", "state": "ok", "attempt": polled,
        "success": polled, "fails": "0", "backoff": "-", "items": "54", "problems": "0",
        "error": "",
    }  # fmt: skip
    quakes = rows["quakes"]
    assert (quakes["state"], quakes["attempt"], quakes["success"]) == ("failing", polled, "-")
    assert (quakes["fails"], quakes["items"]) == ("1", "0")
    assert quakes["backoff"] == retry_at.strftime("%Y-%m-%d %H:%M UTC") != "-"
    assert quakes["error"].startswith("FetchFailed: HTTP 503")
    assert rows["off"]["state"] == "off" and rows["off"]["attempt"] == "-"
