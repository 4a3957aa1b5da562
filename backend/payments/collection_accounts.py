"""Each pool's collection account, and the wire instructions built from it.

The IBAN is checked when a manager enters it and sealed in the vault; managers see it
masked afterwards, and the investor asked to pay sees it in full in their instructions
(they must type it into their bank), together with the request's reference.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.payments.access import PaymentAccess
from backend.payments.bankfiles.iban import mask_account, normalise_iban, validate_bic
from backend.payments.models import PaymentRequest, PoolCollectionAccount
from backend.payments.schemas import (
    CollectionAccountIn,
    CollectionAccountOut,
    PoolBankDetails,
    WireInstructions,
)
from backend.payments.vault import Vault
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork


def sealing_context(pool_id: int) -> str:
    return f"pool_collection_accounts:{pool_id}:iban"


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def checked_account(iban: str, bic: str | None) -> tuple[str, str | None]:
    """The IBAN in its electronic form and the BIC, or ValidationFailed naming the field."""
    try:
        checked = normalise_iban(iban)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="iban") from None
    try:
        return checked, validate_bic(bic) if bic else None
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="bic") from None


def sealed_account(session: Session, vault: Vault, pool_id: int) -> tuple[str, str, str | None] | None:
    """The pool's account opened from the vault, (name, IBAN, BIC), to pay from; None if unset."""
    row = session.get(PoolCollectionAccount, pool_id)
    if row is None:
        return None
    return row.account_name, vault.open(row.iban_sealed, sealing_context(pool_id)), row.bic


def _out(row: PoolCollectionAccount) -> CollectionAccountOut:
    return CollectionAccountOut(
        pool_id=row.pool_id,
        account_name=row.account_name,
        iban_masked=row.iban_masked,
        bic=row.bic,
        updated_at=row.updated_at,
    )


class CollectionAccounts:
    def __init__(
        self, db: Database, audit: AuditService, access: PaymentAccess, vault: Callable[[], Vault]
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._vault = vault

    def set(self, actor: Actor, pool_id: int, account: CollectionAccountIn) -> CollectionAccountOut:
        self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        iban, bic = checked_account(account.iban, account.bic)
        with UnitOfWork(self._db, actor.reader_key) as unit:
            row = unit.session.get(PoolCollectionAccount, pool_id, with_for_update=True)
            before = {"iban": row.iban_masked, "account_name": row.account_name} if row else None
            if row is None:
                row = PoolCollectionAccount(pool_id=pool_id)
                unit.session.add(row)
            row.account_name = account.account_name.strip()
            row.iban_sealed = self._vault().seal(iban, sealing_context(pool_id))
            row.iban_masked = mask_account(iban)
            row.bic = bic
            row.updated_by_user_id = actor.user_id
            row.updated_at = utcnow()
            # The audit keeps the masked form only: the log is read far more widely than the vault.
            self._audit.record(
                unit.session,
                actor,
                "payment.collection_account_set",
                "pool",
                pool_id,
                before=before,
                after={"iban": row.iban_masked, "account_name": row.account_name},
            )
            unit.commit()
            return _out(row)

    def bank_of_pool(self, pool_id: int) -> PoolBankDetails | None:
        """System: the pool's account in full, for the capital call notice an investor wires to."""
        with ReadView(self._db) as view:
            row = view.session.get(PoolCollectionAccount, pool_id)
            if row is None:
                return None
            iban = self._vault().open(row.iban_sealed, sealing_context(pool_id))
            return PoolBankDetails(account_name=row.account_name, iban=_grouped(iban), bic=row.bic)

    def get(self, actor: Actor, pool_id: int) -> CollectionAccountOut:
        self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        with ReadView(self._db, actor.reader_key) as view:
            row = view.session.get(PoolCollectionAccount, pool_id)
            if row is None:
                raise NotFound(f"pool {pool_id} has no collection account yet", field="pool_id")
            return _out(row)

    def instructions(self, actor: Actor, request_id: int) -> WireInstructions:
        with ReadView(self._db, actor.reader_key) as view:
            request = view.session.get(PaymentRequest, request_id)
            if request is None or not self._access.may_see(actor, request.pool_id, request.investor_id):
                raise NotFound(f"payment request {request_id} not found", field="request_id")
            account = view.session.get(PoolCollectionAccount, request.pool_id)
            if account is None:
                raise Conflict(
                    "the pool has no collection account yet: its manager must add one", field="request_id"
                )
            iban = self._vault().open(account.iban_sealed, sealing_context(account.pool_id))
            return WireInstructions(
                request_id=request.id,
                beneficiary=account.account_name,
                iban=_grouped(iban),
                bic=account.bic,
                reference=request.reference,
                amount=max(request.amount_due - request.amount_received, request.amount_due * 0),
                currency=request.currency,
                due_date=request.due_date,
            )
