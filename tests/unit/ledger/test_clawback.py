"""GP clawback after an American (deal-by-deal) waterfall (backend.finance.clawback)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.clawback import ClawbackTerms, TaxOffset, clawback, whole_fund_carry
from backend.finance.deal_waterfall import CapitalBasis, Deal, DealTerms, FundState, realise
from backend.finance.errors import InvalidValueError
from backend.finance.money import get_currency
from backend.finance.waterfall import Compounding, Contribution, WaterfallState, WaterfallTerms, distribute
from tests.unit.ledger.test_deal_waterfall import Scenario, run, scenarios

USD = get_currency("USD")
Y2021, Y2022, Y2023, Y2024 = date(2021, 1, 1), date(2022, 1, 1), date(2023, 1, 1), date(2024, 1, 1)
END = date(2030, 12, 31)


def no_hurdle(basis: CapitalBasis = CapitalBasis.DEAL_CAPITAL) -> DealTerms:
    """20% carried interest, no preferred return, no catch-up."""
    return DealTerms(WaterfallTerms(USD, Decimal(0), Compounding.ANNUAL, Decimal(0), Decimal("0.2")), basis)


def fund_of(deals: list[tuple[str, str, str, date]], t: DealTerms) -> FundState:
    """Deals (id, invested, proceeds, realised on), funded 60/40 by LP-A and LP-B on 2021-01-01
    and each realised once, finally."""
    fund = FundState()
    for deal_id, invested, _, _ in deals:
        fund = fund.with_deal(
            Deal(
                deal_id,
                (
                    Contribution("LP-A", Decimal(invested) * Decimal("0.6"), Y2021),
                    Contribution("LP-B", Decimal(invested) * Decimal("0.4"), Y2021),
                ),
            )
        )
    for deal_id, _, proceeds, on in sorted(deals, key=lambda d: d[3]):
        _, fund = realise(deal_id, Decimal(proceeds), on, t, fund, final=True)
    return fund


CFA = [("1", "20", "25", Y2022), ("2", "45", "35", Y2023), ("3", "50", "65", Y2024)]


# --- worked examples ---------------------------------------------------------------------


def test_cfa_deal_by_deal_with_clawback_true_up() -> None:
    """PUBLISHED: CFA Institute curriculum, Private Equity reading, problem 9, quoted at
    https://www.analystforum.com/t/carried-interest-contradition/39380: "Under a deal-by-deal
    method with a clawback provision and true-up every three years, the cumulative dollar amount
    the GP receives by the end of the three years equals what?" Projects invested 20, 45, 50 and
    realised for 25, 35, 65 ($ million), 20% carry (zero hurdle). Published answer: B, $2 million
    = 20% x (125 - 115). Deal by deal the GP took 4 (1 + 0 + 3); the clawback is 2, borne back
    60/40 by the LPs (1.20 / 0.80), and the GP keeps the published 2."""
    t = no_hurdle()
    result = clawback(t, ClawbackTerms(), fund_of(CFA, t), END)
    assert (result.carry_received, result.whole_fund_carry) == (Decimal("4.00"), Decimal("2.00"))
    assert (result.excess, result.amount, result.carry_after) == (
        Decimal("2.00"),
        Decimal("2.00"),
        Decimal("2.00"),
    )
    assert [(i.investor, i.carry_borne, i.clawback) for i in result.investors] == [
        ("LP-A", Decimal("2.40"), Decimal("1.20")),
        ("LP-B", Decimal("1.60"), Decimal("0.80")),
    ]


def test_cfa_with_loss_carryforward_needs_no_clawback() -> None:
    """COMPUTED on the CFA inputs: with "return of capital for realised deals plus write-downs"
    project 3 first repays project 2's loss, the GP takes 2 deal by deal and owes nothing."""
    t = no_hurdle(CapitalBasis.DEAL_CAPITAL_FEES_AND_LOSSES)
    result = clawback(t, ClawbackTerms(), fund_of(CFA, t), END)
    assert (result.carry_received, result.whole_fund_carry, result.amount) == (
        Decimal("2.00"),
        Decimal("2.00"),
        Decimal("0.00"),
    )


