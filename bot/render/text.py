"""Text helpers for Telegram messages: bidirectional isolation, clipping, clean lines."""

from __future__ import annotations

import re

from markupsafe import Markup

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
RIGHT_TO_LEFT_MARK = "\u200f"
ELLIPSIS = "…"

_BLANK_LINES = re.compile(r"\n{3,}")


def isolate(text: str, right_to_left: bool) -> str:
    """Wrap each line of feed text in FSI…PDI inside a right-to-left message.

    Without it, an English title inside an Arabic sentence drags its punctuation to the
    wrong end. Isolates end at a line break, so each line gets its own pair.
    """
    if not right_to_left or not text:
        return text
    lines = [
        f"{FIRST_STRONG_ISOLATE}{line}{POP_DIRECTIONAL_ISOLATE}" if line.strip() else line
        for line in str(text).split("\n")
    ]
    joined = "\n".join(lines)
    return Markup(joined) if isinstance(text, Markup) else joined


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis.

    Feed text is clipped before it is escaped: Telegram counts characters after parsing.
    """
    text = str(text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + ELLIPSIS


def tidy(message: str, right_to_left: bool) -> str:
    """Trailing spaces and runs of blank lines go; an RTL message gets RLM at line starts.

    The mark makes a line that begins with isolated Latin text still read right to left.
    """
    lines = [line.rstrip() for line in message.strip().split("\n")]
    if right_to_left:
        lines = [f"{RIGHT_TO_LEFT_MARK}{line}" if line else line for line in lines]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))
