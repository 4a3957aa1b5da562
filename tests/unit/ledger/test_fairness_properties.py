"""Fairness between investors, on the posting rules alone (no database): the pure-rules
counterpart of tests/integration/test_books_properties.py, fast enough for hundreds of
examples and for hypothesis to shrink a failure to its smallest case.

- property 3: return of capital never overdraws a capital account that held something, and
  nobody is returned more capital than they have not had back;
- property 5: capital called and not paid earns and bears nothing: a pool where an investor
  paid part of a call splits every gain and loss exactly as a pool where that investor was
  only ever called for what they paid;
- property 6: selling everything and redeeming every unit leaves nothing, not even residue,
  and no redemption on the way pays more than the pool has;
- property 8: capital calls never go beyond a commitment, whatever was committed and called
  (and reversed) before, and a call of exactly what is unfunded always fits;
- allocations among holders that do not change never drift more than a cent from each
  holder's exact share, however many entries are allocated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backend.finance.errors import LedgerInputError
from backend.finance.money import get_currency
from backend.finance.waterfall import Compounding, WaterfallTerms
from ledger.interface import UNITS_COMMODITY, AccountCode, PoolBooks, PoolTerms, Posting
from ledger.interface import posting_rules as rules
from tests.known_limits import CENT_DRIFT_LIMIT, PREF_OVERDRAW_LIMIT

D = Decimal
ZERO = D(0)
CENT = D("0.01")
USD = get_currency("USD")
START = date(2025, 2, 3)

OPEN = PoolTerms(
    pool_id=1,
    kind=rules.OPEN_ENDED,
    currency=USD,
    inception_date=date(2025, 1, 1),
    initial_nav_per_unit=D("1.000000"),
)
CLOSED = PoolTerms(
    pool_id=2,
    kind=rules.CLOSED_ENDED,
    currency=USD,
    inception_date=date(2025, 1, 1),
    initial_nav_per_unit=D(1),
    waterfall=WaterfallTerms(
        currency=USD,
        preferred_return_rate=D("0.08"),
        compounding=Compounding.ANNUAL,
        catch_up_rate=D(1),
        carried_interest_rate=D("0.2"),
    ),
)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def post(books: PoolBooks, posting: Posting) -> PoolBooks:
    """The books after ``posting``, checked as the journal would and for property 1."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in posting.lines:
        totals[UNITS_COMMODITY if line.account.in_units else "USD"] += line.amount
    assert all(total == 0 for total in totals.values()), totals
    after = books.apply(posting.lines)
    assert after.balance(AccountCode.CASH) >= 0
    assert after.net_asset_value == after.assets_less_liabilities
    held = [after.units_of(i) for i in after.investor_ids(AccountCode.UNITS)]
    assert all(units >= 0 for units in held)
    assert sum(held, ZERO) == after.units_outstanding
    return after


def at_work(books: PoolBooks) -> dict[int, Decimal]:
    weights = {
        i: books.capital_of(i) - books.receivable_of(i) for i in books.investor_ids(AccountCode.CAPITAL)
    }
    return {i: w for i, w in weights.items() if w > 0}


def allocation(posting: Posting) -> dict[int, Decimal]:
    return {int(holder): D(part) for holder, part in posting.details.get("allocation", {}).items()}


# -- property 3 -------------------------------------------------------------------------------


class ClosedBooks:
    """A closed-ended pool's books in memory, with the history the waterfall is rebuilt from."""

    def __init__(self, commitments: Mapping[int, Decimal]) -> None:
        self.books = PoolBooks({})
        self.commitments = dict(commitments)
        self.called: dict[int, Decimal] = defaultdict(Decimal)
        self.contributions: list[tuple[int, Decimal, date]] = []
        self.distributions: list[tuple[date, dict[str, Any]]] = []

    def call_everything(self, on: date) -> None:
        posting = rules.capital_call(
            CLOSED, commitments=self.commitments, called=self.called, percent_of_commitment=D(1), due_date=on
        )
        self.books = post(self.books, posting)
        for holder, part in allocation(posting).items():
            self.called[holder] += part

    def pay(self, investor: int, amount: Decimal, on: date) -> None:
        self.books = post(
            self.books, rules.contribution(CLOSED, self.books, investor_id=investor, amount=amount)
        )
        self.books = post(self.books, rules.purchase(CLOSED, self.books, amount=amount))
        self.contributions.append((investor, amount, on))

    def value(self, target: Decimal) -> None:
        self.books = post(self.books, rules.valuation(CLOSED, self.books, net_asset_value=target))

    def distribute(self, amount: Decimal, on: date) -> Posting:
        short = amount - self.books.balance(AccountCode.CASH)
        if short > 0:
            self.books = post(self.books, rules.sale(CLOSED, self.books, amount=short))
        state = rules.waterfall_state_from_history(self.contributions, self.distributions)
        books = PoolBooks(self.books.balances, waterfall_state=state)
        posting = rules.waterfall_distribution(CLOSED, books, amount=amount, on=on)
        self.books = post(self.books, posting)
        self.distributions.append((on, posting.details))
        return posting


