"""The datasets read from the report service's own figures: a pool's NAV history, its period
returns, and an investor's capital account statements.

Apart from the books' datasets because these are computed reports read whole (one call each),
not the journal streamed page by page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from backend.platform.actors import Actor
from reports.datasets.sources import ReportReads
from reports.exports import Column, Kind
from reports.schemas import Frequency

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
    Column("share_class", Kind.TEXT, 12),
    Column("class_currency", Kind.TEXT, 8),
    Column("class_nav_per_unit", Kind.PRICE, 14),
)
"""A pool with share classes gives, after each date's pool row, one row per class with the
class's NAV per unit in its own currency and the pool's figures empty: a sum or a filter on
share_class never mixes the two."""

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
    rows: list[Sequence[Any]] = []
    for p in history.points:
        rows.append(
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
                None,
                None,
                None,
            )
        )
        rows += [
            (p.date, *(None,) * 8, label.class_id, label.currency, p.class_nav_per_unit[label.class_id])
            for label in history.share_classes
            if label.class_id in p.class_nav_per_unit
        ]
    return iter(rows)


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
    ("management_fee_offsets", Kind.MONEY),
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
    ("investor_name", Kind.TEXT),
    ("pool_name", Kind.TEXT),
    ("period_label", Kind.TEXT),
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
