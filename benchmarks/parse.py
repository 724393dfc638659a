"""How fast our adapters turn each feed sample into alerts, next to general feed parsers.

For every sample in feeds/ (one row per (file, kind) below), the median time of our
`parse` (XML or JSON reading *and* normalisation into `Alert`s, HTML turned into text
included) is put next to feedparser's and fastfeedparser's time on the same bytes
(RSS/Atom samples only: they are feed parsers, not CAP or JSON readers). Also shown: our
time with the HTML left as it is (the like-for-like figure next to fastfeedparser, which
does not turn HTML into text), the peak Python memory of one parse, and how long the event
loop went without a turn while the sample was parsed in a worker thread, as polling does.
Notes say in words which target a sample misses; the last line printed is one JSON object
with every figure, for CI to compare.

    python benchmarks/parse.py [--runs N] [--quick] [--sample TEXT] [--captures] [--large-json]

`--captures` adds rows for the largest real captures in tests/sources/captures/ (whole
national feeds, where feeds/ holds trimmed or small ones); their figures are printed and
put in the JSON under "captures", apart from the targets, which are the feeds/ samples'.
`--large-json` measures how long a 10 MB JSON answer keeps the event loop waiting while a
worker thread decodes it (under "large_json").

Target: at least 10x faster than feedparser and no slower than fastfeedparser on every
RSS/Atom sample.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere in a clone
    sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from bot.countries import destination_countries, from_coordinates  # noqa: E402
from bot.ops.heap import freeze_start_up_objects  # noqa: E402
from bot.sources.base import SourceAdapter, load_json  # noqa: E402
from bot.sources.registry import ADAPTERS, adapter_for  # noqa: E402
from bot.sources.xml import parse_xml  # noqa: E402

FEEDS = ROOT / "feeds"
CAPTURES = ROOT / "tests" / "sources" / "captures"
TARGET_SPEEDUP_VS_FEEDPARSER = 10.0
TARGET_RATIO_VS_FASTFEEDPARSER = 1.0

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

# Real captures of whole feeds (tests/sources/captures/), timed with --captures.
CAPTURE_SAMPLES: tuple[tuple[str, str, bool], ...] = (
    ("us-state-dept-TAsTWs-2026-10-07.xml", "us-state", True),
    ("cap11-us-nws-atom-index-2018-08-15.atom", "cap", True),
    ("gdacs-rss-2024-12-10.xml", "gdacs", True),
    ("gdacs-rss_24h-2019-12-30.xml", "gdacs", True),
    ("cap12-eu-meteoalarm-germany-atom-index-2023-04-28.atom", "cap", True),
)


@dataclass(frozen=True, slots=True)
class Row:
    file: str
    kind: str
    kilobytes: float
    alerts: int
    ours_ms: float
    ours_html_as_is_ms: float | None
    peak_kib: float
    loop_lag_ms: float
    libxml2_ms: float | None
    feedparser_ms: float | None
    fastfeedparser_ms: float | None

    @property
    def speedup_vs_feedparser(self) -> float | None:
        return None if self.feedparser_ms is None else self.feedparser_ms / self.ours_ms

    @property
    def ratio_vs_fastfeedparser(self) -> float | None:
        """fastfeedparser's time over ours: 1.0 is as fast, above 1 is faster."""
        return None if self.fastfeedparser_ms is None else self.fastfeedparser_ms / self.ours_ms

    @property
    def html_as_is_ratio_vs_fastfeedparser(self) -> float | None:
        """The same ratio for our parse with the HTML left as it is, as fastfeedparser does."""
        if self.fastfeedparser_ms is None or self.ours_html_as_is_ms is None:
            return None
        return self.fastfeedparser_ms / self.ours_html_as_is_ms


def median_ms(parsers: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """The median wall time of each parser over `runs` rounds, after two warm-up calls.

    Rounds interleave the parsers so that a busy machine slows them all alike; the
    garbage collector is off while a call is timed (a full collection between calls would
    leave every call to start with cold caches).
    """
    times: dict[str, list[float]] = {name: [] for name in parsers}
    for work in parsers.values():
        work()
        work()
    gc.collect()
    for _ in range(runs):
        for name, work in parsers.items():
            gc.disable()
            start = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - start)
            gc.enable()
    return {name: statistics.median(spent) * 1000 for name, spent in times.items()}


