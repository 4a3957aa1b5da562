"""What a posting rule is given: the pool's facts, the fee periods charged, the rule for a request.

A posting rule (ledger.posting_rules) is a pure function of the pool's terms, its books and
the request. Its inputs beside the balances come from the details of the entries that stand:
the high-water mark the last performance fee left, the days each management fee (or NAV mark
that accrued it) already charged, the capital called and contributed per investor (the
waterfall's history), who holds units since when. This module reads those facts and picks
the rule for a request; the single write (ledger.transactions), the batch planner
(ledger.batch_rows) and the previews (ledger.previews) all go through it, so a preview shows
exactly what the write would post.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.fees import FeePeriod
from backend.finance.investor_terms import InvestorTerms
from backend.finance.waterfall import WaterfallState
from backend.platform.errors import ValidationFailed
from ledger import posting_rules as rules
from ledger.book_reads import nav_at_close_of, standing_details
from ledger.entry_drafts import EntryDraft
from ledger.forward_pricing import DealingFacts, DealPrice, struck_class_rate, struck_price
from ledger.investments import investment_book
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.posting_rules.books import FeeOffsetsToDate
from ledger.posting_rules.deal_distributions import DealBook
from ledger.schemas import (
    AccountRef,
    DistributionMode,
    DistributionRequest,
    EntryType,
    EventIn,
    InvestmentOut,
    TransactionRequest,
    TransactionType,
)

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
DEAL_TYPES = (EntryType.SUBSCRIPTION, EntryType.REDEMPTION)
"""The entries that issue or cancel units."""


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


def rule_reads(kind: str, request: TransactionRequest, terms: PoolTerms) -> tuple[AccountRef, ...] | None:
    """The only balances the rule for `kind` reads, for a rule that reads a few named accounts
    and none of the facts pool_books adds: a write then reads just those, in place of every
    account and standing entry of the pool. None: the rule needs the whole of pool_books."""
    if kind == "contribution" and request.investor_id is not None:
        return rules.contribution_reads(request.investor_id)
    if kind == "subscription":
        return rules.subscription_reads(terms)
    return None


def unit_deal(on: date, kind: EntryType, details: Mapping[str, Any]) -> tuple[date, int, Decimal]:
    """(date, investor, units: + issued, - cancelled) of a subscription or redemption."""
    units = Decimal(details["units"])
    return on, int(details["investor_id"]), units if kind is EntryType.SUBSCRIPTION else -units


def unit_deals(session: Session, pool_id: int) -> list[tuple[date, int, Decimal]]:
    return [
        unit_deal(on, kind, details)
        for _, on, kind, details in standing_details(session, pool_id, DEAL_TYPES)
    ]


def holding_since(session: Session, pool_id: int) -> dict[int, date]:
    """When each unitholder's current holding began (for fees charged on days held)."""
    return rules.holding_since(unit_deals(session, pool_id))


def capital_called(session: Session, pool_id: int) -> dict[int, Decimal]:
    """Capital called to date per investor, paid or not, by the capital calls that stand, as
    subsequent closes equalised it (the later investors' shares in, the overpayments out)."""
    called: dict[int, Decimal] = defaultdict(Decimal)
    kinds = (EntryType.CAPITAL_CALL, EntryType.SUBSEQUENT_CLOSE)
    for _, _, kind, details in standing_details(session, pool_id, kinds):
        if kind is EntryType.SUBSEQUENT_CLOSE:
            for holder, figures in details["investors"].items():
                moved = Decimal(figures["capital_paid_in"]) - Decimal(figures["capital_returned"])
                called[int(holder)] += moved
            continue
        for holder, part in details["allocation"].items():
            called[int(holder)] += Decimal(part)
    return called


def investments(session: Session, pool_id: int) -> list[InvestmentOut]:
    """The pool's named investments, deal by deal, from its standing purchases and sales."""
    rows = standing_details(session, pool_id, (EntryType.PURCHASE, EntryType.SALE))
    return investment_book((on, kind, details) for _, on, kind, details in rows)


def recallable_returned(session: Session, pool_id: int) -> dict[int, Decimal]:
    """Capital returned by recallable distributions that stand, per investor: it may be
    called again (added back to the unfunded commitment)."""
    returned: dict[int, Decimal] = defaultdict(Decimal)
    for _, _, _, details in standing_details(session, pool_id, (EntryType.DISTRIBUTION,)):
        for holder, part in (details.get("recallable") or {}).items():
            returned[int(holder)] += Decimal(part)
    return returned


