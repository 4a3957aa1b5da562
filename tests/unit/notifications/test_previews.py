"""Template previews: every email kind and every document kind renders from its sample without
error, and shows the sample's own figures (the PDFs read back with pypdf), worded and
formatted as the real senders do ("EUR 10,000.00"), the figures agreeing across the email,
the notice and the statement."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from notifications.pdf import CapitalAccountStatement, CapitalCallNotice, DistributionNotice
from notifications.previews import (
    DOCUMENT_SAMPLES,
    EMAIL_SAMPLES,
    IBAN,
    PAYMENT_REFERENCE,
    PORTAL,
    SAMPLES,
    EmailSample,
    preview_document,
    preview_email,
)
from notifications.schemas import FORMAL_NOTICES, DocumentKind, NotificationKind

POOL = "Harbour Private Equity I"
INVESTOR = "Ana Example"
MONEY = re.compile(r"-?EUR [\d,]+(?:\.\d+)?")
FORMATTED = re.compile(r"-?EUR \d{1,3}(?:,\d{3})*\.\d{2}")
ABOUT_A_PERSON = {
    NotificationKind.BANK_DETAILS,
    NotificationKind.UNDELIVERABLE,
    NotificationKind.KYC_STATUS,
    NotificationKind.NEW_DEVICE,
    NotificationKind.OPERATOR_ALERT,
    NotificationKind.CONTACT_DETAILS,
    NotificationKind.PASSWORD_RESET,
}
"""Kinds about a person or the platform, not a pool's money."""
"""As the platform writes a figure: ISO code, thousands separated, cents always shown."""


def _figures(text: str) -> list[str]:
    return MONEY.findall(text)


def _pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1, "a sample notice fits on one A4 page"
    return [line.strip() for line in reader.pages[0].extract_text().splitlines()]


def test_there_is_a_sample_for_every_kind_of_email_and_document() -> None:
    assert set(EMAIL_SAMPLES) == set(NotificationKind)
    assert set(DOCUMENT_SAMPLES) == set(DocumentKind)
    assert set(SAMPLES) == {*NotificationKind, *DocumentKind}
    assert all(SAMPLES[kind] is EMAIL_SAMPLES[kind] for kind in NotificationKind)


# --- emails -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_email_previews_with_its_samples_figures(kind: NotificationKind) -> None:
    sample = EMAIL_SAMPLES[kind]
    rendered = preview_email(kind)

    assert rendered.subject == sample.title
    for part in (rendered.text, rendered.html):
        assert f"Dear {INVESTOR}," in part
        assert f"{PORTAL}{sample.link}" in part
    assert sample.title in rendered.text and sample.body in rendered.text
    figures = _figures(sample.title + " " + sample.body)
    for figure in figures:
        assert figure in rendered.text and figure in rendered.html, figure
    # A formal notice cannot be switched off, so it offers no choice (as the outbox sends it).
    assert ("Choose which emails you get" in rendered.text) is (kind not in FORMAL_NOTICES)


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_each_sample_is_worded_and_formatted_as_its_real_sender_does(kind: NotificationKind) -> None:
    sample = EMAIL_SAMPLES[kind]
    assert 0 < len(sample.title) <= 200 and len(sample.body) <= 500  # NotificationIn's limits
    assert sample.link.startswith("/")
    words = f"{sample.title} {sample.body}"
    if kind not in ABOUT_A_PERSON:
        assert POOL in sample.title
        assert _figures(words), "a money notice names its money"
    assert _figures(words) == FORMATTED.findall(words), "every figure as 'EUR 20,000.00'"