def test_five_winners_five_losers_claw_back_all_the_carry() -> None:
    """PUBLISHED: clawback definition at http://www.preqveca.ru/en/directory/48/ (the same text
    in many PE glossaries): 10 deals, 5 make $500 million of profit in all and 5 lose $500
    million; without a clawback the GP gets $100 million (20% of 500), with one it is entitled
    to nothing. Deal sizes are not published: here each deal is 100 ($ million), winners
    return 200, losers 0 (COMPUTED inputs reproducing the published totals)."""
    t = no_hurdle()
    deals = [(f"W{k}", "100", "200", date(2022, 1, 1 + k)) for k in range(5)]
    deals += [(f"L{k}", "100", "0", date(2023, 1, 1 + k)) for k in range(5)]
    result = clawback(t, ClawbackTerms(), fund_of(deals, t), END)
    assert (result.carry_received, result.whole_fund_carry, result.amount, result.carry_after) == (
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("0.00"),
    )


def test_after_tax_clawback_davis_polk_example() -> None:
    """PUBLISHED: Davis Polk, "Michael Hong discusses GP clawback provisions" (Private Equity
    Law Report), https://davispolk.com/news/michael-hong-discusses-gp-clawback-provisions-pelr:
    "if a GP receives a $100 carried interest distribution ... and then pays $30 of it ... in
    taxes, then the maximum amount LPs can recoup ... is $70"; and with $100 of carry netting
    $70, "if the clawback is for $50, then the manager needs to pay that entire $50".
    Inputs COMPUTED to give those figures: deal A invests 100 and returns 600 (GP 20% x 500 =
    100); deal B invests 500 and is lost (whole-fund profit 0: excess 100, capped at 70) or
    invests 250 (whole-fund profit 250, GP 50: excess 50, paid in full). The brief's
    NET_OF_TAX variant (excess less the tax) gives 100 - 30 = 70 and 50 - 30 = 20 (COMPUTED)."""
    t = no_hurdle()
    capped = ClawbackTerms(TaxOffset.CAPPED_AT_AFTER_TAX_CARRY, Decimal("0.30"))
    net = ClawbackTerms(TaxOffset.NET_OF_TAX, Decimal("0.30"))
    for lost, whole, excess, capped_amount, net_amount in (
        ("500", "0.00", "100.00", "70.00", "70.00"),
        ("250", "50.00", "50.00", "50.00", "20.00"),
    ):
        fund = fund_of([("A", "100", "600", Y2022), ("B", lost, "0", Y2023)], t)
        a, b, plain = (
            clawback(t, capped, fund, END),
            clawback(t, net, fund, END),
            clawback(t, ClawbackTerms(), fund, END),
        )
        assert (str(a.carry_received), str(a.tax_offset), str(a.whole_fund_carry)) == (
            "100.00",
            "30.00",
            whole,
        )
        assert (str(a.excess), str(a.amount), str(b.amount), str(plain.amount)) == (
            excess,
            capped_amount,
            net_amount,
            excess,
        )


def test_interim_clawback_then_final_true_up() -> None:
    """COMPUTED on the CFA inputs with an interim test after project 2 (2023-06-30): the GP
    holds 1 from project 1, but 115 is contributed and 60 distributed so far, whole-fund carry
    0: it returns 1. At the end it holds 3 more from project 3, whole-fund 2: it returns 1
    more, and keeps 2 in all, as with a single final test."""
    t = no_hurdle()
    fund = fund_of(CFA, t)
    terms = ClawbackTerms(interim_clawback=True)
    interim = clawback(t, terms, fund, date(2023, 6, 30), interim=True)
    assert (interim.carry_received, interim.whole_fund_carry, interim.amount) == (
        Decimal("1.00"),
        Decimal("0.00"),
        Decimal("1.00"),
    )
    final = clawback(
        t, terms, fund, END, already_clawed_back={i.investor: i.clawback for i in interim.investors}
    )
    assert (final.carry_received, final.whole_fund_carry, final.amount, final.carry_after) == (
        Decimal("3.00"),
        Decimal("2.00"),
        Decimal("1.00"),
        Decimal("2.00"),
    )
    with pytest.raises(InvalidValueError) as no_interim:
        clawback(t, ClawbackTerms(), fund, date(2023, 6, 30), interim=True)
    assert no_interim.value.field == "interim"


