"""What the manager pages show, gathered from the services as the signed-in user.

No authorisation here: every call passes the actor and the service answers NotFound for a
pool this manager does not manage, which the pages turn into "nothing to show".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backend.platform.actors import Actor
from backend.platform.errors import DomainError, NotFound
from backend.pools.interface import PoolKind, PoolOut, PoolStatus
from ledger.interface import AccountCode, EntryType, JournalEntryLines, JournalFilter, PoolPositions
from portal.context import services
from portal.formatting import entry_type_label, money, number, percent
from reports.interface import Frequency, NavHistory, PoolPerformance

MAX_DAILY_DAYS = 3000
TX_PAGE = 500


def list_all_pools(
    actor: Actor, status: PoolStatus | None = None, kind: PoolKind | None = None
) -> list[PoolOut]:
    pools: list[PoolOut] = []
    cursor: int | None = None
    while True:
        page = services().pools.list_pools(actor, status=status, kind=kind, cursor=cursor, limit=200)
        pools += page.items
        if page.next_cursor is None:
            return pools
        cursor = page.next_cursor


def performance(actor: Actor, pool_id: int, as_of: date) -> PoolPerformance | None:
    try:
        return services().reports.pool_performance(actor, pool_id, as_of=as_of)
    except NotFound:
        raise
    except DomainError:  # no track record yet (a pool launched today)
        return None


def history(actor: Actor, pool: PoolOut, end: date, frequency: Frequency) -> NavHistory | None:
    start = pool.inception_date
    if end < start:
        return None
    if frequency is Frequency.DAILY and (end - start).days >= MAX_DAILY_DAYS:
        frequency = Frequency.MONTHLY
    try:
        return services().reports.nav_history(actor, pool.id, start=start, end=end, frequency=frequency)
    except NotFound:
        raise
    except DomainError:
        return None


# -- pool detail ----------------------------------------------------------------------------------


@dataclass
class PoolDetail:
    pool: PoolOut
    as_of: date
    perf: PoolPerformance | None
    daily: NavHistory | None
    monthly: NavHistory | None
    positions: PoolPositions
    names: dict[int, str]
    benchmark_name: str | None = None
    benchmark: list[tuple[date, float]] = field(default_factory=list)


def pool_detail(actor: Actor, pool_id: int, as_of: date) -> PoolDetail:
    """Everything the pool page draws; NotFound when this manager may not see the pool."""
    s = services()
    pool = s.pools.get_pool(actor, pool_id)
    positions = s.transactions.pool_positions(actor, pool_id)
    perf = performance(actor, pool_id, as_of)
    daily = history(actor, pool, as_of, Frequency.DAILY)
    monthly = history(actor, pool, as_of, Frequency.MONTHLY)
    detail = PoolDetail(pool, as_of, perf, daily, monthly, positions, investor_names(actor, positions))
    try:
        ref = s.reports.pool_benchmark(actor, pool_id)
        levels = s.reports.levels(actor, ref.benchmark_id, start=pool.inception_date, end=as_of)
        detail.benchmark_name = ref.name
        detail.benchmark = [(lv.date, float(lv.level)) for lv in levels]
    except NotFound:
        pass
    return detail


def investor_names(actor: Actor, positions: PoolPositions) -> dict[int, str]:
    ids = [p.investor_id for p in positions.positions]
    try:
        found = services().investors.legal_names(actor, ids)
    except DomainError:
        found = {}
    return {i: found.get(i, f"investor {i}") for i in ids}


def investor_rows(detail: PoolDetail) -> list[dict[str, Any]]:
    c = detail.positions.currency
    total = sum((p.value for p in detail.positions.positions), Decimal(0))
    rows = []
    for p in detail.positions.positions:
        share = float(p.value / total) if total else None
        rows.append(
            {
                "investor_id": p.investor_id,
                "investor": detail.names.get(p.investor_id, str(p.investor_id)),
                "share_class": p.share_class or "",
                "units": float(p.units),
                "units_text": number(p.units, 6),
                "value": float(p.value),
                "value_text": money(p.value, c),
                "share": share,
                "share_text": percent(share),
                "committed": float(p.committed),
                "committed_text": money(p.committed, c),
                "contributed": float(p.contributed),
                "contributed_text": money(p.contributed, c),
                "distributed": float(p.distributed),
                "distributed_text": money(p.distributed, c),
                "fees": float(p.fees),
                "fees_text": money(p.fees, c),
            }
        )
    return rows


# -- transactions, a block at a time ----------------------------------------------------------------


def _filters(filter_model: Mapping[str, Any] | None) -> dict[str, Any]:
    """AG Grid's filter model as TransactionService filters (what the grid lets one filter)."""
    out: dict[str, Any] = {}
    model = filter_model or {}
    kind = model.get("entry_type")
    if kind and kind.get("filter"):
        text = str(kind["filter"]).strip().lower().replace(" ", "_")
        out["entry_type"] = EntryType(text) if text in {t.value for t in EntryType} else "none"
    investor = model.get("investors")
    if investor and investor.get("filter") not in (None, ""):
        try:
            out["investor_id"] = int(investor["filter"])
        except ValueError:
            out["investor_id"] = -1
    day = model.get("effective_date")
    if day:
        first, second = day.get("dateFrom"), day.get("dateTo")
        op = day.get("type")
        d1 = date.fromisoformat(first[:10]) if first else None
        d2 = date.fromisoformat(second[:10]) if second else None
        if op == "equals":
            out["date_from"] = out["date_to"] = d1
        elif op == "greaterThan":
            out["date_from"] = d1
        elif op == "lessThan":
            out["date_to"] = d1
        elif op == "inRange":
            out["date_from"], out["date_to"] = d1, d2
    return out


