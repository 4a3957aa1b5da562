"""The transactions view (the analyst grid's default and the entries export) read from the
journal stream gives, row for row, what reading every posting of every entry gave: the rule
is written out here once more over the paged read, as the oracle, for each role's view and
each filter, on pools that deal, call, value, distribute and redeem. The pool page's grid
reads the same stream a page at a time, by the cursors of the entries API."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from ledger.interface import (
    AccountCode,
    EntryOut,
    EntryPage,
    EntryType,
    JournalFilter,
    JournalLinesPage,
    ReversalRequest,
)
from portal.formatting import entry_type_label
from reports.datasets import entry_rows
from tests.integration.pools_support import World, make_world
from tests.integration.reports_support import build_closed, build_exit, build_open

pytestmark = pytest.mark.over_grpc("transactions")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _figures(entry: EntryOut, on: Collection[int]) -> tuple[Decimal | None, Decimal | None]:
    capital = [p.amount for p in entry.postings if p.account is AccountCode.CAPITAL and p.investor_id in on]
    units = [p.amount for p in entry.postings if p.account is AccountCode.UNITS and p.investor_id in on]
    if capital:
        amount: Decimal | None = -sum(capital, Decimal(0))
    else:
        cash = [p.amount for p in entry.postings if p.account is AccountCode.CASH]
        amount = sum(cash, Decimal(0)) if cash else None
    return amount, (sum(units, Decimal(0)) if units else None)


def _oracle(world: World, actor: Actor, pool_id: int, **filters: Any) -> Iterator[Sequence[Any]]:
    c = world.container
    pool = c.pools.get_pool(actor, pool_id)
    cursor = None
    while True:
        page = c.transactions.list_transactions(actor, pool_id, cursor=cursor, limit=500, **filters)
        named = {p.investor_id for e in page.entries for p in e.postings if p.investor_id is not None}
        try:
            names = c.investors.legal_names(actor, named) if named else {}
        except PermissionDenied:
            names = {}
        for e in page.entries:
            on = sorted({p.investor_id for p in e.postings if p.investor_id is not None})
            if filters.get("investor_id") is not None:
                on = [filters["investor_id"]]
            amount, units = _figures(e, on)
            one = on[0] if len(on) == 1 else None
            name = names.get(one, "") if one is not None else f"{len(on)} investors" if on else ""
            price = e.details.get("nav_per_unit")
            yield (
                e.id, e.seq, e.effective_date, pool.id, pool.name, e.entry_type.value,
                entry_type_label(e.entry_type, e.reverses_entry_id), one, name, pool.base_currency,
                amount, units, Decimal(str(price)) if price is not None else None, e.memo,
                e.reverses_entry_id, None, None, None, None,
            )  # fmt: skip
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _rows(world: World, actor: Actor, pool_id: int, **filters: Any) -> list[Sequence[Any]]:
    c = world.container
    return list(entry_rows(c.transactions, c.pools, c.investors, actor, pool_id, **filters))


def test_every_view_and_filter_gives_what_the_postings_gave(world: World) -> None:
    c = world.container
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    opened, closed, exited = build_open(world, a, b), build_closed(world, a, b), build_exit(world, a, b)
    assert world.analyst.user_id is not None
    for built in (opened, closed, exited):
        c.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)
    opened_id = opened.pool
    last = c.transactions.list_transactions(world.manager, exited.pool, limit=500).entries[-1]
    c.transactions.reverse(world.manager, last.id, ReversalRequest(memo="keyed twice"), "entries-reversal")
    compared = 0
    for built in (opened, closed, exited):
        views: list[tuple[Actor, dict[str, Any]]] = [
            (world.manager, {}),
            (world.analyst, {}),
            (world.manager, {"investor_id": built.a}),
            (world.manager, {"investor_id": built.b}),
            (world.investor, {}),
            (world.analyst, {"entry_type": EntryType.VALUATION}),
            (world.manager, {"date_from": date(2025, 3, 1), "date_to": date(2025, 9, 30)}),
        ]
        for actor, filters in views:
            expected = list(_oracle(world, actor, built.pool, **filters))
            assert _rows(world, actor, built.pool, **filters) == expected, (built, actor.label, filters)
            compared += len(expected)
    assert compared > 60  # the pools have histories, not a row or two
    names = {row[8] for row in _rows(world, world.manager, closed.pool)}
    assert "2 investors" in names and "Ana Example" in names  # named, and a call's count
    prices = [row[12] for row in _rows(world, world.manager, opened_id) if row[5] == "subscription"]
    assert Decimal("1.05") in prices  # the workings' NAV per unit, read with the lines
    assert _rows(world, world.manager, exited.pool)[-1][6] == f"Reversal of #{last.id}"


def test_the_journal_pages_with_lines_by_the_entries_cursors_and_rules(world: World) -> None:
    c = world.container
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    pool = build_open(world, a, b).pool
    everything = list(c.transactions.journal_lines(world.manager, pool, JournalFilter()))
    pages: list[JournalLinesPage] = []
    cursor = None
    while not pages or cursor is not None:
        pages.append(
            c.transactions.journal_page(world.manager, pool, JournalFilter(), cursor=cursor, limit=3)
        )
        cursor = pages[-1].next_cursor
    assert [e for p in pages for e in p.entries] == everything and len(pages) > 2
    listed: list[EntryPage] = []
    cursor = None
    while not listed or cursor is not None:
        listed.append(c.transactions.list_transactions(world.manager, pool, cursor=cursor, limit=3))
        cursor = listed[-1].next_cursor
    assert [p.next_cursor for p in pages] == [p.next_cursor for p in listed]  # one cursor for both reads

    own = c.transactions.journal_page(world.investor, pool, JournalFilter(), limit=50).entries
    assert own and all(line[1] in (None, a) for e in own for line in e.lines)
    assert {e.id for e in own} < {e.id for e in everything}  # B's deal is not A's to see
    with pytest.raises(NotFound):
        c.transactions.journal_page(world.analyst, pool, JournalFilter(), limit=50)  # not granted
    with pytest.raises(ValidationFailed) as bad:
        c.transactions.journal_page(world.manager, pool, JournalFilter(), cursor="nonsense", limit=50)
    assert bad.value.field == "cursor"
    with pytest.raises(ValidationFailed) as too_many:
        c.transactions.journal_page(world.manager, pool, JournalFilter(), limit=501)
    assert too_many.value.field == "limit"
