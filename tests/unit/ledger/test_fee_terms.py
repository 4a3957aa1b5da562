"""Management fee terms as agreements write them (backend.finance.fees.fee_basis,
fee_investors, fee_offsets): basis and timing, step-down, holidays and waivers, the GP's
commitment, portfolio-company fee offsets."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.daycount import DayCount, year_fraction
from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.fees import (
    BasisFigures,
    FeeBasisTerms,
    FeeHoliday,
    FeeOffsetTerms,
    FeeTiming,
    FeeWaiver,
    InvestorFeeTerms,
    ManagementFeeBasis,
    PortfolioCompanyFee,
    PortfolioFeeKind,
    StepDown,
    apply_fee_offset,
    basis_amount,
    carry_bearing_investors,
    invested_capital,
    investor_fees,
    period_fee,
)
from backend.finance.money import Rounding, get_currency, quantize_cash, round_to_quantum
from tests.reference import CASES_PATH

USD = get_currency("USD")
EUR = get_currency("EUR")
Y2023, Y2024 = date(2023, 1, 1), date(2024, 1, 1)  # 365 days: ACT/365F year fraction 1


def d(value: str) -> Decimal:
    return Decimal(value)


def nav_terms(basis: ManagementFeeBasis, rate: str = "0.02") -> FeeBasisTerms:
    return FeeBasisTerms(basis=basis, annual_rate=d(rate))


# --- basis conventions: published examples ---------------------------------------------


def test_ending_nav_ift_reference_case() -> None:
    """Reference case ``fee_hwm_ift``: IFT, "101 Concepts for Level I", Concept 97 Hedge Fund
    Fees, https://ift.world/concept1/concept-97-hedge-fund-fees/ . Management fee 2% of the
    end-of-year value 210 = 4.20 (charged in arrears, one year)."""
    cases = json.loads(CASES_PATH.read_text(encoding="utf-8"), parse_float=Decimal)
    case = next(c for c in cases if c["id"] == "fee_hwm_ift")
    figures = BasisFigures(
        nav_start=Decimal(case["inputs"]["last_year_value"]),
        nav_end=Decimal(case["inputs"]["this_year_value_before_fees"]),
    )
    fee = period_fee(nav_terms(ManagementFeeBasis.ENDING_NAV), Y2023, Y2024, figures, USD)
    assert fee.amount == case["expected"]["mgmt"] == d("4.20")


def test_ending_nav_analystnotes_100_to_120() -> None:
    """AnalystNotes CFA Level I question, https://analystnotes.com/cfa_question.php?p=EAGKWL9FU :
    beginning NAV 100, ending NAV 120, 2 and 20, "all fees are based on the end-of-period
    value": management fee 2% of 120 = 2.4."""
    figures = BasisFigures(nav_start=d("100"), nav_end=d("120"))
    assert period_fee(nav_terms(ManagementFeeBasis.ENDING_NAV), Y2023, Y2024, figures, USD).amount == d(
        "2.40"
    )


def test_beginning_vs_ending_vs_average_nav_analystnotes() -> None:
    """AnalystNotes CFA Level I question, https://analystnotes.com/cfa_question.php?p=B4ITITDHF :
    1,000,000 invested, the fund falls 20% to 800,000 gross of fees, 2 and 20, fees on the
    end-of-period value: management fee 2% x 800,000 = 16,000 (answer B). A reader's comment
    on the same page gives the average approach, (a + b) / 2, as 18,000. The beginning basis,
    2% x 1,000,000 = 20,000, is computed."""
    figures = BasisFigures(nav_start=d("1000000.00"), nav_end=d("800000.00"))
    fees = {b: period_fee(nav_terms(b), Y2023, Y2024, figures, USD).amount for b in ManagementFeeBasis}
    assert fees[ManagementFeeBasis.ENDING_NAV] == d("16000.00")
    assert fees[ManagementFeeBasis.AVERAGE_NAV] == d("18000.00")
    assert fees[ManagementFeeBasis.BEGINNING_NAV] == d("20000.00")


