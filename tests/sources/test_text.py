from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from bot.sources.text import (
    ELLIPSIS,
    FRAGMENTS_PER_PASS,
    _careful_plain_text,
    plain_text,
    plain_texts,
    shorten,
    summary,
)

STATE_DEPT_DESCRIPTION = (
    "<p><b><i>Reissued Language: There were no changes to the advisory level.</i></b></p>\n"
    "<p><b>Exercise increased caution</b> in <b>Maldives</b> due to <b>terrorism</b>.</p>\n"
    "<p><b>Advisory summary<br>\n</b>Terrorist groups may attack with little or no warning."
    " They may target:</p>\n<ul>\n<li>Tourist locations</li>\n<li>Transportation hubs</li>\n"
    "</ul>\n<p>Visit the CDC for the <a href='https://wwwnc.cdc.gov'>latest&nbsp;Travel Health"
    " Information</a>&nbsp;for the Maldives. Whether you&#8217;re a first time traveler.</p>"
)


def test_paragraphs_become_blank_lines_and_list_items_bullets():
    assert plain_text(STATE_DEPT_DESCRIPTION) == (
        "Reissued Language: There were no changes to the advisory level.\n\n"
        "Exercise increased caution in Maldives due to terrorism.\n\n"
        "Advisory summary\n"
        "Terrorist groups may attack with little or no warning. They may target:\n\n"
        "• Tourist locations\n"
        "• Transportation hubs\n\n"
        "Visit the CDC for the latest Travel Health Information for the Maldives."
        " Whether you’re a first time traveler."
    )


def test_a_sentence_the_markup_broke_in_two_is_one_paragraph():
    """The State Department opens nearly every advisory (200 of 223 in October 2026) with
    the level, then a paragraph that goes on with the sentence."""
    opening = "Exercise increased caution<p>in <b>Italy</b> due to <b>terrorism</b>.</p>"
    assert plain_text(opening + "<p>Terrorist groups plot attacks.</p>") == (
        "Exercise increased caution in Italy due to terrorism.\n\nTerrorist groups plot attacks."
    )
    # A paragraph after a finished sentence, or one that starts with a capital, stays one.
    assert plain_text("<p>Done.</p><p>then more</p>") == "Done.\n\nthen more"
    assert plain_text("<h2>Summary</h2><p>Travel is safe.</p>") == "Summary\n\nTravel is safe."
    assert plain_text("<p>Итог</p><p>в Москве</p>") == "Итог в Москве"


def test_entities_are_decoded_and_no_markup_survives():
    text = plain_text(
        "<p>Fish &amp; chips &lt;b&gt; &quot;here&quot; &#8211; &eacute;t&eacute;</p>"
    )
    assert text == 'Fish & chips <b> "here" – été'


def test_scripts_styles_and_comments_are_dropped_but_the_text_after_them_kept():
    text = plain_text(
        "<p>Before<script>alert('x')</script> after<style>p{}</style> end<!-- note --> tail</p>"
    )
    assert text == "Before after end tail"


def test_plain_text_input_is_returned_tidied():
    assert (
        plain_text("  Drought is on going\n in   Australia ") == "Drought is on going in Australia"
    )
    assert plain_text("") == ""
    assert plain_text("   ") == ""


def test_preformatted_text_keeps_its_paragraphs():
    """The NWS writes "* WHAT...", "* WHERE..." as paragraphs of plain text."""
    text = "* WHAT...Hurricane conditions.\r\n\r\n* WHERE...Acadia\n  and  Evangeline.\n \n\n"

    assert plain_text(text) == "* WHAT...Hurricane conditions.\n\n* WHERE...Acadia and Evangeline."
    assert plain_texts([text]) == [plain_text(text)]


def test_table_cells_are_separated():
    assert plain_text("<table><tr><td>Level</td><td>2</td></tr></table>") == "Level 2"


def test_summary_is_cut_on_a_word_boundary_with_an_ellipsis():
    cut = summary("<p>Exercise increased caution in Maldives due to terrorism.</p>", limit=30)
    assert cut == "Exercise increased caution in" + ELLIPSIS
    assert len(cut) <= 30


def test_short_text_is_not_cut():
    assert summary("<p>Level 1</p>", limit=30) == "Level 1"


def test_one_long_word_is_cut_inside_the_word():
    assert shorten("a" * 50, 10) == "a" * 9 + ELLIPSIS


