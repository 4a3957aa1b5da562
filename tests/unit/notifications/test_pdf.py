"""The formal notices as PDF, read back with a real PDF parser (pypdf): the figures a reader
sees, one A4 page, byte-identical re-renders (the vault's hash depends on it), and the
arithmetic each document must satisfy before it is rendered."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from notifications.pdf import (
    BankInstructions,
    CapitalAccountStatement,
    CapitalCallNotice,
    DistributionNotice,
    format_date,
    money,
    render_capital_call,
    render_distribution,
    render_statement,
)

POOL = "Alpine Growth Fund II"
A4_POINTS = (595.28, 841.89)
MONEY_TEXT = re.compile(r"^-?[A-Z]{3} [\d,]+(\.\d+)?$")


def capital_call(**changes: Any) -> CapitalCallNotice:
    notice = CapitalCallNotice(
        pool_name=POOL,
        currency="EUR",
        investor_name="Ana Lima",
        call_reference="CC-2026-04",
        notice_date=date(2026, 12, 4),
        due_date=date(2026, 12, 18),
        commitment=Decimal("1000000.00"),
        called_before=Decimal("400000.00"),
        amount_due=Decimal("250000.00"),
        unfunded_after=Decimal("350000.00"),
        payment_reference="AGF2-CC04-INV17",
        bank=BankInstructions(
            account_holder="Alpine Growth Fund II SCSp",
            iban="LU28 0019 4006 4475 0000",
            bic="BCEELULL",
            bank_name="Banque et Caisse d'Epargne de l'Etat",
        ),
        purpose="Investments and fees",
    )
    return dataclasses.replace(notice, **changes)


def distribution(**changes: Any) -> DistributionNotice:
    notice = DistributionNotice(
        pool_name=POOL,
        currency="EUR",
        investor_name="Ana Lima",
        notice_date=date(2026, 12, 4),
        payment_date=date(2026, 12, 11),
        reference="DN-2026-02",
        tiers=(
            ("Return of capital", Decimal("120000.00")),
            ("Preferred return", Decimal("18500.50")),
            ("Catch-up", Decimal("4200.00")),
            ("Carried interest split", Decimal("7299.50")),
        ),
        total=Decimal("150000.00"),
        withholding=Decimal("3750.00"),
    )
    return dataclasses.replace(notice, **changes)


def statement(**changes: Any) -> CapitalAccountStatement:
    document = CapitalAccountStatement(
        pool_name=POOL,
        currency="EUR",
        investor_name="Ana Lima",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        commitment=Decimal("1000000.00"),
        opening_balance=Decimal("612345.67"),
        contributions=Decimal("250000.00"),
        distributions=Decimal("150000.00"),
        fees=Decimal("4375.25"),
        gains=Decimal("-12000.10"),
        closing_balance=Decimal("695970.32"),
        unfunded_commitment=Decimal("350000.00"),
        units=Decimal("6959.7032"),
        nav_per_unit=Decimal("100.0000"),
        reference="CAS-2026Q4-INV17",
    )
    return dataclasses.replace(document, **changes)


def read(data: bytes) -> tuple[PdfReader, str]:
    """The parsed document and the text of its one page."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader, reader.pages[0].extract_text()


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def right_edges_of_amounts(data: bytes) -> list[float]:
    """Where each money figure in the tables ends, in points from the left edge of the page."""
    measure = FPDF(unit="pt")
    edges: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        shown = text.strip()
        if MONEY_TEXT.match(shown) and font is not None:
            measure.set_font("Helvetica", "B" if "Bold" in str(font["/BaseFont"]) else "", size)
            edges.append(float(tm[4]) + measure.get_string_width(shown))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return edges


# --- capital call -------------------------------------------------------------------------


def test_capital_call_shows_the_call_in_the_context_of_the_commitment() -> None:
    _, text = read(render_capital_call(capital_call()))
    shown = lines(text)
    assert shown[0] == POOL
    assert "Capital Call Notice 4 December 2026" in shown
    assert "Ana Lima" in shown
    assert "Commitment EUR 1,000,000.00" in shown
    assert "Called to date before this call EUR 400,000.00" in shown
    assert "This call EUR 250,000.00" in shown
    assert "Unfunded commitment after this call EUR 350,000.00" in shown
    assert "Due date 18 December 2026" in shown
    assert "Payment reference AGF2-CC04-INV17" in shown
    assert "IBAN LU28 0019 4006 4475 0000" in shown
    assert "BIC BCEELULL" in shown
    assert "Investments and fees" in text
    assert shown[-1] == f"Issued by {POOL} via the investor portal. Document reference CC-2026-04."