def peak_kib(work: Callable[[], Any]) -> float:
    """Peak Python-heap memory of one call, in a run of its own: tracemalloc slows the
    code it watches, so it is never on while anything is timed. libxml2's own buffers are
    not Python allocations and are not counted."""
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def loop_lag_ms(work: Callable[[], Any], repeats: int = 5) -> float:
    """The longest the event loop waited for a turn while `work` ran `repeats` times in a
    worker thread (as `SourceAdapter.poll` parses), beyond a 1 ms sleep it asked for."""

    async def measure() -> float:
        def in_thread() -> None:
            for _ in range(repeats):
                work()

        task = asyncio.ensure_future(asyncio.to_thread(in_thread))
        worst = 0.0
        while not task.done():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            worst = max(worst, time.perf_counter() - start - 0.001)
        await task
        return worst * 1000

    return asyncio.run(measure())


# The functions of bot.sources.text an adapter module may use, and what stands in for each
# while HTML is left as it is.
_HTML_READERS: dict[str, Callable[[Any], Any]] = {
    "plain_text": lambda markup: markup,
    "plain_texts": list,
}


def reads_html(adapter: SourceAdapter) -> bool:
    """Whether the adapter's module turns HTML into text (`plain_text`, `plain_texts`)."""
    module = sys.modules[type(adapter).__module__]
    return any(hasattr(module, name) for name in _HTML_READERS)


@contextmanager
def html_left_as_is(adapter: SourceAdapter) -> Iterator[None]:
    """While active, the adapter's module reads HTML fields as they are, without turning
    them into text (the work fastfeedparser leaves undone)."""
    module = sys.modules[type(adapter).__module__]
    originals = {name: getattr(module, name) for name in _HTML_READERS if hasattr(module, name)}
    for name in originals:
        setattr(module, name, _HTML_READERS[name])
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(module, name, original)


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


def measure(file: str, kind: str, is_feed: bool, runs: int, folder: Path = FEEDS) -> Row:
    body = (folder / file).read_bytes()
    adapter = adapter_for(kind)

    def ours() -> Any:
        return adapter.parse(body, source=kind)

    def ours_html_as_is() -> Any:
        with html_left_as_is(adapter):
            return ours()

    parsers: dict[str, Callable[[], Any]] = {"ours": ours}
    if is_xml(file):
        parsers["libxml2"] = partial(parse_xml, body)
    if is_feed and reads_html(adapter):
        parsers["ours_html_as_is"] = ours_html_as_is
    for name, parse in (competitors() if is_feed else {}).items():
        parsers[name] = partial(parse, body)
    timings = median_ms(parsers, runs)
    return Row(
        file=file,
        kind=kind,
        kilobytes=len(body) / 1024,
        alerts=len(ours().alerts),
        ours_ms=timings["ours"],
        ours_html_as_is_ms=timings.get("ours_html_as_is"),
        peak_kib=peak_kib(ours),
        loop_lag_ms=loop_lag_ms(ours),
        libxml2_ms=timings.get("libxml2"),
        feedparser_ms=timings.get("feedparser"),
        fastfeedparser_ms=timings.get("fastfeedparser"),
    )


def is_xml(file: str) -> bool:
    return not file.endswith((".json", ".geojson"))


def environment() -> dict[str, str]:
    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_1min": f"{load:.2f}",
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "libxslt": ".".join(map(str, etree.LIBXSLT_VERSION)),
        "feedparser": version("feedparser"),
        "fastfeedparser": version("fastfeedparser"),
    }


