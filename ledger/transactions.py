"""Pool transactions: who may record what, in which pool state, through which posting rule.

The layer between the API and the journal. It decides authorisation per object (a manager
posts only to pools they manage; an investor reads only their own holdings), checks the
pool's lifecycle and the investor's KYC, then hands the posting rule to the ledger service,
which runs it under the pool's lock so the dealing price, holdings and waterfall position
it reads cannot change before the entry is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from backend.audit.service import AuditService
from backend.finance import waterfall as ledger_waterfall
from backend.finance.errors import InvalidValueError, LedgerInputError
from backend.finance.fees import FeePeriod, ManagementFeeTerms
from backend.finance.fees import PerformanceFeeTerms as FeeTerms
from backend.finance.money import get_currency
from backend.finance.waterfall import WaterfallState
from backend.investors.schemas import KycStatus
from backend.investors.service import InvestorService
from backend.platform.actors import Actor, Role
from backend.platform.errors import NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.pools.schemas import PoolOut, PoolStatus
from backend.pools.service import PoolService
from ledger import posting_rules as rules
from ledger.batch import BatchPlan, PlannedEntry, PoolAccounts, RunningBooks
from ledger.dealing_facts import latest_standing_entry, read_dealing_facts
from ledger.forward_pricing import (
    DealingFacts,
    LastEntry,
    require_date_order,
    require_valuation_before_deals,
    struck_price,
)
from ledger.journal import AccountRef, EntryDraft, validate_draft
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.schemas import (
    BATCH_MAX_ROWS,
    AccountCode,
    BatchResult,
    BatchRow,
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
    RowError,
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
    EntryType.PERFORMANCE_FEE,
    EntryType.MANAGEMENT_FEE,
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
    EntryType.CAPITAL_CALL,
)


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
    management = None
    if pool.management_fee is not None:
        m = pool.management_fee
        management = ManagementFeeTerms(rate=m.rate, basis=m.basis.value, day_count=m.day_count)
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
        management_fee=management,
    )


@dataclass
class _Facts:
    """What the rules need beside the balances, from the details of the entries that stand."""

    hwm: Decimal | None = None
    hwm_set_on: date | None = None
    fee_periods: list[tuple[int | None, FeePeriod]] = field(default_factory=list)
    contributions: list[tuple[int, Decimal, date]] = field(default_factory=list)
    distributions: list[tuple[date, dict[str, Any]]] = field(default_factory=list)

    def add(self, kind: EntryType, on: date, details: dict[str, Any], entry_id: int | None = None) -> None:
        """Take in one more standing entry (in journal order)."""
        if kind is EntryType.PERFORMANCE_FEE:
            self.hwm = Decimal(details["high_water_mark_after"])
            self.hwm_set_on = on
        elif kind is EntryType.MANAGEMENT_FEE and "period_start" in details:
            self.fee_periods.append((entry_id, _period_of(details)))
        elif kind is EntryType.VALUATION and "management_fee" in details:
            self.fee_periods.append((entry_id, _period_of(details["management_fee"])))
        elif kind is EntryType.CONTRIBUTION:
            self.contributions.append((int(details["investor_id"]), Decimal(details["amount"]), on))
        elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
            self.distributions.append((on, details))

    def books(self, balances: Mapping[AccountRef, Decimal], state: WaterfallState | None = None) -> PoolBooks:
        if state is None:
            state = rules.waterfall_state_from_history(self.contributions, self.distributions)
        return PoolBooks(
            balances,
            high_water_mark_per_unit=self.hwm,
            high_water_mark_set_on=self.hwm_set_on,
            waterfall_state=state,
        )


def _period_of(details: Mapping[str, Any]) -> FeePeriod:
    return FeePeriod(date.fromisoformat(details["period_start"]), date.fromisoformat(details["period_end"]))


def _fee_periods(session: Session, pool_id: int) -> list[tuple[int | None, FeePeriod]]:
    """(entry id, days charged) of every standing management fee entry and every mark that
    accrued the fee, in journal order: each day's fee is charged once, by one or the other."""
    facts = _Facts()
    for entry_id, on, kind, details in standing_details(
        session, pool_id, (EntryType.MANAGEMENT_FEE, EntryType.VALUATION)
    ):
        facts.add(kind, on, details, entry_id)
    return facts.fee_periods


