"""Payouts: what each distribution and redemption owes each investor, paid by a pain.001
credit-transfer file and confirmed by the bank's statement.

The books already record the distribution (cash out of the pool, into the investor's
account); a payout is the money actually reaching the investor, so it posts nothing. Its
road: held (no verified account, or one verified within HOLD_DAYS; a manager reviews and
releases it) -> ready -> instructed (in a file; the account is checked again as the file is
built, so a change since the release holds it again) -> paid (the statement's debit names
its end-to-end id) or returned (the bank sent it back).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.payments.access import PaymentAccess
from backend.payments.bankfiles import CreditTransfer, DebtorAccount, TransferFileError, credit_transfer_file
from backend.payments.collection_accounts import sealed_account
from backend.payments.models import Payout, PayoutAccount, PayoutBatch, PayoutHistoryCutoff
from backend.payments.payout_accounts import current_account, held_until, holder_of, sealing_context
from backend.payments.payout_schemas import (
    PayoutBatchOut,
    PayoutKind,
    PayoutOut,
    PayoutRail,
    PayoutStatus,
)
from backend.payments.vault import Vault
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork

SEPA_CURRENCY = "EUR"


def _hold_reason(session: Session, investor_id: int, today: date) -> tuple[str, int | None]:
    account = current_account(session, investor_id)
    if account is None:
        return "no verified bank account on file", None
    until = held_until(account)
    if until is not None and today < until:
        return f"bank account verified {account.verified_at:%Y-%m-%d}: review before paying", account.id
    return "", account.id


def locked_ready(session: Session, pool_id: int) -> list[Payout]:
    """The pool's ready payouts, locked for paying; Conflict when there are none."""
    ready = session.scalars(
        select(Payout)
        .where(Payout.pool_id == pool_id, Payout.status == PayoutStatus.READY)
        .order_by(Payout.id)
        .with_for_update()
    ).all()
    if not ready:
        raise Conflict("pool_id: no payouts ready to pay", field="pool_id")
    return list(ready)


def still_payable(session: Session, ready: Sequence[Payout]) -> list[Payout]:
    """The ready payouts whose account is still the one released; the others are held again,
    because an account changed since its release is exactly what a person must look at."""
    paying: list[Payout] = []
    for payout in ready:
        account = current_account(session, payout.investor_id)
        if account is None or account.id != payout.account_id:
            payout.status = PayoutStatus.HELD.value
            payout.hold_reason = "bank account changed since release: review before paying"
            continue
        paying.append(payout)
    return paying


