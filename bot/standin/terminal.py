"""What a person would see of a bot message, as plain terminal text (for the demo)."""

from __future__ import annotations

from bot.standin.html_check import HtmlError, parse_html
from bot.standin.records import SentMessage


def render_for_terminal(message: SentMessage) -> str:
    """Telegram HTML as a reader sees it: formats dropped, links as `text (url)`, entities
    decoded, and the inline keyboard as `[ Button ] [ Button ]` rows."""
    text = message.text
    if (message.parse_mode or "").lower() == "html":
        try:
            text = _html_to_text(message.text)
        except HtmlError:
            text = message.text  # the server refused it; show what the bot tried to send
    lines = [text]
    for row in message.buttons():
        lines.append(" ".join(f"[ {button.get('text', '')} ]" for button in row))
    return "\n".join(lines)


def _html_to_text(html: str) -> str:
    parsed = parse_html(html)
    text = parsed.text
    inserts: dict[int, list[str]] = {}
    for span in parsed.spans:
        if span.kind == "text_link" and span.url and span.url != text[span.start : span.end]:
            inserts.setdefault(span.end, []).append(f" ({span.url})")
        elif span.kind in ("blockquote", "expandable_blockquote"):
            inserts.setdefault(span.start, []).append("│ ")
            for i in range(span.start, span.end - 1):
                if text[i] == "\n":
                    inserts.setdefault(i + 1, []).append("│ ")
    pieces: list[str] = []
    for i in range(len(text) + 1):
        pieces.extend(inserts.get(i, ()))
        if i < len(text):
            pieces.append(text[i])
    return "".join(pieces)
