"""American (deal-by-deal) distribution waterfall (backend.finance.deal_waterfall)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.deal_waterfall import (
    CapitalBasis,
    Deal,
    DealDistribution,
    DealTerms,
    FundState,
    fund_deal,
    realise,
)
from backend.finance.errors import InvalidValueError, NotDecimalError
from backend.finance.money import get_currency
from backend.finance.waterfall import (
    Compounding,
    Contribution,
    Tier,
    WaterfallState,
    WaterfallTerms,
    distribute,
)

USD = get_currency("USD")
Y2021, Y2022, Y2023, Y2024 = date(2021, 1, 1), date(2022, 1, 1), date(2023, 1, 1), date(2024, 1, 1)


def terms(
    *,
    pref: str = "0.08",
    catch_up: str = "1",
    carry: str = "0.20",
    compounding: Compounding = Compounding.ANNUAL,
    basis: CapitalBasis = CapitalBasis.DEAL_CAPITAL,
) -> DealTerms:
    return DealTerms(
        WaterfallTerms(USD, Decimal(pref), compounding, Decimal(catch_up), Decimal(carry)), basis
    )


def one_lp_deal(deal_id: str, amount: str, on: date, investor: str = "LP") -> Deal:
    return Deal(deal_id, (Contribution(investor, Decimal(amount), on),))


def amounts(result: DealDistribution) -> list[tuple[str, str]]:
    """(LP, GP) per tier as strings: also checks every amount is written at the minor unit."""
    return [(str(t.lp), str(t.gp)) for t in result.tiers]


# --- worked examples ---------------------------------------------------------------------


def test_gp_is_paid_its_carry_to_the_cent_on_one_deal() -> None:
    """COMPUTED (the task's example; the same figures as the European waterfall's docs example):
    a deal with 100,000.00 contributed on 2020-01-01 and 200,000.00 of proceeds on 2025-01-01;
    8% compounded annually, ACT/365F (1,827 days): preferred return 100,000 x (1.08^(1827/365)
    - 1) = 46,994.78; full catch-up tier 46,994.78 x 0.2 / 0.8 = 11,748.695, rounded down to
    11,748.69; the GP's entitlement 20% x 100,000.00 of profit = 20,000.00, rounded once, so
    the carried-interest tier (41,256.53) gives it 8,251.31: GP 20,000.00, LPs 180,000.00."""
    fund = FundState().with_deal(one_lp_deal("A", "100000.00", date(2020, 1, 1)))
    result, fund = realise("A", Decimal("200000.00"), date(2025, 1, 1), terms(), fund)
    assert amounts(result) == [
        ("100000.00", "0.00"),
        ("46994.78", "0.00"),
        ("0.00", "11748.69"),
        ("33005.22", "8251.31"),
    ]
    assert (str(result.gp_total), str(result.lp_total)) == ("20000.00", "180000.00")
    assert fund.gp_paid == Decimal("20000.00")


def test_schweser_european_example_as_one_deal() -> None:
    """PUBLISHED: Schweser CFA Level II European waterfall example, quoted at
    https://analystforum.com/t/how-is-the-catch-up-rate-calculated/124656 (reference case
    ``waterfall_european_schweser_simple`` in /work/shared/reference/cases.json): LP contributes
    50, 8% hurdle, 1 year, 100 of proceeds, 100% catch-up, 80/20 split. Published: LP return of
    capital 50, LP pref 4, GP catch-up 1 (= 4 x 0.25), LP split 36, GP split 9; LP 90, GP 10.
    As a one-deal American fund it gives the same figures as the European waterfall."""
    t = terms()
    fund = FundState().with_deal(one_lp_deal("A", "50", Y2021))
    result, _ = realise("A", Decimal(100), Y2022, t, fund)
    assert amounts(result) == [("50.00", "0.00"), ("4.00", "0.00"), ("0.00", "1.00"), ("36.00", "9.00")]
    assert (result.lp_total, result.gp_total) == (Decimal(90), Decimal(10))
    european = distribute(
        Decimal(100), Y2022, t.waterfall, WaterfallState().with_contribution("LP", Decimal(50), Y2021)
    )
    assert [(t.lp, t.gp) for t in european.tiers] == [(t.lp, t.gp) for t in result.tiers]


CFA_DEALS = (("1", "20", "25"), ("2", "45", "35"), ("3", "50", "65"))


def cfa_fund(basis: CapitalBasis) -> tuple[list[DealDistribution], FundState]:
    """CFA Institute curriculum, Private Equity reading, problem 9 (quoted in the thread
    https://www.analystforum.com/t/carried-interest-contradition/39380): 20% carried interest,
    deal by deal, zero hurdle; projects invested 20, 45 and 50 ($ million), realised for 25, 35
    and 65, one a year."""
    t = terms(pref="0", catch_up="0", basis=basis)
    fund = FundState()
    for deal_id, invested, _ in CFA_DEALS:
        fund = fund.with_deal(
            Deal(
                deal_id,
                (
                    Contribution("LP-A", Decimal(invested) * Decimal("0.6"), Y2021),
                    Contribution("LP-B", Decimal(invested) * Decimal("0.4"), Y2021),
                ),
            )
        )
    results = []
    for year, (deal_id, _, proceeds) in zip((Y2022, Y2023, Y2024), CFA_DEALS, strict=True):
        result, fund = realise(deal_id, Decimal(proceeds), year, t, fund, final=True)
        results.append(result)
    return results, fund


def test_cfa_three_projects_deal_by_deal() -> None:
    """PUBLISHED inputs (CFA problem above); the per-deal carry is COMPUTED from them: project 1
    makes 5 (GP 20% = 1), project 2 loses 10 (GP 0: carry is per deal), project 3 makes 15
    (GP 3); the GP takes 4 deal by deal, twice the whole-fund 20% x 10 = 2 (the published
    answer, B: $2 million, which the clawback test reproduces)."""
    results, fund = cfa_fund(CapitalBasis.DEAL_CAPITAL)
    assert [r.gp_total for r in results] == [Decimal("1.00"), Decimal("0.00"), Decimal("3.00")]
    assert fund.gp_paid == Decimal("4.00")
    # Each LP bears the GP's carry in proportion to its share of the deal: 60/40.
    assert [(i.investor, i.gp_carried_interest) for i in results[2].investors] == [
        ("LP-A", Decimal("1.80")),
        ("LP-B", Decimal("1.20")),
    ]


def test_cfa_three_projects_with_loss_carryforward() -> None:
    """COMPUTED on the CFA inputs under "return of capital for realised deals plus
    write-downs": project 2's realised loss of 10 is repaid from project 3's tier 1 (50 + 10),
    so project 3's profit is 5 and the GP takes 1: 2 in all, the whole-fund figure."""
    results, fund = cfa_fund(CapitalBasis.DEAL_CAPITAL_FEES_AND_LOSSES)
    assert [r.gp_total for r in results] == [Decimal("1.00"), Decimal("0.00"), Decimal("1.00")]
    assert results[2].loss_recovery == Decimal("10.00")
    assert amounts(results[2])[0] == ("60.00", "0.00")
    assert [(i.investor, i.loss_recovery) for i in results[2].investors] == [
        ("LP-A", Decimal("6.00")),
        ("LP-B", Decimal("4.00")),
    ]
    assert fund.gp_paid == Decimal("2.00")


def test_fees_expenses_and_write_downs_are_returned_first() -> None:
    """COMPUTED (zero hurdle, 20% carry, no catch-up), under the variant: deal A costs 100 plus
    10 of fees and expenses; deal B (80) is written down by 30 and not yet realised. A's 150 of
    proceeds: tier 1 = 110 (capital and fees) + 30 (B's write-down) = 140; profit 10, GP 2.
    Under the plain basis the same 150 gives a profit of 50 and the GP 10."""
    fees = (Contribution("LP", Decimal(10), Y2021),)
    deal_a = Deal("A", (Contribution("LP", Decimal(100), Y2021),), fees)
    fund = FundState().with_deal(deal_a).with_deal(one_lp_deal("B", "80", Y2021))
    variant = terms(pref="0", catch_up="0", basis=CapitalBasis.DEAL_CAPITAL_FEES_AND_LOSSES)
    result, after = realise("A", Decimal(150), Y2022, variant, fund, write_downs={"B": Decimal(30)})
    assert amounts(result) == [("140.00", "0.00"), ("0.00", "0.00"), ("0.00", "0.00"), ("8.00", "2.00")]
    assert result.loss_recovery == Decimal("30.00")
    assert after.losses_recovered == (("LP", Decimal("30.00")),)
    plain, _ = realise("A", Decimal(150), Y2022, terms(pref="0", catch_up="0"), fund)
    assert amounts(plain) == [("100.00", "0.00"), ("0.00", "0.00"), ("0.00", "0.00"), ("40.00", "10.00")]


def test_realisations_of_one_deal_continue_where_the_last_stopped() -> None:
    """COMPUTED: the one-deal example above paid in three parts on the same day gives the same
    totals to the cent: the GP holds 20,000.00."""
    t = terms()
    fund = FundState().with_deal(one_lp_deal("A", "100000.00", date(2020, 1, 1)))
    for part in ("146994.78", "11748.70", "41256.52"):
        _, fund = realise("A", Decimal(part), date(2025, 1, 1), t, fund)
    assert fund.gp_paid == Decimal("20000.00")
    assert sum(d.amount for d in fund.distributions) == Decimal("200000.00")


def test_lps_fund_a_deal_pro_rata_to_commitments() -> None:
    """COMPUTED: 1,000.00 over commitments 1 : 1 : 1 is 333.34 / 333.33 / 333.33 (largest
    remainder, ties by identifier), exactly 1,000.00."""
    deal = fund_deal("A", Decimal("1000.00"), Y2021, {"C": Decimal(5), "A": Decimal(5), "B": Decimal(5)}, USD)
    assert [(c.investor, str(c.amount)) for c in deal.contributions] == [
        ("A", "333.34"),
        ("B", "333.33"),
        ("C", "333.33"),
    ]


def test_bad_inputs_name_their_field() -> None:
    t = terms()
    fund = FundState().with_deal(one_lp_deal("A", "100", Y2022))
    cases = [
        (lambda: realise("Z", Decimal(1), Y2023, t, fund), "deal_id"),
        (lambda: realise("A", Decimal(1), Y2021, t, fund), "contributions[0]"),
        (lambda: realise("A", 1.5, Y2023, t, fund), "amount"),  # type: ignore[arg-type]
        (lambda: realise("A", Decimal(1), Y2023, t, fund, write_downs={"A": Decimal(1)}), "write_downs"),
        (lambda: fund.with_deal(one_lp_deal("A", "1", Y2021)), "deal.deal_id"),
    ]
    for call, field in cases:
        with pytest.raises((InvalidValueError, NotDecimalError)) as error:
            call()
        assert error.value.field == field
    _, done = realise("A", Decimal(1), Y2023, t, fund, final=True)
    with pytest.raises(InvalidValueError) as again:
        realise("A", Decimal(1), Y2024, t, done)
    assert again.value.field == "deal_id"
    with pytest.raises(InvalidValueError) as backdated:
        realise("A", Decimal(1), Y2022, t, realise("A", Decimal(1), Y2023, t, fund)[1])
    assert backdated.value.field == "on"


# --- properties ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    terms: DealTerms
    deals: tuple[Deal, ...]
    realisations: tuple[tuple[str, date, Decimal, bool], ...]


@st.composite
def waterfall_terms(draw: st.DrawFn, basis: CapitalBasis) -> DealTerms:
    carry = draw(st.sampled_from(["0", "0.1", "0.2", "0.3"]))
    catch_up = draw(st.sampled_from(["0", "0.5", "0.8", "1"]).filter(lambda c: c == "0" or c > carry))
    return terms(
        pref=draw(st.sampled_from(["0", "0.06", "0.08"])),
        catch_up=catch_up,
        carry=carry,
        compounding=draw(st.sampled_from(list(Compounding))),
        basis=basis,
    )


@st.composite
def scenarios(draw: st.DrawFn, *, max_deals: int = 3) -> Scenario:
    """Deals funded by LPs 0-2 on random dates, each realised once or twice, in date order."""
    t = draw(waterfall_terms(draw(st.sampled_from(list(CapitalBasis)))))
    deals: list[Deal] = []
    events: list[tuple[str, date, Decimal]] = []
    for k in range(draw(st.integers(min_value=1, max_value=max_deals))):
        funded = Y2021 + timedelta(days=draw(st.integers(0, 900)))
        lps = draw(st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True))
        deals.append(
            Deal(
                f"D{k}",
                tuple(
                    Contribution(f"LP{i}", Decimal(draw(st.integers(1, 10**9))) / 100, funded) for i in lps
                ),
                (Contribution(f"LP{lps[0]}", Decimal(draw(st.integers(1, 10**6))) / 100, funded),)
                if draw(st.booleans())
                else (),
            )
        )
        cost = sum((c.amount for c in deals[-1].contributions), Decimal(0))
        for _ in range(draw(st.integers(1, 2))):
            on = funded + timedelta(days=draw(st.integers(0, 1500)))
            multiple = draw(st.integers(0, 4000))
            events.append((f"D{k}", on, (cost * multiple / 1000).quantize(Decimal("0.01"), ROUND_DOWN)))
    events.sort(key=lambda e: e[1])
    last = {deal_id: i for i, (deal_id, _, _) in enumerate(events)}
    realisations = tuple((d, on, amount, last[d] == i) for i, (d, on, amount) in enumerate(events))
    return Scenario(t, tuple(deals), realisations)


