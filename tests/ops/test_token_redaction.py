"""The bot token is never written: not in a run's logs at DEBUG (python-telegram-bot's and
httpx's request logs included), not in tracebacks, not in the database."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from bot.logs import configure_logging
from bot.standin import StandIn
from tests.conftest import FeedServer
from tests.ops.botprocess import start_bot
from tests.ops.conftest import STATE_FEED

TOKEN = "777000111:AAE-very-Secret_token-Value"
SECRET_PART = TOKEN.split(":", 1)[1]


async def test_a_debug_run_writes_no_token_anywhere(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with StandIn(token=TOKEN) as standin:
        sources = f"us-state=us-state@{feed_server.url(STATE_FEED)}"
        bot = await start_bot(
            standin,
            database,
            sources,
            tmp_path / "run.log",
            LOG_LEVEL="DEBUG",
            LOG_JSON="true",
            HTTP_PORT="0",
            HTTP_LISTEN="127.0.0.1",
        )
        standin.user_message(6000, "/subscribe Germany")
        await standin.wait_for(
            lambda m: "Germany" in m.text and "follow" in m.text, chat_id=6000, timeout=30
        )
        await standin.wait_for(lambda m: "travel.state.gov" in m.text, chat_id=6000, timeout=30)
        assert await bot.terminate() == 0
    logs = bot.logs()
    assert "getUpdates" in logs or "get_updates" in logs  # request logging was on
    assert SECRET_PART not in logs and TOKEN not in logs
    for path in tmp_path.iterdir():
        assert SECRET_PART.encode() not in path.read_bytes(), path.name
    assert_json_lines(logs)


def assert_json_lines(logs: str) -> list[dict[str, object]]:
    """LOG_JSON: every line is one JSON object with the documented keys, and no token."""
    entries: list[dict[str, object]] = []
    for line in logs.splitlines():
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        assert {"time", "level", "logger", "message"} <= entry.keys(), line
        assert set(entry) <= {"time", "level", "logger", "message", "exception"}, line
        assert datetime.fromisoformat(str(entry["time"])).tzinfo is not None, line
        text = json.dumps(entry, ensure_ascii=False)
        assert SECRET_PART not in text and SECRET_PART not in line, line
        entries.append(entry)
    assert entries
    return entries


@pytest.mark.parametrize("json_lines", [False, True])
def test_token_in_a_traceback_or_a_request_log_is_masked(
    json_lines: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(level="DEBUG", json_lines=json_lines, secrets=[TOKEN])
        url = f"https://api.telegram.org/bot{TOKEN}/getMe"
        logging.getLogger("httpx").warning("HTTP Request: POST %s", url)
        try:
            raise httpx.ConnectError(f"cannot reach {url}")
        except httpx.ConnectError:
            logging.getLogger("telegram.ext.Updater").exception("network trouble")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    written = stream.getvalue()
    assert "network trouble" in written and "bot***/getMe" in written
    assert SECRET_PART not in written
    if json_lines:
        request, trouble = assert_json_lines(written)
        assert request["level"] == "WARNING" and "bot***/getMe" in str(request["message"])
        assert trouble["message"] == "network trouble"
        assert "ConnectError" in str(trouble["exception"]) and "bot***" in str(trouble["exception"])