def test_capital_call_without_bank_details_sends_the_investor_to_the_portal() -> None:
    _, text = read(render_capital_call(capital_call(bank=None)))
    assert "Pay in the investor portal" in text
    assert "IBAN" not in text


def test_capital_call_is_one_a4_page_with_its_metadata() -> None:
    reader, _ = read(render_capital_call(capital_call()))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Capital Call Notice CC-2026-04"
    assert meta.author == POOL
    assert meta.subject == "Capital call CC-2026-04 to Ana Lima"
    # Pinned to the notice date, not the time of rendering: that is what makes re-renders equal.
    assert meta.creation_date == datetime(2026, 12, 4, tzinfo=UTC)


def test_capital_call_amounts_are_right_aligned() -> None:
    edges = right_edges_of_amounts(render_capital_call(capital_call()))
    assert len(edges) == 5  # four in the commitment table, one in the payment instructions
    assert max(edges) - min(edges) < 0.5


def test_capital_call_whose_unfunded_figure_does_not_add_up_is_refused() -> None:
    with pytest.raises(ValueError, match="unfunded_after"):
        capital_call(unfunded_after=Decimal("350000.01"))


# --- distribution -------------------------------------------------------------------------


def test_distribution_shows_each_tier_the_total_withholding_and_net() -> None:
    _, text = read(render_distribution(distribution()))
    shown = lines(text)
    assert "Distribution Notice 4 December 2026" in shown
    assert "Return of capital EUR 120,000.00" in shown
    assert "Preferred return EUR 18,500.50" in shown
    assert "Catch-up EUR 4,200.00" in shown
    assert "Carried interest split EUR 7,299.50" in shown
    assert "Total distribution EUR 150,000.00" in shown
    assert "Withholding tax -EUR 3,750.00" in shown
    assert "Net amount payable to you EUR 146,250.00" in shown
    assert "Payment date 11 December 2026" in shown
    assert shown[-1] == f"Issued by {POOL} via the investor portal. Document reference DN-2026-02."


@pytest.mark.parametrize(
    ("basis", "says", "heading"),
    [
        ("waterfall", "allocated under the pool's distribution waterfall", "Your share by waterfall tier"),
        ("pro_rata", "pro rata to their holdings", "Your share"),
        ("clawback", "carried interest the manager gave back", "Your share of the clawback"),
        ("subsequent_close", "admitted investors at a subsequent close", "Returned to you at the close"),
    ],
)
def test_distribution_says_why_the_investor_is_paid(basis: str, says: str, heading: str) -> None:
    """A clawback or a close's return of capital is not a waterfall distribution: the notice
    must not say it is."""
    tiers = (("Paid to you", Decimal("150000.00")),)
    _, text = read(render_distribution(distribution(basis=basis, tiers=tiers)))
    flat = " ".join(lines(text))
    assert says in flat and heading in lines(text)
    assert ("distribution waterfall" in flat) == (basis == "waterfall")


def test_distribution_with_an_unknown_basis_is_refused() -> None:
    with pytest.raises(ValueError, match="basis must be one of"):
        distribution(basis="gift")


def test_distribution_net_is_the_total_less_withholding() -> None:
    assert distribution().net == Decimal("146250.00")
    assert distribution(withholding=Decimal(0)).net == Decimal("150000.00")


def test_distribution_amounts_are_right_aligned() -> None:
    edges = right_edges_of_amounts(render_distribution(distribution()))
    assert len(edges) == 7  # four tiers, total, withholding, net
    assert max(edges) - min(edges) < 0.5


def test_distribution_whose_tiers_do_not_sum_to_the_total_is_refused() -> None:
    with pytest.raises(ValueError, match=r"total 150000\.01 must equal the sum of the tiers 150000\.00"):
        distribution(total=Decimal("150000.01"))


def test_distribution_with_negative_withholding_is_refused() -> None:
    with pytest.raises(ValueError, match="withholding"):
        distribution(withholding=Decimal("-1"))


# --- statement ----------------------------------------------------------------------------


