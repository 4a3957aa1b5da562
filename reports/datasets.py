"""The datasets analysts export, as columns and a row iterator over the services.

Rows are fetched page by page (the services' cursors), so an export streams in constant
memory whatever the size of the books. Authorisation is the services': each builder makes
its first call before any byte is sent, so a refused export is a clean 404, not a broken
download.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, Protocol

from backend.platform.actors import Actor
from ledger.interface import EntryType, TransactionService
from reports.exports import Column, Kind
from reports.schemas import CapitalAccountStatement, Frequency, NavHistory, PoolPerformance

PAGE = 500


class ReportReads(Protocol):
    """What the datasets read from the report service (its interface names the whole of it;
    this module is part of that interface, so it states the slice it needs here)."""

    def pool_performance(
        self, actor: Actor, pool_id: int, *, as_of: date | None = None
    ) -> PoolPerformance: ...

    def nav_history(
        self,
        actor: Actor,
        pool_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        frequency: Frequency = Frequency.DAILY,
    ) -> NavHistory: ...

    def statement(
        self,
        actor: Actor,
        investor_id: int,
        pool_id: int,
        *,
        period: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> CapitalAccountStatement: ...

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
)


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
    """One row per posting, in journal order. The first page is read now (authorisation)."""

    def page(cursor: str | None) -> Any:
        return transactions.list_transactions(
            actor,
            pool_id,
            cursor=cursor,
            limit=PAGE,
            entry_type=entry_type,
            investor_id=investor_id,
            date_from=date_from,
            date_to=date_to,
        )

    first = page(None)

    def rows() -> Iterator[Sequence[Any]]:
        current = first
        while True:
            for e in current.entries:
                for p in e.postings:
                    yield (
                        e.id,
                        e.seq,
                        e.entry_type.value,
                        e.effective_date,
                        p.account.value,
                        p.investor_id,
                        p.commodity,
                        p.amount,
                        e.memo,
                        e.reverses_entry_id,
                        e.created_by,
                        e.created_at,
                        e.hash,
                    )
            if current.next_cursor is None:
                return
            current = page(current.next_cursor)

    return rows()


def position_rows(transactions: TransactionService, actor: Actor, pool_id: int) -> Iterator[Sequence[Any]]:
    positions = transactions.pool_positions(actor, pool_id)
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
            )
            for p in positions.positions
        ]
    )


NAV_HISTORY_COLUMNS: Sequence[Column] = (
    Column("date", Kind.DATE, 12),
    Column("net_asset_value", Kind.MONEY, 18),
    Column("value", Kind.MONEY, 18),
    Column("units_outstanding", Kind.UNITS, 18),
    Column("nav_per_unit", Kind.PRICE, 14),
    Column("index", Kind.PRICE, 12),
    Column("inflow", Kind.MONEY, 16),
    Column("outflow", Kind.MONEY, 16),
    Column("distributions_per_unit", Kind.PRICE, 14),
)

PERFORMANCE_COLUMNS: Sequence[Column] = (
    Column("pool_id", Kind.INTEGER, 8),
    Column("as_of", Kind.DATE, 12),
    Column("period", Kind.TEXT, 8),
    Column("start", Kind.DATE, 12),
    Column("end", Kind.DATE, 12),
    Column("days", Kind.INTEGER, 8),
    Column("cumulative_return", Kind.PERCENT, 16),
    Column("annualised_return", Kind.PERCENT, 16),
    Column("partial", Kind.TEXT, 8),
)


def nav_history_rows(
    reports: ReportReads,
    actor: Actor,
    pool_id: int,
    *,
    start: date | None = None,
    end: date | None = None,
    frequency: Frequency = Frequency.DAILY,
) -> Iterator[Sequence[Any]]:
    history = reports.nav_history(actor, pool_id, start=start, end=end, frequency=frequency)
    return iter(
        [
            (
                p.date,
                p.net_asset_value,
                p.value,
                p.units_outstanding,
                p.nav_per_unit,
                p.index,
                p.inflow,
                p.outflow,
                p.distributions_per_unit,
            )
            for p in history.points
        ]
    )


def performance_rows(
    reports: ReportReads, actor: Actor, pool_id: int, *, as_of: date | None = None
) -> Iterator[Sequence[Any]]:
    performance = reports.pool_performance(actor, pool_id, as_of=as_of)
    return iter(
        [
            (
                pool_id,
                performance.as_of,
                r.name,
                r.start,
                r.end,
                r.days,
                r.cumulative,
                r.annualised,
                "yes" if r.partial else "",
            )
            for r in performance.periods
        ]
    )


_STATEMENT_FIELDS: Sequence[tuple[str, Kind]] = (
    ("investor_id", Kind.INTEGER),
    ("pool_id", Kind.INTEGER),
    ("currency", Kind.TEXT),
    ("period", Kind.TEXT),
    ("start", Kind.DATE),
    ("end", Kind.DATE),
    ("beginning_balance", Kind.MONEY),
    ("contributions", Kind.MONEY),
    ("redemptions", Kind.MONEY),
    ("distributions", Kind.MONEY),
    ("management_fees", Kind.MONEY),
    ("performance_fees", Kind.MONEY),
    ("income", Kind.MONEY),
    ("expenses", Kind.MONEY),
    ("realised_gains", Kind.MONEY),
    ("unrealised_gains", Kind.MONEY),
    ("carried_interest_paid", Kind.MONEY),
    ("carried_interest_accrued", Kind.MONEY),
    ("other", Kind.MONEY),
    ("ending_balance", Kind.MONEY),
    ("ending_capital_account", Kind.MONEY),
    ("accrued_carried_interest_end", Kind.MONEY),
    ("units_end", Kind.UNITS),
    ("nav_per_unit_end", Kind.PRICE),
    ("committed", Kind.MONEY),
    ("unfunded_commitment", Kind.MONEY),
)

STATEMENT_COLUMNS: Sequence[Column] = tuple(Column(name, kind, 16) for name, kind in _STATEMENT_FIELDS)


def statement_rows(
    reports: ReportReads,
    actor: Actor,
    investor_id: int,
    *,
    pool_ids: Sequence[int],
    period: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Iterator[Sequence[Any]]:
    """One capital account statement per pool, as a row; authorised per pool by the service."""
    statements = [
        reports.statement(actor, investor_id, pool_id, period=period, start=start, end=end)
        for pool_id in pool_ids
    ]
    return iter([tuple(getattr(st, name) for name, _ in _STATEMENT_FIELDS) for st in statements])
