"""Posting rules: what each transaction type writes to a pool's books.

Pure functions. Each takes the pool's terms (:class:`PoolTerms`), a snapshot of its
balances (:class:`PoolBooks`) and the request's figures, and returns a :class:`Posting`:
the entry type, the signed lines (debit positive) and the figures worked out on the way
(dealing price, units, allocation, waterfall tiers), which are stored with the entry so an
auditor sees how each number came about. Nothing here touches the database; the ledger
service loads the snapshot, applies a rule and hands the lines to the journal engine, which
checks balance, precision and overdrafts again under its locks.

The chart of accounts (debit-positive balances):

=====================  ===========  =======================================================
account                normal side  meaning
=====================  ===========  =======================================================
cash                   debit        the pool's bank balance
investments            debit        the pool's investments at fair value
call_receivable/<i>    debit        called but not yet paid by investor i
fees_payable           credit       fees accrued to the manager, not yet paid
capital/<i>            credit       investor i's capital account: what i's stake is worth
rounding_residue       credit       dealing residue, owned by the pool as a whole
units/<i>              debit        units held by investor i (commodity UNITS)
units_outstanding      credit       contra account of the unit register (commodity UNITS)
=====================  ===========  =======================================================

Every gain, loss, income, expense and fee is allocated to the capital accounts in the same
entry, so at all times: net asset value = assets - liabilities = sum of capital accounts +
rounding residue, to the cent, and units outstanding = sum of units held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance import fees as fee_maths
from backend.finance.allocation import allocate_cash
from backend.finance.daycount import year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.fees import FeePeriod, ManagementFeeTerms, PerformanceFeeTerms, pool_performance_fee
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_units,
    exact_arithmetic,
    round_to_quantum,
)
from backend.finance.unitisation import issue_units, nav_per_unit, redeem_units
from backend.finance.waterfall import Contribution, HurdlePayment, WaterfallState, WaterfallTerms, distribute
from ledger.schemas import AccountCode, EntryType, PostingLine

OPEN_ENDED = "open_ended"
CLOSED_ENDED = "closed_ended"

AccountRef = tuple[AccountCode, int | None]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PoolTerms:
    """What the posting rules need to know about a pool (the pool service owns the rest)."""

    pool_id: int
    kind: str
    currency: Currency
    inception_date: date
    initial_nav_per_unit: Decimal
    minimum_subscription: Decimal = _ZERO
    waterfall: WaterfallTerms | None = None
    performance_fee: PerformanceFeeTerms | None = None
    management_fee: ManagementFeeTerms | None = None
    cash_may_go_negative: bool = False

    @property
    def open_ended(self) -> bool:
        return self.kind == OPEN_ENDED


Line = PostingLine
"""One signed posting of a rule's result: debit positive, credit negative."""


@dataclass(frozen=True, slots=True)
class Posting:
    """A rule's result: the lines to post and the figures behind them."""

    entry_type: EntryType
    lines: tuple[Line, ...]
    details: dict[str, Any] = field(default_factory=dict)
    events: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True, slots=True)
class PoolBooks:
    """A snapshot of one pool's balances, plus the few facts kept beside them.

    ``balances`` maps (account, investor id or None) to the signed balance.
    """

    balances: Mapping[AccountRef, Decimal]
    high_water_mark_per_unit: Decimal | None = None
    high_water_mark_set_on: date | None = None
    waterfall_state: WaterfallState = field(default_factory=WaterfallState)

    def balance(self, account: AccountCode, investor_id: int | None = None) -> Decimal:
        return self.balances.get((account, investor_id), _ZERO)

    def investor_ids(self, *accounts: AccountCode) -> list[int]:
        wanted = set(accounts)
        return sorted(
            {inv for (code, inv), amount in self.balances.items() if code in wanted and inv is not None}
        )

    @property
    @exact_arithmetic
    def net_asset_value(self) -> Decimal:
        """Sum of capital accounts and the residue (credit-normal, so negated)."""
        equity = sum(
            (amount for (code, _), amount in self.balances.items() if code is AccountCode.CAPITAL), _ZERO
        )
        return -(equity + self.balance(AccountCode.ROUNDING_RESIDUE))

    @property
    @exact_arithmetic
    def assets_less_liabilities(self) -> Decimal:
        """The same figure from the other side of the books (a check, never a source)."""
        asset_side = {
            AccountCode.CASH,
            AccountCode.INVESTMENTS,
            AccountCode.CALL_RECEIVABLE,
            AccountCode.FEES_PAYABLE,
            AccountCode.GP_CARRY,
        }
        return sum((amount for (code, _), amount in self.balances.items() if code in asset_side), _ZERO)

    @property
    def units_outstanding(self) -> Decimal:
        return -self.balance(AccountCode.UNITS_OUTSTANDING)

    def units_of(self, investor_id: int) -> Decimal:
        return self.balance(AccountCode.UNITS, investor_id)

    def capital_of(self, investor_id: int) -> Decimal:
        """Investor's capital account value (credit balance, shown positive)."""
        return -self.balance(AccountCode.CAPITAL, investor_id)

    def receivable_of(self, investor_id: int) -> Decimal:
        return self.balance(AccountCode.CALL_RECEIVABLE, investor_id)

    @exact_arithmetic
    def apply(self, lines: Iterable[Line]) -> PoolBooks:
        """These books after posting ``lines`` (what the journal engine does, in memory)."""
        balances = dict(self.balances)
        for line in lines:
            ref = (line.account, line.investor_id)
            balances[ref] = balances.get(ref, _ZERO) + line.amount
        return replace(self, balances=balances)