class PayoutDesk:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        access: PaymentAccess,
        vault: Callable[[], Vault],
        today: Callable[[], date],
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._vault = vault
        self._today = today

    def open_for_entry(
        self,
        pool_id: int,
        entry_id: int,
        on: date,
        *,
        kind: PayoutKind,
        shares: Mapping[int, Decimal],
        currency: str,
    ) -> int:
        """System (the ledger's events): one payout per investor paid by the entry; a
        redelivered event adds nothing. Returns how many were opened."""
        opened = 0
        with UnitOfWork(self._db) as unit:
            unit.write_first("payment_payouts", "status")
            have = set(
                unit.session.scalars(select(Payout.investor_id).where(Payout.source_entry_id == entry_id))
            )
            cutoff = unit.session.get(PayoutHistoryCutoff, pool_id)
            paid_before = cutoff is not None and on <= cutoff.paid_until
            for investor_id, amount in sorted(shares.items()):
                if investor_id in have or amount <= 0:
                    continue
                reason, account = _hold_reason(unit.session, investor_id, self._today())
                status = PayoutStatus.HELD if reason else PayoutStatus.READY
                if paid_before and cutoff is not None:
                    status, reason = PayoutStatus.PAID, cutoff.why
                unit.session.add(
                    Payout(
                        pool_id=pool_id,
                        investor_id=investor_id,
                        source_entry_id=entry_id,
                        effective_date=on,
                        kind=kind.value,
                        amount=amount,
                        currency=currency,
                        status=status.value,
                        hold_reason=reason,
                        account_id=account,
                        # Unique per file and reported back by the bank: how the statement finds it.
                        end_to_end_id=f"PO{entry_id}I{investor_id}"[:35],
                        # Paid before it was tracked here: history, not news for the investor.
                        notified_status=PayoutStatus.PAID.value if paid_before else None,
                    )
                )
                opened += 1
            unit.commit()
        return opened

    def payouts(self, actor: Actor, pool_id: int | None) -> list[PayoutOut]:
        stmt = select(Payout)
        if actor.role is Role.INVESTOR:
            own = self._access.own_investor(actor)
            if own is None:
                return []
            stmt = stmt.where(Payout.investor_id == own)
        elif pool_id is None:
            if not actor.is_admin:
                raise ValidationFailed("pool_id: required: which pool's payouts", field="pool_id")
        else:
            self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        if pool_id is not None:
            stmt = stmt.where(Payout.pool_id == pool_id)
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(stmt.order_by(Payout.id.desc()).limit(2000)).all()
            return [PayoutOut.model_validate(r) for r in rows]

    def release(self, actor: Actor, payout_id: int) -> PayoutOut:
        """A manager reviewed a held payout: it goes into the next file, to the account on file now."""
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payouts", "status")
            payout = unit.session.get(Payout, payout_id, with_for_update=True)
            if payout is None or not self._access.manages(actor, payout.pool_id):
                raise NotFound(f"payout {payout_id} not found", field="payout_id")
            if payout.status != PayoutStatus.HELD:
                raise Conflict(f"payout {payout_id} is {payout.status}, not held", field="payout_id")
            account = current_account(unit.session, payout.investor_id)
            if account is None:
                raise Conflict("payout_id: the investor has no verified bank account yet", field="payout_id")
            payout.status, payout.hold_reason = PayoutStatus.READY.value, ""
            payout.account_id, payout.released_by_user_id = account.id, actor.user_id
            payout.updated_at = utcnow()
            self._audit.record(
                unit.session,
                actor,
                "payment.payout_released",
                "payout",
                payout.id,
                after={"account": holder_of(account, self._vault()).masked, "amount": str(payout.amount)},
            )
            unit.commit()
            return PayoutOut.model_validate(payout)

    def create_file(self, actor: Actor, pool_id: int, execution_date: date) -> tuple[PayoutBatchOut, bytes]:
        """The pool's ready payouts in one pain.001 file; each becomes instructed."""
        self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payouts", "status")
            s = unit.session
            ready = locked_ready(s, pool_id)
            if ready[0].currency != SEPA_CURRENCY:
                raise ValidationFailed(
                    f"pool_id: a pain.001 SEPA file pays EUR; this pool pays {ready[0].currency}: "
                    "pay its payouts through the gateway",
                    field="pool_id",
                )
            paying = still_payable(s, ready)
            if not paying:
                unit.commit()  # the holds stand: the next file must not pay them either
                raise Conflict(
                    "pool_id: no payouts ready to pay (held again: accounts changed)", field="pool_id"
                )
            currency = paying[0].currency
            now = utcnow()
            batch = PayoutBatch(
                pool_id=pool_id,
                message_id=f"PB{uuid.uuid4().hex[:24].upper()}",
                execution_date=execution_date,
                payouts=len(paying),
                total=sum((p.amount for p in paying), Decimal(0)),
                currency=currency,
                created_by_user_id=actor.user_id,
                created_at=now,
            )
            s.add(batch)
            s.flush()
            for payout in paying:
                payout.status, payout.batch_id, payout.updated_at = (
                    PayoutStatus.INSTRUCTED.value,
                    batch.id,
                    now,
                )
                payout.rail = PayoutRail.BANK.value
            xml = self._file(s, batch, paying)
            self._audit.record(
                s, actor, "payment.payout_file_created", "pool", pool_id,
                after={"batch_id": batch.id, "payouts": len(paying), "total": str(batch.total)},
            )  # fmt: skip
            unit.commit()
            return PayoutBatchOut.model_validate(batch), xml

    def file(self, actor: Actor, batch_id: int) -> bytes:
        """The batch's file again, byte for byte (the same ids, amounts, accounts and time).
        Each download is audited: the file carries whole account numbers."""
        with UnitOfWork(self._db, actor.reader_key) as unit:
            batch = unit.session.get(PayoutBatch, batch_id)
            if batch is None or not self._access.manages(actor, batch.pool_id):
                raise NotFound(f"payout file {batch_id} not found", field="batch_id")
            payouts = unit.session.scalars(
                select(Payout).where(Payout.batch_id == batch_id).order_by(Payout.id)
            ).all()
            xml = self._file(unit.session, batch, list(payouts))
            self._audit.record(
                unit.session, actor, "payment.payout_file_downloaded", "pool", batch.pool_id,
                after={"batch_id": batch.id, "payouts": batch.payouts},
            )  # fmt: skip
            unit.commit()
            return xml

    def _file(self, session: Session, batch: PayoutBatch, payouts: list[Payout]) -> bytes:
        vault = self._vault()
        debtor = sealed_account(session, vault, batch.pool_id)
        if debtor is None:
            raise Conflict("pool_id: the pool has no collection account to pay from", field="pool_id")
        transfers = []
        for payout in payouts:
            account = session.get(PayoutAccount, payout.account_id) if payout.account_id else None
            if account is None:  # released or filed payouts always name one
                raise RuntimeError(f"payout {payout.id} has no account")
            transfers.append(
                CreditTransfer(
                    end_to_end_id=payout.end_to_end_id,
                    creditor_name=holder_of(account, vault).name,
                    creditor_iban=vault.open(account.iban_sealed, sealing_context(payout.investor_id)),
                    creditor_bic=account.bic,
                    amount=payout.amount,
                    currency=payout.currency,
                    remittance=f"{payout.kind} entry {payout.source_entry_id}",
                )
            )
        created: datetime = batch.created_at
        try:
            return credit_transfer_file(
                DebtorAccount(debtor[0], debtor[1], debtor[2]),
                transfers,
                message_id=batch.message_id,
                execution_date=batch.execution_date,
                created_at=created.replace(microsecond=0, tzinfo=None),
            )
        except TransferFileError as exc:
            raise ValidationFailed(f"payout file: {exc}", field=exc.field) from None


