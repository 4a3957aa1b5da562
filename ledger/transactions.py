"""Pool transactions: who may record what, in which pool state, through which posting rule.

The layer between the API and the journal. It decides authorisation per object (a manager
posts only to pools they manage; an investor reads only their own holdings), checks the
pool's lifecycle and the investor's KYC, then hands the posting rule to the ledger service,
which runs it under the pool's lock so the dealing price, holdings and waterfall position
it reads cannot change before the entry is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from backend.actors import Actor, Role
from backend.audit.service import AuditService
from backend.errors import NotFound, ValidationFailed
from backend.investors.service import InvestorService
from backend.orm import utcnow
from backend.pools.schemas import PoolOut, PoolStatus
from backend.pools.service import PoolService
from ledger import posting_rules as rules
from ledger import waterfall as ledger_waterfall
from ledger.errors import LedgerInputError
from ledger.fees import PerformanceFeeTerms as FeeTerms
from ledger.journal import AccountRef, DraftLine, EntryDraft
from ledger.money import get_currency
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.schemas import (
    AccountCode,
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    EntryOut,
    EntryPage,
    EntryType,
    EventIn,
    PoolPositions,
    PositionOut,
    ReversalRequest,
    TransactionRequest,
    TransactionType,
    ValuationOut,
    ValuationRequest,
)
from ledger.service import LedgerService, standing_details

# What each pool status still allows. Closed: no new money in; liquidating: only money out.
_ALLOWED: dict[PoolStatus, frozenset[str]] = {
    PoolStatus.OPEN: frozenset({*TransactionType, "capital_call", "valuation"}),
    PoolStatus.CLOSED: frozenset({*TransactionType, "capital_call", "valuation"} - {"subscription"}),
    PoolStatus.LIQUIDATING: frozenset(
        {
            "redemption",
            "distribution",
            "sale",
            "expense",
            "income",
            "management_fee",
            "performance_fee",
            "fee_payment",
            "valuation",
            "contribution",
        }
    ),
    PoolStatus.LIQUIDATED: frozenset(),
}
_MONEY_IN = frozenset({"subscription", "contribution"})
_NEEDS_INVESTOR = frozenset({"subscription", "redemption", "contribution"})
_FACT_TYPES = (
    EntryType.VALUATION,
    EntryType.PERFORMANCE_FEE,
    EntryType.CONTRIBUTION,
    EntryType.DISTRIBUTION,
    EntryType.CAPITAL_CALL,
)
_FLOW_TYPES = (
    EntryType.SUBSCRIPTION,
    EntryType.CONTRIBUTION,
    EntryType.REDEMPTION,
    EntryType.DISTRIBUTION,
    EntryType.MANAGEMENT_FEE,
    EntryType.PERFORMANCE_FEE,
)


class NothingToPost(Exception):
    """A signal, not an error: the books already show the recorded value."""


def pool_terms(pool: PoolOut) -> PoolTerms:
    """The pool service's view of a pool, as the posting rules take it."""
    currency = get_currency(pool.base_currency)
    waterfall = None
    if pool.waterfall is not None:
        w = pool.waterfall
        waterfall = ledger_waterfall.WaterfallTerms(
            currency=currency,
            preferred_return_rate=w.preferred_return_rate,
            compounding=w.compounding,
            catch_up_rate=w.catch_up_rate,
            carried_interest_rate=w.carried_interest_rate,
            day_count=w.day_count,
        )
    performance = None
    if pool.performance_fee is not None:
        f = pool.performance_fee
        performance = FeeTerms(rate=f.rate, high_water_mark=f.high_water_mark, hurdle_rate=f.hurdle_rate)
    return PoolTerms(
        pool_id=pool.id,
        kind=pool.kind.value,
        currency=currency,
        inception_date=pool.inception_date,
        initial_nav_per_unit=pool.initial_nav_per_unit,
        minimum_subscription=pool.minimum_subscription,
        waterfall=waterfall,
        performance_fee=performance,
    )


