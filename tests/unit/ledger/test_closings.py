"""Subsequent closings with equalisation (backend.finance.closings)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.closings import (
    ClosingResult,
    ClosingState,
    Compounding,
    EqualisationTerms,
    call_capital,
    call_fraction,
    open_fund,
    subsequent_close,
)
from backend.finance.daycount import DayCount
from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.money import get_currency

USD = get_currency("USD")
CENT = Decimal("0.01")
NO_INTEREST = EqualisationTerms(Decimal(0))


def row(result: ClosingResult, investor: str) -> tuple[str, ...]:
    """(paid in, returned, interest paid, interest received, contributed, unfunded)."""
    for r in result.investors:
        if r.investor == investor:
            return tuple(
                str(x)
                for x in (
                    r.capital_paid_in,
                    r.capital_returned,
                    r.interest_paid,
                    r.interest_received,
                    r.contributed,
                    r.unfunded,
                )
            )
    raise KeyError(investor)


# --- worked examples ---------------------------------------------------------------------


def test_destek_fund_subsequent_closing_example() -> None:
    """PUBLISHED: "Private Equity Fund Accounting - Subsequent Closings & Equalisation" (DesTek
    Fund, ibfundaccounting.com,
    https://ibfundaccounting.com/post/private-equity-fund-accounting-subsequent-closings-equalisation;
    first close and Drawdown A in the earlier posts of the series,
    https://www.ibfundaccounting.com/post/private-equity-fund-accounting-commitments-closings and
    https://www.ibfundaccounting.com/post/private-equity-fund-accounting-drawdowns).
    First close 31 Dec 2013: five LPs of $80m each and the GP's $5m ($405m). Drawdown A of
    $50m on 31 Jan 2014: each LP pays $9,876,543 (published, whole dollars; 9,876,543.21 to
    the cent). Second close 30 Jun 2014: LP6, LP7, LP8 commit $90m and pay LP6 $2,020,202,
    LP7 $3,030,303, LP8 $4,040,404 (published in whole dollars, truncated; here to the cent).
    The published payments and "LP8 owns 8.08%" imply commitments of $20m, $30m and $40m of
    $495m (the post's text says LP8 committed $30m, which contradicts its own 8.08% and
    $4,040,404; the figures are reproduced). The post shows no equalisation interest, so the
    rate is 0. The $9,090,909.09 goes back to the first-close investors pro rata to their
    holdings: 1,795,735.13 to each LP and 112,233.44 to the GP (COMPUTED, not published), and
    every investor then has 50/495 = 10.10% of its commitment contributed."""
    state = open_fund(
        USD,
        {**{f"LP{i}": Decimal(80_000_000) for i in range(1, 6)}, "GP": Decimal(5_000_000)},
        date(2013, 12, 31),
    )
    state = call_capital(state, Decimal(50_000_000), date(2014, 1, 31))
    assert {s.investor: str(s.amount) for s in state.calls[0].shares}["LP1"] == "9876543.21"
    new = {"LP6": Decimal(20_000_000), "LP7": Decimal(30_000_000), "LP8": Decimal(40_000_000)}
    result = subsequent_close(state, NO_INTEREST, new, date(2014, 6, 30))
    assert [row(result, j)[0] for j in ("LP6", "LP7", "LP8")] == ["2020202.02", "3030303.03", "4040404.04"]
    assert row(result, "LP1") == ("0.00", "1795735.13", "0.00", "0.00", "8080808.08", "71919191.92")
    assert row(result, "GP") == ("0.00", "112233.44", "0.00", "0.00", "505050.51", "4494949.49")
    assert str(result.capital_paid_in) == str(result.capital_returned) == "9090909.09"


def test_fundwave_carol_second_close_example() -> None:
    """PUBLISHED (capital): "The Magic of Equalizations", Fundwave, 24 Sep 2019,
    https://fundwave.com/blogs/equalization-investor-close/. Initial close 1 Jan 2019: GP
    $1m, Alice $4m, Bob $5m; $1m called (GP 100k, Alice 400k, Bob 500k). Carol commits $2.5m on
    31 March: she pays $200k; GP gets back $20k, Alice $80k, Bob $100k; everyone has 8% drawn.
    COMPUTED (interest; the post shows none, the call date is taken as 1 Jan 2019): 8% simple,
    ACT/365F, 89 days: 200,000 x 0.08 x 89 / 365 = 3,901.369... -> 3,901.37 paid by Carol,
    split by capital returned 1:4:5: GP 390.137 -> 390.14, Alice 1,560.548 -> 1,560.55, Bob
    1,950.685 -> 1,950.68 (largest remainder: the two odd cents go to Alice, 0.8 of a cent,
    and the GP, 0.7, not to Bob, 0.5)."""
    state = open_fund(
        USD,
        {"GP": Decimal(1_000_000), "Alice": Decimal(4_000_000), "Bob": Decimal(5_000_000)},
        date(2019, 1, 1),
    )
    state = call_capital(state, Decimal(1_000_000), date(2019, 1, 1))
    result = subsequent_close(
        state, EqualisationTerms(Decimal("0.08")), {"Carol": Decimal(2_500_000)}, date(2019, 3, 31)
    )
    assert row(result, "Carol") == ("200000.00", "0.00", "3901.37", "0.00", "200000.00", "2300000.00")
    assert row(result, "GP") == ("0.00", "20000.00", "0.00", "390.14", "80000.00", "920000.00")
    assert row(result, "Alice") == ("0.00", "80000.00", "0.00", "1560.55", "320000.00", "3680000.00")
    assert row(result, "Bob") == ("0.00", "100000.00", "0.00", "1950.68", "400000.00", "4600000.00")


def test_fundopshq_equalisation_interest_example() -> None:
    """PUBLISHED: "Equalization Interest Calculations at Subsequent Closes: The Math Behind
    Making Early LPs Whole", FundOpsHQ, 14 Jan 2026,
    https://fundopshq.com/newsletter/fundopshq-insights/equalization-interest-calculations-at-subsequent-closes-the-math-behind-making-early-lps-whole-2026-01-14.
    A $200m fund called $40m at its January first close; a new investor with $20m (10% of the
    fund) joins at the April close, owes $4,000,000 of the call and 8% for about 90 days:
    4,000,000 x 0.08 x 90 / 365 = "approximately $78,900" (published figure rounded; exact
    78,904.109... -> 78,904.11). Dates chosen 90 days apart: 1 Jan and 1 Apr 2025."""
    state = open_fund(USD, {"First": Decimal(180_000_000)}, date(2025, 1, 1))
    state = call_capital(state, Decimal(40_000_000), date(2025, 1, 1))
    result = subsequent_close(
        state, EqualisationTerms(Decimal("0.08")), {"New": Decimal(20_000_000)}, date(2025, 4, 1)
    )
    assert row(result, "New") == ("4000000.00", "0.00", "78904.11", "0.00", "4000000.00", "16000000.00")
    assert row(result, "First")[1::2] == ("4000000.00", "78904.11", "144000000.00")


def test_compounded_equalisation_interest_lpa_clause() -> None:
    """COMPUTED, on an LPA clause: "an additional sum ... equivalent to interest on the amount
    of the Contribution ... at a rate equal to 8% per annum, compounded annually ... from the
    date or dates upon which such Contribution would have been payable had it been a Limited
    Partner in the Partnership on the First Closing Date up to the date of its admission"
    (quoted at https://www.multitran.com/m/a=2&l1=2&l2=1&MessNum=190108). A commits 1,000,000;
    500,000 called on 1 Jul 2022; B commits 1,000,000 and pays on 30 Jun 2024, 730 days later
    (exactly 2 years ACT/365F): 250,000 x (1.08^2 - 1) = 41,600.00 (simple: 40,000.00). For
    a fractional period, 1 Jul 2022 to 31 Mar 2024 (639 days): 250,000 x (1.08^(639/365) - 1)
    = 36,058.25."""
    state = open_fund(USD, {"A": Decimal(1_000_000)}, date(2022, 7, 1))
    state = call_capital(state, Decimal(500_000), date(2022, 7, 1))
    compound = EqualisationTerms(Decimal("0.08"), Compounding.ANNUAL)
    result = subsequent_close(state, compound, {"B": Decimal(1_000_000)}, date(2024, 6, 30))
    assert row(result, "B")[:3] == ("250000.00", "0.00", "41600.00")
    assert row(result, "A")[3] == "41600.00"
    simple = subsequent_close(
        state, EqualisationTerms(Decimal("0.08")), {"B": Decimal(1_000_000)}, date(2024, 6, 30)
    )
    assert row(simple, "B")[2] == "40000.00"
    partial = subsequent_close(state, compound, {"B": Decimal(1_000_000)}, date(2024, 3, 31))
    assert row(partial, "B")[2] == "36058.25"


def two_closes() -> tuple[ClosingResult, ClosingResult]:
    terms = EqualisationTerms(Decimal("0.10"))
    state = open_fund(USD, {"A": Decimal(600_000), "B": Decimal(400_000)}, date(2024, 1, 1))
    state = call_capital(state, Decimal(100_000), date(2024, 1, 1))
    state = call_capital(state, Decimal(200_000), date(2024, 7, 1))
    second = subsequent_close(state, terms, {"C": Decimal(1_000_000)}, date(2025, 1, 1))
    third = subsequent_close(second.state, terms, {"D": Decimal(2_000_000)}, date(2025, 7, 1))
    return second, third


def test_two_calls_and_two_later_closes() -> None:
    """COMPUTED (hand-checked): A 600,000 and B 400,000 at the first close (1 Jan 2024); calls
    of 100,000 (1 Jan 2024) and 200,000 (1 Jul 2024); 10% simple, ACT/365F.
    Second close, C 1,000,000 paying 1 Jan 2025: C pays 50,000 + 100,000 = 150,000 and interest
    0.1 x (50,000 x 366 + 100,000 x 184) / 365 = 10,054.794... -> 10,054.79; A gets back 90,000
    and B 60,000; the interest splits 3:2 -> 6,032.874 / 4,021.916 -> 6,032.87 / 4,021.92.
    Third close, D 2,000,000 paying 1 Jul 2025 (547 and 365 days after the calls): D pays
    150,000 and 0.1 x (50,000 x 547 + 100,000 x 365) / 365 = 17,493.150... -> 17,493.15.
    A, B and C each give back what they hold beyond the new 7.5% (45,000 / 30,000 / 75,000: C,
    the second-close investor, is re-equalised too). Interest by capital carried x time: up to
    1 Jan 2025 A and B carried D's 50,000 and 100,000 60:40, after it A, B, C 30:20:50, so in
    units of 0.1/365: A 50,000 x (0.6 x 366 + 0.3 x 181) + 100,000 x (0.6 x 184 + 0.3 x 181)
    = 30,165,000 -> 8,264.38; B 20,110,000 -> 5,509.59; C 150,000 x 0.5 x 181 = 13,575,000
    -> 3,719.18; total 63,850,000 = 17,493.15."""
    second, third = two_closes()
    assert row(second, "C") == ("150000.00", "0.00", "10054.79", "0.00", "150000.00", "850000.00")
    assert row(second, "A")[1::2] == ("90000.00", "6032.87", "510000.00")
    assert row(second, "B")[1::2] == ("60000.00", "4021.92", "340000.00")
    assert row(third, "D") == ("150000.00", "0.00", "17493.15", "0.00", "150000.00", "1850000.00")
    assert [row(third, i)[1] for i in "ABC"] == ["45000.00", "30000.00", "75000.00"]
    assert [row(third, i)[3] for i in "ABC"] == ["8264.38", "5509.59", "3719.18"]
    assert [row(third, i)[4] for i in "ABCD"] == ["45000.00", "30000.00", "75000.00", "150000.00"]


def test_call_fraction_and_call_limits() -> None:
    state = open_fund(USD, {"A": Decimal(300), "B": Decimal(700)}, date(2024, 1, 1))
    state = call_fraction(state, Decimal("0.25"), date(2024, 2, 1))
    assert [str(s.amount) for s in state.calls[0].shares] == ["75.00", "175.00"]
    with pytest.raises(InvalidValueError) as err:
        call_capital(state, Decimal("750.01"), date(2024, 3, 1))
    assert err.value.field == "amount"
    assert str(call_capital(state, Decimal(750), date(2024, 3, 1)).unfunded_of("A")) == "0.00"


def test_refusals_name_their_field() -> None:
    state = call_capital(
        open_fund(USD, {"A": Decimal(1000)}, date(2024, 1, 1)), Decimal(100), date(2024, 2, 1)
    )
    cases = [
        (
            lambda: subsequent_close(state, NO_INTEREST, {"A": Decimal(5)}, date(2024, 3, 1)),
            "new_commitments[A]",
        ),
        (
            lambda: subsequent_close(state, NO_INTEREST, {"B": Decimal(0)}, date(2024, 3, 1)),
            "new_commitments[B]",
        ),
        (lambda: subsequent_close(state, NO_INTEREST, {"B": Decimal(5)}, date(2024, 1, 15)), "payment_date"),
        (lambda: subsequent_close(state, NO_INTEREST, {"B": Decimal(5)}, date(2023, 1, 1)), "closing_date"),
        (lambda: EqualisationTerms(Decimal("-0.01")), "interest_rate"),
        (lambda: call_capital(state, Decimal("1.001"), date(2024, 3, 1)), "amount"),
        (lambda: call_capital(state, Decimal(1), date(2024, 1, 15)), "on"),
    ]
    for make, field in cases:
        with pytest.raises(LedgerInputError) as err:
            make()
        assert err.value.field == field
    with pytest.raises(LedgerInputError):
        subsequent_close(state, NO_INTEREST, {"B": 5.0}, date(2024, 3, 1))  # type: ignore[dict-item]


# --- properties ----------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c) / 100)
commitments = st.dictionaries(st.sampled_from("ABCDEFG"), amounts, min_size=1, max_size=4)


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[ClosingState, EqualisationTerms, list[tuple[dict[str, Decimal], date]]]:
    first = draw(commitments)
    start = date(2022, 1, 1)
    state = open_fund(USD, first, start)
    day = start
    for _ in range(draw(st.integers(1, 3))):
        day += timedelta(days=draw(st.integers(0, 200)))
        unfunded = sum((state.unfunded_of(i) for i in first), Decimal(0))
        amount = max((unfunded * draw(st.integers(1, 100)) / 400).quantize(CENT, rounding=ROUND_DOWN), CENT)
        try:
            state = call_capital(state, amount, day)
        except InvalidValueError:
            continue
    closes = []
    taken = set(first)
    for _ in range(draw(st.integers(1, 3))):
        names = draw(st.lists(st.sampled_from("HIJKLMN"), min_size=1, max_size=2, unique=True))
        names = [n for n in names if n not in taken]
        if not names:
            continue
        taken.update(names)
        day += timedelta(days=draw(st.integers(0, 400)))
        closes.append(({n: draw(amounts) for n in names}, day))
    terms = EqualisationTerms(
        Decimal(draw(st.integers(0, 200))) / 1000,
        draw(st.sampled_from(Compounding)),
        draw(st.sampled_from([DayCount.ACT_365F, DayCount.ACT_360, DayCount.THIRTY_360])),
    )
    return state, terms, closes


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_money_in_equals_money_out_and_everyone_is_equalised(
    scenario: tuple[ClosingState, EqualisationTerms, list[tuple[dict[str, Decimal], date]]],
) -> None:
    """Late payments = capital returned + interest paid out, to the cent; nothing negative;
    contributed + unfunded = commitment. After each close every investor holds its
    commitment's share of every call to within one cent when the close dilutes every share
    by at least two cents (the normal case: then each share is exactly the largest-remainder
    split of the call); an investor whose share a close dilutes by less than a cent can be
    left a cent high, and then the bound is two cents."""
    state, terms, closes = scenario
    for new, on in closes:
        old_base = sum(Fraction(c.amount) for c in state.commitments)
        new_base = old_base + sum(Fraction(a) for a in new.values())
        dilution = min(
            (
                Fraction(call.amount) * Fraction(c.amount) * (1 / old_base - 1 / new_base)
                for call in state.calls
                for c in state.commitments
            ),
            default=Fraction(1),
        )
        bound = Fraction(CENT) if dilution >= 2 * Fraction(CENT) else 2 * Fraction(CENT)
        result = subsequent_close(state, terms, new, on)
        state = result.state
        assert result.capital_paid_in == result.capital_returned
        assert result.interest_paid == result.interest_received
        for r in result.investors:
            figures = (r.capital_paid_in, r.capital_returned, r.interest_paid, r.interest_received)
            assert min(*figures, r.contributed, r.unfunded) >= 0
            assert r.contributed + r.unfunded == r.commitment
            if r.late:
                assert r.capital_returned == r.interest_received == 0
            else:
                assert r.capital_paid_in == r.interest_paid == 0
        for call in state.calls:
            assert sum(s.amount for s in call.shares) == call.amount
            for s in call.shares:
                exact = Fraction(call.amount) * Fraction(state.commitment_of(s.investor)) / new_base
                limit = Fraction(CENT) if s.investor in new else bound
                assert abs(Fraction(s.amount) - exact) <= limit


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_input_order_and_closing_order_independence(
    scenario: tuple[ClosingState, EqualisationTerms, list[tuple[dict[str, Decimal], date]]],
) -> None:
    """The order investors are listed in never matters; and two late investors admitted on
    the same day end with the same capital whether admitted together or one after the other
    in either order (within a cent per call: each close splits its own cents)."""
    state, terms, closes = scenario
    new, on = closes[0]
    forward = subsequent_close(state, terms, new, on)
    backward = subsequent_close(state, terms, dict(reversed(list(new.items()))), on)
    assert {r.investor: r for r in forward.investors} == {r.investor: r for r in backward.investors}
    if len(new) == 2:
        (j1, c1), (j2, c2) = new.items()
        one_by_one = subsequent_close(subsequent_close(state, terms, {j1: c1}, on).state, terms, {j2: c2}, on)
        other_way = subsequent_close(subsequent_close(state, terms, {j2: c2}, on).state, terms, {j1: c1}, on)
        for investor in (c.investor for c in forward.state.commitments):
            for result in (one_by_one, other_way):
                gap = abs(result.state.contributed_of(investor) - forward.state.contributed_of(investor))
                assert gap <= CENT * len(state.calls)