# -- shared helpers ---------------------------------------------------------------------


def _require_kind(terms: PoolTerms, kind: str, what: str) -> None:
    if terms.kind != kind:
        other = "an open-ended" if kind == OPEN_ENDED else "a closed-ended"
        raise InvalidValueError(
            "type", f"{what} applies to {other} pool; pool {terms.pool_id} is {terms.kind}"
        )


def _positive_cash(value: object, terms: PoolTerms, name: str) -> Decimal:
    amount = check_cash(value, terms.currency, name)
    if amount <= 0:
        raise InvalidValueError(name, f"must be greater than zero, got {amount}")
    return amount


def _non_zero(lines: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(line for line in lines if line.amount != 0)


def dealing_price(terms: PoolTerms, books: PoolBooks) -> Decimal:
    """NAV per unit for dealing now: net assets / units outstanding, or the launch price."""
    units = books.units_outstanding
    if units == 0:
        return terms.initial_nav_per_unit
    nav = books.net_asset_value
    if nav <= 0:
        raise InvalidValueError(
            "net_asset_value",
            f"pool {terms.pool_id} has a net asset value of {nav}; no unit price to deal at",
        )
    return nav_per_unit(nav, units, terms.currency).nav_per_unit


def ownership_weights(terms: PoolTerms, books: PoolBooks) -> dict[str, Decimal]:
    """Who owns the pool's gains and costs, as allocation weights keyed by investor id.

    Open-ended: units held. Closed-ended: capital at work, the capital account less what is
    still owed on calls (a called, unpaid amount is a receivable, not capital), so an investor
    who has not paid earns nothing on what they did not pay.
    """
    if terms.open_ended:
        weights = {str(i): books.units_of(i) for i in books.investor_ids(AccountCode.UNITS)}
    else:
        weights = {
            str(i): max(books.capital_of(i) - books.receivable_of(i), _ZERO)
            for i in books.investor_ids(AccountCode.CAPITAL)
        }
    weights = {holder: weight for holder, weight in weights.items() if weight > 0}
    if not weights:
        raise InvalidValueError(
            "investors", f"pool {terms.pool_id} has no investor holding anything to allocate to"
        )
    return weights


def _allocate_to_capital(
    amount: Decimal, weights: Mapping[str, Decimal], terms: PoolTerms, sign: int
) -> tuple[list[Line], dict[str, str]]:
    """Lines moving ``amount`` across capital accounts pro rata; sign -1 credits, +1 debits."""
    parts = allocate_cash(amount, weights, terms.currency)
    lines = [Line(AccountCode.CAPITAL, int(holder), sign * part) for holder, part in parts.items()]
    return lines, {holder: str(part) for holder, part in parts.items()}


# -- open-ended dealing -------------------------------------------------------------------


@exact_arithmetic
def subscription(
    terms: PoolTerms, books: PoolBooks, *, investor_id: int, amount: object, price: Decimal | None = None
) -> Posting:
    """Cash in, units out at the dealing price; the rounding residue stays in the pool.

    ``price`` is the NAV per unit struck for the deal's date (ledger.forward_pricing); without
    it the deal is struck at the books' own NAV per unit, or the launch price.
    """
    _require_kind(terms, OPEN_ENDED, "a subscription")
    cash = _positive_cash(amount, terms, "amount")
    if cash < terms.minimum_subscription:
        raise InvalidValueError(
            "amount", f"below the pool's minimum subscription of {terms.minimum_subscription}, got {cash}"
        )
    price = dealing_price(terms, books) if price is None else price
    issue = issue_units(cash, price, terms.currency)
    if issue.units == 0:
        raise InvalidValueError("amount", f"{cash} buys no units at a NAV per unit of {price}")
    lines = _non_zero(
        [
            Line(AccountCode.CASH, None, cash),
            Line(AccountCode.CAPITAL, investor_id, -issue.units_value),
            Line(AccountCode.ROUNDING_RESIDUE, None, -issue.residue),
            Line(AccountCode.UNITS, investor_id, issue.units),
            Line(AccountCode.UNITS_OUTSTANDING, None, -issue.units),
        ]
    )
    details = {
        "investor_id": investor_id,
        "amount": str(cash),
        "nav_per_unit": str(price),
        "units": str(issue.units),
        "units_value": str(issue.units_value),
        "residue": str(issue.residue),
    }
    return Posting(EntryType.SUBSCRIPTION, lines, details)


@exact_arithmetic
def redemption(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    investor_id: int,
    units: object = None,
    amount: object = None,
    price: Decimal | None = None,
) -> Posting:
    """Units back at the dealing price; proceeds rounded down; a full exit closes the account.

    With ``amount`` instead of ``units``, just enough units are redeemed (rounded up to
    6 dp) for proceeds of at least that amount. ``price`` as for :func:`subscription`.
    The last unitholder out is paid the whole net asset value, residue included: nobody
    would be left to own what rounding kept in the pool.
    """
    _require_kind(terms, OPEN_ENDED, "a redemption")
    if (units is None) == (amount is None):
        raise InvalidValueError("units", "give either units or amount to redeem, not both or neither")
    price = dealing_price(terms, books) if price is None else price
    held = books.units_of(investor_id)
    if units is not None:
        quantity = check_units(units, "units")
        name = "units"
    else:
        cash = _positive_cash(amount, terms, "amount")
        quantity = round_to_quantum(Fraction(cash) / Fraction(price), Decimal("0.000001"), Rounding.CEILING)
        name = "amount"
    if quantity <= 0:
        raise InvalidValueError(name, f"must be greater than zero, got {quantity}")
    if quantity > held:
        raise InvalidValueError(name, f"investor {investor_id} holds {held} units, cannot redeem {quantity}")
    result = redeem_units(quantity, price, terms.currency)
    # Full exit: the whole capital account leaves, so no investor is left holding value
    # without units; what the investor is not paid stays with the pool as residue, unless
    # they are the last holder, who takes the residue too.
    value_out = books.capital_of(investor_id) if quantity == held else result.units_value
    proceeds = result.proceeds
    if quantity == books.units_outstanding:
        proceeds = books.net_asset_value
    elif quantity == held:
        # A price rounded up (half-even) can make units x price exceed the account by a cent;
        # a leaver never takes more than their own capital (the residue never goes negative).
        proceeds = min(proceeds, max(value_out, _ZERO))
    residue = value_out - proceeds
    lines = _non_zero(
        [
            Line(AccountCode.CAPITAL, investor_id, value_out),
            Line(AccountCode.CASH, None, -proceeds),
            Line(AccountCode.ROUNDING_RESIDUE, None, -residue),
            Line(AccountCode.UNITS, investor_id, -quantity),
            Line(AccountCode.UNITS_OUTSTANDING, None, quantity),
        ]
    )
    details: dict[str, Any] = {
        "investor_id": investor_id,
        "units": str(quantity),
        "nav_per_unit": str(price),
        "proceeds": str(proceeds),
        "capital_released": str(value_out),
        "residue": str(residue),
        "full_exit": quantity == held,
        "last_holder": quantity == books.units_outstanding,
    }
    return Posting(EntryType.REDEMPTION, lines, details)


# -- closed-ended capital -------------------------------------------------------------------


@exact_arithmetic
def capital_call(
    terms: PoolTerms,
    *,
    commitments: Mapping[int, Decimal],
    called: Mapping[int, Decimal],
    amount: object = None,
    percent_of_commitment: object = None,
    due_date: date,
) -> Posting:
    """A receivable per investor, pro rata to commitments, never beyond what is unfunded.

    The split is cumulative: the calls to date, this one included, are allocated pro rata to
    commitments, and this call's part is that target less what was called before. The odd
    cent of one call is evened out by the next, so a call of everything still unfunded always
    fits, whatever earlier calls rounded.
    """
    _require_kind(terms, CLOSED_ENDED, "a capital call")
    weights = {str(i): c for i, c in commitments.items() if c > 0}
    if not weights:
        raise InvalidValueError("amount", f"pool {terms.pool_id} has no commitments to call on")
    total_committed = sum(weights.values(), _ZERO)
    if (amount is None) == (percent_of_commitment is None):
        raise InvalidValueError("amount", "give either amount or percent_of_commitment, not both or neither")
    if percent_of_commitment is not None:
        percent = Decimal(str(percent_of_commitment))
        if not 0 < percent <= 1:
            raise InvalidValueError(
                "percent_of_commitment", f"must be a fraction above 0 and at most 1, got {percent}"
            )
        total = round_to_quantum(
            Fraction(total_committed) * Fraction(percent), terms.currency.quantum, Rounding.HALF_EVEN
        )
        if total == 0:
            raise InvalidValueError(
                "percent_of_commitment", f"{percent} of {total_committed} rounds to nothing"
            )
    else:
        total = _positive_cash(amount, terms, "amount")
    before = {holder: called.get(int(holder), _ZERO) for holder in weights}
    unfunded = {holder: weights[holder] - before[holder] for holder in weights}
    left = sum(unfunded.values(), _ZERO)
    if total > left:
        raise InvalidValueError(
            "amount", f"{total} is more than the {left} of commitments still unfunded in pool {terms.pool_id}"
        )
    targets = allocate_cash(sum(before.values(), _ZERO) + total, weights, terms.currency)
    parts = {holder: targets.get(holder, _ZERO) - before[holder] for holder in weights}
    if any(part < 0 or part > unfunded[holder] for holder, part in parts.items()):
        # Earlier calls were not split by this rule (or were reversed out of order): share
        # this one by what each investor has left unfunded, which always fits.
        parts = allocate_cash(total, {h: u for h, u in unfunded.items() if u > 0}, terms.currency)
    parts = {holder: part for holder, part in parts.items() if part}
    lines: list[Line] = []
    for holder, part in parts.items():
        lines += [
            Line(AccountCode.CALL_RECEIVABLE, int(holder), part),
            Line(AccountCode.CAPITAL, int(holder), -part),
        ]
    allocation = {holder: str(part) for holder, part in parts.items()}
    details = {"amount": str(total), "due_date": due_date.isoformat(), "allocation": allocation}
    return Posting(
        EntryType.CAPITAL_CALL,
        _non_zero(lines),
        details,
        events=(("capital_call.issued", details),),
    )


@exact_arithmetic
def contribution(terms: PoolTerms, books: PoolBooks, *, investor_id: int, amount: object) -> Posting:
    """Cash from an investor settling what was called from them."""
    _require_kind(terms, CLOSED_ENDED, "a contribution")
    cash = _positive_cash(amount, terms, "amount")
    owed = books.receivable_of(investor_id)
    if cash > owed:
        raise InvalidValueError(
            "amount", f"investor {investor_id} owes {owed} on capital calls, cannot contribute {cash}"
        )
    lines = (
        Line(AccountCode.CASH, None, cash),
        Line(AccountCode.CALL_RECEIVABLE, investor_id, -cash),
    )
    return Posting(EntryType.CONTRIBUTION, lines, {"investor_id": investor_id, "amount": str(cash)})


# -- distributions ---------------------------------------------------------------------------


@exact_arithmetic
def pro_rata_distribution(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """Cash out to unitholders pro rata to units held (open-ended pools)."""
    _require_kind(terms, OPEN_ENDED, "a pro-rata distribution (closed-ended pools use the waterfall)")
    cash = _positive_cash(amount, terms, "amount")
    capital_lines, allocation = _allocate_to_capital(cash, ownership_weights(terms, books), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.CASH, None, -cash)])
    details = {"mode": "pro_rata", "amount": str(cash), "allocation": allocation}
    return Posting(EntryType.DISTRIBUTION, lines, details, events=(("distribution.made", details),))


