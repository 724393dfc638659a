"""/status: every government's level for a country side by side, through the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.alerts import Category, LocalText, Severity
from bot.app import BotRuntime
from bot.render.text import FIRST_STRONG_ISOLATE as FSI
from bot.render.text import POP_DIRECTIONAL_ISOLATE as PDI
from bot.render.text import RIGHT_TO_LEFT_MARK as RLM
from bot.standin import StandIn
from bot.store import alerts as alert_store
from tests.builders import make_alert
from tests.trips.harness import START, Clock, running_bot, say

UK_LABEL = "Advise against all but essential travel to parts of Germany"


@pytest.fixture
async def runtime(tmp_path: Path, standin: StandIn) -> AsyncIterator[BotRuntime]:
    async with running_bot(tmp_path, standin, Clock()) as bot:
        db = bot.services.db
        us = make_alert(id="GM", countries=("DE",), url="https://travel.state.gov/de")
        uk = make_alert(
            source="uk-fcdo",
            id="germany",
            countries=("DE",),
            severity=Severity.HIGH,
            source_level=UK_LABEL,
            title="Germany travel advice",
            url="https://www.gov.uk/foreign-travel-advice/germany",
        )
        canada = make_alert(
            source="ca-travel",
            id="DE",
            countries=("DE",),
            severity=Severity.NORMAL,
            source_level="Take normal security precautions",
            title="Germany travel advice",
            translations={
                "fr": LocalText(
                    "Conseils aux voyageurs : Allemagne",
                    "Prenez des mesures de sécurité normales.",
                    source_level="Prendre des mesures de sécurité normales",
                )
            },
        )
        flood = make_alert(
            source="gdacs",
            id="FL-1",
            countries=("DE",),
            category=Category.FLOOD,
            severity=Severity.HIGH,
            title="Flood in Saxony",
            updated=START - timedelta(days=2),
        )
        await alert_store.record_poll(db, "us-state", [us], now=START)
        await alert_store.record_poll(db, "uk-fcdo", [uk], now=START)
        await alert_store.record_poll(db, "ca-travel", [canada], now=START)
        await alert_store.record_poll(db, "gdacs", [flood], now=START)
        yield bot


async def test_two_governments_disagreeing_are_shown_side_by_side(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = (await say(standin, 901, "/status Germany")).plain_text
    lines = answer.splitlines()
    uk_line = next(line for line in lines if "UK FCDO" in line)
    us_line = next(line for line in lines if "US State Department" in line)
    assert "🟠" in uk_line and "Reconsider travel" in uk_line and UK_LABEL in uk_line
    assert "🟡" in us_line and "Exercise increased caution" in us_line
    assert lines.index(uk_line) < lines.index(us_line)  # highest first
    disagree = next(line for line in lines if "Governments disagree" in line)
    assert "Reconsider travel" in disagree and "UK FCDO" in disagree
    assert answer.index("Flood in Saxony") > answer.index("Governments disagree")


async def test_status_links_each_source(runtime: BotRuntime, standin: StandIn) -> None:
    answer = await say(standin, 902, "/status DE")
    assert 'href="https://www.gov.uk/foreign-travel-advice/germany"' in answer.text
    assert 'href="https://travel.state.gov/de"' in answer.text


async def test_status_in_french_names_country_and_levels_in_french(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = (await say(standin, 903, "/status Allemagne", language_code="fr")).plain_text
    assert "Allemagne" in answer
    assert "Déconseillé sauf raison impérative" in answer and "Vigilance renforcée" in answer
    # Canada publishes its level in French too: a French reader gets Canada's own words.
    assert "« Prendre des mesures de sécurité normales »" in answer
    assert "Take normal security precautions" not in answer


async def test_status_in_english_quotes_each_governments_own_words(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = (await say(standin, 904, "/status Germany")).plain_text
    assert "“Take normal security precautions”" in answer and f"“{UK_LABEL}”" in answer
    assert "Prendre" not in answer


async def test_status_alone_gives_one_line_per_followed_or_visited_country(
    runtime: BotRuntime, standin: StandIn
) -> None:
    await say(standin, 904, "/subscribe Germany")
    await say(standin, 904, "/trip Japan 2026-12-01 2026-12-15")
    lines = (await say(standin, 904, "/status")).plain_text.splitlines()
    assert len(lines) == 2
    germany, japan = lines
    assert "Germany" in germany and "Reconsider travel" in germany
    assert "3 sources" in germany and "governments disagree" in germany
    assert "1 active hazard" in germany
    assert "Japan" in japan and "No current advisory" in japan


async def test_unknown_country_is_named_back_escaped(runtime: BotRuntime, standin: StandIn) -> None:
    answer = await say(standin, 905, "/status Atlantis, <i>")
    assert "“Atlantis”" in answer.text and "“&lt;i&gt;”" in answer.text


async def test_country_may_follow_on_the_next_line(runtime: BotRuntime, standin: StandIn) -> None:
    answer = (await say(standin, 906, "/status\nGermany")).plain_text
    assert "UK FCDO" in answer and "Governments disagree" in answer


@pytest.mark.parametrize(("language", "words"), [("en", "too long"), ("fr", "trop long")])
async def test_overlong_status_is_refused_not_cut(
    runtime: BotRuntime, standin: StandIn, language: str, words: str
) -> None:
    for text in ("/status " + "Germany, " * 500, "/status Germany, " + "x" * 1200):
        answer = await say(standin, 907, text, language)
        assert words in answer.text
        assert "UK FCDO" not in answer.text and "FCDO" not in answer.plain_text


async def test_typed_term_is_echoed_without_control_or_direction_characters(
    runtime: BotRuntime, standin: StandIn
) -> None:
    answer = await say(standin, 908, "/status Atl\u202eantis\u0000\u200b\u0007<b>")
    assert "“Atlantis&lt;b&gt;”" in answer.text
    assert not any(c in answer.text for c in "\u202e\u0000\u200b\u0007")
    nothing = await say(standin, 908, "/status \u202e\u200b")  # nothing left to show back
    assert "I found no country in that" in nothing.text


async def test_status_in_arabic_reads_right_to_left(runtime: BotRuntime, standin: StandIn) -> None:
    answer = await say(standin, 909, "/status ألمانيا", language_code="ar")
    lines = [line for line in answer.plain_text.splitlines() if line.strip()]
    assert len(lines) >= 5 and all(line.startswith(RLM) for line in lines)
    assert f"{FSI}{UK_LABEL}{PDI}" in answer.plain_text  # English feed text isolated
    assert "ألمانيا" in lines[0]
    summary = await say(standin, 909, "/subscribe ألمانيا", language_code="ar")
    assert summary.plain_text.startswith(RLM)
    one_line = (await say(standin, 909, "/status", language_code="ar")).plain_text
    assert one_line.startswith(RLM) and "ألمانيا" in one_line
    english = (await say(standin, 910, "/status Germany")).plain_text
    assert RLM not in english and FSI not in english
