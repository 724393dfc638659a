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


# A run of Latin text inside a right-to-left reply: a command, a source's name, an English
# feed label. Words start with a Latin letter (or "/" for a command); a run goes on over
# spaces to words and numbers ("Level 2"), and over punctuation to words only ("Nice,
# France"), so a date after a comma stays with the Arabic around it. HTML entities are
# part of a word: an isolate must never split one.
_LATIN = "A-Za-z\u00c0-\u024f"
_ENTITY = r"&#?\w+;"
_WORD = rf"/?[{_LATIN}](?:[{_LATIN}0-9_@'’/+\-]|{_ENTITY}|[.:](?=[{_LATIN}0-9/]))*"
_NUMBER = r"[0-9](?:[0-9.:/\-]*[0-9])?"
_LATIN_RUN = re.compile(
    rf"{_WORD}(?:[ ]+(?:{_WORD}|{_NUMBER})|[ ]*(?:[,:;.!?—–\-/]|{_ENTITY})[ ]*{_WORD})*"
)
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*(\w+)")
_ISOLATED = re.compile(
    f"({FIRST_STRONG_ISOLATE}[^{POP_DIRECTIONAL_ISOLATE}]*{POP_DIRECTIONAL_ISOLATE})"
)
_VERBATIM_TAGS = ("code", "pre")


def orient(message: str, right_to_left: bool) -> str:
    """A chat reply (Telegram HTML) laid out for its reader's direction.

    In a right-to-left language every line starts with RLM, as `tidy` does for alerts, and
    each run of Latin text is isolated, as `isolate` does for feed text: "/help: ..." or
    "GDACS: ..." then still reads right to left. Text in <code> and <pre> is left as it
    is, so a command copied from an example still works. Applying it twice changes
    nothing more.
    """
    if not right_to_left or not message:
        return message
    pieces: list[str] = []
    verbatim = 0
    for piece in _TAG.split(message):
        tag = _TAG_NAME.match(piece)
        if tag is not None:
            if tag.group(2).lower() in _VERBATIM_TAGS:
                verbatim += -1 if tag.group(1) else 1
            pieces.append(piece)
        elif verbatim > 0:
            pieces.append(piece)
        else:
            pieces.append(_isolate_latin(piece))
    lines = "".join(pieces).split("\n")
    return "\n".join(
        line
        if not line.strip() or line.startswith(RIGHT_TO_LEFT_MARK)
        else RIGHT_TO_LEFT_MARK + line
        for line in lines
    )


def _isolate_latin(text: str) -> str:
    """Each Latin run in plain (already escaped) text wrapped in FSI…PDI, once."""
    parts = _ISOLATED.split(text)
    return "".join(
        part
        if part.startswith(FIRST_STRONG_ISOLATE)
        else _LATIN_RUN.sub(
            lambda run: f"{FIRST_STRONG_ISOLATE}{run.group(0)}{POP_DIRECTIONAL_ISOLATE}", part
        )
        for part in parts
    )
