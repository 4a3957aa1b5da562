"""Performance fee conventions (backend.finance.fees.incentive_terms)."""

from __future__ import annotations

import calendar
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.daycount import DayCount
from backend.finance.errors import InvalidValueError
from backend.finance.fees import management_fee
from backend.finance.fees.incentive_terms import (
    Crystallisation,
    HurdleType,
    IncentiveBasis,
    IncentiveTerms,
    Observation,
    crystallises_on,
    incentive_fee,
    run_incentive_fees,
)
from backend.finance.money import get_currency
from tests.reference import CASES_PATH

USD = get_currency("USD")
GROSS = IncentiveBasis.GROSS_OF_MANAGEMENT_FEE
NET = IncentiveBasis.NET_OF_MANAGEMENT_FEE


def d(value: str | int) -> Decimal:
    return Decimal(value)


# --- published worked examples: one period ------------------------------------------------


def test_fee_hwm_ift_independent_of_management_fee() -> None:
    """Reference case ``fee_hwm_ift``: IFT, "101 Concepts for Level I", Concept 97 Hedge Fund
    Fees, https://ift.world/concept1/concept-97-hedge-fund-fees/ . HWM 200, last year 180,
    this year 210 before fees; 2% of the end value = 4.20; 20% above the HWM computed
    independently of the management fee = 2.00; total 6.20."""
    cases = json.loads(CASES_PATH.read_text(encoding="utf-8"), parse_float=Decimal)
    case = next(c for c in cases if c["id"] == "fee_hwm_ift")
    inputs, expected = case["inputs"], case["expected"]
    value = Decimal(inputs["this_year_value_before_fees"])
    mgmt = management_fee(value, d("0.02"), date(2023, 1, 1), date(2024, 1, 1), currency=USD)
    result = incentive_fee(
        value,
        reference=Decimal(inputs["hwm"]),
        terms=IncentiveTerms(rate=d("0.20"), basis=GROSS),
        currency=USD,
        management_fee=mgmt,
    )
    assert mgmt == expected["mgmt"]
    assert result.fee == expected["incentive"]
    assert mgmt + result.fee == expected["total"]
    # COMPUTED (platform convention): the HWM is net of all fees, 210 - 4.20 - 2.00.
    assert result.next_reference == d("203.80")
    # Net of the management fee the same figures give 20% x (205.80 - 200) = 1.16.
    net = incentive_fee(
        value, reference=d("200"), terms=IncentiveTerms(rate=d("0.20")), currency=USD, management_fee=mgmt
    )
    assert net.fee == d("1.16")


def test_hard_hurdle_net_of_management_fee_analystprep() -> None:
    """AnalystPrep, "CFA Level 1 Question of the Week - Alternative Investments",
    https://300hours.com/f/cfa/level-1/t/cfa-level-1-question-of-the-week-alternative-investments-3/ :
    beginning value $200m, 2% management fee and 20% incentive fee over a 10% hurdle,
    incentive net of the management fee, ending value $300m. Management fee 300 x 2% = 6;
    incentive (300 - 6 - 200 - 200 x 10%) x 20% = 14.8; total fees 20.8 (all in $m)."""
    terms = IncentiveTerms(rate=d("0.20"), basis=NET, high_water_mark=False, hurdle_rate=d("0.10"))
    result = incentive_fee(d("300"), reference=d("200"), terms=terms, currency=USD, management_fee=d("6"))
    assert result.fee == d("14.80")
    assert result.hurdle_level == d("220")
    assert d("6") + result.fee == d("20.80")