def test_summary_keeps_the_change_note_first():
    assert summary(STATE_DEPT_DESCRIPTION).startswith("Reissued Language: There were no changes")


@given(st.text(max_size=300), st.integers(min_value=1, max_value=200))
def test_shorten_never_exceeds_the_limit(text, limit):
    cut = shorten(text, limit)
    assert len(cut) <= limit
    if len(text) <= limit:
        assert cut == text
    else:
        assert cut.endswith(ELLIPSIS)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_plain_text_of_any_text_has_no_tags_from_markup_and_no_edge_spaces(text):
    result = plain_text(f"<p>{text}</p>")
    assert result == result.strip()
    assert "\n\n\n" not in result


def test_literal_control_characters_are_dropped_and_breaks_kept():
    assert plain_text("<p>a\x01b</p><ul><li>c</li></ul>") == "ab\n\n• c"


def test_references_to_control_characters_give_the_text_without_breaks():
    assert plain_text("<p>a&#1;b</p><p>c</p>") == "abc"


def test_full_width_characters_keep_their_breaks():
    assert plain_text("<p>Ｆｕｌｌ</p><p>Width</p>") == "Ｆｕｌｌ\n\nWidth"


def test_threads_each_read_with_their_own_parser():
    fragments = [f"<p>Item {n}</p><ul><li>{n}</li></ul>" for n in range(200)]
    expected = [plain_text(fragment) for fragment in fragments]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(plain_text, fragments)) == expected


# Pieces of real-world and broken HTML, so that generated fragments hit block elements,
# stray end tags, entities, control characters and the characters used as break marks.
HTML_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<br>", "<br/>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "<td>",
        "</td>", "<th>", "<tr>", "<table>", "</table>", "<div>", "</div>", "<h2>", "</h2>",
        "<b>", "</b>", "<dt>", "<dd>", "<hr>", "<pre>  a  b </pre>", "<center>c</center>",
        "<script>x</script>", "<style>y</style>", "<template>t</template>", "<noscript>",
        "<!-- c -->", "<?pi x?>", "<head><title>t</title></head>", "<html>", "</html>",
        "<body>", "</body>", "<a href='y'>link</a>", "<img src=x>", "<P>", "<LI>",
        "<svg:p xmlns:svg='x'>", "<!DOCTYPE html>", "<![CDATA[x]]>", "<", ">", "&",
        "&amp;", "&nbsp;", "&nbsp", "&#8217;", "&#128;", "&#1;", "&#0;", "&#xFFFE;", "&lt;p&gt;",
        "\x01", "\x0b", "\x1c", "\x85", "\xa0", "\u202f", "\u3000", "\ufffe", "\ue000", "\ue001",
        " ", "\n", "\t", "\r\n", "word", "é", "•", "（", "😀", "\ue002", "&#xe002;",
        "<fragments>", "</fragments>",
    ]
)  # fmt: skip


@given(st.lists(HTML_PIECES, max_size=30).map("".join))
def test_the_fast_path_gives_what_marking_the_tree_from_python_gives(markup):
    assert plain_text(markup) == _careful_plain_text(markup)


@given(st.lists(st.lists(HTML_PIECES, max_size=20).map("".join), max_size=8))
def test_a_whole_feed_at_once_gives_each_fragment_its_own_text(markups):
    assert plain_texts(markups) == [plain_text(markup) for markup in markups]


def test_a_fragment_holding_the_end_mark_does_not_shift_the_others():
    markups = ["<p>one</p>", "<p>t\ue002wo</p>", "<p>three</p>", "&#xe002;<b>four</b>"]
    assert plain_texts(markups) == [plain_text(markup) for markup in markups]
    assert plain_texts(markups)[2] == "three"


def test_a_break_mark_character_in_bare_text_reads_as_in_markup():
    for text in ("a\ue000b", "\ue000", "x\ue001y"):
        assert plain_text(text) == _careful_plain_text(text) == plain_text(f"<b></b>{text}")


def test_a_feed_longer_than_one_pass_keeps_its_order():
    markups = [f"<p>Item {n}</p><ul><li>{n}</li></ul>" for n in range(FRAGMENTS_PER_PASS * 2 + 5)]
    assert plain_texts(markups) == [plain_text(markup) for markup in markups]
