"""Pro-rata allocation of an exact amount by the largest-remainder (Hamilton) method.

Used for capital calls (weights = commitments), pro-rata distributions (weights = units or
contributed capital) and fee allocation (weights = units or capital).

Rule, for a total T that is a whole number N of quanta q (e.g. cents) and weights w_i:

1. each holder's exact share is ``N * w_i / sum(w)`` quanta;
2. each holder first gets the whole quanta of its share (rounded down);
3. the ``N - sum(floors)`` quanta left over (fewer than the number of holders) go one each
   to the holders with the largest fractional remainders; ties are broken by holder key in
   ascending order, so the result never depends on input order.

The parts therefore add up to T exactly, and every part is within one quantum of the exact
pro-rata share (the "quota rule"). A holder with zero weight always gets zero. A negative
total is allocated as its absolute value and the parts negated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from backend.finance.errors import InvalidValueError, PrecisionError
from backend.finance.money import (
    Currency,
    check_cash,
    exact_arithmetic,
    to_decimal,
)

_ZERO = Decimal(0)

__all__ = ["allocate", "allocate_cash", "apportion_exact", "exact_shares", "round_rows_once"]


def _check_weights(weights: Mapping[str, Decimal]) -> dict[str, int]:
    """The weights as integers on one common scale (weight x 10^places): the same ratios,
    so the allocation below can run on integers alone."""
    if not weights:
        raise InvalidValueError("weights", "at least one holder is required")
    values: dict[str, Decimal] = {}
    for holder, weight in weights.items():
        if not isinstance(holder, str) or not holder:
            raise InvalidValueError("weights", f"holder keys must be non-empty str, got {holder!r}")
        exact = weight.__class__ is Decimal and weight.is_finite()
        value = weight if exact else to_decimal(weight, f"weights[{holder}]")
        if value < 0:
            raise InvalidValueError(f"weights[{holder}]", f"must not be negative, got {value}")
        values[holder] = value
    places = max(max(-int(v.as_tuple().exponent), 0) for v in values.values())
    scaled = {holder: int(v.scaleb(places)) for holder, v in values.items()}
    if sum(scaled.values()) == 0:
        raise InvalidValueError("weights", "all weights are zero; nothing to allocate by")
    return scaled


@exact_arithmetic
def allocate(total: Decimal, weights: Mapping[str, Decimal], quantum: Decimal) -> dict[str, Decimal]:
    """Split ``total`` across holders pro rata to ``weights`` in whole multiples of ``quantum``.

    Returns ``{holder: part}`` in the order of ``weights``; the parts sum exactly to ``total``.
    ``total`` must be a whole multiple of ``quantum`` (e.g. a cash amount at 0.01).
    """
    amount = to_decimal(total, "total")
    step = to_decimal(quantum, "quantum")
    if step <= 0:
        raise InvalidValueError("quantum", f"must be positive, got {step}")
    shares = _check_weights(weights)

    quanta = Fraction(amount) / Fraction(step)
    if quanta.denominator != 1:
        raise PrecisionError("total", f"must be a whole multiple of the quantum {step}, got {amount}")
    count = abs(quanta.numerator)
    sign = -1 if amount < 0 else 1

    # Holder i's exact share is count * w_i / W quanta: its whole part and remainder come
    # from one integer divmod, and remainders over the same W compare as the fractions do.
    weight_sum = sum(shares.values())
    whole: dict[str, int] = {}
    remainder: dict[str, int] = {}
    for holder, weight in shares.items():
        whole[holder], remainder[holder] = divmod(count * weight, weight_sum)
    left_over = count - sum(whole.values())

    by_remainder = sorted(
        (holder for holder, weight in shares.items() if weight > 0),
        key=lambda holder: (-remainder[holder], holder),
    )
    for holder in by_remainder[:left_over]:
        whole[holder] += 1

    # Each part is an exact multiple of the quantum, so this rounding never changes a value.
    return {holder: (sign * whole[holder]) * step for holder in shares}


def allocate_cash(total: Decimal, weights: Mapping[str, Decimal], currency: Currency) -> dict[str, Decimal]:
    """Allocate a cash amount (validated for ``currency``) to the minor unit, pro rata."""
    amount = check_cash(total, currency, "total", non_negative=False)
    return allocate(amount, weights, currency.quantum)


def apportion_exact(total: Decimal, exact: Mapping[str, Fraction], quantum: Decimal) -> dict[str, Decimal]:
    """Give each holder its ``exact`` amount rounded down to the ``quantum``, and the quanta
    left of ``total`` one each to the largest remainders (ties by holder key).

    For a ``total`` that is the exact amounts' sum rounded once, each part is within one
    quantum of that holder's own exact figure, and the parts sum exactly to ``total``. A
    split pro rata to the exact amounts (:func:`allocate`) can land a holder a quantum and a
    half away, because each share is also scaled by the total's own rounding."""
    step = Fraction(to_decimal(quantum, "quantum"))
    count = Fraction(to_decimal(total, "total")) / step
    if count.denominator != 1:
        raise PrecisionError("total", f"must be a whole multiple of the quantum {quantum}, got {total}")
    whole: dict[str, int] = {}
    remainder: dict[str, Fraction] = {}
    for holder, amount in exact.items():
        if amount < 0:
            raise InvalidValueError(f"exact[{holder}]", f"must not be negative, got {amount}")
        whole[holder], remainder[holder] = divmod(amount / step, 1)
    left_over = count.numerator - sum(whole.values())
    by_remainder = sorted((h for h in exact if remainder[h] > 0), key=lambda h: (-remainder[h], h))
    if not 0 <= left_over <= len(by_remainder):
        raise InvalidValueError("total", f"{total} is not the exact amounts' sum rounded to {quantum}")
    for holder in by_remainder[:left_over]:
        whole[holder] += 1
    return {holder: whole[holder] * Decimal(quantum) for holder in exact}


