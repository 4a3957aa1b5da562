"""Posting rules on in-memory books: each transaction type's lines, the reference cases, and
random sequences of operations that must keep the books' invariants."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.finance.errors import LedgerInputError
from backend.finance.fees import PerformanceFeeTerms, management_fee
from backend.finance.money import get_currency
from backend.finance.waterfall import Compounding, WaterfallTerms
from ledger.interface import UNITS_COMMODITY, AccountCode
from ledger.interface import posting_rules as rules
from ledger.posting_rules import Line, PoolBooks, PoolTerms, Posting
from tests.reference import CASES_PATH

USD = get_currency("USD")
D = Decimal

OPEN = PoolTerms(
    pool_id=1,
    kind=rules.OPEN_ENDED,
    currency=USD,
    inception_date=date(2025, 1, 1),
    initial_nav_per_unit=D("1.000000"),
)
WATERFALL = WaterfallTerms(
    currency=USD,
    preferred_return_rate=D("0.08"),
    compounding=Compounding.ANNUAL,
    catch_up_rate=D(1),
    carried_interest_rate=D("0.2"),
)
CLOSED = PoolTerms(
    pool_id=2,
    kind=rules.CLOSED_ENDED,
    currency=USD,
    inception_date=date(2025, 1, 1),
    initial_nav_per_unit=D(1),
    waterfall=WATERFALL,
)


def _case(case_id: str) -> dict[str, object]:
    import json

    cases = {c["id"]: c for c in json.loads(CASES_PATH.read_text(encoding="utf-8"))}
    return cases[case_id]  # type: ignore[no-any-return]


def commodity(line: Line) -> str:
    return UNITS_COMMODITY if line.account.in_units else "USD"


def assert_balanced(posting: Posting) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in posting.lines:
        assert line.amount != 0
        totals[commodity(line)] += line.amount
    assert all(total == 0 for total in totals.values()), totals


def assert_invariants(terms: PoolTerms, books: PoolBooks) -> None:
    assert books.net_asset_value == books.assets_less_liabilities
    held = [books.units_of(i) for i in books.investor_ids(AccountCode.UNITS)]
    assert all(units >= 0 for units in held)
    assert sum(held, D(0)) == books.units_outstanding
    investor_values = sum((books.capital_of(i) for i in books.investor_ids(AccountCode.CAPITAL)), D(0))
    assert investor_values - books.balance(AccountCode.ROUNDING_RESIDUE) == books.net_asset_value
    for line_ref, amount in books.balances.items():
        if line_ref[0] is not AccountCode.UNITS_OUTSTANDING and line_ref[0].in_units:
            assert amount.as_tuple().exponent >= -6  # type: ignore[operator]


def post(terms: PoolTerms, books: PoolBooks, posting: Posting | None) -> PoolBooks:
    assert posting is not None
    assert_balanced(posting)
    after = books.apply(posting.lines)
    assert_invariants(terms, after)
    return after


# -- reference cases end to end through the rules ------------------------------------------


def test_unitised_reference_case_through_the_rules() -> None:
    case = _case("unitised_fund_subscription_redemption_computed")
    expected = case["expected"]
    assert isinstance(expected, dict)
    books = PoolBooks({})
    books = post(OPEN, books, rules.subscription(OPEN, books, investor_id=1, amount=D("1000000.00")))
    assert books.units_of(1) == D(1_000_000)
    books = post(OPEN, books, rules.purchase(OPEN, books, amount=D("1000000.00")))
    books = post(OPEN, books, rules.valuation(OPEN, books, net_asset_value=D("1050000.00")))
    assert rules.dealing_price(OPEN, books) == D(str(expected["nav_per_unit"][1]))
    sub = rules.subscription(OPEN, books, investor_id=2, amount=D("210000.00"))
    assert D(sub.details["units"]) == D(expected["units_issued_t1"])
    books = post(OPEN, books, sub)
    assert books.units_outstanding == D(expected["units_after_t1"])
    assert books.net_asset_value == D(expected["net_assets_after_t1"])
    books = post(OPEN, books, rules.valuation(OPEN, books, net_asset_value=D("1197000.00")))
    assert books.net_asset_value == D(expected["net_assets_t2_before_redemption"])
    assert rules.dealing_price(OPEN, books) == D("0.997500")
    red = rules.redemption(OPEN, books, investor_id=1, units=D(100_000))
    assert D(red.details["proceeds"]) == D(expected["redemption_paid"])
    books = post(OPEN, books, red)
    assert books.units_outstanding == D(expected["units_after_t2"])
    assert books.net_asset_value == D(expected["net_assets_after_t2"])
    assert rules.dealing_price(OPEN, books) / D(1) - 1 == D(str(expected["unit_price_return_t0_t2"]))
    # The T-account table in docs/business-logic.md, last row.
    assert books.balance(AccountCode.CASH) == D("110250.00")
    assert books.balance(AccountCode.INVESTMENTS) == D("987000.00")
    assert (books.capital_of(1), books.capital_of(2)) == (D("897750.00"), D("199500.00"))


def test_european_waterfall_reference_case_through_the_rules() -> None:
    case = _case("waterfall_european_schweser_simple")
    expected = case["expected"]
    assert isinstance(expected, dict)
    books = PoolBooks({})
    call = rules.capital_call(
        CLOSED, commitments={7: D(50)}, called={}, amount=D("50.00"), due_date=date(2025, 1, 1)
    )
    books = post(CLOSED, books, call)
    books = post(CLOSED, books, rules.contribution(CLOSED, books, investor_id=7, amount=D(50)))
    books = post(CLOSED, books, rules.purchase(CLOSED, books, amount=D(50)))
    books = post(CLOSED, books, rules.valuation(CLOSED, books, net_asset_value=D(100)))
    books = post(CLOSED, books, rules.sale(CLOSED, books, amount=D(100), cost=D(100)))
    state = rules.waterfall_state_from_history([(7, D(50), date(2025, 1, 1))], [])
    books = PoolBooks(books.balances, waterfall_state=state)
    dist = rules.waterfall_distribution(CLOSED, books, amount=D(100), on=date(2026, 1, 1))
    tiers = dist.details["tiers"]
    assert D(tiers["return_of_capital"]["lp"]) == expected["lp_roc"]
    assert D(tiers["preferred_return"]["lp"]) == expected["lp_pref"]
    assert D(tiers["catch_up"]["gp"]) == expected["gp_catchup"]
    assert D(tiers["carried_interest"]["lp"]) == expected["lp_split"]
    assert D(tiers["carried_interest"]["gp"]) == expected["gp_split"]
    assert D(dist.details["lp_total"]) == expected["lp_total"]
    assert D(dist.details["gp_total"]) == expected["gp_total"]
    books = post(CLOSED, books, dist)
    assert books.balance(AccountCode.CASH) == 0
    assert books.capital_of(7) == 0  # the investor's 90 and the GP's 10 both came out of it


def test_fee_reference_case_through_the_rules() -> None:
    case = _case("fee_hwm_ift")
    expected = case["expected"]
    assert isinstance(expected, dict)
    terms = PoolTerms(
        pool_id=3,
        kind=rules.OPEN_ENDED,
        currency=USD,
        inception_date=date(2025, 1, 1),
        initial_nav_per_unit=D("2.000000"),
        performance_fee=PerformanceFeeTerms(rate=D("0.2"), high_water_mark=True),
    )
    books = PoolBooks({})
    books = post(terms, books, rules.subscription(terms, books, investor_id=1, amount=D(200)))
    books = post(terms, books, rules.purchase(terms, books, amount=D(200)))
    books = post(terms, books, rules.valuation(terms, books, net_asset_value=D(180)))
    books = post(terms, books, rules.valuation(terms, books, net_asset_value=D(210)))
    # "Independent" fees: both are worked out on the value before either is charged.
    mgmt = management_fee(D(210), D("0.02"), date(2025, 1, 1), date(2026, 1, 1), currency=USD)
    perf = rules.performance_fee(terms, books)
    assert mgmt == D(str(expected["mgmt"]))
    assert D(perf.details["amount"]) == D(str(expected["incentive"]))
    books = post(terms, books, perf)
    books = post(terms, books, rules.management_fee(terms, books, amount=mgmt))
    assert -books.balance(AccountCode.FEES_PAYABLE) == D(str(expected["total"]))
    assert books.net_asset_value == D(210) - D(str(expected["total"]))


# -- rules one by one ---------------------------------------------------------------------


def test_subscription_books_the_residue_to_the_pool() -> None:
    terms = PoolTerms(
        pool_id=1,
        kind=rules.OPEN_ENDED,
        currency=USD,
        inception_date=date(2025, 1, 1),
        initial_nav_per_unit=D("9876.543210"),
    )
    posting = rules.subscription(terms, PoolBooks({}), investor_id=4, amount=D("1000.00"))
    lines = {(line.account, line.investor_id): line.amount for line in posting.lines}
    assert lines[(AccountCode.CASH, None)] == D("1000.00")
    assert lines[(AccountCode.CAPITAL, 4)] == D("-999.99")
    assert lines[(AccountCode.ROUNDING_RESIDUE, None)] == D("-0.01")
    assert lines[(AccountCode.UNITS, 4)] == D("0.101249")


def test_full_exit_releases_the_whole_capital_account() -> None:
    books = PoolBooks({})
    for investor in (1, 2, 3):
        books = post(OPEN, books, rules.subscription(OPEN, books, investor_id=investor, amount=D("100.00")))
    books = post(OPEN, books, rules.purchase(OPEN, books, amount=D("300.00")))
    books = post(OPEN, books, rules.valuation(OPEN, books, net_asset_value=D("301.00")))
    # 1.00 split three ways: someone got 0.34, so capital no longer equals units x price exactly.
    posting = rules.redemption(OPEN, books, investor_id=1, units=books.units_of(1))
    books = post(OPEN, books, posting)
    assert books.capital_of(1) == 0
    assert books.units_of(1) == 0


def test_redemption_beyond_holdings_names_units() -> None:
    books = post(OPEN, PoolBooks({}), rules.subscription(OPEN, PoolBooks({}), investor_id=1, amount=D(10)))
    with pytest.raises(LedgerInputError) as error:
        rules.redemption(OPEN, books, investor_id=1, units=D("10.000001"))
    assert error.value.field == "units"
    assert "holds 10.000000 units" in error.value.reason


def test_redemption_by_amount_redeems_enough_units() -> None:
    books = post(OPEN, PoolBooks({}), rules.subscription(OPEN, PoolBooks({}), investor_id=1, amount=D(300)))
    books = post(OPEN, books, rules.valuation(OPEN, books, net_asset_value=D(301)))
    posting = rules.redemption(OPEN, books, investor_id=1, amount=D("100.00"))
    assert D(posting.details["proceeds"]) >= D("100.00")
    assert D(posting.details["proceeds"]) < D("100.01")


def test_capital_call_is_pro_rata_to_commitments_and_capped_by_unfunded() -> None:
    commitments = {1: D(5_000_000), 2: D(3_000_000), 3: D(1_500_000)}
    call = rules.capital_call(
        CLOSED, commitments=commitments, called={}, amount=D("1000000.00"), due_date=date(2025, 3, 1)
    )
    assert call.details["allocation"] == {"1": "526315.79", "2": "315789.47", "3": "157894.74"}
    assert call.events[0][0] == "capital_call.issued"
    with pytest.raises(LedgerInputError) as error:
        rules.capital_call(
            CLOSED,
            commitments=commitments,
            called={1: D(5_000_000)},
            percent_of_commitment=D("0.5"),
            due_date=date(2025, 3, 1),
        )
    assert error.value.field == "amount"
    assert "unfunded" in error.value.reason


def test_capital_call_by_percent_of_commitment() -> None:
    call = rules.capital_call(
        CLOSED,
        commitments={1: D(1000), 2: D(3000)},
        called={},
        percent_of_commitment=D("0.25"),
        due_date=date(2025, 3, 1),
    )
    assert call.details["allocation"] == {"1": "250.00", "2": "750.00"}


def test_contribution_cannot_exceed_what_was_called() -> None:
    books = post(
        CLOSED,
        PoolBooks({}),
        rules.capital_call(
            CLOSED, commitments={1: D(100)}, called={}, amount=D(40), due_date=date(2025, 2, 1)
        ),
    )
    with pytest.raises(LedgerInputError) as error:
        rules.contribution(CLOSED, books, investor_id=1, amount=D("40.01"))
    assert error.value.field == "amount"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    called=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6),
    paid=st.integers(min_value=0, max_value=100),
    amount=st.integers(min_value=1, max_value=12_000),
)
def test_a_contribution_reads_only_the_balances_it_declares(
    called: list[int], paid: int, amount: int
) -> None:
    """The single-entry writer reads just `contribution_reads` for a contribution (so one costs
    the same in any size of pool): the rule must give the same posting, or the same refusal, on
    those balances alone as on the whole books, with every investor's accounts and the pool's."""
    commitments = {investor: D(10_000) for investor in range(1, len(called) + 1)}
    books = PoolBooks({})
    for investor, amount_called in enumerate(called, start=1):
        books = post(
            CLOSED,
            books,
            rules.capital_call(
                CLOSED,
                commitments={investor: commitments[investor]},
                called={},
                amount=D(amount_called),
                due_date=date(2025, 2, 1),
            ),
        )
    first_paid = min(D(paid), books.receivable_of(1))
    if first_paid > 0:
        books = post(CLOSED, books, rules.contribution(CLOSED, books, investor_id=1, amount=first_paid))
    for investor in commitments:
        narrow = PoolBooks(
            {ref: books.balances[ref] for ref in rules.contribution_reads(investor) if ref in books.balances}
        )
        try:
            whole = rules.contribution(CLOSED, books, investor_id=investor, amount=D(amount))
        except LedgerInputError as refused:
            with pytest.raises(LedgerInputError) as again:
                rules.contribution(CLOSED, narrow, investor_id=investor, amount=D(amount))
            assert (again.value.field, str(again.value)) == (refused.field, str(refused))
        else:
            assert rules.contribution(CLOSED, narrow, investor_id=investor, amount=D(amount)) == whole


def test_kind_mismatch_names_the_type() -> None:
    with pytest.raises(LedgerInputError) as error:
        rules.subscription(CLOSED, PoolBooks({}), investor_id=1, amount=D(10))
    assert error.value.field == "type"
    with pytest.raises(LedgerInputError):
        rules.pro_rata_distribution(CLOSED, PoolBooks({}), amount=D(10))


def test_minimum_subscription_and_precision_are_enforced() -> None:
    terms = PoolTerms(
        pool_id=1,
        kind=rules.OPEN_ENDED,
        currency=USD,
        inception_date=date(2025, 1, 1),
        initial_nav_per_unit=D(1),
        minimum_subscription=D(1000),
    )
    with pytest.raises(LedgerInputError) as error:
        rules.subscription(terms, PoolBooks({}), investor_id=1, amount=D("999.99"))
    assert error.value.field == "amount"
    with pytest.raises(LedgerInputError) as error:
        rules.subscription(terms, PoolBooks({}), investor_id=1, amount=D("1000.001"))
    assert error.value.field == "amount"


def test_valuation_cannot_push_investments_below_zero() -> None:
    books = post(OPEN, PoolBooks({}), rules.subscription(OPEN, PoolBooks({}), investor_id=1, amount=D(100)))
    with pytest.raises(LedgerInputError) as error:
        rules.valuation(OPEN, books, net_asset_value=D(99))
    assert error.value.field == "net_asset_value"
    confirmed = rules.valuation(OPEN, books, net_asset_value=D(100))
    assert confirmed.lines == () and confirmed.details["nav_per_unit"] == "1.000000"


def test_sale_books_the_realised_gain_to_the_owners() -> None:
    books = post(OPEN, PoolBooks({}), rules.subscription(OPEN, PoolBooks({}), investor_id=1, amount=D(100)))
    books = post(OPEN, books, rules.purchase(OPEN, books, amount=D(60)))
    books = post(OPEN, books, rules.sale(OPEN, books, amount=D(75), cost=D(60)))
    assert books.capital_of(1) == D(115)
    assert books.balance(AccountCode.INVESTMENTS) == 0


def test_expense_and_income_move_capital_pro_rata_to_units() -> None:
    books = PoolBooks({})
    books = post(OPEN, books, rules.subscription(OPEN, books, investor_id=1, amount=D(100)))
    books = post(OPEN, books, rules.subscription(OPEN, books, investor_id=2, amount=D(300)))
    books = post(OPEN, books, rules.income(OPEN, books, amount=D(40)))
    books = post(OPEN, books, rules.expense(OPEN, books, amount=D(20)))
    assert books.capital_of(1) == D(105)
    assert books.capital_of(2) == D(315)


def test_a_payout_must_leave_an_open_ended_pool_with_units_some_net_assets() -> None:
    """An expense or a pro-rata distribution of the whole NAV would leave units priced at zero,
    and nobody could deal or redeem again (a hypothesis history found the 0.01 that did)."""
    books = PoolBooks({})
    books = post(OPEN, books, rules.subscription(OPEN, books, investor_id=1, amount=D("0.01")))
    for payout in (
        lambda: rules.expense(OPEN, books, amount=D("0.01")),
        lambda: rules.pro_rata_distribution(OPEN, books, amount=D("0.01")),
    ):
        with pytest.raises(LedgerInputError) as refused:
            payout()
        assert refused.value.field == "amount"
        assert "must be less than the pool's net asset value, 0.01, while it has units" in str(refused.value)
    books = post(OPEN, books, rules.income(OPEN, books, amount=D("0.01")))
    assert post(OPEN, books, rules.expense(OPEN, books, amount=D("0.01"))).net_asset_value == D("0.01")


# -- random sequences -----------------------------------------------------------------------

_AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)
_OPEN_OPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "subscription",
                "redemption",
                "valuation",
                "income",
                "expense",
                "purchase",
                "sale",
                "management_fee",
                "distribution",
                "fee_payment",
            ]
        ),
        st.integers(min_value=1, max_value=4),
        _AMOUNTS,
        st.decimals(min_value=D("0.5"), max_value=D("1.5"), places=3),
    ),
    min_size=1,
    max_size=30,
)


def _engine_would_refuse(books: PoolBooks, posting: Posting) -> bool:
    """The journal engine's overdraft checks: no negative cash, no negative units."""
    after = books.apply(posting.lines)
    if after.balance(AccountCode.CASH) < 0:
        return True
    return any(after.units_of(i) < 0 for i in after.investor_ids(AccountCode.UNITS))