def test_beginning_nav_start_of_year_drjack() -> None:
    """drjackthetutor Q&A 2615681, "Total Fee p.a. = Management Fee + ...",
    https://www.drjackthetutor.com/questions/2615681/total-fee-p-a-management-fee-max-0-incentive-fee-gross-return-above-hwm :
    a 1.5/30 hedge fund, NAV 200 (million) at the start of the year, 253 at the end before
    fees, "management fees are calculated on start-of-year NAVs": management fee 3 (the
    answer's 253 - (3 + 15) = 235). The same fund on its end NAV would pay 3.795 (computed).
    """  # noqa: E501 (the source's address is longer than a line)
    figures = BasisFigures(nav_start=d("200000000.00"), nav_end=d("253000000.00"))
    terms = FeeBasisTerms(ManagementFeeBasis.BEGINNING_NAV, d("0.015"), timing=FeeTiming.IN_ADVANCE)
    assert period_fee(terms, Y2023, Y2024, figures, USD).amount == d("3000000.00")
    on_end = period_fee(nav_terms(ManagementFeeBasis.ENDING_NAV, "0.015"), Y2023, Y2024, figures, USD)
    assert on_end.amount == d("3795000.00")


def test_in_advance_vs_in_arrears_on_commitments_computed() -> None:
    """COMPUTED: a later close raises commitments from 80,000,000 to 100,000,000 during Q1 2025
    (90 days, ACT/365F, 2%). In advance the quarter is charged on the 80m known at its start,
    80,000,000 x 2% x 90/365 = 394,520.547... = 394,520.55; in arrears on the 100m at its end,
    493,150.684... = 493,150.68."""
    figures = BasisFigures(committed_start=d("80000000.00"), committed_end=d("100000000.00"))
    q1, q2 = date(2025, 1, 1), date(2025, 4, 1)
    advance = FeeBasisTerms(ManagementFeeBasis.COMMITTED, d("0.02"), timing=FeeTiming.IN_ADVANCE)
    arrears = FeeBasisTerms(ManagementFeeBasis.COMMITTED, d("0.02"), timing=FeeTiming.IN_ARREARS)
    assert period_fee(advance, q1, q2, figures, USD).amount == d("394520.55")
    assert period_fee(arrears, q1, q2, figures, USD).amount == d("493150.68")


def test_invested_capital_net_of_realised_cost_and_write_offs_computed() -> None:
    """COMPUTED: contributed 60,000,000; cost of a realised investment returned 15,000,000;
    a write-off of 5,000,000: invested capital 40,000,000.00, and 1.5% of it for a year is
    600,000.00."""
    invested = invested_capital(d("60000000"), d("15000000"), d("5000000"), USD)
    assert invested == d("40000000.00")
    terms = FeeBasisTerms(ManagementFeeBasis.INVESTED, d("0.015"))
    fee = period_fee(terms, Y2023, Y2024, BasisFigures(invested_start=invested), USD)
    assert fee.amount == d("600000.00")
    with pytest.raises(InvalidValueError) as err:
        invested_capital(d("10"), d("8"), d("3"), USD)
    assert err.value.field == "written_off"


# --- step-down ---------------------------------------------------------------------------


def test_quarterly_fee_and_step_down_gildi() -> None:
    """Gildi documentation, "Management Fee", https://docs.gildi.io/fees/management-fee :
    quarterly fee = committed capital x annual rate x 1/4: EUR 10,000,000 x 2.0% x 0.25 =
    EUR 50,000; after a step-down to invested capital at 1.5%: EUR 7,000,000 x 1.5% x 0.25 =
    EUR 26,250. A quarter is exactly 1/4 of a year under 30/360 (90/360)."""
    terms = FeeBasisTerms(
        ManagementFeeBasis.COMMITTED,
        d("0.02"),
        timing=FeeTiming.IN_ADVANCE,
        day_count=DayCount.THIRTY_360,
        step_down=StepDown(date(2030, 1, 1), ManagementFeeBasis.INVESTED, d("0.015")),
    )
    lp = BasisFigures(committed_start=d("10000000.00"), invested_start=d("7000000.00"))
    before = period_fee(terms, date(2029, 10, 1), date(2030, 1, 1), lp, EUR)
    after = period_fee(terms, date(2030, 1, 1), date(2030, 4, 1), lp, EUR)
    assert before.amount == d("50000.00")
    assert after.amount == d("26250.00")
    assert [(p.basis, p.basis_amount) for p in after.parts] == [
        (ManagementFeeBasis.INVESTED, d("7000000.00"))
    ]


