"""Share classes in the books, on the posting rules alone (no database): generated sequences
of deals, marks and fees in a pool with three classes, checked after every entry.

- every entry balances, in cash and in units;
- the classes' net assets plus the pool's rounding residue are the pool's NAV, to the cent;
- a deal in one class leaves every other class's NAV per unit exactly where it was, and its
  own within the rounding of one deal;
- a class's fee (management at a mark, performance when crystallised) is borne by that
  class's holders alone;
- a mark's change reaches each class within a cent of its exact share by value;
- a leaver pays the fee on its own redeemed lots' gain, and nothing on anyone else's.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import event, given, settings
from hypothesis import strategies as st

from backend.finance.errors import LedgerInputError
from backend.finance.money import get_currency
from backend.finance.share_class_terms import ShareClass
from ledger.interface import UNITS_COMMODITY, AccountCode, PoolBooks, PoolTerms, Posting
from ledger.interface import posting_rules as rules
from ledger.rule_inputs import PoolFacts

D = Decimal
USD = get_currency("USD")
START = date(2025, 1, 2)
CLASSES = (
    ShareClass(
        "A", USD, management_fee_rate=D("0.015"), performance_fee_rate=D("0.2"), initial_nav_per_unit=D(100)
    ),
    ShareClass(
        "I", USD, management_fee_rate=D("0.0075"), performance_fee_rate=D("0.1"), initial_nav_per_unit=D(100)
    ),
    ShareClass("Z", USD, initial_nav_per_unit=D("10.5")),
)
TERMS = PoolTerms(
    pool_id=1,
    kind=rules.OPEN_ENDED,
    currency=USD,
    inception_date=date(2025, 1, 1),
    initial_nav_per_unit=D(1),
    share_classes=CLASSES,
)
INVESTORS = range(1, 7)

step = st.one_of(
    st.tuples(
        st.just("subscribe"),
        st.sampled_from(INVESTORS),
        st.sampled_from([c.class_id for c in CLASSES]),
        st.decimals(D("1.00"), D("900000.00"), places=2),
    ),
    st.tuples(
        st.just("redeem"), st.sampled_from(INVESTORS), st.just(""), st.decimals(D("0.01"), D(1), places=2)
    ),
    st.tuples(st.just("mark"), st.just(0), st.just(""), st.decimals(D("0.70"), D("1.40"), places=2)),
    st.tuples(st.just("performance_fee"), st.just(0), st.sampled_from(["A", "I"]), st.just(D(0))),
    st.tuples(st.just("income"), st.just(0), st.just(""), st.decimals(D("0.01"), D("5000.00"), places=2)),
)


def _classes(books: PoolBooks) -> dict[str, rules.ClassPosition]:
    return rules.class_positions(TERMS, books)


def _balanced(posting: Posting) -> None:
    cash = sum((line.amount for line in posting.lines if line.account not in _UNIT_ACCOUNTS), D(0))
    units = sum((line.amount for line in posting.lines if line.account in _UNIT_ACCOUNTS), D(0))
    assert (cash, units) == (D(0), D(0)), posting


_UNIT_ACCOUNTS = {AccountCode.UNITS, AccountCode.UNITS_OUTSTANDING}
assert UNITS_COMMODITY


def _touched(posting: Posting) -> set[int]:
    return {
        line.investor_id for line in posting.lines if line.account is AccountCode.CAPITAL and line.investor_id
    }


def _post(books: PoolBooks, step: tuple[str, int, str, Decimal], *, on: date, first: date) -> Posting:
    kind, investor, class_id, figure = step
    if kind == "subscribe":
        return rules.subscription(TERMS, books, investor_id=investor, amount=figure, share_class=class_id)
    if kind == "redeem":
        units = (books.units_of(investor) * figure).quantize(D("0.000001"))
        return rules.redemption(TERMS, books, investor_id=investor, units=units)
    if kind == "mark":
        target = (books.net_asset_value * figure).quantize(D("0.01"))
        accrues = first if books.units_outstanding else None
        return rules.valuation(TERMS, books, net_asset_value=target, on=on, fee_accrues_from=accrues)
    if kind == "performance_fee":
        return rules.class_performance_fee(TERMS, books, amount=None, share_class=class_id, on=on)
    return rules.income(TERMS, books, amount=figure)


def _check_deal(
    posting: Posting, before: dict[str, rules.ClassPosition], after: dict[str, rules.ClassPosition]
) -> None:
    dealt = posting.details["share_class"]
    for cid, p in after.items():
        if cid != dealt and p.units:
            assert p.nav_per_unit == before[cid].nav_per_unit, (cid, posting.details)
    if after[dealt].units and before[dealt].units:
        # A deal moves its class's price by at most its own rounding and, for a leaver, what
        # its capital account drifted from units x price (the cents each allocation's rounding
        # left it: a known limit, docs section 8), spread over the units left. Its own rounding
        # is the cents' and the price's: the units deal at the price struck to 6 dp, up to half
        # a millionth from net assets / units (docs section 3), which stays with the class (a
        # random run found 99% of a class redeemed leave 0.03 of it on the last 1%).
        dealt_units = abs(after[dealt].units - before[dealt].units)
        rounding = D("0.02") + D("0.0000005") * dealt_units
        limit = D("0.000010") + (rounding + _leavers_drift(posting, before[dealt])) / after[dealt].units
        assert abs(after[dealt].nav_per_unit - before[dealt].nav_per_unit) <= limit, posting.details


_AT_PAR = D(1)


def _leavers_drift(posting: Posting, before: rules.ClassPosition, rate: Decimal = _AT_PAR) -> Decimal:
    """How far a leaver's capital account was from its units' worth (in the class's currency)."""
    d = posting.details
    if not d.get("full_exit"):
        return D(0)
    worth = Fraction(D(d["units"])) * Fraction(before.nav_per_unit) / Fraction(rate)
    drift = abs(Fraction(D(d["capital_released"])) - worth) * Fraction(rate)
    return D(drift.numerator) / D(drift.denominator)


def _check_mark(
    posting: Posting, before: dict[str, rules.ClassPosition], after: dict[str, rules.ClassPosition]
) -> None:
    change = D(posting.details["change"])
    pool_before = sum((p.net_asset_value for p in before.values()), D(0))
    fees = posting.details.get("management_fee", {}).get("by_class", {})
    for cid, p in after.items():
        exact = Fraction(change) * Fraction(before[cid].net_asset_value) / Fraction(pool_before)
        got = p.net_asset_value - before[cid].net_asset_value + D(fees.get(cid, {}).get("amount", "0"))
        # Each holder is within a cent of its exact share: the class within a cent per holder.
        assert abs(Fraction(got) - exact) <= Fraction(len(before[cid].holders), 100), (cid, got, exact)


def _check_equalised(posting: Posting, before: PoolBooks, hwm: Decimal) -> None:
    """Nobody pays on another's gain: a holder whose every unit cost at least the high-water
    mark pays at most its share of the class fee, one whose every unit cost at most the mark
    at least its share, each within a cent (its own fee and the class fee are each rounded
    down once); the fees add up to what the manager is paid."""
    investors = posting.details["investors"]
    assert sum((D(v["fee"]) for v in investors.values()), D(0)) == D(posting.details["amount"])
    for holder, settled in investors.items():
        lots = before.class_lots.get(int(holder), ())
        fee, share = D(settled["fee"]), D(settled["class_share"])
        if lots and all(r >= hwm for _, r in lots):
            assert fee <= share + D("0.01"), settled
        if lots and all(r <= hwm for _, r in lots):
            assert fee >= share - D("0.01"), settled


def _check_leavers_fee(posting: Posting, before: PoolBooks) -> None:
    """A leaver pays its own fee on the units it redeems, the oldest first, and nothing on
    anyone else's: rate x (price - reference) on each lot taken, rounded down once."""
    d = posting.details
    rate = {c.class_id: c.performance_fee_rate for c in CLASSES}[d["share_class"]]
    if "performance_fee" not in d:
        assert not rate, d
        return
    fee, price = d["performance_fee"], Fraction(D(d["nav_per_unit"]))
    lots = [(D(u), D(r)) for u, r in fee["lots"]]
    assert sum((u for u, _ in lots), D(0)) == D(d["units"])
    held = list(before.class_lots.get(int(d["investor_id"]), ()))
    assert lots[:-1] == held[: len(lots) - 1]  # whole lots, oldest first, then part of one
    exact = sum(
        (Fraction(rate) * Fraction(u) * max(Fraction(0), price - Fraction(r)) for u, r in lots), Fraction(0)
    )
    assert D(fee["amount"]) == min(D(int(exact * 100)) / 100, D(d["gross_proceeds"]))
    assert D(d["proceeds"]) + D(fee["amount"]) == D(d["gross_proceeds"])
    if D(fee["amount"]):
        event("a leaver paid its own performance fee")


@settings(max_examples=150, deadline=None)
@given(st.lists(step, min_size=1, max_size=25))
def test_classes_keep_their_own_value_through_any_sequence(
    steps: list[tuple[str, int, str, Decimal]],
) -> None:
    facts, balances = PoolFacts(), PoolBooks({}).balances
    on = START
    last_fee_day: date | None = None
    for kind, investor, class_id, figure in steps:
        books = facts.books(balances)
        before = _classes(books)
        if kind == "mark":
            on += timedelta(days=30)
        first = last_fee_day + timedelta(days=1) if last_fee_day else START
        try:
            posting = _post(books, (kind, investor, class_id, figure), on=on, first=first)
        except LedgerInputError:
            continue  # refused with a named field: nothing posted
        event(f"posted {kind}")
        _balanced(posting)
        balances = books.apply(posting.lines).balances
        facts.add(posting.entry_type, on, posting.details)
        after_books = facts.books(balances)
        if kind == "mark" and "management_fee" in posting.details:
            last_fee_day = on
        after = _classes(after_books)

        total = sum((p.net_asset_value for p in after.values()), D(0))
        assert total - after_books.balance(AccountCode.ROUNDING_RESIDUE) == after_books.net_asset_value
        for holder in after_books.investor_ids(AccountCode.UNITS):
            if after_books.units_of(holder) > 0:
                assert after_books.capital_of(holder) >= 0
                lots = after_books.class_lots[holder]
                assert sum((u for u, _ in lots), D(0)) == after_books.units_of(holder), (holder, lots)
        if kind in {"subscribe", "redeem"}:
            _check_deal(posting, before, after)
        if kind == "redeem":
            _check_leavers_fee(posting, books)
        elif kind == "performance_fee":
            _check_equalised(posting, books, D(posting.details["high_water_mark_before"]))
            for cid, p in after.items():
                if cid != class_id:
                    assert p.net_asset_value == before[cid].net_asset_value
        elif kind == "mark" and posting.lines:
            _check_mark(posting, before, after)


def test_a_redemption_may_not_leave_units_worth_nothing_behind() -> None:
    """The minimal history Hypothesis found: 1.00 into class A at 100, then two redemptions of
    93% of the units. The second would have left 0.000049 units whose value rounds to 0.00
    in their capital account, and class A, held by nobody else, at net assets of 0.00 with
    units out: no price to deal or redeem at again. It is refused; redeeming all is not."""
    facts, balances = PoolFacts(), PoolBooks({}).balances

    def post(step: tuple[str, int, str, Decimal]) -> PoolBooks:
        nonlocal balances
        books = facts.books(balances)
        posting = _post(books, step, on=START, first=START)
        balances = books.apply(posting.lines).balances
        facts.add(posting.entry_type, START, posting.details)
        return facts.books(balances)

    post(("subscribe", 1, "A", D("1.00")))
    assert post(("redeem", 1, "", D("0.93"))).units_of(1) == D("0.0007")
    try:
        post(("redeem", 1, "", D("0.93")))
    except LedgerInputError as refused:
        assert refused.field == "units"
        assert "would leave 0.000049 units worth nothing in the capital account" in str(refused)
    else:
        raise AssertionError("a redemption leaving dust was accepted")
    books = post(("redeem", 1, "", D(1)))
    assert books.units_of(1) == 0 and books.capital_of(1) == 0
    assert _classes(books)["A"].units == 0
