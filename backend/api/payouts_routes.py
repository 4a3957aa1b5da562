"""Payouts over REST: investors' bank accounts for payouts (changed with the password,
confirmed with the code emailed to the investor, verified by an admin), the payouts each
distribution or redemption owes, and the pain.001 files that pay them."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from backend.api.routing import ApiRouter
from backend.payments.interface import (
    AccountDecision,
    PayoutAccountCode,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutBatchOut,
    PayoutFileIn,
    PayoutOut,
)
from backend.platform.actors import Actor
from backend.service_directory import Services


class PayoutQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="required for managers")


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/payments/payout-accounts",
        summary="The caller's bank accounts for payouts (masked), newest first",
        tag="payments",
        response=list[PayoutAccountOut],
        errors=(403,),
    )
    def list_payout_accounts(actor: Actor) -> list[PayoutAccountOut]:
        return container.payments.payout_accounts(actor)

    @router.operation(
        "POST",
        "/payments/payout-accounts",
        summary="Change the caller's payout account: password required, then the emailed code, then an admin",
        tag="payments",
        body=PayoutAccountIn,
        response=PayoutAccountOut,
        status=201,
        errors=(403, 422),
    )
    def post_payout_account(actor: Actor, body: PayoutAccountIn) -> PayoutAccountOut:
        return container.payments.request_payout_account(actor, body)

    @router.operation(
        "POST",
        "/payments/payout-accounts/{account_id}/confirmation",
        summary="Confirm the caller's own change of payout account with the code emailed to them",
        tag="payments",
        body=PayoutAccountCode,
        response=PayoutAccountOut,
        errors=(403, 404, 409, 422),
    )
    def confirm_payout_account(actor: Actor, account_id: int, body: PayoutAccountCode) -> PayoutAccountOut:
        return container.payments.confirm_payout_account(actor, account_id, body)

    @router.operation(
        "GET",
        "/payments/payout-accounts/pending",
        summary="Bank account changes waiting for verification (admins)",
        tag="payments",
        response=list[PayoutAccountOut],
        errors=(403,),
    )
    def list_pending_payout_accounts(actor: Actor) -> list[PayoutAccountOut]:
        return container.payments.pending_payout_accounts(actor)

    @router.operation(
        "POST",
        "/payments/payout-accounts/{account_id}/decision",
        summary="Verify or reject a bank account change after a call-back (admins)",
        tag="payments",
        body=AccountDecision,
        response=PayoutAccountOut,
        errors=(403, 404, 409),
    )
    def decide_payout_account(actor: Actor, account_id: int, body: AccountDecision) -> PayoutAccountOut:
        return container.payments.decide_payout_account(actor, account_id, body)

    @router.operation(
        "GET",
        "/payments/payouts",
        summary="Payouts: a pool's (its managers) or the caller's own (an investor)",
        tag="payments",
        query=PayoutQuery,
        response=list[PayoutOut],
        errors=(404, 422),
    )
    def list_payouts(actor: Actor, query: PayoutQuery) -> list[PayoutOut]:
        return container.payments.list_payouts(actor, query.pool_id)

    @router.operation(
        "POST",
        "/payments/payouts/{payout_id}/release",
        summary="Release a held payout after review: it joins the next payment file",
        tag="payments",
        response=PayoutOut,
        errors=(404, 409),
    )
    def release_payout(actor: Actor, payout_id: int) -> PayoutOut:
        return container.payments.release_payout(actor, payout_id)

    @router.operation(
        "POST",
        "/pools/{pool_id}/payout-files",
        summary="Pay the pool's ready payouts: a validated pain.001 file for its bank",
        tag="payments",
        body=PayoutFileIn,
        response=PayoutBatchOut,
        status=201,
        errors=(404, 409, 422),
    )
    def post_payout_file(actor: Actor, pool_id: int, body: PayoutFileIn) -> PayoutBatchOut:
        batch, _ = container.payments.create_payout_file(actor, pool_id, body)
        return batch

    @router.operation(
        "POST",
        "/pools/{pool_id}/payout-transfers",
        summary="Pay the pool's ready payouts through the gateway (any currency), once each",
        tag="payments",
        response=list[PayoutOut],
        status=201,
        errors=(404, 409),
    )
    def post_payout_transfers(actor: Actor, pool_id: int) -> list[PayoutOut]:
        return container.payments.send_payouts_through_gateway(actor, pool_id)

    @router.operation(
        "GET",
        "/payments/payout-files/{batch_id}",
        summary="A payout file (pain.001.001.03 XML), identical on every download",
        tag="payments",
        errors=(404,),
    )
    def get_payout_file(actor: Actor, batch_id: int) -> Response:
        xml = container.payments.payout_file(actor, batch_id)
        response = Response(xml, mimetype="application/xml")
        response.headers["Content-Disposition"] = f'attachment; filename="payouts-{batch_id}.xml"'
        response.headers["Cache-Control"] = "no-store"  # it carries whole account numbers
        return response
