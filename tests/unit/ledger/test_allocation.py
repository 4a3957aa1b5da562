"""Pro-rata allocation by largest remainder (backend.finance.allocation)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.allocation import allocate, allocate_cash
from backend.finance.errors import InvalidValueError, NotDecimalError, PrecisionError
from backend.finance.money import get_currency

USD = get_currency("USD")


def test_wikipedia_largest_remainder_hare_example() -> None:
    """Wikipedia, "Largest remainder method", Hare quota example: 10 seats, 100,000 votes.

    Quotas 4.70, 1.60, 1.58, 1.20, 0.61, 0.31 -> whole seats 4, 1, 1, 1, 0, 0 (7); the three
    left go to the largest remainders .70 (Yellows), .61 (Blues), .60 (Whites).
    """
    votes = {
        "Yellows": Decimal(47_000),
        "Whites": Decimal(16_000),
        "Reds": Decimal(15_800),
        "Greens": Decimal(12_000),
        "Blues": Decimal(6_100),
        "Pinks": Decimal(3_100),
    }
    seats = allocate(Decimal(10), votes, Decimal(1))
    assert seats == {"Yellows": 5, "Whites": 2, "Reds": 1, "Greens": 1, "Blues": 1, "Pinks": 0}


def test_capital_call_pro_rata_to_commitments() -> None:
    """COMPUTED: a 100.00 call on three equal commitments: 33.333... each, floors 33.33 x 3 =
    99.99, the spare cent goes to the first key in order (all remainders tie)."""
    parts = allocate_cash(Decimal("100.00"), {"c": Decimal(1), "a": Decimal(1), "b": Decimal(1)}, USD)
    assert parts == {"c": Decimal("33.33"), "a": Decimal("33.34"), "b": Decimal("33.33")}
    assert list(parts) == ["c", "a", "b"]  # input order kept


def test_commitments_example_in_docs() -> None:
    """COMPUTED (docs worked example): call 1,000,000.00 on commitments 5m / 3m / 1.5m.

    Exact shares in cents 52,631,578.947..., 31,578,947.368..., 15,789,473.684...; the whole
    cents sum to 99,999,998, so the two spare cents go to the largest remainders: LP-A (.947)
    and LP-C (.684); LP-B (.368) keeps its floor.
    """
    parts = allocate_cash(
        Decimal("1000000.00"),
        {"LP-A": Decimal(5_000_000), "LP-B": Decimal(3_000_000), "LP-C": Decimal(1_500_000)},
        USD,
    )
    assert parts == {"LP-A": Decimal("526315.79"), "LP-B": Decimal("315789.47"), "LP-C": Decimal("157894.74")}
    assert sum(parts.values()) == Decimal("1000000.00")


def test_zero_weight_gets_zero_and_all_zero_is_error() -> None:
    parts = allocate_cash(Decimal("0.05"), {"a": Decimal(1), "z": Decimal(0), "b": Decimal(1)}, USD)
    assert parts["z"] == 0
    assert sum(parts.values()) == Decimal("0.05")
    with pytest.raises(InvalidValueError) as err:
        allocate_cash(Decimal("1.00"), {"a": Decimal(0), "b": Decimal(0)}, USD)
    assert err.value.field == "weights"


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(PrecisionError) as precision:
        allocate(Decimal("1.005"), {"a": Decimal(1)}, Decimal("0.01"))
    assert precision.value.field == "total"
    with pytest.raises(InvalidValueError) as negative:
        allocate(Decimal(1), {"a": Decimal(-1)}, Decimal("0.01"))
    assert negative.value.field == "weights[a]"
    with pytest.raises(NotDecimalError):
        allocate(Decimal(1), {"a": 0.5}, Decimal("0.01"))  # type: ignore[dict-item]
    with pytest.raises(InvalidValueError):
        allocate(Decimal(1), {}, Decimal("0.01"))


def test_negative_total_mirrors_positive() -> None:
    weights = {"a": Decimal(2), "b": Decimal(1)}
    assert allocate(Decimal("-1.00"), weights, Decimal("0.01")) == {
        k: -v for k, v in allocate(Decimal("1.00"), weights, Decimal("0.01")).items()
    }


weights_strategy = st.dictionaries(
    keys=st.text(alphabet="abcdefgh", min_size=1, max_size=3),
    values=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
).filter(lambda w: sum(w.values()) > 0)
quantum_strategy = st.sampled_from([Decimal("0.01"), Decimal(1), Decimal("0.001"), Decimal("0.000001")])


@given(
    weights=weights_strategy,
    quanta=st.integers(min_value=-(10**12), max_value=10**12),
    quantum=quantum_strategy,
)
def test_parts_sum_exactly_and_stay_within_one_quantum(
    weights: dict[str, Decimal], quanta: int, quantum: Decimal
) -> None:
    total = quanta * quantum
    parts = allocate(total, weights, quantum)
    assert sum(parts.values()) == total
    weight_sum = sum(Fraction(w) for w in weights.values())
    for holder, part in parts.items():
        exact = Fraction(total) * Fraction(weights[holder]) / weight_sum
        assert abs(Fraction(part) - exact) < Fraction(quantum)
        assert Fraction(part) / Fraction(quantum) == int(Fraction(part) / Fraction(quantum))
        if weights[holder] == 0:
            assert part == 0


@given(weights=weights_strategy, quanta=st.integers(min_value=0, max_value=10**6), data=st.data())
def test_result_does_not_depend_on_input_order(
    weights: dict[str, Decimal], quanta: int, data: st.DataObject
) -> None:
    total = quanta * Decimal("0.01")
    shuffled_keys = data.draw(st.permutations(list(weights)))
    shuffled = {k: weights[k] for k in shuffled_keys}
    assert allocate(total, weights, Decimal("0.01")) == allocate(total, shuffled, Decimal("0.01"))
