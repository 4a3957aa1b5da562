"""What a manager's transaction would post, worked out without writing anything.

The portal's confirmation step shows the effect of a capital call, a distribution (pro rata
or the waterfall, tier by tier per investor and GP), a subscription or redemption, a
valuation or a reversal before the manager posts it. Each preview runs the same checks and
the same pure posting rule as the write (ledger.acceptance, ledger.rule_inputs) over the
books as they stand now, on a read-only view: no lock, no entry, no idempotency key.
Authorised like the write: only a manager of the pool (or an admin) gets an answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.errors import LedgerInputError
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import NotFound, ValidationFailed
from backend.platform.unit_of_work import ReadView
from backend.pools.interface import PoolOut, PoolService
from ledger import posting_rules as rules
from ledger.acceptance import MONEY_IN, NEEDS_INVESTOR
from ledger.book_reads import balances_by_ref
from ledger.dealing_facts import later_allocated_entry, read_dealing_facts
from ledger.forward_pricing import DealingFacts, require_date_order, require_valuation_before_deals
from ledger.investments import costs_held
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.reversals import refuse_if_the_investment_moved_since
from ledger.rule_inputs import (
    DealRows,
    FeeInputs,
    as_validation,
    capital_called,
    deal_facts,
    deal_price,
    deal_rows,
    distribution_rule,
    fees_charged,
    holding_since,
    investments,
    mark_fee_accrues_from,
    opening_nav,
    pool_facts,
    recallable_returned,
    rule_for,
    standing_fee_periods,
)
from ledger.schemas import (
    CapitalCallRequest,
    ClawbackRequest,
    DistributionRequest,
    EntryType,
    Preview,
    PreviewLine,
    SubsequentCloseRequest,
    TransactionRequest,
    ValuationRequest,
)
from ledger.service import DatabaseLedgerService
from ledger.subsequent_closes import close_posting, closing_rows
from ledger.terms import equalisation_terms, pool_terms
from ledger.transactions import DatabaseTransactionService


class DatabasePreviewService:
    def __init__(
        self,
        db: Database,
        ledger: DatabaseLedgerService,
        transactions: DatabaseTransactionService,
        pools: PoolService,
        investors: InvestorService,
    ) -> None:
        self._db = db
        self._ledger = ledger
        self._transactions = transactions
        self._pools = pools
        self._investors = investors

    def transaction(self, actor: Actor, pool_id: int, request: TransactionRequest) -> Preview:
        kind = request.type.value
        pool = self._transactions.writable_pool(actor, pool_id, kind, request.effective_date)
        if kind in NEEDS_INVESTOR:
            if request.investor_id is None:
                raise ValidationFailed(f"investor_id: a {kind} needs the investor", field="investor_id")
            if kind in MONEY_IN:
                self._investors.require_kyc_approved(request.investor_id)
            else:
                self._investors.kyc_status(request.investor_id)

        fee = None
        held = None
        charged: list[tuple[date, Decimal]] = []
        letters = self._transactions.side_letters(pool) if kind in {"management_fee", "distribution"} else {}
        if kind == "performance_fee":
            with ReadView(self._db, actor.reader_key) as view:
                charged = fees_charged(view.session, pool_id)
        if kind == "sale" and request.investment is not None:
            with ReadView(self._db, actor.reader_key) as view:
                held = costs_held(investments(view.session, pool_id))
        if kind == "management_fee":
            with ReadView(self._db, actor.reader_key) as view:
                fee = FeeInputs(
                    standing_fee_periods(view.session, pool_id),
                    dict(self._investors.commitments_for_pool(pool_id)),
                    capital_called(view.session, pool_id),
                    holding_since(view.session, pool_id),
                    letters,
                )

        def build(terms: PoolTerms, books: PoolBooks, dealing: DealingFacts) -> Posting:
            price = None
            if kind in {"subscription", "redemption"}:
                price = deal_price(terms, books, dealing, request)
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

        return self._run(actor, pool, request.effective_date, build)

    def capital_call(self, actor: Actor, pool_id: int, request: CapitalCallRequest, today: date) -> Preview:
        on = request.effective_date or today
        pool = self._transactions.writable_pool(actor, pool_id, "capital_call", on)
        commitments = dict(self._investors.commitments_for_pool(pool_id))
        called: dict[int, Decimal] = {}
        recalled: dict[int, Decimal] = {}

        def build(terms: PoolTerms, books: PoolBooks, dealing: DealingFacts) -> Posting:
            return rules.capital_call(
                terms,
                commitments=commitments,
                called=called,
                amount=request.amount,
                percent_of_commitment=request.percent_of_commitment,
                due_date=request.due_date,
                recallable=recalled,
            )

        return self._run(actor, pool, on, build, called=called, recalled=recalled)

    def distribution(self, actor: Actor, pool_id: int, request: DistributionRequest) -> Preview:
        pool = self._transactions.writable_pool(actor, pool_id, "distribution", request.effective_date)
        letters = self._transactions.side_letters(pool)
        rows, commitments = self._deal_rows(actor, pool)

        def build(terms: PoolTerms, books: PoolBooks, dealing: DealingFacts) -> Posting:
            deals = deal_facts(rows, terms, commitments) if terms.deal_by_deal else None
            return distribution_rule(terms, books, request, letters, deals)

        return self._run(actor, pool, request.effective_date, build)

    def clawback(self, actor: Actor, pool_id: int, request: ClawbackRequest) -> Preview:
        pool = self._transactions.writable_pool(actor, pool_id, "clawback", request.effective_date)
        letters = self._transactions.side_letters(pool)
        rows, commitments = self._deal_rows(actor, pool)

        def build(terms: PoolTerms, books: PoolBooks, dealing: DealingFacts) -> Posting:
            deals = deal_facts(rows, terms, commitments) if terms.deal_by_deal else rules.DealBook()
            return rules.clawback(
                terms, deals, on=request.effective_date, interim=request.interim, investor_terms=letters
            )

        return self._run(actor, pool, request.effective_date, build)

    def _deal_rows(self, actor: Actor, pool: PoolOut) -> tuple[DealRows, dict[int, Decimal]]:
        """What an American waterfall reads (nothing for any other pool)."""
        if not pool_terms(pool).deal_by_deal:
            return [], {}
        commitments = self._transactions.deal_commitments(pool)
        with ReadView(self._db, actor.reader_key) as view:
            return deal_rows(view.session, pool.id), commitments

    def subsequent_close(self, actor: Actor, pool_id: int, request: SubsequentCloseRequest) -> Preview:
        on = request.payment_date or request.closing_date
        pool = self._transactions.writable_pool(actor, pool_id, "subsequent_close", on)
        commitments = dict(self._investors.commitments_for_pool(pool_id))
        letters = self._transactions.side_letters(pool)
        with ReadView(self._db, actor.reader_key) as view:
            rows = closing_rows(view.session, pool_id)

        def build(terms: PoolTerms, books: PoolBooks, dealing: DealingFacts) -> Posting:
            return close_posting(terms, books, rows, commitments, equalisation_terms(pool), request, letters)

        return self._run(actor, pool, on, build)

    def valuation(self, actor: Actor, pool_id: int, request: ValuationRequest) -> Preview:
        pool = self._transactions.writable_pool(actor, pool_id, "valuation", request.as_of)
        with ReadView(self._db, actor.reader_key) as view:
            terms = pool_terms(pool)
            accrues_from = mark_fee_accrues_from(view.session, terms)
            opening = opening_nav(view.session, terms, accrues_from)

        def build(terms: PoolTerms, books: PoolBooks, dealing: DealingFacts) -> Posting:
            if terms.open_ended:
                require_valuation_before_deals(terms.pool_id, dealing, request.as_of)
            return rules.valuation(
                terms,
                books,
                net_asset_value=request.net_asset_value,
                on=request.as_of,
                fee_accrues_from=accrues_from,
                fx_rates=request.fx_rates,
                hedge_results=request.hedge_results,
                opening_nav=opening,
            )

        return self._run(actor, pool, request.as_of, build)

    def reversal(self, actor: Actor, pool_id: int, entry_id: int) -> Preview:
        """The entry that would be reversed (its lines negated), if it is this pool's."""
        pool = self._pools.require_manage(actor, pool_id)
        try:
            entry = self._ledger.get_entry(entry_id, pool_id=pool.id, actor=actor)
        except NotFound:
            raise ValidationFailed(
                f"entry_id: pool {pool.id} has no entry {entry_id}", field="entry_id"
            ) from None
        if entry.entry_type is EntryType.REVERSAL:
            raise ValidationFailed("entry_id: a reversal cannot itself be reversed", field="entry_id")
        if entry.entry_type is EntryType.PURCHASE:
            with ReadView(self._db, actor.reader_key) as view:
                refuse_if_the_investment_moved_since(view.session, pool.id, entry.id)
        if entry.entry_type not in (EntryType.PURCHASE, EntryType.FEE_PAYMENT):
            with ReadView(self._db, actor.reader_key) as view:
                later = later_allocated_entry(view.session, pool.id, entry.seq)
            if later is not None:
                raise ValidationFailed(
                    f"entry_id: entry {later.entry_id} (a {later.entry_type.value.replace('_', ' ')} of "
                    f"{later.on}) was posted after entry {entry.id} and allocated by the holdings it "
                    f"left; reverse entry {later.entry_id} first",
                    field="entry_id",
                )
        return Preview(
            pool_id=pool.id,
            currency=pool.base_currency,
            entry_type=entry.entry_type,
            effective_date=entry.effective_date,
            lines=[
                PreviewLine(account=p.account, investor_id=p.investor_id, amount=-p.amount)
                for p in entry.postings
            ],
            details={"reverses": entry.id, "seq": entry.seq, "memo": entry.memo, **entry.details},
            ledger_version=self._ledger.ledger_version(pool.id, actor=actor),
        )

    def _run(
        self,
        actor: Actor,
        pool: PoolOut,
        on: date,
        build: Any,
        *,
        called: dict[int, Decimal] | None = None,
        recalled: dict[int, Decimal] | None = None,
    ) -> Preview:
        terms = pool_terms(pool)
        with ReadView(self._db, actor.reader_key) as view:
            balances = balances_by_ref(view.session, pool.id)
            books = pool_facts(view.session, terms).books(balances)
            dealing = read_dealing_facts(view.session, pool.id)
            if called is not None:
                called.update(capital_called(view.session, pool.id))
            if recalled is not None:
                recalled.update(recallable_returned(view.session, pool.id))
        try:
            require_date_order(pool.id, dealing, on)
            posting: Posting | None = build(terms, books, dealing)
        except LedgerInputError as exc:
            raise as_validation(exc) from None
        return Preview(
            pool_id=pool.id,
            currency=terms.currency.code,
            entry_type=posting.entry_type if posting else None,
            effective_date=on,
            lines=[
                PreviewLine(account=line.account, investor_id=line.investor_id, amount=line.amount)
                for line in (posting.lines if posting else ())
            ],
            details=posting.details if posting else {},
            ledger_version=self._ledger.ledger_version(pool.id, actor=actor),
        )
