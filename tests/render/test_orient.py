"""`orient`: chat replies laid out right to left for Arabic readers, untouched otherwise."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from bot.render.text import FIRST_STRONG_ISOLATE as FSI
from bot.render.text import POP_DIRECTIONAL_ISOLATE as PDI
from bot.render.text import RIGHT_TO_LEFT_MARK as RLM
from bot.render.text import orient


def test_left_to_right_reply_is_left_alone() -> None:
    text = "<b>What I can do</b>\n/help: this message"
    assert orient(text, right_to_left=False) == text


def test_each_line_starts_with_a_right_to_left_mark_and_latin_runs_are_isolated() -> None:
    text = "<b>ما يمكنني فعله</b>\n/help: هذه الرسالة\n\n• GDACS: كل 5 دقائق"
    assert orient(text, right_to_left=True) == (
        f"{RLM}<b>ما يمكنني فعله</b>\n{RLM}{FSI}/help{PDI}: هذه الرسالة\n\n"
        f"{RLM}• {FSI}GDACS{PDI}: كل 5 دقائق"
    )


def test_a_latin_phrase_stays_whole_but_a_date_after_it_stays_arabic() -> None:
    line = "فيضان: Flood in Bosnia &amp; Herzegovina, Level 2, 18\u200f/11\u200f/2026"
    assert orient(line, right_to_left=True) == (
        f"{RLM}فيضان: {FSI}Flood in Bosnia &amp; Herzegovina, Level 2{PDI}, 18\u200f/11\u200f/2026"
    )


def test_tags_attributes_and_code_are_untouched() -> None:
    text = 'جرب <code>/place Nice, France</code> · <a href="https://x.org/Nice">Nice</a>'
    assert orient(text, right_to_left=True) == (
        f'{RLM}جرب <code>/place Nice, France</code> · <a href="https://x.org/Nice">'
        f"{FSI}Nice{PDI}</a>"
    )


@given(st.text(max_size=200))
def test_orienting_twice_changes_nothing_more_and_keeps_the_text(text: str) -> None:
    escaped = html.escape(text.replace(FSI, "").replace(PDI, "").replace(RLM, ""))
    once = orient(escaped, right_to_left=True)
    assert orient(once, right_to_left=True) == once
    assert once.replace(FSI, "").replace(PDI, "").replace(RLM, "") == escaped
