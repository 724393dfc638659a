"""`python -m bot run` as a real process against the stand-in, for signal and log tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.standin import StandIn


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_path: Path

    async def terminate(self, timeout: float = 20.0) -> int:
        """SIGTERM, then wait for a clean exit; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


async def start_bot(
    standin: StandIn, database: Path, sources: str, log_path: Path, **extra: str
) -> BotProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(PROJECT_ROOT),
        "TELEGRAM_BOT_TOKEN": standin.token,
        "BOT_API_URL": standin.base_url,
        "DATABASE_URL": f"sqlite:///{database}",
        "SOURCES": sources,
        "POLL_INTERVAL_SECONDS": "3600",
        **extra,
    }
    log = log_path.open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    log.close()
    return BotProcess(process, log_path)