def millions(amount: Decimal) -> Decimal:
    """An amount as published in millions to 2 dp (rounded half-up, as printed)."""
    return round_to_quantum(amount, d("10000"), Rounding.HALF_UP) / 1_000_000


def test_lifetime_fees_committed_then_net_invested_metrick() -> None:
    """Metrick & Yasuda, Venture Capital and the Finance of Innovation, chapter 2 exercise, as
    answered at https://justaaa.com/finance/307146-suppose-that-a-1000m-vc-fund-has-fees-of-20 :
    a $1,000M fund, 2% a year on committed capital in years 1-5 and on net invested capital
    (invested capital - cost basis of realised investments) in years 6-10; fully invested by
    the start of year 6, then 20% of the invested capital realised each year. Published (in
    $M, rounded to 2 dp): investment capital 849.06; fees 20 a year for years 1-5, then 16.98,
    13.58, 10.19, 6.79, 3.40 on the beginning-of-year net invested capital; lifetime fees
    150.94. Investment capital = 1000 - lifetime fees, so I = 900 / 1.06 exactly; we hold it
    to the cent (849,056,603.77) and realise a fifth of it (169,811,320.75) each year."""
    committed = d("1000000000.00")
    exact_invested = (Fraction(committed) - 5 * Fraction(committed) * Fraction(2, 100)) / Fraction(106, 100)
    invested = quantize_cash(exact_invested, USD)
    assert invested == d("849056603.77") and millions(invested) == d("849.06")
    terms = FeeBasisTerms(
        ManagementFeeBasis.COMMITTED,
        d("0.02"),
        timing=FeeTiming.IN_ADVANCE,  # on beginning-of-year balances
        day_count=DayCount.ACT_ACT,  # every calendar year counts exactly 1
        step_down=StepDown(date(2006, 1, 1), ManagementFeeBasis.INVESTED),  # start of year 6
    )
    fifth = d("169811320.75")
    fees = []
    for year in range(10):
        returned = fifth * max(year - 5, 0)
        figures = BasisFigures(
            committed_start=committed,
            invested_start=invested_capital(invested, returned, d("0"), USD),
        )
        fees.append(period_fee(terms, date(2001 + year, 1, 1), date(2002 + year, 1, 1), figures, USD).amount)
    assert fees[:5] == [d("20000000.00")] * 5
    assert [millions(f) for f in fees[5:]] == [d("16.98"), d("13.58"), d("10.19"), d("6.79"), d("3.40")]
    assert fees[5:] == [
        d("16981132.08"),
        d("13584905.66"),
        d("10188679.25"),
        d("6792452.83"),
        d("3396226.42"),
    ]
    assert sum(fees, d("0")) == d("150943396.24") and millions(sum(fees, d("0"))) == d("150.94")


def test_straddling_quarter_is_split_and_rounded_once_computed() -> None:
    """COMPUTED (docs worked example): 2% on 100,000,000 committed during the investment
    period, ending 21 November 2025, then 1.5% on 60,000,000 invested. Q4 2025 (92 days,
    ACT/365F) straddles the switch: 51 days x 2% on 100m = 279,452.054..., 41 days x 1.5% on
    60m = 101,095.890...; the quarter is 380,547.945... = 380,547.95, rounded once. Rounding
    each part would give 279,452.05 + 101,095.89 = 380,547.94."""
    terms = FeeBasisTerms(
        ManagementFeeBasis.COMMITTED,
        d("0.02"),
        step_down=StepDown(date(2025, 11, 21), ManagementFeeBasis.INVESTED, d("0.015")),
    )
    pool = BasisFigures(committed_start=d("100000000.00"), invested_start=d("60000000.00"))
    q4, q1 = date(2025, 10, 1), date(2026, 1, 1)
    fee = period_fee(terms, q4, q1, pool, USD)
    assert [(p.start, p.end, p.basis, p.annual_rate) for p in fee.parts] == [
        (q4, date(2025, 11, 21), ManagementFeeBasis.COMMITTED, d("0.02")),
        (date(2025, 11, 21), q1, ManagementFeeBasis.INVESTED, d("0.015")),
    ]
    assert [quantize_cash(p.exact_fee, USD) for p in fee.parts] == [d("279452.05"), d("101095.89")]
    assert fee.amount == d("380547.95")
    # a full year at each regime: 2,000,000.00 before, 900,000.00 after
    assert period_fee(terms, date(2023, 1, 1), date(2024, 1, 1), pool, USD).amount == d("2000000.00")
    assert period_fee(terms, date(2026, 1, 1), date(2027, 1, 1), pool, USD).amount == d("900000.00")