def test_hard_hurdle_on_high_water_mark_net_of_management_fee() -> None:
    """CFA Level I practice, "Hedge Funds" (Kumar Shantanu CFA question bank),
    https://www.cfa.kumarshantanu.com/play/Alternative%20Investments/Hedge%20Funds.json/ :
    beginning NAV 500, HWM 520, end of year 560 before fees, 2% management fee on the end
    value, 20% incentive net of the management fee above the HWM raised by a 5% hurdle.
    MF 11.2; base 548.8; hurdle-adjusted HWM 546.0; IF 0.20 x 2.8 = 0.56; net NAV 548.24;
    net return 548.24 / 500 - 1 = 9.648% (published "approximately 9.65%")."""
    terms = IncentiveTerms(rate=d("0.20"), basis=NET, hurdle_rate=d("0.05"))
    result = incentive_fee(d("560"), reference=d("520"), terms=terms, currency=USD, management_fee=d("11.2"))
    assert result.fee_base == d("548.80")
    assert result.hurdle_level == d("546")
    assert result.fee == d("0.56")
    assert result.value_after_fees == d("548.24")
    assert result.value_after_fees / 500 - 1 == d("0.09648")
    assert result.next_reference == d("548.24")


def test_soft_versus_hard_hurdle_analystforum() -> None:
    """AnalystForum, "Soft and hard hurdle rate",
    https://www.analystforum.com/t/soft-and-hard-hurdle-rate/145216 : investment 1,000,
    return 110 (11%), hurdle 5%, performance fee 20%. Hard hurdle: 20% x 60 = 12. Soft
    hurdle: 20% x 110 = 22 (the whole return, as it exceeds the hurdle)."""
    hard = IncentiveTerms(rate=d("0.20"), high_water_mark=False, hurdle_rate=d("0.05"))
    soft = IncentiveTerms(
        rate=d("0.20"), high_water_mark=False, hurdle_rate=d("0.05"), hurdle=HurdleType.SOFT
    )
    assert incentive_fee(d("1110"), reference=d("1000"), terms=hard, currency=USD).fee == d("12.00")
    assert incentive_fee(d("1110"), reference=d("1000"), terms=soft, currency=USD).fee == d("22.00")
    # COMPUTED: a gain exactly at the hurdle (50) does not clear it; one cent above does.
    assert incentive_fee(d("1050"), reference=d("1000"), terms=soft, currency=USD).fee == d("0.00")
    assert incentive_fee(d("1050.01"), reference=d("1000"), terms=soft, currency=USD).fee == d("10.00")


def test_soft_and_hard_hurdle_thoughtful_finance() -> None:
    """Thoughtful Finance, "Hedge fund hurdle rates", https://thoughtfulfinance.com/?p=95 :
    20% fee above an 8% hurdle, the fund returns 10%: hard hurdle fee 0.4% (20% x 2%), soft
    hurdle fee 2% (20% x 10%). On 100.00: 0.40 and 2.00."""
    for hurdle, fee in ((HurdleType.HARD, "0.40"), (HurdleType.SOFT, "2.00")):
        terms = IncentiveTerms(rate=d("0.20"), high_water_mark=False, hurdle_rate=d("0.08"), hurdle=hurdle)
        assert incentive_fee(d("110"), reference=d("100"), terms=terms, currency=USD).fee == d(fee)


def test_soft_hurdle_below_high_water_mark_studynook() -> None:
    """StudyNook CFA Level I test, "Vista Fund",
    https://studynook.education/tests/7125d1ed-765f-447b-9057-0c22544a4d9d : AUM 285 at the
    prior year-end, 20% gross return, 2% management fee on year-end AUM, 20% incentive fee
    net of the management fee, 5% soft hurdle, HWM 355 ($m). 285 x 1.2 = 342; management fee
    6.84; 335.16 < HWM 355, so no incentive fee; total fees 6.84."""
    terms = IncentiveTerms(rate=d("0.20"), basis=NET, hurdle_rate=d("0.05"), hurdle=HurdleType.SOFT)
    result = incentive_fee(d("342"), reference=d("355"), terms=terms, currency=USD, management_fee=d("6.84"))
    assert result.fee_base == d("335.16")
    assert result.fee == d("0.00")
    assert result.next_reference == d("355.00")  # no fee: the HWM stays
    assert result.reference_reset is False


