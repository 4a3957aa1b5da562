"""Formal notices as PDF: capital calls, distributions and quarterly capital account statements.

Each document is one A4 page: a header (pool name, document title, date), the addressee, the
figures in a table with the amounts right-aligned, and a footer naming the issuer and the
document reference. Pure functions over frozen inputs: no database, no clock, no randomness.
Long names wrap rather than overflow; an unusually long waterfall flows onto a second page,
which carries the same footer, rather than losing rows.

The output is deterministic: the same input renders to byte-identical PDFs, because the vault
keeps a SHA-256 of every issued document and re-rendering it must give the same hash. fpdf2
would stamp the current time as the creation date, so it is pinned to the document's own date;
the /ID it writes in the trailer is an MD5 of the document's bytes and that date, so it is
fixed too. The bytes are stable for one fpdf2 version (its name is the PDF Producer), which is
why the vault keeps the issued bytes themselves rather than relying on a re-render.

Text is set in Helvetica, a core PDF font: no font file to ship, but latin-1 only, so every
string from the outside passes through `_latin1` (common typographic punctuation becomes its
ASCII form, anything else outside latin-1 becomes "?"), and currencies are written as ISO codes
("EUR", never "€").

The figures are formatted by notifications/figures.py (money, dates, units, latin-1 text).
The inputs and their checks are in notifications/notice_inputs.py, the A4 page they are laid
out on in notifications/pdf_page.py; this module says what goes on each notice. Every name the
notices were imported by is importable from here still.
"""

from __future__ import annotations

from notifications.figures import currency_code, format_date, minor_unit_places, money, unit_number
from notifications.notice_inputs import (
    DISTRIBUTION_BASES,
    BankInstructions,
    CapitalAccountStatement,
    CapitalCallNotice,
    DistributionNotice,
)
from notifications.pdf_page import _Page

__all__ = [
    "DISTRIBUTION_BASES",
    "BankInstructions",
    "CapitalAccountStatement",
    "CapitalCallNotice",
    "DistributionNotice",
    "format_date",
    "minor_unit_places",
    "money",
    "render_capital_call",
    "render_distribution",
    "render_statement",
]


def render_capital_call(notice: CapitalCallNotice) -> bytes:
    """The capital call notice: the call in the context of the commitment, when and how to pay."""
    n = notice
    page = _Page(
        pool_name=n.pool_name,
        title=f"Capital Call Notice {n.call_reference}",
        subject=f"Capital call {n.call_reference} to {n.investor_name}",
        issued=n.notice_date,
        reference=n.call_reference,
    )
    page.masthead(n.pool_name, "Capital Call Notice", format_date(n.notice_date))
    page.addressee(n.investor_name)
    page.paragraph(
        f"Under the terms of {n.pool_name}, you are requested to pay {money(n.amount_due, n.currency)} "
        f"by {format_date(n.due_date)}, quoting the payment reference below. Purpose of the call: "
        f"{n.purpose}."
    )
    page.section("Your commitment")
    page.row("Commitment", money(n.commitment, n.currency))
    page.row("Called to date before this call", money(n.called_before, n.currency))
    page.row("This call", money(n.amount_due, n.currency), bold=True)
    page.row("Unfunded commitment after this call", money(n.unfunded_after, n.currency), total=True)
    page.gap()
    page.section("Details")
    page.row("Call reference", n.call_reference)
    page.row("Notice date", format_date(n.notice_date))
    page.row("Due date", format_date(n.due_date), bold=True)
    page.row("Payment reference", n.payment_reference, bold=True)
    page.gap()
    page.section("Payment instructions")
    if n.bank is None:
        page.row("Pay in the investor portal", "Use the payment reference above")
    else:
        page.row("Account holder", n.bank.account_holder)
        page.row("IBAN", n.bank.iban)
        if n.bank.bic:
            page.row("BIC", n.bank.bic)
        if n.bank.bank_name:
            page.row("Bank", n.bank.bank_name)
        page.row("Amount", money(n.amount_due, n.currency), bold=True)
    return page.render()


def render_distribution(notice: DistributionNotice) -> bytes:
    """The distribution notice: the investor's share tier by tier, withholding and net."""
    n = notice
    page = _Page(
        pool_name=n.pool_name,
        title=f"Distribution Notice {n.reference}",
        subject=f"Distribution {n.reference} to {n.investor_name}",
        issued=n.notice_date,
        reference=n.reference,
    )
    page.masthead(n.pool_name, "Distribution Notice", format_date(n.notice_date))
    page.addressee(n.investor_name)
    opening, how, heading = DISTRIBUTION_BASES[n.basis]
    page.paragraph(
        f"{n.pool_name} {opening}. Your share, {money(n.net, n.currency)} after withholding, will be "
        f"paid on {format_date(n.payment_date)}. {how}"
    )
    page.section(heading)
    for name, amount in n.tiers:
        page.row(name, money(amount, n.currency))
    page.row("Total distribution", money(n.total, n.currency), bold=True, total=True)
    page.row("Withholding tax", money(-n.withholding, n.currency))
    page.row("Net amount payable to you", money(n.net, n.currency), bold=True, total=True)
    page.gap()
    page.section("Details")
    page.row("Reference", n.reference)
    page.row("Notice date", format_date(n.notice_date))
    page.row("Payment date", format_date(n.payment_date), bold=True)
    return page.render()


def render_statement(statement: CapitalAccountStatement) -> bytes:
    """The capital account statement: the period's roll-forward from opening to closing
    balance, each movement signed as it affects the balance so the column adds up, then the
    commitment and, for an open-ended pool, the units held."""
    s = statement
    period = f"{format_date(s.period_start)} to {format_date(s.period_end)}"
    page = _Page(
        pool_name=s.pool_name,
        title=f"Capital Account Statement {period}",
        subject=f"Capital account statement of {s.investor_name}, {period}",
        issued=s.period_end,
        reference=s.document_reference,
    )
    page.masthead(s.pool_name, "Capital Account Statement", f"As at {format_date(s.period_end)}")
    page.addressee(s.investor_name)
    page.paragraph(
        f"Your capital account in {s.pool_name} for the period {period}. Amounts are in {s.currency}; "
        "distributions and fees reduce the balance and are shown with a minus sign."
    )
    page.section("Capital account")
    page.row(f"Opening balance at {format_date(s.period_start)}", money(s.opening_balance, s.currency))
    if s.movements:
        for label, amount in s.movements:
            page.row(label, money(amount, s.currency))
    else:
        page.row("Contributions", money(s.contributions, s.currency))
        page.row("Distributions", money(-s.distributions, s.currency))
        page.row("Management fees and expenses", money(-s.fees, s.currency))
        page.row("Net realised and unrealised gains (losses)", money(s.gains, s.currency))
    page.row(
        f"Closing balance at {format_date(s.period_end)}",
        money(s.closing_balance, s.currency),
        bold=True,
        total=True,
    )
    page.gap()
    page.section("Commitment")
    page.row("Total commitment", money(s.commitment, s.currency))
    page.row("Unfunded commitment", money(s.unfunded_commitment, s.currency), bold=True)
    if s.units is not None or s.nav_per_unit is not None:
        page.gap()
        page.section("Units")
        if s.units is not None:
            page.row("Units held", unit_number(s.units))
        if s.nav_per_unit is not None:
            page.row("Net asset value per unit", f"{currency_code(s.currency)} {unit_number(s.nav_per_unit)}")
    page.gap()
    page.section("Details")
    page.row("Period", period)
    page.row("Document reference", s.document_reference)
    return page.render()
