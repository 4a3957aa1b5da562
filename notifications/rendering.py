"""Messages rendered from templates: one per event and channel under templates/email/, with
the HTML autoescaped (a pool or investor name is data, never markup), in the reader's language
from the message catalogues (notifications/catalogue.py; English when there is none)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications.catalogue import N_, language, translations
from notifications.schemas import NotificationKind

_TEMPLATES = Path(__file__).parent / "templates"
FOOTER = N_(
    "You receive this because you hold or manage an interest in the pool. Formal notices "
    "(capital calls, distributions, statements, bank detail changes) are always sent by email."
)
"""The English footer, and its msgid in the catalogues."""


@cache
def _environment(lang: str) -> Environment:
    # One environment per language: installing translations changes an environment for every
    # thread rendering with it, so two languages never share one.
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        undefined=StrictUndefined,  # a missing figure is a bug to see, not a blank in a notice
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Newstyle: the translated text is a format string whose values are escaped like any other
    # in HTML, so a translation cannot let a name through as markup. (The method is added by
    # the i18n extension at run time, hence unknown to the type checker.)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(
    kind: NotificationKind,
    *,
    name: str,
    title: str,
    body: str,
    link: str,
    preferences: str = "",
    lang: str = "en",
) -> RenderedEmail:
    """`preferences`: where the reader chooses which emails they get (left out of a formal
    notice, which they cannot switch off). `lang`: the reader's language; one without a
    catalogue reads English. `title` and `body` are the event's own words, shown as given."""
    written_in = language(lang)
    context = {
        "name": name,
        "title": title,
        "body": body,
        "link": link,
        "footer": translations(written_in).gettext(FOOTER),
        "preferences": preferences,
        "lang": written_in,
    }
    env = _environment(written_in)
    return RenderedEmail(
        subject=title,
        text=env.get_template(f"email/{kind.value}.txt.j2").render(context),
        html=env.get_template(f"email/{kind.value}.html.j2").render(context),
    )


DIGEST_TITLE = N_("Your valuation digest: %(period)s")


def render_digest(
    *,
    name: str,
    period: str,
    lines: list[tuple[str, str, str]],
    preferences: str,
    lang: str = "en",
) -> RenderedEmail:
    """One email for a period's valuation news: `lines` are (title, body, portal link) of each,
    oldest first; `period` as the reader reads it ("3 December 2026")."""
    written_in = language(lang)
    words = translations(written_in)
    title = words.gettext(DIGEST_TITLE) % {"period": period}
    context = {
        "name": name,
        "title": title,
        "period": period,
        "lines": lines,
        "link": "",
        "footer": words.gettext(FOOTER),
        "preferences": preferences,
        "lang": written_in,
    }
    env = _environment(written_in)
    return RenderedEmail(
        subject=title,
        text=env.get_template("email/digest.txt.j2").render(context),
        html=env.get_template("email/digest.html.j2").render(context),
    )
