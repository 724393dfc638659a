"""Who may do what in an organisation's travel desk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.desks.trips import DeskTrip


class Role(StrEnum):
    """An owner is the first operator; operators run the desk; travellers receive warnings."""

    OWNER = "owner"
    OPERATOR = "operator"
    TRAVELLER = "traveller"

    @property
    def runs_desk(self) -> bool:
        return self in (Role.OWNER, Role.OPERATOR)


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Membership:
    """One person in one organisation; the same person may belong to several."""

    org_id: int
    org_name: str
    user_id: int
    role: Role
    reference: str | None = None
    username: str | None = None

    @property
    def runs_desk(self) -> bool:
        return self.role.runs_desk

    def label(self) -> str:
        """How the desk names a member: its own reference, else @username, else the id."""
        if self.reference:
            return self.reference
        if self.username:
            return f"@{self.username}"
        return str(self.user_id)


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A member as the desk sees them: who, what they follow, where they go next."""

    member: Membership
    subscriptions: tuple[str, ...]
    trips: tuple[DeskTrip, ...]

    def current_trips(self, today: date) -> tuple[DeskTrip, ...]:
        return tuple(trip for trip in self.trips if trip.starts <= today <= trip.ends)
