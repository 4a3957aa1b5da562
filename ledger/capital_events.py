"""The capital events a manager records through an endpoint of their own, beyond a plain transaction.

A closed-ended pool's capital moves by events a plain transaction (TransactionRequest, one
posting rule chosen by its type) cannot express: a capital call against the commitments, a
distribution (pro rata or the waterfall, deal by deal for an American one), the GP's
clawback of carry, a subsequent close that admits later investors equalised, and the
valuation mark the pool's capital is measured by (in an open-ended pool too). Each takes a
request form of its own and gathers its rule's inputs (commitments, side letters, deals,
closing rows, the mark's fee window) before posting.

They sit apart from ledger.transactions, whose DatabaseTransactionService inherits them,
so that module keeps only the general write path (record, record_batch, reverse), the
reads and the checks every write makes. The write itself (`_post`), the checks
(`writable_pool`, `side_letters`) and the collaborators are the service's: this class
declares them as annotations and never sets them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from backend.finance.investor_terms import InvestorTerms
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor
from backend.pools.interface import PoolOut
from ledger import posting_rules as rules
from ledger.dealing_facts import read_dealing_facts
from ledger.forward_pricing import require_valuation_before_deals
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.rule_inputs import (
    capital_called,
    deal_facts,
    deal_rows,
    distribution_rule,
    mark_fee_accrues_from,
    opening_nav,
    recallable_returned,
)
from ledger.schemas import (
    AccountRef,
    CapitalCallRequest,
    ClawbackRequest,
    DistributionRequest,
    EntryOut,
    SubsequentCloseRequest,
    ValuationOut,
    ValuationRequest,
)
from ledger.subsequent_closes import close_posting, closing_rows
from ledger.terms import equalisation_terms, pool_terms


class PostsEntry(Protocol):
    """How the transaction service writes the entry a rule builds (its `_post`): under the
    pool's lock, with the idempotency key and the audit record."""

    def __call__(
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
    ) -> EntryOut: ...


class CapitalEvents:
    """The capital events of ledger.transactions.DatabaseTransactionService, which sets
    every attribute declared here."""

    _investors: InvestorService
    _clock: Callable[[], datetime]
    _post: PostsEntry
    writable_pool: Callable[[Actor, int, str, date], PoolOut]
    side_letters: Callable[[PoolOut], dict[int, InvestorTerms]]

    def capital_call(
        self, actor: Actor, pool_id: int, request: CapitalCallRequest, idempotency_key: str
    ) -> EntryOut:
        on = request.effective_date or self._clock().date()
        pool = self.writable_pool(actor, pool_id, "capital_call", on)
        commitments = dict(self._investors.commitments_for_pool(pool_id))

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            return rules.capital_call(
                terms,
                commitments=commitments,
                called=capital_called(session, pool_id),
                recallable=recallable_returned(session, pool_id),
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
        pool = self.writable_pool(actor, pool_id, "distribution", request.effective_date)
        letters = self.side_letters(pool)
        commitments = self.deal_commitments(pool)

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            deals = None
            if terms.deal_by_deal:
                deals = deal_facts(deal_rows(session, pool_id), terms, commitments)
            return distribution_rule(terms, books, request, letters, deals)

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

    def clawback(
        self, actor: Actor, pool_id: int, request: ClawbackRequest, idempotency_key: str
    ) -> EntryOut:
        """POST /pools/{id}/clawbacks: the GP gives back the carry it took deal by deal beyond
        the whole fund's figure (American waterfall)."""
        pool = self.writable_pool(actor, pool_id, "clawback", request.effective_date)
        letters = self.side_letters(pool)
        commitments = self.deal_commitments(pool)

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            deals = rules.DealBook()  # the rule refuses a pool with no deals of its own
            if terms.deal_by_deal:
                deals = deal_facts(deal_rows(session, pool_id), terms, commitments)
            return rules.clawback(
                terms, deals, on=request.effective_date, interim=request.interim, investor_terms=letters
            )

        return self._post(
            actor,
            pool,
            request.effective_date,
            request.memo,
            build,
            operation="clawback",
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    def deal_commitments(self, pool: PoolOut) -> dict[int, Decimal]:
        """What funds each deal of an American waterfall (nothing to read for other pools)."""
        if pool_terms(pool).deal_by_deal:
            return dict(self._investors.commitments_for_pool(pool.id))
        return {}

    def subsequent_close(
        self, actor: Actor, pool_id: int, request: SubsequentCloseRequest, idempotency_key: str
    ) -> EntryOut:
        on = request.payment_date or request.closing_date
        pool = self.writable_pool(actor, pool_id, "subsequent_close", on)
        commitments = dict(self._investors.commitments_for_pool(pool_id))
        equalisation = equalisation_terms(pool)
        letters = self.side_letters(pool)

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            rows = closing_rows(session, pool_id)
            return close_posting(terms, books, rows, commitments, equalisation, request, letters)

        return self._post(
            actor,
            pool,
            on,
            request.memo,
            build,
            operation="subsequent_close",
            request=request.model_dump(mode="json"),
            idempotency_key=idempotency_key,
        )

    def record_valuation(
        self, actor: Actor, pool_id: int, request: ValuationRequest, idempotency_key: str
    ) -> ValuationOut:
        pool = self.writable_pool(actor, pool_id, "valuation", request.as_of)
        price: list[Decimal | None] = [None]

        def build(terms: PoolTerms, books: PoolBooks, session: Session) -> Posting:
            if terms.open_ended:
                require_valuation_before_deals(
                    terms.pool_id, read_dealing_facts(session, terms.pool_id), request.as_of
                )
            accrues_from = mark_fee_accrues_from(session, terms)
            posting = rules.valuation(
                terms,
                books,
                net_asset_value=request.net_asset_value,
                on=request.as_of,
                fee_accrues_from=accrues_from,
                fx_rates=request.fx_rates,
                hedge_results=request.hedge_results,
                opening_nav=opening_nav(session, terms, accrues_from),
            )
            units = books.units_outstanding
            # A pool with share classes has a price per class (the entry's share_classes), not one.
            if units and not terms.share_classes:
                price[0] = rules.dealing_price(terms, books.apply(posting.lines))
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
