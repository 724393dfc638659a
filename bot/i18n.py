"""Languages the bot speaks: catalogs, one translator per reader, dates in their timezone.

Strings are marked with `gettext`/`ngettext` (or `_`/`N_`) and named placeholders
(`%(count)s`), extracted by `scripts/update_catalogs.py` into `locales/`. Catalogs are
compiled at start so that a forgotten compile step can never mean silent English.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.countries import country_name

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "ru", "ar")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


class CatalogMissing(Exception):
    """A supported language has no catalog: refusing to start beats answering in English."""


def negotiate_language(telegram_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The supported language closest to a Telegram `language_code` ("pt-br", "fr-CA", None)."""
    fallback = default if default in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    if not telegram_code or not telegram_code.strip():
        return fallback
    try:
        locale = Locale.parse(telegram_code.strip().replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return fallback
    return locale.language if locale.language in SUPPORTED_LANGUAGES else fallback


def catalog_path(locales_dir: Path, language: str, suffix: str = ".po") -> Path:
    """Where the catalog of one language lives, in the layout gettext expects."""
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@dataclass(frozen=True, slots=True)
class Translator:
    """Everything language-dependent for one reader: messages, plurals, dates, countries.

    Placeholders are always substituted with `%`, as Jinja2's newstyle gettext does, so a
    literal percent sign is written `%%` both in code and in templates.
    """

    language: str
    translations: Translations
    locale: Locale

    @property
    def right_to_left(self) -> bool:
        return self.locale.character_order == "right-to-left"

    def gettext(self, message: str, **values: object) -> str:
        return str(self.translations.gettext(message)) % values

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        values.setdefault("num", n)
        return str(self.translations.ngettext(singular, plural, n)) % values

    def format_datetime(self, moment: datetime, timezone: str) -> str:
        """A moment in the reader's timezone: medium date, short time (seconds are noise).

        A naive datetime is taken to be UTC, the bot's internal clock.
        """
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(ZoneInfo(timezone))
        pattern = str(get_datetime_format("medium", locale=self.locale)).replace("'", "")
        day = babel_format_date(local, "medium", locale=self.locale)
        time = babel_format_time(local, "short", tzinfo=None, locale=self.locale)
        return pattern.replace("{1}", day).replace("{0}", time)

    def format_date(self, day: date) -> str:
        return babel_format_date(day, "medium", locale=self.locale)

    def country(self, code: str) -> str:
        return country_name(code, self.language)


@dataclass(frozen=True, slots=True)
class Catalogs:
    """The compiled catalogs of every supported language, loaded once at start."""

    translators: Mapping[str, Translator]
    default: str = DEFAULT_LANGUAGE

    @classmethod
    def load(cls, locales_dir: Path, default: str = DEFAULT_LANGUAGE) -> Catalogs:
        """Compile each stale `.po` to `.mo`, then load them all; raise if one is missing."""
        translators: dict[str, Translator] = {}
        for language in SUPPORTED_LANGUAGES:
            po_path = catalog_path(locales_dir, language)
            if not po_path.is_file():
                raise CatalogMissing(
                    f"no {language!r} catalog at {po_path}: run scripts/update_catalogs.py"
                )
            translations = Translations(BytesIO(_compiled(po_path, language)), domain=DOMAIN)
            translators[language] = Translator(language, translations, Locale.parse(language))
        return cls(translators, negotiate_language(default))

    def translator(self, language: str | None) -> Translator:
        """The reader's translator; an unknown or regional code gets its closest language."""
        return self.translators[negotiate_language(language, self.default)]


def _compiled(po_path: Path, language: str) -> bytes:
    """The `.mo` bytes of a catalog, recompiled when the `.mo` is missing or older.

    A read-only install (a container image) still works: the catalog is compiled in memory
    and the failure to cache it is logged.
    """
    mo_path = po_path.with_suffix(".mo")
    if mo_path.is_file() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return mo_path.read_bytes()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    compiled = buffer.getvalue()
    try:
        _write_atomically(mo_path, compiled)
    except OSError as error:
        log.warning("could not cache the compiled catalog %s: %s", mo_path, error)
    return compiled


def _write_atomically(path: Path, content: bytes) -> None:
    """Two processes starting together must never read a half-written `.mo`."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
