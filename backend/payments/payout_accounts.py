"""Investors' bank accounts for payouts, and the controls on changing them.

A changed bank account is the classic fund-payout fraud (a hijacked mailbox asks for the
next distribution to go elsewhere), so a change takes two factors and two people: the
investor confirms it with their password (a stolen session alone cannot change it), and an
administrator verifies it with the investor on a channel already on file (a call-back)
before anything is paid into it. Even then, payouts to an account verified in the last
HOLD_DAYS days are held for a manager's review (payouts.py). Every step is audited, with
the account masked; the IBAN itself is sealed in the vault.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.payments.access import PaymentAccess
from backend.payments.bankfiles.iban import mask_account
from backend.payments.collection_accounts import checked_account
from backend.payments.models import PayoutAccount
from backend.payments.payout_schemas import (
    AccountDecision,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutAccountStatus,
)
from backend.payments.vault import Vault
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.interface import Words, worded

HOLD_DAYS = 10
"""Payouts to an account verified this recently wait for a person."""

PasswordCheck = Callable[[Actor, str], bool]
BankDetailsNotice = Callable[[str, int, Words, Words], None]
"""(event id, investor id, title, body): tells the investor, in the app and by email."""


def sealing_context(investor_id: int) -> str:
    return f"payment_payout_accounts:{investor_id}:iban"


def held_until(row: PayoutAccount) -> date | None:
    if row.status != PayoutAccountStatus.VERIFIED or row.verified_at is None:
        return None
    return (row.verified_at + timedelta(days=HOLD_DAYS)).date()


def account_out(row: PayoutAccount) -> PayoutAccountOut:
    return PayoutAccountOut(
        id=row.id,
        investor_id=row.investor_id,
        account_name=row.account_name,
        iban_masked=row.iban_masked,
        bic=row.bic,
        country=row.country,
        status=PayoutAccountStatus(row.status),
        requested_at=row.requested_at,
        verified_at=row.verified_at,
        held_until=held_until(row),
    )


def current_account(session: Session, investor_id: int) -> PayoutAccount | None:
    """The account paid into: the investor's latest verified one."""
    return session.scalar(
        select(PayoutAccount)
        .where(PayoutAccount.investor_id == investor_id, PayoutAccount.status == PayoutAccountStatus.VERIFIED)
        .order_by(PayoutAccount.id.desc())
        .limit(1)
    )


class PayoutAccounts:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        access: PaymentAccess,
        vault: Callable[[], Vault],
        password_check: PasswordCheck,
        *,
        notice: BankDetailsNotice | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._vault = vault
        self._password_check = password_check
        self._notice = notice

    def mine(self, actor: Actor) -> list[PayoutAccountOut]:
        """The investor's accounts, newest first: the one paid into, a change waiting, history."""
        if actor.role is not Role.INVESTOR:
            raise PermissionDenied("only an investor has payout accounts", field="investor")
        investor = self._access.own_investor(actor)
        if investor is None:
            return []  # an investor without a profile yet has nothing on file
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(
                select(PayoutAccount)
                .where(PayoutAccount.investor_id == investor)
                .order_by(PayoutAccount.id.desc())
            ).all()
            return [account_out(r) for r in rows]

    def request_change(self, actor: Actor, account: PayoutAccountIn) -> PayoutAccountOut:
        investor = self._access.own_investor(actor)
        if investor is None:
            raise PermissionDenied("only an investor changes their own bank account", field="investor")
        if not self._password_check(actor, account.password):
            raise PermissionDenied(
                "password: not your password: bank details are unchanged", field="password"
            )
        iban, bic = checked_account(account.iban, account.bic)
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payout_accounts", "status")
            waiting = unit.session.scalars(
                select(PayoutAccount).where(
                    PayoutAccount.investor_id == investor, PayoutAccount.status == PayoutAccountStatus.PENDING
                )
            ).all()
            for old in waiting:  # the newest request is the one to verify
                old.status = PayoutAccountStatus.REPLACED.value
            row = PayoutAccount(
                investor_id=investor,
                account_name=account.account_name.strip(),
                iban_sealed=self._vault().seal(iban, sealing_context(investor)),
                iban_masked=mask_account(iban),
                bic=bic,
                country=iban[:2],
                status=PayoutAccountStatus.PENDING.value,
                requested_by_user_id=actor.user_id,
            )
            unit.session.add(row)
            unit.session.flush()
            self._audit.record(
                unit.session,
                actor,
                "payment.payout_account_requested",
                "investor",
                investor,
                after={"account": row.iban_masked, "account_name": row.account_name, "account_id": row.id},
            )
            unit.commit()
            out = account_out(row)
        # Always told, whoever asked: a change the investor did not make is how payout fraud
        # is caught before any money moves (it is paid into only once verified).
        self._tell(
            f"bank-details:{out.id}:requested",
            investor,
            worded(
                "A change of your bank account for payouts to %(account)s was requested",
                account=out.iban_masked,
            ),
            worded(
                "It is used only once an administrator has confirmed it with you by telephone. "
                "If you did not ask for it, contact the fund's administrator now."
            ),
        )
        return out

    def pending(self, actor: Actor) -> list[PayoutAccountOut]:
        """Changes waiting for verification (administrators)."""
        if not actor.is_admin:
            raise PermissionDenied("bank detail verification: administrators only", field="account_id")
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(
                select(PayoutAccount)
                .where(PayoutAccount.status == PayoutAccountStatus.PENDING)
                .order_by(PayoutAccount.id)
            ).all()
            return [account_out(r) for r in rows]

    def decide(self, actor: Actor, account_id: int, decision: AccountDecision) -> PayoutAccountOut:
        if not actor.is_admin:
            raise PermissionDenied("bank detail verification: administrators only", field="account_id")
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payout_accounts", "status")
            row = unit.session.get(PayoutAccount, account_id, with_for_update=True)
            if row is None:
                raise NotFound(f"payout account {account_id} not found", field="account_id")
            if row.status != PayoutAccountStatus.PENDING:
                raise Conflict(
                    f"payout account {account_id} is {row.status}, not pending", field="account_id"
                )
            if actor.user_id is not None and actor.user_id == row.requested_by_user_id:
                raise PermissionDenied("verify: someone other than who asked must verify", field="verify")
            if decision.verify:
                previous = current_account(unit.session, row.investor_id)
                if previous is not None:
                    previous.status = PayoutAccountStatus.REPLACED.value
                row.status = PayoutAccountStatus.VERIFIED.value
                row.verified_at = utcnow()
            else:
                row.status = PayoutAccountStatus.REJECTED.value
            row.verified_by_user_id = actor.user_id
            self._audit.record(
                unit.session,
                actor,
                "payment.payout_account_verified" if decision.verify else "payment.payout_account_rejected",
                "investor",
                row.investor_id,
                after={"account": row.iban_masked, "account_id": row.id, "note": decision.note},
            )
            unit.commit()
            out = account_out(row)
        if decision.verify:
            title = worded(
                "Your bank account for payouts %(account)s: verified: payouts now go to it",
                account=out.iban_masked,
            )
        else:
            title = worded(
                "Your bank account for payouts %(account)s: rejected: payouts go where they did",
                account=out.iban_masked,
            )
        self._tell(
            f"bank-details:{out.id}:{'verified' if decision.verify else 'rejected'}",
            out.investor_id,
            title,
            worded("If you did not ask for this change, contact the fund's administrator now."),
        )
        return out

    def _tell(self, event_id: str, investor_id: int, title: Words, body: Words) -> None:
        if self._notice is not None:
            self._notice(event_id, investor_id, title, body)
