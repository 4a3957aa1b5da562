"""The payouts family of the payment service: money going out to investors. The payouts a
distribution or a redemption opens, the verified bank accounts they are paid to (an investor's
change confirmed by a code, then verified by an administrator), their release, the bank file
that pays them or their transfer through the gateway.

Kept apart from backend.payments.service, whose DatabasePaymentService inherits it, because
nothing here touches money coming in (requests, payments, contributions in the books): each
operation is handed to its desk (payouts.py, payout_accounts.py, payout_transfers.py), which
the service's constructor builds and this class declares as annotations and never sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from backend.payments.payout_accounts import PayoutAccounts
from backend.payments.payout_schemas import (
    AccountDecision,
    PayoutAccountCode,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutBatchOut,
    PayoutFileIn,
    PayoutKind,
    PayoutOut,
)
from backend.payments.payout_transfers import RESUME_AFTER as TRANSFER_RESUME_AFTER
from backend.payments.payout_transfers import PayoutTransfers
from backend.payments.payouts import PayoutDesk, close_history
from backend.platform.actors import Actor
from backend.platform.db import Database


class PayoutOperations:
    """The payment service's payouts, each handed to its desk."""

    # Set by DatabasePaymentService's constructor.
    _db: Database
    _payouts: PayoutDesk
    _payout_accounts: PayoutAccounts
    _transfers: PayoutTransfers

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
        return self._payouts.open_for_entry(
            pool_id, entry_id, on, kind=kind, shares=shares, currency=currency
        )

    def close_payout_history(self, up_to: date, why: str, pool_id: int | None = None) -> int:
        return close_history(self._db, up_to, why, pool_id)

    def payout_accounts(self, actor: Actor) -> list[PayoutAccountOut]:
        return self._payout_accounts.mine(actor)

    def request_payout_account(self, actor: Actor, account: PayoutAccountIn) -> PayoutAccountOut:
        return self._payout_accounts.request_change(actor, account)

    def confirm_payout_account(
        self, actor: Actor, account_id: int, code: PayoutAccountCode
    ) -> PayoutAccountOut:
        return self._payout_accounts.confirm(actor, account_id, code.code)

    def pending_payout_accounts(self, actor: Actor) -> list[PayoutAccountOut]:
        return self._payout_accounts.pending(actor)

    def decide_payout_account(
        self, actor: Actor, account_id: int, decision: AccountDecision
    ) -> PayoutAccountOut:
        return self._payout_accounts.decide(actor, account_id, decision)

    def list_payouts(self, actor: Actor, pool_id: int | None = None) -> list[PayoutOut]:
        return self._payouts.payouts(actor, pool_id)

    def release_payout(self, actor: Actor, payout_id: int) -> PayoutOut:
        return self._payouts.release(actor, payout_id)

    def create_payout_file(
        self, actor: Actor, pool_id: int, request: PayoutFileIn
    ) -> tuple[PayoutBatchOut, bytes]:
        return self._payouts.create_file(actor, pool_id, request.execution_date)

    def payout_file(self, actor: Actor, batch_id: int) -> bytes:
        return self._payouts.file(actor, batch_id)

    def send_payouts_through_gateway(self, actor: Actor, pool_id: int) -> list[PayoutOut]:
        return self._transfers.send(actor, pool_id)

    def resume_payout_transfers(self, older_than: timedelta | None = None) -> int:
        return self._transfers.resume(TRANSFER_RESUME_AFTER if older_than is None else older_than)
