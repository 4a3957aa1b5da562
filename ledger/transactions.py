"""Pool transactions: who may record what, in which pool state, through which posting rule.

The layer between the API and the journal. It decides authorisation per object (a manager
posts only to pools they manage; an investor reads only their own holdings), checks the
pool's lifecycle and the investor's KYC, then hands the posting rule to the ledger service,
which runs it under the pool's lock so the dealing price, holdings and waterfall position
it reads cannot change before the entry is written. The parts: ledger.acceptance (what a
pool accepts), ledger.rule_inputs (what a rule is given), ledger.batch_rows (a batch's
rows), ledger.position_reads (the reads, which this service delegates to),
ledger.capital_events (the capital calls, distributions, clawbacks, subsequent closes and
valuations, which this service inherits: they post through its `_post`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.finance.errors import LedgerInputError
from backend.finance.investor_terms import InvestorTerms
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor
from backend.platform.errors import ValidationFailed
from backend.platform.orm import utcnow
from backend.pools.interface import PoolKind, PoolOut, PoolService, PoolStatus
from ledger.acceptance import MONEY_IN, NEEDS_INVESTOR, refusal
from ledger.batch import BatchPlan, PlannedEntry, PoolAccounts
from ledger.batch_rows import check_row_investors, checked_row, plan_batch
from ledger.capital_events import CapitalEvents
from ledger.dealing_facts import latest_standing_entry, read_dealing_facts
from ledger.entry_drafts import EntryDraft
from ledger.forward_pricing import DealingFacts, require_date_order
from ledger.investments import costs_held
from ledger.journal_stream import JournalEntryLines, JournalFilter, JournalLinesPage
from ledger.position_reads import PositionReads
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.rule_inputs import (
    FeeInputs,
    as_validation,
    capital_called,
    deal_price,
    entry_draft,
    fees_charged,
    holding_since,
    investments,
    pool_books,
    rule_for,
    rule_reads,
    standing_fee_periods,
)
from ledger.schemas import (
    BATCH_MAX_ROWS,
    AccountRef,
    BatchResult,
    BatchRowInput,
    EntryOut,
    EntryPage,
    EntryType,
    InvestmentOut,
    PoolPositions,
    PositionOut,
    ReversalRequest,
    RowError,
    TransactionRequest,
)
from ledger.service import DatabaseLedgerService
from ledger.terms import investor_terms, pool_terms

_PRICED = frozenset({"subscription", "redemption", "valuation"})
"""The kinds whose rule reads the dealing facts (read_dealing_facts) in an open-ended pool."""


class DatabaseTransactionService(CapitalEvents):
    def __init__(
        self,
        ledger: DatabaseLedgerService,
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
        self._reads = PositionReads(ledger, pools, investors)

    # -- writes -------------------------------------------------------------------------

    def record(
        self, actor: Actor, pool_id: int, request: TransactionRequest, idempotency_key: str
    ) -> EntryOut:
        """POST /pools/{id}/transactions: one transaction of any manager-recorded type."""
        kind = request.type.value
        pool = self.writable_pool(actor, pool_id, kind, request.effective_date)
        if kind in NEEDS_INVESTOR:
            if request.investor_id is None:
                raise ValidationFailed(f"investor_id: a {kind} needs the investor", field="investor_id")
            if kind in MONEY_IN:
                self._investors.require_kyc_approved(request.investor_id)
            else:
                self._investors.kyc_status(request.investor_id)  # NotFound for an unknown investor

        commitments = dict(self._investors.commitments_for_pool(pool_id)) if kind == "management_fee" else {}
        letters = self.side_letters(pool) if kind in {"management_fee", "distribution"} else {}

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            price = None
            fee = None
            if kind in {"subscription", "redemption"}:
                price = deal_price(terms, books, read_dealing_facts(session, terms.pool_id), request)
            if kind == "management_fee":
                fee = FeeInputs(
                    standing_fee_periods(session, terms.pool_id),
                    commitments,
                    capital_called(session, terms.pool_id),
                    holding_since(session, terms.pool_id),
                    letters,
                )
            held = None
            if kind == "sale" and request.investment is not None:
                held = costs_held(investments(session, terms.pool_id))
            charged = fees_charged(session, terms.pool_id) if kind == "performance_fee" else []
            return rule_for(
                kind,
                terms,
                books,
                request,
                price=price,
                fee=fee,
                investor_terms=letters,
                investments_held=held,
                fees=charged,
            )

        return self._post(
            actor,
            pool,
            request.effective_date,
            request.memo,
            build,
            operation=kind,
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
            reads=rule_reads(kind, request, pool_terms(pool)),
        )

    def record_batch(
        self,
        actor: Actor,
        pool_id: int,
        requests: Sequence[BatchRowInput],
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
        rows = [
            checked_row(pool, index, raw, static_errors, today=self._clock().date())
            for index, raw in enumerate(requests)
        ]
        check_row_investors(rows, static_errors, self._investors)
        terms = pool_terms(pool)
        commitments = dict(self._investors.commitments_for_pool(pool.id))
        letters = self.side_letters(pool)

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
            plan = plan_batch(
                session, terms, accounts, rows, errors, commitments=commitments, investor_terms=letters
            )
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

    # -- reads (ledger.position_reads) ------------------------------------------------------

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
        return self._reads.list_transactions(
            actor,
            pool_id,
            cursor=cursor,
            limit=limit,
            entry_type=entry_type,
            investor_id=investor_id,
            date_from=date_from,
            date_to=date_to,
        )

    def journal_lines(self, actor: Actor, pool_id: int, where: JournalFilter) -> Iterator[JournalEntryLines]:
        return self._reads.journal_lines(actor, pool_id, where)

    def journal_page(
        self, actor: Actor, pool_id: int, where: JournalFilter, *, cursor: str | None = None, limit: int = 50
    ) -> JournalLinesPage:
        return self._reads.journal_page(actor, pool_id, where, cursor=cursor, limit=limit)

    def pool_positions(self, actor: Actor, pool_id: int) -> PoolPositions:
        return self._reads.pool_positions(actor, pool_id)

    def investments(self, actor: Actor, pool_id: int) -> list[InvestmentOut]:
        return self._reads.investments(actor, pool_id)

    def holdings(self, actor: Actor, investor_id: int) -> list[PositionOut]:
        return self._reads.holdings(actor, investor_id)

    def position(self, investor_id: int, pool_id: int) -> PositionOut | None:
        """The system's view of one position (for the investor service's participation)."""
        return self._reads.position(investor_id, pool_id)

    # -- the checks every write, and its preview (ledger.previews), makes first ---------

    def side_letters(self, pool: PoolOut) -> dict[int, InvestorTerms]:
        """The pool's side letters as the rules take them (closed-ended pools have them)."""
        if pool.kind is not PoolKind.CLOSED_ENDED:
            return {}
        return investor_terms(self._investors.side_letters_for_pool(pool.id))

    def writable_pool(self, actor: Actor, pool_id: int, kind: str, on: date) -> PoolOut:
        """The pool, if the actor manages it and it accepts a `kind` dated `on` (ledger.acceptance)."""
        pool = self._pools.require_manage(actor, pool_id)
        problem = refusal(pool, kind, on, self._clock().date())
        if problem is not None:
            field, reason = problem
            raise ValidationFailed(f"{field}: {reason}", field=field)
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
        reads: tuple[AccountRef, ...] | None = None,
    ) -> EntryOut:
        """Write the entry `build` makes; `reads` (rule_inputs.rule_reads): the only balances
        it reads, and then no fact of the pool beside them, or None for the whole books."""
        terms = pool_terms(pool)

        def rule(session: Session, balances: dict[AccountRef, Decimal]) -> tuple[EntryDraft, dict[str, Any]]:
            try:
                # A deal, or an open-ended pool's mark, prices against the dealing facts: read
                # them first (kept under the lock for `build`), so the latest standing entry
                # comes in the same statement instead of a round trip of its own.
                if terms.open_ended and operation in _PRICED:
                    latest = read_dealing_facts(session, terms.pool_id)
                else:
                    latest = DealingFacts(latest=latest_standing_entry(session, terms.pool_id))
                # first, so a back-dated entry hears why before anything about its figures
                require_date_order(terms.pool_id, latest, on)
                books = PoolBooks(balances) if reads is not None else pool_books(session, terms, balances)
                posting = build(terms, books, session)
            except LedgerInputError as exc:
                raise as_validation(exc) from None
            return entry_draft(terms, posting, on, memo), posting.details

        def audit(session: Session) -> None:
            self._audit.record(
                session, actor, f"ledger.{operation}", "pool", pool.id, after={"request": request}
            )

        return self._ledger.write_rule(
            actor,
            pool.id,
            terms.currency.code,
            rule,
            idempotency_key,
            operation=operation,
            request={"pool_id": pool.id, **request},
            reads=reads,
            unlocked=audit,
        )
