"""Accrued carried interest: the GP's share of a hypothetical liquidation at NAV (pure, no I/O).

A closed-ended pool's capital accounts hold the whole net asset value, the GP's carried
interest included until a distribution pays it. ILPA and GIPS report the LPs' figures net
of it: the carried interest the GP would take if the pool were liquidated at its value
today. So on a date D with value V (net asset value less capital called and not yet paid):

    accrued carried interest = what the waterfall would pay the GP (catch-up plus carried
    interest) out of a distribution of V on D, over the waterfall state the books stand at.

The books are only read: the state is rebuilt with ``ledger.posting_rules.
waterfall_state_from_history`` from the contributions and waterfall distributions that
stand (exactly as the ledger rebuilds it before a real distribution), and the distribution
is the ledger's own posting rule (``waterfall_distribution``, which runs
``backend.finance.waterfall.distribute``), never posted. Per investor, the accrual is what that
rule would charge the investor's capital account beyond the cash the investor would
receive: the investor's share of the GP's amounts, split exactly as a real distribution
would split it. The per-investor figures add up to the pool's.

Nothing accrues when there is no positive value, no contribution yet, no waterfall terms,
or when the value would not even return the unreturned capital (tier 1 takes it all: a
shortcut that skips the preferred-return arithmetic, which is the costly part).

**American (deal-by-deal) pools.** Liquidating at value ends the fund, and the final clawback
then caps what the GP keeps at the whole fund's figure. So the accrual is worked in two steps:
the value goes through the tiers as above (E: what the unrealised deals would pay the GP, the
deals' own marks not being in the books), and the clawback test runs on the carry the GP has
taken so far plus E, with the value as one more distribution on the day
(``backend.finance.clawback``: the same whole-fund figure, tax offset and split the posted
clawback uses). The accrual is E less that clawback, split over the investors pro rata to the
carry each bore (E included). It is negative when the GP already took more than the whole
fund would give it: a clawback receivable of the LPs, which their value includes.

Where it is used: the LPs' net asset value, value, TVPI, RVPI and IRR at the end of a
performance report, and a capital account statement's balances at both ends. The pool's
time-weighted return is before carried interest (the GP's share of a distribution is paid
out of the pool like the LPs' share: carry is an allocation of the pool's return, not a
loss of it), so it needs no accrual between those dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance import clawback as clawbacks
from backend.finance.deal_tiers import split
from backend.finance.deal_waterfall import DealDistribution, DealTerms, carry_borne_by_investor
from backend.finance.investor_terms import CarryToDate, InvestorTerms, carry_kept
from backend.finance.waterfall import Tier, TierAmount, WaterfallState
from ledger.interface import AccountCode, EntryType, PoolBooks, PoolTerms
from ledger.interface import posting_rules as rules

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CarryAccrual:
    """Accrued carried interest at one mark: the pool's total and each investor's part."""

    total: Decimal = _ZERO
    by_investor: Mapping[int, Decimal] = field(default_factory=dict)

    def of(self, investor_id: int) -> Decimal:
        return self.by_investor.get(investor_id, _ZERO)


NO_CARRY = CarryAccrual()


def accrued_carry(
    terms: PoolTerms,
    state: WaterfallState,
    value: Decimal,
    on: date,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    *,
    carry_to_date: Mapping[str, CarryToDate] | None = None,
) -> CarryAccrual:
    """The GP's share of a distribution of ``value`` on ``on`` through the waterfall (see the
    module docstring); NO_CARRY when nothing would reach the GP. ``carry_to_date``: what each
    investor bore and the GP kept in the distributions so far (side-letter rebates are
    rounded over the pool's life)."""
    if terms.waterfall is None or value <= 0 or not state.contributions:
        return NO_CARRY
    if value <= state.contributed_capital - state.capital_returned:
        return NO_CARRY  # all of it would be return of capital
    posting = rules.waterfall_distribution(
        terms,
        PoolBooks({}, waterfall_state=state, carry_to_date=carry_to_date or {}),
        amount=value,
        on=on,
        investor_terms=investor_terms,
    )
    received = {
        int(holder): Decimal(share["total"]) for holder, share in posting.details["investors"].items()
    }
    by_investor: dict[int, Decimal] = {}
    for code, investor, amount in ((line.account, line.investor_id, line.amount) for line in posting.lines):
        if code is AccountCode.CAPITAL and investor is not None:
            # The capital account pays what the investor receives plus the GP's part it bears.
            borne = amount - received.get(investor, _ZERO)
            if borne:
                by_investor[investor] = by_investor.get(investor, _ZERO) + borne
    return CarryAccrual(total=sum(by_investor.values(), _ZERO), by_investor=by_investor)


@dataclass(frozen=True, slots=True)
class DealHistory:
    """What an American pool's clawback test reads, as the ledger reads it (rule_inputs.deal_facts)."""

    commitments: Mapping[int, Decimal]
    purchases: list[tuple[date, str, Decimal]] = field(default_factory=list)
    sales: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)
    distributions: list[tuple[date, Mapping[str, Any]]] = field(default_factory=list)
    clawbacks: list[Mapping[str, Any]] = field(default_factory=list)

    def add(self, kind: EntryType, on: date, details: Mapping[str, Any]) -> None:
        if "investment" in details:
            if kind is EntryType.PURCHASE:
                self.purchases.append((on, details["investment"], Decimal(details["amount"])))
            elif kind is EntryType.SALE:
                self.sales.append(
                    (details["investment"], Decimal(details["cost"]), Decimal(details["proceeds"]))
                )
            elif kind is EntryType.DISTRIBUTION:
                self.distributions.append((on, details))
        elif kind is EntryType.CLAWBACK:
            self.clawbacks.append(details)


