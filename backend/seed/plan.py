"""Plan one pool's history: the ordered operations a manager would record, day by day.

The plan is made against a shadow of the pool's books (backend.seed.shadow_books): the same
pure posting rules the ledger runs (ledger.posting_rules), applied in memory. So the planner
knows the exact cash, units and NAV after every step and only plans what the real books will
accept: it never redeems more units than are held, never pays out more cash than the pool has
(it sells investments first), and contributions settle exactly what was called. When the plan
is posted through the TransactionService, every rule, check and hash applies again, and the
loader compares the real NAV with the shadow's at the end.

An open-ended pool's life is investors subscribing and redeeming at the struck price, with
income, expenses, fees and perhaps a yearly distribution; a closed-ended pool's is capital
called from commitments over its investment period, then exits distributed through the
waterfall.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from backend.pools.interface import PoolOut
from backend.seed.market import Walk, business_days, decimal_of, quantize, round_amount
from backend.seed.shadow_books import ZERO, PoolPlan, Shadow
from ledger.interface import AccountCode, DistributionMode, TransactionType, pool_terms

_UNIT = Decimal("0.000001")


@dataclass
class PoolProfile:
    """What the planner needs beyond the pool's terms."""

    pool: PoolOut
    walk: Walk
    currency_factor: int
    holders: list[int]
    """Investor ids in the order they join (open-ended) or with commitments (closed-ended)."""
    commitments: dict[int, Decimal] = field(default_factory=dict)
    keep: frozenset[int] = frozenset()
    """Investors who never fully exit (the demo investor, so the dashboard has data)."""
    income_yield: float = 0.0
    distributing: bool = False
    valuation_every_weeks: int = 1


# -- the calendar -------------------------------------------------------------------------


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


@dataclass
class _Calendar:
    """Which business days carry a valuation, and which period ends each one closes."""

    days: list[date]
    every_weeks: int

    def valuation_days(self) -> set[date]:
        marked: set[date] = set()
        week_ends: list[date] = []
        for i, day in enumerate(self.days):
            nxt = self.days[i + 1] if i + 1 < len(self.days) else None
            if nxt is None or nxt.isocalendar()[:2] != day.isocalendar()[:2]:
                week_ends.append(day)
            if nxt is None or _quarter(nxt) != _quarter(day):
                marked.add(day)  # every quarter end is valued, for fees and reporting
        marked.update(week_ends[self.every_weeks - 1 :: self.every_weeks])
        marked.add(self.days[-1])
        return marked


# -- open-ended -----------------------------------------------------------------------------


def plan_open_ended(  # noqa: PLR0912, PLR0915 - one pool's life, day by day, reads best in one place
    profile: PoolProfile, rng: random.Random, end: date
) -> PoolPlan:
    pool = profile.pool
    terms = pool_terms(pool)
    quantum = terms.currency.quantum
    plan = PoolPlan(pool.id)
    shadow = Shadow(terms, plan)
    factor = profile.currency_factor
    start = pool.inception_date
    days = business_days(start, end)
    valued = _Calendar(days, profile.valuation_every_weeks).valuation_days()
    waiting = list(profile.holders)
    founders = max(1, len(waiting) // 2)

    def subscribe(on: date, investor: int, low: float, high: float) -> None:
        amount = max(round_amount(rng, low, high, factor, 1000), pool.minimum_subscription)
        shadow.tx(TransactionType.SUBSCRIPTION, on, investor_id=investor, amount=amount)

    for investor in waiting[:founders]:
        subscribe(start, investor, 100_000, 3_000_000)
    waiting = waiting[founders:]
    shadow.invest_surplus(start)
    growth = 1.0
    month = (start.year, start.month)
    for i, day in enumerate(days[1:], start=1):
        growth *= profile.walk.factor(rng, 1)
        if day not in valued:
            continue
        change = quantize(shadow.investments * decimal_of(growth - 1.0), quantum)
        shadow.valuation(day, shadow.nav + change)
        growth = 1.0
        holders = shadow.books.investor_ids(AccountCode.UNITS)
        holders = [h for h in holders if shadow.books.units_of(h) > 0]
        # Money in: a newcomer (while any are waiting) or a top-up.
        if waiting and rng.random() < 0.35:
            subscribe(day, waiting.pop(0), 50_000, 2_000_000)
        elif holders and rng.random() < 0.15:
            subscribe(day, rng.choice(holders), 10_000, 500_000)
        # Money out: part or all of a holding, with cash raised first.
        if len(holders) > 1 and rng.random() < 0.12:
            _redeem(shadow, rng, day, holders, profile.keep)
        if (day.year, day.month) != month:
            month = (day.year, day.month)
            if profile.income_yield and shadow.investments > 0:
                income = quantize(shadow.investments * decimal_of(profile.income_yield / 12), quantum)
                if income > 0:
                    shadow.tx(TransactionType.INCOME, day, amount=income)
        nxt = days[i + 1] if i + 1 < len(days) else None
        if nxt is None or _quarter(nxt) != _quarter(day):
            _quarter_end_open(shadow, rng, day, pool)
        if nxt is None or nxt.year != day.year:
            shadow.performance_fee(day)
            _pay_fees(shadow, day)
            if profile.distributing and shadow.nav > 0:
                amount = quantize(shadow.nav * Decimal("0.025"), quantum)
                if amount > 0 and shadow.raise_cash(day, amount):
                    shadow.distribution(day, amount, DistributionMode.PRO_RATA)
        shadow.invest_surplus(day)
    plan.net_asset_value = shadow.nav
    return plan


def _redeem(shadow: Shadow, rng: random.Random, day: date, holders: list[int], keep: frozenset[int]) -> None:
    investor = rng.choice(holders)
    held = shadow.books.units_of(investor)
    fraction = rng.choice((Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1)))
    if fraction == 1 and investor in keep:
        fraction = Decimal("0.25")
    units = held if fraction == 1 else (held * fraction).quantize(_UNIT, rounding=ROUND_DOWN)
    if units <= 0:
        return
    proceeds = units * shadow.price()
    quantum = shadow.terms.currency.quantum
    if shadow.raise_cash(day, proceeds.quantize(quantum) + quantum):
        shadow.tx(TransactionType.REDEMPTION, day, investor_id=investor, units=units)


