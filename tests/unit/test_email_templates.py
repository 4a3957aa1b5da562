"""Every kind of notice has its email in text and HTML, renders with every figure it needs,
and offers the choice of emails only where the reader has one (not on a formal notice)."""

from __future__ import annotations

import pytest

from notifications.rendering import render_email
from notifications.schemas import FORMAL_NOTICES, NotificationKind


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_kind_renders_in_text_and_html_with_its_figures(kind: NotificationKind) -> None:
    choose = "" if kind in FORMAL_NOTICES else "https://portal.test/notifications"
    rendered = render_email(
        kind,
        name="Ana <i>Example</i>",
        title="EUR 20,000.00 due",
        body="By 18 Dec 2026.",
        link="https://p/x",
        preferences=choose,
    )
    assert rendered.subject == "EUR 20,000.00 due"
    for part in (rendered.text, rendered.html):
        assert "EUR 20,000.00 due" in part and "By 18 Dec 2026." in part and "https://p/x" in part
    assert "Ana &lt;i&gt;Example&lt;/i&gt;" in rendered.html  # a name is data, never markup
    assert ("Choose which emails you get" in rendered.text) is (kind not in FORMAL_NOTICES)
