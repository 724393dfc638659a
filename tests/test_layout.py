"""The domain does not know Telegram: only the chat handlers, the wiring and the Telegram
edge of delivery and operations may import it. A broadcast must go through a command, a
file or a test alike, and that holds only while the domain stays free of the transport."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"

# Where python-telegram-bot is allowed, and why.
TELEGRAM_EDGE = {
    "chat",  # the handlers: updates in, replies out
    "standin",  # the local Bot API stand-in speaks the wire format
    "app.py",  # builds the Application
    "delivery/sender.py",  # the one place that calls the Bot API to send
    "ops/webhook.py",  # receives updates over HTTP
}
# The domain: none of these may import Telegram, directly or under another name.
DOMAIN = ("alerts.py", "changes.py", "matching.py", "countries", "render", "sources", "desks")


def _telegram_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name == "telegram" or name.startswith("telegram.")]
    return found


def _relative(path: Path) -> str:
    return path.relative_to(BOT).as_posix()


def _on_the_edge(relative: str) -> bool:
    return any(relative == edge or relative.startswith(edge + "/") for edge in TELEGRAM_EDGE)


def test_only_the_telegram_edge_imports_telegram() -> None:
    offenders = {
        _relative(path): names
        for path in sorted(BOT.rglob("*.py"))
        if (names := _telegram_imports(path)) and not _on_the_edge(_relative(path))
    }
    assert offenders == {}


def test_the_domain_is_really_checked() -> None:
    """The check above must see the domain's files, or it proves nothing."""
    checked = {_relative(path) for path in BOT.rglob("*.py")}
    for part in DOMAIN:
        assert any(name == part or name.startswith(part + "/") for name in checked), part
        assert not _on_the_edge(part)


def test_the_detector_finds_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom telegram.error import Forbidden\nimport telegram\n")
    assert _telegram_imports(sample) == ["telegram.error", "telegram"]


def test_no_two_test_modules_share_a_name() -> None:
    """pytest imports test modules by their bare name here: a second `test_x.py` in another
    folder stops the whole run at collection."""
    names: dict[str, list[str]] = {}
    for path in (BOT.parent / "tests").rglob("test_*.py"):
        names.setdefault(path.name, []).append(path.parent.name)
    assert {name: folders for name, folders in names.items() if len(folders) > 1} == {}
