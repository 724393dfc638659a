"""Command line: `python -m bot run | demo | parse | diff | sources | backup`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, load_settings
from bot.logs import configure_logging

if TYPE_CHECKING:
    from bot.store.sources import SourceHealth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Travel risk notifications for Telegram."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot (needs TELEGRAM_BOT_TOKEN)")
    demo = commands.add_parser("demo", help="run offline against sample feeds and a stand-in")
    demo.add_argument("--quiet", action="store_true", help="print only the messages")
    parse = commands.add_parser("parse", help="print the normalised alerts of a feed file")
    parse.add_argument("kind", help="source kind, e.g. us-state")
    parse.add_argument("file", type=Path)
    diff = commands.add_parser("diff", help="what a poll of NEW after OLD would announce")
    diff.add_argument("kind")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument(
        "--at",
        type=_moment,
        default=None,
        metavar="TIME",
        help="poll as if at this ISO 8601 time (default: now); decides what has expired",
    )
    commands.add_parser("sources", help="health of each configured source")
    backup = commands.add_parser("backup", help="copy the database, safely while the bot runs")
    backup.add_argument("path", type=Path, help="where to write the copy (must not exist)")
    args = parser.parse_args(argv)

    try:
        if args.command == "run":
            return _run()
        if args.command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(sys.stdout, verbose=not args.quiet))
        if args.command == "parse":
            return _parse(args.kind, args.file)
        if args.command == "diff":
            return asyncio.run(_diff(args.kind, args.old, args.new, args.at or datetime.now(UTC)))
        if args.command == "sources":
            return asyncio.run(_sources())
        if args.command == "backup":
            return _backup(args.path)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    return 1


def _moment(text: str) -> datetime:
    """An ISO 8601 time on the command line; without a zone it is UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run() -> int:
    settings = load_settings(require_token=True)
    configure_logging(
        level=settings.log_level, json_lines=settings.log_json, secrets=[settings.token or ""]
    )
    from bot.app import build_runtime
    from bot.ops.heap import freeze_start_up_objects

    async def serve() -> None:
        runtime = await build_runtime(settings)
        frozen = freeze_start_up_objects()
        logging.getLogger(__name__).info("start-up objects kept out of collections: %s", frozen)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await runtime.start()
        try:
            await stop.wait()
        finally:
            await runtime.stop()

    asyncio.run(serve())
    return 0


def _backup(path: Path) -> int:
    from bot.ops.backup import BackupError, backup_database

    settings = load_settings()
    if not settings.database_url.startswith("sqlite:///"):
        print("backup copies SQLite databases; for PostgreSQL use pg_dump", file=sys.stderr)
        return 2
    try:
        report = backup_database(settings.sqlite_path, path)
    except BackupError as error:
        print(f"backup: {error}", file=sys.stderr)
        return 1
    print(f"backup written to {report.path} ({report.bytes} bytes)")
    return 0


def _read_feed(kind: str, path: Path) -> tuple[object, bytes] | None:
    from bot.sources.registry import adapter_for

    try:
        adapter = adapter_for(kind)
    except KeyError as error:
        print(f"unknown source kind: {error.args[0]}", file=sys.stderr)
        return None
    try:
        return adapter, path.read_bytes()
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}", file=sys.stderr)
        return None


def _parse(kind: str, path: Path) -> int:
    from bot.sources.base import SourceAdapter, SourceError
    from bot.sources.serialise import alert_to_json

    loaded = _read_feed(kind, path)
    if loaded is None:
        return 2
    adapter, body = loaded
    assert isinstance(adapter, SourceAdapter)
    try:
        feed = adapter.parse(body, source=kind)
    except SourceError as error:
        print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    for alert in feed.alerts:
        print(json.dumps(alert_to_json(alert), ensure_ascii=False))
    for problem in feed.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 0


async def _diff(kind: str, old_path: Path, new_path: Path, now: datetime) -> int:
    """Record OLD then NEW in a scratch database through the bot's own change detection.

    Prints every announcement, then every alert that expired (recorded, never sent).
    """
    from bot.sources.base import SourceAdapter, SourceError
    from bot.sources.serialise import alert_to_json
    from bot.store.alerts import record_poll, record_poll_changes
    from bot.store.database import Database

    feeds = []
    for path in (old_path, new_path):
        loaded = _read_feed(kind, path)
        if loaded is None:
            return 2
        adapter, body = loaded
        assert isinstance(adapter, SourceAdapter)
        try:
            feeds.append(adapter.parse(body, source=kind))
        except SourceError as error:
            print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as scratch:
        db = await Database.open(Path(scratch) / "diff.sqlite3")
        try:
            await record_poll(db, kind, feeds[0].alerts, now=now)
            changes = await record_poll_changes(db, kind, feeds[1].alerts, now=now)
        finally:
            await db.close()
    announcements = [item.announcement for item in changes.announced] + changes.expired
    for announcement in announcements:
        entry = alert_to_json(announcement.alert)
        entry["change"] = str(announcement.change)
        if announcement.previous_severity is not None:
            entry["previous_severity"] = int(announcement.previous_severity)
        if announcement.what_changed:
            entry["what_changed"] = list(announcement.what_changed)
        print(json.dumps(entry, ensure_ascii=False))
    return 0


async def _sources() -> int:
    from bot.store import sources as source_store
    from bot.store.database import Database

    settings = load_settings()
    db = await Database.open(settings.database_url)
    try:
        print(
            f"{'source':<18} {'kind':<17} {'state':<9} {'last attempt':<20} "
            f"{'last success':<20} {'fails':>5} {'backoff until':<20} {'items':>6} "
            f"{'problems':>8}  last error, else the first item problem"
        )
        for source in settings.sources:
            health = await source_store.get_health(db, source.name)
            print(
                f"{source.name:<18} {source.kind:<17} {_state(source.enabled, health):<9} "
                f"{_when(health.last_attempt):<20} {_when(health.last_success):<20} "
                f"{health.consecutive_failures:>5} {_when(health.next_attempt_at):<20} "
                f"{health.items_seen:>6} {health.item_problems:>8}  "
                f"{health.last_error or health.first_item_problem or ''}"
            )
    finally:
        await db.close()
    return 0


def _state(enabled: bool, health: SourceHealth) -> str:
    if not enabled:
        return "off"
    if health.paused:
        return "paused"
    if health.consecutive_failures:
        return "failing"
    return "ok" if health.last_success else "new"


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


if __name__ == "__main__":
    sys.exit(main())
