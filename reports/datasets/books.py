"""The datasets read from the pool's books: the journal's postings, its transactions named in
business terms, and the investors' positions.

Apart from the report-figure datasets because these stream the ledger's journal page by page
(constant memory whatever the size of the books) and name its rows through the pool and
investor services.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from backend.platform.actors import Actor
from ledger.interface import AccountCode, EntryType, JournalEntryLines, JournalFilter, TransactionService
from reports.datasets.entry_types import entry_type_label
from reports.datasets.sources import InvestorNames, PoolNames, legal_names
from reports.export_fx import FX_COLUMNS, ReportingCurrency, converted, day_quotes
from reports.exports import Column, Kind

TRANSACTION_COLUMNS: Sequence[Column] = (
    Column("entry_id", Kind.INTEGER, 10),
    Column("seq", Kind.INTEGER, 8),
    Column("type", Kind.TEXT, 16),
    Column("effective_date", Kind.DATE, 12),
    Column("account", Kind.TEXT, 18),
    Column("investor_id", Kind.INTEGER, 11),
    Column("commodity", Kind.TEXT, 10),
    Column("amount", Kind.UNITS, 18),
    Column("memo", Kind.TEXT, 30),
    Column("reverses_entry_id", Kind.INTEGER, 12),
    Column("created_by", Kind.TEXT, 24),
    Column("created_at", Kind.DATETIME, 20),
    Column("hash", Kind.TEXT, 20),
)

ENTRY_COLUMNS: Sequence[Column] = (
    Column("entry_id", Kind.INTEGER, 10),
    Column("seq", Kind.INTEGER, 8),
    Column("effective_date", Kind.DATE, 12),
    Column("pool_id", Kind.INTEGER, 8),
    Column("pool_name", Kind.TEXT, 24),
    Column("type", Kind.TEXT, 16),
    Column("type_label", Kind.TEXT, 20),
    Column("investor_id", Kind.INTEGER, 11),
    Column("investor_name", Kind.TEXT, 28),
    Column("currency", Kind.TEXT, 9),
    Column("amount", Kind.MONEY, 18),
    Column("units", Kind.UNITS, 16),
    Column("nav_per_unit", Kind.PRICE, 14),
    Column("memo", Kind.TEXT, 30),
    Column("reverses_entry_id", Kind.INTEGER, 12),
    *FX_COLUMNS,
    Column("amount_reporting", Kind.MONEY, 18),
)
"""The business view of a pool's journal: one row per transaction, named (entry_rows), with
its amount in the caller's reporting currency at the ECB rate of the entry's date beside the
pool's own (reports.fx: blank where no rate is in force, never zero)."""


def _entry_figures(
    entry: JournalEntryLines, investors: Collection[int]
) -> tuple[Decimal | None, Decimal | None]:
    """(amount, units) of an entry for the named investors: their capital accounts' change
    (credit-positive: a subscription or call adds, a distribution or fee takes away) and the
    units issued to them; a pool-level entry (income, a purchase) by its cash movement."""
    capital: list[Decimal] = []
    units: list[Decimal] = []
    cash: list[Decimal] = []
    for code, investor, _, amount in entry.lines:
        if code == _CAPITAL and investor in investors:
            capital.append(amount)
        elif code == _UNITS and investor in investors:
            units.append(amount)
        elif code == _CASH:
            cash.append(amount)
    if capital:
        figure: Decimal | None = -sum(capital, Decimal(0))
    else:
        figure = sum(cash, Decimal(0)) if cash else None
    return figure, (sum(units, Decimal(0)) if units else None)


_CAPITAL, _UNITS, _CASH = AccountCode.CAPITAL.value, AccountCode.UNITS.value, AccountCode.CASH.value

ENTRY_PAGE = 500
"""Entries named at a time: one call for the investors' names and one for the rates."""