@pytest.mark.parametrize(
    ("income", "expected"),
    [("0.0125", "0.00"), ("0.0190", "87500.00"), ("0.0250", "242187.50")],
)
def test_soft_hurdle_full_catch_up_bdc_prospectus(income: str, expected: str) -> None:
    """BDC prospectus (424B3, 2022), "Examples of Quarterly Incentive Fee Calculations",
    https://capedge.com/filing/1872371/0001193125-22-305656/424B3 : quarterly hurdle 1.25%,
    management fee 0.3125%, other expenses 0.25%, 12.5% incentive fee with a 100% catch-up.
    Investment income 1.25%: net income 0.6875% < hurdle, no fee. 1.90%: net income 1.3375%,
    fee 100% x (1.3375% - 1.25%) = 0.0875%. 2.50%: net income 1.9375%, fee 0.1786% +
    12.5% x 0.5089% = 0.2422% (published rounded to 4 dp; exactly 12.5% x 1.9375% =
    0.2421875%). Reproduced on net assets of 100,000,000.00: the value before fees is after
    the other expenses, the 5% annual hurdle runs over one 30/360 quarter (exactly 1.25%)."""
    terms = IncentiveTerms(
        rate=d("0.125"),
        basis=NET,
        high_water_mark=False,
        hurdle_rate=d("0.05"),
        hurdle=HurdleType.SOFT,
        catch_up_rate=d("1"),
        day_count=DayCount.THIRTY_360,
    )
    start = d("100000000.00")
    value = start * (1 + d(income) - d("0.0025"))
    result = incentive_fee(
        value,
        reference=start,
        terms=terms,
        currency=USD,
        management_fee=d("312500.00"),
        reference_date=date(2022, 1, 1),
        on=date(2022, 4, 1),
    )
    assert result.hurdle_level == d("101250000")
    assert result.fee == d(expected)


# --- crystallisation schedules ------------------------------------------------------------


def test_three_years_of_fees_with_a_net_high_water_mark_acadifi() -> None:
    """Acadifi, "How do hedge fund fee structures work, and what is the high-water mark
    provision?", https://acadifi.com/community/hedge-fund-fee-structures-high-water-mark-incentive-fees
    (Crestfield Global Macro Fund, $m): 2% on beginning AUM, 20% incentive computed on the
    gain before the management fee, HWM net of fees. Year 1: 575, fees 10 + 15, NAV 550 =
    HWM. Year 2: 495, fee 11, no incentive, NAV 484, HWM stays 550. Year 3: 580.8, fees
    9.68 + 20% x 30.8 = 6.16, NAV 564.96 = HWM."""
    terms = IncentiveTerms(rate=d("0.20"), basis=GROSS)
    steps = run_incentive_fees(
        [
            Observation(date(2021, 12, 31), d("575"), d("10")),
            Observation(date(2022, 12, 31), d("495"), d("11")),
            Observation(date(2023, 12, 31), d("580.80"), d("9.68")),
        ],
        start_value=d("500"),
        start_date=date(2020, 12, 31),
        terms=terms,
        currency=USD,
    )
    assert [s.crystallised for s in steps] == [True, True, True]
    assert [str(s.crystallised_fee) for s in steps] == ["15.00", "0.00", "6.16"]
    assert [str(s.value_after_fees) for s in steps] == ["550.00", "484.00", "564.96"]
    assert [str(s.reference) for s in steps] == ["550.00", "550.00", "564.96"]


def test_quarterly_crystallisation_with_monthly_accrual_vauban() -> None:
    """Vauban handbook, "What is equalisation and how does it work?",
    https://handbook.vauban.io/en/articles/3368082-what-is-equalisation-and-how-does-it-work
    ("Amazing Fund"): monthly valuation, quarterly performance period, 20%. 31/12/2018
    HWM = GAV = NAV = 100; 31/01/2019 GAV 110; 28/02/2019 GAV 90; 29/03/2019 GAV 120:
    performance fee (120 - 100) x 20% = 4 per share, NAV = HWM = 116. The accruals in
    between (2.00, then reversed to 0.00) are COMPUTED."""
    terms = IncentiveTerms(rate=d("0.20"), crystallisation=Crystallisation.QUARTERLY)
    steps = run_incentive_fees(
        [
            Observation(date(2019, 1, 31), d("110")),
            Observation(date(2019, 2, 28), d("90")),
            Observation(date(2019, 3, 29), d("120")),
        ],
        start_value=d("100"),
        start_date=date(2018, 12, 31),
        terms=terms,
        currency=USD,
    )
    assert [s.crystallised for s in steps] == [False, False, True]
    assert [str(s.accrued_fee) for s in steps] == ["2.00", "0.00", "4.00"]
    assert [str(s.accrual_change) for s in steps] == ["2.00", "-2.00", "4.00"]
    assert [str(s.crystallised_fee) for s in steps] == ["0.00", "0.00", "4.00"]
    assert steps[-1].reference == d("116.00")
    assert steps[-1].value_after_fees == d("116.00")