@pytest.mark.xfail(reason=PREF_OVERDRAW_LIMIT, strict=True)
def test_no_tier_of_a_distribution_overdraws_a_capital_account() -> None:
    """The known limit, reproduced: stricter than property 3, which is about return of capital.

    A pays 100 on 3 February 2025; B pays 100 a year later; the pool then gains 16, booked
    8 / 8 by capital at work. Distributing all 216 returns 100 each, pays A a year's 8%
    preferred return (8.00) and B almost none, and A bears the GP's catch-up on it: A is paid
    and charged more than the 108 its account holds, B less than its 108."""
    pool = ClosedBooks({1: D(100), 2: D(100)})
    pool.call_everything(START)
    pool.pay(1, D(100), START)
    later = START + timedelta(days=365)
    pool.pay(2, D(100), later)
    pool.value(pool.books.net_asset_value + D(16))
    assert (pool.books.capital_of(1), pool.books.capital_of(2)) == (D("108.00"), D("108.00"))
    pool.distribute(D(216), later)
    assert min(pool.books.capital_of(1), pool.books.capital_of(2)) >= 0, (
        pool.books.capital_of(1),
        pool.books.capital_of(2),
    )


@settings(max_examples=300, deadline=None)
@given(
    rounds=st.lists(
        st.tuples(
            st.sampled_from([1, 2, 3, 1, 2, 3, 0]),  # who pays in (0: nobody)
            st.integers(min_value=1, max_value=400),  # pays figure x 1,000
            st.integers(min_value=1, max_value=400),  # investments valued at figure x 5 per mille
            st.sampled_from([0, 0, 0, 100, 250, 400]),  # distributes figure / 400 of capital at work
            st.integers(min_value=1, max_value=90),  # days since the round before
        ),
        min_size=1,
        max_size=6,
    )
)
@example(rounds=[(1, 1, 299, 0, 1), (2, 1, 134, 0, 1)])
def test_return_of_capital_never_overdraws_a_capital_account(
    rounds: list[tuple[int, int, int, int, int]],
) -> None:
    """Property 3 (fails today; see the integration test
    test_return_of_capital_is_not_paid_out_of_another_investors_gain for the story).

    Three investors commit 1,000,000, all called at once; each round one may pay in (invested
    at once), the pool is valued, and part of the capital at work may be distributed; at the
    end all of it is. Return of capital never exceeds what an investor has not had back, and
    never takes a capital account that held something below zero."""
    pool = ClosedBooks(dict.fromkeys((1, 2, 3), D(1_000_000)))
    on = START
    pool.call_everything(on)
    contributed: dict[int, Decimal] = defaultdict(Decimal)
    returned: dict[int, Decimal] = defaultdict(Decimal)
    for who, pays, valued, distributes, days in [*rounds, (0, 1, 200, 400, 1)]:
        on += timedelta(days=days)
        if who:
            amount = min(D(pays * 1000), pool.books.receivable_of(who))
            if amount:
                pool.pay(who, amount, on)
                contributed[who] += amount
        if at_work(pool.books):
            investments = pool.books.balance(AccountCode.INVESTMENTS)
            pool.value(pool.books.net_asset_value + cents(investments * (valued * 5 - 1000) / 1000))
        held = pool.books.balance(AccountCode.CASH) + pool.books.balance(AccountCode.INVESTMENTS)
        amount = min(cents(sum(at_work(pool.books).values(), ZERO) * distributes / 400), held)
        if amount <= 0:
            continue
        accounts = {i: pool.books.capital_of(i) - pool.books.receivable_of(i) for i in (1, 2, 3)}
        posting = pool.distribute(amount, on)
        for holder, share in posting.details["investors"].items():
            investor, roc = int(holder), D(share["return_of_capital"])
            # The tier is whole-fund: when LPs bore unequal gains and losses, the fund's return
            # of capital pays a gain out of the account that holds it (labelled capital), never
            # out of another LP's account; beyond its unreturned capital only its own gain.
            assert roc <= max(contributed[investor] - returned[investor], accounts[investor], ZERO)
            returned[investor] += roc
            if accounts[investor] >= 0:
                assert accounts[investor] - roc >= 0, (investor, roc, accounts, dict(contributed))


