"""The demo shows bot messages as a reader would see them."""

from __future__ import annotations

from bot.standin import SentMessage, render_for_terminal


def message(text: str, parse_mode: str | None = "HTML", markup: dict | None = None) -> SentMessage:
    return SentMessage(
        method="sendMessage",
        chat_id=1,
        message_id=1,
        text=text,
        plain_text=text,
        parse_mode=parse_mode,
        reply_markup=markup,
        reply_to_message_id=None,
        disable_notification=False,
        at=0.0,
    )


def test_formatting_is_dropped_and_entities_decoded() -> None:
    shown = render_for_terminal(message("<b>France</b> &amp; <i>Monaco</i>: level &lt;2&gt;"))
    assert shown == "France & Monaco: level <2>"


def test_links_show_their_address() -> None:
    html = 'See <a href="https://travel.gc.ca/fr">the advice</a> or https://x.org'
    assert render_for_terminal(message(html)) == (
        "See the advice (https://travel.gc.ca/fr) or https://x.org"
    )


def test_inline_keyboard_rows_become_bracketed_buttons() -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "Got it", "callback_data": "ack"}, {"text": "Mute", "callback_data": "m"}],
            [{"text": "Source", "url": "https://x.org"}],
        ]
    }
    assert render_for_terminal(message("Alert", markup=markup)) == (
        "Alert\n[ Got it ] [ Mute ]\n[ Source ]"
    )


def test_blockquote_lines_are_marked() -> None:
    shown = render_for_terminal(message("Advice:\n<blockquote>Avoid\nthe border</blockquote>"))
    assert shown == "Advice:\n│ Avoid\n│ the border"


def test_plain_text_is_left_alone() -> None:
    assert render_for_terminal(message("1 < 2 & <b>", parse_mode=None)) == "1 < 2 & <b>"
