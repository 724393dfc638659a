"""Item HTML -> plain text: the full body for section diffs and a short summary for chats.

Sources put HTML (often in CDATA) in their descriptions. Telegram accepts only a small
subset of HTML, so the domain keeps plain text and the renderer escapes it; paragraphs
survive as blank lines and list items as bullets.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import TypeAlias

from lxml import etree

# lxml ships no type information: this alias documents intent, mypy sees Any.
Element: TypeAlias = etree._Element

DEFAULT_SUMMARY_CHARS = 400
FRAGMENTS_PER_PASS = 32  # see plain_texts
ELLIPSIS = "…"

# Elements that start a new paragraph, those that start a new line, and those whose text a
# reader never sees.
_PARAGRAPHS = (
    "p", "div", "ul", "ol", "dl", "table", "blockquote", "pre", "section", "article",
    "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "center",
)  # fmt: skip
_LINES = ("tr", "dt", "dd")
_HIDDEN = ("script", "style", "head", "title", "template", "noscript")

# Breaks are marked with private-use characters while the tree is flattened, so that white
# space is collapsed in one pass over the whole text and not once per text node (the
# State Department sends some 4 KB of HTML per item, 200 items a poll).
_PARAGRAPH = "\ue000"
_LINE = "\ue001"
# Ends each fragment's text when several are flattened in one pass (`plain_texts`).
_FRAGMENT_END = "\ue002"
_FRAGMENT_END_BYTES = _FRAGMENT_END.encode()
# Characters lxml refuses in a tree (C0 controls other than tab and newlines) and our marks.
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ue000\ue001]")

# The tree is flattened, marks included, by one XSLT pass in C: setting .text and .tail
# from Python on every block element cost more than parsing the HTML. Each template writes
# the marks where the careful path below puts them on the element's text or tail.
_FLATTEN = f"""\
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <!-- Only the root element: lxml's text of it leaves out what libxml2 puts in a second
       <html> after a stray </html>. -->
  <xsl:template match="/"><xsl:apply-templates select="*[1]"/></xsl:template>
  <!-- Several fragments at once: each root under one <fragments>, each text ended. -->
  <xsl:template match="/fragments">\
<xsl:for-each select="*"><xsl:apply-templates select="."/>{_FRAGMENT_END}</xsl:for-each>\
</xsl:template>
  <xsl:template match="{"|".join(_PARAGRAPHS)}">\
{_PARAGRAPH}<xsl:apply-templates/>{_PARAGRAPH}</xsl:template>
  <xsl:template match="li">{_LINE}• <xsl:apply-templates/></xsl:template>
  <xsl:template match="{"|".join(_LINES)}">{_LINE}<xsl:apply-templates/></xsl:template>
  <xsl:template match="br">{_LINE}</xsl:template>
  <xsl:template match="td|th"><xsl:apply-templates/><xsl:text> </xsl:text></xsl:template>
  <xsl:template match="{"|".join(_HIDDEN)}"/>