# --- holidays, waivers, the GP's commitment ---------------------------------------------


def docs_investors() -> dict[str, InvestorFeeTerms]:
    return {
        "A": InvestorFeeTerms(BasisFigures(committed_start=d("10000000"))),
        "B": InvestorFeeTerms(
            BasisFigures(committed_start=d("5000000")), waivers=(FeeWaiver(d("0.5"), start=date(2025, 2, 1)),)
        ),
        "C": InvestorFeeTerms(BasisFigures(committed_start=d("3000000"))),
        "D": InvestorFeeTerms(BasisFigures(committed_start=d("1000000")), waivers=(FeeWaiver(d("1")),)),
        "G": InvestorFeeTerms(BasisFigures(committed_start=d("2000000")), gp_commitment=True),
    }


def test_waivers_holidays_and_gp_commitment_docs_example() -> None:
    """COMPUTED (docs worked example): Q1 2025 (90 days, ACT/365F), 2% a year on commitments.
    A 10,000,000 on the pool's terms: 49,315.068... = 49,315.07. B 5,000,000 with half its fee
    waived from 1 February: 100,000 x (31 + 59/2) / 365 = 16,575.342... = 16,575.34. C
    3,000,000 with a fee holiday for January: 60,000 x 59/365 = 9,698.630... = 9,698.63. D
    1,000,000 with all its fee waived: 0. G 2,000,000, the GP's commitment: no fee, no carry.
    The pool's fee is the sum, 75,589.04."""
    terms = FeeBasisTerms(
        ManagementFeeBasis.COMMITTED,
        d("0.02"),
        holidays=(FeeHoliday(date(2025, 1, 1), date(2025, 2, 1), frozenset({"C"})),),
    )
    investors = docs_investors()
    result = investor_fees(terms, date(2025, 1, 1), date(2025, 4, 1), investors, USD)
    assert {k: v.amount for k, v in result.by_investor.items()} == {
        "A": d("49315.07"),
        "B": d("16575.34"),
        "C": d("9698.63"),
        "D": d("0.00"),
        "G": d("0.00"),
    }
    assert result.total == d("75589.04")
    assert result.exempt == ("G",)
    assert carry_bearing_investors(investors) == ("A", "B", "C", "D")
    # A's fee is not cut at C's holiday: the holiday names C only
    assert len(result.by_investor["A"].parts) == 1


def test_fee_exempt_and_carry_exempt_flags() -> None:
    figures = BasisFigures(committed_start=d("1000000"))
    investors = {
        "employee": InvestorFeeTerms(figures, fee_exempt=True),
        "affiliate": InvestorFeeTerms(figures, fee_exempt=True, carry_exempt=True),
        "lp": InvestorFeeTerms(figures),
    }
    result = investor_fees(nav_terms(ManagementFeeBasis.COMMITTED), Y2023, Y2024, investors, USD)
    assert result.total == d("20000.00") and result.exempt == ("employee", "affiliate")
    assert carry_bearing_investors(investors) == ("employee", "lp")


def test_holiday_for_everyone_stops_the_pool_fee() -> None:
    """COMPUTED: a holiday for everyone over April leaves 2023 with 365 - 30 = 335 fee days:
    1,000,000 x 2% x 335/365 = 18,356.164... = 18,356.16."""
    terms = FeeBasisTerms(
        ManagementFeeBasis.COMMITTED, d("0.02"), holidays=(FeeHoliday(date(2023, 4, 1), date(2023, 5, 1)),)
    )
    fee = period_fee(terms, Y2023, Y2024, BasisFigures(committed_start=d("1000000")), USD)
    assert fee.amount == d("18356.16")
    assert [p.waived for p in fee.parts] == [d("0"), d("1"), d("0")]


# --- offsets -----------------------------------------------------------------------------


