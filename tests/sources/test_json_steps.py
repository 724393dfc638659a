"""JSON decoded member by member gives what `json.loads` gives, values and errors alike.
How long the event loop waits while a large document is decoded is measured by
`python benchmarks/parse.py --large-json`, not here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sources.base import STEPWISE_JSON_BYTES, FeedMalformed, load_json
from bot.sources.json_steps import loads_in_steps
from tests.sources.sample_fields import CAPTURES

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=30,
)


@given(value=_VALUES, indent=st.sampled_from([None, 0, 1, 4, "\t"]), spaces=st.booleans())
def test_any_document_decodes_as_json_loads_decodes_it(
    value: Any, indent: Any, spaces: bool
) -> None:
    text = json.dumps(value, indent=indent, separators=None if spaces else (",", ":"))
    assert loads_in_steps(text) == json.loads(text)


_DAMAGE = st.sampled_from([*'[]{},:"\\ \n0-e.', "", "nul", "tru", "1e", "//", "\ufeff"])


@settings(max_examples=300)
@given(value=_VALUES, data=st.data())
def test_a_damaged_document_is_refused_or_read_as_json_loads_would(
    value: Any, data: st.DataObject
) -> None:
    text = json.dumps(value, indent=data.draw(st.sampled_from([None, 2])))
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    cut = data.draw(st.integers(min_value=0, max_value=3))
    damaged = text[:at] + data.draw(_DAMAGE) + text[at + cut :]
    try:
        expected = json.loads(damaged)
    except json.JSONDecodeError:
        with pytest.raises(json.JSONDecodeError):
            loads_in_steps(damaged)
        return
    assert loads_in_steps(damaged) == expected


def test_duplicate_keys_keep_the_last_value_in_the_first_place() -> None:
    text = '{"a": 1, "b": 2, "a": 3}'
    assert list(loads_in_steps(text).items()) == list(json.loads(text).items())


def large_document() -> bytes:
    """About 10 MB in the shape of MeteoAlarm's answer, from the real capture's warnings."""
    capture = json.loads((CAPTURES / "cap12-ba-meteoalarm-api-json-2024-01-07.json").read_text())
    return json.dumps({"warnings": capture["warnings"] * 200}).encode()


def test_load_json_reads_a_large_document_in_steps_with_a_bom_and_refuses_a_broken_one() -> None:
    body = large_document()
    assert len(body) > STEPWISE_JSON_BYTES
    assert load_json(b"\xef\xbb\xbf" + body) == json.loads(body)
    with pytest.raises(FeedMalformed, match="not valid JSON"):
        load_json(body[:-1])
    utf16 = json.dumps({"x": ["é"] * 200_000}).encode("utf-16")  # a BOM saying which
    assert load_json(utf16) == {"x": ["é"] * 200_000}