</xsl:stylesheet>
"""
# Bytes of the flattened text that send a fragment to the careful path: the C0 controls
# lxml refuses next to a mark, and 0xEF, which leads U+FFFE and U+FFFF (and, rarely,
# harmless characters such as full-width forms: they only take the slower path).
_SUSPECT_BYTES = bytes(
    0 if (byte < 0x20 and byte not in b"\t\n\r") or byte == 0xEF else 1 for byte in range(256)
)


class _HtmlTools(threading.local):
    """This thread's HTML parser and flattening stylesheet, built once per thread: lxml
    parsers must not be shared between threads, and building them per call costs time."""

    def __init__(self) -> None:
        self.parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        self.flatten = etree.XSLT(etree.XML(_FLATTEN.encode()))


_TOOLS = _HtmlTools()


def plain_text(markup: str) -> str:
    """The readable text of an HTML fragment: entities decoded, tags and scripts gone,
    paragraphs separated by a blank line, list items as "• " lines."""
    if not markup or markup.isspace():
        return ""
    if _is_bare_text(markup):
        return bare_text(markup)
    marked = _flattened(markup)
    if marked is None:
        return _careful_plain_text(markup)
    return _with_breaks(marked)


def bare_text(text: str) -> str:
    """Text with no markup, its white space collapsed but its paragraphs (blank lines)
    kept: the US NWS and others send preformatted text ("* WHAT...", "* WHERE...") that
    reads as one block without them."""
    paragraphs = (" ".join(block.split()) for block in _BLANK_LINE.split(text))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _is_bare_text(markup: str) -> bool:
    """Text with no markup to read, and none of the characters used as break marks (which
    every other path reads as breaks)."""
    return (
        "<" not in markup and "&" not in markup and _PARAGRAPH not in markup and _LINE not in markup
    )


def plain_texts(markups: Sequence[str]) -> list[str]:
    """`plain_text` of each fragment, the same texts, for a whole feed at once.

    The fragments' trees are flattened by one XSLT pass per `FRAGMENTS_PER_PASS` instead of
    one each: a pass has a fixed cost (a transformation context, a result document) that
    is most of the time of a small fragment, and a feed has hundreds. Passes of a bounded
    size keep the trees and texts held at once small.
    """
    texts: list[str] = []
    for start in range(0, len(markups), FRAGMENTS_PER_PASS):
        texts += _plain_texts_in_one_pass(markups[start : start + FRAGMENTS_PER_PASS])
    return texts


def _plain_texts_in_one_pass(markups: Sequence[str]) -> list[str]:
    texts = [""] * len(markups)
    roots: list[Element] = []
    batched: list[int] = []
    tools = _TOOLS
    for index, markup in enumerate(markups):
        if not markup or markup.isspace() or _is_bare_text(markup):
            texts[index] = plain_text(markup)
            continue
        try:
            root = _parse_html(markup, tools.parser)
        except ValueError:  # a character lxml refuses: the careful path, as plain_text does
            texts[index] = plain_text(markup)
            continue
        if root is not None:
            roots.append(root)
            batched.append(index)
    if not roots:
        return texts
    marked = _flattened_together(roots)
    if marked is None or len(marked) != len(roots):
        for index in batched:  # a fragment the one pass cannot tell apart: one by one
            texts[index] = plain_text(markups[index])
        return texts
    for index, text in zip(batched, marked, strict=True):
        texts[index] = _with_breaks(text)
    return texts


def _flattened_together(roots: list[Element]) -> list[str] | None:
    """The marked text of each tree, from one pass; None when one pass will not do (a
    character lxml refuses next to a mark, or a fragment holding the end mark itself)."""
    holder = etree.Element("fragments")
    holder.extend(roots)  # moves each root out of its own document
    try:
        data = bytes(_TOOLS.flatten(holder.getroottree()))
    except (ValueError, etree.XSLTError):
        return None
    if 0 in data.translate(_SUSPECT_BYTES):
        return None
    pieces = data.split(_FRAGMENT_END_BYTES)
    if len(pieces) != len(roots) + 1 or pieces[-1]:
        return None
    return [piece.decode() for piece in pieces[:-1]]


def _flattened(markup: str) -> str | None:
    """The text of `markup` with break marks, or None when a character lxml refuses in a
    tree is in it: then the careful path gives the answer it always gave."""
    tools = _TOOLS
    try:
        root = _parse_html(markup, tools.parser)
        if root is None:
            return ""
        data = bytes(tools.flatten(root))
        if 0 in data.translate(_SUSPECT_BYTES):
            return None
        return data.decode()
    except (ValueError, etree.XSLTError):
        return None


def _careful_plain_text(markup: str) -> str:
    """`plain_text` by marking the tree from Python, for fragments with control characters.

    lxml will not write marks next to a control character: literal ones are dropped and the
    fragment tried again, and for character references to them ("&#1;") the text comes
    without its breaks.
    """
    try:
        return _readable(markup)
    except ValueError:
        cleaned = _NOT_TEXT.sub("", markup)
        try:
            return _readable(cleaned)
        except ValueError:
            root = _parse_html(cleaned, _TOOLS.parser)
            flat = "" if root is None else etree.tostring(root, method="text", encoding=str)
            return " ".join(_NOT_TEXT.sub("", flat).split())


def _readable(markup: str) -> str:
    root = _parse_html(markup, _TOOLS.parser)
    if root is None:
        return ""
    etree.strip_elements(root, *_HIDDEN, with_tail=False)
    _mark_breaks(root)
    return _with_breaks(etree.tostring(root, method="text", encoding=str))


def _with_breaks(marked: str) -> str:
    """Collapse white space, then turn the marks into blank lines and line breaks.

    String methods, not regular expressions: re is several times slower on the non-Latin-1
    strings that the marks and bullets make.
    """
    paragraphs: list[str] = []
    for block in " ".join(marked.split()).split(_PARAGRAPH):
        if _LINE in block:
            block = "\n".join([line for line in map(str.strip, block.split(_LINE)) if line])
        else:
            block = block.strip()
        if not block:
            continue
        if paragraphs and block[0].islower() and paragraphs[-1][-1].isalnum():
            # A sentence the markup broke in two: the State Department opens nearly every
            # advisory with "Exercise increased caution<p>in Italy due to terrorism.</p>".
            paragraphs[-1] += " " + block
        else:
            paragraphs.append(block)
    return "\n\n".join(paragraphs)


def _mark_breaks(root: Element) -> None:
    for element in root.iter(*_PARAGRAPHS):
        element.text = _PARAGRAPH + (element.text or "")
        element.tail = _PARAGRAPH + (element.tail or "")
    for element in root.iter("li"):
        element.text = _LINE + "• " + (element.text or "")
    for element in root.iter(*_LINES):
        element.text = _LINE + (element.text or "")
    for element in root.iter("br"):
        element.tail = _LINE + (element.tail or "")
    for element in root.iter("td", "th"):
        element.tail = " " + (element.tail or "")


def _parse_html(markup: str, parser: etree.HTMLParser) -> Element | None:
    try:
        return etree.fromstring(markup, parser)
    except ValueError:  # a str that declares its own encoding: hand lxml the bytes
        return etree.fromstring(markup.encode(), parser)
    except etree.ParserError:
        return None


def summary(markup: str, limit: int = DEFAULT_SUMMARY_CHARS) -> str:
    """A short plain-text summary of an HTML fragment, cut on a word boundary."""
    return shorten(plain_text(markup), limit)


def shorten(text: str, limit: int = DEFAULT_SUMMARY_CHARS) -> str:
    """`text` cut to at most `limit` characters on a word boundary, ending in "…" if cut."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = text[: room + 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    # A single word longer than the limit is cut mid-word rather than dropped.
    head = cut[:boundary] if boundary > 0 else text[:room]
    return head.rstrip(" \n.,;:-–—•") + ELLIPSIS
