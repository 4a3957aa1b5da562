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
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from notifications.figures import currency_code, format_date, latin1, minor_unit_places, money, unit_number

__all__ = [
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


def _check_decimals(document: CapitalCallNotice | DistributionNotice | CapitalAccountStatement) -> None:
    """Money arrives as Decimal or not at all: a float here would already have lost cents."""
    for field in fields(document):
        value = getattr(document, field.name)
        if isinstance(value, float):
            raise TypeError(f"{field.name} must be a Decimal, not a float")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{field.name} must be a finite number, not {value}")


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BankInstructions:
    """Where to wire a capital call."""

    account_holder: str
    iban: str
    bic: str | None = None
    bank_name: str = ""


@dataclass(frozen=True)
class CapitalCallNotice:
    pool_name: str
    currency: str
    investor_name: str
    call_reference: str
    notice_date: date
    due_date: date
    commitment: Decimal
    called_before: Decimal
    """Called from this investor before this call."""
    amount_due: Decimal
    """This call."""
    unfunded_after: Decimal
    """commitment - called_before - amount_due."""
    payment_reference: str
    bank: BankInstructions | None
    """None: the investor pays in the portal."""
    purpose: str

    def __post_init__(self) -> None:
        _check_decimals(self)
        currency_code(self.currency)
        expected = self.commitment - self.called_before - self.amount_due
        if self.unfunded_after != expected:
            raise ValueError(
                f"unfunded_after {self.unfunded_after} must equal commitment {self.commitment} - "
                f"called_before {self.called_before} - amount_due {self.amount_due} = {expected}"
            )


@dataclass(frozen=True)
class DistributionNotice:
    pool_name: str
    currency: str
    investor_name: str
    notice_date: date
    payment_date: date
    reference: str
    tiers: tuple[tuple[str, Decimal], ...]
    """The investor's share by waterfall tier, in waterfall order."""
    total: Decimal
    withholding: Decimal = Decimal(0)
    basis: str = "waterfall"
    """Why the investor is paid: one of DISTRIBUTION_BASES (the notice says it in words)."""

    def __post_init__(self) -> None:
        _check_decimals(self)
        currency_code(self.currency)
        if self.basis not in DISTRIBUTION_BASES:
            raise ValueError(f"basis must be one of {', '.join(DISTRIBUTION_BASES)}, not {self.basis!r}")
        if not self.tiers:
            raise ValueError("tiers must name at least one waterfall tier")
        for name, amount in self.tiers:
            if not isinstance(amount, Decimal) or not amount.is_finite():
                raise TypeError(f"tier {name!r} must have a finite Decimal amount, not {amount!r}")
        tier_sum = sum((amount for _, amount in self.tiers), Decimal(0))
        if tier_sum != self.total:
            raise ValueError(f"total {self.total} must equal the sum of the tiers {tier_sum}")
        if self.withholding < 0:
            raise ValueError(f"withholding {self.withholding} must not be negative")

    @property
    def net(self) -> Decimal:
        """What reaches the investor: the total less withholding."""
        return self.total - self.withholding


@dataclass(frozen=True)
class CapitalAccountStatement:
    """The quarterly roll-forward of one investor's capital account (ILPA-style)."""

    pool_name: str
    currency: str
    investor_name: str
    period_start: date
    period_end: date
    commitment: Decimal
    opening_balance: Decimal
    contributions: Decimal
    distributions: Decimal
    fees: Decimal
    gains: Decimal
    """Net realised and unrealised profit or loss allocated to the investor (negative: a loss)."""
    closing_balance: Decimal
    unfunded_commitment: Decimal
    units: Decimal | None = None
    """None for a closed-ended pool, which has no units."""
    nav_per_unit: Decimal | None = None
    reference: str = ""
    """Blank: "STATEMENT-<period end>"."""
    movements: tuple[tuple[str, Decimal], ...] = ()
    """The period's movements line by line (ILPA), each signed as it changes the balance; when
    given they are what the statement prints, and they must add up from opening to closing."""

    def __post_init__(self) -> None:
        _check_decimals(self)
        currency_code(self.currency)
        if self.period_end < self.period_start:
            raise ValueError(f"period_end {self.period_end} is before period_start {self.period_start}")
        if self.movements:
            moved = sum((amount for _, amount in self.movements), Decimal(0))
            if self.opening_balance + moved != self.closing_balance:
                raise ValueError(
                    f"the movements ({moved}) do not take opening_balance {self.opening_balance} to "
                    f"closing_balance {self.closing_balance}"
                )
        expected = self.opening_balance + self.contributions - self.distributions - self.fees + self.gains
        if expected != self.closing_balance:
            raise ValueError(
                "the capital account does not roll forward: opening_balance "
                f"{self.opening_balance} + contributions {self.contributions} - distributions "
                f"{self.distributions} - fees {self.fees} + gains {self.gains} = {expected}, "
                f"but closing_balance is {self.closing_balance}"
            )

    @property
    def document_reference(self) -> str:
        return self.reference or f"STATEMENT-{self.period_end.isoformat()}"


# --- layout -------------------------------------------------------------------------------

_MARGIN = 20.0
_CONTENT_WIDTH = 210.0 - 2 * _MARGIN
_LABEL_WIDTH = 105.0
_VALUE_WIDTH = _CONTENT_WIDTH - _LABEL_WIDTH
_ROW_HEIGHT = 7.0
_LINE_HEIGHT = 5.0
_INK = (33, 37, 41)
_MUTED = (108, 117, 125)
_RULE = (206, 212, 218)
_SHADE = (241, 243, 245)


class _Page(FPDF):
    """One A4 page with the notice's footer on it."""

    def __init__(self, *, pool_name: str, title: str, subject: str, issued: date, reference: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._footer_text = latin1(
            f"Issued by {pool_name} via the investor portal. Document reference {reference}."
        )
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        # Leaves room for the footer, which sits 18 mm from the bottom edge.
        self.set_auto_page_break(auto=True, margin=28)
        self.set_title(latin1(title))
        self.set_author(latin1(pool_name))
        self.set_subject(latin1(subject))
        self.set_creator("Investor portal")
        self.set_lang("en")
        # Pinned to the document's own date: fpdf2 would otherwise stamp the time of rendering.
        self.set_creation_date(datetime(issued.year, issued.month, issued.day, tzinfo=UTC))
        self.set_text_color(*_INK)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-20)
        self.set_draw_color(*_RULE)
        self.line(_MARGIN, self.get_y() - 2, _MARGIN + _CONTENT_WIDTH, self.get_y() - 2)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*_MUTED)
        self.multi_cell(_CONTENT_WIDTH, 4, self._footer_text, align="L")
        self.set_text_color(*_INK)

    # header: pool name, title and date, then a rule
    def masthead(self, pool_name: str, title: str, date_label: str) -> None:
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(_CONTENT_WIDTH, 8, latin1(pool_name), align="L")
        self.ln(1)
        self.set_font("Helvetica", "B", 13)
        title_width = _CONTENT_WIDTH * 0.55
        self.cell(title_width, 7, latin1(title), align="L")
        self.set_font("Helvetica", "", 10)
        self.set_text_color(*_MUTED)
        self.cell(_CONTENT_WIDTH - title_width, 7, latin1(date_label), align="R")
        self.set_text_color(*_INK)
        self.ln(9)
        self.set_draw_color(*_INK)
        self.set_line_width(0.4)
        self.line(_MARGIN, self.get_y(), _MARGIN + _CONTENT_WIDTH, self.get_y())
        self.set_line_width(0.2)
        self.ln(6)

    def addressee(self, investor_name: str) -> None:
        self.set_font("Helvetica", "", 9)
        self.set_text_color(*_MUTED)
        self.cell(_CONTENT_WIDTH, 5, "To", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*_INK)
        self.set_font("Helvetica", "B", 11)
        self.multi_cell(_CONTENT_WIDTH, 6, latin1(investor_name), align="L")
        self.ln(4)

    def paragraph(self, text: str) -> None:
        self.set_font("Helvetica", "", 10)
        self.multi_cell(_CONTENT_WIDTH, _LINE_HEIGHT, latin1(text), align="L")
        self.ln(4)

    def section(self, heading: str) -> None:
        self.set_font("Helvetica", "B", 10)
        if self.will_page_break(_ROW_HEIGHT * 2):
            self.add_page()  # a heading is never left alone at the foot of a page
        self.set_fill_color(*_SHADE)
        self.rect(_MARGIN, self.get_y(), _CONTENT_WIDTH, _ROW_HEIGHT, style="F")
        self.set_x(_MARGIN + 2)
        self.cell(_CONTENT_WIDTH - 4, _ROW_HEIGHT, latin1(heading))
        self.ln(_ROW_HEIGHT)

    def row(self, label: str, value: str, *, bold: bool = False, total: bool = False) -> None:
        """A label on the left and its value right-aligned in the column on the right; either
        wraps onto more lines when long, and the row grows to the taller of the two."""
        label, value = latin1(label), latin1(value)
        self.set_font("Helvetica", "B" if bold else "", 10)
        label_lines = self._lines(_LABEL_WIDTH - 2, label)
        value_lines = self._lines(_VALUE_WIDTH - 2, value)
        height = max(_ROW_HEIGHT, _LINE_HEIGHT * max(label_lines, value_lines) + 2)
        if self.will_page_break(height):
            self.add_page()
        top = self.get_y()
        if total:
            self.set_draw_color(*_INK)
            self.line(_MARGIN, top, _MARGIN + _CONTENT_WIDTH, top)
        pad = (height - _LINE_HEIGHT * max(label_lines, 1)) / 2
        self.set_xy(_MARGIN + 2, top + pad)
        self.multi_cell(_LABEL_WIDTH - 2, _LINE_HEIGHT, label, align="L")
        pad = (height - _LINE_HEIGHT * max(value_lines, 1)) / 2
        self.set_xy(_MARGIN + _LABEL_WIDTH, top + pad)
        self.multi_cell(_VALUE_WIDTH - 2, _LINE_HEIGHT, value, align="R")
        self.set_draw_color(*_RULE)
        self.line(_MARGIN, top + height, _MARGIN + _CONTENT_WIDTH, top + height)
        self.set_xy(_MARGIN, top + height)

    def gap(self, height: float = 6) -> None:
        self.ln(height)

    def _lines(self, width: float, text: str) -> int:
        lines = self.multi_cell(width, _LINE_HEIGHT, text, dry_run=True, output="LINES")
        if not isinstance(lines, list):
            raise TypeError(f"fpdf2 returned {type(lines).__name__} for the lines of a cell")
        return max(1, len(lines))

    def render(self) -> bytes:
        return bytes(self.output())


# --- documents ----------------------------------------------------------------------------


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


DISTRIBUTION_BASES: dict[str, tuple[str, str, str]] = {
    "waterfall": (
        "is making a distribution",
        "It is allocated under the pool's distribution waterfall as follows.",
        "Your share by waterfall tier",
    ),
    "pro_rata": (
        "is making a distribution",
        "It is allocated to the investors pro rata to their holdings.",
        "Your share",
    ),
    "clawback": (
        "is paying out carried interest the manager gave back",
        "The manager took more carried interest deal by deal than the whole fund gives it; "
        "the excess is returned to the investors in proportion to the carry each bore.",
        "Your share of the clawback",
    ),
    "subsequent_close": (
        "has admitted investors at a subsequent close",
        "They paid in their share of the earlier capital calls with equalisation interest; what "
        "you had paid beyond your own share is returned to you with that interest.",
        "Returned to you at the close",
    ),
}
"""Basis: (what the pool is doing, how the share is worked out, the heading of the amounts)."""


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
