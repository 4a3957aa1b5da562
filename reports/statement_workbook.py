"""A capital account statement as an XLSX workbook (xlsxwriter): one sheet headed by the
investor's and the pool's names, the ILPA lines, then the memo figures; several statements in
one file, a sheet each.

Apart from reports.statements, which computes the figures, because the layout (labels, number
formats, sheet names Excel accepts) changes for reasons of its own.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from backend.finance.money import get_currency
from reports.schemas import CapitalAccountStatement

if TYPE_CHECKING:
    import xlsxwriter

_LABELS: tuple[tuple[str, str], ...] = (
    ("beginning_balance", "Beginning balance"),
    ("contributions", "Contributions"),
    ("redemptions", "Redemptions"),
    ("distributions", "Distributions"),
    ("management_fees", "Management fees"),
    ("management_fee_offsets", "Management fee offsets"),
    ("performance_fees", "Performance fees"),
    ("income", "Income"),
    ("expenses", "Partnership expenses"),
    ("realised_gains", "Realised gains"),
    ("unrealised_gains", "Unrealised gains (valuation)"),
    ("carried_interest_paid", "Carried interest paid"),
    ("carried_interest_accrued", "Carried interest accrued (change)"),
    ("other", "Other"),
    ("ending_balance", "Ending balance"),
)
_MEMO: tuple[tuple[str, str, str], ...] = (
    ("beginning_capital_account", "Capital account at start (before accrued carry)", "money"),
    ("accrued_carried_interest_start", "Accrued carried interest at start", "money"),
    ("ending_capital_account", "Capital account at end (before accrued carry)", "money"),
    ("accrued_carried_interest_end", "Accrued carried interest at end", "money"),
    ("cash_contributed", "Cash contributed in period", "money"),
    ("cash_received", "Cash received in period", "money"),
    ("units_start", "Units at start", "units"),
    ("units_end", "Units at end", "units"),
    ("nav_per_unit_start", "NAV per unit at start", "units"),
    ("nav_per_unit_end", "NAV per unit at end", "units"),
    ("committed", "Commitment", "money"),
    ("contributed_to_date", "Contributed to date", "money"),
    ("unfunded_commitment", "Unfunded commitment", "money"),
    ("call_receivable_end", "Called, not yet paid", "money"),
)


def statement_xlsx(statement: CapitalAccountStatement) -> bytes:
    """The statement as an .xlsx workbook: numbers as numbers, dates as dates."""
    import xlsxwriter  # on first use: a seventh of a second at every process's start otherwise

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    _write_statement(book, book.add_worksheet("Capital account"), statement)
    book.close()
    return buffer.getvalue()


SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Excel sheet names for `titles`: forbidden characters dropped, at most 31 characters,
    unique (a clash gets " (2)", " (3)" ...), never blank."""
    used: set[str] = set()
    out = []
    for title in titles:
        base = _SHEET_NAME_FORBIDDEN.sub("", title).strip().strip("'") or "Sheet"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.lower() in used:
            n += 1
            suffix = f" ({n})"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def statements_workbook(
    path: str | os.PathLike[str], statements: Sequence[tuple[str, CapitalAccountStatement]]
) -> None:
    """Several statements in one .xlsx file at `path`, one sheet each, named by the titles
    given (made valid sheet names); each sheet is laid out as statement_xlsx lays out its one."""
    import xlsxwriter  # on first use, as above

    book = xlsxwriter.Workbook(os.fspath(path))
    names = sheet_names([title for title, _ in statements])
    for name, (_, statement) in zip(names, statements, strict=True):
        _write_statement(book, book.add_worksheet(name), statement)
    if not statements:
        book.add_worksheet("No statements")
    book.close()


def _write_statement(book: xlsxwriter.Workbook, sheet: Any, statement: CapitalAccountStatement) -> None:
    bold = book.add_format({"bold": True})
    places = get_currency(statement.currency).exponent
    money_pattern = "#,##0" + ("." + "0" * places if places else "")
    money = book.add_format({"num_format": money_pattern})
    money_bold = book.add_format({"num_format": money_pattern, "bold": True, "top": 1})
    units = book.add_format({"num_format": "#,##0.000000"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 20)
    sheet.write_string(0, 0, "Capital account statement", bold)
    header = (
        ("Investor", _named(statement.investor_name, statement.investor_id, "Investor")),
        ("Pool", _named(statement.pool_name, statement.pool_id, "Pool")),
        ("Currency", statement.currency),
        ("Period", statement.period_label or statement.period),
    )
    row = 1
    for label, value in header:
        sheet.write_string(row, 0, label)
        sheet.write_string(row, 1, value)
        row += 1
    for label, when in (("From", statement.start), ("To", statement.end)):
        sheet.write_string(row, 0, label)
        sheet.write_datetime(row, 1, _as_datetime(when), day)
        row += 1
    row += 1
    for name, label in _LABELS:
        value = getattr(statement, name)
        total = name in ("beginning_balance", "ending_balance")
        sheet.write_string(row, 0, label, bold if total else None)
        sheet.write_number(row, 1, float(value), money_bold if name == "ending_balance" else money)
        row += 1
    row += 1
    for name, label, kind in _MEMO:
        value = getattr(statement, name)
        sheet.write_string(row, 0, label)
        if value is None:
            sheet.write_blank(row, 1, None)
        else:
            sheet.write_number(row, 1, float(value), money if kind == "money" else units)
        row += 1


def _named(name: str, ident: int, what: str) -> str:
    """ "Alder Foundation (#2)": the name a reader knows, the id support can look up."""
    return f"{name} (#{ident})" if name else f"{what} #{ident}"


def _as_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
