"""Telegram's HTML rules: every documented tag passes, anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot
from telegram.error import BadRequest

from bot.standin import HtmlError, StandIn, parse_html

ALLOWED = [
    "<b>bold</b>",
    "<strong>bold</strong>",
    "<i>italic</i>",
    "<em>italic</em>",
    "<u>underline</u>",
    "<ins>underline</ins>",
    "<s>strike</s>",
    "<strike>strike</strike>",
    "<del>strike</del>",
    "<tg-spoiler>spoiler</tg-spoiler>",
    '<span class="tg-spoiler">spoiler</span>',
    '<a href="https://travel.state.gov/?a=1&amp;b=2">link</a>',
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    "<code>inline code</code>",
    "<pre>block</pre>",
    '<pre><code class="language-python">print()</code></pre>',
    "<blockquote>quote</blockquote>",
    "<blockquote expandable>long quote</blockquote>",
    "<b>bold <i>italic <u>both</u></i></b>",
    "1 &lt; 2 &gt; 0 &amp; &quot;q&quot; &#39; &#x1F600;",
    "a > b",
]

REFUSED = [
    ("line<br>break", 'Unsupported start tag "br"'),
    ("line<br/>break", 'Unsupported start tag "br"'),
    ("<p>paragraph</p>", 'Unsupported start tag "p"'),
    ("<div>block</div>", 'Unsupported start tag "div"'),
    ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>crossed</b></i>", 'expected "</i>", found "</b>"'),
    ("closed</b>", "Unexpected end tag"),
    ("1 < 2", 'Bare "<"'),
    ("Q&A", 'bare "&"'),
    ("&nbsp;", 'bare "&"'),
    ('<a href="x" title="t">x</a>', 'Unsupported attribute "title"'),
    ('<span class="red">x</span>', 'must have class "tg-spoiler"'),
    ("<b", "Unclosed start tag"),
]


@pytest.mark.parametrize("html", ALLOWED)
def test_every_documented_tag_is_accepted(html: str) -> None:
    assert parse_html(html).text


@pytest.mark.parametrize(("html", "reason"), REFUSED)
def test_tags_telegram_refuses_are_refused(html: str, reason: str) -> None:
    with pytest.raises(HtmlError, match=reason.replace("(", r"\(")):
        parse_html(html)


def test_visible_text_and_entities_match_the_bot_api() -> None:
    parsed = parse_html('<b>Level 4</b> 🇫🇷 <a href="https://x.org">advice</a>')
    assert parsed.text == "Level 4 🇫🇷 advice"
    assert parsed.entities() == [
        {"type": "bold", "offset": 0, "length": 7},
        # the flag is two code points, four UTF-16 code units
        {"type": "text_link", "offset": 13, "length": 6, "url": "https://x.org"},
    ]


def test_pre_with_language_is_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-csv">a,b</code></pre>')
    assert parsed.entities() == [{"type": "pre", "offset": 0, "length": 3, "language": "csv"}]


def test_error_offsets_count_utf8_bytes() -> None:
    with pytest.raises(HtmlError, match="byte offset 3"):
        parse_html("é <p>")


@given(st.text())
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert parse_html(escaped).text == text


async def test_send_message_refuses_bad_html_with_cant_parse_entities(
    standin: StandIn, bot: Bot
) -> None:
    standin.known_chat(1)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
        await bot.send_message(1, "a<br>b", parse_mode="HTML")
    assert standin.sent == []
    assert standin.requests[-1].status == 400


async def test_length_counts_visible_text_not_tags(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    fits = "<b>" + "x" * 4096 + "</b>"
    assert (await bot.send_message(1, fits, parse_mode="HTML")).text == "x" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "x" * 4097)


async def test_empty_text_is_refused(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(1, "<b> </b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes_is_refused(standin: StandIn, bot: Bot) -> None:
    standin.known_chat(1)
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "é" * 33}]]}
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(1, "x", reply_markup=markup)  # type: ignore[arg-type]
