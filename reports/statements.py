"""Capital account statements: one investor, one pool, one period, tied out to the books.

Pure functions over the pool's journal (reports.journal.BookEntry values, every entry with
an effective date up to the period's end, reversals included). The layout is ILPA's:
beginning balance, contributions, distributions (the cash actually received), management
fees, partnership expenses, gains, carried interest paid and the change in carried
interest accrued as lines of their own, ending balance.

The capital account is exactly the ledger's: the capital account at the start is the sum of
the investor's capital postings dated before the period, at the end the sum of those dated
up to its end, and every posting dated within the period is one movement, classified by the
type of its entry (a reversal by the type of the entry it reverses, so a correction shows,
negative, in the period it was booked in). A waterfall distribution's posting is split in
two: the cash the investor received (distributions) and the GP's catch-up and carried
interest their account bore (carried_interest_paid).

The balances are net of accrued carried interest (reports.carry: the investor's part of
the GP's share of a hypothetical liquidation of the pool's value, on the day before the
period and on its last day, with the books as they stood then): balance = capital
account - accrued carried interest, and the change in the accrual over the period is the
line carried_interest_accrued. Hence beginning + movements = ending, to the cent, by
construction, and ending + accrued carried interest at the end is the capital account the
ledger reports as of the end date.

Periods: "2025-Q4" (a calendar quarter), "2025" (a calendar year), "2025-11" (a month), or
explicit start and end dates (both inclusive).

A named period still running on the day it is asked for ("2026" on 2026-12-04) ends that
day and its period_label says so, "2026 (to date)" (to_date; the report service applies it);
its period stays "2026", the identifier document references are made of.

XLSX (xlsxwriter): one sheet headed by the investor's and the pool's names (and ids),
amounts as numbers in the currency's minor unit (`#,##0.00`; `#,##0` for the yen), units
and NAV per unit to 6 places, dates as dates; statements_workbook puts several statements
(an investor's pools) in one file, a sheet each. PDF is not produced yet.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import xlsxwriter

from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import Currency, get_currency
from backend.platform.errors import ValidationFailed
from ledger.interface import AccountCode, EntryType, PoolTerms
from reports.history import PoolHistory, pool_history
from reports.journal import BookEntry, investor_flows, standing
from reports.performance import month_end
from reports.schemas import CapitalAccountStatement

_ZERO = Decimal(0)

_CATEGORY: dict[EntryType, str] = {
    EntryType.SUBSCRIPTION: "contributions",
    EntryType.CAPITAL_CALL: "contributions",
    # Later investors' share of earlier calls in, the overpayments of those already in out.
    EntryType.SUBSEQUENT_CLOSE: "contributions",
    EntryType.REDEMPTION: "redemptions",
    EntryType.DISTRIBUTION: "distributions",
    # Carry the GP gives back, paid out: cash received, and carried interest paid reduced.
    EntryType.CLAWBACK: "distributions",
    EntryType.MANAGEMENT_FEE: "management_fees",
    EntryType.PERFORMANCE_FEE: "performance_fees",
    EntryType.INCOME: "income",
    EntryType.EXPENSE: "expenses",
    EntryType.SALE: "realised_gains",
    EntryType.VALUATION: "unrealised_gains",
}
MOVEMENTS = (
    "contributions",
    "redemptions",
    "distributions",
    "management_fees",
    "management_fee_offsets",
    "performance_fees",
    "income",
    "expenses",
    "realised_gains",
    "unrealised_gains",
    "carried_interest_paid",
    "carried_interest_accrued",
    "other",
)

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(period: str | None, start: date | None, end: date | None) -> tuple[str, date, date]:
    """(label, first day, last day) of a period given as text or as start/end dates."""
    if period is not None:
        if start is not None or end is not None:
            raise ValidationFailed("period: give a period or start and end, not both", field="period")
        text = period.strip().upper()
        if m := _QUARTER.match(text):
            year, quarter = int(m.group(1)), int(m.group(2))
            first = date(year, 3 * quarter - 2, 1)
            return text, first, month_end(date(year, 3 * quarter, 1))
        if m := _YEAR.match(text):
            year = int(m.group(1))
            return text, date(year, 1, 1), date(year, 12, 31)
        if m := _MONTH.match(text):
            first = date(int(m.group(1)), int(m.group(2)), 1)
            return text, first, month_end(first)
        raise ValidationFailed(
            f"period: expected a quarter (2025-Q4), a year (2025) or a month (2025-11), got {period!r}",
            field="period",
        )
    if start is None or end is None:
        raise ValidationFailed("period: give a period (2025-Q4) or both start and end", field="period")
    if end < start:
        raise ValidationFailed(f"end: {end} is before start {start}", field="end")
    return f"{start.isoformat()}..{end.isoformat()}", start, end


TO_DATE = " (to date)"


def to_date(label: str, first: date, last: date, today: date) -> tuple[str, date]:
    """(label, last day) of a named period as of ``today``: one still running ("2026" on
    2026-12-04) ends today and says so ("2026 (to date)"), since the books cannot state a
    balance for days that have not happened; a period already over, or not begun, is as named."""
    if first <= today < last:
        return label + TO_DATE, today
    return label, last


def _capital_movement(entry: BookEntry, investor_id: int) -> Decimal:
    """How much the entry raised the investor's capital account (credit-normal, so negated)."""
    return -sum(
        (a for code, inv, a in entry.lines if code is AccountCode.CAPITAL and inv == investor_id), _ZERO
    )


