"""A pool's portfolio investments, deal by deal: what each named investment cost, what of it
was sold at what carrying value and for what proceeds, and what the pool still holds.

Folded from the purchase and sale entries that stand (a reversed one counts for nothing),
in journal order: the same facts the sale rule checks a named sale against, and the
deal-by-deal figures an American waterfall is worked on. Purchases and sales that name no
investment are the pool's unnamed holdings and appear in no investment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.schemas import EntryType, InvestmentOut

_ZERO = Decimal(0)


@dataclass
class _Investment:
    first_bought: date
    cost: Decimal = _ZERO
    cost_sold: Decimal = _ZERO
    proceeds: Decimal = _ZERO
    last_sold: date | None = None


def investment_book(entries: Iterable[tuple[date, EntryType, dict[str, Any]]]) -> list[InvestmentOut]:
    """Every named investment, in the order first bought."""
    book: dict[str, _Investment] = {}
    for on, kind, details in entries:
        name = details.get("investment")
        if name is None:
            continue
        if kind is EntryType.PURCHASE:
            book.setdefault(name, _Investment(first_bought=on)).cost += Decimal(details["amount"])
        elif kind is EntryType.SALE and name in book:
            held = book[name]
            held.cost_sold += Decimal(details["cost"])
            held.proceeds += Decimal(details["proceeds"])
            held.last_sold = on
    return [
        InvestmentOut(
            name=name,
            cost=i.cost,
            cost_sold=i.cost_sold,
            cost_held=i.cost - i.cost_sold,
            proceeds=i.proceeds,
            realised_gain=i.proceeds - i.cost_sold,
            first_bought=i.first_bought,
            last_sold=i.last_sold,
        )
        for name, i in book.items()
    ]


def hold(held: dict[str, Decimal], kind: EntryType, details: Mapping[str, Any]) -> None:
    """Move ``held`` (cost held by name) by one planned purchase or sale, so the later rows
    of a batch sell against what the earlier ones bought and sold."""
    name = details.get("investment")
    if name is None:
        return
    if kind is EntryType.PURCHASE:
        held[name] = held.get(name, _ZERO) + Decimal(details["amount"])
    elif kind is EntryType.SALE:
        held[name] = held.get(name, _ZERO) - Decimal(details["cost"])


def costs_held(investments: Iterable[InvestmentOut]) -> dict[str, Decimal]:
    """{name: cost still held}: what a named sale may sell at most."""
    return {i.name: i.cost_held for i in investments}
