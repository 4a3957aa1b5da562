"""The payment service over gRPC: its contract (the Protocol in backend/payments/interface.py,
as investment_pools.payments.v1.PaymentService) and a client implementing the Protocol.

A payment file travels as protobuf `bytes` beside its batch, and a gateway's webhook body as
the exact bytes its signature was made over. Charging, refunding and the system's sweeps are
writes, sent once: a charge or a refund that must survive a retry carries its idempotency key
as a parameter. The reads below are retried when the service is briefly unavailable."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.payments.interface import PaymentService
from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.payments.v1 import payments_pb2

PAYMENTS = ServiceContract(
    "payments",
    PaymentService,
    reads=frozenset(
        {
            "list_requests",
            "get_request",
            "list_payments",
            "payment_history",
            "gateway_health",
            "collection_account",
            "pool_bank_details",
            "wire_instructions",
            "statement_lines",
            "payout_accounts",
            "pending_payout_accounts",
            "list_payouts",
            "payout_file",
            "reconciliation",
            "payment_methods",
        }
    ),
)


class PaymentServiceClient(RpcClient):
    contract = PAYMENTS
    messages: ClassVar[ModuleType] = payments_pb2

    open_requests_for_call = remote(PaymentService.open_requests_for_call)
    mirror_book_contribution = remote(PaymentService.mirror_book_contribution)
    mirror_book_reversal = remote(PaymentService.mirror_book_reversal)
    list_requests = remote(PaymentService.list_requests)
    get_request = remote(PaymentService.get_request)
    list_payments = remote(PaymentService.list_payments)
    payment_history = remote(PaymentService.payment_history)
    gateway_health = remote(PaymentService.gateway_health)
    record_wire = remote(PaymentService.record_wire)
    decide_wire = remote(PaymentService.decide_wire)
    set_collection_account = remote(PaymentService.set_collection_account)
    collection_account = remote(PaymentService.collection_account)
    pool_bank_details = remote(PaymentService.pool_bank_details)
    wire_instructions = remote(PaymentService.wire_instructions)
    import_statement = remote(PaymentService.import_statement)
    statement_lines = remote(PaymentService.statement_lines)
    match_statement_line = remote(PaymentService.match_statement_line)
    open_payouts_for_entry = remote(PaymentService.open_payouts_for_entry)
    close_payout_history = remote(PaymentService.close_payout_history)
    payout_accounts = remote(PaymentService.payout_accounts)
    request_payout_account = remote(PaymentService.request_payout_account)
    confirm_payout_account = remote(PaymentService.confirm_payout_account)
    pending_payout_accounts = remote(PaymentService.pending_payout_accounts)
    decide_payout_account = remote(PaymentService.decide_payout_account)
    list_payouts = remote(PaymentService.list_payouts)
    release_payout = remote(PaymentService.release_payout)
    create_payout_file = remote(PaymentService.create_payout_file)
    payout_file = remote(PaymentService.payout_file)
    send_payouts_through_gateway = remote(PaymentService.send_payouts_through_gateway)
    resume_payout_transfers = remote(PaymentService.resume_payout_transfers)
    reconcile = remote(PaymentService.reconcile)
    run_reconciliation = remote(PaymentService.run_reconciliation)
    reconciliation = remote(PaymentService.reconciliation)
    payment_methods = remote(PaymentService.payment_methods)
    add_payment_method = remote(PaymentService.add_payment_method)
    remove_payment_method = remote(PaymentService.remove_payment_method)
    pay = remote(PaymentService.pay)
    refund_payment = remote(PaymentService.refund_payment)
    resume_gateway_attempts = remote(PaymentService.resume_gateway_attempts)
    apply_webhook = remote(PaymentService.apply_webhook)
    send_payment_reminders = remote(PaymentService.send_payment_reminders)
    reseal_bank_details = remote(PaymentService.reseal_bank_details)
    post_contributions = remote(PaymentService.post_contributions)
