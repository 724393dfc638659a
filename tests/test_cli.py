"""The command line as a user runs it: `python -m bot ...` in a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.demo import raise_germany, run_demo

FEEDS = PROJECT_ROOT / "feeds"
STATE_DEPT = FEEDS / "us-state-dept-TAsTWs-2025-10-07.trimmed.xml"
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
    assert "Filipinas" in text  # Carmen, Spanish
    assert "0 messages queued, 0 sent: an unchanged feed sends nothing." in text