def test_offset_80_percent_computed() -> None:
    """COMPUTED (the common LPA illustration; ILPA Principles 3.0, "Fee Income Beyond the
    Management Fee", https://ilpa.org/wp-content/flash/ILPA%20Principles%203.0/inc/html/13.html ,
    ask for 100% offsets): management fee 2,000,000 (A 1,200,000, B 600,000, C 200,000, the
    GP's commitment none); transaction fees 500,000 received, 80% offset: the offset is
    400,000 and the fee charged 1,600,000; A 240,000, B 120,000, C 40,000 of the offset."""
    fees = {"A": d("1200000.00"), "B": d("600000.00"), "C": d("200000.00"), "GP": d("0.00")}
    received = [PortfolioCompanyFee(PortfolioFeeKind.TRANSACTION, d("500000.00"), "PortCo")]
    result = apply_fee_offset(fees, received, FeeOffsetTerms(d("0.80")), USD)
    assert (result.gross_fee, result.new_offset, result.used, result.net_fee) == (
        d("2000000.00"),
        d("400000.00"),
        d("400000.00"),
        d("1600000.00"),
    )
    assert result.carried_forward == d("0.00")
    assert {k: v.offset for k, v in result.by_investor.items()} == {
        "A": d("240000.00"),
        "B": d("120000.00"),
        "C": d("40000.00"),
        "GP": d("0.00"),
    }
    assert {k: v.net_fee for k, v in result.by_investor.items()}["A"] == d("960000.00")


def test_offset_larger_than_the_fee_is_carried_forward_computed() -> None:
    """COMPUTED (docs worked example): a 100% offset. Q1 fee 500,000 (A and B 250,000 each);
    a break-up fee of 750,000 received: the fee charged is 0 and 250,000 is carried forward.
    Q2 fee 500,000, nothing new received: 250,000 of offset used, fee charged 250,000."""
    fees = {"A": d("250000.00"), "B": d("250000.00")}
    terms = FeeOffsetTerms(d("1"))
    q1 = apply_fee_offset(fees, [PortfolioCompanyFee(PortfolioFeeKind.BREAK_UP, d("750000.00"))], terms, USD)
    assert (q1.used, q1.net_fee, q1.carried_forward) == (d("500000.00"), d("0.00"), d("250000.00"))
    assert all(v.net_fee == 0 for v in q1.by_investor.values())
    q2 = apply_fee_offset(fees, [], terms, USD, brought_forward=q1.carried_forward)
    assert (q2.used, q2.net_fee, q2.carried_forward) == (d("250000.00"), d("250000.00"), d("0.00"))


def test_offset_residue_cent_and_kinds_computed() -> None:
    """COMPUTED: three equal fees of 100.00 and an offset of 100.00 (100% of a director's fee):
    33.34 to A (largest remainder, ties by key), 33.33 to B and C. Monitoring fees are not
    offset when the terms list only director fees."""
    fees = {"A": d("100.00"), "B": d("100.00"), "C": d("100.00")}
    terms = FeeOffsetTerms(d("1"), kinds=frozenset({PortfolioFeeKind.DIRECTOR}))
    received = [
        PortfolioCompanyFee(PortfolioFeeKind.DIRECTOR, d("100.00")),
        PortfolioCompanyFee(PortfolioFeeKind.MONITORING, d("999.00")),
    ]
    result = apply_fee_offset(fees, received, terms, USD)
    assert [v.offset for v in result.by_investor.values()] == [d("33.34"), d("33.33"), d("33.33")]
    assert result.net_fee == d("200.00")


# --- input checks ------------------------------------------------------------------------


def test_end_figures_cannot_be_charged_in_advance() -> None:
    for basis in (ManagementFeeBasis.ENDING_NAV, ManagementFeeBasis.AVERAGE_NAV):
        with pytest.raises(InvalidValueError) as err:
            FeeBasisTerms(basis, d("0.02"), timing=FeeTiming.IN_ADVANCE)
        assert err.value.field == "basis"
    with pytest.raises(InvalidValueError) as err:
        FeeBasisTerms(
            ManagementFeeBasis.COMMITTED,
            d("0.02"),
            timing=FeeTiming.IN_ADVANCE,
            step_down=StepDown(date(2030, 1, 1), ManagementFeeBasis.ENDING_NAV),
        )
    assert err.value.field == "step_down.basis"