def notes(rows: list[Row]) -> list[str]:
    """Each missed target in words, with the figures."""
    found = []
    for row in rows:
        speedup = row.speedup_vs_feedparser
        if speedup is not None and speedup < TARGET_SPEEDUP_VS_FEEDPARSER:
            found.append(
                f"{row.kind} ({row.file}): {speedup:.1f}x faster than feedparser, under the"
                f" {TARGET_SPEEDUP_VS_FEEDPARSER:.0f}x target"
            )
        ratio = row.ratio_vs_fastfeedparser
        if ratio is not None and ratio < TARGET_RATIO_VS_FASTFEEDPARSER:
            as_is = row.html_as_is_ratio_vs_fastfeedparser
            parts = [
                f"{row.kind} ({row.file}): slower than fastfeedparser, {row.ours_ms:.2f} ms"
                f" against {row.fastfeedparser_ms:.2f} ms (ratio {ratio:.2f}); fastfeedparser"
                " leaves HTML as it is and extracts entries with a compiled scanner, without"
                " building a tree"
            ]
            if as_is is not None:
                parts.append(
                    f"with the HTML left as it is ours takes {row.ours_html_as_is_ms:.2f} ms"
                    f" (ratio {as_is:.2f})"
                )
            floor, peer = row.libxml2_ms, row.fastfeedparser_ms
            if floor is not None and peer is not None and floor >= peer:
                parts.append(
                    f"libxml2 alone takes {floor:.2f} ms to read these bytes into a tree, longer"
                    " than fastfeedparser's whole parse"
                )
            elif floor is not None:
                parts.append(f"libxml2 alone reads these bytes in {floor:.2f} ms")
            found.append("; ".join(parts))
    return found


def _cell(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:.2f}{suffix}"


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'sample':<46} {'kind':<9} {'KB':>4} {'alerts':>6} {'ours ms':>8} {'as-is ms':>8}"
        f" {'peak KiB':>8} {'lag ms':>6} {'libxml2 ms':>10} {'feedparser ms':>13}"
        f" {'x faster':>8}"
        f" {'fastfp ms':>9} {'ratio':>6} {'as-is ratio':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.file[:46]:<46} {row.kind:<9} {row.kilobytes:>4.0f} {row.alerts:>6}"
            f" {row.ours_ms:>8.2f} {_cell(row.ours_html_as_is_ms):>8} {row.peak_kib:>8.0f}"
            f" {row.loop_lag_ms:>6.1f} {_cell(row.libxml2_ms):>10} {_cell(row.feedparser_ms):>13}"
            f" {_cell(row.speedup_vs_feedparser, 'x'):>8} {_cell(row.fastfeedparser_ms):>9}"
            f" {_cell(row.ratio_vs_fastfeedparser, 'x'):>6}"
            f" {_cell(row.html_as_is_ratio_vs_fastfeedparser, 'x'):>11}"
        )