def _books(session: Session, terms: PoolTerms, balances: dict[AccountRef, Decimal]) -> PoolBooks:
    """Balances plus the facts the rules need, read under the pool's lock."""
    last_valuation: date | None = None
    hwm: Decimal | None = None
    contributions: list[tuple[int, Decimal, date]] = []
    distributions: list[tuple[date, dict[str, Any]]] = []
    for _, on, kind, details in standing_details(session, terms.pool_id, _FACT_TYPES):
        if kind is EntryType.VALUATION:
            last_valuation = on
        elif kind is EntryType.PERFORMANCE_FEE:
            hwm = Decimal(details["high_water_mark_after"])
        elif kind is EntryType.CONTRIBUTION:
            contributions.append((int(details["investor_id"]), Decimal(details["amount"]), on))
        elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
            distributions.append((on, details))
    state = rules.waterfall_state_from_history(contributions, distributions)
    return PoolBooks(
        balances, last_valuation_on=last_valuation, high_water_mark_per_unit=hwm, waterfall_state=state
    )


def _called(session: Session, pool_id: int) -> dict[int, Decimal]:
    called: dict[int, Decimal] = defaultdict(Decimal)
    for _, _, _, details in standing_details(session, pool_id, (EntryType.CAPITAL_CALL,)):
        for holder, part in details["allocation"].items():
            called[int(holder)] += Decimal(part)
    return called


def _draft(terms: PoolTerms, posting: Posting, on: date, memo: str) -> EntryDraft:
    return EntryDraft(
        pool_id=terms.pool_id,
        currency=terms.currency.code,
        entry_type=posting.entry_type,
        effective_date=on,
        memo=memo,
        lines=tuple(DraftLine(line.account, line.investor_id, line.amount) for line in posting.lines),
        events=tuple(EventIn(event_type=name, payload=payload) for name, payload in posting.events),
    )


def _as_validation(exc: LedgerInputError) -> ValidationFailed:
    return ValidationFailed(f"{exc.field}: {exc.reason}", field=exc.field)


