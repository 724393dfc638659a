"""Telegram's HTML parse mode, checked the way the Bot API checks it.

The stand-in refuses what Telegram refuses, so a template that would fail in production fails
in a test first. It is deliberately a little stricter than Telegram on two points that only
hide mistakes: an unknown attribute and a bare `&` are errors here, while Telegram ignores the
attribute and keeps the `&`. The messages follow Telegram's ("Unsupported start tag "br" at
byte offset 5"); the Bot API prefixes them with "can't parse entities: ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[^\s=>/\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(r"([^\s=>/\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_END_TAG = re.compile(r"</\s*([a-zA-Z][a-zA-Z0-9-]*)\s*>")

# Tag -> entity type, from the Bot API's "HTML style" section.
_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
ALLOWED_TAGS = frozenset(_KINDS)


class HtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


@dataclass(frozen=True, slots=True)
class Span:
    """One formatted stretch of the visible text; `start`/`end` count code points."""

    kind: str
    start: int
    end: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedText:
    """What a reader sees: the text without tags, and where each format applies."""

    text: str
    spans: tuple[Span, ...] = ()

    def entities(self) -> list[dict[str, Any]]:
        """The spans as Bot API MessageEntity objects (offsets in UTF-16 code units)."""
        result: list[dict[str, Any]] = []
        for span in self.spans:
            offset = _utf16_length(self.text[: span.start])
            entity: dict[str, Any] = {
                "type": span.kind,
                "offset": offset,
                "length": _utf16_length(self.text[span.start : span.end]),
            }
            if span.url is not None:
                entity["url"] = span.url
            if span.language is not None:
                entity["language"] = span.language
            if span.custom_emoji_id is not None:
                entity["custom_emoji_id"] = span.custom_emoji_id
            result.append(entity)
        return result


@dataclass(slots=True)
class _Open:
    name: str
    attributes: dict[str, str]
    start: int


def parse_html(text: str) -> ParsedText:
    """Parse Telegram HTML into visible text and spans; raise HtmlError as Telegram would."""
    out: list[str] = []
    length = 0
    stack: list[_Open] = []
    spans: list[Span] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _ENTITY.match(text, i)
            if match is None:
                raise HtmlError(
                    f'Unsupported HTML entity or bare "&" at byte offset {_offset(text, i)}'
                )
            decoded = _decode_entity(match.group(1))
            out.append(decoded)
            length += len(decoded)
            i = match.end()
        elif text.startswith("</", i):
            match = _END_TAG.match(text, i)
            if match is None:
                raise HtmlError(f"Unclosed end tag at byte offset {_offset(text, i)}")
            name = match.group(1).lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {_offset(text, i)}")
            if stack[-1].name != name:
                raise HtmlError(
                    f"Unmatched end tag at byte offset {_offset(text, i)}, "
                    f'expected "</{stack[-1].name}>", found "</{name}>"'
                )
            opened = stack.pop()
            span = _span_for(opened, length, stack)
            if span is not None:
                spans.append(span)
            i = match.end()
        elif char == "<":
            opened, i = _start_tag(text, i, length)
            stack.append(opened)
        else:
            out.append(char)
            length += 1
            i += 1
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    return ParsedText("".join(out), tuple(spans))


def _start_tag(text: str, i: int, start: int) -> tuple[_Open, int]:
    """The tag opening at `i`, checked, and the index just after it."""
    match = _START_TAG.match(text, i)
    offset = _offset(text, i)
    if match is None:
        if i + 1 < len(text) and text[i + 1].isalpha():
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        raise HtmlError(f'Bare "<" at byte offset {offset}: write it as &lt;')
    name = match.group(1).lower()
    if name not in ALLOWED_TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset}')
    if match.group(3):
        raise HtmlError(f'Unsupported self-closing tag "{name}" at byte offset {offset}')
    attributes = {
        m.group(1).lower(): _unescape(m.group(2) or m.group(3) or m.group(4) or "")
        for m in _ATTRIBUTE.finditer(match.group(2))
    }
    _check_attributes(name, attributes, offset)
    return _Open(name, attributes, start), match.end()


def _check_attributes(name: str, attributes: dict[str, str], offset: int) -> None:
    allowed = {
        "a": {"href"},
        "span": {"class"},
        "tg-emoji": {"emoji-id"},
        "code": {"class"},
        "blockquote": {"expandable"},
    }.get(name, set())
    for attribute in attributes:
        if attribute not in allowed:
            raise HtmlError(
                f'Unsupported attribute "{attribute}" in tag "{name}" at byte offset {offset}'
            )
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise HtmlError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')
    language = attributes.get("class")
    if name == "code" and language is not None and not language.startswith("language-"):
        raise HtmlError(f'Unsupported class "{language}" in tag "code" at byte offset {offset}')


def _span_for(opened: _Open, end: int, outer: list[_Open]) -> Span | None:
    if end == opened.start:
        return None
    kind = _KINDS[opened.name]
    attrs = opened.attributes
    if kind == "code" and outer and outer[-1].name == "pre":
        # <pre><code class="language-x"> is one pre entity carrying the language.
        language = attrs.get("class", "").removeprefix("language-")
        outer[-1].attributes.setdefault("language", language)
        return None
    if kind == "text_link":
        if not attrs.get("href"):
            return Span("url", opened.start, end)  # <a> without href: the text is the link
        return Span(kind, opened.start, end, url=attrs["href"])
    if kind == "pre":
        return Span(kind, opened.start, end, language=attrs.get("language") or None)
    if kind == "custom_emoji":
        return Span(kind, opened.start, end, custom_emoji_id=attrs["emoji-id"])
    if kind == "blockquote" and "expandable" in attrs:
        return Span("expandable_blockquote", opened.start, end)
    return Span(kind, opened.start, end)


def _decode_entity(body: str) -> str:
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if not 0 < code <= 0x10FFFF:
            raise HtmlError(f"Invalid numeric HTML entity &{body};")
        return chr(code)
    return _NAMED[body]


def _unescape(value: str) -> str:
    return _ENTITY.sub(lambda m: _decode_entity(m.group(1)), value)


def _offset(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8"))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