def _balance(entries: Iterable[BookEntry], code: AccountCode, investor_id: int, until: date) -> Decimal:
    return sum(
        (a for e in entries if e.on <= until for c, inv, a in e.lines if c is code and inv == investor_id),
        _ZERO,
    )


def _movements(entries: Sequence[BookEntry], investor_id: int, start: date, end: date) -> dict[str, Decimal]:
    """The investor's capital account movements in [start, end], by ILPA line."""
    by_id = {e.id: e for e in entries}
    movements = dict.fromkeys(MOVEMENTS, _ZERO)
    for entry in entries:
        if not start <= entry.on <= end:
            continue
        change = _capital_movement(entry, investor_id)
        if not change and not entry.lines:
            continue
        source, sign = entry, 1
        if entry.entry_type is EntryType.REVERSAL and entry.reverses_entry_id in by_id:
            source, sign = by_id[entry.reverses_entry_id], -1
        category = _CATEGORY.get(source.entry_type, "other")
        if category == "distributions" and source.details:
            # Cash received on one line, the GP's share the capital account bore on another.
            received = sign * investor_flows(source).get(investor_id, (_ZERO, _ZERO))[1]
            movements["distributions"] -= received
            movements["carried_interest_paid"] += change + received
        elif category == "management_fees" and "fee_offset" in source.details:
            # ILPA: the fee gross on its line, the offset of portfolio-company fees on its own.
            offset = sign * Decimal(source.details["fee_offset"]["by_investor"].get(str(investor_id), "0"))
            movements["management_fee_offsets"] += offset
            movements["management_fees"] += change - offset
        elif source.entry_type is EntryType.SUBSEQUENT_CLOSE:
            # A later investor's catch-up of the fees charged before its close: a fee.
            own = source.details["investors"].get(str(investor_id), {})
            fee = sign * Decimal(own.get("management_fee_catch_up", "0"))
            movements["management_fees"] -= fee
            movements["contributions"] += change + fee
        elif category == "redemptions" and "performance_fee" in source.details:
            # A leaver's own performance fee, kept from its proceeds: on the fee line.
            fee = sign * Decimal(source.details["performance_fee"]["amount"])
            movements["performance_fees"] -= fee
            movements["redemptions"] += change + fee
        elif category == "unrealised_gains" and source.details.get("fee_allocation"):
            # A mark that accrued the management fee: the fee on its own line.
            fee = sign * Decimal(source.details["fee_allocation"].get(str(investor_id), "0"))
            movements["management_fees"] -= fee
            movements["unrealised_gains"] += change + fee
        else:
            movements[category] += change
    return movements


