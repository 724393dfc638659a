"""Acceptance: every file in feeds/ parses through `python -m bot parse KIND FILE`, and each
item comes out with the right countries and severity. So does every real capture of the
same sources in tests/sources/captures/, which the adapters were not written against.

"Right" is the committed table tests/sources/expected/<sample>.json, one row per item.
The table is not a dump of the bot's output: every row must agree with what the sample's
own fields say (tests/sources/sample_fields.py, read without the bot's code), and a row
may go beyond that only with a `note` saying why (a person's judgment: a name CLDR spells
differently, an advisory covering several territories).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.sources.sample_fields import (
    ALL_KINDS,
    CAPTURE_KINDS,
    CAPTURES,
    FEEDS,
    KINDS,
    derive,
    path_of,
)

PROJECT_ROOT = FEEDS.parent
EXPECTED = Path(__file__).resolve().parent / "expected"


def table(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    return data


def parse_with_the_cli(kind: str, name: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The alerts printed, and the problems reported (items left out or read oddly)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "parse", kind, str(path_of(name))],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    problems = [
        line.removeprefix("problem: ")
        for line in result.stderr.splitlines()
        if line.startswith("problem: ")
    ]
    return [json.loads(line) for line in result.stdout.splitlines()], problems


def test_every_sample_and_capture_has_a_kind_and_a_table():
    samples = {path.name for path in FEEDS.iterdir() if path.suffix != ".md"}
    captures = {path.name for path in CAPTURES.iterdir() if path.suffix != ".md"}
    assert samples == set(KINDS)
    assert captures == set(CAPTURE_KINDS)
    assert {path.name.removesuffix(".json") for path in EXPECTED.glob("*.json")} == (
        samples | captures
    )


@pytest.mark.parametrize("name", sorted(ALL_KINDS))
def test_cli_output_matches_the_table_item_by_item(name: str):
    expected = table(name)
    assert expected["kind"] == ALL_KINDS[name]
    printed, problems = parse_with_the_cli(ALL_KINDS[name], name)
    got = [(a["id"], sorted(a["countries"]), a["severity"]) for a in printed]
    want = [(r["id"], r["countries"], r["severity"]) for r in expected["rows"]]
    assert [item[0] for item in got] == [item[0] for item in want]  # the same items, in order
    wrong = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
    assert wrong == [], "items whose countries or severity differ (got, expected)"
    assert problems == expected.get("problems", [])  # no problem unless the table says


@pytest.mark.parametrize("name", sorted(ALL_KINDS))
def test_table_agrees_with_the_samples_own_fields(name: str):
    """Severity and id always follow from the source's fields; countries too, unless a
    note explains what a person added (never anything the fields contradict). An alert
    with no country at all (a quake in open ocean) is always explained."""
    rows = table(name)["rows"]
    derived = derive(name)
    assert [row["id"] for row in rows] == [item.id for item in derived]
    for row, item in zip(rows, derived, strict=True):
        assert row["severity"] == item.severity, row["id"]
        assert row["countries"] == sorted(set(row["countries"])), row["id"]
        if "note" in row:
            assert item.countries <= set(row["countries"]), row["id"]
            explained = set(row["countries"]) != item.countries or not row["countries"]
            assert explained, f"{row['id']}: note not needed"
        else:
            assert row["countries"], row["id"]
            assert set(row["countries"]) == item.countries, row["id"]


def test_judgment_is_the_exception():
    """Most rows follow from the fields alone; the notes stay few enough to review."""
    rows = [row for name in KINDS for row in table(name)["rows"]]
    judged = [row for row in rows if "note" in row]
    assert len(rows) == 322 and len(judged) == 18


def test_judgment_on_the_captures_is_explained_and_bounded():
    """Captures carry more notes (USGS names US states, not the country), all reviewed."""
    rows = [row for name in CAPTURE_KINDS for row in table(name)["rows"]]
    judged = [row for row in rows if "note" in row]
    assert len(rows) == 721 and len(judged) == 66
