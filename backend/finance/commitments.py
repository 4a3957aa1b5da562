"""One investor's unfunded commitment: contributions, recallable distributions, deemed contributions.

Rule. An investor's unfunded commitment is what the pool may still call from it: its
commitment less the capital it has contributed, plus the capital it has been given back by
distributions the LPA lets the manager recall ("any amounts distributed to such Investor
that are added back to such Investor's Uncalled Capital Commitment and subject to recall as
a Capital Contribution", a common LPA definition of Recallable Capital, Law Insider,
https://lawinsider.com/dictionary/recallable-capital; the recallable balance is "the total
recallable distributions paid to them, less all amounts recalled from them to date" and "may
also expire per fund agreement time limits (e.g., 'recallable only within 18 months of the
original distribution date')", Gildi methodology, https://docs.gildi.io/methodology/_recallable).

Events, in date order (same-day events in the order given):

* ``Contribution``: cash paid in for a capital call. It draws on the original commitment
  first, then on recallable capacity (oldest first, as it expires first);
* ``Distribution``: cash paid out. ``recallable`` of it (at most the amount; the caller
  decides what the LPA makes recallable, usually return of capital only) adds recallable
  capacity, reduced so that all capacity ever granted stays within ``cap_fraction`` x
  commitment (rounded down to the minor unit, once);
* ``Recall``: a call that reuses recallable capacity (and only that), cash paid in;
* ``DeemedContribution``: a distribution the pool keeps to pay a call or a fee where the LPA
  allows it: it counts as a distribution of ``amount`` (with ``recallable`` as above) and then
  a contribution of ``amount``, and no cash moves.

Recallable capacity granted on day d lapses, unused, on d + ``recall_period_months`` (same
day of month, or the month's last day): from that day it is no longer unfunded.

Formula, at a date T (events on or before T, lapses on or before T):

  unfunded = (commitment - contributions drawn on the commitment)
             + (recallable granted - recallable drawn - recallable lapsed)

so unfunded is never negative: a contribution or recall beyond what it may draw on is
refused, naming the event's ``amount`` field. Amounts are cash at the currency's minor unit;
the only rounded figure is the cap (ROUND_DOWN, so the cap is never exceeded); there is no
split of a total here, so nothing goes through allocation.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.daycount import check_date
from backend.finance.errors import InvalidValueError
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_rate,
    exact_arithmetic,
    quantize_cash,
)

__all__ = [
    "CommitmentEvent",
    "CommitmentPosition",
    "Contribution",
    "DeemedContribution",
    "Distribution",
    "Recall",
    "RecallTerms",
    "add_months",
    "commitment_position",
]


@dataclass(frozen=True, slots=True)
class RecallTerms:
    """The LPA's recall terms: the pool's currency, how long capacity lasts, and a cap."""

    currency: Currency
    recall_period_months: int | None = None
    """Capacity lapses this many months after its distribution; None: never."""
    cap_fraction: Decimal | None = None
    """All recallable capacity ever granted stays within this fraction of the commitment."""

    def __post_init__(self) -> None:
        if not isinstance(self.currency, Currency):
            raise InvalidValueError("currency", "must be a Currency")
        months = self.recall_period_months
        if months is not None and (isinstance(months, bool) or not isinstance(months, int) or months < 1):
            raise InvalidValueError("recall_period_months", f"must be a positive int or None, got {months!r}")
        if self.cap_fraction is not None:
            check_rate(self.cap_fraction, "cap_fraction")


@dataclass(frozen=True, slots=True)
class Contribution:
    """Cash paid in for a capital call."""

    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Distribution:
    """Cash paid out; ``recallable`` of it may be called again (within the terms)."""

    on: date
    amount: Decimal
    recallable: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Recall:
    """A call of recallable capacity (cash paid in)."""

    on: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DeemedContribution:
    """A distribution kept by the pool and applied to a call or fee: no cash moves."""

    on: date
    amount: Decimal
    recallable: Decimal = Decimal(0)


CommitmentEvent = Contribution | Distribution | Recall | DeemedContribution


@dataclass(frozen=True, slots=True)
class CommitmentPosition:
    """An investor's commitment figures at a date (all non-negative except ``net_cash``)."""

    commitment: Decimal
    contributed: Decimal
    """All capital contributed: cash contributions, recalls and deemed contributions."""
    distributed: Decimal
    """All distributions: cash and deemed."""
    deemed: Decimal
    """Deemed contributions (each also counted as a distribution)."""
    recallable_granted: Decimal
    recallable_drawn: Decimal
    """Capacity used by recalls and by contributions beyond the commitment."""
    recallable_lapsed: Decimal
    recallable_available: Decimal
    remaining_commitment: Decimal
    """Commitment not yet drawn by contributions."""
    unfunded: Decimal
    """remaining_commitment + recallable_available."""
    net_cash: Decimal
    """Cash paid in less cash paid out; deemed contributions move none."""
    lapses: tuple[tuple[date, Decimal], ...] = ()
    """Capacity still available, by the date it lapses (capacity that never lapses is not
    listed)."""


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_Tranches = tuple[tuple[date | None, Decimal], ...]
"""Recallable capacity still available: (lapse date or None, amount), oldest grant first."""


