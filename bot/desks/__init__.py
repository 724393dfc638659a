"""Corporate travel desks: organisations, invites, rosters, broadcasts and safety checks.

Pure logic only: no Telegram, no SQL. The store (`bot.store.desks`) keeps the state and
the chat handlers (`bot.chat.desk`, `bot.chat.desk_broadcast`) talk to people.
"""

from bot.desks.audience import AudienceRule, parse_audience
from bot.desks.invites import (
    JOIN_PREFIX,
    Invite,
    InviteState,
    InviteTerms,
    deep_link,
    hash_token,
    invite_state,
    new_token,
    parse_invite_terms,
)
from bot.desks.roles import Membership, Organisation, Role
from bot.desks.safety import SafetyAnswer, Tally
from bot.desks.trips import DeskTrip, RejectedRow, RowProblem, TripImport, read_trip_csv
from bot.desks.warning import (
    TravelWarning,
    WarningDraft,
    parse_warning,
    warning_alert,
)

__all__ = [
    "JOIN_PREFIX",
    "AudienceRule",
    "DeskTrip",
    "Invite",
    "InviteState",
    "InviteTerms",
    "Membership",
    "Organisation",
    "RejectedRow",
    "Role",
    "RowProblem",
    "SafetyAnswer",
    "Tally",
    "TravelWarning",
    "TripImport",
    "WarningDraft",
    "deep_link",
    "hash_token",
    "invite_state",
    "new_token",
    "parse_audience",
    "parse_invite_terms",
    "parse_warning",
    "read_trip_csv",
    "warning_alert",
]