def capital_account_statement(
    entries: Sequence[BookEntry],
    *,
    investor_id: int,
    pool_id: int,
    open_ended: bool,
    currency: Currency,
    inception: date,
    initial_nav_per_unit: Decimal,
    period: str,
    start: date,
    end: date,
    committed: Decimal,
    terms: PoolTerms | None = None,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    commitments: Mapping[int, Decimal] | None = None,
) -> CapitalAccountStatement:
    """The statement for (start, end] from every entry of the pool dated up to ``end``;
    ``terms`` (the pool's posting terms) make a closed-ended pool's balances net of accrued
    carried interest."""
    entries = [e for e in entries if e.on <= end]
    before = start - timedelta(days=1)
    movements = _movements(entries, investor_id, start, end)
    beginning_capital = -_balance(entries, AccountCode.CAPITAL, investor_id, before)
    ending_capital = -_balance(entries, AccountCode.CAPITAL, investor_id, end)

    def history(on: date) -> PoolHistory:
        """The pool as its books stood at the end of ``on`` (prices, accrued carry)."""
        return pool_history(
            pool_id=pool_id,
            open_ended=open_ended,
            currency=currency,
            inception=inception,
            initial_nav_per_unit=initial_nav_per_unit,
            entries=entries,
            as_of=on,
            terms=terms,
            carry_on=(on,),
            investor_terms=investor_terms,
            commitments=commitments,
        )

    at_start, at_end = history(before), history(end)
    accrued_start = at_start.carry_on(before).of(investor_id)
    accrued_end = at_end.carry_on(end).of(investor_id)
    movements["carried_interest_accrued"] = accrued_start - accrued_end
    beginning = beginning_capital - accrued_start
    ending = ending_capital - accrued_end
    if beginning + sum(movements.values(), _ZERO) != ending:  # pragma: no cover - a sum of the same postings
        raise AssertionError(f"statement does not tie out for investor {investor_id} in pool {pool_id}")

    standing_at_end = standing(entries, end)
    cash_in = cash_out = to_date = called = _ZERO
    for entry in standing_at_end:
        paid, received = investor_flows(entry).get(investor_id, (_ZERO, _ZERO))
        to_date += paid
        if entry.entry_type is EntryType.CAPITAL_CALL:
            called += Decimal(entry.details.get("allocation", {}).get(str(investor_id), "0"))
        if entry.on >= start:
            cash_in, cash_out = cash_in + paid, cash_out + received

    zero = _ZERO.quantize(currency.quantum)
    committed = committed if not open_ended else zero

    def cash(amount: Decimal) -> Decimal:
        return amount.quantize(currency.quantum)

    return CapitalAccountStatement(
        investor_id=investor_id,
        pool_id=pool_id,
        pool_kind="open_ended" if open_ended else "closed_ended",
        currency=currency.code,
        period=period,
        start=start,
        end=end,
        period_label=period,
        investor_name="",  # the report service names them, as the reader may see them
        pool_name="",
        beginning_balance=cash(beginning),
        ending_balance=cash(ending),
        beginning_capital_account=cash(beginning_capital),
        ending_capital_account=cash(ending_capital),
        accrued_carried_interest_start=cash(accrued_start),
        accrued_carried_interest_end=cash(accrued_end),
        cash_contributed=cash(cash_in),
        cash_received=cash(cash_out),
        units_start=_balance(entries, AccountCode.UNITS, investor_id, before),
        units_end=_balance(entries, AccountCode.UNITS, investor_id, end),
        nav_per_unit_start=at_start.nav_per_unit_on(before),
        nav_per_unit_end=at_end.nav_per_unit_on(end),
        committed=committed,
        contributed_to_date=cash(to_date),
        # ILPA: commitment less capital called, paid or not (the same figure as positions)
        unfunded_commitment=max(committed - called, zero) if not open_ended else zero,
        call_receivable_end=cash(_balance(entries, AccountCode.CALL_RECEIVABLE, investor_id, end)),
        **{name: cash(amount) for name, amount in movements.items()},
    )


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
    """"Alder Foundation (#2)": the name a reader knows, the id support can look up."""
    return f"{name} (#{ident})" if name else f"{what} #{ident}"


def _as_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