def test_single_deal_fund_owes_no_clawback_schweser() -> None:
    """PUBLISHED figures (Schweser example, reference case waterfall_european_schweser_simple):
    one deal of 50, 100 of proceeds a year later: GP 10 deal by deal and whole-fund; no
    clawback."""
    t = DealTerms(WaterfallTerms(USD, Decimal("0.08"), Compounding.ANNUAL, Decimal(1), Decimal("0.2")))
    fund = FundState().with_deal(Deal("A", (Contribution("LP", Decimal(50), Y2021),)))
    _, fund = realise("A", Decimal(100), Y2022, t, fund, final=True)
    result = clawback(t, ClawbackTerms(), fund, END)
    assert (result.carry_received, result.whole_fund_carry, result.amount) == (
        Decimal("10.00"),
        Decimal("10.00"),
        Decimal("0.00"),
    )


def test_bad_clawback_terms_name_their_field() -> None:
    with pytest.raises(InvalidValueError) as rate:
        ClawbackTerms(TaxOffset.NET_OF_TAX, Decimal("1.5"))
    assert rate.value.field == "assumed_tax_rate"
    t = no_hurdle()
    with pytest.raises(InvalidValueError) as too_much:
        clawback(t, ClawbackTerms(), fund_of(CFA, t), END, already_clawed_back={"LP-A": Decimal(5)})
    assert too_much.value.field == "already_clawed_back"


# --- properties ----------------------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(
    scenarios(),
    st.sampled_from(list(TaxOffset)),
    st.sampled_from(["0", "0.2", "0.37", "1"]),
)
def test_clawback_is_bounded_and_restores_the_whole_fund_carry(
    scenario: Scenario, offset: TaxOffset, rate: str
) -> None:
    _, fund = run(scenario)
    t = scenario.terms
    plain = clawback(t, ClawbackTerms(), fund, END)
    taxed = clawback(t, ClawbackTerms(offset, Decimal(rate)), fund, END)
    for result in (plain, taxed):
        assert Decimal(0) <= result.amount <= result.carry_received
        assert sum(i.clawback for i in result.investors) == result.amount
        assert all(0 <= i.clawback <= i.carry_borne for i in result.investors)
    assert plain.carry_received == fund.gp_paid
    # With no tax offset the GP is left with exactly the whole-fund figure when it had more.
    assert plain.carry_after == min(plain.carry_received, plain.whole_fund_carry)
    assert taxed.amount <= plain.amount


@settings(deadline=None, max_examples=150)
@given(scenarios())
def test_whole_fund_carry_is_the_european_waterfall(scenario: Scenario) -> None:
    """With every contribution made before the first distribution, the whole-fund figure is
    what backend.finance.waterfall.distribute pays the GP over the same cash flows in date
    order (fees and expenses counted as contributions)."""
    _, fund = run(scenario)
    first = fund.distributions[0].on
    flows = [c for d in fund.deals for c in (*d.deal.contributions, *d.deal.fees_and_expenses)]
    if any(c.on > first for c in flows):
        return
    state = WaterfallState(contributions=tuple(flows))
    gp = Decimal(0)
    for d in fund.distributions:
        european = distribute(d.amount, d.on, scenario.terms.waterfall, state)
        state, gp = european.state, gp + european.gp_total
    assert whole_fund_carry(scenario.terms, fund, END) == gp
