"""The committed benchmarks still run: each, at a tiny scale, ends with the JSON line of
figures its documentation describes (the figures themselves are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_benchmark(script: str, *args: str) -> dict[str, Any]:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    last_line = finished.stdout.strip().splitlines()[-1]
    figures: dict[str, Any] = json.loads(last_line)
    return figures


def test_parse_benchmark_times_every_sample_next_to_both_feed_parsers() -> None:
    figures = run_benchmark("parse.py", "--runs", "1")

    rows = {row["file"]: row for row in figures["samples"]}
    assert len(rows) == 8
    assert all(row["alerts"] > 0 and row["ours_ms"] > 0 for row in rows.values())
    feeds = [row for row in rows.values() if row["feedparser_ms"] is not None]
    assert {row["kind"] for row in feeds} == {"us-state", "gdacs", "cap"}
    assert all(row["fastfeedparser_ms"] and row["libxml2_ms"] for row in feeds)
    assert figures["min_speedup_vs_feedparser"] == min(r["speedup_vs_feedparser"] for r in feeds)
    assert isinstance(figures["target_10x_feedparser_met"], bool)


def test_parse_benchmark_times_the_large_captures_apart_from_the_targets() -> None:
    figures = run_benchmark("parse.py", "--runs", "1", "--sample", "2024", "--captures")

    assert figures["samples"] == []  # no feeds/ sample has "2024" in its name
    [capture] = figures["captures"]
    assert capture["file"] == "gdacs-rss-2024-12-10.xml" and capture["alerts"] == 74
    assert capture["feedparser_ms"] > 0 and capture["speedup_vs_feedparser"] > 0
    assert figures["min_speedup_vs_feedparser"] is None


def test_parse_benchmark_measures_the_wait_for_a_large_json_answer() -> None:
    figures = run_benchmark("parse.py", "--quick", "--sample", "none", "--large-json")

    large = figures["large_json"]
    assert large["megabytes"] > 5
    for name in ("json_loads", "load_json", "cap_parse", "cap_parse_frozen"):
        assert 0 < large[f"{name}_median_wait_ms"] <= large[f"{name}_worst_wait_ms"]
    assert figures["samples"] == []


def test_parse_benchmark_can_time_one_sample() -> None:
    figures = run_benchmark("parse.py", "--runs", "1", "--sample", "gdacs")

    assert [row["kind"] for row in figures["samples"]] == ["gdacs"]


def test_match_benchmark_finds_the_readers_of_each_alert() -> None:
    figures = run_benchmark("match.py", "--scale", "0.001")

    for case in ("most_followed", "three_countries", "least_followed"):
        assert figures[case]["recipients"] > 0
        assert figures[case]["queued"] == figures[case]["recipients"]


def test_delivery_benchmark_loses_and_repeats_nothing() -> None:
    figures = run_benchmark("delivery.py", "--scale", "0.001", "--window", "2")

    for phase in ("paced", "ceiling_aiohttp", "ceiling_httpx"):
        assert figures[phase]["lost"] == 0
        assert figures[phase]["duplicates"] == 0
        assert figures[phase]["left_pending"] == 0


def test_storage_benchmark_measures_sqlite() -> None:
    figures = run_benchmark("storage.py", "--scale", "0.001")

    assert figures["sqlite"]["matching"]["recipients"] > 0
    assert figures["sqlite"]["outbox"]["per_second"] > 0
