"""The notices' words live in message catalogues: the template (.pot) holds every message the
templates and sources mark, every language translates every one of them, a German reader gets
a German email with no English sentence left, the English email is the one sent before the
catalogues, the HTML stays autoescaped whatever the language, and a language without a
catalogue reads English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from notifications.catalogue import (
    LANGUAGES,
    LOCALE_DIR,
    SOURCE_LANGUAGE,
    TEMPLATE_NAME,
    extract,
    language,
    translations,
)
from notifications.rendering import FOOTER, RenderedEmail, render_digest, render_email
from notifications.schemas import NotificationIn, NotificationKind
from notifications.sms_outbox import MAX_TEXT, POINTER, sms_text

TEMPLATES = Path(__file__).resolve().parents[2] / "notifications" / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TITLE = "Capital call issued: Harbour Private Equity I"
BODY = "Your share: EUR 10,000.00, due 2026-12-18."
LINK = "https://portal.example/calls/7"

# As the email read before its words moved to the catalogues, byte for byte.
ENGLISH_CALL_TEXT = (
    "Dear Ana Example,\n\nCapital call issued: Harbour Private Equity I\n\n"
    "A capital call has been issued. Your share: EUR 10,000.00, due 2026-12-18.\n\n\n"
    "Open it in the portal: https://portal.example/calls/7\n\n--\n"
    "You receive this because you hold or manage an interest in the pool. Formal notices "
    "(capital calls, distributions, statements, bank detail changes) are always sent by email.\n"
)
ENGLISH_CALL_HTML = (
    '<!doctype html>\n<html lang="en">\n'
    '<body style="font-family: Arial, sans-serif; color: #1f2933; max-width: 560px">\n'
    "<p>Dear Ana Example,</p>\n\n"
    "<p><strong>Capital call issued: Harbour Private Equity I</strong></p>\n"
    "<p>A capital call has been issued. Your share: EUR 10,000.00, due 2026-12-18.</p>\n\n"
    '<p><a href="https://portal.example/calls/7" style="color: #0b5cab">Open it in the portal</a></p>\n'
    '<p style="color: #616e7c; font-size: 12px">You receive this because you hold or manage an '
    "interest in the pool. Formal notices (capital calls, distributions, statements, bank detail "
    "changes) are always sent by email.</p>\n</body>\n</html>\n"
)


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def _po(lang: str) -> Catalog:
    return _read(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", lang)


def _msgids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


def _call(lang: str, name: str = "Ana Example", title: str = TITLE, body: str = BODY) -> RenderedEmail:
    return render_email(
        NotificationKind.CAPITAL_CALL, name=name, title=title, body=body, link=LINK, lang=lang
    )


def _english_sentences() -> set[str]:
    """The English words of every message, cut where a value goes in ("Dear", "Open it in
    the portal:"), as a reader would see them."""
    pieces = (p.strip() for m in _msgids(_read(LOCALE_DIR / TEMPLATE_NAME)) for p in PLACEHOLDER.split(m))
    return {p for p in pieces if len(p) > 3}


# --- the catalogues -------------------------------------------------------------------------


def test_the_template_holds_every_message_the_sources_mark(tmp_path: Path) -> None:
    """Re-extracting changes nothing: no message is missing from the .pot nor left over."""
    fresh = extract(tmp_path)
    assert len(_msgids(fresh)) >= 18, "the extraction found the templates' messages"
    assert _msgids(_read(tmp_path / TEMPLATE_NAME)) == _msgids(_read(LOCALE_DIR / TEMPLATE_NAME))
    assert FOOTER in _msgids(fresh) and POINTER in _msgids(fresh)


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.j2")), ids=lambda p: p.name)
def test_no_template_has_words_outside_the_catalogue(path: Path) -> None:
    """What is left once the marked messages, the values, the tags and the markup are taken
    out is punctuation and layout: a new sentence written straight into a template would
    reach every reader in English."""
    source = path.read_text()
    for pattern in (
        r"{%-?\s*trans\b.*?%}.*?{%-?\s*endtrans\s*-?%}",
        r"{{.*?}}",
        r"{%.*?%}",
        r"{#.*?#}",
        r"<[^>]*>",
        r"&\w+;",
    ):
        source = re.sub(pattern, " ", source, flags=re.DOTALL)
    assert re.findall(r"[^\W\d_]{2,}", source) == []


def test_each_language_has_the_templates_messages_and_nothing_else() -> None:
    template = _msgids(_read(LOCALE_DIR / TEMPLATE_NAME))
    assert LANGUAGES[0] == SOURCE_LANGUAGE
    for lang in LANGUAGES:
        assert _msgids(_po(lang)) == template, lang


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE])
def test_every_other_language_translates_every_message_with_the_same_values(lang: str) -> None:
    catalog = _po(lang)
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"{lang}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{lang}: only a guess for {message.id!r}"
        msgid, msgstr = str(message.id), str(message.string)
        assert set(PLACEHOLDER.findall(msgstr)) == set(PLACEHOLDER.findall(msgid)), msgid
        assert msgstr != msgid, f"{lang}: {msgid!r} left in English"
        assert translations(lang).gettext(msgid) == msgstr


