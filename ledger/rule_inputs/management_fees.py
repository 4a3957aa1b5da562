"""Management fees charged so far, and the period and inputs of the next one.

Each day's management fee is charged once, by a fee entry or by a NAV mark that accrued it:
this module reads the periods and amounts the standing ones charged, the day the next mark's
fee accrues from and the NAV it starts from, the fee charged since the high-water mark was
set (what a performance fee gross of the management fee adds back), and checks the period a
new fee entry asks for against those already charged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from backend.finance.errors import InvalidValueError
from backend.finance.fees import FeePeriod
from backend.finance.investor_terms import InvestorTerms
from ledger import posting_rules as rules
from ledger.book_reads import nav_at_close_of, standing_details
from ledger.posting_rules import PoolBooks, PoolTerms
from ledger.rule_inputs.standing_facts import PoolFacts
from ledger.rule_inputs.unit_dealing import unit_deals
from ledger.schemas import EntryType, TransactionRequest


def standing_fee_facts(session: Session, pool_id: int) -> PoolFacts:
    """The facts of every standing management fee entry and every mark that accrued the fee,
    in journal order: the days each charged (each day's fee is charged once, by one or the
    other) and what each charged."""
    facts = PoolFacts()
    for entry_id, on, kind, details in standing_details(
        session, pool_id, (EntryType.MANAGEMENT_FEE, EntryType.VALUATION)
    ):
        facts.add(kind, on, details, entry_id)
    return facts


def standing_fee_periods(session: Session, pool_id: int) -> list[tuple[int | None, FeePeriod]]:
    """(entry id, days charged) of every fee entry and fee-accruing mark that stands."""
    return standing_fee_facts(session, pool_id).fee_periods


def fees_charged(session: Session, pool_id: int) -> list[tuple[date, Decimal]]:
    """(date, amount) of the management fee every fee entry and mark that stands charged."""
    return standing_fee_facts(session, pool_id).fees_charged


def fees_since(charged: Sequence[tuple[date, Decimal]], books: PoolBooks, on: date) -> Decimal:
    """The management fee charged after the high-water mark was set (all of it before the
    first crystallisation), up to ``on``."""
    since = books.high_water_mark_set_on
    return sum((a for day, a in charged if (since is None or day > since) and day <= on), Decimal(0))


def mark_fee_accrues_from(session: Session, terms: PoolTerms) -> date | None:
    """The first day of management fee on NAV the pool's next mark accrues (None: none)."""
    if not terms.open_ended or (terms.management_fee is None and not terms.share_classes):
        return None
    since = rules.units_in_issue_since(unit_deals(session, terms.pool_id))
    return rules.mark_fee_accrues_from(
        terms, last_day_charged(standing_fee_periods(session, terms.pool_id)), since
    )


def opening_nav(session: Session, terms: PoolTerms, accrues_from: date | None) -> Decimal | None:
    """The NAV a fee on the beginning or average NAV starts from (None where the terms do not
    need it): at the close of the last day before the mark's first day of fee, the previous
    mark's day with its deals; for the pool's first period, at the close of the day its units
    came into issue, so the launch subscriptions are the beginning NAV and not nothing."""
    fee_terms = terms.management_fee
    if accrues_from is None or fee_terms is None or fee_terms.nav_point == "ending":
        return None
    launched = rules.units_in_issue_since(unit_deals(session, terms.pool_id)) == accrues_from
    day = accrues_from if launched else accrues_from - timedelta(days=1)
    return nav_at_close_of(session, terms.pool_id, day)


def last_day_charged(charged: Sequence[tuple[int | None, FeePeriod]]) -> date | None:
    return max((p.last_day for _, p in charged), default=None)


@dataclass(frozen=True)
class FeeInputs:
    """What a management fee reads besides the balances: the periods already charged (entry
    id, period), commitments, and capital called per investor."""

    charged: list[tuple[int | None, FeePeriod]]
    commitments: Mapping[int, Decimal]
    called: Mapping[int, Decimal]
    holding_since: Mapping[int, date] = field(default_factory=dict)
    investor_terms: Mapping[int, InvestorTerms] = field(default_factory=dict)
    """Side letters and GP commitments: investors on their own fee rate."""

    def invested(self, books: PoolBooks) -> dict[int, Decimal]:
        returned = books.waterfall_state.capital_returned_by_investor
        return {i: c - returned.get(str(i), Decimal(0)) for i, c in self.called.items()}


def fee_period(
    terms: PoolTerms, charged: Sequence[tuple[int | None, FeePeriod]], request: TransactionRequest
) -> FeePeriod:
    """The days a management fee charges for: as asked, or from the day after the last period
    charged (or inception) to its effective date. Each day is charged once."""
    last = max((p.last_day for _, p in charged), default=None)
    first = request.period_start or (last + timedelta(days=1) if last else terms.inception_date)
    in_advance = terms.management_fee is not None and terms.management_fee.in_advance
    if in_advance and request.period_end is None:
        raise InvalidValueError("period_end", "a fee charged in advance names the last day it covers")
    final = request.period_end or request.effective_date
    period = FeePeriod(first, final)
    if in_advance and request.effective_date > first:
        raise InvalidValueError(
            "effective_date",
            f"the terms charge the fee in advance: date it on or before its period's first day, {first}",
        )
    if final > request.effective_date and not in_advance:
        raise InvalidValueError(
            "period_end", f"{final} is after the fee's effective date {request.effective_date}"
        )
    if first < terms.inception_date:
        raise InvalidValueError(
            "period_start", f"{first} is before the pool's inception on {terms.inception_date}"
        )
    for entry_id, other in charged:
        if period.overlaps(other):
            raise InvalidValueError(
                "period_start",
                f"{first} to {final} overlaps {other.first_day} to {other.last_day}, already charged by "
                f"entry {entry_id}; each day's fee is charged once",
            )
    return period
