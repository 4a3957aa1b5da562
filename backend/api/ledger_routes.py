"""The books over REST: transactions, capital calls, distributions, valuations, reversals,
positions and holdings.

Every write needs an `Idempotency-Key` header (IETF draft "The Idempotency-Key HTTP Header
Field", as Stripe uses it): the same key with the same body replays the first response,
with another body answers 422 naming the key, and while the first request is still running
answers 409. Authorisation is the transaction service's.
"""

from __future__ import annotations

from flask import request
from pydantic import BaseModel, ConfigDict, Field

from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.platform.errors import ValidationFailed
from backend.platform.fields import IsoDate, RecordId
from backend.service_directory import Services
from ledger.interface import (
    CapitalCallRequest,
    ClawbackRequest,
    DistributionRequest,
    EntryOut,
    EntryPage,
    EntryType,
    InvestmentOut,
    PoolPositions,
    PositionOut,
    ReversalRequest,
    SubsequentCloseRequest,
    TransactionRequest,
    ValuationOut,
    ValuationRequest,
    check_key,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"


class TransactionQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page")
    limit: int = Field(default=50, ge=1, le=500)
    type: EntryType | None = None
    investor_id: RecordId | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


def idempotency_key() -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None or not key.strip():
        raise ValidationFailed(
            f"{IDEMPOTENCY_HEADER}: required on every write to the books (a unique value per request)",
            field=IDEMPOTENCY_HEADER,
        )
    return check_key(key)


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "POST",
        "/pools/{pool_id}/transactions",
        summary="Record a transaction (Idempotency-Key header required)",
        tag="books",
        body=TransactionRequest,
        response=EntryOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_transaction(actor: Actor, pool_id: int, body: TransactionRequest) -> EntryOut:
        return container.transactions.record(actor, pool_id, body, idempotency_key())

    @router.operation(
        "GET",
        "/pools/{pool_id}/transactions",
        summary="The pool's journal, oldest first, cursor-paginated",
        tag="books",
        query=TransactionQuery,
        response=EntryPage,
        errors=(404,),
    )
    def list_transactions(actor: Actor, pool_id: int, query: TransactionQuery) -> EntryPage:
        return container.transactions.list_transactions(
            actor,
            pool_id,
            cursor=query.cursor,
            limit=query.limit,
            entry_type=query.type,
            investor_id=query.investor_id,
            date_from=query.date_from,
            date_to=query.date_to,
        )

    @router.operation(
        "POST",
        "/pools/{pool_id}/capital-calls",
        summary="Call capital pro rata to commitments (Idempotency-Key header required)",
        tag="books",
        body=CapitalCallRequest,
        response=EntryOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_capital_call(actor: Actor, pool_id: int, body: CapitalCallRequest) -> EntryOut:
        return container.transactions.capital_call(actor, pool_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/pools/{pool_id}/subsequent-closes",
        summary="Admit the investors committed since capital was called, equalised as if they had been in "
        "from the first close: their share of each earlier call and equalisation interest in, the "
        "overpayments and the interest back to the investors already in (Idempotency-Key header required)",
        tag="books",
        body=SubsequentCloseRequest,
        response=EntryOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_subsequent_close(actor: Actor, pool_id: int, body: SubsequentCloseRequest) -> EntryOut:
        return container.transactions.subsequent_close(actor, pool_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/pools/{pool_id}/clawbacks",
        summary="American waterfall: the GP gives back the carry it took deal by deal beyond the whole "
        "fund's figure, to the investors who bore it; at the end of the fund, or at an interim date "
        "where the terms allow (Idempotency-Key header required)",
        tag="books",
        body=ClawbackRequest,
        response=EntryOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_clawback(actor: Actor, pool_id: int, body: ClawbackRequest) -> EntryOut:
        return container.transactions.clawback(actor, pool_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/pools/{pool_id}/distributions",
        summary="Distribute pro rata or through the waterfall (Idempotency-Key header required)",
        tag="books",
        body=DistributionRequest,
        response=EntryOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_distribution(actor: Actor, pool_id: int, body: DistributionRequest) -> EntryOut:
        return container.transactions.distribute(actor, pool_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/pools/{pool_id}/valuations",
        summary="Record the pool's net asset value as of a date (Idempotency-Key header required)",
        tag="books",
        body=ValuationRequest,
        response=ValuationOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_valuation(actor: Actor, pool_id: int, body: ValuationRequest) -> ValuationOut:
        return container.transactions.record_valuation(actor, pool_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/transactions/{entry_id}/reversal",
        summary="Reverse an entry with its mirror (Idempotency-Key header required)",
        tag="books",
        body=ReversalRequest,
        response=EntryOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_reversal(actor: Actor, entry_id: int, body: ReversalRequest) -> EntryOut:
        return container.transactions.reverse(actor, entry_id, body, idempotency_key())

    @router.operation(
        "GET",
        "/pools/{pool_id}/positions",
        summary="Every investor's position in the pool",
        tag="books",
        response=PoolPositions,
        errors=(404,),
    )
    def get_positions(actor: Actor, pool_id: int) -> PoolPositions:
        return container.transactions.pool_positions(actor, pool_id)

    @router.operation(
        "GET",
        "/pools/{pool_id}/investments",
        summary="The pool's portfolio investments, deal by deal: cost, sold, held, proceeds, realised gain",
        tag="books",
        response=list[InvestmentOut],
        errors=(404,),
    )
    def get_investments(actor: Actor, pool_id: int) -> list[InvestmentOut]:
        return container.transactions.investments(actor, pool_id)

    @router.operation(
        "GET",
        "/investors/{investor_id}/holdings",
        summary="One investor's positions across pools",
        tag="books",
        response=list[PositionOut],
        errors=(404,),
    )
    def get_holdings(actor: Actor, investor_id: int) -> list[PositionOut]:
        return container.transactions.holdings(actor, investor_id)