def test_monthly_crystallisation_charges_more_on_the_same_path() -> None:
    """COMPUTED: the Vauban path crystallised monthly. 31 Jan: 20% x 10 = 2.00, HWM 108.00;
    28 Feb (the values are after fees paid): 90, no fee; 29 Mar: 20% x (120 - 108) = 2.40,
    HWM 117.60. 4.40 in all against 4.00 quarterly: the fee taken in January is not given
    back when February falls."""
    terms = IncentiveTerms(rate=d("0.20"), crystallisation=Crystallisation.MONTHLY)
    steps = run_incentive_fees(
        [
            Observation(date(2019, 1, 31), d("110")),
            Observation(date(2019, 2, 28), d("90")),
            Observation(date(2019, 3, 29), d("120")),
        ],
        start_value=d("100"),
        start_date=date(2018, 12, 31),
        terms=terms,
        currency=USD,
    )
    assert [str(s.crystallised_fee) for s in steps] == ["2.00", "0.00", "2.40"]
    assert [str(s.reference) for s in steps] == ["108.00", "108.00", "117.60"]


def test_quarterly_hurdle_pro_rated_by_day_count() -> None:
    """COMPUTED: 1,000,000.00 on 31 Dec 2024, 5% annual hard hurdle, ACT/365F, quarterly.
    31 Mar 2025 (90 days): hurdle 1,000,000 x 5% x 90/365 = 12,328.767...; at 1,030,000.00
    the fee is 20% x 17,671.232... = 3,534.24 (rounded down); HWM 1,026,465.76. 30 Jun 2025
    (91 days from the new HWM): level 1,026,465.76 x (1 + 5% x 91/365) = 1,039,261.43...;
    at 1,035,000.00 no fee, the HWM and its date stay."""
    terms = IncentiveTerms(rate=d("0.20"), hurdle_rate=d("0.05"), crystallisation=Crystallisation.QUARTERLY)
    steps = run_incentive_fees(
        [Observation(date(2025, 3, 31), d("1030000")), Observation(date(2025, 6, 30), d("1035000"))],
        start_value=d("1000000"),
        start_date=date(2024, 12, 31),
        terms=terms,
        currency=USD,
    )
    assert steps[0].crystallised_fee == d("3534.24")
    assert steps[0].reference == d("1026465.76")
    assert steps[1].crystallised_fee == d("0.00")
    assert (steps[1].reference, steps[1].reference_set_on) == (d("1026465.76"), date(2025, 3, 31))


def test_crystallisation_dates() -> None:
    """The last weekday of the period, or a later day of it: 29 Mar 2019 is a Friday."""
    assert crystallises_on(date(2019, 3, 29), Crystallisation.QUARTERLY)
    assert crystallises_on(date(2019, 3, 31), Crystallisation.QUARTERLY)
    assert not crystallises_on(date(2019, 3, 28), Crystallisation.QUARTERLY)
    assert not crystallises_on(date(2019, 1, 31), Crystallisation.QUARTERLY)
    assert crystallises_on(date(2019, 1, 31), Crystallisation.MONTHLY)
    assert not crystallises_on(date(2019, 9, 30), Crystallisation.ANNUALLY)
    assert crystallises_on(date(2022, 12, 30), Crystallisation.ANNUALLY)


