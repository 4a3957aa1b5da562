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

Where it is used: the LPs' net asset value, value, TVPI, RVPI and IRR at the end of a
performance report, and a capital account statement's balances at both ends. The pool's
time-weighted return is before carried interest (the GP's share of a distribution is paid
out of the pool like the LPs' share: carry is an allocation of the pool's return, not a
loss of it), so it needs no accrual between those dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.investor_terms import CarryToDate, InvestorTerms
from backend.finance.waterfall import WaterfallState
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


class CarryBook:
    """The waterfall state as a replay of the books goes along, and the accrual on a date.

    ``add`` takes each standing entry in (date, seq) order, as the ledger's own facts do:
    contributions and waterfall distributions, from the workings stored with them.
    ``accrual`` runs the waterfall once per (state, date, value): each run costs time in
    proportion to the contributions and payments in the state, so a report asks for it
    only on the dates it shows.
    """

    def __init__(
        self, terms: PoolTerms | None, investor_terms: Mapping[int, InvestorTerms] | None = None
    ) -> None:
        self.terms = terms
        self.investor_terms = investor_terms
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
        if kind is EntryType.CONTRIBUTION and "investor_id" in details:
            self._contributions.append((int(details["investor_id"]), Decimal(details["amount"]), on))
            self._state = None
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
        if self.terms is None or not self.active or value <= 0 or not self._contributions:
            return NO_CARRY
        key = (len(self._contributions), len(self._distributions), on, value)
        found = self._memo.get(key)
        if found is None:
            to_date = rules.carry_to_date((details for _, details in self._distributions), self._clawbacks)
            found = self._memo[key] = accrued_carry(
                self.terms, self.state, value, on, self.investor_terms, carry_to_date=to_date
            )
        return found
