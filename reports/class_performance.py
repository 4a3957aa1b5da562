"""Each share class's return, from its own NAV per unit (pure, no I/O).

A class's units are all priced alike (equalisation settles each holder's own fee in units, at
the class's price), and classes pay no distributions, so the class's time-weighted return
over (start, end] is its NAV per unit at the close of end over that at the close of start,
less 1, in the class's own currency: a euro class's return is the euro investor's, the rate's
moves included (a hedged class's hedge result too). The prices are those the books struck:
each valuation's per class and each class performance fee's price after it (reports.history
keeps them). Before any, a class is at its launch price. No price struck in (start, end]: no
return measured (null, not 0%).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance import metrics
from reports.history import PoolHistory
from reports.schemas import ClassPerformance


@dataclass(frozen=True, slots=True)
class ClassTerms:
    """What the report needs of a class's terms."""

    class_id: str
    name: str
    currency: str
    launch_price: Decimal


def class_price_on(history: PoolHistory, terms: ClassTerms, on: date) -> Decimal:
    """The class's NAV per unit at the close of ``on``: the last struck, or its launch price."""
    prices = history.class_prices.get(terms.class_id, ())
    i = bisect_right([day for day, _ in prices], on)
    return prices[i - 1][1] if i else terms.launch_price


def class_performance(
    history: PoolHistory, classes: Sequence[ClassTerms], start: date, end: date
) -> list[ClassPerformance]:
    """Each class's return over (start, end] (see the module docstring)."""
    out = []
    for terms in classes:
        struck = [day for day, _ in history.class_prices.get(terms.class_id, ()) if start < day <= end]
        twr = None
        if struck:
            ratio = Fraction(class_price_on(history, terms, end)) / Fraction(
                class_price_on(history, terms, start)
            )
            twr = float(ratio - 1)
        days = (end - start).days
        annualised = metrics.annualize(twr, days) if twr is not None and twr > -1 else None
        out.append(
            ClassPerformance(
                class_id=terms.class_id,
                name=terms.name,
                currency=terms.currency,
                nav_per_unit=class_price_on(history, terms, end),
                twr=twr,
                twr_annualised=annualised,
            )
        )
    return out