@exact_arithmetic
def waterfall_distribution(terms: PoolTerms, books: PoolBooks, *, amount: object, on: date) -> Posting:
    """Cash out through the European waterfall: LP tiers per investor and the GP's share.

    Each investor's capital account bears what that investor receives plus the part of the
    GP's catch-up and carried interest it bears, since carry is paid out of the investors'
    profit. Per investor (see :mod:`backend.finance.waterfall`): return of capital by what the books
    hold for each investor up to their unreturned capital, then by unreturned capital, so
    nobody gets back more than they paid in or is paid out of another's capital; preferred
    return by what each is owed on their own dates; the catch-up tier by preferred return paid to
    date; the carried-interest tier by each investor's undistributed profit in these books
    (capital account net of unpaid calls, less unreturned capital and this distribution's
    pref and catch-up), so a distribution of the whole pool closes every account at zero.
    """
    _require_kind(terms, CLOSED_ENDED, "a waterfall distribution")
    if terms.waterfall is None:
        raise InvalidValueError("mode", f"pool {terms.pool_id} has no waterfall terms")
    cash = _positive_cash(amount, terms, "amount")
    state = books.waterfall_state
    accounts = {
        investor: books.capital_of(int(investor)) - books.receivable_of(int(investor))
        for investor in state.investors
    }
    result = distribute(cash, on, terms.waterfall, state, capital_accounts=accounts)
    lines: list[Line] = []
    per_investor: dict[str, dict[str, str]] = {}
    for share in result.investors:
        lines.append(Line(AccountCode.CAPITAL, int(share.investor), share.total + share.gp_share_borne))
        per_investor[share.investor] = {
            "return_of_capital": str(share.return_of_capital),
            "preferred_return": str(share.preferred_return),
            "catch_up": str(share.catch_up),
            "carried_interest": str(share.carried_interest),
            "total": str(share.total),
            "gp_share_borne": str(share.gp_share_borne),
            "gp_catch_up_borne": str(share.gp_catch_up),
            "gp_carried_interest_borne": str(share.gp_carried_interest),
            "carried_interest_weight": str(share.carried_interest_weight),
        }
    lines.append(Line(AccountCode.CASH, None, -cash))
    details: dict[str, Any] = {
        "mode": "waterfall",
        "amount": str(cash),
        "tiers": {t.tier.value: {"lp": str(t.lp), "gp": str(t.gp)} for t in result.tiers},
        "lp_total": str(result.lp_total),
        "gp_total": str(result.gp_total),
        "investors": per_investor,
        "split": {
            "return_of_capital": "unreturned_capital",
            "preferred_return": "preferred_return_owed",
            "catch_up": "preferred_return_paid_to_date",
            "carried_interest": "undistributed_profit, else contributed_capital",
        },
    }
    return Posting(
        EntryType.DISTRIBUTION, _non_zero(lines), details, events=(("distribution.made", details),)
    )