def exact_shares(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Fraction]:
    """``total`` split pro rata to ``weights``, exactly: what :func:`allocate` rounds."""
    positive = {holder: Fraction(w) for holder, w in weights.items() if w > 0}
    whole = sum(positive.values(), Fraction(0))
    return {holder: Fraction(total) * positive.get(holder, Fraction(0)) / whole for holder in weights}


@exact_arithmetic
def round_rows_once(
    columns: Sequence[Mapping[str, Decimal]],
    exact_rows: Mapping[str, Fraction],
    quantum: Decimal,
    room: Sequence[Mapping[str, Decimal] | None] = (),
) -> list[dict[str, Decimal]]:
    """A table split column by column (each column a total shared among the same holders,
    each rounded on its own) made to round each holder's row total once as well.

    Each column keeps its total. Each holder's row adds up to its exact total (``exact_rows``,
    the sum of its exact shares of every column) rounded by :func:`apportion_exact`: within a
    quantum of it, the rows adding up to the table's total. Rows are moved there a quantum
    at a time, from a holder whose row is over to one whose row is under, within the first
    column (in the order given) where the giver has a quantum and the taker has ``room``
    (how much more its cell may take; None: no limit) left. A column-by-column split may
    leave a holder two or three quanta from its own total; this leaves none more than one."""
    cells = [dict(column) for column in columns]
    holders = list(exact_rows)
    rows = {h: sum((c.get(h, _ZERO) for c in cells), _ZERO) for h in holders}
    target = apportion_exact(sum(rows.values(), _ZERO), exact_rows, quantum)
    step = Decimal(quantum)
    over = [h for h in holders for _ in range(int((rows[h] - target[h]) / step)) if rows[h] > target[h]]
    under = [h for h in holders for _ in range(int((target[h] - rows[h]) / step)) if rows[h] < target[h]]
    limits = [dict(r) if r is not None else None for r in (*room, *([None] * (len(cells) - len(room))))]
    for giver, taker in zip(over, under, strict=True):
        for column, limit in zip(cells, limits, strict=True):
            if column.get(giver, _ZERO) >= step and (limit is None or limit.get(taker, _ZERO) >= step):
                column[giver] -= step
                column[taker] = column.get(taker, _ZERO) + step
                if limit is not None:
                    limit[taker] -= step
                    limit[giver] = limit.get(giver, _ZERO) + step
                break
    return cells