def entry_draft(terms: PoolTerms, posting: Posting, on: date, memo: str) -> EntryDraft:
    """The journal entry a rule's posting makes, in the pool's currency."""
    if posting.entry_type is EntryType.PORTFOLIO_COMPANY_FEE:
        memo = rules.stated_memo(terms.currency.code, posting.details, memo)
    return EntryDraft(
        pool_id=terms.pool_id,
        currency=terms.currency.code,
        entry_type=posting.entry_type,
        effective_date=on,
        memo=memo,
        lines=posting.lines,  # the rules' lines are the journal's (ledger.schemas.PostingLine)
        events=tuple(EventIn(event_type=name, payload=payload) for name, payload in posting.events),
    )


def as_validation(exc: LedgerInputError) -> ValidationFailed:
    """A rule's refusal as the API's 422, the field named first."""
    return ValidationFailed(f"{exc.field}: {exc.reason}", field=exc.field)


def deal_price(
    terms: PoolTerms, books: PoolBooks, facts: DealingFacts, request: TransactionRequest
) -> DealPrice:
    """What a deal is struck at: the valuation of its date, or the launch price; in a class in
    another currency, that valuation's rate too."""
    if terms.kind != rules.OPEN_ENDED:
        return DealPrice(terms.initial_nav_per_unit)  # the rule refuses the deal with its own message
    if terms.share_classes:
        subscribing = request.type is TransactionType.SUBSCRIPTION
        dealt = rules.dealing_class(
            terms, books, request.investor_id or 0, request.share_class, subscribing=subscribing
        )
        price = struck_price(
            terms.pool_id,
            facts,
            request.effective_date,
            units_outstanding=books.units_outstanding,
            share_class=dealt.class_id,
        )
        rate = None
        if dealt.currency != terms.currency:
            rate = struck_class_rate(
                terms.pool_id, facts, request.effective_date, dealt.class_id, dealt.currency.code
            )
        return DealPrice(dealt.initial_nav_per_unit if price is None else price, rate)
    price = struck_price(
        terms.pool_id, facts, request.effective_date, units_outstanding=books.units_outstanding
    )
    return DealPrice(terms.initial_nav_per_unit if price is None else price)


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


DealRows = list[tuple[int, date, EntryType, dict[str, Any]]]


def deal_rows(session: Session, pool_id: int) -> DealRows:
    """The standing purchases, sales, distributions and clawbacks an American waterfall reads."""
    kinds = (EntryType.PURCHASE, EntryType.SALE, EntryType.DISTRIBUTION, EntryType.CLAWBACK)
    return standing_details(session, pool_id, kinds)


def deal_facts(rows: DealRows, terms: PoolTerms, commitments: Mapping[int, Decimal]) -> DealBook:
    """The pool's deals and their running record (American waterfall), from ``deal_rows``."""
    named = [(on, kind, d) for _, on, kind, d in rows if "investment" in d]
    return rules.deal_book(
        [(on, d["investment"], Decimal(d["amount"])) for on, kind, d in named if kind is EntryType.PURCHASE],
        [
            (d["investment"], Decimal(d["cost"]), Decimal(d["proceeds"]))
            for _, kind, d in named
            if kind is EntryType.SALE
        ],
        distributions=[(on, d) for on, kind, d in named if kind is EntryType.DISTRIBUTION],
        clawbacks_paid=[d for _, _, kind, d in rows if kind is EntryType.CLAWBACK],
        commitments=commitments,
        currency=terms.currency,
    )


def distribution_rule(
    terms: PoolTerms,
    books: PoolBooks,
    request: DistributionRequest,
    letters: Mapping[int, InvestorTerms],
    deals: DealBook | None = None,
) -> Posting:
    """A distribution's posting: through the waterfall (closed-ended; one deal's under an
    American waterfall, given its ``deals``) or pro rata."""
    by_deal = terms.deal_by_deal and request.mode is DistributionMode.WATERFALL
    if (request.investment is not None or request.final_realisation) and not by_deal:
        field = "investment" if request.investment is not None else "final_realisation"
        raise InvalidValueError(
            field, "only an American (deal-by-deal) waterfall distributes one investment's proceeds"
        )
    if by_deal:
        return rules.deal_distribution(
            terms,
            books,
            deals or DealBook(),
            investment=request.investment,
            amount=request.amount,
            on=request.effective_date,
            final_realisation=request.final_realisation,
            investor_terms=letters,
            recallable=request.recallable,
            deemed_contribution=request.deemed_contribution,
        )
    if request.mode is DistributionMode.WATERFALL:
        return rules.waterfall_distribution(
            terms,
            books,
            amount=request.amount,
            on=request.effective_date,
            investor_terms=letters,
            recallable=request.recallable,
            deemed_contribution=request.deemed_contribution,
        )
    return rules.pro_rata_distribution(
        terms,
        books,
        amount=request.amount,
        recallable=request.recallable,
        deemed_contribution=request.deemed_contribution,
    )