def waterfall_state_from_history(
    contributions: Iterable[tuple[int, Decimal, date]],
    distributions: Iterable[tuple[date, Mapping[str, Any]]],
) -> WaterfallState:
    """Rebuild the cumulative waterfall position from the books.

    ``contributions`` are (investor id, amount, date) of contributions that stand (not
    reversed); ``distributions`` are (date, details) of waterfall distributions that stand,
    in posting order, with the ``details`` that :func:`waterfall_distribution` stored.
    Tiers 1 and 2 are taken per investor (``details["investors"]``), since what is still
    owed to each investor depends on what each was paid.
    """
    state = WaterfallState(
        contributions=tuple(Contribution(str(i), amount, on) for i, amount, on in contributions if amount)
    )
    for on, details in distributions:
        tiers = details["tiers"]
        payments = state.hurdle_payments
        for holder, share in sorted(details["investors"].items()):
            roc, pref = Decimal(share["return_of_capital"]), Decimal(share["preferred_return"])
            if roc or pref:
                payments = (*payments, HurdlePayment(str(holder), on, roc, pref))
        catch_up, carry = tiers["catch_up"], tiers["carried_interest"]
        state = replace(
            state,
            hurdle_payments=payments,
            catch_up_paid=state.catch_up_paid + Decimal(catch_up["lp"]) + Decimal(catch_up["gp"]),
            catch_up_paid_to_gp=state.catch_up_paid_to_gp + Decimal(catch_up["gp"]),
            carried_interest_tier_paid=state.carried_interest_tier_paid
            + Decimal(carry["lp"])
            + Decimal(carry["gp"]),
            carried_interest_paid_to_gp=state.carried_interest_paid_to_gp + Decimal(carry["gp"]),
            last_distribution_on=on,
        )
    return state