def entry_rows(
    transactions: TransactionService,
    pools: PoolNames,
    investors: InvestorNames,
    actor: Actor,
    pool_id: int,
    *,
    entry_type: EntryType | None = None,
    investor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    reporting: ReportingCurrency | None = None,
) -> Iterator[Sequence[Any]]:
    """One row per journal entry, in journal order, with the pool's and investors' names.

    An entry naming one investor carries that investor; one naming several (a capital call,
    a valuation's allocation) carries "N investors" and no id, and its amount is theirs in
    total; with ``investor_id`` given, every row is that investor's part. The pool and the
    journal are authorised now (a refused export is a clean 404). The entries come from the
    journal stream (lines folded by the database), as the transactions export reads them: a
    valuation has a line per investor, and decoding each as a row of its own made a page of
    the grid cost seconds at scale."""
    pool = pools.get_pool(actor, pool_id)
    where = JournalFilter(entry_type, investor_id, date_from=date_from, date_to=date_to, prices=True)
    entries = transactions.journal_lines(actor, pool_id, where)

    def rows() -> Iterator[Sequence[Any]]:
        while current := list(itertools.islice(entries, ENTRY_PAGE)):
            named = {line[1] for e in current for line in e.lines if line[1] is not None}
            names = legal_names(investors, actor, named)
            quotes = day_quotes(reporting, actor, pool.base_currency, {e.effective_date for e in current})
            for e in current:
                on = sorted({line[1] for line in e.lines if line[1] is not None})
                if investor_id is not None:
                    on = [investor_id]
                amount, units = _entry_figures(e, on)
                one = on[0] if len(on) == 1 else None
                name = names.get(one, "") if one is not None else f"{len(on)} investors" if on else ""
                kind = EntryType(e.entry_type)
                yield (
                    e.id,
                    e.seq,
                    e.effective_date,
                    pool.id,
                    pool.name,
                    kind.value,
                    entry_type_label(kind, e.reverses_entry_id),
                    one,
                    name,
                    pool.base_currency,
                    amount,
                    units,
                    Decimal(e.nav_per_unit) if e.nav_per_unit is not None else None,
                    e.memo,
                    e.reverses_entry_id,
                    *converted(reporting, quotes.get(e.effective_date), amount, pool.base_currency),
                )

    return rows()


POSITION_COLUMNS: Sequence[Column] = (
    Column("pool_id", Kind.INTEGER, 8),
    Column("investor_id", Kind.INTEGER, 11),
    Column("currency", Kind.TEXT, 9),
    Column("units", Kind.UNITS, 16),
    Column("value", Kind.MONEY, 16),
    Column("contributed", Kind.MONEY, 16),
    Column("distributed", Kind.MONEY, 16),
    Column("fees", Kind.MONEY, 14),
    Column("committed", Kind.MONEY, 16),
    Column("unfunded_commitment", Kind.MONEY, 18),
    Column("pool_name", Kind.TEXT, 24),
    Column("investor_name", Kind.TEXT, 28),
    *FX_COLUMNS,
    Column("value_reporting", Kind.MONEY, 18),
)
"""A pool's positions; the value also in the caller's reporting currency at today's rate."""


def transaction_rows(
    transactions: TransactionService,
    actor: Actor,
    pool_id: int,
    *,
    entry_type: EntryType | None = None,
    investor_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Iterator[Sequence[Any]]:
    """One row per posting, in journal order. Authorised now, before any byte goes out."""
    where = JournalFilter(entry_type, investor_id, date_from=date_from, date_to=date_to)
    entries = transactions.journal_lines(actor, pool_id, where)

    def rows() -> Iterator[Sequence[Any]]:
        for e in entries:
            # an entry's cells once, its lines' cells between them: (account, investor, commodity, amount)
            head = (e.id, e.seq, e.entry_type, e.effective_date)
            tail = (e.memo, e.reverses_entry_id, e.created_by, e.created_at, e.hash)
            for line in e.lines:
                yield head + line + tail

    return rows()


def position_rows(
    transactions: TransactionService,
    pools: PoolNames,
    investors: InvestorNames,
    actor: Actor,
    pool_id: int,
    *,
    reporting: ReportingCurrency | None = None,
    today: date | None = None,
) -> Iterator[Sequence[Any]]:
    """The pool's positions, an investor a row, named after the ids (added at the end, so a
    sheet built on the older columns still reads), then each value in the reporting currency
    at the rate of `today` (the positions' date)."""
    positions = transactions.pool_positions(actor, pool_id)
    pool = pools.get_pool(actor, pool_id)
    ids = [p.investor_id for p in positions.positions]
    names = legal_names(investors, actor, ids)
    on = today or date.today()
    quote = None
    if reporting is not None and reporting.currency != pool.base_currency:
        quote = reporting.quotes(actor, pool.base_currency, [on]).get(on)
    return iter(
        [
            (
                p.pool_id,
                p.investor_id,
                p.currency,
                p.units,
                p.value,
                p.contributed,
                p.distributed,
                p.fees,
                p.committed,
                p.unfunded_commitment,
                pool.name,
                names.get(p.investor_id, ""),
                *converted(reporting, quote, p.value, pool.base_currency),
            )
            for p in positions.positions
        ]
    )
