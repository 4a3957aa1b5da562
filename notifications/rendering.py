"""Messages rendered from templates: one per event and channel under templates/email/, with
the HTML autoescaped (a pool or investor name is data, never markup)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications.schemas import NotificationKind

_TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
    undefined=StrictUndefined,  # a missing figure is a bug to see, not a blank in a notice
    keep_trailing_newline=True,
)
FOOTER = (
    "You receive this because you hold or manage an interest in the pool. Formal notices "
    "(capital calls, distributions, statements, bank detail changes) are always sent by email."
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(
    kind: NotificationKind, *, name: str, title: str, body: str, link: str, preferences: str = ""
) -> RenderedEmail:
    """`preferences`: where the reader chooses which emails they get (left out of a formal
    notice, which they cannot switch off)."""
    context = {
        "name": name or "investor",
        "title": title,
        "body": body,
        "link": link,
        "footer": FOOTER,
        "preferences": preferences,
    }
    return RenderedEmail(
        subject=title,
        text=_ENV.get_template(f"email/{kind.value}.txt.j2").render(context),
        html=_ENV.get_template(f"email/{kind.value}.html.j2").render(context),
    )