def after_final_clawback(
    terms: PoolTerms,
    deals: DealHistory,
    accrual: CarryAccrual,
    value: Decimal,
    on: date,
    *,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
) -> CarryAccrual:
    """``accrual`` (the tiers' figure for a distribution of ``value`` on ``on``) less the
    clawback a final test would then take (the module docstring)."""
    if terms.waterfall is None or not deals.purchases:
        return accrual
    currency = terms.currency
    book = rules.deal_book(
        deals.purchases,
        deals.sales,
        distributions=deals.distributions,
        clawbacks_paid=deals.clawbacks,
        commitments=deals.commitments,
        currency=currency,
    )
    zero = Decimal(0).quantize(currency.quantum)
    liquidation = DealDistribution(
        deal_id="liquidation at value",
        on=on,
        amount=value,
        tiers=tuple(TierAmount(t, zero, zero) for t in Tier),  # type: ignore[arg-type]  # four
        loss_recovery=zero,
        investors=(),
    )
    fund = book.fund
    if value > 0:
        fund = replace(fund, distributions=(*fund.distributions, liquidation))
    whole = clawbacks.whole_fund_carry(DealTerms(terms.waterfall), fund, on)
    borne = carry_borne_by_investor(book.fund.distributions)
    for holder, back in book.clawed_back.items():
        borne[holder] = borne.get(holder, zero) - back
    for investor, part in accrual.by_investor.items():
        borne[str(investor)] = borne.get(str(investor), zero) + part
    received = sum(borne.values(), zero)
    clawback_terms = terms.clawback or clawbacks.ClawbackTerms()
    *_, owed = clawbacks.clawback_amount(clawback_terms, received, whole, currency)
    if not owed:
        return accrual
    parts = split(owed, borne, borne, currency)
    pool_rate = terms.waterfall.carried_interest_rate
    by_investor = dict(accrual.by_investor)
    for holder, at_pool_rate in parts.items():
        back = at_pool_rate
        letter = (investor_terms or {}).get(int(holder))
        if letter is not None and pool_rate:
            # As the posted clawback: an investor whose letter lowered its carry gets back its
            # part in the same proportion.
            ratio = Fraction(letter.carry_rate(pool_rate)) / Fraction(pool_rate)
            back = carry_kept(at_pool_rate, ratio, currency)
        if back:
            by_investor[int(holder)] = by_investor.get(int(holder), zero) - back
    return CarryAccrual(total=sum(by_investor.values(), zero), by_investor=by_investor)


class CarryBook:
    """The waterfall state as a replay of the books goes along, and the accrual on a date.

    ``add`` takes each standing entry in (date, seq) order, as the ledger's own facts do:
    contributions and waterfall distributions, from the workings stored with them.
    ``accrual`` runs the waterfall once per (state, date, value): each run costs time in
    proportion to the contributions and payments in the state, so a report asks for it
    only on the dates it shows.
    """

    def __init__(
        self,
        terms: PoolTerms | None,
        investor_terms: Mapping[int, InvestorTerms] | None = None,
        commitments: Mapping[int, Decimal] | None = None,
    ) -> None:
        self.terms = terms
        self.investor_terms = investor_terms
        self._deals = DealHistory(commitments or {}) if terms is not None and terms.deal_by_deal else None
        self._contributions: list[tuple[int, Decimal, date]] = []
        self._distributions: list[tuple[date, Mapping[str, Any]]] = []
        self._clawbacks: list[Mapping[str, Any]] = []
        self._state: WaterfallState | None = WaterfallState()
        self._memo: dict[tuple[int, int, date, Decimal], CarryAccrual] = {}

    @property
    def active(self) -> bool:
        return self.terms is not None and self.terms.waterfall is not None

    def add(self, kind: EntryType, on: date, details: Mapping[str, Any]) -> None:
        if not self.active or not details:
            return
        if self._deals is not None:
            self._deals.add(kind, on, details)
        if kind is EntryType.CONTRIBUTION and "investor_id" in details:
            self._contributions.append((int(details["investor_id"]), Decimal(details["amount"]), on))
            self._state = None
        elif kind in (EntryType.PURCHASE, EntryType.SALE):
            self._memo.clear()  # the deals the clawback test reads changed
        elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
            self._distributions.append((on, details))
            for holder, part in (details.get("deemed_contributions") or {}).items():
                self._contributions.append((int(holder), Decimal(part), on))
            self._state = None
        elif kind is EntryType.CLAWBACK:
            self._clawbacks.append(details)
            self._memo.clear()
            self._state = None
        elif kind is EntryType.SUBSEQUENT_CLOSE:
            # As the books' waterfall takes it: each share of each call moved, at the call's date.
            for holder, change, call_on in details["contributions"]:
                self._contributions.append((int(holder), Decimal(change), date.fromisoformat(call_on)))
            self._state = None

    @property
    def state(self) -> WaterfallState:
        if self._state is None:
            self._state = rules.waterfall_state_from_history(
                self._contributions,
                [(on, dict(details)) for on, details in self._distributions],
                self._clawbacks,
            )
        return self._state

    def accrual(self, value: Decimal, on: date) -> CarryAccrual:
        if self.terms is None or not self.active or not self._contributions:
            return NO_CARRY
        if value <= 0 and self._deals is None:
            return NO_CARRY
        key = (len(self._contributions), len(self._distributions), on, value)
        found = self._memo.get(key)
        if found is None:
            to_date = rules.carry_to_date((details for _, details in self._distributions), self._clawbacks)
            found = accrued_carry(
                self.terms, self.state, value, on, self.investor_terms, carry_to_date=to_date
            )
            if self._deals is not None:
                found = after_final_clawback(
                    self.terms, self._deals, found, value, on, investor_terms=self.investor_terms
                )
            self._memo[key] = found
        return found
