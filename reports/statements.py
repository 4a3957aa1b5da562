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
explicit start and end dates (both inclusive); reports.statement_periods reads them.

A named period still running on the day it is asked for ("2026" on 2026-12-04) ends that
day and its period_label says so, "2026 (to date)" (to_date; the report service applies it);
its period stays "2026", the identifier document references are made of.

XLSX (xlsxwriter): one sheet headed by the investor's and the pool's names (and ids),
amounts as numbers in the currency's minor unit (`#,##0.00`; `#,##0` for the yen), units
and NAV per unit to 6 places, dates as dates; statements_workbook puts several statements
(an investor's pools) in one file, a sheet each (reports.statement_workbook lays them out).
PDF is not produced yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import Currency
from ledger.interface import AccountCode, EntryType, PoolTerms
from reports.history import PoolHistory, pool_history
from reports.journal import BookEntry, investor_flows, standing
from reports.schemas import CapitalAccountStatement
from reports.statement_periods import TO_DATE, parse_period, to_date
from reports.statement_workbook import SHEET_NAME_MAX, sheet_names, statement_xlsx, statements_workbook

# A period's reading and the workbook are their own modules; named here as before.
__all__ = [
    "MOVEMENTS",
    "SHEET_NAME_MAX",
    "TO_DATE",
    "capital_account_statement",
    "parse_period",
    "sheet_names",
    "statement_xlsx",
    "statements_workbook",
    "to_date",
]

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
