"""JSON decoded a member at a time, so that a large document does not stop chat handlers.

Polls parse in worker threads, but `json.loads` holds the interpreter lock from the first
byte to the last: 10 MB (the NWS's active alerts, MeteoAlarm's answer for a country) keep
the event loop waiting about 0.1 s. Here the top level and the arrays and objects it holds
are walked in Python, and each of their members is decoded by the json module's own
scanner (`raw_decode`), so the lock can change hands between members. The result is the
one `json.loads` gives, and so are the errors (`json.JSONDecodeError`).
"""

from __future__ import annotations

import json
import re
from typing import Any

# Containers at these depths are walked member by member; deeper values are decoded whole.
_WALKED_DEPTHS = 2
_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # the white space JSON allows between tokens


def loads_in_steps(text: str) -> Any:
    """`json.loads(text)`, member by member near the top."""
    value, at = _value(text, _skip(text, 0), depth=0)
    at = _skip(text, at)
    if at != len(text):
        raise json.JSONDecodeError("Extra data", text, at)
    return value


def _value(text: str, at: int, *, depth: int) -> tuple[Any, int]:
    if depth < _WALKED_DEPTHS and at < len(text):
        if text[at] == "[":
            return _array(text, at, depth=depth)
        if text[at] == "{":
            return _object(text, at, depth=depth)
    return _DECODER.raw_decode(text, at)


def _array(text: str, at: int, *, depth: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        return items, at + 1
    while True:
        item, at = _value(text, at, depth=depth + 1)
        items.append(item)
        at, closed = _after_member(text, at, "]")
        if closed:
            return items, at


def _object(text: str, at: int, *, depth: int) -> tuple[dict[str, Any], int]:
    members: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        return members, at + 1
    while True:
        if not text.startswith('"', at):
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, at
            )
        key, at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        if not text.startswith(":", at):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
        members[key], at = _value(text, _skip(text, at + 1), depth=depth + 1)
        at, closed = _after_member(text, at, "}")
        if closed:
            return members, at


def _after_member(text: str, at: int, close: str) -> tuple[int, bool]:
    """Past the comma after a member and the white space after it, or past the `close`
    bracket that ends the container (True)."""
    at = _skip(text, at)
    if text.startswith(",", at):
        return _skip(text, at + 1), False
    if text.startswith(close, at):
        return at + 1, True
    raise json.JSONDecodeError("Expecting ',' delimiter", text, at)


def _skip(text: str, at: int) -> int:
    match = _WHITESPACE.match(text, at)
    return match.end() if match else at
