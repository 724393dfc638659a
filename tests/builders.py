"""Test data built through the domain's own constructors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.alerts import Alert, Category, Severity

BASE_TIME = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)


def make_alert(**overrides: Any) -> Alert:
    alert = Alert(
        source="us-state",
        id="DE",
        countries=("DE",),
        severity=Severity.CAUTION,
        source_level="Level 2: Exercise Increased Caution",
        category=Category.ADVISORY,
        title="Germany - Level 2: Exercise Increased Caution",
        summary="Exercise increased caution in Germany due to terrorism.",
        url="https://travel.state.gov/germany",
        published=BASE_TIME,
        updated=BASE_TIME,
        body="Summary\n\nExercise increased caution in Germany due to terrorism.",
    )
    return replace(alert, **overrides)
