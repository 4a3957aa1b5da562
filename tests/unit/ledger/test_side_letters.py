"""Side letters and the GP's commitment: investors on their own fee and carry rates
(backend.finance.investor_terms, applied by the ledger's management fee and waterfall rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.errors import InvalidValueError
from backend.finance.fees import FeePeriod, ManagementFeeTerms
from backend.finance.investor_terms import CarryToDate, InvestorTerms, carry_rebates, fee_weights
from backend.finance.money import get_currency
from backend.finance.waterfall import (
    Compounding,
    InvestorDistribution,
    WaterfallState,
    WaterfallTerms,
    distribute,
)
from ledger.interface import AccountCode, PoolBooks, PoolTerms, Posting
from ledger.interface import posting_rules as rules

USD = get_currency("USD")
D = Decimal
A, B, C, G = 1, 2, 3, 4
LETTERS = {
    B: InvestorTerms(management_fee_rate=D("0.015"), carried_interest_rate=D("0.10")),
    C: InvestorTerms(management_fee_waiver=D("0.5")),
    G: InvestorTerms(gp_commitment=True),
}


def waterfall() -> WaterfallTerms:
    return WaterfallTerms(USD, D("0.08"), Compounding.ANNUAL, D(1), D("0.20"))


def pool() -> PoolTerms:
    return PoolTerms(
        pool_id=9,
        kind=rules.CLOSED_ENDED,
        currency=USD,
        inception_date=date(2025, 1, 1),
        initial_nav_per_unit=D(1),
        waterfall=waterfall(),
        management_fee=ManagementFeeTerms(rate=D("0.02"), basis="committed"),
    )


COMMITMENTS = {A: D("10000000.00"), B: D("10000000.00"), C: D("5000000.00"), G: D("200000.00")}


def fee(period: FeePeriod, letters: dict[int, InvestorTerms] | None = LETTERS) -> Posting:
    return rules.management_fee(
        pool(), PoolBooks({}), period=period, commitments=COMMITMENTS, investor_terms=letters
    )


def test_each_investor_pays_its_own_rate_docs_example() -> None:
    """COMPUTED (docs worked example): 2% a year on commitments. A 10,000,000 on the pool's
    terms; B 10,000,000 with a side letter at 1.5%; C 5,000,000 with half its fee waived;
    G 200,000, the GP's own commitment. For 2025 (365 days, ACT/365F): A 200,000.00,
    B 150,000.00, C 50,000.00, G nothing: 400,000.00 (without the letters 504,000.00)."""
    year = fee(FeePeriod(date(2025, 1, 1), date(2025, 12, 31)))
    assert year.details["amount"] == "400000.00"
    assert year.details["allocation"] == {"1": "200000.00", "2": "150000.00", "3": "50000.00"}
    assert year.details["side_letters"] == {"2": "0.015", "3": "0.010", "4": "0"}
    assert fee(FeePeriod(date(2025, 1, 1), date(2025, 12, 31)), None).details["amount"] == "504000.00"


def test_the_pools_fee_is_rounded_once_and_shared_by_exact_fee() -> None:
    """COMPUTED: the first quarter of 2025 (90 days): exactly 400,000 x 90/365 =
    98,630.1369..., charged 98,630.14; A's exact 49,315.068..., B's 36,986.301..., C's
    12,328.767...: A 49,315.07, B 36,986.30, C 12,328.77 (largest remainders A and C)."""
    quarter = fee(FeePeriod(date(2025, 1, 1), date(2025, 3, 31)))
    assert quarter.details["amount"] == "98630.14"
    assert quarter.details["allocation"] == {"1": "49315.07", "2": "36986.30", "3": "12328.77"}
    lines = {line.investor_id: line.amount for line in quarter.lines if line.account is AccountCode.CAPITAL}
    assert G not in lines and sum(lines.values()) == D("98630.14")


def test_a_fee_holiday_charges_only_the_days_after_it_docs_example() -> None:
    """COMPUTED (docs worked example): as above, and A, an early closer, has a fee holiday to
    30 June 2025. For 2025 A pays 10,000,000 x 2% x 184/365 = 100,821.9178..., 100,821.92
    (1 July to 31 December is 184 days); B, C and G as before: 300,821.92 in all, rounded once.
    A quarter wholly inside the holiday charges A nothing; the next quarter charges A in full."""
    letters = {**LETTERS, A: InvestorTerms(management_fee_holiday_until=date(2025, 6, 30))}
    year = fee(FeePeriod(date(2025, 1, 1), date(2025, 12, 31)), letters)
    assert year.details["amount"] == "300821.92"
    assert year.details["allocation"] == {"1": "100821.92", "2": "150000.00", "3": "50000.00"}
    assert year.details["fee_holidays_until"] == {"1": "2025-06-30"}
    first = fee(FeePeriod(date(2025, 1, 1), date(2025, 3, 31)), letters)
    assert "1" not in first.details["allocation"] and first.details["amount"] == "49315.07"
    third = fee(FeePeriod(date(2025, 7, 1), date(2025, 9, 30)), letters)
    full = fee(FeePeriod(date(2025, 7, 1), date(2025, 9, 30)))
    assert third.details["allocation"]["1"] == full.details["allocation"]["1"] == "50410.96"


def test_a_holiday_ending_inside_a_period_with_a_step_down_is_charged_on_each_side() -> None:
    """COMPUTED: 2% on commitments stepping down to 1% on invested capital from 1 July 2025;
    A (10,000,000 committed, 4,000,000 invested) has a holiday to 31 March. 2025 on
    ACT/365F: A pays 10,000,000 x 2% x 91/365 (1 April to 30 June) + 4,000,000 x 1% x 184/365
    = 49,863.0137 + 20,164.3836 = 70,027.3973; B, with no holiday, 10,000,000 x 2% x 181/365
    + 4,000,000 x 1% x 184/365 = 99,178.0822 + 20,164.3836 = 119,342.4658. The pool's fee,
    189,369.8630, is charged 189,369.86 and shared by largest remainder: 70,027.39 and
    119,342.46 leave one cent, which goes to A (0.73 of a cent against B's 0.58)."""
    terms = pool()
    stepping = PoolTerms(
        pool_id=terms.pool_id,
        kind=terms.kind,
        currency=USD,
        inception_date=terms.inception_date,
        initial_nav_per_unit=terms.initial_nav_per_unit,
        waterfall=terms.waterfall,
        management_fee=ManagementFeeTerms(
            rate=D("0.02"), basis="committed", step_down_on=date(2025, 7, 1), step_down_rate=D("0.01")
        ),
    )
    letters = {A: InvestorTerms(management_fee_holiday_until=date(2025, 3, 31))}
    year = rules.management_fee(
        stepping,
        PoolBooks({}),
        period=FeePeriod(date(2025, 1, 1), date(2025, 12, 31)),
        commitments={A: D("10000000.00"), B: D("10000000.00")},
        invested={A: D("4000000.00"), B: D("4000000.00")},
        investor_terms=letters,
    )
    assert year.details["allocation"] == {"1": "70027.40", "2": "119342.46"}
    assert year.details["amount"] == "189369.86"


def test_carry_rebate_docs_example() -> None:
    """COMPUTED (docs worked example, the Schweser case for two LPs): A and B each pay 50 in
    on 1 January 2021; 200 is distributed a year later (8% pref, full catch-up, 20% carry).
    At the pool's terms each LP gets 50 + 4 + 36 = 90 and bears 1 of catch-up and 9 of
    carry. B's side letter sets its carry at 10%: it bears half of each, 0.50 and 4.50,
    and the GP gives it back 5.00: B receives 95.00 (bearing 10% of its 50 of profit), A
    90.00; the GP has 15.00 instead of 20.00."""
    state = (
        WaterfallState()
        .with_contribution(str(A), D(50), date(2021, 1, 1))
        .with_contribution(str(B), D(50), date(2021, 1, 1))
    )
    result = distribute(D(200), date(2022, 1, 1), waterfall(), state)
    rebates = carry_rebates(result.investors, D("0.20"), {str(B): LETTERS[B]}, USD)
    assert list(rebates) == [str(B)]
    assert (rebates[str(B)].catch_up, rebates[str(B)].carried_interest) == (D("0.50"), D("4.50"))
    assert result.gp_total - rebates[str(B)].total == D("15.00")


def test_a_side_letter_may_not_raise_the_carry() -> None:
    state = WaterfallState().with_contribution("1", D(50), date(2021, 1, 1))
    result = distribute(D(100), date(2022, 1, 1), waterfall(), state)
    higher = {"1": InvestorTerms(carried_interest_rate=D("0.25"))}
    with pytest.raises(InvalidValueError) as caught:
        carry_rebates(result.investors, D("0.20"), higher, USD)
    assert caught.value.field == "side_letters[1].carried_interest_rate"


def test_bad_letter_terms_name_the_field() -> None:
    for bad, field in (
        ({"management_fee_rate": D("-0.01")}, "management_fee_rate"),
        ({"management_fee_waiver": D("1.5")}, "management_fee_waiver"),
        ({"carried_interest_rate": D(1)}, "carried_interest_rate"),
    ):
        with pytest.raises(InvalidValueError) as caught:
            InvestorTerms(**bad)  # type: ignore[arg-type]
        assert caught.value.field == field


@settings(deadline=None, max_examples=150)
@given(
    st.lists(st.integers(1, 10**9), min_size=1, max_size=5),
    st.lists(st.sampled_from(["none", "rate", "waiver", "gp"]), min_size=5, max_size=5),
    st.integers(1, 730),
)
def test_fees_add_up_and_nobody_pays_beyond_their_rate(cents: list[int], kinds: list[str], days: int) -> None:
    """Whatever the letters, the investors' shares add up to the fee to the cent; the GP's
    commitment and a full waiver pay nothing; each share is within a cent of its exact fee."""
    commitments = {i + 1: D(c) / 100 for i, c in enumerate(cents)}
    letters = {
        i: {
            "rate": InvestorTerms(management_fee_rate=D("0.0125")),
            "waiver": InvestorTerms(management_fee_waiver=D(1)),
            "gp": InvestorTerms(gp_commitment=True),
        }[kinds[i - 1]]
        for i in commitments
        if kinds[i - 1] != "none"
    }
    start = date(2025, 1, 1)
    period = FeePeriod(start, date.fromordinal(start.toordinal() + days - 1))
    weights = fee_weights(
        {str(i): c for i, c in commitments.items()}, D("0.02"), {str(i): t for i, t in letters.items()}
    )
    if not any(weights.values()):
        with pytest.raises(InvalidValueError):
            rules.management_fee(
                pool(), PoolBooks({}), period=period, commitments=commitments, investor_terms=letters
            )
        return
    try:
        posting = rules.management_fee(
            pool(), PoolBooks({}), period=period, commitments=commitments, investor_terms=letters
        )
    except InvalidValueError as exc:  # a fee that rounds to nothing is refused, naming the period
        assert exc.field == "period_end"
        return
    shares = {int(k): D(v) for k, v in posting.details["allocation"].items()}
    assert sum(shares.values()) == D(posting.details["amount"])
    for investor, share in shares.items():
        exact = weights[str(investor)] * days / 365
        assert abs(share - exact) < D("0.01") + D("0.005")
        assert investor not in letters or letters[investor].fee_rate(D("0.02")) > 0


def test_a_carry_rebate_is_rounded_once_over_the_pools_life_not_per_distribution() -> None:
    """COMPUTED: B's letter sets 10% against the pool's 20% (the GP keeps half of what B
    bears). Three distributions each make B bear 0.01 of carry. Rounded per distribution the
    GP would keep nothing (half a cent rounds down each time); over the pool's life it keeps
    round_down(0.015) = 0.01, taken in the second distribution."""
    kept, to_date = [], CarryToDate()
    for _ in range(3):
        share = InvestorDistribution(str(B), D(0), D(0), D(0), D(0), gp_carried_interest=D("0.01"))
        rebate = carry_rebates([share], D("0.20"), {str(B): LETTERS[B]}, USD, {str(B): to_date}).get(str(B))
        keeps = D("0.01") - (rebate.total if rebate else D(0))
        kept.append(keeps)
        to_date = CarryToDate(to_date.borne + D("0.01"), to_date.kept + keeps)
    assert kept == [D("0.00"), D("0.01"), D("0.00")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=6))
def test_what_the_gp_keeps_of_an_investor_is_its_rate_of_everything_borne_rounded_once(
    borne: list[tuple[int, int]],
) -> None:
    letter = InvestorTerms(carried_interest_rate=D("0.15"))
    to_date = CarryToDate()
    for catch_up, carry in borne:
        share = InvestorDistribution(
            str(B),
            D(0),
            D(0),
            D(0),
            D(0),
            gp_catch_up=D(catch_up).scaleb(-2),
            gp_carried_interest=D(carry).scaleb(-2),
        )
        rebate = carry_rebates([share], D("0.20"), {str(B): letter}, USD, {str(B): to_date}).get(str(B))
        if rebate is not None:
            assert (
                0 <= rebate.catch_up <= share.gp_catch_up
                and 0 <= rebate.carried_interest <= share.gp_carried_interest
            )
        now = share.gp_catch_up + share.gp_carried_interest
        to_date = CarryToDate(to_date.borne + now, to_date.kept + now - (rebate.total if rebate else D(0)))
    exact = to_date.borne * D("0.15") / D("0.20")
    assert to_date.kept == exact.quantize(D("0.01"), rounding="ROUND_DOWN")