# -- property 5 -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    a_commit=st.integers(min_value=1, max_value=10**7),
    b_commit=st.integers(min_value=1, max_value=10**7),
    paid=st.integers(min_value=0, max_value=1000),
    events=st.lists(
        st.tuples(st.sampled_from(["income", "expense", "gain", "loss"]), st.integers(1, 10**9)),
        min_size=1,
        max_size=10,
    ),
)
def test_unpaid_capital_earns_and_bears_nothing(
    a_commit: int, b_commit: int, paid: int, events: list[tuple[str, int]]
) -> None:
    """Property 5. Pool ``default``: A (1) pays a call of all A's commitment, B (2) pays
    ``paid`` per mille of his. Pool ``smaller``: B was only committed and called for what he
    paid. Pool ``paid``: B paid everything. The same income, expenses, gains and losses reach
    all three: ``default`` and ``smaller`` split each one identically, and against ``paid``
    B gets no more of a gain and bears no more of a loss, A the other way round."""
    a, b = 1, 2
    b_paid = cents(D(b_commit) * paid / 1000)
    pools = {
        "paid": ClosedBooks({a: D(a_commit), b: D(b_commit)}),
        "default": ClosedBooks({a: D(a_commit), b: D(b_commit)}),
        "smaller": ClosedBooks({a: D(a_commit), b: b_paid} if b_paid else {a: D(a_commit)}),
    }
    for name, pool in pools.items():
        pool.call_everything(START)
        pool.books = post(
            pool.books, rules.contribution(CLOSED, pool.books, investor_id=a, amount=D(a_commit))
        )
        b_pays = D(b_commit) if name == "paid" else b_paid
        if b_pays:
            pool.books = post(
                pool.books, rules.contribution(CLOSED, pool.books, investor_id=b, amount=b_pays)
            )
        pool.books = post(pool.books, rules.purchase(CLOSED, pool.books, amount=D(a_commit)))
    for kind, figure in events:
        default = pools["default"].books
        amount = D(figure) / 100
        if kind == "expense":
            amount = min(
                amount,
                cents(default.balance(AccountCode.CASH) / 2),
                cents(sum(at_work(default).values(), ZERO) / 2),
            )
        elif kind == "loss":
            amount = min(amount, cents(default.balance(AccountCode.INVESTMENTS) / 2))
        if amount <= 0:
            continue
        split: dict[str, dict[int, Decimal]] = {}
        for name, pool in pools.items():
            books = pool.books
            if kind in ("income", "expense"):
                posting = getattr(rules, kind)(CLOSED, books, amount=amount)
            else:
                change = amount if kind == "gain" else -amount
                posting = rules.valuation(CLOSED, books, net_asset_value=books.net_asset_value + change)
            # what each investor gained (an expense's allocation is what each bore)
            split[name] = {i: -part if kind == "expense" else part for i, part in allocation(posting).items()}
            weights = at_work(books)
            for holder in split[name]:
                assert holder in weights, (name, holder, weights)
            pool.books = post(books, posting)
        assert split["default"] == split["smaller"], split
        gained = 1 if kind in ("income", "gain") else -1
        assert gained * split["default"].get(b, ZERO) <= gained * split["paid"].get(b, ZERO) + CENT, split
        assert gained * split["default"][a] >= gained * split["paid"][a] - CENT, split
    for investor in (a, b):
        default, smaller = pools["default"].books, pools["smaller"].books
        assert default.capital_of(investor) - default.receivable_of(investor) == smaller.capital_of(investor)


# -- property 6 -------------------------------------------------------------------------------