def test_statement_rolls_the_capital_account_forward() -> None:
    _, text = read(render_statement(statement()))
    shown = lines(text)
    assert "Capital Account Statement As at 31 December 2026" in shown
    assert "Opening balance at 1 October 2026 EUR 612,345.67" in shown
    assert "Contributions EUR 250,000.00" in shown
    assert "Distributions -EUR 150,000.00" in shown
    assert "Management fees and expenses -EUR 4,375.25" in shown
    assert "Net realised and unrealised gains (losses) -EUR 12,000.10" in shown
    assert "Closing balance at 31 December 2026 EUR 695,970.32" in shown
    assert "Total commitment EUR 1,000,000.00" in shown
    assert "Unfunded commitment EUR 350,000.00" in shown
    assert "Units held 6,959.7032" in shown
    assert "Net asset value per unit EUR 100.0000" in shown
    assert shown[-1] == f"Issued by {POOL} via the investor portal. Document reference CAS-2026Q4-INV17."


def test_statement_of_a_closed_ended_pool_has_no_units_section() -> None:
    _, text = read(render_statement(statement(units=None, nav_per_unit=None, reference="")))
    assert "Units held" not in text
    assert "Net asset value per unit" not in text
    assert "Document reference STATEMENT-2026-12-31." in text


def test_statement_amounts_are_right_aligned() -> None:
    edges = right_edges_of_amounts(render_statement(statement()))
    assert len(edges) == 9  # six in the roll-forward, two commitment figures, the NAV per unit
    assert max(edges) - min(edges) < 0.5


def test_statement_that_does_not_roll_forward_is_refused_naming_the_figures() -> None:
    with pytest.raises(ValueError) as raised:
        statement(closing_balance=Decimal("695970.33"))
    message = str(raised.value)
    for figure in ("612345.67", "250000.00", "150000.00", "4375.25", "-12000.10", "695970.32", "695970.33"):
        assert figure in message
    assert "closing_balance" in message


def test_statement_refuses_float_money() -> None:
    with pytest.raises(TypeError, match="fees"):
        statement(fees=4375.25)


# --- all three ----------------------------------------------------------------------------

RENDERERS = [
    pytest.param(render_capital_call, capital_call, id="capital-call"),
    pytest.param(render_distribution, distribution, id="distribution"),
    pytest.param(render_statement, statement, id="statement"),
]


@pytest.mark.parametrize(("render", "make"), RENDERERS)
def test_same_input_renders_byte_identical_documents(render: Any, make: Any) -> None:
    first, second = render(make()), render(make())
    assert first.startswith(b"%PDF-")
    assert first == second
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    # and the bytes do depend on the content: a determinism that ignored it would be useless
    assert render(make(investor_name="Bo Berg")) != first


@pytest.mark.parametrize(("render", "make"), RENDERERS)
def test_names_outside_latin_1_are_replaced_not_fatal(render: Any, make: Any) -> None:
    data = render(make(investor_name="王伟 Ødegaard – O’Brien 🚀", pool_name="Fonds € Ünïcode"))
    _, text = read(data)
    assert "?? Ødegaard - O'Brien ?" in text
    assert "Fonds EUR Ünïcode" in text


# --- formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234567.89", "EUR", "EUR 1,234,567.89"),
        ("250000", "EUR", "EUR 250,000.00"),
        ("0", "USD", "USD 0.00"),
        ("-1234.56", "EUR", "-EUR 1,234.56"),
        ("-0.001", "EUR", "EUR 0.00"),
        ("0.125", "EUR", "EUR 0.12"),  # half-even
        ("0.135", "EUR", "EUR 0.14"),
        ("1234567", "JPY", "JPY 1,234,567"),
        ("1000.5", "JPY", "JPY 1,000"),
        ("-98765.4", "KRW", "-KRW 98,765"),
        ("1234.5678", "KWD", "KWD 1,234.568"),
        ("12.3", "BHD", "BHD 12.300"),
        ("99", "gbp", "GBP 99.00"),
        ("123456789012345678.99", "EUR", "EUR 123,456,789,012,345,678.99"),
    ],
)
def test_money(amount: str, currency: str, shown: str) -> None:
    assert money(Decimal(amount), currency) == shown


def test_money_refuses_floats_non_finite_amounts_and_unknown_code_shapes() -> None:
    with pytest.raises(TypeError):
        money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        money(Decimal("NaN"), "EUR")
    with pytest.raises(ValueError, match="currency"):
        money(Decimal(1), "EURO")
    with pytest.raises(ValueError, match="currency"):
        money(Decimal(1), "€")


@pytest.mark.parametrize(
    ("day", "shown"),
    [(date(2026, 12, 4), "4 December 2026"), (date(2027, 1, 31), "31 January 2027")],
)
def test_format_date(day: date, shown: str) -> None:
    assert format_date(day) == shown
