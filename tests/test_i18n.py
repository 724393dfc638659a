"""Catalogs are complete and really used: no silent English, no broken placeholders."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
from datetime import UTC, date, datetime
from gettext import c2py
from pathlib import Path
from types import ModuleType

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import (
    SUPPORTED_LANGUAGES,
    CatalogMissing,
    Catalogs,
    catalog_path,
    negotiate_language,
)

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
NON_ENGLISH = tuple(language for language in SUPPORTED_LANGUAGES if language != "en")
IDENTICAL = ROOT / "tests" / "i18n_identical"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def _load_update_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_catalogs", ROOT / "scripts" / "update_catalogs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What the code and templates mark today, extracted into a temporary .pot and read back."""
    script = _load_update_script()
    pot = tmp_path_factory.mktemp("extraction") / "messages.pot"
    assert script.write_if_changed(pot, script.extract(ROOT))
    with pot.open("rb") as file:
        return read_po(file)


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs.load(LOCALES)


def _read(language: str) -> Catalog:
    with catalog_path(LOCALES, language).open("rb") as file:
        return read_po(file, locale=language)


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _strings(message: Message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, tuple | list) else [string or ""]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_extraction_finds_code_and_template_strings(fresh_extraction: Catalog) -> None:
    assert "Do not travel" in fresh_extraction  # N_ in bot/render/words.py
    assert "What happened" in fresh_extraction  # _() in templates/alert.j2
    assert ("%(num)s travel alert", "%(num)s travel alerts") in [
        tuple(m.id) for m in fresh_extraction if isinstance(m.id, tuple)
    ]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_has_every_extracted_message(language: str, fresh_extraction: Catalog) -> None:
    catalog = _read(language)
    missing = [
        _ids(message)[0]
        for message in fresh_extraction
        if message.id and (message.id, message.context) not in _keys(catalog)
    ]
    assert missing == [], f"run scripts/update_catalogs.py and translate: {missing}"


def _keys(catalog: Catalog) -> set[tuple[object, str | None]]:
    return {(message.id, message.context) for message in catalog if message.id}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_has_no_fuzzy_entry(language: str) -> None:
    fuzzy = [_ids(m)[0] for m in _read(language) if m.id and m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_catalog_has_no_untranslated_entry(language: str) -> None:
    untranslated = [_ids(m)[0] for m in _read(language) if m.id and not all(_strings(m))]
    assert untranslated == []


@pytest.mark.parametrize("language", NON_ENGLISH)
def test_no_entry_is_english_left_in_place(language: str) -> None:
    """An msgstr copied from the msgid is English in disguise; only the entries listed in
    tests/i18n_identical/<language>.json (names, placeholders only) may read the same."""
    allowed = set(json.loads((IDENTICAL / f"{language}.json").read_text(encoding="utf-8")))
    english = {
        _ids(message)[0]
        for message in _read(language)
        if message.id and set(_strings(message)) & set(_ids(message))
    }
    assert sorted(english - allowed) == []
    assert sorted(allowed - english) == [], "listed as identical but translated: drop them"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_translation_keeps_the_placeholders(language: str) -> None:
    catalog = _read(language)
    broken = []
    for message in catalog:
        if not message.id:
            continue
        expected = set().union(*(_placeholders(text) for text in _ids(message)))
        strings = _strings(message)
        if isinstance(message.id, tuple | list):
            assert len(strings) == catalog.num_plurals, _ids(message)[0]
        broken += [(message.id, s) for s in strings if s and _placeholders(s) != expected]
    assert broken == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_plural_forms_header_picks_a_form_per_cldr_category(language: str) -> None:
    """The header's formula must split counts the way CLDR's plural categories do.

    Compared as partitions of the counts a message can show (0-10,000), not as text: Babel
    releases spell the formula differently (French gained a "many" form for multiples of a
    million in CLDR 46) while gettext's two-form French stays right for every count we print.
    """
    catalog = _read(language)
    pick_form = c2py(catalog.plural_expr)
    cldr_category = Locale.parse(language).plural_form
    forms: dict[int, set[str]] = {}
    categories: dict[str, set[int]] = {}
    for count in range(10_001):
        forms.setdefault(pick_form(count), set()).add(cldr_category(count))
        categories.setdefault(cldr_category(count), set()).add(pick_form(count))
    assert all(len(seen) == 1 for seen in forms.values()), forms
    assert all(len(seen) == 1 for seen in categories.values()), categories
    assert set(forms) <= set(range(catalog.num_plurals))


@pytest.mark.parametrize("language", NON_ENGLISH)
def test_no_language_silently_falls_back_to_english(language: str, catalogs: Catalogs) -> None:
    t = catalogs.translator(language)
    assert t.language == language
    assert t.gettext("Do not travel") != "Do not travel"
    assert t.gettext("What happened") != "What happened"
    assert t.ngettext("%(num)s travel alert", "%(num)s travel alerts", 3) != "3 travel alerts"


def test_languages_are_not_mixed_up(catalogs: Catalogs) -> None:
    words = {catalogs.translator(lang).gettext("Do not travel") for lang in SUPPORTED_LANGUAGES}
    assert len(words) == len(SUPPORTED_LANGUAGES)


def test_load_refuses_a_missing_catalog(tmp_path: Path) -> None:
    shutil.copytree(LOCALES, tmp_path / "locales")
    catalog_path(tmp_path / "locales", "de").unlink()
    with pytest.raises(CatalogMissing, match="'de'"):
        Catalogs.load(tmp_path / "locales")


def test_load_compiles_a_missing_mo(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    catalogs = Catalogs.load(locales)
    for language in SUPPORTED_LANGUAGES:
        assert catalog_path(locales, language, ".mo").is_file()
    assert catalogs.translator("fr").gettext("Do not travel") == "Formellement déconseillé"


def test_load_recompiles_an_mo_older_than_its_po(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    Catalogs.load(locales)
    po = catalog_path(locales, "fr")
    po.write_text(
        po.read_text(encoding="utf-8").replace(
            'msgstr "Formellement déconseillé"', 'msgstr "Voyage formellement déconseillé"'
        ),
        encoding="utf-8",
    )
    mo = catalog_path(locales, "fr", ".mo")
    os.utime(mo, (mo.stat().st_atime, po.stat().st_mtime - 60))
    catalogs = Catalogs.load(locales)
    assert catalogs.translator("fr").gettext("Do not travel") == "Voyage formellement déconseillé"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("pt-br", "en"),
        ("de-AT", "de"),
        ("es-419", "es"),
        ("ru", "ru"),
        ("ar-EG", "ar"),
        ("zz", "en"),
        ("", "en"),
        (None, "en"),
        ("not a code", "en"),
    ],
)
def test_negotiate_language(code: str | None, expected: str) -> None:
    assert negotiate_language(code) == expected


def test_negotiate_language_uses_the_given_default() -> None:
    assert negotiate_language("pt-br", default="es") == "es"
    assert negotiate_language(None, default="xx") == "en"


def test_unknown_or_regional_language_gets_a_translator(catalogs: Catalogs) -> None:
    assert catalogs.translator("zz").language == "en"
    assert catalogs.translator("fr-CA").language == "fr"
    assert catalogs.translator(None).language == "en"


def test_gettext_substitutes_named_values(catalogs: Catalogs) -> None:
    t = catalogs.translator("fr")
    assert t.gettext("Source: %(source)s", source="OMS") == "Source : OMS"
    # Values are not escaped here: Python callers escape for HTML themselves.
    assert t.gettext("Source: %(source)s", source="<b>") == "Source : <b>"


def test_ngettext_offers_num(catalogs: Catalogs) -> None:
    t = catalogs.translator("en")
    assert t.ngettext("%(num)s travel alert", "%(num)s travel alerts", 1) == "1 travel alert"
    assert t.ngettext("%(num)s travel alert", "%(num)s travel alerts", 4) == "4 travel alerts"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 страна"), (2, "2 страны"), (5, "5 стран"), (11, "11 стран"), (21, "21 страна")],
)
def test_russian_plurals(n: int, expected: str, catalogs: Catalogs) -> None:
    t = catalogs.translator("ru")
    text = t.ngettext("You follow %(num)s country:", "You follow %(num)s countries:", n)
    assert expected + ":" in text


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 تنبيه سفر"),
        (2, "2 تنبيها سفر"),
        (3, "3 تنبيهات سفر"),
        (10, "10 تنبيهات سفر"),
        (11, "11 تنبيهًا للسفر"),
        (99, "99 تنبيهًا للسفر"),
        (100, "100 تنبيه سفر"),
    ],
)
def test_arabic_plurals(n: int, expected: str, catalogs: Catalogs) -> None:
    t = catalogs.translator("ar")
    assert t.ngettext("%(num)s travel alert", "%(num)s travel alerts", n) == expected


