"""Per-investor tiers of the European waterfall (backend.finance.waterfall, ledger.posting_rules).

Return of capital goes to each LP by what is still unreturned to it, the preferred return by
what is still owed to it on its own dates; the GP's catch-up is borne pro rata to the
preferred return paid to each LP, the carry tier (LP and GP parts) pro rata to contributed
capital. The audit's finding 2 is the first test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.finance.money import get_currency
from backend.finance.waterfall import (
    Compounding,
    Distribution,
    HurdlePayment,
    Tier,
    WaterfallState,
    WaterfallTerms,
    distribute,
    entitlements,
)
from ledger.interface import AccountCode, PoolBooks, PoolTerms, Posting
from ledger.interface import posting_rules as rules

USD = get_currency("USD")
D = Decimal
Y2021, Y2022, Y2023 = date(2021, 1, 1), date(2022, 1, 1), date(2023, 1, 1)  # 365 days apart


def terms(
    *,
    pref: str = "0.08",
    catch_up: str = "1",
    carry: str = "0.20",
    compounding: Compounding = Compounding.ANNUAL,
) -> WaterfallTerms:
    return WaterfallTerms(
        currency=USD,
        preferred_return_rate=D(pref),
        compounding=compounding,
        catch_up_rate=D(catch_up),
        carried_interest_rate=D(carry),
    )


def per_investor(result: Distribution, attribute: str) -> dict[str, str]:
    return {i.investor: str(getattr(i, attribute)) for i in result.investors}


def closed(t: WaterfallTerms) -> PoolTerms:
    return PoolTerms(
        pool_id=2,
        kind=rules.CLOSED_ENDED,
        currency=USD,
        inception_date=date(2025, 1, 1),
        initial_nav_per_unit=D(1),
        waterfall=t,
    )


def post(books: PoolBooks, posting: Posting | None) -> PoolBooks:
    assert posting is not None
    assert sum((line.amount for line in posting.lines if not line.account.in_units), D(0)) == 0
    return books.apply(posting.lines)


# --- finding 2: return of capital by unreturned capital ------------------------------------


def test_return_of_capital_by_unreturned_capital_audit_scenario() -> None:
    """COMPUTED (audit finding 2; docs worked example): A and B each owe 50,000 on a call.
    A pays on 20 Jan; 50,000 distributed on 31 Mar is all A's capital back. B pays on 30 Jun;
    50,000 distributed on 31 Dec is all B's capital: A 0, B 50,000 (the old split by
    contributed capital gave A 25,000 and B 25,000, returning A 75,000 on 50,000 paid in)."""
    t = terms()
    state = WaterfallState().with_contribution("A", D(50_000), date(2025, 1, 20))
    march = distribute(D(50_000), date(2025, 3, 31), t, state)
    assert per_investor(march, "return_of_capital") == {"A": "50000.00"}
    state = march.state.with_contribution("B", D(50_000), date(2025, 6, 30))
    december = distribute(D(50_000), date(2025, 12, 31), t, state)
    assert per_investor(december, "return_of_capital") == {"A": "0.00", "B": "50000.00"}
    assert december.state.capital_returned_by_investor == {"A": D(50_000), "B": D(50_000)}
    assert december.state.unreturned_capital_by_investor == {"A": 0, "B": 0}
    # What is still owed now is each one's own preferred return, 8% compounded: A had 50,000
    # in for 70 days (20 Jan - 31 Mar), unpaid since and compounding for 275 more days:
    # 50,000 x (1.08^(345/365) - 1.08^(275/365)) = 787.84; B had 50,000 in for 184 days
    # (30 Jun - 31 Dec): 50,000 x (1.08^(184/365) - 1) = 1,977.96.
    due = {e.investor: e for e in entitlements(t, december.state, date(2025, 12, 31)).investors}
    assert (str(due["A"].preferred_return_owed), str(due["B"].preferred_return_owed)) == ("787.84", "1977.96")


def test_audit_scenario_through_the_posting_rules_leaves_both_capital_accounts_at_zero() -> None:
    """The same scenario through the posting rules, the state rebuilt from the stored details
    before each distribution as the ledger does: both capital accounts end at exactly 0."""
    pool = closed(terms())
    a, b = 1, 2
    books = PoolBooks({})
    call = rules.capital_call(
        pool,
        commitments={a: D(100_000), b: D(100_000)},
        called={},
        amount=D(100_000),
        due_date=date(2025, 1, 20),
    )
    books = post(books, call)
    contributions: list[tuple[int, Decimal, date]] = []
    history: list[tuple[date, dict[str, Any]]] = []

    def contribute(investor: int, on: date) -> None:
        nonlocal books
        books = post(books, rules.contribution(pool, books, investor_id=investor, amount=D(50_000)))
        contributions.append((investor, D(50_000), on))

    def pay_out(on: date) -> Posting:
        nonlocal books
        state = rules.waterfall_state_from_history(contributions, history)
        books = PoolBooks(books.balances, waterfall_state=state)
        posting = rules.waterfall_distribution(pool, books, amount=D(50_000), on=on)
        books = post(books, posting)
        history.append((on, posting.details))
        return posting

    contribute(a, date(2025, 1, 20))
    march = pay_out(date(2025, 3, 31))
    assert march.details["investors"][str(a)]["return_of_capital"] == "50000.00"
    assert (books.capital_of(a), books.capital_of(b)) == (D(0), D(50_000))
    contribute(b, date(2025, 6, 30))
    december = pay_out(date(2025, 12, 31))
    investors = december.details["investors"]
    assert (investors[str(a)]["return_of_capital"], investors[str(b)]["return_of_capital"]) == (
        "0.00",
        "50000.00",
    )
    assert (investors[str(a)]["gp_share_borne"], investors[str(b)]["gp_share_borne"]) == ("0.00", "0.00")
    assert december.details["split"]["return_of_capital"] == "unreturned_capital"
    assert (books.capital_of(a), books.capital_of(b)) == (D(0), D(0))
    assert books.balance(AccountCode.CASH) == 0


def test_profitable_liquidation_closes_both_capital_accounts_docs_example() -> None:
    """COMPUTED (docs worked example): A and B commit 100,000 each; 100,000 is called; A pays
    50,000 on 20 Jan 2025, B 50,000 on 30 Jun 2025, all invested; valued at 130,000 (the
    books give each 15,000 of the gain); sold and 130,000 distributed on 30 Nov 2026.
    8% compounded, full catch-up, 20% carry.
    Capital 50,000 each. Pref on own dates: A 50,000 x (1.08^(679/365) - 1) = 7,696.22,
    B 50,000 x (1.08^(518/365) - 1) = 5,770.47 (13,466.69; the old split gave 6,733.35 and
    6,733.34). Catch-up round_down(13,466.69 / 4) = 3,366.67 to the GP, borne
    7,696.22 : 5,770.47 = A 1,924.05, B 1,442.62. Carry tier 13,166.64 (GP 2,633.33: the
    GP's entitlement is 20% of the 30,000 of profit, 6,000.00, rounded once), split by
    undistributed profit: A 15,000 - 7,696.22 - 1,924.05 = 5,379.73, B 15,000 - 5,770.47
    - 1,442.62 = 7,786.91 (GP part A 1,075.95, B 1,557.38; LPs A 4,303.78, B 6,229.53).
    Each bears 20% of its 15,000 of profit to the cent (3,000.00); each receives 62,000.00;
    both capital accounts end at 0. (Split by contributed capital instead, A would end at
    -1,203.59 and B at +1,203.59.)"""
    pool = closed(terms())
    a, b = 1, 2
    books = PoolBooks({})
    books = post(
        books,
        rules.capital_call(
            pool,
            commitments={a: D(100_000), b: D(100_000)},
            called={},
            amount=D(100_000),
            due_date=date(2025, 1, 20),
        ),
    )
    books = post(books, rules.contribution(pool, books, investor_id=a, amount=D(50_000)))
    books = post(books, rules.contribution(pool, books, investor_id=b, amount=D(50_000)))
    books = post(books, rules.purchase(pool, books, amount=D(100_000)))
    books = post(books, rules.valuation(pool, books, net_asset_value=D(130_000)))
    assert (books.capital_of(a), books.capital_of(b)) == (D(65_000), D(65_000))
    books = post(books, rules.sale(pool, books, amount=D(130_000), cost=D(130_000)))
    state = rules.waterfall_state_from_history(
        [(a, D(50_000), date(2025, 1, 20)), (b, D(50_000), date(2025, 6, 30))], []
    )
    books = PoolBooks(books.balances, waterfall_state=state)
    dist = rules.waterfall_distribution(pool, books, amount=D(130_000), on=date(2026, 11, 30))
    assert dist.details["tiers"] == {
        "return_of_capital": {"lp": "100000.00", "gp": "0.00"},
        "preferred_return": {"lp": "13466.69", "gp": "0.00"},
        "catch_up": {"lp": "0.00", "gp": "3366.67"},
        "carried_interest": {"lp": "10533.31", "gp": "2633.33"},
    }
    investors = dist.details["investors"]
    figures = ("return_of_capital", "preferred_return", "carried_interest", "total", "gp_share_borne")
    assert [investors[str(a)][f] for f in figures] == [
        "50000.00",
        "7696.22",
        "4303.78",
        "62000.00",
        "3000.00",
    ]
    assert [investors[str(b)][f] for f in figures] == [
        "50000.00",
        "5770.47",
        "6229.53",
        "62000.00",
        "3000.00",
    ]
    assert (investors[str(a)]["gp_catch_up_borne"], investors[str(b)]["gp_catch_up_borne"]) == (
        "1924.05",
        "1442.62",
    )
    assert (investors[str(a)]["carried_interest_weight"], investors[str(b)]["carried_interest_weight"]) == (
        "5379.73",
        "7786.91",
    )
    books = post(books, dist)
    assert (books.capital_of(a), books.capital_of(b)) == (D(0), D(0))
    assert books.balance(AccountCode.CASH) == 0
    plain = distribute(D(130_000), date(2026, 11, 30), terms(), state)  # without the books
    assert [D(65_000) - i.total - i.gp_share_borne for i in plain.investors] == [D("-1203.59"), D("1203.59")]


def test_a_loss_borne_by_one_investor_is_not_returned_out_of_anothers_capital() -> None:
    """COMPUTED: A pays 50,000 and the pool loses 20,000 before B pays 50,000; the pool is
    then worth 80,000: A's capital account 30,000, B's 50,000. Distributing the 80,000 by
    unreturned capital alone would give 40,000 each (A -10,000, B +10,000); the books'
    capital accounts come first, so A gets 30,000 and B 50,000 and both accounts close."""
    pool = closed(terms())
    a, b = 1, 2
    books = PoolBooks({})
    books = post(
        books,
        rules.capital_call(
            pool, commitments={a: D(50_000)}, called={}, amount=D(50_000), due_date=date(2025, 1, 20)
        ),
    )
    books = post(books, rules.contribution(pool, books, investor_id=a, amount=D(50_000)))
    books = post(books, rules.purchase(pool, books, amount=D(50_000)))
    books = post(books, rules.valuation(pool, books, net_asset_value=D(30_000)))
    books = post(
        books,
        rules.capital_call(
            pool, commitments={b: D(50_000)}, called={}, amount=D(50_000), due_date=date(2025, 6, 30)
        ),
    )
    books = post(books, rules.contribution(pool, books, investor_id=b, amount=D(50_000)))
    books = post(books, rules.sale(pool, books, amount=D(30_000)))
    assert (books.capital_of(a), books.capital_of(b)) == (D(30_000), D(50_000))
    state = rules.waterfall_state_from_history(
        [(a, D(50_000), date(2025, 1, 20)), (b, D(50_000), date(2025, 6, 30))], []
    )
    books = PoolBooks(books.balances, waterfall_state=state)
    dist = rules.waterfall_distribution(pool, books, amount=D(80_000), on=date(2025, 12, 31))
    investors = dist.details["investors"]
    assert (investors[str(a)]["return_of_capital"], investors[str(b)]["return_of_capital"]) == (
        "30000.00",
        "50000.00",
    )
    books = post(books, dist)
    assert (books.capital_of(a), books.capital_of(b)) == (D(0), D(0))
    plain = distribute(D(80_000), date(2025, 12, 31), terms(), state)  # without the books
    assert per_investor(plain, "return_of_capital") == {"1": "40000.00", "2": "40000.00"}


def test_partial_return_of_capital_pro_rata_to_unreturned() -> None:
    """COMPUTED: A 150 and B 50 contributed; 100 was returned to A alone when only A was in.
    Of 60 more, A is owed 50 and B 50 of capital: 30 each (not 45 / 15 by contributions)."""
    state = WaterfallState().with_contribution("A", D(150), Y2021)
    first = distribute(D(100), Y2021, terms(), state)
    state = first.state.with_contribution("B", D(50), Y2021)
    second = distribute(D(60), Y2021, terms(), state)
    assert per_investor(second, "return_of_capital") == {"A": "30.00", "B": "30.00"}


# --- preferred return on each LP's own dates ------------------------------------------------


def test_preferred_return_on_each_investors_own_dates_docs_example() -> None:
    """COMPUTED (docs worked example): 8% simple, full catch-up, 20% carry. A pays 100 on
    1 Jan 2021, B 100 on 1 Jan 2022; 250 distributed on 1 Jan 2023.
    Capital 200 (100 / 100). Pref: A 8% x 100 x 2 years = 16, B 8% x 100 x 1 year = 8 (the
    old split by contributions gave 12 / 12). Catch-up 0.2 x 24 / 0.8 = 6 to the GP, borne
    pro rata to the pref each was paid: A 4, B 2. Carry tier 20: GP 4 (A 2, B 2), LPs 16
    (A 8, B 8). A receives 124 and bears 6 = 20% of its 30 of profit (16 + 4 + 10); B
    receives 116 and bears 4 = 20% of its 20 (8 + 2 + 10)."""
    t = terms(compounding=Compounding.SIMPLE)
    state = WaterfallState().with_contribution("A", D(100), Y2021).with_contribution("B", D(100), Y2022)
    result = distribute(D(250), Y2023, t, state)
    assert [(str(x.lp), str(x.gp)) for x in result.tiers] == [
        ("200.00", "0.00"),
        ("24.00", "0.00"),
        ("0.00", "6.00"),
        ("16.00", "4.00"),
    ]
    assert per_investor(result, "return_of_capital") == {"A": "100.00", "B": "100.00"}
    assert per_investor(result, "preferred_return") == {"A": "16.00", "B": "8.00"}
    assert per_investor(result, "gp_catch_up") == {"A": "4.00", "B": "2.00"}
    assert per_investor(result, "carried_interest") == {"A": "8.00", "B": "8.00"}
    assert per_investor(result, "gp_carried_interest") == {"A": "2.00", "B": "2.00"}
    assert per_investor(result, "total") == {"A": "124.00", "B": "116.00"}
    assert per_investor(result, "gp_share_borne") == {"A": "6.00", "B": "4.00"}
    # compounded annually the same dates give A 100 x (1.08^2 - 1) = 16.64 and B 8.00
    compound = entitlements(terms(), state, Y2023)
    assert [str(e.preferred_return_owed) for e in compound.investors] == ["16.64", "8.00"]
    assert compound.preferred_return_owed == D("24.64")


def test_partial_preferred_return_pro_rata_to_what_each_is_owed() -> None:
    """COMPUTED: the example above with 212 then 38 on the same day: the first pays the
    capital and 12 of the 24 of pref, split 8 / 4 as owed 16 / 8; the second the rest
    (A 8, B 4), then the catch-up and carry: the same totals as one distribution of 250."""
    t = terms(compounding=Compounding.SIMPLE)
    state = WaterfallState().with_contribution("A", D(100), Y2021).with_contribution("B", D(100), Y2022)
    first = distribute(D(212), Y2023, t, state)
    assert per_investor(first, "preferred_return") == {"A": "8.00", "B": "4.00"}
    second = distribute(D(38), Y2023, t, first.state)
    assert per_investor(second, "preferred_return") == {"A": "8.00", "B": "4.00"}
    assert first.state.preferred_return_paid_by_investor == {"A": D(8), "B": D(4)}
    assert second.state.preferred_return_paid_by_investor == {"A": D(16), "B": D(8)}
    assert per_investor(second, "gp_share_borne") == {"A": "6.00", "B": "4.00"}


def test_capital_returned_early_stops_that_investors_accrual_only() -> None:
    """COMPUTED: A and B pay 100 each on 1 Jan 2021; on 1 Jan 2022 A alone is owed capital
    (B's was returned through an earlier state), so 100 goes to A. B keeps accruing nothing
    after its capital is back: on 1 Jan 2023, 8% simple, A is owed 16, B 8 x 1 year = 8."""
    t = terms(compounding=Compounding.SIMPLE)
    state = WaterfallState(
        contributions=WaterfallState()
        .with_contribution("A", D(100), Y2021)
        .with_contribution("B", D(100), Y2021)
        .contributions,
        hurdle_payments=(HurdlePayment("B", Y2022, D(100), D(0)),),
        last_distribution_on=Y2022,
    )
    due = {e.investor: e for e in entitlements(t, state, Y2023).investors}
    assert (due["A"].unreturned_capital, due["B"].unreturned_capital) == (D(100), D(0))
    assert (due["A"].preferred_return_owed, due["B"].preferred_return_owed) == (D(16), D(8))


def test_books_kept_under_the_old_split_are_corrected_going_forward() -> None:
    """A distribution stored under the old rule returned 75,000 to A on 50,000 paid in and
    25,000 to B. Rebuilt from those details, A has nothing unreturned (never negative, no
    claw-back) and B 25,000: the next distribution pays B's 25,000 first."""
    old_details = {
        "tiers": {
            "return_of_capital": {"lp": "50000.00", "gp": "0.00"},
            "preferred_return": {"lp": "0.00", "gp": "0.00"},
            "catch_up": {"lp": "0.00", "gp": "0.00"},
            "carried_interest": {"lp": "0.00", "gp": "0.00"},
        },
        "investors": {
            "1": {"return_of_capital": "25000.00", "preferred_return": "0.00"},
            "2": {"return_of_capital": "25000.00", "preferred_return": "0.00"},
        },
    }
    march = {
        "tiers": {**old_details["tiers"]},
        "investors": {"1": {"return_of_capital": "50000.00", "preferred_return": "0.00"}},
    }
    state = rules.waterfall_state_from_history(
        [(1, D(50_000), date(2025, 1, 20)), (2, D(50_000), date(2025, 6, 30))],
        [(date(2025, 3, 31), march), (date(2025, 12, 31), old_details)],
    )
    assert state.capital_returned_by_investor == {"1": D(75_000), "2": D(25_000)}
    assert state.unreturned_capital_by_investor == {"1": 0, "2": D(25_000)}
    result = distribute(D(30_000), date(2026, 1, 31), terms(), state)
    assert per_investor(result, "return_of_capital") == {"1": "0.00", "2": "25000.00"}


# --- properties -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    on: date
    investor: str | None  # a contribution by this LP, or a distribution when None
    cents: int


@st.composite
def sequences(draw: st.DrawFn) -> tuple[WaterfallTerms, list[Step]]:
    carry = draw(st.sampled_from(["0", "0.1", "0.2", "0.3"]))
    catch_up = draw(st.sampled_from(["0", "0.5", "0.8", "1"]).filter(lambda c: c == "0" or c > carry))
    t = terms(
        pref=draw(st.sampled_from(["0", "0.06", "0.08", "0.1"])),
        catch_up=catch_up,
        carry=carry,
        compounding=draw(st.sampled_from(list(Compounding))),
    )
    day = Y2021
    steps: list[Step] = []
    for _ in range(draw(st.integers(min_value=1, max_value=10))):
        day += timedelta(days=draw(st.integers(min_value=0, max_value=400)))
        if not steps or draw(st.booleans()):
            investor = draw(st.sampled_from(["1", "2", "3", "4"]))
            steps.append(Step(day, investor, draw(st.integers(min_value=1, max_value=10**9))))
        else:
            steps.append(Step(day, None, draw(st.integers(min_value=0, max_value=10**9))))
    return t, steps


@settings(deadline=None, max_examples=300)
@given(sequences())
def test_random_sequences_never_over_return_capital_and_split_exactly(
    scenario: tuple[WaterfallTerms, list[Step]],
) -> None:
    """Contributions and distributions in date order: no LP is ever returned more capital
    than it contributed or paid more pref than it was owed; each tier's per-LP figures add
    up to the tier's LP and GP amounts; receipts plus GP shares borne add up to the amount."""
    t, steps = scenario
    state = WaterfallState()
    for step in steps:
        if step.investor is not None:
            state = state.with_contribution(step.investor, D(step.cents) / 100, step.on)
            continue
        if not state.contributions:
            continue
        amount = D(step.cents) / 100
        due = {e.investor: e for e in entitlements(t, state, step.on).investors}
        result = distribute(amount, step.on, t, state)

        assert result.lp_total + result.gp_total == amount
        assert sum((i.total + i.gp_share_borne for i in result.investors), D(0)) == amount
        for tier in Tier:
            tier_amount = next(x for x in result.tiers if x.tier is tier)
            assert sum((getattr(i, tier.value) for i in result.investors), D(0)) == tier_amount.lp
        assert sum((i.gp_catch_up for i in result.investors), D(0)) == result.catch_up.gp
        assert sum((i.gp_carried_interest for i in result.investors), D(0)) == result.carried_interest.gp
        for i in result.investors:
            assert i.return_of_capital <= due[i.investor].unreturned_capital
            assert i.preferred_return <= due[i.investor].preferred_return_owed
            assert min(i.return_of_capital, i.preferred_return, i.catch_up, i.carried_interest) >= 0
            assert min(i.gp_catch_up, i.gp_carried_interest) >= 0

        state = result.state
        contributed, returned = state.contributed_by_investor, state.capital_returned_by_investor
        assert all(returned[i] <= contributed[i] for i in returned)


@settings(deadline=None, max_examples=150)
@given(sequences())
def test_posting_rules_rebuild_the_state_from_details_and_capital_never_goes_negative(
    scenario: tuple[WaterfallTerms, list[Step]],
) -> None:
    """Through the posting rules, with no gains (every distribution is at most the cash the
    pool holds): the state rebuilt from the stored details is the state the waterfall
    carried forward, and no capital account goes below zero."""
    t, steps = scenario
    pool = closed(t)
    books = PoolBooks({})
    carried = WaterfallState()
    contributions: list[tuple[int, Decimal, date]] = []
    history: list[tuple[date, dict[str, Any]]] = []
    for step in steps:
        if step.investor is not None:
            investor, amount = int(step.investor), D(step.cents) / 100
            call = rules.capital_call(
                pool, commitments={investor: amount}, called={}, amount=amount, due_date=step.on
            )
            books = post(books, call)
            books = post(books, rules.contribution(pool, books, investor_id=investor, amount=amount))
            contributions.append((investor, amount, step.on))
            carried = carried.with_contribution(step.investor, amount, step.on)
            continue
        amount = min(D(step.cents) / 100, books.balance(AccountCode.CASH))
        if amount <= 0:
            continue
        state = rules.waterfall_state_from_history(contributions, history)
        assert state == carried
        books = PoolBooks(books.balances, waterfall_state=state)
        posting = rules.waterfall_distribution(pool, books, amount=amount, on=step.on)
        books = post(books, posting)
        history.append((step.on, posting.details))
        carried = distribute(amount, step.on, t, carried).state
        for investor in {c[0] for c in contributions}:
            assert books.capital_of(investor) >= 0
    assert rules.waterfall_state_from_history(contributions, history) == carried


@st.composite
def lifecycles(draw: st.DrawFn) -> tuple[WaterfallTerms, list[tuple[str, date, int]]]:
    """Contributions, revaluations (by a multiple in per-mille) and distributions (a part of
    the net asset value in per-mille), in date order, ending with a distribution of all."""
    t, _ = draw(sequences())
    day = Y2021
    steps: list[tuple[str, date, int]] = []
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        day += timedelta(days=draw(st.integers(min_value=1, max_value=400)))
        kind = (
            "contribution" if n == 0 else draw(st.sampled_from(["contribution", "valuation", "distribution"]))
        )
        if kind == "contribution":
            steps.append((draw(st.sampled_from(["1", "2", "3"])), day, draw(st.integers(1, 10**9))))
        elif kind == "valuation":
            steps.append(("valuation", day, draw(st.integers(300, 2000))))
        else:
            steps.append(("distribution", day, draw(st.integers(1, 1000))))
    steps.append(("distribution", day + timedelta(days=draw(st.integers(0, 400))), 1000))
    return t, steps


@settings(deadline=None, max_examples=150)
@given(lifecycles())
def test_capital_accounts_with_gains_and_losses(
    scenario: tuple[WaterfallTerms, list[tuple[str, date, int]]],
) -> None:
    """Through the posting rules with revaluations up and down: return of capital never takes
    an account below zero while the books hold enough for it (the distribution's capital is
    at most what the accounts cover); the last distribution of the whole pool closes every
    account at exactly zero whenever each investor's account covers its unreturned capital,
    preferred return and catch-up share, or when no account exceeds its unreturned capital."""
    t, steps = scenario
    pool = closed(t)
    books = PoolBooks({})
    contributions: list[tuple[int, Decimal, date]] = []
    history: list[tuple[date, dict[str, Any]]] = []
    for kind, on, figure in steps:
        if kind not in ("valuation", "distribution"):
            investor, amount = int(kind), D(figure) / 100
            call = rules.capital_call(
                pool, commitments={investor: amount}, called={}, amount=amount, due_date=on
            )
            books = post(books, call)
            books = post(books, rules.contribution(pool, books, investor_id=investor, amount=amount))
            books = post(books, rules.purchase(pool, books, amount=amount))
            contributions.append((investor, amount, on))
            continue
        nav = books.net_asset_value
        if kind == "valuation":
            target = (nav * figure / 1000).quantize(D("0.01"))
            books = post(books, rules.valuation(pool, books, net_asset_value=target))
            continue
        amount = (nav * figure / 1000).quantize(D("0.01"))
        if amount <= 0:
            continue
        books = post(books, rules.sale(pool, books, amount=amount))
        state = rules.waterfall_state_from_history(contributions, history)
        books = PoolBooks(books.balances, waterfall_state=state)
        accounts = {i: books.capital_of(int(i)) for i in state.investors}
        unreturned = state.unreturned_capital_by_investor
        posting = rules.waterfall_distribution(pool, books, amount=amount, on=on)
        books = post(books, posting)
        history.append((on, posting.details))
        shares = posting.details["investors"]
        capital = D(posting.details["tiers"]["return_of_capital"]["lp"])
        covered = sum((min(unreturned[i], max(accounts[i], D(0))) for i in accounts), D(0))
        for i, account in accounts.items():
            # whole-fund tier: beyond its unreturned capital an LP is paid only its own gain
            assert D(shares[i]["return_of_capital"]) <= max(unreturned[i], account)
            if capital <= covered:
                assert account - D(shares[i]["return_of_capital"]) >= min(account, D(0))
        assert sum((books.capital_of(int(i)) for i in accounts), D(0)) == books.net_asset_value
        if figure == 1000:
            profit_covers = all(
                accounts[i]
                - unreturned[i]
                - D(shares[i]["preferred_return"])
                - D(shares[i]["catch_up"])
                - D(shares[i]["gp_catch_up_borne"])
                >= 0
                for i in accounts
            )
            loss_only = all(0 <= accounts[i] <= unreturned[i] for i in accounts)
            if profit_covers or loss_only:
                assert all(books.capital_of(int(i)) == 0 for i in accounts), (profit_covers, loss_only)


def test_a_clawback_takes_back_from_what_the_gp_was_paid() -> None:
    """The whole fund's position after an (American) clawback: the GP was paid 2.00 of
    catch-up and 3.00 of carry and gave back 4.00, so it holds 1.00, taken from its carry
    first; the tiers paid are as they were. The reports' accrued carry is worked on this."""
    tiers = {
        "return_of_capital": {"lp": "100.00", "gp": "0.00"},
        "preferred_return": {"lp": "0.00", "gp": "0.00"},
        "catch_up": {"lp": "0.00", "gp": "2.00"},
        "carried_interest": {"lp": "12.00", "gp": "3.00"},
    }
    paid = {"tiers": tiers, "investors": {"1": {"return_of_capital": "100.00", "preferred_return": "0.00"}}}
    given_back = {"investors": {"1": {"carry_borne": "5.00", "at_pool_rate": "4.00", "clawback": "4.00"}}}
    history = ([(1, D("100.00"), date(2020, 1, 1))], [(date(2021, 1, 1), paid)])
    before = rules.waterfall_state_from_history(*history)
    after = rules.waterfall_state_from_history(*history, [given_back])
    assert (before.gp_paid, after.gp_paid) == (D("5.00"), D("1.00"))
    assert (after.carried_interest_paid_to_gp, after.catch_up_paid_to_gp) == (D("0.00"), D("1.00"))
    assert after.carried_interest_tier_paid == before.carried_interest_tier_paid == D("15.00")