def test_english_is_the_source_language_and_reads_as_written() -> None:
    english = translations("en")
    for message in _po("en"):
        if message.id:
            assert english.gettext(str(message.id)) == (message.string or message.id)
    assert english.gettext(FOOTER) == FOOTER


# --- rendering --------------------------------------------------------------------------------


def test_the_english_email_is_unchanged() -> None:
    call = render_email(NotificationKind.CAPITAL_CALL, name="Ana Example", title=TITLE, body=BODY, link=LINK)
    assert call.subject == TITLE
    assert call.text == ENGLISH_CALL_TEXT
    assert call.html == ENGLISH_CALL_HTML
    assert _call("en") == call, "English is what a caller passing no language gets"

    reminder = render_email(
        NotificationKind.PAYMENT_REMINDER, name="", title="t", body="b", link="", preferences="https://p/c"
    )
    assert reminder.text.startswith("Dear investor,\n\nt\n\nA payment is due. b\n")
    assert reminder.text.endswith("Choose which emails you get: https://p/c\n")
    choose = '<a href="https://p/c" style="color: #616e7c">Choose which emails you get</a>.</p>'
    assert choose in reminder.html


def test_a_capital_call_in_german_has_no_english_sentence_left() -> None:
    english, german = _call("en"), _call("de")
    # The event's own title and body are given in English here (the sender's wording is
    # translated where it is written, not by the template), so their words are not counted.
    sentences = {
        s
        for s in _english_sentences()
        if (s in english.text or s in english.html) and s not in TITLE and s not in BODY
    }
    assert "A capital call has been issued." in sentences and "Dear" in sentences

    for part in (german.text, german.html):
        assert "Guten Tag Ana Example," in part
        assert "Es wurde ein Kapitalabruf vorgenommen." in part
        assert "Im Portal öffnen" in part
        assert "Sie erhalten diese Nachricht, weil Sie eine Beteiligung am Fonds halten" in part
        # The event's own words and figures come through as given.
        assert TITLE in part and BODY in part and LINK in part
        assert [s for s in sentences if s in part] == []
    assert '<html lang="de">' in german.html
    assert german.subject == english.subject == TITLE


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_renders_in_every_language(kind: NotificationKind, lang: str) -> None:
    rendered = render_email(
        kind, name="", title="T", body="B", link="https://p/x", preferences="https://p/c", lang=lang
    )
    greeting = translations(lang).gettext("Dear investor,")
    for part in (rendered.text, rendered.html):
        assert greeting in part and "https://p/x" in part and "https://p/c" in part
    assert f'<html lang="{lang}">' in rendered.html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_html_stays_autoescaped_in_every_language(lang: str) -> None:
    pool = "<script>alert(1)</script>"
    rendered = _call(lang, name=f"Ana {pool}", title=f"Capital call issued: {pool}", body=f"{pool} & co")
    assert "<script>" not in rendered.html
    assert "Ana &lt;script&gt;alert(1)&lt;/script&gt;," in rendered.html  # inside a translated message
    assert "<strong>Capital call issued: &lt;script&gt;" in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in rendered.html
    assert pool in rendered.text  # plain text has no markup to escape


