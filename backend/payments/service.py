"""The payment service: capital calls become payment requests, payments arrive (gateway
webhooks, wires recorded and approved by two people), and each succeeded payment becomes the
investor's contribution in the books exactly once.

Rules that hold whatever order things arrive in:
- a payment moves only along `states.ALLOWED`; stale or impossible news is recorded as
  ignored and changes nothing;
- a gateway event id is stored with the change it caused, in the same transaction, so a
  redelivery finds it and does nothing;
- what a payment applies to its request is capped at what is still due; the rest is the
  investor's credit, shown, and never applied without a person;
- the ledger is written after our commit, keyed by the payment (ledger_posting.py), and the
  sweep `post_contributions` finishes what a crash interrupted.

Two families of operations are base classes of the service, each in its own module: the
bank-transfer rail (wires, collection accounts, bank statements; bank_transfer_rail.py) and
the payouts to investors (payout_operations.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.audit.interface import AuditService
from backend.finance.payment_references import request_reference
from backend.investors.interface import InvestorService
from backend.payments import settlement
from backend.payments.access import PaymentAccess
from backend.payments.bank_transfer_rail import BankTransferRail
from backend.payments.book_entries import mirror_contribution, unmirror_reversal
from backend.payments.books import ContributionPoster
from backend.payments.collecting import RESUME_AFTER, GatewayCollector
from backend.payments.collection_accounts import CollectionAccounts
from backend.payments.gateway import PaymentGateway
from backend.payments.gateway_events import EventUnreadable, read_event
from backend.payments.models import Payment, PaymentRequest
from backend.payments.notices import PaymentNotices
from backend.payments.payout_accounts import PasswordCheck, PayoutAccounts
from backend.payments.payout_codes import CodeSender
from backend.payments.payout_operations import PayoutOperations
from backend.payments.payout_transfers import PayoutTransfers
from backend.payments.payouts import PayoutDesk, cancel_for_reversal
from backend.payments.queries import PaymentQueries
from backend.payments.reconciliation import Reconciler
from backend.payments.refunds import RefundDesk
from backend.payments.reminders import PaymentReminders
from backend.payments.resealing import reseal
from backend.payments.schemas import (
    GatewayHealthOut,
    MethodIn,
    PayIn,
    PaymentOut,
    PaymentRequestOut,
    ReconciliationOut,
    RefundIn,
    RequestKind,
    RequestStatus,
    SavedMethodOut,
    WebhookOutcome,
)
from backend.payments.settlement import ZERO
from backend.payments.statements import StatementImporter
from backend.payments.vault import Vault
from backend.payments.webhook_signature import SignatureInvalid, verify
from backend.payments.webhooks import apply_gateway_event
from backend.payments.wires import WireDesk
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.interface import PoolService
from ledger.interface import TransactionService
from notifications.interface import NotificationService


def _request_out(row: PaymentRequest, today: date) -> PaymentRequestOut:
    out = PaymentRequestOut.model_validate(row)
    late = row.status in (RequestStatus.OPEN, RequestStatus.PARTIALLY_PAID) and row.due_date < today
    return out.model_copy(update={"overdue": late})


class DatabasePaymentService(BankTransferRail, PayoutOperations):
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        pools: PoolService,
        investors: InvestorService,
        transactions: TransactionService,
        *,
        webhook_secrets: Callable[[], Sequence[str]],
        password_check: PasswordCheck = lambda _actor, _password: False,
        send_payout_code: CodeSender | None = None,
        notifications: NotificationService | None = None,
        gateway: Callable[[], PaymentGateway | None] = lambda: None,
        vault: Callable[[], Vault],
        clock: Callable[[], float] = time.time,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._db = db
        self._audit = audit
        self._pools = pools
        self._transactions = transactions
        self._access = PaymentAccess(pools, investors)
        self._books = ContributionPoster(db, transactions, today)
        self._collector = GatewayCollector(db, self._access, gateway, today)
        self._accounts = CollectionAccounts(db, audit, self._access, vault)
        self._statements = StatementImporter(db, self._access, investors.legal_names, today)
        self._reconciler = Reconciler(db, gateway)
        self._vault = vault
        self._reminders = PaymentReminders(db, investors, pools, notifications) if notifications else None
        self._wires = WireDesk(db, audit, self._access, today)
        self._queries = PaymentQueries(db, self._access, utcnow)
        self._notices = PaymentNotices(db, investors, pools, notifications, today) if notifications else None
        self._payout_accounts = PayoutAccounts(
            db,
            audit,
            self._access,
            vault,
            password_check,
            send_code=send_payout_code,
            notice=self._notices.bank_details if self._notices else None,
        )
        self._payouts = PayoutDesk(db, audit, self._access, vault, today)
        self._transfers = PayoutTransfers(db, audit, self._access, vault, gateway)
        self._refunds = RefundDesk(db, audit, self._access, gateway, today)
        self._webhook_secrets = webhook_secrets
        self._clock = clock
        self._today = today

    # -- requests ----------------------------------------------------------------------

    def open_requests_for_call(
        self,
        pool_id: int,
        entry_id: int,
        due_date: date,
        allocation: Mapping[int, Decimal],
        currency: str,
    ) -> int:
        """One request per investor with a share of the capital call (system: the consumer of
        the ledger's capital-call events). A redelivered event adds nothing; returns how many
        requests were created."""
        created = 0
        with UnitOfWork(self._db) as unit:
            unit.write_first("payment_requests", "status")
            have = set(
                unit.session.scalars(
                    select(PaymentRequest.investor_id).where(PaymentRequest.source_entry_id == entry_id)
                )
            )
            for investor_id, share in sorted(allocation.items()):
                if investor_id in have or share <= 0:
                    continue
                unit.session.add(
                    PaymentRequest(
                        pool_id=pool_id,
                        investor_id=investor_id,
                        kind=RequestKind.CAPITAL_CALL.value,
                        source_entry_id=entry_id,
                        reference=request_reference(entry_id, investor_id),
                        currency=currency,
                        amount_due=share,
                        amount_received=ZERO,
                        credit=ZERO,
                        due_date=due_date,
                        status=RequestStatus.OPEN.value,
                    )
                )
                created += 1
            try:
                unit.commit()
            except IntegrityError:
                return 0  # another consumer opened them at the same moment
        return created

    def mirror_book_contribution(
        self, pool_id: int, investor_id: int, entry_id: int, amount: Decimal, on: date
    ) -> int:
        return mirror_contribution(
            self._db, pool_id=pool_id, investor_id=investor_id, entry_id=entry_id, amount=amount, on=on
        )

    def mirror_book_reversal(self, reversed_entry_id: int, why: str) -> int:
        """The books reversed an entry: a capital call's unpaid requests are canceled, a
        distribution's unsent payouts too, a contribution's mirrored payments give it back."""
        with UnitOfWork(self._db) as unit:
            unit.write_first("payment_requests", "status")
            settlement.cancel_call_requests(unit.session, reversed_entry_id, why)
            unit.commit()
        cancel_for_reversal(self._db, reversed_entry_id, why)
        return unmirror_reversal(self._db, reversed_entry_id, why)

    def list_requests(
        self, actor: Actor, *, pool_id: int | None = None, status: RequestStatus | None = None
    ) -> list[PaymentRequestOut]:
        """A manager's (or admin's) requests of one pool; an investor's own, in any pool."""
        own = self._access.own_investor(actor)
        stmt = select(PaymentRequest)
        if actor.role is Role.INVESTOR:
            if own is None:
                return []  # an investor without a profile has been asked for nothing
            stmt = stmt.where(PaymentRequest.investor_id == own)
            if pool_id is not None:
                stmt = stmt.where(PaymentRequest.pool_id == pool_id)
        elif pool_id is None:
            if not actor.is_admin:
                raise ValidationFailed("pool_id: required: which pool's payment requests", field="pool_id")
        else:
            self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
            stmt = stmt.where(PaymentRequest.pool_id == pool_id)
        if status is not None:
            stmt = stmt.where(PaymentRequest.status == status.value)
        today = self._today()
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(stmt.order_by(PaymentRequest.due_date, PaymentRequest.id)).all()
            return [_request_out(r, today) for r in rows]

    def get_request(self, actor: Actor, request_id: int) -> PaymentRequestOut:
        with ReadView(self._db, actor.reader_key) as view:
            row = view.session.get(PaymentRequest, request_id)
            if row is None or not self._access.may_see(actor, row.pool_id, row.investor_id):
                raise NotFound(f"payment request {request_id} not found", field="request_id")
            return _request_out(row, self._today())

    def list_payments(self, actor: Actor, request_id: int) -> list[PaymentOut]:
        self.get_request(actor, request_id)  # NotFound unless the actor may see it
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(
                select(Payment).where(Payment.request_id == request_id).order_by(Payment.id)
            ).all()
            return [PaymentOut.model_validate(r) for r in rows]

    def payment_history(
        self, actor: Actor, *, pool_id: int | None = None, awaiting_approval: bool | None = None
    ) -> list[PaymentOut]:
        return self._queries.payments(actor, pool_id=pool_id, awaiting_approval=awaiting_approval)

    def gateway_health(self, actor: Actor, window_hours: int = 24) -> GatewayHealthOut:
        return self._queries.gateway_health(actor, window_hours)

    # -- reconciliation ------------------------------------------------------------------

    def reconcile(self, on: date) -> ReconciliationOut:
        """System (the CLI, the daily task): reconcile `on`; differences listed, none corrected."""
        return self._reconciler.run(on)

    def run_reconciliation(self, actor: Actor, on: date) -> ReconciliationOut:
        if not actor.is_admin:
            raise PermissionDenied("reconciliation: admins only", field="on")
        return self._reconciler.run(on)

    def reconciliation(self, actor: Actor, on: date | None = None) -> ReconciliationOut:
        return self._reconciler.latest(actor, on)

    # -- the gateway rail: saved methods and "Pay now" -------------------------------------

    def payment_methods(self, actor: Actor) -> list[SavedMethodOut]:
        return [SavedMethodOut.model_validate(m) for m in self._collector.methods(actor)]

    def add_payment_method(self, actor: Actor, method: MethodIn) -> SavedMethodOut:
        return SavedMethodOut.model_validate(self._collector.add_method(actor, method.token))

    def remove_payment_method(self, actor: Actor, method: MethodIn) -> None:
        self._collector.remove_method(actor, method.token)

    def pay(self, actor: Actor, request_id: int, payment: PayIn, idempotency_key: str) -> PaymentOut:
        payment_id = self._collector.pay(actor, request_id, payment.method, idempotency_key)
        self.post_contributions(payment_id)
        return self._payment(payment_id)

    def refund_payment(
        self, actor: Actor, payment_id: int, refund: RefundIn, idempotency_key: str
    ) -> PaymentOut:
        self._refunds.refund(actor, payment_id, refund, idempotency_key)
        self.post_contributions(payment_id)
        return self._payment(payment_id)

    def resume_gateway_attempts(self, older_than: timedelta | None = None) -> int:
        looked_at = self._collector.resume(RESUME_AFTER if older_than is None else older_than)
        for payment_id in looked_at:
            self.post_contributions(payment_id)
        return len(looked_at)

    # -- gateway webhooks ----------------------------------------------------------------

    def apply_webhook(self, body: bytes, signature: str | None) -> WebhookOutcome:
        """A gateway event, verified and applied once. SignatureInvalid / EventUnreadable for a
        request that must change nothing (the route answers 400)."""
        verify(body, signature, self._webhook_secrets(), self._clock())
        outcome = apply_gateway_event(self._db, read_event(body), self._today())
        if outcome.payment_id is not None and not outcome.duplicate and outcome.ignored is None:
            self.post_contributions(outcome.payment_id)
        return outcome

    def send_payment_reminders(self, on: date) -> int:
        return self._reminders.send(on) if self._reminders else 0

    def reseal_bank_details(self) -> int:
        """System: bank details sealed under an older key, sealed again under the active one."""
        return reseal(self._db, self._vault())

    def post_contributions(self, payment_id: int | None = None) -> int:
        """Catch the books up with the payments (books.py), then tell investors what became of
        their payments (notices.py); the sweep runs both after a crash."""
        written = self._books.post_contributions(payment_id)
        if self._notices is not None:
            self._notices.send(payment_id)
            if payment_id is None:  # the sweep: redemptions paid out since the last one
                self._notices.send_payouts()
        return written

    def _payment(self, payment_id: int) -> PaymentOut:
        with ReadView(self._db) as view:
            row = view.session.get(Payment, payment_id)
            if row is None:
                raise NotFound(f"payment {payment_id} not found", field="payment_id")
            return PaymentOut.model_validate(row)


__all__ = ["DatabasePaymentService", "EventUnreadable", "SignatureInvalid"]
