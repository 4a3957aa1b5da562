"""The pool's facts beside its balances, read from the details of the entries that stand.

PoolFacts takes in each standing entry in journal order and keeps what a posting rule needs
that no balance holds: the high-water mark the last performance fee left, the days each
management fee (or NAV mark that accrued it) charged, contributions and waterfall
distributions (the waterfall's history), the fee offsets used, clawbacks, and in a pool with
share classes each investor's class, lots and the classes' currency rates. pool_books adds
them to the balances as the rules' PoolBooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from backend.finance.fees import FeePeriod
from backend.finance.waterfall import WaterfallState
from ledger import posting_rules as rules
from ledger.book_reads import standing_details
from ledger.posting_rules import PoolBooks, PoolTerms
from ledger.posting_rules.books import FeeOffsetsToDate
from ledger.rule_inputs.unit_dealing import DEAL_TYPES
from ledger.schemas import AccountRef, EntryType

_FACT_TYPES = (
    EntryType.PERFORMANCE_FEE,
    EntryType.MANAGEMENT_FEE,
    EntryType.CONTRIBUTION,
    EntryType.DISTRIBUTION,
    EntryType.CAPITAL_CALL,
    EntryType.PORTFOLIO_COMPANY_FEE,
    EntryType.SUBSEQUENT_CLOSE,
    EntryType.CLAWBACK,
)


@dataclass
class PoolFacts:
    """What the rules need beside the balances, from the details of the entries that stand."""

    hwm: Decimal | None = None
    hwm_set_on: date | None = None
    fee_periods: list[tuple[int | None, FeePeriod]] = field(default_factory=list)
    contributions: list[tuple[int, Decimal, date]] = field(default_factory=list)
    distributions: list[tuple[date, dict[str, Any]]] = field(default_factory=list)
    portfolio_fees: list[tuple[date, Decimal]] = field(default_factory=list)
    offset_used: Decimal = Decimal(0)
    fees_charged: list[tuple[date, Decimal]] = field(default_factory=list)
    """(date, amount) of the management fee each fee entry (net of any offset) or mark
    charged: what a performance fee gross of the management fee adds back."""
    clawbacks: list[dict[str, Any]] = field(default_factory=list)
    share_class_of: dict[int, str] = field(default_factory=dict)
    """Pools with share classes: each investor's class, from its latest subscription."""
    class_hwm: dict[str, tuple[Decimal, date]] = field(default_factory=dict)
    class_lots: dict[int, list[tuple[Decimal, Decimal]]] = field(default_factory=dict)
    fx_rates: dict[str, Decimal] = field(default_factory=dict)

    def add(  # noqa: PLR0912 - one branch per entry type
        self, kind: EntryType, on: date, details: dict[str, Any], entry_id: int | None = None
    ) -> None:
        """Take in one more standing entry (in journal order)."""
        if kind is EntryType.PERFORMANCE_FEE and "share_class" in details:
            self.class_hwm[details["share_class"]] = (Decimal(details["high_water_mark_after"]), on)
            for holder, settled in (details.get("investors") or {}).items():
                self.class_lots[int(holder)] = [(Decimal(u), Decimal(r)) for u, r in settled["lots_after"]]
        elif kind is EntryType.PERFORMANCE_FEE:
            self.hwm = Decimal(details["high_water_mark_after"])
            self.hwm_set_on = on
        elif kind is EntryType.SUBSCRIPTION and "share_class" in details:
            investor = int(details["investor_id"])
            self.share_class_of[investor] = details["share_class"]
            lot = (Decimal(details["units"]), Decimal(details["nav_per_unit"]))
            self.class_lots[investor] = [*self.class_lots.get(investor, []), lot]
        elif kind is EntryType.REDEMPTION and "share_class" in details:
            investor = int(details["investor_id"])
            lots = self.class_lots.get(investor, [])
            self.class_lots[investor] = rules.lots_after_redemption(lots, Decimal(details["units"]))
        elif kind is EntryType.MANAGEMENT_FEE:
            if "amount" in details:  # an entry posted by hand has no workings
                self.fees_charged.append((on, Decimal(details["amount"])))
            if "period_start" in details:
                self.fee_periods.append((entry_id, _period_of(details)))
            if "fee_offset" in details:
                self.offset_used += Decimal(details["fee_offset"]["used"])
        elif kind is EntryType.PORTFOLIO_COMPANY_FEE:
            self.portfolio_fees.append((on, Decimal(details["amount"])))
        elif kind is EntryType.CLAWBACK:
            self.clawbacks.append(details)
        elif kind is EntryType.SUBSEQUENT_CLOSE:
            # As if from the first close: each share of each call moved, dated at the call.
            for holder, change, call_on in details["contributions"]:
                self.contributions.append((int(holder), Decimal(change), date.fromisoformat(call_on)))
        elif kind is EntryType.VALUATION:
            self.fx_rates |= {code: Decimal(rate) for code, rate in (details.get("fx_rates") or {}).items()}
            if "management_fee" in details:
                self.fee_periods.append((entry_id, _period_of(details["management_fee"])))
                self.fees_charged.append((on, Decimal(details["management_fee"]["amount"])))
        elif kind is EntryType.CONTRIBUTION:
            self.contributions.append((int(details["investor_id"]), Decimal(details["amount"]), on))
        elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
            self.distributions.append((on, details))
            # Calls paid out of the distribution: contributions of its date.
            for holder, part in (details.get("deemed_contributions") or {}).items():
                self.contributions.append((int(holder), Decimal(part), on))

    def books(self, balances: Mapping[AccountRef, Decimal], state: WaterfallState | None = None) -> PoolBooks:
        if state is None:
            state = rules.waterfall_state_from_history(self.contributions, self.distributions, self.clawbacks)
        return PoolBooks(
            balances,
            high_water_mark_per_unit=self.hwm,
            high_water_mark_set_on=self.hwm_set_on,
            waterfall_state=state,
            fee_offsets=FeeOffsetsToDate(tuple(self.portfolio_fees), self.offset_used),
            carry_to_date=rules.carry_to_date((details for _, details in self.distributions), self.clawbacks),
            share_class_of=self.share_class_of,
            class_high_water_marks=self.class_hwm,
            class_lots={investor: tuple(lots) for investor, lots in self.class_lots.items()},
            class_fx_rates=dict(self.fx_rates),
        )


def _period_of(details: Mapping[str, Any]) -> FeePeriod:
    return FeePeriod(date.fromisoformat(details["period_start"]), date.fromisoformat(details["period_end"]))


def pool_facts(session: Session, terms: PoolTerms) -> PoolFacts:
    """The facts of the pool's standing entries; in a pool with share classes its deals too
    (which class each investor holds, and its lots), read only for such a pool."""
    facts = PoolFacts()
    types = (*_FACT_TYPES, *DEAL_TYPES) if terms.share_classes else _FACT_TYPES
    if terms.class_currencies:
        types = (*types, EntryType.VALUATION)  # the latest rate of each class's currency
    for entry_id, on, kind, details in standing_details(session, terms.pool_id, types):
        facts.add(kind, on, details, entry_id)
    return facts


def pool_books(session: Session, terms: PoolTerms, balances: dict[AccountRef, Decimal]) -> PoolBooks:
    """Balances plus the facts the rules need, read under the pool's lock."""
    return pool_facts(session, terms).books(balances)
