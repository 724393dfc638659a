"""Acceptance: every file in feeds/ parses through `python -m bot parse KIND FILE`, and each
item comes out with the right countries and severity.

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

from tests.sources.sample_fields import FEEDS, KINDS, derive

PROJECT_ROOT = FEEDS.parent
EXPECTED = Path(__file__).resolve().parent / "expected"


def table(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    return data


def parse_with_the_cli(kind: str, name: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "parse", kind, str(FEEDS / name)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "skipped" not in result.stderr, result.stderr  # no item left out as a problem
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_sample_has_a_kind_and_a_table():
    samples = {path.name for path in FEEDS.iterdir() if path.suffix != ".md"}
    assert samples == set(KINDS)
    assert {path.name.removesuffix(".json") for path in EXPECTED.glob("*.json")} == samples


@pytest.mark.parametrize("name", sorted(KINDS))
def test_cli_output_matches_the_table_item_by_item(name: str):
    expected = table(name)
    assert expected["kind"] == KINDS[name]
    printed = parse_with_the_cli(KINDS[name], name)
    got = [(a["id"], sorted(a["countries"]), a["severity"]) for a in printed]
    want = [(r["id"], r["countries"], r["severity"]) for r in expected["rows"]]
    assert [item[0] for item in got] == [item[0] for item in want]  # the same items, in order
    wrong = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
    assert wrong == [], "items whose countries or severity differ (got, expected)"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_table_agrees_with_the_samples_own_fields(name: str):
    """Severity and id always follow from the source's fields; countries too, unless a
    note explains what a person added (never anything the fields contradict)."""
    rows = table(name)["rows"]
    derived = derive(name)
    assert [row["id"] for row in rows] == [item.id for item in derived]
    for row, item in zip(rows, derived, strict=True):
        assert row["severity"] == item.severity, row["id"]
        assert row["countries"] == sorted(set(row["countries"])), row["id"]
        assert row["countries"], row["id"]
        if "note" in row:
            assert item.countries <= set(row["countries"]), row["id"]
            assert set(row["countries"]) != item.countries, f"{row['id']}: note not needed"
        else:
            assert set(row["countries"]) == item.countries, row["id"]


def test_judgment_is_the_exception():
    """Most rows follow from the fields alone; the notes stay few enough to review."""
    rows = [row for name in KINDS for row in table(name)["rows"]]
    judged = [row for row in rows if "note" in row]
    assert len(rows) == 322 and len(judged) == 19
