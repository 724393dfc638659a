"""One item that an adapter cannot handle, in a way no test foresaw, costs that item only:
the feed's other items still come through, the item is reported in the source's health,
and the traceback goes to the log for whoever fixes the adapter."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.alerts import Alert
from bot.sources.base import UNFORESEEN_MARK, ParsedItem, parse_items, read_each
from tests.builders import make_alert


def numbered(item: Any) -> Alert:
    return make_alert(id=f"n{item['number']}")  # an item that is not an object: TypeError


ITEMS = [{"number": 1}, "a string where an object was expected", {"number": 3}, {}]


def test_read_each_keeps_the_other_items_and_reports_the_unforeseen_ones(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.sources.base"):
        feed = read_each(ITEMS, numbered, label="feature")

    assert [alert.id for alert in feed.alerts] == ["n1", "n3"]
    assert [problem.split(":")[0] for problem in feed.problems] == ["feature 1", "feature 3"]
    assert all(UNFORESEEN_MARK + "TypeError" in p or "KeyError" in p for p in feed.problems)
    assert [record.exc_info is not None for record in caplog.records] == [True, True]


def test_parse_items_keeps_the_other_items_and_reports_the_unforeseen_ones() -> None:
    feed = parse_items(ITEMS, lambda item: ParsedItem(numbered(item)))

    assert [alert.id for alert in feed.alerts] == ["n1", "n3"]
    assert feed.problems[0].startswith("item 1: " + UNFORESEEN_MARK + "TypeError")
    assert feed.problems[1].startswith("item 3: " + UNFORESEEN_MARK + "KeyError")


def test_a_bug_outside_the_items_shape_still_fails_loudly() -> None:
    """Only the errors of an unforeseen shape are contained: anything else is a bug of
    another kind, and the poll fails with it (and source health says so)."""

    def broken(item: Any) -> Alert:
        raise RuntimeError("not a shape problem")

    with pytest.raises(RuntimeError):
        read_each(ITEMS, broken, label="feature")
