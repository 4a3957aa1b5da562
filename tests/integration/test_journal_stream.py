"""The export's journal read (ledger.journal_stream) on both backends: row for row what the
paged API read gives, across pages, filters and an investor's own view, and never more."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.errors import NotFound
from ledger import journal_stream
from ledger.interface import (
    EntryOut,
    EntryType,
    ReversalRequest,
    TransactionRequest,
    ValuationRequest,
)
from ledger.position_reads import investor_view
from reports.datasets import transaction_rows
from tests.integration.pools_support import World, make_world, open_pool

pytestmark = pytest.mark.over_grpc("transactions")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _record(world: World, pool: int, **body: Any) -> EntryOut:
    request = TransactionRequest.model_validate({"effective_date": "2025-02-03", **body})
    return world.container.transactions.record(world.manager, pool, request, str(uuid.uuid4()))


def _books(world: World) -> tuple[int, int, int]:
    """Two investors, income that touches both capital accounts, a valuation, a reversal and
    a redemption: entries with one line per investor, units and cash in one entry."""
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(minimum_subscription="0.00")).id
    mine = world.investor_profile(world.investor)
    theirs = world.investor_profile(world.other_investor, name="Bo Example")
    _record(world, pool, type="subscription", investor_id=mine, amount="1000.00", memo="=1+1")
    _record(world, pool, type="subscription", investor_id=theirs, amount="3000.00")
    wrong = _record(world, pool, type="income", amount="40.00")
    c.transactions.reverse(m, wrong.id, ReversalRequest(memo="booked twice"), str(uuid.uuid4()))
    _record(world, pool, type="income", amount="12.34", effective_date="2025-03-31")
    c.transactions.record_valuation(
        m,
        pool,
        ValuationRequest(as_of=date(2025, 3, 31), net_asset_value=Decimal("4100.00")),
        "v-" + str(pool),
    )
    _record(world, pool, type="redemption", investor_id=theirs, amount="500.00", effective_date="2025-03-31")
    return pool, mine, theirs


def _paged(world: World, actor: Actor, pool: int, **filters: Any) -> list[tuple[Any, ...]]:
    """The rows as the API's pages give them (the read the export used before)."""
    t = world.container.transactions
    rows: list[tuple[Any, ...]] = []
    cursor = None
    while True:
        page = t.list_transactions(actor, pool, cursor=cursor, limit=2, **filters)
        rows += _flatten(page.entries)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def _flatten(entries: Iterable[EntryOut]) -> list[tuple[Any, ...]]:
    return [
        (
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
        for e in entries
        for p in e.postings
    ]


def _streamed(world: World, actor: Actor, pool: int, **filters: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in transaction_rows(world.container.transactions, actor, pool, **filters)]


@pytest.mark.parametrize("page_size", [1, 2, 1000])
def test_streamed_rows_are_the_paged_rows_across_page_sizes(
    world: World, monkeypatch: pytest.MonkeyPatch, page_size: int
) -> None:
    monkeypatch.setattr(journal_stream, "ENTRIES_PER_PAGE", page_size)
    pool, _, _ = _books(world)
    streamed = _streamed(world, world.manager, pool)
    assert streamed == _paged(world, world.manager, pool)
    assert len(streamed) > 12 and len({r[0] for r in streamed}) == 7
    # exact values and types, as the writers format them
    amounts = [r[7] for r in streamed]
    assert all(type(a) is Decimal for a in amounts)
    assert sum(a for a, r in zip(amounts, streamed, strict=True) if r[6] == "USD") == 0
    assert all(r[11].tzinfo is not None for r in streamed)


@pytest.mark.parametrize(
    "filters",
    [
        {"entry_type": EntryType.INCOME},
        {"date_from": date(2025, 3, 1)},
        {"date_to": date(2025, 2, 3)},
        {"investor_id": "theirs"},
    ],
    ids=["type", "from", "to", "investor"],
)
def test_filters_match_the_paged_read(
    world: World, monkeypatch: pytest.MonkeyPatch, filters: dict[str, Any]
) -> None:
    monkeypatch.setattr(journal_stream, "ENTRIES_PER_PAGE", 2)
    pool, _, theirs = _books(world)
    if filters.get("investor_id") == "theirs":
        filters = {"investor_id": theirs}
    streamed = _streamed(world, world.manager, pool, **filters)
    assert streamed and streamed == _paged(world, world.manager, pool, **filters)


def test_an_investor_streams_only_the_pools_lines_and_their_own(world: World) -> None:
    pool, mine, theirs = _books(world)
    streamed = _streamed(world, world.investor, pool)
    touching_mine = [
        e
        for e in world.container.ledger.list_entries(pool).entries
        if any(p.investor_id == mine for p in e.postings)
    ]
    expected = _flatten(investor_view(e, mine) for e in touching_mine)
    assert streamed == _paged(world, world.investor, pool) == expected
    assert {r[5] for r in streamed} == {None, mine}
    assert theirs not in {r[5] for r in streamed}
    # The income entry touched both investors' capital: the investor sees only their line.
    with pytest.raises(NotFound):
        transaction_rows(world.container.transactions, world.investor, pool, investor_id=theirs)


def test_refusals_come_before_the_first_row(world: World) -> None:
    """Refused when asked, not when the first row is pulled: a clean 404, not a broken file."""
    pool, _, _ = _books(world)
    empty = world.container.pools.create_pool(world.manager, open_pool(name="Nobody's fund")).id
    for actor, pool_id in ((world.other_manager, pool), (world.investor, empty)):
        with pytest.raises(NotFound):
            transaction_rows(world.container.transactions, actor, pool_id)


def test_entries_written_during_the_download_are_left_out(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_stream, "ENTRIES_PER_PAGE", 2)
    pool, _, _ = _books(world)
    rows = transaction_rows(world.container.transactions, world.manager, pool)
    first = next(rows)
    _record(world, pool, type="income", amount="1.00", effective_date="2025-04-02")
    streamed = [first, *rows]
    assert max(r[1] for r in streamed) == 7  # the entry written after the first page is not in