class TransactionService:
    def __init__(
        self,
        ledger: LedgerService,
        pools: PoolService,
        investors: InvestorService,
        audit: AuditService,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._ledger = ledger
        self._pools = pools
        self._investors = investors
        self._audit = audit
        self._clock = clock

    # -- writes -------------------------------------------------------------------------

    def record(
        self, actor: Actor, pool_id: int, request: TransactionRequest, idempotency_key: str
    ) -> EntryOut:
        """POST /pools/{id}/transactions: one transaction of any manager-recorded type."""
        kind = request.type.value
        pool = self._writable_pool(actor, pool_id, kind, request.effective_date)
        if kind in _NEEDS_INVESTOR:
            if request.investor_id is None:
                raise ValidationFailed(f"investor_id: a {kind} needs the investor", field="investor_id")
            if kind in _MONEY_IN:
                self._investors.require_kyc_approved(request.investor_id)
            else:
                self._investors.kyc_status(request.investor_id)  # NotFound for an unknown investor

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            if kind in {"subscription", "redemption"}:
                last = books.last_valuation_on
                if last is not None and request.effective_date < last:
                    raise ValidationFailed(
                        f"effective_date: deals at the NAV per unit of its date; the pool was last "
                        f"valued on {last}, after {request.effective_date}",
                        field="effective_date",
                    )
            return _rule_for(kind, terms, books, request)

        return self._post(
            actor,
            pool,
            request.effective_date,
            request.memo,
            build,
            operation=kind,
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    def capital_call(
        self, actor: Actor, pool_id: int, request: CapitalCallRequest, idempotency_key: str
    ) -> EntryOut:
        on = request.effective_date or self._clock().date()
        pool = self._writable_pool(actor, pool_id, "capital_call", on)
        commitments = dict(self._investors.commitments_for_pool(pool_id))

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            return rules.capital_call(
                terms,
                commitments=commitments,
                called=_called(session, pool_id),
                amount=request.amount,
                percent_of_commitment=request.percent_of_commitment,
                due_date=request.due_date,
            )

        return self._post(
            actor,
            pool,
            on,
            request.memo,
            build,
            operation="capital_call",
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    def distribute(
        self, actor: Actor, pool_id: int, request: DistributionRequest, idempotency_key: str
    ) -> EntryOut:
        pool = self._writable_pool(actor, pool_id, "distribution", request.effective_date)

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            if request.mode is DistributionMode.WATERFALL:
                return rules.waterfall_distribution(
                    terms, books, amount=request.amount, on=request.effective_date
                )
            return rules.pro_rata_distribution(terms, books, amount=request.amount)

        return self._post(
            actor,
            pool,
            request.effective_date,
            request.memo,
            build,
            operation="distribution",
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    def record_valuation(
        self, actor: Actor, pool_id: int, request: ValuationRequest, idempotency_key: str
    ) -> ValuationOut:
        pool = self._writable_pool(actor, pool_id, "valuation", request.as_of)
        price: list[Decimal | None] = [None]

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            posting = rules.valuation(terms, books, net_asset_value=request.net_asset_value)
            if posting is None:
                raise NothingToPost
            units = books.units_outstanding
            price[0] = rules.dealing_price(terms, books.apply(posting.lines)) if units else None
            return posting

        try:
            entry: EntryOut | None = self._post(
                actor,
                pool,
                request.as_of,
                request.memo,
                build,
                operation="valuation",
                request=request.model_dump(mode="json"),
                idempotency_key=idempotency_key,
            )
        except NothingToPost:
            entry = None
        return ValuationOut(
            pool_id=pool_id,
            as_of=request.as_of,
            net_asset_value=request.net_asset_value,
            nav_per_unit=price[0],
            entry=entry,
        )

    def reverse(
        self, actor: Actor, entry_id: int, request: ReversalRequest, idempotency_key: str
    ) -> EntryOut:
        entry = self._ledger.get_entry(entry_id)
        pool = self._pools.require_manage(actor, entry.pool_id)
        if pool.status is PoolStatus.LIQUIDATED:
            raise ValidationFailed(
                f"status: pool {pool.id} is liquidated; its books are closed", field="status"
            )
        out = self._ledger.reverse(
            actor,
            pool.id,
            entry_id,
            idempotency_key,
            effective_date=request.effective_date,
            memo=request.memo,
        )
        return out

    # -- reads --------------------------------------------------------------------------

    def list_transactions(
        self,
        actor: Actor,
        pool_id: int,
        *,
        cursor: str | None = None,
        limit: int = 50,
        entry_type: EntryType | None = None,
        investor_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> EntryPage:
        own = self._own_investor_id(actor)
        if own is not None:
            # An investor sees only entries that touch their own accounts.
            if investor_id not in (None, own) or not self._holds_anything(own, pool_id):
                raise NotFound(f"pool {pool_id} not found")
            investor_id = own
        else:
            self._pools.get_pool(actor, pool_id)  # NotFound unless the actor may read the pool
        return self._ledger.list_entries(
            pool_id,
            cursor=cursor,
            limit=limit,
            entry_type=entry_type,
            investor_id=investor_id,
            date_from=date_from,
            date_to=date_to,
            actor=actor,
        )

    def pool_positions(self, actor: Actor, pool_id: int) -> PoolPositions:
        if actor.role is Role.INVESTOR:
            raise NotFound(f"pool {pool_id} not found")  # investors read /investors/{id}/holdings
        pool = self._pools.get_pool(actor, pool_id)
        return self._positions(pool, actor)

    def holdings(self, actor: Actor, investor_id: int) -> list[PositionOut]:
        own = self._own_investor_id(actor)
        if actor.role is Role.INVESTOR and own != investor_id:
            raise NotFound(f"investor {investor_id} not found")
        if actor.role is Role.ANALYST:
            raise NotFound(f"investor {investor_id} not found")
        self._investors.kyc_status(investor_id)  # NotFound for an unknown investor
        out: list[PositionOut] = []
        for pool_id in self._pools_of_investor(investor_id):
            if actor.role is Role.MANAGER and not self._pools.can_manage(actor, pool_id):
                continue
            pool = self._pools.pool_terms(pool_id)
            out += [p for p in self._positions(pool, actor).positions if p.investor_id == investor_id]
        return out

    def position(self, investor_id: int, pool_id: int) -> PositionOut | None:
        """The system's view of one position (for the investor service's participation)."""
        pool = self._pools.pool_terms(pool_id)
        found = [p for p in self._positions(pool, None).positions if p.investor_id == investor_id]
        return found[0] if found else None

    # -- helpers ------------------------------------------------------------------------

    def _writable_pool(self, actor: Actor, pool_id: int, kind: str, on: date) -> PoolOut:
        pool = self._pools.require_manage(actor, pool_id)
        if kind not in _ALLOWED[pool.status]:
            raise ValidationFailed(
                f"type: a {kind} is not accepted while pool {pool_id} is {pool.status.value}", field="type"
            )
        if on < pool.inception_date:
            raise ValidationFailed(
                f"effective_date: {on} is before the pool's inception on {pool.inception_date}",
                field="effective_date",
            )
        if on > self._clock().date():
            raise ValidationFailed(f"effective_date: {on} is in the future", field="effective_date")
        return pool

    def _post(
        self,
        actor: Actor,
        pool: PoolOut,
        on: date,
        memo: str,
        build: Callable[[PoolTerms, PoolBooks, Session], Posting],
        *,
        operation: str,
        request: dict[str, Any],
        idempotency_key: str,
    ) -> EntryOut:
        terms = pool_terms(pool)

        def rule(session: Session, balances: dict[AccountRef, Decimal]) -> tuple[EntryDraft, dict[str, Any]]:
            try:
                posting = build(terms, _books(session, terms, balances), session)
            except LedgerInputError as exc:
                raise _as_validation(exc) from None
            self._audit.record(
                session, actor, f"ledger.{operation}", "pool", pool.id, after={"request": request}
            )
            return _draft(terms, posting, on, memo), posting.details

        return self._ledger.write_rule(
            actor,
            pool.id,
            terms.currency.code,
            rule,
            idempotency_key,
            operation=operation,
            request={"pool_id": pool.id, **request},
        )

    def _own_investor_id(self, actor: Actor) -> int | None:
        if actor.role is not Role.INVESTOR or actor.user_id is None:
            return None
        profile = self._investors.investor_for_user(actor.user_id)
        return profile.id if profile is not None else -1

    def _holds_anything(self, investor_id: int, pool_id: int) -> bool:
        balances = self._ledger.balances_by_ref(pool_id)
        return any(inv == investor_id for (_, inv) in balances)

    def _pools_of_investor(self, investor_id: int) -> list[int]:
        return self._ledger.pools_of_investor(investor_id)

    def _positions(self, pool: PoolOut, actor: Actor | None) -> PoolPositions:
        terms = pool_terms(pool)
        balances = self._ledger.balances_by_ref(pool.id, actor=actor)
        books = PoolBooks(balances)
        flows = self._ledger.investor_flows(pool.id, _FLOW_TYPES, actor=actor)
        committed = dict(self._investors.commitments_for_pool(pool.id))
        investors = sorted({inv for (_, inv) in balances if inv is not None} | set(committed))
        zero = Decimal(0).quantize(terms.currency.quantum)
        positions = []
        for inv in investors:
            contributed = flows["contributed"].get(inv, zero)
            positions.append(
                PositionOut(
                    pool_id=pool.id,
                    investor_id=inv,
                    currency=terms.currency.code,
                    units=books.units_of(inv),
                    value=books.capital_of(inv),
                    contributed=contributed,
                    distributed=flows["distributed"].get(inv, zero),
                    fees=flows["fees"].get(inv, zero),
                    committed=committed.get(inv, zero),
                    unfunded_commitment=max(committed.get(inv, zero) - contributed, zero)
                    if inv in committed
                    else zero,
                )
            )
        units = books.units_outstanding
        price = rules.dealing_price(terms, books) if units and books.net_asset_value > 0 else None
        return PoolPositions(
            pool_id=pool.id,
            currency=terms.currency.code,
            net_asset_value=books.net_asset_value,
            units_outstanding=units,
            nav_per_unit=price,
            rounding_residue=-books.balance(AccountCode.ROUNDING_RESIDUE),
            ledger_version=self._ledger.ledger_version(pool.id, actor=actor),
            positions=positions,
        )


def _rule_for(  # noqa: PLR0911 - one branch per transaction type
    kind: str, terms: PoolTerms, books: PoolBooks, request: TransactionRequest
) -> Posting:
    investor = request.investor_id or 0
    if kind == "subscription":
        return rules.subscription(terms, books, investor_id=investor, amount=request.amount)
    if kind == "redemption":
        return rules.redemption(
            terms, books, investor_id=investor, units=request.units, amount=request.amount
        )
    if kind == "contribution":
        return rules.contribution(terms, books, investor_id=investor, amount=request.amount)
    if kind == "distribution":
        if terms.open_ended:
            return rules.pro_rata_distribution(terms, books, amount=request.amount)
        return rules.waterfall_distribution(terms, books, amount=request.amount, on=request.effective_date)
    if kind == "management_fee":
        return rules.management_fee(terms, books, amount=request.amount)
    if kind == "performance_fee":
        return rules.performance_fee(terms, books, amount=request.amount)
    if kind == "sale":
        return rules.sale(terms, books, amount=request.amount, cost=request.cost)
    rule: Callable[..., Posting] = {
        "fee_payment": rules.fee_payment,
        "income": rules.income,
        "expense": rules.expense,
        "purchase": rules.purchase,
    }[kind]
    return rule(terms, books, amount=request.amount)
