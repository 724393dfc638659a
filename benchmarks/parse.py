"""How fast our adapters turn each feed sample into alerts, next to general feed parsers.

For every sample in feeds/ (one row per (file, kind) below), the median time of our
`parse` (XML or JSON reading *and* normalisation into `Alert`s) is put next to
feedparser's and fastfeedparser's time on the same bytes (RSS/Atom samples only: they
are feed parsers, not CAP or JSON readers), with our peak memory from tracemalloc.
The last line printed is one JSON object with every figure, for CI to compare.

    python benchmarks/parse.py [--runs N] [--quick]

Target: at least 10x faster than feedparser and no slower than fastfeedparser on every
RSS/Atom sample.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere in a clone
    sys.path.insert(0, str(ROOT))

from bot.sources.registry import ADAPTERS, adapter_for  # noqa: E402

FEEDS = ROOT / "feeds"

# (sample file, adapter kind, is an RSS/Atom feed that general feed parsers read)
SAMPLES: tuple[tuple[str, str, bool], ...] = (
    ("us-state-dept-TAsTWs-2025-10-07.trimmed.xml", "us-state", True),
    ("gdacs-rss-2019-12-30.xml", "gdacs", True),
    ("usgs-significant_month-2023-10-11.geojson", "usgs", False),
    ("canada-travel-voyage-index-alpha-eng-2014-10-02.json", "ca-travel", False),
    ("govuk-content-api-travel_advice-albania.example.json", "uk-fcdo", False),
    ("cap12-au-nsw-rfs-2011-10-05.cap.xml", "cap", False),
    ("nws-cap11-alert-2010-08-30.cap.xml", "cap", False),
    ("nws-cap11-atom-index-2010-08-31.atom", "cap", True),
)


@dataclass(frozen=True, slots=True)
class Row:
    file: str
    kind: str
    kilobytes: float
    alerts: int
    ours_ms: float
    peak_kib: float
    feedparser_ms: float | None
    fastfeedparser_ms: float | None

    @property
    def speedup_vs_feedparser(self) -> float | None:
        return None if self.feedparser_ms is None else self.feedparser_ms / self.ours_ms

    @property
    def ratio_vs_fastfeedparser(self) -> float | None:
        """fastfeedparser's time over ours: 1.0 is as fast, above 1 is faster."""
        return None if self.fastfeedparser_ms is None else self.fastfeedparser_ms / self.ours_ms


def median_ms(parsers: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """The median wall time of each parser over `runs` rounds, after one warm-up call.

    Rounds interleave the parsers so that a busy machine slows them all alike.
    """
    times: dict[str, list[float]] = {name: [] for name in parsers}
    for work in parsers.values():
        work()
    for _ in range(runs):
        for name, work in parsers.items():
            gc.disable()
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
            gc.enable()
    return {name: statistics.median(spent) * 1000 for name, spent in times.items()}


def peak_kib(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def competitors() -> dict[str, Callable[[bytes], Any]]:
    """The general feed parsers that are installed (the `test` extra has both)."""
    found: dict[str, Callable[[bytes], Any]] = {}
    try:
        import feedparser

        found["feedparser"] = feedparser.parse
    except ImportError:
        pass
    try:
        import fastfeedparser

        found["fastfeedparser"] = fastfeedparser.parse
    except ImportError:
        pass
    return found


def measure(file: str, kind: str, is_feed: bool, runs: int) -> Row:
    body = (FEEDS / file).read_bytes()
    adapter = adapter_for(kind)

    def ours() -> Any:
        return adapter.parse(body, source=kind)

    parsers: dict[str, Callable[[], Any]] = {"ours": ours}
    for name, parse in (competitors() if is_feed else {}).items():
        parsers[name] = partial(parse, body)
    timings = median_ms(parsers, runs)
    return Row(
        file=file,
        kind=kind,
        kilobytes=len(body) / 1024,
        alerts=len(ours().alerts),
        ours_ms=timings["ours"],
        peak_kib=peak_kib(ours),
        feedparser_ms=timings.get("feedparser"),
        fastfeedparser_ms=timings.get("fastfeedparser"),
    )


def _cell(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.2f}{suffix}"


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'sample':<54} {'kind':<10} {'KB':>6} {'alerts':>6} {'ours ms':>8} {'peak KiB':>9}"
        f" {'feedparser ms':>13} {'x faster':>8} {'fastfp ms':>9} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.file:<54} {row.kind:<10} {row.kilobytes:>6.0f} {row.alerts:>6}"
            f" {row.ours_ms:>8.2f} {row.peak_kib:>9.0f} {_cell(row.feedparser_ms):>13}"
            f" {_cell(row.speedup_vs_feedparser, 'x'):>8} {_cell(row.fastfeedparser_ms):>9}"
            f" {_cell(row.ratio_vs_fastfeedparser, 'x'):>6}"
        )


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=30, help="timed runs per parser (median)")
    options.add_argument("--quick", action="store_true", help="5 runs, for a smoke test")
    args = options.parse_args(argv)
    runs = 5 if args.quick else max(1, args.runs)

    rows = [measure(f, k, feed, runs) for f, k, feed in SAMPLES if k in ADAPTERS]
    print_table(rows)
    unregistered = sorted({k for _, k, _ in SAMPLES} - set(ADAPTERS))
    no_sample = sorted(set(ADAPTERS) - {k for _, k, _ in SAMPLES})
    if unregistered:
        print(f"not registered, not measured: {', '.join(unregistered)}")
    if no_sample:
        print(f"registered but no sample in feeds/: {', '.join(no_sample)}")

    speedups = [s for r in rows if (s := r.speedup_vs_feedparser) is not None]
    ratios = [q for r in rows if (q := r.ratio_vs_fastfeedparser) is not None]
    summary = {
        "runs": runs,
        "samples": [
            asdict(r)
            | {
                "speedup_vs_feedparser": r.speedup_vs_feedparser,
                "ratio_vs_fastfeedparser": r.ratio_vs_fastfeedparser,
            }
            for r in rows
        ],
        "kinds_without_sample": no_sample,
        "min_speedup_vs_feedparser": min(speedups) if speedups else None,
        "min_ratio_vs_fastfeedparser": min(ratios) if ratios else None,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
