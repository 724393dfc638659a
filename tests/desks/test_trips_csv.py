"""Trip files: each row accepted whole or rejected with its line and reason."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.desks.trips import RowProblem, TripFileError, read_trip_csv

PEOPLE = {"e1": 11, "@nomad": 12, "13": 13}


def find(word: str) -> int | None:
    return PEOPLE.get(word.casefold())


def test_rows_are_accepted_or_rejected_with_reasons() -> None:
    content = (
        b"Traveller,Countries,From,To\n"
        b"E1,France; Germany,2025-05-01,2025-05-09\n"
        b"@nomad,JP,2025-05-01,2025-05-01\n"
        b"ghost,JP,2025-05-01,2025-05-02\n"
        b"E1,Narnia,2025-05-01,2025-05-02\n"
        b"E1,JP,01/05/2025,2025-05-02\n"
        b"E1,JP,2025-05-03,2025-05-02\n"
        b"E1,Germany;France,2025-05-01,2025-05-09\n"
        b"E1,,2025-05-01,2025-05-02\n"
    )
    result = read_trip_csv(content, find)
    assert [(row.line, row.trip.countries) for row in result.accepted] == [
        (2, ("FR", "DE")),
        (3, ("JP",)),
    ]
    assert result.accepted[0].trip.starts == date(2025, 5, 1)
    assert [(row.line, row.problem) for row in result.rejected] == [
        (4, RowProblem.UNKNOWN_TRAVELLER),
        (5, RowProblem.UNKNOWN_COUNTRY),
        (6, RowProblem.BAD_DATES),
        (7, RowProblem.END_BEFORE_START),
        (8, RowProblem.DUPLICATE),
        (9, RowProblem.MISSING),
    ]


def test_columns_may_come_in_any_order_with_a_byte_order_mark() -> None:
    content = "\ufefffrom,to,countries,reference\n2025-01-01,2025-01-02,Kenya,13\n".encode()
    result = read_trip_csv(content, find)
    assert result.accepted[0].trip.user_id == 13 and result.accepted[0].trip.countries == ("KE",)


def test_stored_rows_become_duplicates() -> None:
    content = (
        b"traveller,countries,from,to\nE1,FR,2025-01-01,2025-01-02\n13,FR,2025-01-01,2025-01-02\n"
    )
    result = read_trip_csv(content, find).without_stored([False, True])
    assert [row.line for row in result.accepted] == [3]
    assert [(row.line, row.problem) for row in result.rejected] == [(2, RowProblem.DUPLICATE)]


@pytest.mark.parametrize(
    "content", [b"", b"name,where\nx,y\n", "traveller,countries,from,to\n".encode("utf-16")]
)
def test_unreadable_files_are_refused_as_a_whole(content: bytes) -> None:
    with pytest.raises(TripFileError):
        read_trip_csv(content, find)


@given(st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_file_error(content: bytes) -> None:
    try:
        result = read_trip_csv(b"traveller,countries,from,to\n" + content, find)
    except TripFileError:
        return
    assert all(row.trip.ends >= row.trip.starts for row in result.accepted)