def test_random_open_ended_sequences_keep_the_books_exact() -> None:
    """Every accepted operation keeps the books exact; and enough are accepted for that to
    mean something (a run whose operations were all refused would pass vacuously)."""
    tally = {"posted": 0, "refused": 0}

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_OPEN_OPS)
    def run(ops: list[tuple[str, int, Decimal, Decimal]]) -> None:
        books = PoolBooks({})
        for name, investor, amount, factor in ops:
            try:
                if name == "subscription":
                    posting: Posting | None = rules.subscription(
                        OPEN, books, investor_id=investor, amount=amount
                    )
                elif name == "redemption":
                    held = books.units_of(investor)
                    units = (held * factor / 2).quantize(D("0.000001")) if factor < 1 else held
                    posting = rules.redemption(OPEN, books, investor_id=investor, units=units)
                elif name == "valuation":
                    target = (books.net_asset_value * factor).quantize(D("0.01"))
                    posting = rules.valuation(OPEN, books, net_asset_value=target)
                elif name == "sale":
                    posting = rules.sale(
                        OPEN,
                        books,
                        amount=amount,
                        cost=min(amount, books.balance(AccountCode.INVESTMENTS)) or None,
                    )
                elif name == "distribution":
                    posting = rules.pro_rata_distribution(OPEN, books, amount=amount)
                elif name == "management_fee":
                    posting = rules.management_fee(OPEN, books, amount=amount)
                else:
                    posting = getattr(rules, name)(OPEN, books, amount=amount)
            except LedgerInputError:
                tally["refused"] += 1
                continue  # refused with a named field: the books are untouched
            if posting is None or _engine_would_refuse(books, posting):
                tally["refused"] += 1
                continue
            books = post(OPEN, books, posting)
            tally["posted"] += 1

    run()
    # Measured: a third of the generated operations are accepted (~370 of ~1,000; most
    # refusals are dealing against an empty pool). The floors leave room for unlucky draws
    # in a randomised local run (one posted 135); CI runs derandomised (Hypothesis's "ci"
    # profile, chosen by CI=true).
    total = tally["posted"] + tally["refused"]
    assert tally["posted"] >= 100 and tally["posted"] >= 0.15 * total, tally


