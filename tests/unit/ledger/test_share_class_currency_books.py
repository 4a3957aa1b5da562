"""Share classes in another currency, on the posting rules alone (no database): generated
sequences of deals, marks (with a moving EUR rate and a hedge result) and fees in a USD pool
with a USD class, an unhedged EUR class and a hedged EUR class, checked after every entry.

- every entry balances, in cash and in units;
- the classes' net assets plus the pool's rounding residue are the pool's NAV, to the cent;
- a deal in one class leaves every other class's price exactly where it was, and its own
  within the rounding of one deal (a cent of the books' currency, at the rate);
- a mark's hedge result is the hedged class's alone, and the rest of its change reaches each
  class within a cent per holder of its share by value;
- an unhedged class's price moves with the rate alone when nothing else changes.
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
from ledger.interface import AccountCode, PoolBooks, PoolTerms, Posting
from ledger.interface import posting_rules as rules
from ledger.rule_inputs import PoolFacts
from tests.unit.ledger.test_share_class_books import _leavers_drift

D = Decimal
USD, EUR = get_currency("USD"), get_currency("EUR")
CLASSES = (
    ShareClass("A", USD, initial_nav_per_unit=D(100)),
    ShareClass("E", EUR, initial_nav_per_unit=D(100)),
    ShareClass("H", EUR, hedged=True, performance_fee_rate=D("0.2"), initial_nav_per_unit=D(100)),
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
_UNITS = {AccountCode.UNITS, AccountCode.UNITS_OUTSTANDING}

step = st.one_of(
    st.tuples(
        st.just("subscribe"),
        st.sampled_from(INVESTORS),
        st.sampled_from(["A", "E", "H"]),
        st.decimals(D("1.00"), D("500000.00"), places=2),
        st.just(D(0)),
    ),
    st.tuples(
        st.just("redeem"),
        st.sampled_from(INVESTORS),
        st.just(""),
        st.decimals(D("0.01"), D(1), places=2),
        st.just(D(0)),
    ),
    st.tuples(
        st.just("mark"),
        st.just(0),
        st.just(""),
        st.decimals(D("0.80"), D("1.25"), places=2),  # the portfolio's move
        st.decimals(D("0.7000"), D("1.3000"), places=4),  # the new EUR rate
    ),
    st.tuples(
        st.just("rate_only"),
        st.just(0),
        st.just(""),
        st.just(D(1)),
        st.decimals(D("0.7"), D("1.3"), places=4),
    ),
    st.tuples(st.just("performance_fee"), st.just(0), st.just("H"), st.just(D(0)), st.just(D(0))),
)


def _post(books: PoolBooks, step: tuple[str, int, str, Decimal, Decimal]) -> Posting:
    kind, investor, class_id, figure, rate = step
    if kind == "subscribe":
        return rules.subscription(TERMS, books, investor_id=investor, amount=figure, share_class=class_id)
    if kind == "redeem":
        units = (books.units_of(investor) * figure).quantize(D("0.000001"))
        return rules.redemption(TERMS, books, investor_id=investor, units=units)
    if kind in {"mark", "rate_only"}:
        target = (books.net_asset_value * figure).quantize(D("0.01"))
        hedge = {}
        h = rules.class_positions(TERMS, books)["H"] if "EUR" in books.class_fx_rates else None
        if kind == "mark" and h is not None and h.units:
            # A forward on the class's net assets, gaining what the rate's move takes away.
            old = books.class_fx_rates["EUR"]
            hedge = {"H": (h.net_asset_value * (old / rate - 1)).quantize(D("0.01"))}
            target += hedge["H"]
        return rules.valuation(
            TERMS, books, net_asset_value=max(target, D(0)), fx_rates={"EUR": rate}, hedge_results=hedge
        )
    return rules.class_performance_fee(TERMS, books, amount=None, share_class=class_id, on=date(2025, 6, 30))


def _balanced(posting: Posting) -> None:
    cash = sum((line.amount for line in posting.lines if line.account not in _UNITS), D(0))
    units = sum((line.amount for line in posting.lines if line.account in _UNITS), D(0))
    assert (cash, units) == (D(0), D(0)), posting


def _check_deal(
    posting: Posting, before: dict[str, rules.ClassPosition], after: dict[str, rules.ClassPosition]
) -> None:
    dealt = posting.details["share_class"]
    for cid, p in after.items():
        if cid != dealt and p.units:
            assert p.nav_per_unit == before[cid].nav_per_unit, (cid, posting.details)
    if after[dealt].units and before[dealt].units:
        rate = after[dealt].fx_rate or D(1)
        drift = _leavers_drift(posting, before[dealt], rate)
        limit = D("0.000010") + (D("0.03") * rate + drift) / after[dealt].units
        assert abs(after[dealt].nav_per_unit - before[dealt].nav_per_unit) <= limit, posting.details


def _check_mark(
    posting: Posting, before: dict[str, rules.ClassPosition], after: dict[str, rules.ClassPosition]
) -> None:
    change = D(posting.details["change"])
    hedge = {c: D(v) for c, v in posting.details.get("hedge_results", {}).items()}
    common = change - sum(hedge.values(), D(0))
    pool_before = sum((p.net_asset_value for p in before.values()), D(0))
    for cid, p in after.items():
        if not pool_before:
            continue
        exact = Fraction(common) * Fraction(before[cid].net_asset_value) / Fraction(pool_before)
        got = p.net_asset_value - before[cid].net_asset_value - hedge.get(cid, D(0))
        assert abs(Fraction(got) - exact) <= Fraction(len(before[cid].holders) + 1, 100), (cid, got, exact)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, min_size=1, max_size=25))
def test_currency_classes_keep_their_own_value_through_any_sequence(
    steps: list[tuple[str, int, str, Decimal, Decimal]],
) -> None:
    facts = PoolFacts()
    opening = rules.valuation(TERMS, PoolBooks({}), net_asset_value=D(0), fx_rates={"EUR": D("0.9")})
    facts.add(opening.entry_type, date(2025, 1, 2), opening.details)
    balances = PoolBooks({}).apply(opening.lines).balances
    on = date(2025, 1, 2)
    for kind, investor, class_id, figure, rate in steps:
        posted = (kind, investor, class_id, figure, rate)
        books = facts.books(balances)
        before = rules.class_positions(TERMS, books)
        try:
            posting = _post(books, posted)
        except LedgerInputError:
            continue  # refused with a named field: nothing posted
        event(f"posted {kind}")
        _balanced(posting)
        on += timedelta(days=1)
        balances = books.apply(posting.lines).balances
        facts.add(posting.entry_type, on, posting.details)
        after_books = facts.books(balances)
        after = rules.class_positions(TERMS, after_books)

        total = sum((p.net_asset_value for p in after.values()), D(0))
        assert total - after_books.balance(AccountCode.ROUNDING_RESIDUE) == after_books.net_asset_value
        for holder in after_books.investor_ids(AccountCode.UNITS):
            if after_books.units_of(holder) > 0:
                assert after_books.capital_of(holder) >= 0
        if kind in {"subscribe", "redeem"}:
            _check_deal(posting, before, after)
        elif kind in {"mark", "rate_only"} and posting.lines:
            _check_mark(posting, before, after)
        if (
            kind == "rate_only"
            and not D(posting.details["change"])
            and after["E"].units
            and before["E"].fx_rate
        ):
            # Nothing changed but the rate: the unhedged class's price moves with it alone.
            moved = Fraction(before["E"].nav_per_unit) * Fraction(rate) / Fraction(before["E"].fx_rate)
            assert abs(Fraction(after["E"].nav_per_unit) - moved) <= Fraction(1, 10**6) * (
                1 + Fraction(rate)
            ), kind
            event("an unhedged class moved with the rate alone")