@pytest.mark.parametrize("unknown", ["fr", "xx", "", "klingon", "EN-gb"])
def test_a_language_without_a_catalogue_reads_english(unknown: str) -> None:
    assert language(unknown) == "en"
    assert _call(unknown) == _call("en")
    assert translations(unknown).gettext(FOOTER) == FOOTER


def test_a_regional_language_reads_its_languages_catalogue() -> None:
    assert language("de-DE") == language("de_AT") == language("DE") == "de"
    assert _call("de-CH") == _call("de")
    assert translations("de-DE") is translations("de"), "compiled once per language"


def test_the_valuation_digest_reads_in_german_too() -> None:
    lines = [("Valuation: <b>Harbour</b>", "EUR 1,850.00 gained.", "https://p/v/1")]
    english, german = (
        render_digest(name="Ana Example", period="3 December 2026", lines=lines, preferences="", lang=lang)
        for lang in ("en", "de")
    )
    assert german.subject == "Ihre Bewertungsübersicht: 3 December 2026"
    assert "Die im Zeitraum 3 December 2026 für Ihre Fonds erfassten Bewertungen" in german.text
    sentences = {s for s in _english_sentences() if s in english.text}
    assert ", in one email as you asked:" in sentences
    assert [s for s in sentences if s in german.text or s in german.html] == []
    assert "Valuation: &lt;b&gt;Harbour&lt;/b&gt;" in german.html


# --- SMS --------------------------------------------------------------------------------------


def test_the_sms_points_to_the_portal_in_the_readers_language() -> None:
    item = NotificationIn(user_id=1, kind=NotificationKind.CAPITAL_CALL, title=TITLE, body=BODY)
    assert sms_text(item, "Harbour") == f"Harbour: {TITLE}. {BODY} Details in your investor portal."
    assert sms_text(item, "Harbour", "de") == f"Harbour: {TITLE}. {BODY} Details in Ihrem Anlegerportal."
    assert sms_text(item, "Harbour", "fr") == sms_text(item, "Harbour")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sms_pointer_fits_the_room_kept_for_it(lang: str) -> None:
    pointer = translations(lang).gettext(POINTER)
    assert len(f" {pointer}") <= 40 and pointer.isascii(), "GSM-7: anything else halves a segment"
    longest = NotificationIn(user_id=1, kind=NotificationKind.VALUATION, title="t" * 200, body="b" * 500)
    assert len(sms_text(longest, "Harbour", lang)) <= MAX_TEXT


def test_the_senders_wording_is_in_the_catalogue_too() -> None:
    """A notice's title and body, written by its sender, read in another language from its
    catalogue; the values (already formatted) go in where the translation puts them."""
    from notifications.catalogue import wording

    call = "Capital call issued: %(pool)s"
    assert wording(call, pool="Harbour PE I") == "Capital call issued: Harbour PE I"
    assert wording(call, "de", pool="Harbour PE I") == "Kapitalabruf: Harbour PE I"
    assert (
        wording("Your share: %(share)s, due %(due)s.", "de", share="EUR 10,000.00", due="2026-12-18")
        == "Ihr Anteil: EUR 10,000.00, fällig am 2026-12-18."
    )
    assert wording("Sign-in from a new device", "fr") == "Sign-in from a new device"  # no catalogue: English


def test_money_and_dates_are_written_as_the_reader_writes_them() -> None:
    from datetime import date
    from decimal import Decimal

    from notifications.catalogue import say, worded
    from notifications.schemas import Amount, Day

    words = worded(
        "Your share: %(share)s, due %(due)s.",
        share=Amount(value=Decimal("20000.005"), currency="EUR"),
        due=Day(value=date(2026, 12, 18)),
    )
    assert say(words) == words.english() == "Your share: EUR 20,000.00, due 2026-12-18."
    assert say(words, "de") == "Ihr Anteil: 20.000,00\xa0€, fällig am 18.12.2026."
    yen = worded("You receive %(share)s.", share=Amount(value=Decimal("1234567.5"), currency="JPY"))
    assert say(yen) == "You receive JPY 1,234,568."  # no minor unit: rounded half-even to the yen
    assert say(yen, "de") == "Sie erhalten 1.234.568\xa0¥."