def rule_for(  # noqa: PLR0911, PLR0912 - one branch per transaction type
    kind: str,
    terms: PoolTerms,
    books: PoolBooks,
    request: TransactionRequest,
    *,
    price: DealPrice | None = None,
    fee: FeeInputs | None = None,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    investments_held: Mapping[str, Decimal] | None = None,
    fees: Sequence[tuple[date, Decimal]] = (),
) -> Posting:
    """The posting of a manager-recorded transaction: its type's rule, given its inputs
    (``fees``: the management fees charged so far, for a performance fee gross of them)."""
    if request.investment is not None and kind not in {"purchase", "sale", "portfolio_company_fee"}:
        raise InvalidValueError(
            "investment",
            f"only a purchase, a sale or a portfolio company's fee names an investment, not a {kind}",
        )
    if request.fee_kind is not None and kind != "portfolio_company_fee":
        raise InvalidValueError("fee_kind", f"only a portfolio company's fee has a fee kind, not a {kind}")
    investor = request.investor_id or 0
    if request.share_class is not None and kind not in {"subscription", "performance_fee"}:
        raise InvalidValueError(
            "share_class", f"only a subscription or a performance fee names a share class, not a {kind}"
        )
    if request.share_class is not None and not terms.share_classes:
        raise InvalidValueError("share_class", f"pool {terms.pool_id} has no share classes")
    if kind == "subscription":
        return rules.subscription(
            terms,
            books,
            investor_id=investor,
            amount=request.amount,
            price=None if price is None else price.nav_per_unit,
            fx_rate=None if price is None else price.fx_rate,
            share_class=request.share_class,
        )
    if kind == "redemption":
        return rules.redemption(
            terms,
            books,
            investor_id=investor,
            units=request.units,
            amount=request.amount,
            price=None if price is None else price.nav_per_unit,
            fx_rate=None if price is None else price.fx_rate,
        )
    if kind == "contribution":
        return rules.contribution(terms, books, investor_id=investor, amount=request.amount)
    if kind == "distribution":
        if terms.deal_by_deal:
            raise InvalidValueError(
                "type", "a deal-by-deal distribution is recorded on its own (POST /pools/{id}/distributions)"
            )
        if terms.open_ended:
            return rules.pro_rata_distribution(terms, books, amount=request.amount)
        return rules.waterfall_distribution(
            terms, books, amount=request.amount, on=request.effective_date, investor_terms=investor_terms
        )
    if kind == "management_fee" and terms.share_classes:
        raise InvalidValueError(
            "type",
            f"pool {terms.pool_id} has share classes: each class's management fee accrues at each "
            "valuation, at the class's own rate",
        )
    if kind == "management_fee":
        inputs = fee or FeeInputs([], {}, {})
        return rules.management_fee(
            terms,
            books,
            amount=request.amount,
            period=fee_period(terms, inputs.charged, request),
            override_reason=request.override_reason,
            commitments=inputs.commitments,
            invested=inputs.invested(books),
            holding_since=inputs.holding_since,
            investor_terms=inputs.investor_terms,
        )
    if kind == "performance_fee" and terms.share_classes:
        return rules.class_performance_fee(
            terms, books, amount=request.amount, share_class=request.share_class, on=request.effective_date
        )
    if kind == "performance_fee":
        return rules.performance_fee(
            terms,
            books,
            amount=request.amount,
            on=request.effective_date,
            management_fee_since=fees_since(fees, books, request.effective_date),
        )
    if kind == "sale":
        return rules.sale(
            terms,
            books,
            amount=request.amount,
            cost=request.cost,
            investment=request.investment,
            investments_held=investments_held,
        )
    if kind == "purchase":
        return rules.purchase(terms, books, amount=request.amount, investment=request.investment)
    if kind == "portfolio_company_fee":
        return rules.portfolio_company_fee(
            terms, books, amount=request.amount, fee_kind=request.fee_kind, investment=request.investment
        )
    rule: Callable[..., Posting] = {
        "fee_payment": rules.fee_payment,
        "income": rules.income,
        "expense": rules.expense,
    }[kind]
    return rule(terms, books, amount=request.amount)