# -- fees -------------------------------------------------------------------------------------


@exact_arithmetic
def management_fee(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object = None,
    period: FeePeriod | None = None,
    override_reason: str | None = None,
    commitments: Mapping[int, Decimal] | None = None,
    invested: Mapping[int, Decimal] | None = None,
    holding_since: Mapping[int, date] | None = None,
    weights: Mapping[str, Decimal] | None = None,
) -> Posting:
    """The management fee for ``period``, computed from the pool's terms, borne by investors.

    fee = basis x annual rate x year fraction of the period (the terms' day count), rounded
    half-even to the minor unit once. The basis and who bears the fee follow the terms:

    - ``nav``: the net asset value on the fee's date, before the fee; borne by the owners of
      that value (units held; in a closed-ended pool, capital at work). In an open-ended pool
      given ``holding_since`` (when each holder's current holding began), each holder's
      value counts only for the days of the period they held it: a holder who came in on
      the period's last day pays one day's fee, not the period's. A holder who left before
      the fee's date was not in the basis either: nobody pays for anybody else.
    - ``committed``: total commitments; borne pro rata to commitments, paid in or not.
    - ``invested``: capital called and not yet returned; borne pro rata to each investor's.

    ``amount`` overrides the computed figure and needs ``override_reason``, which is kept in
    the entry's workings beside the figure it replaced. Without a period (the old API) the
    amount is booked as given, pro rata to ownership.
    """
    if period is None:
        fee = _positive_cash(amount, terms, "amount")
        given = dict(weights) if weights else ownership_weights(terms, books)
        capital_lines, allocation = _allocate_to_capital(fee, given, terms, 1)
        lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
        return Posting(EntryType.MANAGEMENT_FEE, lines, {"amount": str(fee), "allocation": allocation})
    fee_terms = terms.management_fee
    shares: dict[str, Decimal]
    details: dict[str, Any] = {
        "period_start": period.first_day.isoformat(),
        "period_end": period.last_day.isoformat(),
    }
    if fee_terms is None:
        if amount is None:
            raise InvalidValueError(
                "amount", f"pool {terms.pool_id} has no management fee terms; give the amount to charge"
            )
        shares = ownership_weights(terms, books)
    else:
        basis_amount, shares = _fee_basis(terms, fee_terms, books, commitments, invested)
        if fee_terms.basis == "nav" and terms.open_ended and holding_since is not None:
            computed, shares = _fee_on_days_held(terms, fee_terms, books, period, holding_since)
        else:
            computed = _period_fee(terms, fee_terms, basis_amount, period)
        details |= {
            "basis": fee_terms.basis,
            "basis_amount": str(basis_amount),
            "rate": str(fee_terms.rate),
            "day_count": str(fee_terms.day_count),
            "days": period.accrual.days,
            "computed_amount": str(computed),
        }
        if amount is None:
            if computed == 0:
                raise InvalidValueError(
                    "period_end",
                    f"the fee from {period.first_day} to {period.last_day} on a {fee_terms.basis} basis of "
                    f"{basis_amount} is {computed}: nothing to charge",
                )
            amount = computed
        elif not (override_reason or "").strip():
            raise InvalidValueError(
                "override_reason",
                f"the terms give a fee of {computed} for {period.first_day} to {period.last_day}; "
                "say why another amount is charged",
            )
    fee = _positive_cash(amount, terms, "amount")
    if override_reason and override_reason.strip():
        details["override_reason"] = override_reason.strip()
    capital_lines, allocation = _allocate_to_capital(fee, shares, terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
    details |= {"amount": str(fee), "allocation": allocation}
    return Posting(EntryType.MANAGEMENT_FEE, lines, details)


def _period_fee(
    terms: PoolTerms, fee_terms: ManagementFeeTerms, basis: Decimal, period: FeePeriod
) -> Decimal:
    """The terms' fee on ``basis`` for every day of ``period``, rounded once."""
    start, end = period.accrual.start, period.accrual.end
    return fee_maths.management_fee(
        basis, fee_terms.rate, start, end, currency=terms.currency, day_count=fee_terms.day_count
    )


def holding_since(deals: Iterable[tuple[date, int, Decimal]]) -> dict[int, date]:
    """When each investor's current holding began, from their deals in journal order
    (date, investor, units in: negative for a redemption): the day units went from none to
    some, forgotten once they are all redeemed."""
    units: dict[int, Decimal] = {}
    since: dict[int, date] = {}
    for on, investor, delta in deals:
        before = units.get(investor, _ZERO)
        after = before + delta
        units[investor] = after
        if before <= 0 < after:
            since[investor] = on
        elif after <= 0:
            since.pop(investor, None)
    return since


def _fee_on_days_held(
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    books: PoolBooks,
    period: FeePeriod,
    holding_since: Mapping[int, date],
) -> tuple[Decimal, dict[str, Decimal]]:
    """The fee on each holder's value for the days of ``period`` they held it, rounded once
    in total, and the exact per-holder fees as the weights that share it."""
    end = period.accrual.end
    exact = Fraction(0)
    weights: dict[str, Decimal] = {}  # value x days held: exact, and in proportion to each fee
    for holder in ownership_weights(terms, books):
        start = max(period.accrual.start, holding_since.get(int(holder), period.accrual.start))
        value = books.capital_of(int(holder))
        if start >= end or value <= 0:
            continue
        exact += Fraction(value) * Fraction(fee_terms.rate) * year_fraction(start, end, fee_terms.day_count)
        weights[holder] = value * (end - start).days
    total = round_to_quantum(exact, terms.currency.quantum, Rounding.HALF_EVEN)
    return total, weights


def _fee_basis(
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    books: PoolBooks,
    commitments: Mapping[int, Decimal] | None,
    invested: Mapping[int, Decimal] | None,
) -> tuple[Decimal, dict[str, Decimal]]:
    """The amount a management fee is charged on, and who bears it in what proportion."""
    if fee_terms.basis == "committed":
        shares = {str(i): c for i, c in (commitments or {}).items() if c > 0}
        what = "commitments"
    elif fee_terms.basis == "invested":
        shares = {str(i): c for i, c in (invested or {}).items() if c > 0}
        what = "invested capital"
    else:
        return books.net_asset_value, ownership_weights(terms, books)
    if not shares:
        raise InvalidValueError("type", f"pool {terms.pool_id} has no {what} to charge a fee on")
    return sum(shares.values(), _ZERO), shares


@exact_arithmetic
def performance_fee(
    terms: PoolTerms, books: PoolBooks, *, amount: object = None, on: date | None = None
) -> Posting:
    """Crystallise the performance fee on NAV per unit above the high-water mark.

    Without ``amount`` the fee is computed from the pool's terms; with it, the manager's
    figure is booked as given and the high-water mark moves to the NAV per unit after it.
    The annual hurdle grows from the date the high-water mark was last set (the last
    crystallisation, or inception) to ``on`` (backend.finance.fees.hurdle_growth).
    """
    _require_kind(terms, OPEN_ENDED, "a performance fee (closed-ended pools pay carried interest)")
    units = books.units_outstanding
    if units == 0:
        raise InvalidValueError("type", f"pool {terms.pool_id} has no units outstanding to charge")
    nav = books.net_asset_value
    hwm = books.high_water_mark_per_unit or terms.initial_nav_per_unit
    before = dealing_price(terms, books)
    if amount is None:
        if terms.performance_fee is None:
            raise InvalidValueError(
                "amount", f"pool {terms.pool_id} has no performance fee terms; give amount"
            )
        since = books.high_water_mark_set_on or terms.inception_date
        crystallised = pool_performance_fee(
            nav,
            units,
            high_water_mark_per_unit=hwm,
            terms=terms.performance_fee,
            currency=terms.currency,
            period_start=since if on is not None else None,
            on=on,
        )
        fee = crystallised.fee
        if fee == 0:
            raise InvalidValueError(
                "type",
                f"no performance fee is due: NAV per unit {before} is not above the hurdle level "
                f"{crystallised.hurdle_level_per_unit}",
            )
        after, new_hwm = crystallised.nav_per_unit_after_fee, crystallised.high_water_mark_per_unit
    else:
        fee = _positive_cash(amount, terms, "amount")
        if fee >= nav:
            raise InvalidValueError("amount", f"a fee of {fee} would exhaust the net asset value {nav}")
        after = nav_per_unit(nav - fee, units, terms.currency).nav_per_unit
        new_hwm = max(hwm, after)
    capital_lines, allocation = _allocate_to_capital(fee, ownership_weights(terms, books), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
    details = {
        "amount": str(fee),
        "nav_per_unit_before": str(before),
        "nav_per_unit_after": str(after),
        "high_water_mark_before": str(hwm),
        "high_water_mark_after": str(new_hwm),
        "allocation": allocation,
    }
    if amount is None and on is not None:
        details["hurdle_period_start"] = (books.high_water_mark_set_on or terms.inception_date).isoformat()
    return Posting(EntryType.PERFORMANCE_FEE, lines, details)


@exact_arithmetic
def fee_payment(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """Accrued fees paid to the manager in cash."""
    fee = _positive_cash(amount, terms, "amount")
    owed = -books.balance(AccountCode.FEES_PAYABLE)
    if fee > owed:
        raise InvalidValueError("amount", f"only {owed} of fees is payable, cannot pay {fee}")
    lines = (Line(AccountCode.FEES_PAYABLE, None, fee), Line(AccountCode.CASH, None, -fee))
    return Posting(EntryType.FEE_PAYMENT, lines, {"amount": str(fee)})


# -- the pool's own income, costs and investing -----------------------------------------------


@exact_arithmetic
def income(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """Cash income (dividends, interest) shared by the owners."""
    cash = _positive_cash(amount, terms, "amount")
    capital_lines, allocation = _allocate_to_capital(cash, ownership_weights(terms, books), terms, -1)
    lines = _non_zero([Line(AccountCode.CASH, None, cash), *capital_lines])
    return Posting(EntryType.INCOME, lines, {"amount": str(cash), "allocation": allocation})


@exact_arithmetic
def expense(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """A cost paid in cash (audit, legal), borne by the owners."""
    cash = _positive_cash(amount, terms, "amount")
    capital_lines, allocation = _allocate_to_capital(cash, ownership_weights(terms, books), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.CASH, None, -cash)])
    return Posting(EntryType.EXPENSE, lines, {"amount": str(cash), "allocation": allocation})


@exact_arithmetic
def purchase(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """Cash into investments at cost: the net asset value does not change."""
    cash = _positive_cash(amount, terms, "amount")
    lines = (Line(AccountCode.INVESTMENTS, None, cash), Line(AccountCode.CASH, None, -cash))
    return Posting(EntryType.PURCHASE, lines, {"amount": str(cash)})


@exact_arithmetic
def sale(terms: PoolTerms, books: PoolBooks, *, amount: object, cost: object = None) -> Posting:
    """Proceeds back to cash; investments fall by the carrying value sold (``cost``).

    The realised gain or loss (proceeds - carrying value) reaches the owners' capital.
    Without ``cost`` the investments are sold at their carrying value: no gain.
    """
    proceeds = _positive_cash(amount, terms, "amount")
    carrying = proceeds if cost is None else _positive_cash(cost, terms, "cost")
    held = books.balance(AccountCode.INVESTMENTS)
    if carrying > held:
        name = "amount" if cost is None else "cost"
        raise InvalidValueError(name, f"the pool holds investments of {held}, cannot sell {carrying}")
    gain = proceeds - carrying
    lines: list[Line] = [
        Line(AccountCode.CASH, None, proceeds),
        Line(AccountCode.INVESTMENTS, None, -carrying),
    ]
    allocation: dict[str, str] = {}
    if gain:
        capital_lines, allocation = _allocate_to_capital(gain, ownership_weights(terms, books), terms, -1)
        lines += capital_lines
    details = {
        "proceeds": str(proceeds),
        "cost": str(carrying),
        "realised_gain": str(gain),
        "allocation": allocation,
    }
    return Posting(EntryType.SALE, _non_zero(lines), details)


@exact_arithmetic
def valuation(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    net_asset_value: object,
    on: date | None = None,
    fee_accrues_from: date | None = None,
) -> Posting:
    """Mark investments so the pool's net asset value is what the manager recorded.

    The change reaches every owner's capital account pro rata. When the books already show
    that value the entry has no lines: the mark is still a fact about its date (the day's
    deals are struck at its NAV per unit).

    In an open-ended pool whose terms charge a management fee on NAV, the mark also accrues
    the fee from ``fee_accrues_from`` to its date ``on``, both included, on the NAV recorded
    (:func:`accrued_management_fee`). The NAV recorded is before that fee (what the pool's
    assets less its liabilities so far are worth); the day's deals are struck at the NAV per
    unit after it. Deals happen only at
    marks, so the holders between two marks do not change: the accrual, shared by units, is
    each holder's fee for exactly the days they held, and every unit stays worth the same. A
    holder who leaves at a mark has paid the fee to that day; one who comes in pays from the
    next.
    """
    target = check_cash(net_asset_value, terms.currency, "net_asset_value")
    accrued = None
    if terms.open_ended and books.units_outstanding and on is not None and fee_accrues_from is not None:
        accrued = accrued_management_fee(terms, target, fee_accrues_from, on)
    fee = _ZERO if accrued is None else Decimal(accrued["amount"])
    change = target - books.net_asset_value
    investments = books.balance(AccountCode.INVESTMENTS)
    if investments + change < 0:
        floor = books.net_asset_value - investments
        raise InvalidValueError(
            "net_asset_value",
            f"{target} is below the pool's cash and receivables net of liabilities ({floor}); "
            "investments cannot be worth less than nothing",
        )
    lines: tuple[Line, ...] = ()
    allocation: dict[str, str] = {}
    weights = ownership_weights(terms, books) if change or accrued else {}
    if change:
        capital_lines, allocation = _allocate_to_capital(change, weights, terms, -1)
        lines = _non_zero([Line(AccountCode.INVESTMENTS, None, change), *capital_lines])
    details: dict[str, Any] = {
        "net_asset_value": str(target),
        "previous_net_asset_value": str(books.net_asset_value),
        "change": str(change),
        "allocation": allocation,
    }
    if accrued is not None:
        fee_lines, fee_allocation = _allocate_to_capital(fee, weights, terms, 1)
        lines = _non_zero([*lines, *fee_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
        details |= {
            "management_fee": accrued,
            "fee_allocation": fee_allocation,
            "net_asset_value_after_fee": str(target - fee),
        }
    if terms.open_ended and books.units_outstanding:
        details["nav_per_unit"] = str(
            nav_per_unit(target - fee, books.units_outstanding, terms.currency).nav_per_unit
        )
    return Posting(EntryType.VALUATION, lines, details, events=(("valuation.recorded", details),))


def units_in_issue_since(deals: Iterable[tuple[date, int, Decimal]]) -> date | None:
    """The day units last came into issue (from none to some), from the pool's deals in
    journal order (date, investor, units in: negative for a redemption); None with none."""
    outstanding, since = _ZERO, None
    for on, _, delta in deals:
        before, outstanding = outstanding, outstanding + delta
        if before <= 0 < outstanding:
            since = on
        elif outstanding <= 0:
            since = None
    return since


def mark_fee_accrues_from(
    terms: PoolTerms, last_charged: date | None, units_since: date | None
) -> date | None:
    """The first day of management fee on NAV that a mark in an open-ended pool accrues: the
    day after the last day charged (by a mark or a fee entry), or inception, and never before
    units were in issue. None when the terms charge no fee on NAV or no unit is in issue."""
    fee_terms = terms.management_fee
    if not terms.open_ended or fee_terms is None or fee_terms.basis != "nav" or units_since is None:
        return None
    first = last_charged + timedelta(days=1) if last_charged else terms.inception_date
    return max(first, units_since)


def accrued_management_fee(
    terms: PoolTerms, basis: Decimal, first_day: date, last_day: date
) -> dict[str, Any] | None:
    """The management fee on NAV a mark accrues: the terms' rate on ``basis`` (the NAV
    recorded) for ``first_day`` to ``last_day``, both included, rounded half-even once and
    never more than the basis. None when the terms charge no fee on NAV or no day is due."""
    fee_terms = terms.management_fee
    if fee_terms is None or fee_terms.basis != "nav" or first_day > last_day or basis <= 0:
        return None
    period = FeePeriod(first_day, last_day)
    fee = _period_fee(terms, fee_terms, basis, period)
    if fee == 0:
        return None
    return {
        "amount": str(min(fee, basis)),
        "period_start": first_day.isoformat(),
        "period_end": last_day.isoformat(),
        "days": period.accrual.days,
        "basis": "nav",
        "basis_amount": str(basis),
        "rate": str(fee_terms.rate),
        "day_count": str(fee_terms.day_count),
    }


def investor_value(terms: PoolTerms, books: PoolBooks, investor_id: int) -> Decimal:
    """Investor's stake: their capital account (equals units x NAV per unit within rounding)."""
    return books.capital_of(investor_id)