def test_bad_inputs_name_their_field() -> None:
    with pytest.raises(LedgerInputError) as err:
        FeeBasisTerms(ManagementFeeBasis.COMMITTED, 0.02)  # type: ignore[arg-type]
    assert err.value.field == "annual_rate"
    with pytest.raises(LedgerInputError) as err:
        FeeWaiver(d("1.5"))
    assert err.value.field == "waiver.fraction"
    with pytest.raises(LedgerInputError) as err:
        period_fee(nav_terms(ManagementFeeBasis.ENDING_NAV), Y2023, Y2024, BasisFigures(nav_end=d("-1")), USD)
    assert err.value.field == "figures.nav_end"
    with pytest.raises(LedgerInputError) as err:
        investor_fees(
            nav_terms(ManagementFeeBasis.COMMITTED),
            Y2023,
            Y2024,
            {"A": InvestorFeeTerms(BasisFigures(committed_start=d("1.001")))},
            USD,
        )
    assert err.value.field == "investors[A].figures.committed_start"
    with pytest.raises(LedgerInputError) as err:
        period_fee(nav_terms(ManagementFeeBasis.COMMITTED), Y2024, Y2023, BasisFigures(), USD)
    assert err.value.field == "end"
    with pytest.raises(LedgerInputError) as err:
        apply_fee_offset({"A": d("1.00")}, [], FeeOffsetTerms(d("0.8")), USD, brought_forward=d("-1"))
    assert err.value.field == "brought_forward"


def test_average_nav_keeps_the_half_cent_until_the_fee() -> None:
    """COMPUTED: average of 100.00 and 100.01 is 100.005 exactly; 100% for a year is 100.005,
    rounded once half-even to 100.00 (not 100.01 via a rounded basis)."""
    figures = BasisFigures(nav_start=d("100.00"), nav_end=d("100.01"))
    assert basis_amount(ManagementFeeBasis.AVERAGE_NAV, FeeTiming.IN_ARREARS, figures, USD) == d("100.005")
    fee = period_fee(nav_terms(ManagementFeeBasis.AVERAGE_NAV, "1"), Y2023, Y2024, figures, USD)
    assert fee.amount == d("100.00")


# --- properties --------------------------------------------------------------------------

cash = st.integers(min_value=0, max_value=10**11).map(lambda cents: Decimal(cents) / 100)
rates = st.decimals(min_value=0, max_value=d("0.05"), places=4)
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1))
bases = st.sampled_from(list(ManagementFeeBasis))


@st.composite
def figures_(draw: st.DrawFn) -> BasisFigures:
    return BasisFigures(
        nav_start=draw(cash),
        nav_end=draw(cash),
        committed_start=draw(cash),
        committed_end=draw(cash),
        invested_start=draw(cash),
        invested_end=draw(cash),
    )


@st.composite
def waivers_(draw: st.DrawFn, start: date, days: int) -> tuple[FeeWaiver, ...]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        a = draw(st.none() | st.integers(-5, days + 5).map(lambda n: start + timedelta(days=n)))
        length = draw(st.integers(1, days + 10))
        b = draw(st.none() | st.just((a or start) + timedelta(days=length)))
        out.append(FeeWaiver(draw(st.decimals(min_value=0, max_value=1, places=2)), a, b))
    return tuple(out)


