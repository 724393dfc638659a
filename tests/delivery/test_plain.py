"""The plain-text fallback keeps the words and the links, and Telegram accepts it."""

from __future__ import annotations

from bot.delivery.plain import as_safe_html, to_plain
from bot.standin import parse_html


def test_tags_go_entities_are_decoded_and_link_targets_stay() -> None:
    markup = '<b>Level 4</b> &amp; more: <a href="https://t.example/fr">advice</a>'
    assert to_plain(markup) == "Level 4 & more: advice (https://t.example/fr)"


def test_broken_html_still_gives_its_text() -> None:
    assert to_plain("<b>Do not <i>travel</b> to a < b <p>zone") == "Do not travel to a < b zone"


def test_the_safe_form_parses_as_telegram_html_with_the_same_text() -> None:
    markup = "<b>x &lt; y</b><br>and <unknown>z</unknown> & w"
    safe = as_safe_html(markup)
    assert parse_html(safe).text == to_plain(markup) == "x < y\nand z & w"
