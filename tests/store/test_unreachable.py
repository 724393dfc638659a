"""A DATABASE_URL that names no reachable database stops start-up with one line naming it,
as every other bad setting does (`python -m bot run` in a subprocess, as a user runs it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from bot.config import PROJECT_ROOT


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_bot(database_url: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, TELEGRAM_BOT_TOKEN="1:x", DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=environment,
        timeout=60,
    )


def test_unreachable_postgresql_stops_start_up_with_one_line_naming_database_url() -> None:
    url = f"postgresql://travelbot:s3cret@127.0.0.1:{closed_port()}/travelbot"
    result = run_bot(url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: DATABASE_URL: cannot connect")
    assert "127.0.0.1" in lines[0] and "/travelbot" in lines[0]
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr
