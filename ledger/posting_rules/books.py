"""The inputs every posting rule takes: the pool's terms, a snapshot of its books (balances by
account), and what a rule returns (a Posting), with the helpers the rules share (dealing
price, ownership weights, allocation to capital accounts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.allocation import allocate_cash
from backend.finance.clawback import ClawbackTerms
from backend.finance.errors import InvalidValueError
from backend.finance.fees import ManagementFeeTerms, PerformanceFeeTerms
from backend.finance.investor_terms import CarryToDate
from backend.finance.money import (
    Currency,
    check_cash,
    exact_arithmetic,
)
from backend.finance.share_class_terms import ShareClass
from backend.finance.unitisation import nav_per_unit
from backend.finance.waterfall import WaterfallState, WaterfallTerms
from ledger.schemas import AccountCode, AccountRef, EntryType, PostingLine

OPEN_ENDED = "open_ended"


CLOSED_ENDED = "closed_ended"


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
    clawback: ClawbackTerms | None = None
    """Set for an American (deal-by-deal) waterfall: distributions name the deal, and the GP
    gives back at a clawback test what it took beyond the whole fund's figure."""
    share_classes: tuple[ShareClass, ...] = ()
    """An open-ended pool's classes: each has its own fee rates and NAV per unit (none: one
    class on the pool's own terms)."""

    @property
    def deal_by_deal(self) -> bool:
        return self.clawback is not None

    @property
    def open_ended(self) -> bool:
        return self.kind == OPEN_ENDED

    @property
    def class_currencies(self) -> tuple[str, ...]:
        """The currencies other than the pool's that its classes deal in, each once."""
        codes = (c.currency.code for c in self.share_classes if c.currency != self.currency)
        return tuple(dict.fromkeys(codes))

    def share_class(self, class_id: str) -> ShareClass:
        for share_class in self.share_classes:
            if share_class.class_id == class_id:
                return share_class
        codes = ", ".join(c.class_id for c in self.share_classes) or "none"
        raise InvalidValueError(
            "share_class", f"pool {self.pool_id} has no class {class_id!r}; its classes: {codes}"
        )


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
class FeeOffsetsToDate:
    """The pool's fee offset so far, from the entries that stand: each portfolio-company fee
    the manager received (date, amount) and the offset the management fees have used."""

    received: tuple[tuple[date, Decimal], ...] = ()
    used: Decimal = _ZERO

    def received_through(self, last_day: date) -> Decimal:
        return sum((amount for on, amount in self.received if on <= last_day), _ZERO)


@dataclass(frozen=True, slots=True)
class PoolBooks:
    """A snapshot of one pool's balances, plus the few facts kept beside them.

    ``balances`` maps (account, investor id or None) to the signed balance.
    """

    balances: Mapping[AccountRef, Decimal]
    high_water_mark_per_unit: Decimal | None = None
    high_water_mark_set_on: date | None = None
    waterfall_state: WaterfallState = field(default_factory=WaterfallState)
    fee_offsets: FeeOffsetsToDate = field(default_factory=FeeOffsetsToDate)
    carry_to_date: Mapping[str, CarryToDate] = field(default_factory=dict)
    """Per investor: the GP's share it bore in earlier distributions, and what the GP kept
    (side-letter carry rebates are rounded once over the pool's life)."""
    share_class_of: Mapping[int, str] = field(default_factory=dict)
    """Each investor's share class (pools with classes): that of its latest subscription."""
    class_high_water_marks: Mapping[str, tuple[Decimal, date]] = field(default_factory=dict)
    """Per class: the high-water mark per unit its last performance fee left, and its date."""
    class_lots: Mapping[int, tuple[tuple[Decimal, Decimal], ...]] = field(default_factory=dict)
    """Per investor in a class: (units, reference per unit) of each lot since its class's last
    performance fee, oldest first: what equalisation charges each unit's own gain from."""
    class_fx_rates: Mapping[str, Decimal] = field(default_factory=dict)
    """Per class currency other than the pool's: units of it per one base unit, as the latest
    valuation gave it (what a class in that currency is priced at until the next one)."""

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


def _require_kind(terms: PoolTerms, kind: str, what: str) -> None:
    if terms.kind != kind:
        other = "an open-ended" if kind == OPEN_ENDED else "a closed-ended"
        raise InvalidValueError(
            "type", f"{what} applies to {other} pool; pool {terms.pool_id} is {terms.kind}"
        )


def _positive_cash(value: object, terms: PoolTerms, name: str, currency: Currency | None = None) -> Decimal:
    """A positive amount in the pool's currency (or ``currency``, a class's)."""
    amount = check_cash(value, currency or terms.currency, name)
    if amount <= 0:
        raise InvalidValueError(name, f"must be greater than zero, got {amount}")
    return amount


def _within_net_assets(cash: Decimal, terms: PoolTerms, books: PoolBooks) -> None:
    """An open-ended pool's units are priced at its net assets: a payout that left them at
    zero or below while units are outstanding would leave no price to value, deal or redeem
    at, and the holders could never leave (a closed-ended pool may owe more than it holds
    until its next capital call)."""
    if terms.kind != OPEN_ENDED:
        return
    nav = books.net_asset_value
    if books.units_outstanding > 0 and cash >= nav:
        raise InvalidValueError(
            "amount",
            f"must be less than the pool's net asset value, {nav}, while it has units "
            "outstanding: they would be priced at zero or below",
        )
    if cash > nav:
        raise InvalidValueError("amount", f"must not be more than the pool's net asset value, {nav}")


def investment_name(name: str) -> str:
    """A portfolio investment's name as the register keys it (purchases, sales, fees)."""
    named = name.strip()
    if not named:
        raise InvalidValueError("investment", "must name the investment")
    return named


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

    Open-ended: units held; with share classes, each holder's capital account (the relative
    net assets method: a class's part is its net assets' share of the pool's). Closed-ended:
    capital at work, the capital account less what is still owed on calls (a called, unpaid
    amount is a receivable, not capital), so an investor who has not paid earns nothing on
    what they did not pay.
    """
    if terms.share_classes:
        # Units of different classes are worth different amounts: each holder owns its value.
        holders = (i for i in books.investor_ids(AccountCode.UNITS) if books.units_of(i) > 0)
        weights = {str(i): books.capital_of(i) for i in holders}
    elif terms.open_ended:
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


def investor_value(terms: PoolTerms, books: PoolBooks, investor_id: int) -> Decimal:
    """Investor's stake: their capital account (equals units x NAV per unit within rounding)."""
    return books.capital_of(investor_id)
