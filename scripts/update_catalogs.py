"""Keep the translation catalogs in step with the code and the templates.

What it does, with Babel's Python API and the mapping in `babel.cfg`:
1. extracts every marked string (`gettext`, `ngettext`, `_`, `N_` in `bot/**.py`; `_()`,
   `ngettext()` and `{% trans %}` in `templates/**.j2`) into `locales/messages.pot`;
2. merges it into `locales/<lang>/LC_MESSAGES/messages.po` for every supported language,
   creating a missing catalog with the plural rules CLDR gives for that language;
3. fills the English catalog from the msgids themselves;
4. reports, per language, what is untranslated, fuzzy or has broken placeholders.

Usage, from the repository root:
    python scripts/update_catalogs.py           # update the files, then report
    python scripts/update_catalogs.py --check   # report only, change nothing

It exits with 1 while anything is left to translate. Then: fill each empty `msgstr`,
review each `#, fuzzy` entry (a guess from a similar old message) and delete the flag,
keep every `%(name)s` placeholder (plural forms too; a literal percent sign is `%%`), and
run it again until the report is clean. The bot compiles `.mo` files itself at start.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "travel-risk-bot"
VERSION = "1"  # of the message catalogs, not of the bot
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
HEADER = (
    "# Translations for {project}.\n"
    "# This file is distributed under the same license as the {project} project.\n#"
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
# Header lines that change on every run; ignored when deciding whether a file changed.
_DATE_LINES = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.MULTILINE)


def extract(root: Path = ROOT) -> Catalog:
    """A fresh template catalog of every marked string under `root`, as `babel.cfg` maps."""
    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(root / "babel.cfg"))
    template = Catalog(project=PROJECT, header_comment=HEADER.format(project=PROJECT))
    _plain_header(template)
    results = extract_from_dir(
        root,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=_wanted_directory,
    )
    for filename, lineno, message, comments, context in results:
        template.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def _wanted_directory(path: str) -> bool:
    """Skip hidden and private directories (virtualenvs, caches), as Babel does by default."""
    return not Path(path).name.startswith((".", "_"))


def merge(template: Catalog, po_path: Path, language: str) -> Catalog:
    """The catalog of `language` brought in line with `template` (a new one if missing)."""
    if po_path.is_file():
        with po_path.open("rb") as file:
            catalog = read_po(file, locale=language)
        catalog.update(template)
    else:
        buffer = BytesIO()
        write_po(buffer, template)
        buffer.seek(0)
        catalog = read_po(buffer, locale=language)
        catalog.locale = Locale.parse(language)
        catalog.fuzzy = False
    catalog.header_comment = HEADER.format(project=PROJECT)
    _plain_header(catalog)
    catalog.language_team = Locale.parse(language).english_name or language
    if language == "en":
        _fill_from_msgids(catalog)
    return catalog


def _plain_header(catalog: Catalog) -> None:
    """Drop Babel's fill-in-the-blanks header values; dates stay (they are ignored on write)."""
    catalog.version = VERSION
    catalog.msgid_bugs_address = ""
    catalog.last_translator = ""
    catalog.revision_date = catalog.creation_date


def _fill_from_msgids(catalog: Catalog) -> None:
    """English is the source language: its translations are the msgids."""
    for message in catalog:
        if not message.id or (all(_strings(message)) and not message.fuzzy):
            continue
        if isinstance(message.id, tuple | list):
            singular, plural = message.id[0], message.id[1]
            forms = catalog.num_plurals
            message.string = tuple([singular] + [plural] * (forms - 1))
        else:
            message.string = message.id
        message.flags.discard("fuzzy")


def problems(catalog: Catalog) -> list[str]:
    """What keeps a catalog from being complete: untranslated, fuzzy, broken placeholders."""
    found: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        label = _msgid_text(message)
        if message.fuzzy:
            found.append(f"fuzzy: {label}")
        strings = _strings(message)
        if not all(strings):
            found.append(f"untranslated: {label}")
            continue
        expected = _placeholders(_ids(message))
        for string in strings:
            if _placeholders([string]) != expected:
                found.append(f"placeholders differ: {label} -> {string!r}")
    return found


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _strings(message: Message) -> list[str]:
    string = message.string
    return list(string) if isinstance(string, tuple | list) else [string or ""]


def _msgid_text(message: Message) -> str:
    return repr(_ids(message)[0])


def _placeholders(texts: Iterable[str]) -> set[str]:
    names: set[str] = set()
    for text in texts:
        names.update(PLACEHOLDER.findall(text))
    return names


def write_if_changed(path: Path, catalog: Catalog) -> bool:
    """Write a catalog unless only its dates would change; True when the file changed."""
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, ignore_obsolete=True)
    content = buffer.getvalue()
    if path.is_file() and _DATE_LINES.sub(b"", path.read_bytes()) == _DATE_LINES.sub(b"", content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report only, write nothing")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root")
    args = parser.parse_args(argv)

    # Run as a file from a checkout, where the package need not be installed.
    sys.path.insert(0, str(args.root))
    from bot.i18n import SUPPORTED_LANGUAGES, catalog_path

    locales = args.root / "locales"
    template = extract(args.root)
    print(f"{len(template)} messages extracted")
    if not args.check and write_if_changed(locales / "messages.pot", template):
        print("wrote locales/messages.pot")
    incomplete = 0
    for language in SUPPORTED_LANGUAGES:
        po_path = catalog_path(locales, language)
        catalog = merge(template, po_path, language)
        if not args.check and write_if_changed(po_path, catalog):
            print(f"wrote {po_path.relative_to(args.root)}")
        found = problems(catalog)
        incomplete += len(found)
        print(f"{language}: {'complete' if not found else f'{len(found)} to fix'}")
        for problem in found:
            print(f"  {problem}")
    return 1 if incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