@settings(deadline=None, max_examples=150)
@given(
    start=starts,
    days=st.integers(1, 400),
    basis=bases,
    rate=rates,
    day_count=st.sampled_from(list(DayCount)),
    data=st.data(),
)
def test_investor_fees_add_up_to_the_pool_fee(
    *,
    start: date,
    days: int,
    basis: ManagementFeeBasis,
    rate: Decimal,
    day_count: DayCount,
    data: st.DataObject,
) -> None:
    end = start + timedelta(days=days)
    switch = start + timedelta(days=data.draw(st.integers(-10, days + 10)))
    terms = FeeBasisTerms(
        basis,
        rate,
        day_count=day_count,
        step_down=StepDown(switch, data.draw(bases), data.draw(st.none() | rates)),
        holidays=tuple(
            FeeHoliday(start + timedelta(days=a), start + timedelta(days=a + n), frozenset(names))
            for a, n, names in data.draw(
                st.lists(
                    st.tuples(st.integers(-5, days), st.integers(1, 60), st.sets(st.sampled_from("ABC"))),
                    max_size=2,
                )
            )
        ),
    )
    investors = {
        key: InvestorFeeTerms(
            data.draw(figures_()),
            waivers=data.draw(waivers_(start, days)),
            gp_commitment=data.draw(st.booleans()),
        )
        for key in "ABCD"
    }
    result = investor_fees(terms, start, end, investors, USD)
    assert sum(f.amount for f in result.by_investor.values()) == result.total
    years = year_fraction(start, end, day_count)
    for key, fee in result.by_investor.items():
        assert fee.amount >= 0
        assert abs(Fraction(fee.amount) - fee.exact) < Fraction(1, 100)  # a share of the fee rounded once
        if investors[key].gp_commitment:
            assert fee.amount == 0
        else:  # the parts cover the whole period: their year fractions add up exactly
            assert sum(p.year_fraction for p in fee.parts) == years


@settings(deadline=None, max_examples=100)
@given(start=starts, days=st.integers(1, 400), basis=bases, rate=rates, figures=figures_())
def test_a_full_waiver_gives_no_fee(
    start: date, days: int, basis: ManagementFeeBasis, rate: Decimal, figures: BasisFigures
) -> None:
    investors = {"A": InvestorFeeTerms(figures, waivers=(FeeWaiver(d("1")),))}
    result = investor_fees(nav_terms(basis, str(rate)), start, start + timedelta(days=days), investors, USD)
    assert result.total == 0 and result.by_investor["A"].exact == 0


@settings(deadline=None, max_examples=150)
@given(
    start=starts,
    days=st.integers(2, 400),
    data=st.data(),
    figures=figures_(),
    rate=rates,
    day_count=st.sampled_from([DayCount.ACT_365F, DayCount.ACT_360, DayCount.ACT_ACT]),
)
def test_straddling_period_equals_its_parts_within_one_rounding(
    *, start: date, days: int, data: st.DataObject, figures: BasisFigures, rate: Decimal, day_count: DayCount
) -> None:
    cut = data.draw(st.integers(1, days - 1))
    switch, end = start + timedelta(days=cut), start + timedelta(days=days)
    terms = FeeBasisTerms(
        data.draw(bases),
        rate,
        day_count=day_count,
        step_down=StepDown(switch, data.draw(bases), data.draw(st.none() | rates)),
    )
    whole = period_fee(terms, start, end, figures, USD)
    first = period_fee(terms, start, switch, figures, USD)
    second = period_fee(terms, switch, end, figures, USD)
    assert whole.exact == first.exact + second.exact  # additive day counts: same exact fee
    assert abs(whole.amount - (first.amount + second.amount)) <= d("0.01")
    assert whole.amount == quantize_cash(first.exact + second.exact, USD)  # rounded once


@settings(deadline=None, max_examples=200)
@given(
    fees=st.dictionaries(st.sampled_from(["A", "B", "C", "D", "GP"]), cash, min_size=1),
    received=st.lists(st.tuples(st.sampled_from(list(PortfolioFeeKind)), cash), max_size=4),
    rate=st.decimals(min_value=0, max_value=1, places=2),
    brought=cash,
)
def test_offsets_never_make_a_fee_negative(
    fees: dict[str, Decimal],
    received: list[tuple[PortfolioFeeKind, Decimal]],
    rate: Decimal,
    brought: Decimal,
) -> None:
    items = [PortfolioCompanyFee(kind, amount) for kind, amount in received]
    result = apply_fee_offset(fees, items, FeeOffsetTerms(rate), USD, brought_forward=brought)
    assert result.used + result.carried_forward == result.available == brought + result.new_offset
    assert result.used == min(result.available, result.gross_fee)
    assert result.net_fee == result.gross_fee - result.used >= 0
    assert result.carried_forward >= 0
    assert sum(v.offset for v in result.by_investor.values()) == result.used
    for key, share in result.by_investor.items():
        assert share.fee == fees[key]
        assert 0 <= share.offset <= share.fee and share.net_fee == share.fee - share.offset >= 0