def open_ended_step(books: PoolBooks, kind: str, investor: int, amount: Decimal, permille: int) -> Posting:
    if kind == "subscribe":
        return rules.subscription(OPEN, books, investor_id=investor, amount=amount)
    if kind == "redeem":
        units = (books.units_of(investor) * permille / 3400).quantize(D("0.000001"), ROUND_DOWN)
        return rules.redemption(OPEN, books, investor_id=investor, units=units)
    if kind == "value":
        investments = books.balance(AccountCode.INVESTMENTS)
        target = books.net_asset_value + cents(investments * (permille - 1000) / 1000)
        return rules.valuation(OPEN, books, net_asset_value=target)
    if kind == "income":
        return rules.income(OPEN, books, amount=amount)
    affordable = min(amount, books.balance(AccountCode.CASH), cents(books.net_asset_value / 2))
    if kind == "expense":
        return rules.expense(OPEN, books, amount=affordable)
    return rules.pro_rata_distribution(OPEN, books, amount=affordable)


def test_redeeming_every_unit_leaves_nothing() -> None:
    """Property 6 (fails today; see the integration test
    test_a_full_exit_never_pays_out_more_than_the_pool_is_worth). After any history, selling
    everything at carrying value and redeeming every holder at the day's NAV per unit leaves
    no units, no net asset value and no residue, and the cash left is exactly the fees still
    payable; no redemption on the way pays out more cash than the pool has."""
    tally = {"posted": 0, "refused": 0, "exits": 0}

    @settings(max_examples=300, deadline=None)
    @given(
        steps=st.lists(
            st.tuples(
                st.sampled_from(["subscribe", "redeem", "value", "income", "expense", "distribute"]),
                st.integers(min_value=1, max_value=4),
                st.integers(min_value=1, max_value=10**9),
                st.integers(min_value=300, max_value=1700),
            ),
            min_size=1,
            max_size=25,
        )
    )
    @example(
        steps=[
            ("subscribe", 1, 16, 300),
            ("subscribe", 1, 3419344, 300),
            ("subscribe", 2, 1, 300),
            ("value", 1, 1, 300),
        ]
    )
    def run(steps: list[tuple[str, int, int, int]]) -> None:
        books = PoolBooks({})
        for kind, investor, figure, permille in steps:
            try:
                posting = open_ended_step(books, kind, investor, D(figure) / 100, permille)
            except LedgerInputError:
                tally["refused"] += 1
                continue
            after = books.apply(posting.lines)
            if after.balance(AccountCode.CASH) < 0 or any(
                after.units_of(i) < 0 for i in after.investor_ids(AccountCode.UNITS)
            ):
                tally["refused"] += 1
                continue  # the journal refuses an overdraft
            books = post(books, posting)
            tally["posted"] += 1
            invest = cents(books.balance(AccountCode.CASH) / 2)
            if books.units_outstanding and invest > cents(books.net_asset_value / 4):
                books = post(books, rules.purchase(OPEN, books, amount=invest))
        if books.units_outstanding == 0:
            return
        tally["exits"] += 1
        investments = books.balance(AccountCode.INVESTMENTS)
        if investments:
            books = post(books, rules.sale(OPEN, books, amount=investments))
        price = rules.dealing_price(OPEN, books)
        for investor in books.investor_ids(AccountCode.UNITS):
            held = books.units_of(investor)
            if held:
                books = post(
                    books, rules.redemption(OPEN, books, investor_id=investor, units=held, price=price)
                )
        assert books.units_outstanding == 0
        assert books.net_asset_value == 0
        assert books.balance(AccountCode.ROUNDING_RESIDUE) == 0
        assert books.balance(AccountCode.CASH) == -books.balance(AccountCode.FEES_PAYABLE)

    run()
    # Enough histories end with units to redeem for the exit to be tested at all. Measured:
    # 139 of 300 histories exit; 993 steps posted, 850 refused (mostly dealing in an empty
    # pool). Floors leave room for a randomised local run; CI runs derandomised.
    total = tally["posted"] + tally["refused"]
    assert tally["exits"] >= 60 and tally["posted"] >= 0.3 * total, tally


