"""The payment service as its callers see it (a Protocol) and the types that go in and out.

Callers import this module only. The container binds `DatabasePaymentService` (service.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from backend.payments.gateway_events import EventUnreadable
from backend.payments.payout_schemas import (
    AccountDecision,
    PayoutAccountCode,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutAccountStatus,
    PayoutBatchOut,
    PayoutFileIn,
    PayoutKind,
    PayoutOut,
    PayoutStatus,
)
from backend.payments.schemas import (
    CollectionAccountIn,
    CollectionAccountOut,
    DifferenceKind,
    GatewayHealthOut,
    LineStatus,
    ManualMatchIn,
    MethodIn,
    PayIn,
    PaymentOut,
    PaymentRequestOut,
    PaymentStatus,
    PoolBankDetails,
    Rail,
    ReconciliationDifferenceOut,
    ReconciliationOut,
    RefundIn,
    RequestKind,
    RequestStatus,
    SavedMethodOut,
    StatementFormat,
    StatementImportOut,
    StatementLineOut,
    StatementUpload,
    WebhookOutcome,
    WireApproval,
    WireIn,
    WireInstructions,
)
from backend.payments.webhook_signature import SignatureInvalid
from backend.platform.actors import Actor

__all__ = [
    "AccountDecision",
    "CollectionAccountIn",
    "CollectionAccountOut",
    "DifferenceKind",
    "EventUnreadable",
    "GatewayHealthOut",
    "LedgerCatchUp",
    "LineStatus",
    "ManualMatchIn",
    "MethodIn",
    "PayIn",
    "PaymentOut",
    "PaymentRequestOut",
    "PaymentService",
    "PaymentStatus",
    "PayoutAccountCode",
    "PayoutAccountIn",
    "PayoutAccountOut",
    "PayoutAccountStatus",
    "PayoutBatchOut",
    "PayoutFileIn",
    "PayoutKind",
    "PayoutOut",
    "PayoutStatus",
    "PoolBankDetails",
    "Rail",
    "ReconciliationDifferenceOut",
    "ReconciliationOut",
    "RefundIn",
    "RequestKind",
    "RequestStatus",
    "SavedMethodOut",
    "SignatureInvalid",
    "StatementFormat",
    "StatementImportOut",
    "StatementLineOut",
    "StatementUpload",
    "WebhookOutcome",
    "WireApproval",
    "WireIn",
    "WireInstructions",
]


class LedgerCatchUp(Protocol):
    def catch_up(self, since: date) -> int:
        """Open the payment requests and payouts of ledger entries since `since` that have
        none (their event was lost on the way); returns how many were opened."""


class PaymentService(Protocol):
    def open_requests_for_call(
        self, pool_id: int, entry_id: int, due_date: date, allocation: Mapping[int, Decimal], currency: str
    ) -> int:
        """System: one payment request per investor with a share of a capital call."""

    def mirror_book_contribution(
        self, pool_id: int, investor_id: int, entry_id: int, amount: Decimal, on: date
    ) -> int:
        """System: a contribution recorded straight in the books settles the investor's open
        requests (oldest due first); idempotent per entry."""

    def mirror_book_reversal(self, reversed_entry_id: int, why: str) -> int:
        """System: the books reversed a contribution; its mirrored payments give it back."""

    def list_requests(
        self, actor: Actor, *, pool_id: int | None = None, status: RequestStatus | None = None
    ) -> list[PaymentRequestOut]: ...

    def get_request(self, actor: Actor, request_id: int) -> PaymentRequestOut: ...

    def list_payments(self, actor: Actor, request_id: int) -> list[PaymentOut]: ...

    def payment_history(
        self, actor: Actor, *, pool_id: int | None = None, awaiting_approval: bool | None = None
    ) -> list[PaymentOut]:
        """An investor's own payments; a pool's for its managers; any for admins. Newest first."""

    def gateway_health(self, actor: Actor, window_hours: int = 24) -> GatewayHealthOut:
        """Admins: webhook traffic, attempts stuck at the gateway, books behind, queues waiting."""

    def record_wire(self, actor: Actor, wire: WireIn) -> PaymentOut:
        """A wire seen on the bank account, held for a second person's approval."""

    def decide_wire(self, actor: Actor, payment_id: int, decision: WireApproval) -> PaymentOut: ...

    def set_collection_account(
        self, actor: Actor, pool_id: int, account: CollectionAccountIn
    ) -> CollectionAccountOut:
        """The pool's bank account for wires (managers); its IBAN is checked and sealed."""

    def collection_account(self, actor: Actor, pool_id: int) -> CollectionAccountOut: ...

    def pool_bank_details(self, pool_id: int) -> PoolBankDetails | None:
        """System: the pool's collection account in full (capital call notices print it)."""

    def wire_instructions(self, actor: Actor, request_id: int) -> WireInstructions:
        """Beneficiary, IBAN, BIC, reference and amount: what the investor types into their bank."""

    def import_statement(self, actor: Actor, pool_id: int, upload: StatementUpload) -> StatementImportOut:
        """A bank statement of the pool's collection account: all or nothing, each movement once;
        credits matched to requests, returns reversing what they return, the rest queued."""

    def statement_lines(
        self, actor: Actor, pool_id: int, status: LineStatus | None = None
    ) -> list[StatementLineOut]: ...

    def match_statement_line(self, actor: Actor, line_id: int, match: ManualMatchIn) -> PaymentOut:
        """A person's match of an unmatched credit: a wire awaiting another person's approval."""

    def open_payouts_for_entry(
        self,
        pool_id: int,
        entry_id: int,
        on: date,
        *,
        kind: PayoutKind,
        shares: Mapping[int, Decimal],
        currency: str,
    ) -> int:
        """System: one payout per investor a distribution or redemption pays; idempotent per entry."""

    def close_payout_history(self, up_to: date, why: str, pool_id: int | None = None) -> int:
        """System: payouts of entries dated up to `up_to` (in `pool_id`, or every pool) were
        paid before payouts were tracked (books loaded with their history): recorded as paid,
        so nobody pays them twice; for one pool, payouts opened later up to that date too."""

    def payout_accounts(self, actor: Actor) -> list[PayoutAccountOut]:
        """The investor's own bank accounts for payouts, newest first."""

    def request_payout_account(self, actor: Actor, account: PayoutAccountIn) -> PayoutAccountOut:
        """A change of bank account, asked with the password: unconfirmed until the investor
        enters the code emailed to their sign-in address (confirm_payout_account)."""

    def confirm_payout_account(
        self, actor: Actor, account_id: int, code: PayoutAccountCode
    ) -> PayoutAccountOut:
        """The investor's own change confirmed with its code: it then waits for an admin's
        verification. A wrong code counts a try; the fifth, or an expired code, voids it."""

    def pending_payout_accounts(self, actor: Actor) -> list[PayoutAccountOut]: ...

    def decide_payout_account(
        self, actor: Actor, account_id: int, decision: AccountDecision
    ) -> PayoutAccountOut:
        """Administrators, after confirming with the investor on a channel already on file."""

    def list_payouts(self, actor: Actor, pool_id: int | None = None) -> list[PayoutOut]: ...

    def release_payout(self, actor: Actor, payout_id: int) -> PayoutOut:
        """A manager reviewed a held payout: it joins the next payment file."""

    def create_payout_file(
        self, actor: Actor, pool_id: int, request: PayoutFileIn
    ) -> tuple[PayoutBatchOut, bytes]:
        """The pool's ready payouts in one validated pain.001 file; they become instructed."""

    def payout_file(self, actor: Actor, batch_id: int) -> bytes:
        """A payout file again, identical to the first time."""

    def send_payouts_through_gateway(self, actor: Actor, pool_id: int) -> list[PayoutOut]:
        """The pool's ready payouts as gateway transfers, in its currency, each at most once."""

    def resume_payout_transfers(self, older_than: timedelta | None = None) -> int:
        """System: transfers whose answer never came back, found by their key or sent again
        (those sent at least `older_than` ago; None: the service's own wait)."""

    def reconcile(self, on: date) -> ReconciliationOut:
        """System: the day's gateway and bank movements against payments and the books."""

    def run_reconciliation(self, actor: Actor, on: date) -> ReconciliationOut:
        """The same, on demand (admins)."""

    def reconciliation(self, actor: Actor, on: date | None = None) -> ReconciliationOut:
        """The last run (of `on`): admins."""

    def payment_methods(self, actor: Actor) -> list[SavedMethodOut]:
        """The investor's saved methods, as the gateway describes them."""

    def add_payment_method(self, actor: Actor, method: MethodIn) -> SavedMethodOut: ...

    def remove_payment_method(self, actor: Actor, method: MethodIn) -> None: ...

    def pay(self, actor: Actor, request_id: int, payment: PayIn, idempotency_key: str) -> PaymentOut:
        """ "Pay now": what is outstanding, with a saved method, charged at most once per key."""

    def refund_payment(
        self, actor: Actor, payment_id: int, refund: RefundIn, idempotency_key: str
    ) -> PaymentOut:
        """A manager of the pool (or an admin) gives back a card or debit payment's credit, or
        part or all of it, through the gateway, once per key; the books follow."""

    def resume_gateway_attempts(self, older_than: timedelta | None = None) -> int:
        """Ask the gateway about attempts left unanswered (at least `older_than` ago; None: the
        service's own wait); returns how many it looked at."""

    def apply_webhook(self, body: bytes, signature: str | None) -> WebhookOutcome:
        """A gateway event: SignatureInvalid or EventUnreadable change nothing."""

    def send_payment_reminders(self, on: date) -> int:
        """System (daily): 7, 3 and 1 days before a request is due, on the day, and weekly while overdue,
        through the notification service, each once; returns how many were created."""

    def reseal_bank_details(self) -> int:
        """System: after a data key rotation, bank details sealed under an older key are sealed
        again under the active one (the sweep runs it); returns how many."""

    def post_contributions(self, payment_id: int | None = None) -> int:
        """Catch the books up with the payments (the sweep after a crash)."""
