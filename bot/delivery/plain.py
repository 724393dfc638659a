"""HTML to plain text, for when Telegram refuses our HTML ("can't parse entities").

A reader gets the words, and the address of every link, rather than nothing at all.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[str | None] = []
        self._link_text: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._links.append(dict(attrs).get("href"))
            self._link_text.append(len(self.parts))
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._links:
            href = self._links.pop()
            begin = self._link_text.pop()
            label = "".join(self.parts[begin:]).strip()
            if href and href != label:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def to_plain(markup: str) -> str:
    """The visible text of (possibly broken) HTML, entities decoded, link targets kept."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip()


def as_safe_html(markup: str) -> str:
    """The plain text of `markup`, escaped so that Telegram's HTML parser accepts it."""
    return html.escape(to_plain(markup), quote=False)