SHOWN_INVESTORS = 6
"""Investors named in a transaction's row; a capital call on a hundred says "and 94 more"."""


def entry_row(
    entry: JournalEntryLines, currency: str, names: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """A transaction as the pool page's grid shows it: the type in words, the investors by
    name (their ids in their own column and on hover), cash in the pool's currency."""
    cash = sum((amount for code, _, _, amount in entry.lines if code == _CASH), Decimal(0))
    investors = sorted({investor for _, investor, _, _ in entry.lines if investor is not None})
    kind = EntryType(entry.entry_type)
    known = names or {}
    more = len(investors) - SHOWN_INVESTORS
    tail = f" and {more} more" if more > 0 else ""
    shown = investors[:SHOWN_INVESTORS]
    return {
        "id": entry.id,
        "seq": entry.seq,
        "effective_date": entry.effective_date.isoformat(),
        "entry_type": entry_type_label(kind, entry.reverses_entry_id),
        "entry_type_code": kind.value,
        "cash": float(cash),
        "cash_text": money(cash, currency) if cash else "—",
        "investors": ", ".join(known.get(i, f"investor #{i}") for i in shown) + tail,
        "investor_ids": ", ".join(f"#{i}" for i in shown) + tail,
        "memo": entry.memo,
        "reverses": entry.reverses_entry_id,
        "created_by": entry.created_by,
    }


_CASH = AccountCode.CASH.value


def _named(actor: Actor, entries: Sequence[JournalEntryLines]) -> dict[int, str]:
    """Legal names of the investors a block of rows shows, in one read (those the manager may see)."""
    ids = {investor for e in entries for _, investor, _, _ in e.lines if investor is not None}
    try:
        return services().investors.legal_names(actor, ids) if ids else {}
    except DomainError:
        return {}


def transactions_block(
    actor: Actor,
    pool_id: int,
    *,
    start: int,
    end: int,
    filter_model: Mapping[str, Any] | None,
    cursors: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Rows [start, end) of the pool's journal (journal order), for the infinite grid.

    The ledger pages by cursor, not offset: `cursors` (kept by the browser, so any app server
    can answer) maps a row number to the cursor that starts there, for this filter; a block
    starts from the nearest known cursor before it and walks forward."""
    filters = _filters(filter_model)
    if filters.get("entry_type") == "none" or filters.get("investor_id") == -1:
        return {"rowData": [], "rowCount": 0}, dict(cursors)
    pool = services().pools.get_pool(actor, pool_id)
    known = {int(k): v for k, v in cursors.items()}
    base = max((k for k in known if k <= start), default=0)
    cursor = known.get(base) if base else None
    position, rows, last = base, [], False
    out_cursors = dict(cursors)
    while position < end:
        limit = min(TX_PAGE, max(end - position, 1)) if position >= start else min(TX_PAGE, start - position)
        page = services().transactions.journal_page(
            actor, pool_id, JournalFilter(**filters), cursor=cursor, limit=limit
        )
        if position + len(page.entries) > start:
            skip = max(start - position, 0)
            shown = page.entries[skip:]
            names = _named(actor, shown)
            rows += [entry_row(e, pool.base_currency, names) for e in shown]
        position += len(page.entries)
        cursor = page.next_cursor
        if cursor is None:
            last = True
            break
        out_cursors[str(position)] = cursor
    rows = rows[: end - start]
    response: dict[str, Any] = {"rowData": rows}
    if last:
        response["rowCount"] = start + len(rows)
    return response, out_cursors


def filter_key(filter_model: Mapping[str, Any] | None) -> str:
    import json

    return json.dumps(filter_model or {}, sort_keys=True)