def mark_fee_accrues_from(session: Session, terms: PoolTerms) -> date | None:
    """The first day of management fee on NAV the pool's next mark accrues (None: none)."""
    if not terms.open_ended or terms.management_fee is None:
        return None
    since = rules.units_in_issue_since(_deals(session, terms.pool_id))
    return rules.mark_fee_accrues_from(terms, _last_day_charged(_fee_periods(session, terms.pool_id)), since)


def _last_day_charged(charged: Sequence[tuple[int | None, FeePeriod]]) -> date | None:
    return max((p.last_day for _, p in charged), default=None)


def _facts(session: Session, pool_id: int) -> _Facts:
    facts = _Facts()
    for entry_id, on, kind, details in standing_details(session, pool_id, _FACT_TYPES):
        facts.add(kind, on, details, entry_id)
    return facts


def _books(session: Session, terms: PoolTerms, balances: dict[AccountRef, Decimal]) -> PoolBooks:
    """Balances plus the facts the rules need, read under the pool's lock."""
    return _facts(session, terms.pool_id).books(balances)


_DEALS = (EntryType.SUBSCRIPTION, EntryType.REDEMPTION)


def _deal(on: date, kind: EntryType, details: Mapping[str, Any]) -> tuple[date, int, Decimal]:
    units = Decimal(details["units"])
    return on, int(details["investor_id"]), units if kind is EntryType.SUBSCRIPTION else -units


def _deals(session: Session, pool_id: int) -> list[tuple[date, int, Decimal]]:
    return [_deal(on, kind, details) for _, on, kind, details in standing_details(session, pool_id, _DEALS)]


