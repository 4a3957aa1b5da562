"""The bank-transfer rail of the payment service: money that arrives by wire. A wire recorded
by hand and approved by a second person (four eyes), the pool's collection account investors
are told to wire to, and the bank statements imported and matched to payment requests (by
reference, or by a person for a line no reference matched).

Kept apart from backend.payments.service, whose DatabasePaymentService inherits it, because
this rail shares nothing with the gateway's (saved methods, "Pay now", webhooks) but the
end: a payment that settles is caught up into the books by the service's
`post_contributions` and shown by its `_payment`, which this class declares and never
defines, as it declares the desks the service's constructor builds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from backend.payments.collection_accounts import CollectionAccounts
from backend.payments.schemas import (
    CollectionAccountIn,
    CollectionAccountOut,
    LineStatus,
    ManualMatchIn,
    PaymentOut,
    PoolBankDetails,
    StatementImportOut,
    StatementLineOut,
    StatementUpload,
    WireApproval,
    WireIn,
    WireInstructions,
)
from backend.payments.statements import StatementImporter
from backend.payments.wires import WireDesk
from backend.platform.actors import Actor


class PostsContributions(Protocol):
    """How the payment service catches the books up with the payments (its
    `post_contributions`): one payment's, or every one still owed with None."""

    def __call__(self, payment_id: int | None = None) -> int: ...


class BankTransferRail:
    """The payment service's wires and bank statements."""

    # Set (or defined) by DatabasePaymentService.
    _wires: WireDesk
    _accounts: CollectionAccounts
    _statements: StatementImporter
    post_contributions: PostsContributions
    _payment: Callable[[int], PaymentOut]

    # -- wires, recorded by hand (four eyes) ---------------------------------------------

    def record_wire(self, actor: Actor, wire: WireIn) -> PaymentOut:
        return self._wires.record(actor, wire)

    def decide_wire(self, actor: Actor, payment_id: int, decision: WireApproval) -> PaymentOut:
        self._wires.decide(actor, payment_id, decision)
        self.post_contributions(payment_id)
        return self._payment(payment_id)

    # -- the bank-transfer rail: where to wire --------------------------------------------

    def set_collection_account(
        self, actor: Actor, pool_id: int, account: CollectionAccountIn
    ) -> CollectionAccountOut:
        return self._accounts.set(actor, pool_id, account)

    def collection_account(self, actor: Actor, pool_id: int) -> CollectionAccountOut:
        return self._accounts.get(actor, pool_id)

    def pool_bank_details(self, pool_id: int) -> PoolBankDetails | None:
        return self._accounts.bank_of_pool(pool_id)

    def wire_instructions(self, actor: Actor, request_id: int) -> WireInstructions:
        return self._accounts.instructions(actor, request_id)

    def import_statement(self, actor: Actor, pool_id: int, upload: StatementUpload) -> StatementImportOut:
        summary, matched = self._statements.import_file(actor, pool_id, upload)
        returned = [line.payment_id for line in summary.results if line.status is LineStatus.RETURNED]
        for payment_id in [*matched, *returned]:
            if payment_id is not None:
                self.post_contributions(payment_id)
        return summary

    def statement_lines(
        self, actor: Actor, pool_id: int, status: LineStatus | None = None
    ) -> list[StatementLineOut]:
        return self._statements.lines(actor, pool_id, status)

    def match_statement_line(self, actor: Actor, line_id: int, match: ManualMatchIn) -> PaymentOut:
        return self._payment(self._statements.match(actor, line_id, match.request_id))