# -- property 8 -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["commit", "amount", "percent", "reverse_last"]),
            st.integers(min_value=1, max_value=4),
            st.integers(min_value=1, max_value=10**9),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_calls_stay_within_commitments_and_the_rest_always_fits(steps: list[tuple[str, int, int]]) -> None:
    """Property 8. Commitments arrive between calls (later closings, top-ups); calls are made
    by amount or by percentage, and the latest may be reversed. No call takes anybody beyond
    their commitment, every part is positive, the parts add up to the call, a call beyond
    what is unfunded is refused; finally a call of exactly what is unfunded always fits and
    leaves everybody fully called."""
    commitments: dict[int, Decimal] = defaultdict(Decimal)
    called: dict[int, Decimal] = defaultdict(Decimal)
    calls: list[dict[int, Decimal]] = []

    def call(amount: Decimal | None = None, percent_of_commitment: Decimal | None = None) -> Posting:
        return rules.capital_call(
            CLOSED,
            commitments=commitments,
            called=called,
            due_date=START,
            amount=amount,
            percent_of_commitment=percent_of_commitment,
        )

    def take(posting: Posting, amount: Decimal) -> None:
        parts = allocation(posting)
        assert sum(parts.values(), ZERO) == amount
        for investor, part in parts.items():
            assert part > 0
            assert called[investor] + part <= commitments[investor], (investor, part, dict(called))
            called[investor] += part
        calls.append(parts)

    for kind, investor, figure in steps:
        unfunded = sum((c - called[i] for i, c in commitments.items()), ZERO)
        if kind == "commit":
            commitments[investor] += D(figure) / 100
        elif kind == "reverse_last" and calls:
            for holder, part in calls.pop().items():
                called[holder] -= part
        elif kind == "amount" and commitments:
            amount = (
                D(figure) / 100 if figure % 3 == 0 else max(cents(unfunded * (figure % 1000) / 999), CENT)
            )
            try:
                take(call(amount=amount), amount)
            except LedgerInputError:
                assert amount > unfunded
        elif kind == "percent" and commitments:
            percent = D(figure % 1000 + 1) / 1000
            total = sum(commitments.values(), ZERO)
            try:
                posting = call(percent_of_commitment=percent)
            except LedgerInputError:
                assert (total * percent).quantize(CENT) > unfunded or (total * percent).quantize(CENT) == 0
                continue
            take(posting, D(posting.details["amount"]))
    unfunded = sum((c - called[i] for i, c in commitments.items()), ZERO)
    if unfunded:
        take(call(amount=unfunded), unfunded)
    assert all(called[i] == c for i, c in commitments.items())


# -- no drift between holders -------------------------------------------------------------------


@pytest.mark.xfail(
    reason=CENT_DRIFT_LIMIT,
    strict=False,
)
@settings(max_examples=300, deadline=None)
@given(
    units=st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=4),
    entries=st.lists(
        st.tuples(st.sampled_from(["income", "expense", "valuation"]), st.integers(1, 10**6)),
        min_size=1,
        max_size=30,
    ),
)
@example(units=[1, 1, 1], entries=[("income", 1), ("income", 1)])
def test_allocations_among_the_same_holders_never_drift_a_cent(
    units: list[int], entries: list[tuple[str, int]]
) -> None:
    """Fails today (see the integration test
    test_capital_accounts_stay_within_a_cent_of_the_units_value). Holders subscribe at the
    launch price (whole units, so their capital is exactly their units), then nothing but
    income, expenses and valuation changes is allocated among them by units. Each entry's
    split is within a cent of the exact share; so must each capital account be, after any
    number of them: the cent that the largest remainder hands out must not go to the same
    holder every time."""
    books = PoolBooks({})
    for investor, count in enumerate(units, start=1):
        books = post(books, rules.subscription(OPEN, books, investor_id=investor, amount=D(count)))
    total_units = sum(units)
    exact: dict[int, Fraction] = {i: Fraction(count) for i, count in enumerate(units, start=1)}
    for kind, figure in entries:
        amount = D(figure) / 100
        if kind == "expense":
            amount = min(amount, cents(books.balance(AccountCode.CASH) / 2))
            if amount <= 0:
                continue
            posting = rules.expense(OPEN, books, amount=amount)
            moved = -amount
        elif kind == "income":
            posting = rules.income(OPEN, books, amount=amount)
            moved = amount
        else:
            posting = rules.valuation(OPEN, books, net_asset_value=books.net_asset_value + amount)
            moved = amount
        books = post(books, posting)
        for investor, count in enumerate(units, start=1):
            exact[investor] += Fraction(moved) * count / total_units
    for investor, share in exact.items():
        assert abs(Fraction(books.capital_of(investor)) - share) <= Fraction(CENT), (
            investor,
            books.capital_of(investor),
            float(share),
        )