def close_history(db: Database, up_to: date, why: str, pool_id: int | None = None) -> int:
    """Payouts of distributions and redemptions dated up to `up_to` were paid before the
    platform tracked payouts (books loaded with their history): recorded as paid, with why,
    so nobody pays them a second time. For one pool (an import), the date is also kept, so
    payouts the ledger's events open later (a consumer behind) open as paid too."""
    with UnitOfWork(db) as unit:
        unit.write_first("payment_payouts", "status")
        stmt = select(Payout).where(
            Payout.effective_date <= up_to,
            Payout.status.in_([PayoutStatus.HELD.value, PayoutStatus.READY.value]),
        )
        if pool_id is not None:
            stmt = stmt.where(Payout.pool_id == pool_id)
            cutoff = unit.session.get(PayoutHistoryCutoff, pool_id, with_for_update=True)
            if cutoff is None:
                unit.session.add(PayoutHistoryCutoff(pool_id=pool_id, paid_until=up_to, why=why[:300]))
            else:
                cutoff.paid_until = max(cutoff.paid_until, up_to)
                cutoff.why, cutoff.set_at = why[:300], utcnow()
        rows = unit.session.scalars(stmt.with_for_update()).all()
        for payout in rows:
            payout.status, payout.hold_reason = PayoutStatus.PAID.value, why[:300]
            payout.notified_status = PayoutStatus.PAID.value  # paid long ago: nobody is told now
            payout.updated_at = utcnow()
        unit.commit()
        return len(rows)


def cancel_for_reversal(db: Database, entry_id: int, why: str) -> int:
    """The books reversed the entry: payouts not yet sent are canceled; one already sent is
    marked for a person to recover (the money left; nothing here can call it back)."""
    canceled = 0
    with UnitOfWork(db) as unit:
        unit.write_first("payment_payouts", "status")
        for payout in unit.session.scalars(
            select(Payout).where(Payout.source_entry_id == entry_id).with_for_update()
        ).all():
            if payout.status in (PayoutStatus.HELD, PayoutStatus.READY):
                payout.status, payout.hold_reason = PayoutStatus.CANCELED.value, why[:300]
                canceled += 1
            elif payout.status in (PayoutStatus.INSTRUCTED, PayoutStatus.PAID):
                payout.hold_reason = f"{why}: sent already, recover it from the investor"[:300]
            payout.updated_at = utcnow()
        unit.commit()
    return canceled


def settle_payout_line(
    session: Session, pool_id: int, end_to_end_id: str | None, amount: Decimal, *, returned: bool
) -> Payout | None:
    """A statement's debit (paid) or return (sent back) naming one of the pool's instructed
    payouts by its end-to-end id and amount; None when it names none."""
    if not end_to_end_id:
        return None
    payout = session.scalar(
        select(Payout)
        .where(Payout.pool_id == pool_id, Payout.end_to_end_id == end_to_end_id)
        .with_for_update()
    )
    expected = PayoutStatus.PAID if returned else PayoutStatus.INSTRUCTED
    if payout is None or payout.amount != amount or payout.status not in (expected, PayoutStatus.INSTRUCTED):
        return None
    payout.status = (PayoutStatus.RETURNED if returned else PayoutStatus.PAID).value
    payout.updated_at = utcnow()
    return payout
