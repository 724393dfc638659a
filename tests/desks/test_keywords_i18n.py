"""An operator answers a desk's questions in their own language, or in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.alerts import Category, Severity
from bot.chat.desk_broadcast import answer_step, updated_problem
from bot.desks.audience import AudienceRule
from bot.desks.keywords import keywords_for
from bot.desks.warning import WarningDraft, parse_warning
from bot.i18n import SUPPORTED_LANGUAGES, Catalogs, Translator
from bot.render.words import category_word, severity_word
from tests.desks.harness import SYRIA

LOCALES = Path(__file__).resolve().parents[2] / "locales"
STEPS = ("title", "countries", "severity", "category", "event", "context", "advice")


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(LOCALES)


def compose(t: Translator, answers: dict[str, str]) -> WarningDraft:
    """The draft after answering each question in turn, as the chat does; fails on a refusal."""
    draft = WarningDraft()
    for field, text in answers.items():
        answered = answer_step(draft, field, text, t)
        assert not isinstance(answered, str), f"{field}: {text!r} refused"
        draft = answered
    return draft


def answers(severity: str, category: str, safety: str, audience: str) -> dict[str, str]:
    return {
        "title": "Manifestations",
        "countries": "France",
        "severity": severity,
        "category": category,
        "event": "Des rassemblements sont prévus.",
        "context": "-",
        "advice": "-",
        "safety": safety,
        "audience": audience,
    }


def test_french_operator_composes_a_warning_in_french(catalogs: Catalogs) -> None:
    t = catalogs.translator("fr")
    draft = compose(t, answers("élevé", "sécurité", "oui, 30 minutes", "maintenant"))
    warning = draft.complete()
    assert warning.severity == Severity.HIGH and warning.level_word == "élevé"
    assert warning.category == Category.SECURITY and warning.countries == ("FR",)
    assert warning.safety_check and draft.remind_after_minutes == 30
    assert draft.audience == AudienceRule()


def test_german_operator_composes_a_warning_in_german(catalogs: Catalogs) -> None:
    t = catalogs.translator("de")
    draft = compose(t, answers("hoch", "Konflikt", "nein", "nächste 14 Tage"))
    assert draft.severity == Severity.HIGH and draft.category == Category.CONFLICT
    assert not draft.safety_check
    assert draft.audience == AudienceRule(subscribers=False, days_ahead=14)


@pytest.mark.parametrize(
    ("language", "severity", "level", "audience", "rule"),
    [
        ("fr", "Extrême", Severity.EXTREME, "abonnés, prochains 14 jours", AudienceRule(True, 14)),
        ("es", "alto", Severity.HIGH, "ahora, suscriptores", AudienceRule(True, 0)),
        ("es", "Moderado", Severity.CAUTION, "próximos 14 días", AudienceRule(False, 14)),
        ("ru", "Высокий", Severity.HIGH, "сейчас, подписчики", AudienceRule(True, 0)),
        ("ru", "низкий", Severity.NORMAL, "следующие 14 дней", AudienceRule(False, 14)),
        ("ar", "مرتفع", Severity.HIGH, "الآن، المشتركون", AudienceRule(True, 0)),
        ("ar", "طوارئ", Severity.EXTREME, "الأيام 14 القادمة", AudienceRule(False, 14)),
        ("ar", "منخفض", Severity.NORMAL, "خلال ١٤ يومًا", AudienceRule(False, 14)),
        ("de", "Stufe 2", Severity.CAUTION, "jetzt, Abonnenten", AudienceRule(True, 0)),
    ],
)
def test_severity_and_audience_in_the_operators_language(
    catalogs: Catalogs,
    language: str,
    severity: str,
    level: Severity,
    audience: str,
    rule: AudienceRule,
) -> None:
    t = catalogs.translator(language)
    draft = compose(t, {"severity": severity, "audience": audience})
    assert draft.severity == level and draft.audience == rule


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_english_keywords_work_in_every_language(catalogs: Catalogs, language: str) -> None:
    t = catalogs.translator(language)
    draft = compose(
        t,
        {
            "severity": "High",
            "category": "conflict",
            "safety": "yes, remind after 2h",
            "audience": "now, subscribers, next 14 days",
        },
    )
    assert draft.severity == Severity.HIGH and draft.category == Category.CONFLICT
    assert draft.safety_check and draft.remind_after_minutes == 120
    assert draft.audience == AudienceRule(subscribers=True, days_ahead=14)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_words_travellers_read_are_understood_back(catalogs: Catalogs, language: str) -> None:
    """The catalogs' level and category words are one source of truth for both directions."""
    t = catalogs.translator(language)
    for level in Severity:
        answered = answer_step(WarningDraft(), "severity", severity_word(level, t).upper(), t)
        assert isinstance(answered, WarningDraft) and answered.severity == level
    for category in Category:
        answered = answer_step(WarningDraft(), "category", category_word(category, t), t)
        assert isinstance(answered, WarningDraft) and answered.category == category


def test_accents_and_case_do_not_matter(catalogs: Catalogs) -> None:
    fr, ru = catalogs.translator("fr"), catalogs.translator("ru")
    assert compose(fr, {"severity": "ELEVE", "category": "Securite"}).severity == Severity.HIGH
    assert compose(fr, {"category": "SÉCURITÉ"}).category == Category.SECURITY
    assert compose(ru, {"severity": "серьезный"}).severity == Severity.HIGH


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("field", ["severity", "category", "safety", "audience"])
def test_nonsense_is_refused_and_the_question_asked_again(
    catalogs: Catalogs, language: str, field: str
) -> None:
    t = catalogs.translator(language)
    refused = answer_step(WarningDraft(), field, "blorf", t)
    assert refused == "blorf"
    message = updated_problem("blorf", field, t)
    assert message.startswith(t.gettext("I did not understand: %(terms)s", terms="blorf"))


def test_another_languages_level_words_are_not_guessed(catalogs: Catalogs) -> None:
    assert answer_step(WarningDraft(), "severity", "hoch", catalogs.translator("fr")) == "hoch"
    assert answer_step(WarningDraft(), "severity", "élevé", catalogs.translator("en")) == "élevé"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_pasted_provider_alert_reads_the_same_in_every_language(
    catalogs: Catalogs, language: str
) -> None:
    text = SYRIA.decode("utf-8")
    words = keywords_for(catalogs.translator(language))
    assert parse_warning(text, language, words) == parse_warning(text)


def test_labelled_warning_in_french(catalogs: Catalogs) -> None:
    words = keywords_for(catalogs.translator("fr"))
    draft = parse_warning(
        "Title: Grève\nCountries: France\nSeverity: élevé\nCategory: santé\n"
        "Safety check: oui, 2 heures\nAudience: maintenant, abonnés, 14 prochains jours\n\n"
        "Event: Les hôpitaux sont en grève.",
        "fr",
        words,
    )
    assert draft.problems == () and draft.missing() == ()
    assert draft.severity == Severity.HIGH and draft.category == Category.HEALTH
    assert draft.safety_check and draft.remind_after_minutes == 120
    assert draft.audience == AudienceRule(subscribers=True, days_ahead=14)


def test_audience_nobody_understands_is_reported_in_a_pasted_warning() -> None:
    draft = parse_warning("Title: x\nCountries: Kenya\nSeverity: 2\nAudience: everyone\n\nEvent: y")
    assert draft.problems == ("everyone",) and draft.audience == AudienceRule()
