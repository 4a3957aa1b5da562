"""Payments over REST: payment requests and their payments, wires recorded and approved by
two people, and the gateway's webhook (public: its signature is its credential)."""

from __future__ import annotations

from flask import Response, request
from pydantic import BaseModel, ConfigDict, Field

from backend.api.ledger_routes import idempotency_key
from backend.api.routing import ApiRouter
from backend.payments.interface import (
    CollectionAccountIn,
    CollectionAccountOut,
    EventUnreadable,
    GatewayHealthOut,
    LineStatus,
    ManualMatchIn,
    MethodIn,
    PayIn,
    PaymentOut,
    PaymentRequestOut,
    ReconciliationOut,
    RefundIn,
    RequestStatus,
    SavedMethodOut,
    SignatureInvalid,
    StatementImportOut,
    StatementLineOut,
    StatementUpload,
    WebhookOutcome,
    WireApproval,
    WireIn,
    WireInstructions,
)
from backend.platform.actors import Actor
from backend.platform.fields import IsoDate
from backend.platform.http import problem
from backend.service_directory import Services

WEBHOOK_MAX_BYTES = 256 * 1024
"""The gateway's events are a few kilobytes; anything far larger is not one of them."""


class RequestQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="required for managers")
    status: RequestStatus | None = None


class PaymentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="required for managers")
    awaiting_approval: bool | None = Field(default=None, description="true: the four-eyes queue")


class HealthQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_hours: int = Field(default=24, ge=1, le=24 * 31)


class LineQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: LineStatus | None = Field(default=None, description="unmatched: the manual match queue")


class ReconciliationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: IsoDate | None = Field(default=None, description="the day; the last run when omitted")


class ReconcileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: IsoDate = Field(description="the day to reconcile")


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/payments/reconciliation",
        summary="The last reconciliation (of a day): every difference and what to do (admins)",
        tag="payments",
        query=ReconciliationQuery,
        response=ReconciliationOut,
        errors=(403, 404),
    )
    def get_reconciliation(actor: Actor, query: ReconciliationQuery) -> ReconciliationOut:
        return container.payments.reconciliation(actor, query.on)

    @router.operation(
        "POST",
        "/payments/reconciliation",
        summary="Reconcile a day now (admins): lists differences, corrects nothing",
        tag="payments",
        body=ReconcileIn,
        response=ReconciliationOut,
        status=201,
        errors=(403,),
    )
    def post_reconciliation(actor: Actor, body: ReconcileIn) -> ReconciliationOut:
        return container.payments.run_reconciliation(actor, body.on)

    @router.operation(
        "POST",
        "/pools/{pool_id}/bank-statements",
        summary="Import a statement of the pool's account (camt.053/054, MT940, CSV), all or nothing",
        tag="payments",
        body=StatementUpload,
        response=StatementImportOut,
        status=201,
        errors=(404, 422),
    )
    def post_bank_statement(actor: Actor, pool_id: int, body: StatementUpload) -> StatementImportOut:
        return container.payments.import_statement(actor, pool_id, body)

    @router.operation(
        "GET",
        "/pools/{pool_id}/bank-statements/lines",
        summary="The pool's imported statement lines and what became of each",
        tag="payments",
        query=LineQuery,
        response=list[StatementLineOut],
        errors=(404,),
    )
    def list_statement_lines(actor: Actor, pool_id: int, query: LineQuery) -> list[StatementLineOut]:
        return container.payments.statement_lines(actor, pool_id, query.status)

    @router.operation(
        "POST",
        "/payments/statement-lines/{line_id}/match",
        summary="Match an unmatched credit to a request (a wire awaiting a second person's approval)",
        tag="payments",
        body=ManualMatchIn,
        response=PaymentOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_statement_line_match(actor: Actor, line_id: int, body: ManualMatchIn) -> PaymentOut:
        return container.payments.match_statement_line(actor, line_id, body)

    @router.operation(
        "GET",
        "/payments/requests",
        summary="Payment requests: a pool's (its managers) or the caller's own (an investor)",
        tag="payments",
        query=RequestQuery,
        response=list[PaymentRequestOut],
        errors=(404, 422),
    )
    def list_payment_requests(actor: Actor, query: RequestQuery) -> list[PaymentRequestOut]:
        return container.payments.list_requests(actor, pool_id=query.pool_id, status=query.status)

    @router.operation(
        "GET",
        "/payments",
        summary="Payments, newest first: a pool's (its managers), the caller's own (an investor)",
        tag="payments",
        query=PaymentQuery,
        response=list[PaymentOut],
        errors=(404, 422),
    )
    def list_payment_history(actor: Actor, query: PaymentQuery) -> list[PaymentOut]:
        return container.payments.payment_history(
            actor, pool_id=query.pool_id, awaiting_approval=query.awaiting_approval
        )

    @router.operation(
        "GET",
        "/payments/gateway-health",
        summary="Webhook traffic, attempts stuck at the gateway, books behind, queues (admins)",
        tag="payments",
        query=HealthQuery,
        response=GatewayHealthOut,
        errors=(403,),
    )
    def get_gateway_health(actor: Actor, query: HealthQuery) -> GatewayHealthOut:
        return container.payments.gateway_health(actor, query.window_hours)

    @router.operation(
        "GET",
        "/payments/requests/{request_id}",
        summary="One payment request",
        tag="payments",
        response=PaymentRequestOut,
        errors=(404,),
    )
    def get_payment_request(actor: Actor, request_id: int) -> PaymentRequestOut:
        return container.payments.get_request(actor, request_id)

    @router.operation(
        "GET",
        "/payments/requests/{request_id}/payments",
        summary="The payments made against one request",
        tag="payments",
        response=list[PaymentOut],
        errors=(404,),
    )
    def list_request_payments(actor: Actor, request_id: int) -> list[PaymentOut]:
        return container.payments.list_payments(actor, request_id)

    @router.operation(
        "GET",
        "/payments/requests/{request_id}/wire-instructions",
        summary="How to pay a request by wire: beneficiary, IBAN, BIC, reference, amount",
        tag="payments",
        response=WireInstructions,
        errors=(404, 409),
    )
    def get_wire_instructions(actor: Actor, request_id: int) -> WireInstructions:
        return container.payments.wire_instructions(actor, request_id)

    @router.operation(
        "GET",
        "/pools/{pool_id}/collection-account",
        summary="The pool's bank account for wires, masked (its managers)",
        tag="payments",
        response=CollectionAccountOut,
        errors=(404,),
    )
    def get_collection_account(actor: Actor, pool_id: int) -> CollectionAccountOut:
        return container.payments.collection_account(actor, pool_id)

    @router.operation(
        "PUT",
        "/pools/{pool_id}/collection-account",
        summary="Set the pool's bank account for wires (IBAN checked, stored sealed, audited)",
        tag="payments",
        body=CollectionAccountIn,
        response=CollectionAccountOut,
        errors=(404, 422),
    )
    def put_collection_account(actor: Actor, pool_id: int, body: CollectionAccountIn) -> CollectionAccountOut:
        return container.payments.set_collection_account(actor, pool_id, body)

    @router.operation(
        "GET",
        "/payments/methods",
        summary="The caller's saved payment methods (tokens, brand and last digits only)",
        tag="payments",
        response=list[SavedMethodOut],
        errors=(403, 409),
    )
    def list_payment_methods(actor: Actor) -> list[SavedMethodOut]:
        return container.payments.payment_methods(actor)

    @router.operation(
        "POST",
        "/payments/methods",
        summary="Save a method tokenised by the gateway's hosted fields (send the token, never a card)",
        tag="payments",
        body=MethodIn,
        response=SavedMethodOut,
        status=201,
        errors=(403, 409, 422),
    )
    def add_payment_method(actor: Actor, body: MethodIn) -> SavedMethodOut:
        return container.payments.add_payment_method(actor, body)

    @router.operation(
        "POST",
        "/payments/methods/remove",
        summary="Remove one of the caller's saved methods",
        tag="payments",
        body=MethodIn,
        status=204,
        errors=(403, 404, 409),
    )
    def remove_payment_method(actor: Actor, body: MethodIn) -> None:
        container.payments.remove_payment_method(actor, body)

    @router.operation(
        "POST",
        "/payments/{payment_id}/refunds",
        summary="Refund a card or bank debit payment through the gateway (Idempotency-Key required)",
        tag="payments",
        body=RefundIn,
        response=PaymentOut,
        status=201,
        errors=(400, 404, 409, 422, 503),
    )
    def post_refund(actor: Actor, payment_id: int, body: RefundIn) -> PaymentOut:
        return container.payments.refund_payment(actor, payment_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/payments/requests/{request_id}/pay",
        summary="Pay what is outstanding with a saved method (Idempotency-Key header required)",
        tag="payments",
        body=PayIn,
        response=PaymentOut,
        status=201,
        errors=(403, 404, 409, 422),
    )
    def pay_request(actor: Actor, request_id: int, body: PayIn) -> PaymentOut:
        return container.payments.pay(actor, request_id, body, idempotency_key())

    @router.operation(
        "POST",
        "/payments/wires",
        summary="Record a wire received (held until a second manager or an admin approves it)",
        tag="payments",
        body=WireIn,
        response=PaymentOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_wire(actor: Actor, body: WireIn) -> PaymentOut:
        return container.payments.record_wire(actor, body)

    @router.operation(
        "POST",
        "/payments/{payment_id}/decision",
        summary="Approve (post) or reject a recorded wire: not by the person who recorded it",
        tag="payments",
        body=WireApproval,
        response=PaymentOut,
        errors=(403, 404, 409),
    )
    def post_wire_decision(actor: Actor, payment_id: int, body: WireApproval) -> PaymentOut:
        return container.payments.decide_wire(actor, payment_id, body)

    @router.operation(
        "POST",
        "/payments/webhooks/stripe",
        summary="The payment gateway's events, signed (Stripe-Signature); a redelivery does nothing",
        tag="payments",
        response=WebhookOutcome,
        public=True,
        errors=(400,),
    )
    def stripe_webhook() -> WebhookOutcome | Response:
        if (request.content_length or 0) > WEBHOOK_MAX_BYTES:
            return problem(400, "Bad webhook", "body: too large for a gateway event", type_slug="bad-webhook")
        body = request.get_data(cache=False)
        try:
            return container.payments.apply_webhook(body, request.headers.get("Stripe-Signature"))
        except (SignatureInvalid, EventUnreadable) as exc:
            field = "Stripe-Signature" if isinstance(exc, SignatureInvalid) else "body"
            return problem(
                400,
                "Bad webhook",
                str(exc),
                type_slug="bad-webhook",
                errors=[{"field": field, "reason": str(exc)}],
            )
