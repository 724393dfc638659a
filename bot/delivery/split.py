"""Splitting an HTML message over Telegram's 4,096 characters into several that fit.

Telegram counts the text after entity parsing (tags do not count, `&amp;` is one
character) in UTF-16 code units. Cuts fall on paragraph breaks where possible, then line
breaks, then spaces; tags open at a cut are closed at the end of one part and opened again
at the start of the next, so every part is valid HTML on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


@dataclass(frozen=True, slots=True)
class _Atom:
    raw: str
    width: int  # visible UTF-16 code units; 0 for a tag
    opens: str | None = None  # tag name this atom opens
    closes: str | None = None  # tag name this atom closes


def visible_length(markup: str) -> int:
    """What Telegram counts against the limit."""
    return sum(atom.width for atom in _atoms(markup))


def split_message(markup: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`markup` as one or more parts, each at most `limit` visible characters."""
    if len(markup) * 2 <= limit or _utf16_length(markup) <= limit:
        return [markup]  # even counting its tags it fits: the usual case, kept cheap
    atoms = _atoms(markup)
    if sum(a.width for a in atoms) <= limit:
        return [markup]
    parts: list[str] = []
    start = 0
    while start < len(atoms):
        end = _cut(atoms, start, limit)
        opened = _open_tags(atoms[:start])
        still_open = _open_tags(atoms[:end])
        body = "".join(a.raw for a in atoms[start:end])
        if any(a.width and not a.raw.isspace() for a in atoms[start:end]):
            reopen = "".join(raw for _, raw in opened)
            close = "".join(f"</{name}>" for name, _ in reversed(still_open))
            parts.append((reopen + body.strip("\n") + close).strip())
        start = end
    return parts


def _cut(atoms: list[_Atom], start: int, limit: int) -> int:
    """Where the part beginning at `start` should end (exclusive)."""
    width = 0
    end = start
    while end < len(atoms) and width + atoms[end].width <= limit:
        width += atoms[end].width
        end += 1
    if end >= len(atoms):
        return end
    # A paragraph break in the first half would leave a stub (a heading alone): prefer a
    # later line break or space then, and take the stub only when there is nothing else.
    cuts = [_last_break(atoms, start, end, breaker) for breaker in ("\n\n", "\n", " ")]
    half = start + (end - start) // 2
    for cut in cuts:
        if cut is not None and cut > half:
            return cut
    for cut in cuts:
        if cut is not None:
            return cut
    return max(end, start + 1)


def _last_break(atoms: list[_Atom], start: int, end: int, breaker: str) -> int | None:
    """The index just after the last `breaker` in atoms[start:end], past the first atom."""
    size = len(breaker)
    for i in range(end, start + size, -1):
        if "".join(a.raw for a in atoms[i - size : i]) == breaker:
            return i
    return None


def _open_tags(atoms: list[_Atom]) -> list[tuple[str, str]]:
    stack: list[tuple[str, str]] = []
    for atom in atoms:
        if atom.opens:
            stack.append((atom.opens, atom.raw))
        elif atom.closes:
            for i in range(len(stack) - 1, -1, -1):
                if stack[i][0] == atom.closes:
                    del stack[i:]
                    break
    return stack


def _atoms(markup: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(markup):
        raw = match.group()
        if raw.startswith("<") and len(raw) > 1:
            name = _TAG_NAME.match(raw)
            tag = name.group(1).lower() if name else None
            if raw.startswith("</"):
                atoms.append(_Atom(raw, 0, closes=tag))
            elif raw.endswith("/>"):
                atoms.append(_Atom(raw, 0))
            else:
                atoms.append(_Atom(raw, 0, opens=tag))
        elif raw.startswith("&") and len(raw) > 1:
            atoms.append(_Atom(raw, 1))
        else:
            atoms.append(_Atom(raw, 2 if ord(raw) > 0xFFFF else 1))
    return atoms


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