def test_bad_inputs_name_their_field() -> None:
    with pytest.raises(InvalidValueError) as err:
        IncentiveTerms(rate=d("0.2"), catch_up_rate=d("1"))
    assert err.value.field == "catch_up_rate"
    with pytest.raises(InvalidValueError) as err:
        IncentiveTerms(rate=d("0.2"), hurdle=HurdleType.SOFT, catch_up_rate=d("0.1"))
    assert err.value.field == "catch_up_rate"
    with pytest.raises(TypeError):
        incentive_fee(110.0, reference=d("100"), terms=IncentiveTerms(rate=d("0.2")), currency=USD)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError) as err:
        incentive_fee(
            d("110"),
            reference=d("100"),
            terms=IncentiveTerms(rate=d("0.2")),
            currency=USD,
            on=date(2024, 1, 1),
        )
    assert err.value.field == "reference_date"
    with pytest.raises(InvalidValueError) as err:
        run_incentive_fees(
            [Observation(date(2024, 1, 1), d("1"))],
            start_value=d("1"),
            start_date=date(2024, 1, 1),
            terms=IncentiveTerms(rate=d("0.2")),
            currency=USD,
        )
    assert err.value.field == "observations[0].on"


# --- properties ---------------------------------------------------------------------------

cash = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c).scaleb(-2))
rates = st.integers(min_value=0, max_value=100).map(lambda p: Decimal(p) / 100)
hurdle_rates = st.integers(min_value=0, max_value=20).map(lambda p: Decimal(p) / 100)


@given(value=cash, reference=cash, rate=rates, hurdle=hurdle_rates, mgmt_share=st.integers(0, 100))
def test_fee_conventions_order_and_bounds(
    value: Decimal, reference: Decimal, rate: Decimal, hurdle: Decimal, mgmt_share: int
) -> None:
    """0 <= hard <= soft with catch-up <= soft <= rate x gain; net <= gross; the value is
    exactly split into the management fee, the fee and what is left."""
    mgmt = (value * mgmt_share / 1000).quantize(d("0.01"), rounding="ROUND_DOWN")

    def fee(**kw: object) -> Decimal:
        terms = IncentiveTerms(rate=rate, hurdle_rate=hurdle, **kw)  # type: ignore[arg-type]
        result = incentive_fee(value, reference=reference, terms=terms, currency=USD, management_fee=mgmt)
        assert result.value_after_fees + mgmt + result.fee == value
        assert result.next_reference >= reference
        return result.fee

    hard = fee()
    catch_up = fee(hurdle=HurdleType.SOFT, catch_up_rate=max(rate, d("0.5")))
    soft = fee(hurdle=HurdleType.SOFT)
    assert d(0) <= hard <= catch_up <= soft
    assert soft <= max(d(0), rate * (value - mgmt - reference))
    assert fee(basis=NET) <= fee(basis=GROSS)


@given(
    values=st.lists(cash.filter(lambda v: v > 0), min_size=1, max_size=24),
    rate=rates,
    hurdle=hurdle_rates,
    schedule=st.sampled_from(list(Crystallisation)),
)
def test_crystallised_fee_never_reverses_and_hwm_never_falls(
    values: list[Decimal], rate: Decimal, hurdle: Decimal, schedule: Crystallisation
) -> None:
    """Month-end valuations: the HWM never decreases; a crystallised fee is the accrual of
    that date; the accrual outstanding is the running sum of its changes."""
    terms = IncentiveTerms(rate=rate, hurdle_rate=hurdle, crystallisation=schedule)
    month_ends = [
        date(2024 + m // 12, m % 12 + 1, calendar.monthrange(2024 + m // 12, m % 12 + 1)[1])
        for m in range(len(values))
    ]
    steps = run_incentive_fees(
        [Observation(on, v) for on, v in zip(month_ends, values, strict=True)],
        start_value=d("100"),
        start_date=date(2023, 12, 31),
        terms=terms,
        currency=USD,
    )
    outstanding, hwm = d(0), d("100")
    for step in steps:
        assert step.reference >= hwm
        hwm = step.reference
        assert step.crystallised_fee >= 0
        assert outstanding + step.accrual_change == step.accrued_fee
        if step.crystallised:
            assert step.crystallised_fee == step.accrued_fee
            outstanding = d(0)
        else:
            assert step.crystallised_fee == 0
            outstanding = step.accrued_fee
