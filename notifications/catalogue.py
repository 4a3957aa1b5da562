"""Message catalogues: the words of the notices (email templates, the email footer, the SMS
pointer to the portal) in each language the platform writes in.

English is the source language: a msgid is the English text, and the English catalogue may
leave a msgstr empty (the text as written). Another language is one more catalogue,
`locale/<lang>/LC_MESSAGES/messages.po`. Only the text .po files live in the repository; each
is compiled to .mo in memory the first time its language is asked for.

    python -m notifications.catalogue extract

re-reads the templates and the Python sources for marked messages, rewrites
`locale/messages.pot` and merges it into every language's .po (a new message arrives there
untranslated, for a translator to fill in; tests/unit/test_notification_catalogue.py fails
until they have).
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path
from typing import Final

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_currency
from babel.support import Translations

from notifications.figures import currency_code, minor_unit_places, money
from notifications.schemas import Amount, Day, Words

SOURCE_LANGUAGE: Final = "en"
LANGUAGES: Final = ("en", "de")
"""Every language with a catalogue under locale/, the source language first."""
DOMAIN: Final = "messages"
PACKAGE: Final = Path(__file__).parent
LOCALE_DIR: Final = PACKAGE / "locale"
TEMPLATE_NAME: Final = f"{DOMAIN}.pot"

# Where messages are marked, relative to this package: the email templates (`{% trans %}` and
# `_()`), and Python constants wrapped in N_ (translated where they are used).
_METHODS: Final = [
    ("templates/**.j2", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
_OPTIONS: Final = {
    # Silent would skip a template that does not parse, and with it all of its messages.
    "templates/**.j2": {"extensions": "jinja2.ext.i18n", "silent": "false"},
}
SENDERS: Final = ("backend/payments", "backend/tasks")
"""Folders outside this package whose notices are worded from the catalogue."""
_KEYWORDS: Final = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "wording": None,
    "worded": None,
}
_WIDTH: Final = 100
_HEADER_COMMENT: Final = (
    "# Translations template for PROJECT: the words of the email and SMS notices.\n"
    "# Translate in the .po files; `python -m notifications.catalogue extract` adds new messages.\n"
    "#"
)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for "marked, translated later"
    """Marks a Python constant for extraction; whoever uses it looks it up in a catalogue."""
    return message


def wording(message: str, lang: str = SOURCE_LANGUAGE, **values: str) -> str:
    """A sender's sentence (a notice's title or body) from the catalogue, with its values put
    in, already formatted for the reader ("EUR 10,000.00"). The message is the English text
    with %(name)s placeholders: the extractor finds it here, and a translation may move them."""
    text = translations(lang).gettext(message)
    return text % values if values else text


def worded(message: str, **values: str | Amount | Day | Words) -> Words:
    """A notice's sentence to be read in each person's language (say): the English message,
    marked for the catalogue, with its values."""
    return Words(message=message, values=values)


def say(words: Words, lang: str = SOURCE_LANGUAGE) -> str:
    """The words in `lang` (the values' own words too); English, or a message without a
    translation, reads as written."""
    found = translations(lang).gettext(words.message)
    if not words.values:
        return found
    return found % {k: _said(v, lang) for k, v in words.values.items()}


def _said(value: str | Amount | Day | Words, lang: str) -> str:
    written_in = language(lang)
    if isinstance(value, Words):
        return say(value, lang)
    if isinstance(value, Amount):
        if written_in == SOURCE_LANGUAGE:
            return money(value.value, value.currency)
        places = minor_unit_places(currency_code(value.currency))
        rounded = value.value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        return format_currency(rounded, value.currency, locale=written_in, currency_digits=True)
    if isinstance(value, Day):
        if written_in == SOURCE_LANGUAGE:
            return value.value.isoformat()
        return format_date(value.value, format="medium", locale=written_in)
    return value


def language(lang: str) -> str:
    """The catalogue's language for a requested one: "de-DE" and "de_AT" read German, and a
    language without a catalogue reads the source language rather than failing a notice."""
    primary = lang.replace("-", "_").split("_", 1)[0].strip().lower()
    return primary if primary in LANGUAGES else SOURCE_LANGUAGE


def translations(lang: str) -> Translations:
    return _compiled(language(lang))


@cache
def _compiled(lang: str) -> Translations:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    mo = io.BytesIO()
    # Fuzzy guesses stay out: an unreviewed translation in a formal notice is worse than English.
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def _new_catalog(lang: str | None) -> Catalog:
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        header_comment=_HEADER_COMMENT,
        project="investment-pools notifications",
        version="0.1.0",
        last_translator="investment-pools",
        language_team="investment-pools",
        charset="utf-8",
        fuzzy=False,
    )


def extract_template() -> Catalog:
    """The messages the sources mark today, as a .pot catalogue (not written anywhere)."""
    template = _new_catalog(None)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE,
        method_map=_METHODS,
        options_map=_OPTIONS,
        keywords=_KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        location = (f"notifications/{Path(filename).as_posix()}", lineno)
        template.add(message, None, [location], auto_comments=comments, context=context)
    # The other senders of notices word theirs with `wording` too (payments, operator alerts).
    for folder in SENDERS:
        for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE.parent / folder,
            method_map=[("**.py", "python")],
            keywords={"wording": None, "worded": None, "N_": None},
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        ):
            location = (f"{folder}/{Path(filename).as_posix()}", lineno)
            template.add(message, None, [location], auto_comments=comments, context=context)
    return template


def _po_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # Sorted by msgid and without line numbers: moving a sentence within its template
    # leaves the catalogues as they were.
    write_po(out, catalog, width=_WIDTH, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def _read(path: Path, lang: str | None = None) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


def extract(locale_dir: Path = LOCALE_DIR, languages: tuple[str, ...] = LANGUAGES) -> Catalog:
    """Writes `<locale_dir>/messages.pot` and merges it into each language's .po there
    (creating the .po when the language is new). Returns the template."""
    template = extract_template()
    pot_path = locale_dir / TEMPLATE_NAME
    previous = _read(pot_path)
    if previous is not None and previous.creation_date is not None:
        # Unchanged messages keep the old date, so a re-run leaves the file as it was.
        template.creation_date = previous.creation_date
        if _po_text(template) != _po_text(previous):
            template.creation_date = datetime.now().astimezone()
    locale_dir.mkdir(parents=True, exist_ok=True)
    pot_path.write_bytes(_po_text(template))
    for lang in languages:
        po_path = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        existing = _read(po_path, lang)
        catalog = _new_catalog(lang) if existing is None else existing
        # No fuzzy matching: a guessed translation of a new sentence would look finished.
        catalog.update(template, no_fuzzy_matching=True)
        po_path.parent.mkdir(parents=True, exist_ok=True)
        po_path.write_bytes(_po_text(catalog))
    return template


def main(argv: list[str]) -> int:
    if argv != ["extract"]:
        print("usage: python -m notifications.catalogue extract", file=sys.stderr)
        return 2
    template = extract()
    print(f"{len(template)} messages in {LOCALE_DIR / TEMPLATE_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