def run(scenario: Scenario) -> tuple[list[DealDistribution], FundState]:
    fund = FundState()
    for deal in scenario.deals:
        fund = fund.with_deal(deal)
    results = []
    for deal_id, on, amount, final in scenario.realisations:
        result, fund = realise(deal_id, amount, on, scenario.terms, fund, final=final)
        results.append(result)
    return results, fund


@settings(deadline=None, max_examples=150)
@given(scenarios())
def test_tiers_sum_exactly_to_proceeds_and_per_lp_rows_to_tiers(scenario: Scenario) -> None:
    results, fund = run(scenario)
    for r in results:
        assert r.lp_total + r.gp_total == r.amount
        assert all(t.lp >= 0 and t.gp >= 0 for t in r.tiers)
        rows = r.investors
        assert all(
            min(i.return_of_capital, i.loss_recovery, i.preferred_return, i.catch_up, i.carried_interest) >= 0
            for i in rows
        )
        assert sum(i.total for i in rows) == r.lp_total
        assert sum(i.gp_catch_up + i.gp_carried_interest for i in rows) == r.gp_total
        assert sum(i.loss_recovery for i in rows) == r.loss_recovery
    # The GP never holds more than its carry share of a deal's profit, rounded down.
    for d in fund.deals:
        paid = [r for r in results if r.deal_id == d.deal.deal_id]
        profit = sum(r.amount - r.tiers[0].total for r in paid)
        cap = (scenario.terms.waterfall.carried_interest_rate * profit).quantize(Decimal("0.01"), ROUND_DOWN)
        assert d.gp_paid <= cap


@settings(deadline=None, max_examples=150)
@given(scenarios(max_deals=1), st.sampled_from([CapitalBasis.DEAL_CAPITAL]))
def test_a_single_deal_fund_matches_the_european_waterfall(scenario: Scenario, basis: CapitalBasis) -> None:
    """Same tier totals and the same per-LP figures as backend.finance.waterfall.distribute."""
    deal = Deal(scenario.deals[0].deal_id, scenario.deals[0].contributions)
    t = DealTerms(scenario.terms.waterfall, basis)
    single = Scenario(t, (deal,), scenario.realisations)
    results, _ = run(single)
    state = WaterfallState(contributions=deal.contributions)
    for r in results:
        european = distribute(r.amount, r.on, t.waterfall, state)
        state = european.state
        assert [(x.tier, x.lp, x.gp) for x in european.tiers] == [(x.tier, x.lp, x.gp) for x in r.tiers]
        assert [
            (i.investor, i.return_of_capital, i.preferred_return, i.catch_up, i.carried_interest)
            for i in european.investors
        ] == [
            (i.investor, i.return_of_capital, i.preferred_return, i.catch_up, i.carried_interest)
            for i in r.investors
        ]
    assert [x.tier for x in results[0].tiers] == list(Tier)