def test_arabic_dual_differs_from_plural(catalogs: Catalogs) -> None:
    t = catalogs.translator("ar")
    two = t.ngettext("You follow %(num)s country:", "You follow %(num)s countries:", 2)
    five = t.ngettext("You follow %(num)s country:", "You follow %(num)s countries:", 5)
    assert "دولتين" in two
    assert "دول:" in five


def test_datetime_is_shown_in_the_readers_timezone(catalogs: Catalogs) -> None:
    t = catalogs.translator("en")
    winter = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)
    # CLDR puts a narrow no-break space (U+202F) before AM/PM.
    assert t.format_datetime(winter, "UTC") == "Jan 15, 2025, 10:00\u202fAM"
    assert t.format_datetime(winter, "Europe/Paris") == "Jan 15, 2025, 11:00\u202fAM"
    assert t.format_datetime(summer, "Europe/Paris") == "Jul 15, 2025, 12:00\u202fPM"
    assert (
        t.format_datetime(winter.replace(tzinfo=None), "Asia/Tokyo") == "Jan 15, 2025, 7:00\u202fPM"
    )


def test_datetime_in_the_readers_locale(catalogs: Catalogs) -> None:
    moment = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert catalogs.translator("fr").format_datetime(moment, "Europe/Paris") == (
        "15 janv. 2025, 11:00"
    )
    assert catalogs.translator("de").format_datetime(moment, "UTC") == "15.01.2025, 10:00"


def test_date_in_the_readers_locale(catalogs: Catalogs) -> None:
    assert catalogs.translator("fr").format_date(date(2025, 3, 1)) == "1 mars 2025"
    assert catalogs.translator("en").format_date(date(2025, 3, 1)) == "Mar 1, 2025"


def test_country_names_are_localised(catalogs: Catalogs) -> None:
    assert catalogs.translator("fr").country("DE") == "Allemagne"
    assert catalogs.translator("ru").country("DE") == "Германия"
    assert catalogs.translator("en").country("de") == "Germany"


def test_the_update_script_reports_a_complete_state(capsys: pytest.CaptureFixture[str]) -> None:
    script = _load_update_script()
    assert script.main(["--check", "--root", str(ROOT)]) == 0
    assert "fr: complete" in capsys.readouterr().out