def _holding_since(session: Session, pool_id: int) -> dict[int, date]:
    """When each unitholder's current holding began (for fees charged on days held)."""
    return rules.holding_since(_deals(session, pool_id))


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
        lines=posting.lines,  # the rules' lines are the journal's (ledger.schemas.PostingLine)
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

        commitments = dict(self._investors.commitments_for_pool(pool_id)) if kind == "management_fee" else {}

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            price = None
            fee = None
            if kind in {"subscription", "redemption"}:
                price = _struck_price(terms, books, read_dealing_facts(session, terms.pool_id), request)
            if kind == "management_fee":
                fee = _FeeInputs(
                    _fee_periods(session, terms.pool_id),
                    commitments,
                    _called(session, terms.pool_id),
                    _holding_since(session, terms.pool_id),
                )
            return _rule_for(kind, terms, books, request, price=price, fee=fee)

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

    def record_batch(
        self,
        actor: Actor,
        pool_id: int,
        requests: Sequence[TransactionRequest | BatchRow | Mapping[str, Any]],
        idempotency_key: str | None,
        *,
        dry_run: bool = False,
    ) -> BatchResult:
        """POST /pools/{id}/transactions/batch: many rows, all or nothing, in one transaction.

        Authorised once. Every row is checked first (its fields, the pool's status, dates,
        the investor's KYC), then, under the pool's lock, the posting rules run row after
        row over the books in memory, each row seeing the rows before it. Any problem in any
        row raises BatchRejected listing every one (row = 0-based index) and nothing is
        written; otherwise every entry is written in one transaction (ledger.batch). One
        Idempotency-Key covers the batch. At most BATCH_MAX_ROWS rows. `dry_run` checks
        everything against the current books and writes nothing.
        """
        if not requests:
            raise ValidationFailed("transactions: a batch needs at least one row", field="transactions")
        if len(requests) > BATCH_MAX_ROWS:
            raise ValidationFailed(
                f"transactions: at most {BATCH_MAX_ROWS} rows per batch, got {len(requests)}",
                field="transactions",
            )
        pool = self._pools.require_manage(actor, pool_id)
        static_errors: list[RowError] = []
        rows = [self._batch_row(pool, index, raw, static_errors) for index, raw in enumerate(requests)]
        self._check_batch_investors(rows, static_errors)
        terms = pool_terms(pool)
        commitments = dict(self._investors.commitments_for_pool(pool.id))

        def audit(session: Session, planned: Sequence[PlannedEntry | None]) -> None:
            written = [p for p in planned if p is not None]
            kinds: dict[str, int] = defaultdict(int)
            for item in written:
                kinds[item.draft.entry_type.value] += 1
            self._audit.record(
                session,
                actor,
                "ledger.batch",
                "pool",
                pool.id,
                after={"rows": len(rows), "entries": len(written), "types": dict(sorted(kinds.items()))},
            )

        def build(session: Session, accounts: PoolAccounts) -> BatchPlan:
            errors = list(static_errors)
            plan = _plan_batch(session, terms, accounts, rows, errors, commitments=commitments)
            return BatchPlan(plan, errors, finish=audit)

        if static_errors:
            dry_run = True  # still run the rules, to report every row's problem at once
        document = {
            "pool_id": pool.id,
            "transactions": [row.model_dump(mode="json") if row is not None else None for row in rows],
        }
        return self._ledger.write_batch(
            actor,
            pool.id,
            terms.currency.code,
            build,
            idempotency_key,
            operation="batch",
            request=document,
            dry_run=dry_run,
        )

    def _batch_row(self, pool: PoolOut, index: int, raw: object, errors: list[RowError]) -> BatchRow | None:
        """The row parsed and checked on its own (what record() checks before the lock)."""
        try:
            if isinstance(raw, BatchRow):
                row = raw
            elif isinstance(raw, TransactionRequest):
                row = BatchRow.model_validate(raw.model_dump())
            elif isinstance(raw, Mapping):
                row = BatchRow.model_validate(dict(raw))
            else:
                errors.append(RowError(row=index, field="row", reason="each row must be an object"))
                return None
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_input=False):
                name = ".".join(str(part) for part in err["loc"]) or "row"
                errors.append(RowError(row=index, field=name, reason=err["msg"]))
            return None
        kind, on = row.type.value, row.effective_date
        problem: tuple[str, str] | None = None
        if kind not in _ALLOWED[pool.status]:
            problem = ("type", f"a {kind} is not accepted while pool {pool.id} is {pool.status.value}")
        elif on < pool.inception_date:
            problem = ("effective_date", f"{on} is before the pool's inception on {pool.inception_date}")
        elif on > self._clock().date():
            problem = ("effective_date", f"{on} is in the future")
        elif kind in _NEEDS_INVESTOR and row.investor_id is None:
            problem = ("investor_id", f"a {kind} needs the investor")
        elif kind == "valuation" and row.amount is None:
            problem = ("amount", "a valuation row gives the pool's net asset value as amount")
        if problem is not None:
            errors.append(RowError(row=index, field=problem[0], reason=problem[1]))
            return None
        return row

    def _check_batch_investors(self, rows: list[BatchRow | None], errors: list[RowError]) -> None:
        """KYC for money in, existence for redemptions: all the batch's investors in one read."""
        wanted = {
            row.investor_id
            for row in rows
            if row is not None and row.type.value in _NEEDS_INVESTOR and row.investor_id is not None
        }
        statuses = self._investors.kyc_statuses(wanted)
        for index, row in enumerate(rows):
            if row is None or row.type.value not in _NEEDS_INVESTOR or row.investor_id is None:
                continue
            status = statuses.get(row.investor_id)
            if status is None:
                reason = f"investor {row.investor_id} not found"
            elif row.type.value in _MONEY_IN and status is not KycStatus.APPROVED:
                reason = (
                    f"investor_id: investor {row.investor_id} is not KYC-approved (KYC status {status.value})"
                )
            else:
                continue
            errors.append(RowError(row=index, field="investor_id", reason=reason))
            rows[index] = None

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
            if terms.open_ended:
                require_valuation_before_deals(
                    terms.pool_id, read_dealing_facts(session, terms.pool_id), request.as_of
                )
            posting = rules.valuation(
                terms,
                books,
                net_asset_value=request.net_asset_value,
                on=request.as_of,
                fee_accrues_from=mark_fee_accrues_from(session, terms),
            )
            units = books.units_outstanding
            price[0] = rules.dealing_price(terms, books.apply(posting.lines)) if units else None
            return posting

        entry = self._post(
            actor,
            pool,
            request.as_of,
            request.memo,
            build,
            operation="valuation",
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )
        after_fee = entry.details.get("net_asset_value_after_fee")
        return ValuationOut(
            pool_id=pool_id,
            as_of=request.as_of,
            net_asset_value=request.net_asset_value if after_fee is None else Decimal(after_fee),
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
        page = self._ledger.list_entries(
            pool_id,
            cursor=cursor,
            limit=limit,
            entry_type=entry_type,
            investor_id=investor_id,
            date_from=date_from,
            date_to=date_to,
            actor=actor,
        )
        if own is None:
            return page
        return page.model_copy(update={"entries": [investor_view(entry, own) for entry in page.entries]})

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
                # first, so a back-dated entry hears why before anything about its figures
                latest = DealingFacts(latest=latest_standing_entry(session, terms.pool_id))
                require_date_order(terms.pool_id, latest, on)
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
            called = flows["called"].get(inv, zero)
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
                    called=called,
                    unfunded_commitment=max(committed.get(inv, zero) - called, zero)
                    if inv in committed
                    else zero,
                    overdue=flows["overdue"].get(inv, zero),
                    in_default=flows["overdue"].get(inv, zero) > 0,
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


_PER_INVESTOR_DETAILS = ("allocation", "investors", "fee_allocation")


def investor_view(entry: EntryOut, investor_id: int) -> EntryOut:
    """An entry as one investor may see it: the pool's own lines and their own, never another
    investor's. A valuation or a fee touches every investor's capital account in one entry;
    the others' lines and their shares in the workings are left out."""
    postings = [p for p in entry.postings if p.investor_id in (None, investor_id)]
    details = dict(entry.details)
    for key in _PER_INVESTOR_DETAILS:
        shares = details.get(key)
        if isinstance(shares, dict):
            details[key] = {k: v for k, v in shares.items() if k == str(investor_id)}
    return entry.model_copy(update={"postings": postings, "details": details})


def _struck_price(
    terms: PoolTerms, books: PoolBooks, facts: DealingFacts, request: TransactionRequest
) -> Decimal:
    """The NAV per unit a deal is struck at: the valuation of its date, or the launch price."""
    if terms.kind != rules.OPEN_ENDED:
        return terms.initial_nav_per_unit  # the rule refuses the deal with its own message
    price = struck_price(
        terms.pool_id, facts, request.effective_date, units_outstanding=books.units_outstanding
    )
    return terms.initial_nav_per_unit if price is None else price


@dataclass(frozen=True)
class _FeeInputs:
    """What a management fee reads besides the balances: the periods already charged (entry
    id, period), commitments, and capital called per investor."""

    charged: list[tuple[int | None, FeePeriod]]
    commitments: Mapping[int, Decimal]
    called: Mapping[int, Decimal]
    holding_since: Mapping[int, date] = field(default_factory=dict)

    def invested(self, books: PoolBooks) -> dict[int, Decimal]:
        returned = books.waterfall_state.capital_returned_by_investor
        return {i: c - returned.get(str(i), Decimal(0)) for i, c in self.called.items()}




def _fee_period(
    terms: PoolTerms, charged: Sequence[tuple[int | None, FeePeriod]], request: TransactionRequest
) -> FeePeriod:
    """The days a management fee charges for: as asked, or from the day after the last period
    charged (or inception) to its effective date. Each day is charged once."""
    last = max((p.last_day for _, p in charged), default=None)
    first = request.period_start or (last + timedelta(days=1) if last else terms.inception_date)
    final = request.period_end or request.effective_date
    period = FeePeriod(first, final)
    if final > request.effective_date:
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


def _rule_for(  # noqa: PLR0911 - one branch per transaction type
    kind: str,
    terms: PoolTerms,
    books: PoolBooks,
    request: TransactionRequest,
    *,
    price: Decimal | None = None,
    fee: _FeeInputs | None = None,
) -> Posting:
    investor = request.investor_id or 0
    if kind == "subscription":
        return rules.subscription(terms, books, investor_id=investor, amount=request.amount, price=price)
    if kind == "redemption":
        return rules.redemption(
            terms, books, investor_id=investor, units=request.units, amount=request.amount, price=price
        )
    if kind == "contribution":
        return rules.contribution(terms, books, investor_id=investor, amount=request.amount)
    if kind == "distribution":
        if terms.open_ended:
            return rules.pro_rata_distribution(terms, books, amount=request.amount)
        return rules.waterfall_distribution(terms, books, amount=request.amount, on=request.effective_date)
    if kind == "management_fee":
        inputs = fee or _FeeInputs([], {}, {})
        return rules.management_fee(
            terms,
            books,
            amount=request.amount,
            period=_fee_period(terms, inputs.charged, request),
            override_reason=request.override_reason,
            commitments=inputs.commitments,
            invested=inputs.invested(books),
            holding_since=inputs.holding_since,
        )
    if kind == "performance_fee":
        return rules.performance_fee(terms, books, amount=request.amount, on=request.effective_date)
    if kind == "sale":
        return rules.sale(terms, books, amount=request.amount, cost=request.cost)
    rule: Callable[..., Posting] = {
        "fee_payment": rules.fee_payment,
        "income": rules.income,
        "expense": rules.expense,
        "purchase": rules.purchase,
    }[kind]
    return rule(terms, books, amount=request.amount)


def _planned_mark(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    dealing: DealingFacts,
    charged: Sequence[tuple[int | None, FeePeriod]],
    deals: Sequence[tuple[date, int, Decimal]],
    row: BatchRow,
) -> Posting:
    """A batch row's valuation, checked and accrued as record_valuation does."""
    if terms.open_ended:
        require_valuation_before_deals(terms.pool_id, dealing, row.effective_date)
    return rules.valuation(
        terms,
        books,
        net_asset_value=row.amount,
        on=row.effective_date,
        fee_accrues_from=rules.mark_fee_accrues_from(
            terms, _last_day_charged(charged), rules.units_in_issue_since(deals)
        ),
    )


def _plan_batch(
    session: Session,
    terms: PoolTerms,
    accounts: PoolAccounts,
    rows: Sequence[BatchRow | None],
    errors: list[RowError],
    *,
    commitments: Mapping[int, Decimal],
) -> Iterator[PlannedEntry | None]:
    """Apply each row's posting rule to the books in memory, in order; collect row errors.
    Yields one item per row as it is planned (the writer stores earlier rows meanwhile), and
    reads the database only before the first: between rows another thread may be using the
    session.

    A row that fails is left out, so the rows after it are checked against the books as
    they would be without it (the batch is refused anyway; this only makes the report
    complete). Checks what record() and the journal engine check: the dealing date against
    the last valuation, the rule itself, validate_draft, overdrafts.
    """
    facts = _facts(session, terms.pool_id)
    facts.fee_periods = _fee_periods(session, terms.pool_id)
    dealing = read_dealing_facts(session, terms.pool_id)
    called = _called(session, terms.pool_id)
    deals = _deals(session, terms.pool_id)
    running = RunningBooks(accounts)
    state = rules.waterfall_state_from_history(facts.contributions, facts.distributions)
    for index, row in enumerate(rows):
        if row is None:
            yield None
            continue
        kind = row.type.value
        books = facts.books(running.balances, state)
        try:
            require_date_order(terms.pool_id, dealing, row.effective_date)
            if kind == "valuation":
                posting = _planned_mark(
                    terms, books, dealing=dealing, charged=facts.fee_periods, deals=deals, row=row
                )
            else:
                request = TransactionRequest.model_validate(row.model_dump())
                price = None
                if kind in {"subscription", "redemption"}:
                    price = _struck_price(terms, books, dealing, request)
                fee = None
                if kind == "management_fee":
                    fee = _FeeInputs(facts.fee_periods, commitments, called, rules.holding_since(deals))
                posting = _rule_for(kind, terms, books, request, price=price, fee=fee)
            draft = validate_draft(_draft(terms, posting, row.effective_date, row.memo))
            overdrawn = running.overdraft(draft)
            if overdrawn is not None:
                raise overdrawn
        except LedgerInputError as exc:
            errors.append(RowError(row=index, field=exc.field, reason=exc.reason))
            yield None
            continue
        except ValidationFailed as exc:
            errors.append(RowError(row=index, field=exc.field or "row", reason=exc.detail))
            yield None
            continue
        running.apply(draft)
        dealing = dealing.after(LastEntry(None, posting.entry_type, row.effective_date), posting.details)
        if posting.entry_type in _DEALS:
            deals.append(_deal(row.effective_date, posting.entry_type, posting.details))
        before = (len(facts.contributions), len(facts.distributions))
        facts.add(posting.entry_type, row.effective_date, posting.details)
        if (len(facts.contributions), len(facts.distributions)) != before:
            state = rules.waterfall_state_from_history(facts.contributions, facts.distributions)
        yield PlannedEntry(index, draft, posting.details)
