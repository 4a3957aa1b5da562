"""The management fee rule under an offset (ledger.posting_rules.fee_offsets): a run of fees
against portfolio-company fees received along the way never charges less than nothing, never
uses more offset than was earned, and shares each offset among the investors by their fees."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.allocation import apportion_exact
from backend.finance.fees import FeePeriod, ManagementFeeTerms
from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import Rounding, get_currency, round_to_quantum
from ledger.interface import AccountCode, PoolBooks, PoolTerms
from ledger.interface import posting_rules as rules
from ledger.posting_rules.books import FeeOffsetsToDate

EUR = get_currency("EUR")
D = Decimal
START = date(2025, 1, 1)


def terms(offset_rate: Decimal) -> PoolTerms:
    return PoolTerms(
        pool_id=3,
        kind=rules.CLOSED_ENDED,
        currency=EUR,
        inception_date=START,
        initial_nav_per_unit=D(1),
        management_fee=ManagementFeeTerms(rate=D("0.02"), basis="committed", offset_rate=offset_rate),
    )


cents = st.integers(min_value=1, max_value=10**9).map(lambda c: D(c).scaleb(-2))
commitment = st.integers(min_value=10**6, max_value=10**11).map(lambda c: D(c).scaleb(-2))


@settings(max_examples=150, deadline=None)
@given(
    commitments=st.lists(commitment, min_size=1, max_size=5),
    gp=st.booleans(),
    rate=st.sampled_from([D(0), D("0.5"), D("0.8"), D(1)]),
    received=st.lists(st.tuples(st.integers(0, 360), cents), max_size=6),
    quarters=st.integers(1, 4),
)
def test_a_run_of_fees_uses_no_more_offset_than_earned_and_nobody_pays_below_zero(
    commitments: list[Decimal], gp: bool, rate: Decimal, received: list[tuple[int, Decimal]], quarters: int
) -> None:
    by_investor = {i + 1: c for i, c in enumerate(commitments)}
    letters = {1: InvestorTerms(gp_commitment=True)} if gp and len(by_investor) > 1 else {}
    fees_received = tuple(sorted((START + timedelta(days=d), amount) for d, amount in received))
    used = D(0)
    for quarter in range(quarters):
        first = date(2025, 3 * quarter + 1, 1)
        last = date(2025, 3 * quarter + 3, 28)
        books = PoolBooks({}, fee_offsets=FeeOffsetsToDate(fees_received, used))
        posting = rules.management_fee(
            terms(rate), books, period=FeePeriod(first, last), commitments=by_investor, investor_terms=letters
        )
        workings = posting.details["fee_offset"]
        gross, net = D(workings["gross_fee"]), D(posting.details["amount"])
        this = D(workings["used"])
        assert net == gross - this and D(0) <= this <= gross
        assert sum(map(D, workings["by_investor"].values()), D(0)) == this
        assert all(D(v) >= 0 for v in posting.details["allocation"].values())
        assert "1" not in workings["by_investor"] or not letters  # the GP's commitment bears no fee
        payable = sum(
            (line.amount for line in posting.lines if line.account is AccountCode.FEES_PAYABLE), D(0)
        )
        assert payable == -net
        assert sum((line.amount for line in posting.lines), D(0)) == 0
        used += this
        earned = D(workings["earned_to_date"])
        assert used <= earned  # what the fees used so far never passes what was earned
    total_received = sum((a for _, a in fees_received), D(0))
    assert used <= (total_received * rate).quantize(D("0.01")) + D("0.01")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fractions(min_value=0, max_value=10**6), min_size=1, max_size=6))
def test_apportioning_exact_amounts_keeps_each_within_a_cent(exact: list[Fraction]) -> None:
    """The books' fee by investor (and the finance layer's): the exact fees summed and rounded
    once, each investor its exact fee rounded down plus a cent to the largest remainders."""
    amounts = {f"i{k}": f for k, f in enumerate(exact)}
    total = round_to_quantum(sum(exact, Fraction(0)), D("0.01"), Rounding.HALF_EVEN)
    parts = apportion_exact(total, amounts, D("0.01"))
    assert sum(parts.values(), D(0)) == total
    assert all(abs(Fraction(parts[k]) - f) < Fraction(1, 100) for k, f in amounts.items())
