"""Splitting long HTML messages on paragraph boundaries without breaking tags."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.plain import to_plain
from bot.delivery.split import MESSAGE_LIMIT, split_message, visible_length
from bot.standin.html_check import parse_html


def test_short_message_is_left_whole() -> None:
    assert split_message("<b>Level 4</b>: do not travel") == ["<b>Level 4</b>: do not travel"]


def test_long_message_splits_on_paragraph_boundaries() -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 30 for i in range(40)]
    parts = split_message("\n\n".join(p.strip() for p in paragraphs), limit=500)

    assert len(parts) > 1
    assert all(visible_length(part) <= 500 for part in parts)
    assert all(part.startswith("Paragraph") for part in parts)
    assert " ".join(parts).count("Paragraph") == 40


def test_tag_open_at_a_cut_is_closed_and_reopened() -> None:
    text = '<b>Summary</b>\n\n<a href="https://x.example/a">' + "danger " * 100 + "</a>"
    parts = split_message(text, limit=300)

    assert len(parts) >= 2
    for part in parts:
        parse_html(part)  # Telegram's rules: raises on an unbalanced tag
    assert parts[0].startswith("<b>Summary</b>")
    assert parts[0].endswith("</a>")
    assert parts[1].startswith('<a href="https://x.example/a">danger')


def test_entities_count_as_one_character_and_are_never_cut() -> None:
    text = "&amp;" * 5000
    parts = split_message(text)

    assert visible_length(text) == 5000
    assert [visible_length(p) for p in parts] == [MESSAGE_LIMIT, 5000 - MESSAGE_LIMIT]
    assert "".join(parts) == text


def test_characters_outside_the_basic_plane_count_twice() -> None:
    assert visible_length("🌋") == 2
    parts = split_message("🌋" * 3000)
    assert all(visible_length(p) <= MESSAGE_LIMIT for p in parts)
    assert "".join(parts) == "🌋" * 3000


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "b", "i", "code"]),
            st.text(alphabet="abc é&<>\n🌋", min_size=1, max_size=80),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=20, max_value=200),
)
def test_every_part_fits_parses_and_keeps_the_words(
    pieces: list[tuple[str, str]], limit: int
) -> None:
    import html

    markup = "\n\n".join(
        f"<{tag}>{html.escape(text, quote=False)}</{tag}>" if tag else html.escape(text)
        for tag, text in pieces
    )
    parts = split_message(markup, limit=limit)

    for part in parts:
        assert visible_length(part) <= limit
        parse_html(part)
    words = "".join(to_plain(markup).split())
    assert "".join("".join(to_plain(p).split()) for p in parts) == words