def _lapse(tranches: _Tranches, until: date) -> tuple[_Tranches, Decimal]:
    """Drop the capacity lapsed on or before ``until``; return what is left and what lapsed."""
    kept = tuple((on, left) for on, left in tranches if on is None or on > until)
    lapsed = sum((left for on, left in tranches if on is not None and on <= until), Decimal(0))
    return kept, lapsed


def _draw(tranches: _Tranches, amount: Decimal) -> _Tranches:
    """Use ``amount`` (at most the capacity) oldest grant first: it lapses first."""
    kept = []
    for on, left in tranches:
        used = min(left, amount)
        amount -= used
        if left - used:
            kept.append((on, left - used))
    return tuple(kept)


def _check_event(event: object, index: int, currency: Currency) -> tuple[Decimal, Decimal]:
    name = f"events[{index}]"
    if not isinstance(event, (Contribution, Distribution, Recall, DeemedContribution)):
        raise InvalidValueError(name, f"must be a commitment event, got {type(event).__name__}")
    check_date(event.on, f"{name}.on")
    amount = check_cash(event.amount, currency, f"{name}.amount")
    recallable = quantize_cash(0, currency)
    if isinstance(event, (Distribution, DeemedContribution)):
        recallable = check_cash(event.recallable, currency, f"{name}.recallable")
        if recallable > amount:
            raise InvalidValueError(f"{name}.recallable", f"must not exceed the amount {amount}")
    return amount, recallable


@exact_arithmetic
def commitment_position(
    commitment: Decimal, events: Sequence[CommitmentEvent], as_of: date, terms: RecallTerms
) -> CommitmentPosition:
    """The investor's position at ``as_of`` from its events (module docstring).

    Every event's values are checked; events after ``as_of`` do not count. Raises
    :class:`InvalidValueError` naming ``events[i].amount`` when a contribution, recall or
    deemed contribution up to ``as_of`` exceeds what it may draw on.
    """
    if not isinstance(terms, RecallTerms):
        raise InvalidValueError("terms", "must be RecallTerms")
    currency = terms.currency
    total = check_cash(commitment, currency, "commitment")
    check_date(as_of, "as_of")
    checked = [(e, i, *_check_event(e, i, currency)) for i, e in enumerate(events)]
    zero = quantize_cash(0, currency)
    cap = None
    if terms.cap_fraction is not None:
        cap = quantize_cash(Fraction(total) * Fraction(terms.cap_fraction), currency, Rounding.DOWN)
    months = terms.recall_period_months
    remaining = total
    tranches: _Tranches = ()
    contributed = distributed = deemed = granted = drawn = lapsed = cash = zero
    # A stable sort: same-day events keep the order given.
    for event, index, amount, recallable in sorted(checked, key=lambda item: item[0].on):
        if event.on > as_of:
            break
        tranches, gone = _lapse(tranches, event.on)
        lapsed += gone
        if isinstance(event, (Distribution, DeemedContribution)):
            distributed += amount
            grant = recallable if cap is None else max(min(recallable, cap - granted), zero)
            if grant:
                tranches = (*tranches, (None if months is None else add_months(event.on, months), grant))
                granted += grant
        available = sum((left for _, left in tranches), zero)
        room = available if isinstance(event, Recall) else remaining + available
        if not isinstance(event, Distribution):
            if amount > room:
                what = "recallable capacity" if isinstance(event, Recall) else "unfunded commitment"
                raise InvalidValueError(
                    f"events[{index}].amount", f"{amount} exceeds the {what} {room} on {event.on}"
                )
            from_commitment = zero if isinstance(event, Recall) else min(remaining, amount)
            remaining -= from_commitment
            tranches = _draw(tranches, amount - from_commitment)
            drawn += amount - from_commitment
            contributed += amount
        if isinstance(event, DeemedContribution):
            deemed += amount
        else:
            cash += -amount if isinstance(event, Distribution) else amount
    tranches, gone = _lapse(tranches, as_of)
    lapsed += gone
    available = sum((left for _, left in tranches), zero)
    return CommitmentPosition(
        commitment=total,
        contributed=contributed,
        distributed=distributed,
        deemed=deemed,
        recallable_granted=granted,
        recallable_drawn=drawn,
        recallable_lapsed=lapsed,
        recallable_available=available,
        remaining_commitment=remaining,
        unfunded=remaining + available,
        net_cash=cash,
        lapses=tuple((on, left) for on, left in tranches if on is not None),
    )
