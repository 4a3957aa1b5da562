"""Batch ingest over REST: many transactions of one pool, all or nothing.

`POST /api/v1/pools/{pool_id}/transactions/batch` {"transactions": [row, ...]} with an
`Idempotency-Key` header (one key for the whole batch). Each row is a transaction as
`POST /pools/{id}/transactions` takes it, or {"type": "valuation", "amount": NAV,
"effective_date": ...}. At most 10,000 rows (ledger.schemas.BATCH_MAX_ROWS). When any row
cannot be posted nothing is written and the answer is 422 problem+json whose `errors` list
every problem as {"row": 0-based index, "field": ..., "reason": ...}.
"""

from __future__ import annotations

from flask import Response

from backend.api.ledger_routes import idempotency_key
from backend.api.problems import problem_kind
from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.platform.http import problem
from backend.service_directory import Services
from ledger.interface import BatchRejected, BatchRequest, BatchResult


def rejected(exc: BatchRejected) -> Response:
    """Every row's problem, each naming its row, in one problem document."""
    kind = problem_kind(exc)
    errors = [error.model_dump() for error in exc.errors]
    return problem(kind.status, kind.title, exc.detail, type_slug=kind.type_slug, errors=errors)


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "POST",
        "/pools/{pool_id}/transactions/batch",
        summary="Record up to 10,000 transactions at once, all or nothing (Idempotency-Key required)",
        tag="books",
        body=BatchRequest,
        response=BatchResult,
        status=201,
        errors=(404, 409, 422),
    )
    def post_transaction_batch(actor: Actor, pool_id: int, body: BatchRequest) -> BatchResult | Response:
        key = idempotency_key()
        try:
            return container.transactions.record_batch(actor, pool_id, body.transactions, key)
        except BatchRejected as exc:
            return rejected(exc)