def measure_large_json(repeats: int) -> dict[str, float]:
    """How long the event loop waits for a turn while a worker thread decodes a 10 MB JSON
    answer (MeteoAlarm's shape: the real Bosnian capture's warnings, 200 times), with
    `json.loads` at once and with `load_json`, member by member, and while it parses it
    whole with the `cap` adapter; the median and the worst of `repeats` runs of each. The
    objects the bot makes at start-up (country names, the gazetteer) are loaded first, as
    in the bot; the whole parse is measured again once they are frozen, as `python -m bot
    run` does (`bot/ops/heap.py`)."""
    destination_countries("Germany")
    from_coordinates(0.0, 0.0)
    capture = json.loads((CAPTURES / "cap12-ba-meteoalarm-api-json-2024-01-07.json").read_bytes())
    body = json.dumps({"warnings": capture["warnings"] * 200}).encode()

    async def longest_wait(work: Callable[[], Any]) -> float:
        task = asyncio.ensure_future(asyncio.to_thread(work))
        longest = 0.0
        while not task.done():
            started = time.perf_counter()
            await asyncio.sleep(0)
            longest = max(longest, time.perf_counter() - started)
        await task
        return longest * 1000

    waits: dict[str, list[float]] = {
        "json_loads": [], "load_json": [], "cap_parse": [], "cap_parse_frozen": []
    }  # fmt: skip
    parse = partial(adapter_for("cap").parse, body, source="cap")
    for _ in range(repeats):  # interleaved, so that a busy machine slows them all alike
        waits["json_loads"].append(asyncio.run(longest_wait(lambda: json.loads(body))))
        waits["load_json"].append(asyncio.run(longest_wait(lambda: load_json(body))))
        waits["cap_parse"].append(asyncio.run(longest_wait(parse)))
    freeze_start_up_objects()
    try:
        for _ in range(repeats):
            waits["cap_parse_frozen"].append(asyncio.run(longest_wait(parse)))
    finally:
        gc.unfreeze()
    figures = {"megabytes": len(body) / 1e6}
    for name, spent in waits.items():
        figures[f"{name}_median_wait_ms"] = statistics.median(spent)
        figures[f"{name}_worst_wait_ms"] = max(spent)
    print(
        f"large JSON ({figures['megabytes']:.1f} MB), longest wait of the event loop, median"
        f" / worst of {repeats}: json.loads {figures['json_loads_median_wait_ms']:.0f} /"
        f" {figures['json_loads_worst_wait_ms']:.0f} ms, load_json in steps"
        f" {figures['load_json_median_wait_ms']:.0f} / {figures['load_json_worst_wait_ms']:.0f}"
        f" ms, whole cap parse {figures['cap_parse_median_wait_ms']:.0f} /"
        f" {figures['cap_parse_worst_wait_ms']:.0f} ms, the same with the start-up objects"
        f" frozen {figures['cap_parse_frozen_median_wait_ms']:.0f} /"
        f" {figures['cap_parse_frozen_worst_wait_ms']:.0f} ms"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=30, help="timed runs per parser (median)")
    options.add_argument("--quick", action="store_true", help="5 runs, for a smoke test")
    options.add_argument(
        "--sample", default="", help="only the samples whose file name contains TEXT"
    )
    options.add_argument(
        "--captures", action="store_true", help="also time the large real captures"
    )
    options.add_argument(
        "--large-json",
        action="store_true",
        help="also measure how long a 10 MB JSON answer keeps the event loop waiting",
    )
    args = options.parse_args(argv)
    runs = 5 if args.quick else max(1, args.runs)

    context = environment()
    print(", ".join(f"{key} {value}" for key, value in context.items()))
    chosen = [(f, k, feed) for f, k, feed in SAMPLES if k in ADAPTERS and args.sample in f]
    rows = [measure(f, k, feed, runs) for f, k, feed in chosen]
    print_table(rows)
    unregistered = sorted({k for _, k, _ in SAMPLES} - set(ADAPTERS))
    no_sample = sorted(set(ADAPTERS) - {k for _, k, _ in SAMPLES})
    if unregistered:
        print(f"not registered, not measured: {', '.join(unregistered)}")
    if no_sample:
        print(f"registered but no sample in feeds/: {', '.join(no_sample)}")
    missed = notes(rows)
    for note in missed:
        print(f"note: {note}")
    captured: list[Row] = []
    if args.captures:
        chosen = [(f, k, feed) for f, k, feed in CAPTURE_SAMPLES if args.sample in f]
        captured = [measure(f, k, feed, runs, CAPTURES) for f, k, feed in chosen]
        print("real captures of whole feeds (tests/sources/captures/), apart from the targets:")
        print_table(captured)

    large_json = measure_large_json(5 if args.quick else 15) if args.large_json else None

    speedups = [s for r in rows if (s := r.speedup_vs_feedparser) is not None]
    ratios = [q for r in rows if (q := r.ratio_vs_fastfeedparser) is not None]
    as_is = [q for r in rows if (q := r.html_as_is_ratio_vs_fastfeedparser) is not None]
    min_speedup = min(speedups) if speedups else None
    min_ratio = min(ratios) if ratios else None
    summary = {
        "runs": runs,
        "environment": context,
        "samples": [
            asdict(r)
            | {
                "speedup_vs_feedparser": r.speedup_vs_feedparser,
                "ratio_vs_fastfeedparser": r.ratio_vs_fastfeedparser,
                "html_as_is_ratio_vs_fastfeedparser": r.html_as_is_ratio_vs_fastfeedparser,
            }
            for r in rows
        ],
        "kinds_without_sample": no_sample,
        "min_speedup_vs_feedparser": min_speedup,
        "min_ratio_vs_fastfeedparser": min_ratio,
        "min_html_as_is_ratio_vs_fastfeedparser": min(as_is) if as_is else None,
        "max_loop_lag_ms": max(r.loop_lag_ms for r in rows) if rows else None,
        "target_10x_feedparser_met": (
            None if min_speedup is None else min_speedup >= TARGET_SPEEDUP_VS_FEEDPARSER
        ),
        "target_fastfeedparser_met": (
            None if min_ratio is None else min_ratio >= TARGET_RATIO_VS_FASTFEEDPARSER
        ),
        "notes": missed,
        "captures": [
            asdict(r)
            | {
                "speedup_vs_feedparser": r.speedup_vs_feedparser,
                "ratio_vs_fastfeedparser": r.ratio_vs_fastfeedparser,
            }
            for r in captured
        ],
        "large_json": large_json,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