def _pay_fees(shadow: Shadow, day: date) -> None:
    owed = shadow.fees_payable
    if owed > 0 and shadow.raise_cash(day, owed):
        shadow.tx(TransactionType.FEE_PAYMENT, day, amount=owed)


def _quarter_end_open(shadow: Shadow, rng: random.Random, day: date, pool: PoolOut) -> None:
    quantum = shadow.terms.currency.quantum
    terms = pool.management_fee
    if terms is not None and shadow.nav > 0 and shadow.books.units_outstanding > 0:
        shadow.management_fee(day)
    if shadow.nav > 0 and shadow.books.units_outstanding > 0:
        cost = quantize(shadow.nav * decimal_of(rng.uniform(0.0002, 0.0008)), quantum)
        if cost > 0 and shadow.raise_cash(day, cost):
            shadow.tx(TransactionType.EXPENSE, day, amount=cost)
    _pay_fees(shadow, day)


# -- closed-ended ---------------------------------------------------------------------------


def plan_closed_ended(  # noqa: PLR0912, PLR0915 - as plan_open_ended
    profile: PoolProfile, rng: random.Random, end: date
) -> PoolPlan:
    pool = profile.pool
    terms = pool_terms(pool)
    quantum = terms.currency.quantum
    plan = PoolPlan(pool.id)
    shadow = Shadow(terms, plan)
    start = pool.inception_date
    days = business_days(start, end)
    valued = _Calendar(days, profile.valuation_every_weeks).valuation_days()
    commitments = shadow.commitments = profile.commitments
    committed = sum(commitments.values(), ZERO)
    fee_terms = pool.management_fee
    investment_period = start + timedelta(days=3 * 365)
    harvest_from = start + timedelta(days=int(2.5 * 365))
    called_fraction = ZERO
    owed: dict[date, list[tuple[int, Decimal]]] = defaultdict(list)
    growth = 1.0

    def call(day: date, percent: Decimal) -> None:
        nonlocal called_fraction
        parts = shadow.capital_call(day, percent, commitments)
        called_fraction += percent
        for investor, part in sorted(parts.items()):
            # Most pay within the week; a few take until the due date.
            late = rng.choice((0, 1, 2, 3, 5, 9)) if rng.random() < 0.85 else 13
            pay_on = min(day + timedelta(days=late), end)
            owed[pay_on].append((investor, part))

    call(start, decimal_of(rng.uniform(0.15, 0.25), 2))
    for i, day in enumerate(days):
        for investor, part in owed.pop(day, []):
            shadow.contribution(day, investor, part)
        if i == 0:
            continue
        # Money owed for a date that was not a business day is paid on the next one.
        for missed in sorted(d for d in owed if d < day):
            for investor, part in owed.pop(missed):
                shadow.contribution(day, investor, part)
        growth *= profile.walk.factor(rng, 1)
        if day not in valued:
            continue
        change = quantize(shadow.investments * decimal_of(growth - 1.0), quantum)
        shadow.valuation(day, shadow.nav + change)
        growth = 1.0
        nxt = days[i + 1] if i + 1 < len(days) else None
        if nxt is None or _quarter(nxt) != _quarter(day):
            if fee_terms is not None and shadow.books.investor_ids(AccountCode.CAPITAL):
                shadow.management_fee(day)
            cost = quantize(committed * decimal_of(rng.uniform(0.0001, 0.0004)), quantum)
            if cost > 0 and shadow.raise_cash(day, cost):
                shadow.tx(TransactionType.EXPENSE, day, amount=cost)
            _pay_fees(shadow, day)
            if day < investment_period and called_fraction < Decimal("0.85") and rng.random() < 0.7:
                room = Decimal("0.95") - called_fraction
                call(day, min(room, decimal_of(rng.uniform(0.08, 0.2), 2)))
            if day >= harvest_from and shadow.investments > 0 and rng.random() < 0.6:
                # An exit: part of the portfolio sold at its mark, the proceeds distributed.
                sold = quantize(shadow.investments * decimal_of(rng.uniform(0.08, 0.25)), quantum)
                if sold > 0:
                    shadow.tx(TransactionType.SALE, day, amount=sold)
                amount = shadow.cash - shadow.buffer()
                if amount > 0:
                    shadow.distribution(day, amount, DistributionMode.WATERFALL)
            elif shadow.investments > 0 and rng.random() < 0.3:
                dividend = quantize(shadow.investments * decimal_of(rng.uniform(0.002, 0.01)), quantum)
                if dividend > 0:
                    shadow.tx(TransactionType.INCOME, day, amount=dividend)
        if day < investment_period:
            shadow.invest_surplus(day)
    plan.net_asset_value = shadow.nav
    return plan
