"""Trips a desk records for its travellers, and the CSV file they can be imported from.

Columns (header row required, any order, case ignored; see docs/desks.md):
traveller, countries, from, to. A row is accepted whole or rejected with a reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from bot import countries

MAX_ROWS = 5000
_COLUMNS: dict[str, tuple[str, ...]] = {
    "traveller": ("traveller", "traveler", "reference", "ref", "user", "member", "employee"),
    "countries": ("countries", "country", "destination", "destinations"),
    "from": ("from", "start", "starts", "departure", "start date"),
    "to": ("to", "end", "ends", "return", "end date"),
}


@dataclass(frozen=True, slots=True)
class DeskTrip:
    """One traveller in some countries between two dates (both days included)."""

    user_id: int
    countries: tuple[str, ...]
    starts: date
    ends: date

    def key(self) -> tuple[int, tuple[str, ...], date, date]:
        return (self.user_id, tuple(sorted(self.countries)), self.starts, self.ends)


class RowProblem(StrEnum):
    UNKNOWN_TRAVELLER = "unknown traveller"
    UNKNOWN_COUNTRY = "unknown country"
    BAD_DATES = "bad dates"
    END_BEFORE_START = "to before from"
    DUPLICATE = "duplicate"
    MISSING = "missing value"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    problem: RowProblem
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AcceptedRow:
    line: int
    trip: DeskTrip


@dataclass(frozen=True, slots=True)
class TripImport:
    """What a file gave: rows to store and rows refused, each with its line number."""

    accepted: tuple[AcceptedRow, ...]
    rejected: tuple[RejectedRow, ...]

    def without_stored(self, stored: list[bool]) -> TripImport:
        """Rows the store already had (one flag per accepted row) become duplicates."""
        kept = tuple(row for row, new in zip(self.accepted, stored, strict=True) if new)
        dropped = tuple(
            RejectedRow(row.line, RowProblem.DUPLICATE)
            for row, new in zip(self.accepted, stored, strict=True)
            if not new
        )
        rejected = tuple(sorted(self.rejected + dropped, key=lambda row: row.line))
        return replace(self, accepted=kept, rejected=rejected)


class TripFileError(ValueError):
    """The file as a whole is unreadable: not UTF-8, no header, missing columns, too long."""


def read_trip_csv(
    content: bytes, find_traveller: Callable[[str], int | None], language: str = "en"
) -> TripImport:
    """Read a trips file; `find_traveller` turns a reference, @username or id into a user id
    of the organisation (None: not one of its travellers)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TripFileError("the file is not UTF-8 text") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise TripFileError("the file is empty")
    positions = _columns(header)
    accepted: list[AcceptedRow] = []
    rejected: list[RejectedRow] = []
    seen: set[tuple[int, tuple[str, ...], date, date]] = set()
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise TripFileError(f"more than {MAX_ROWS} rows")
        if not any(cell.strip() for cell in row):
            continue
        values = {name: _cell(row, index) for name, index in positions.items()}
        result = _read_row(number, values, find_traveller, language)
        if isinstance(result, RejectedRow):
            rejected.append(result)
        elif result.trip.key() in seen:
            rejected.append(RejectedRow(number, RowProblem.DUPLICATE))
        else:
            seen.add(result.trip.key())
            accepted.append(result)
    return TripImport(tuple(accepted), tuple(rejected))


def _columns(header: list[str]) -> dict[str, int]:
    folded = [" ".join(cell.split()).casefold().lstrip("#") for cell in header]
    positions: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        index = next((i for i, cell in enumerate(folded) if cell in aliases), None)
        if index is None:
            raise TripFileError(f"no {name!r} column")
        positions[name] = index
    return positions


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _read_row(
    line: int,
    values: dict[str, str],
    find_traveller: Callable[[str], int | None],
    language: str,
) -> AcceptedRow | RejectedRow:
    empty = [name for name, value in values.items() if not value]
    if empty:
        return RejectedRow(line, RowProblem.MISSING, ", ".join(empty))
    user_id = find_traveller(values["traveller"])
    if user_id is None:
        return RejectedRow(line, RowProblem.UNKNOWN_TRAVELLER, values["traveller"][:60])
    query = countries.parse_countries(values["countries"][:500], language)
    if query.unknown or not query.found:
        terms = ", ".join(unknown.term for unknown in query.unknown)
        return RejectedRow(line, RowProblem.UNKNOWN_COUNTRY, (terms or values["countries"])[:60])
    try:
        starts = date.fromisoformat(values["from"])
        ends = date.fromisoformat(values["to"])
    except ValueError:
        return RejectedRow(line, RowProblem.BAD_DATES, f"{values['from']} {values['to']}"[:60])
    if ends < starts:
        return RejectedRow(line, RowProblem.END_BEFORE_START, f"{starts} > {ends}")
    return AcceptedRow(line, DeskTrip(user_id, query.found, starts, ends))