def test_random_closed_ended_lifecycles_keep_the_books_exact() -> None:
    """Calls, contributions, a valuation and the whole pool distributed through the
    waterfall leave no cash and no NAV; enough lifecycles get that far to mean something."""
    tally = {"distributed": 0}

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(st.decimals(min_value=D(1), max_value=D(1_000_000), places=2), min_size=1, max_size=5),
        st.lists(st.decimals(min_value=D("0.01"), max_value=D("0.4"), places=2), min_size=1, max_size=4),
        st.decimals(min_value=D("0.5"), max_value=D(3), places=2),
    )
    def run(commitments: list[Decimal], calls: list[Decimal], multiple: Decimal) -> None:
        committed = {i + 1: c for i, c in enumerate(commitments)}
        called: dict[int, Decimal] = defaultdict(Decimal)
        books = PoolBooks({})
        contributions: list[tuple[int, Decimal, date]] = []
        for n, percent in enumerate(calls):
            try:
                call = rules.capital_call(
                    CLOSED,
                    commitments=committed,
                    called=called,
                    percent_of_commitment=percent,
                    due_date=date(2025, 1 + n, 1),
                )
            except LedgerInputError:
                continue  # e.g. 1% of a one-cent commitment rounds to nothing
            books = post(CLOSED, books, call)
            for holder, part in call.details["allocation"].items():
                investor, paid = int(holder), D(part)
                called[investor] += paid
                if paid:
                    books = post(
                        CLOSED, books, rules.contribution(CLOSED, books, investor_id=investor, amount=paid)
                    )
                    contributions.append((investor, paid, date(2025, 1 + n, 1)))
        if not contributions:
            return
        books = post(CLOSED, books, rules.purchase(CLOSED, books, amount=books.balance(AccountCode.CASH)))
        target = (books.net_asset_value * multiple).quantize(D("0.01"))
        if target == 0:
            return
        tally["distributed"] += 1
        valued = rules.valuation(CLOSED, books, net_asset_value=target)
        if valued is not None:
            books = post(CLOSED, books, valued)
        books = post(CLOSED, books, rules.sale(CLOSED, books, amount=target, cost=target))
        state = rules.waterfall_state_from_history(contributions, [])
        books = PoolBooks(books.balances, waterfall_state=state)
        dist = rules.waterfall_distribution(CLOSED, books, amount=target, on=date(2027, 1, 1))
        books = post(CLOSED, books, dist)
        assert books.balance(AccountCode.CASH) == 0
        assert books.net_asset_value == 0
        assert D(dist.details["lp_total"]) + D(dist.details["gp_total"]) == target
        if multiple <= 1:
            assert D(dist.details["gp_total"]) == 0  # no profit, no carry

    run()
    assert tally["distributed"] >= 80, tally  # measured: 99 of 100