def test_the_emails_quote_the_figures_of_the_notices() -> None:
    call = DOCUMENT_SAMPLES[DocumentKind.CAPITAL_CALL_NOTICE]
    distribution = DOCUMENT_SAMPLES[DocumentKind.DISTRIBUTION_NOTICE]
    statement = DOCUMENT_SAMPLES[DocumentKind.CAPITAL_ACCOUNT_STATEMENT]
    assert isinstance(call, CapitalCallNotice) and isinstance(distribution, DistributionNotice)
    assert isinstance(statement, CapitalAccountStatement)

    assert "EUR 10,000.00, due 2026-12-18" in preview_email(NotificationKind.CAPITAL_CALL).text
    assert "EUR 10,000.00 is due on 2026-12-18" in preview_email(NotificationKind.PAYMENT_REMINDER).subject
    assert "You receive EUR 4,500.00." in preview_email(NotificationKind.DISTRIBUTION).text
    assert "EUR 1,850.00" in preview_email(NotificationKind.VALUATION).text
    assert PAYMENT_REFERENCE in preview_email(NotificationKind.PAYMENT_FAILED).text
    assert "DE…3000" in preview_email(NotificationKind.BANK_DETAILS).subject  # masked, never the IBAN
    assert IBAN not in preview_email(NotificationKind.BANK_DETAILS).text
    # One investor's story: the call and the quarter's statement agree.
    assert call.amount_due == statement.contributions
    assert distribution.total == statement.distributions
    assert call.unfunded_after == statement.unfunded_commitment


def test_the_samples_cannot_be_changed_by_a_caller() -> None:
    """One caller's change would show in every later preview of the process."""
    sample = EMAIL_SAMPLES[NotificationKind.VALUATION]
    with pytest.raises(AttributeError):
        sample.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        EMAIL_SAMPLES[NotificationKind.VALUATION] = EmailSample("t", "b", "/")  # type: ignore[index]
    with pytest.raises(TypeError):
        SAMPLES[DocumentKind.DISTRIBUTION_NOTICE] = sample  # type: ignore[index]


# --- documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_previews_as_a_one_page_pdf_naming_pool_and_investor(kind: DocumentKind) -> None:
    data = preview_document(kind)
    assert data.startswith(b"%PDF-")
    shown = _pdf_lines(data)
    assert shown[0] == POOL and INVESTOR in shown
    assert preview_document(kind) == data, "a re-render is byte-identical, as for an issued notice"


def test_the_capital_call_preview_shows_the_call_and_where_to_pay() -> None:
    shown = _pdf_lines(preview_document(DocumentKind.CAPITAL_CALL_NOTICE))
    assert "Commitment EUR 100,000.00" in shown
    assert "Called to date before this call EUR 20,000.00" in shown
    assert "This call EUR 10,000.00" in shown
    assert "Unfunded commitment after this call EUR 70,000.00" in shown
    assert f"IBAN {IBAN}" in shown
    assert f"Payment reference {PAYMENT_REFERENCE}" in shown
    assert "Amount EUR 10,000.00" in shown


def test_the_distribution_preview_shows_the_waterfall_tiers() -> None:
    shown = _pdf_lines(preview_document(DocumentKind.DISTRIBUTION_NOTICE))
    assert "Return of capital EUR 3,000.00" in shown
    assert "Preferred return EUR 800.00" in shown
    assert "Carried interest split EUR 700.00" in shown
    assert "Total distribution EUR 4,500.00" in shown
    assert "Net amount payable to you EUR 4,500.00" in shown


def test_the_statement_preview_rolls_forward() -> None:
    statement = DOCUMENT_SAMPLES[DocumentKind.CAPITAL_ACCOUNT_STATEMENT]
    assert isinstance(statement, CapitalAccountStatement)
    s = statement
    assert s.opening_balance + s.contributions - s.distributions - s.fees + s.gains == s.closing_balance
    shown = _pdf_lines(preview_document(DocumentKind.CAPITAL_ACCOUNT_STATEMENT))
    assert "Opening balance at 1 October 2026 EUR 19,400.00" in shown
    assert "Contributions EUR 10,000.00" in shown
    assert "Distributions -EUR 4,500.00" in shown
    assert "Management fees and expenses -EUR 500.00" in shown
    assert "Net realised and unrealised gains (losses) EUR 1,850.00" in shown
    assert "Closing balance at 31 December 2026 EUR 26,250.00" in shown
    assert "Unfunded commitment EUR 70,000.00" in shown
