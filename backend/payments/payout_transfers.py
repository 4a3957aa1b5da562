"""Payouts through the gateway: a transfer to a payee account the gateway holds for the
investor's verified bank account, in the pool's currency (a SEPA file pays EUR only).

The same care as collecting: the payouts are marked instructed on the gateway rail and
committed before the gateway is called, and each transfer carries a key derived from the
payout and the account it pays, as its idempotency key and as its transfer group. Whatever
happens next (a timeout, a crash, an answer lost) `resume` finds the transfer by that key or
sends it again with the same key: at most one transfer per payout. A transfer the gateway
later reverses (the investor's bank refused it) comes back by webhook: the payout is returned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.finance.money import get_currency
from backend.payments.access import PaymentAccess
from backend.payments.gateway import (
    GatewayRefused,
    GatewayTransfer,
    GatewayUnavailable,
    PayeeAccount,
    PaymentGateway,
)
from backend.payments.models import Payout, PayoutAccount
from backend.payments.payout_accounts import holder_of, sealing_context
from backend.payments.payout_schemas import PayoutOut, PayoutRail, PayoutStatus
from backend.payments.payouts import locked_ready, still_payable
from backend.payments.vault import Vault
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork

log = logging.getLogger(__name__)

RESUME_AFTER = timedelta(seconds=30)
"""How long a transfer may stay unanswered before `resume` asks the gateway about it."""


def transfer_key(payout: Payout) -> str:
    """One transfer per payout and account: a payout refused, held and released to another
    account is a new transfer; the same one asked again is the same transfer."""
    return f"payout-{payout.id}-a{payout.account_id}"


def reverse_transfer(session: Session, transfer_id: str | None) -> str:
    """The gateway reversed a transfer (webhook): the payout it paid is returned. What it did."""
    payout = session.scalar(select(Payout).where(Payout.gateway_transfer_id == transfer_id).with_for_update())
    if transfer_id is None or payout is None:
        return "no payout of ours has this transfer"
    if payout.status != PayoutStatus.PAID:
        return f"payout {payout.id} is {payout.status}: nothing to return"
    payout.status = PayoutStatus.RETURNED.value
    payout.hold_reason = "the gateway reversed the transfer: the investor's bank refused it"
    payout.updated_at = utcnow()
    return f"payout {payout.id} -> returned"


class PayoutTransfers:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        access: PaymentAccess,
        vault: Callable[[], Vault],
        gateway: Callable[[], PaymentGateway | None],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._vault = vault
        self._gateway = gateway
        self._now = now

    def send(self, actor: Actor, pool_id: int) -> list[PayoutOut]:
        """The pool's ready payouts, each a transfer through the gateway; returns them as they
        stand (instructed where the gateway's answer has not come back yet: `resume` finishes)."""
        self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        gateway = self._gateway()
        if gateway is None:
            raise Conflict("pool_id: no payment gateway is configured: pay by a bank file", field="pool_id")
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payouts", "status")
            s = unit.session
            ready = locked_ready(s, pool_id)
            paying = still_payable(s, ready)
            if not paying:
                unit.commit()  # the holds stand
                raise Conflict(
                    "pool_id: no payouts ready to pay (held again: accounts changed)", field="pool_id"
                )
            now = utcnow()
            for payout in paying:
                payout.status, payout.rail, payout.updated_at = (
                    PayoutStatus.INSTRUCTED.value,
                    PayoutRail.GATEWAY.value,
                    now,
                )
            self._audit.record(
                s, actor, "payment.payout_transfers_sent", "pool", pool_id,
                after={
                    "payouts": len(paying),
                    "total": str(sum((p.amount for p in paying), Decimal(0))),
                    "currency": paying[0].currency,
                },
            )  # fmt: skip
            unit.commit()
            ids = [p.id for p in paying]
        for payout_id in ids:
            self._send_one(gateway, payout_id)
        with ReadView(self._db) as view:
            rows = view.session.scalars(select(Payout).where(Payout.id.in_(ids)).order_by(Payout.id))
            return [PayoutOut.model_validate(r) for r in rows]

    def resume(self, older_than: timedelta = RESUME_AFTER) -> int:
        """System: transfers instructed but unanswered for `older_than`, found at the gateway by
        their key or sent again with it. Returns how many it looked at."""
        gateway = self._gateway()
        if gateway is None:
            return 0
        with ReadView(self._db) as view:
            waiting = list(
                view.session.scalars(
                    select(Payout.id).where(
                        Payout.rail == PayoutRail.GATEWAY.value,
                        Payout.status == PayoutStatus.INSTRUCTED.value,
                        Payout.gateway_transfer_id.is_(None),
                        Payout.updated_at <= self._now() - older_than,
                    )
                )
            )
        for payout_id in waiting:
            self._send_one(gateway, payout_id, look_first=True)
        return len(waiting)

    def _send_one(self, gateway: PaymentGateway, payout_id: int, *, look_first: bool = False) -> None:
        with ReadView(self._db) as view:
            payout = view.session.get(Payout, payout_id)
            account = (
                view.session.get(PayoutAccount, payout.account_id) if payout and payout.account_id else None
            )
            if payout is None or account is None or payout.gateway_transfer_id is not None:
                return
            key = transfer_key(payout)
            amount_minor = int(payout.amount.scaleb(get_currency(payout.currency).exponent))
            currency, payee = payout.currency, account.gateway_payee_id
            holder = holder_of(account, self._vault())
            payee_details = PayeeAccount(
                name=holder.name,
                iban=self._vault().open(account.iban_sealed, sealing_context(payout.investor_id))
                if payee is None
                else "",
                country=holder.country,
                currency=currency,
            )
            account_id = account.id
        try:
            sent = gateway.find_transfer(key) if look_first else None
            if sent is None:
                if payee is None:
                    payee = gateway.create_payee(f"payee-{account_id}", payee_details)
                    self._remember_payee(account_id, payee)
                sent = gateway.transfer(
                    key,
                    amount_minor=amount_minor,
                    currency=currency,
                    payee=payee,
                    metadata={"payout_id": str(payout_id)},
                )
        except GatewayUnavailable as exc:
            log.warning("gateway did not answer for payout %s (%s): the sweep asks again", payout_id, exc)
            return
        except GatewayRefused as exc:
            self._hold(payout_id, f"the gateway refused the transfer: {exc}")
            return
        self._record(payout_id, sent, amount_minor, currency)

    def _remember_payee(self, account_id: int, payee: str) -> None:
        with UnitOfWork(self._db) as unit:
            account = unit.session.get(PayoutAccount, account_id, with_for_update=True)
            if account is not None and account.gateway_payee_id is None:
                account.gateway_payee_id = payee
            unit.commit()

    def _hold(self, payout_id: int, why: str) -> None:
        with UnitOfWork(self._db) as unit:
            unit.write_first("payment_payouts", "status")
            payout = unit.session.get(Payout, payout_id, with_for_update=True)
            if (
                payout is not None
                and payout.status == PayoutStatus.INSTRUCTED
                and not payout.gateway_transfer_id
            ):
                payout.status, payout.rail, payout.hold_reason = PayoutStatus.HELD.value, None, why[:300]
                payout.updated_at = utcnow()
            unit.commit()

    def _record(self, payout_id: int, sent: GatewayTransfer, amount_minor: int, currency: str) -> None:
        with UnitOfWork(self._db) as unit:
            unit.write_first("payment_payouts", "status")
            payout = unit.session.get(Payout, payout_id, with_for_update=True)
            if payout is None or payout.gateway_transfer_id is not None:
                return  # a concurrent resume recorded it
            payout.gateway_transfer_id = sent.transfer_id
            payout.status = (PayoutStatus.RETURNED if sent.reversed else PayoutStatus.PAID).value
            if (sent.amount_minor, sent.currency) != (amount_minor, currency):
                # Never expected; if the gateway sent something else, a person must know.
                payout.hold_reason = (
                    f"the gateway sent {sent.amount_minor} {sent.currency} (minor units), "
                    f"not {amount_minor} {currency}: check the transfer"
                )
                log.error("payout %s: transfer %s differs from the payout", payout_id, sent.transfer_id)
            payout.updated_at = utcnow()
            unit.commit()
