"""Investors' bank accounts for payouts, and the controls on changing them.

A changed bank account is the classic fund-payout fraud (a hijacked mailbox asks for the
next distribution to go elsewhere), so a change takes two factors and two people: the
investor asks with their password (a stolen session alone cannot ask), then confirms with a
one-time code emailed to their sign-in address (a stolen password alone cannot confirm), and
an administrator verifies it with the investor on a channel already on file (a call-back)
before anything is paid into it. Even then, payouts to an account verified in the last
HOLD_DAYS days are held for a manager's review (payouts.py). Every step is audited, with
the account masked; the IBAN and the code are sealed in the vault.

The code's rules (how long, how many tries) are in payout_codes.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.payments.access import PaymentAccess
from backend.payments.bankfiles.iban import mask_account
from backend.payments.collection_accounts import checked_account
from backend.payments.models import PayoutAccount
from backend.payments.payout_codes import CodeSender, check_code, code_context, new_code
from backend.payments.payout_schemas import (
    AccountDecision,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutAccountStatus,
)
from backend.payments.vault import Vault
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, DependencyUnavailable, NotFound, PermissionDenied
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


def holder_context(account_id: int) -> str:
    return f"payment_payout_accounts:{account_id}:holder"


@dataclass(frozen=True)
class Holder:
    """What an account says of its holder: personal data, so kept sealed with the IBAN."""

    name: str
    country: str
    masked: str


def holder_of(row: PayoutAccount, vault: Vault) -> Holder:
    if row.holder_sealed is None:  # written before holders were sealed: the sweep seals it
        return Holder(row.account_name, row.country, row.iban_masked)
    found = json.loads(vault.open(row.holder_sealed, holder_context(row.id)))
    return Holder(str(found["name"]), str(found["country"]), str(found["masked"]))


def seal_holder(row: PayoutAccount, vault: Vault, holder: Holder) -> None:
    """Seal the holder's details into the row (it must have its id) and blank the plain columns."""
    text = json.dumps({"name": holder.name, "country": holder.country, "masked": holder.masked})
    row.holder_sealed = vault.seal(text, holder_context(row.id))
    row.account_name, row.country, row.iban_masked = "", "", ""


def held_until(row: PayoutAccount) -> date | None:
    if row.status != PayoutAccountStatus.VERIFIED or row.verified_at is None:
        return None
    return (row.verified_at + timedelta(days=HOLD_DAYS)).date()


def account_out(row: PayoutAccount, vault: Vault) -> PayoutAccountOut:
    holder = holder_of(row, vault)
    return PayoutAccountOut(
        id=row.id,
        investor_id=row.investor_id,
        account_name=holder.name,
        iban_masked=holder.masked,
        bic=row.bic,
        country=holder.country,
        status=PayoutAccountStatus(row.status),
        requested_at=row.requested_at,
        code_expires_at=row.code_expires_at if row.status == PayoutAccountStatus.UNCONFIRMED else None,
        confirmed_at=row.confirmed_at,
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
        send_code: CodeSender | None = None,
        notice: BankDetailsNotice | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._vault = vault
        self._password_check = password_check
        self._send_code = send_code
        self._notice = notice
        self._now = now

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
            return [account_out(r, self._vault()) for r in rows]

    def request_change(self, actor: Actor, account: PayoutAccountIn) -> PayoutAccountOut:
        investor = self._access.own_investor(actor)
        if investor is None or actor.user_id is None:
            raise PermissionDenied("only an investor changes their own bank account", field="investor")
        if self._send_code is None:
            raise DependencyUnavailable(
                "bank details cannot be changed here: no email is configured to send the confirmation code"
            )
        if not self._password_check(actor, account.password):
            raise PermissionDenied(
                "password: not your password: bank details are unchanged", field="password"
            )
        iban, bic = checked_account(account.iban, account.bic)
        code, expires = new_code(self._now())
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payout_accounts", "status")
            waiting = unit.session.scalars(
                select(PayoutAccount).where(
                    PayoutAccount.investor_id == investor,
                    PayoutAccount.status.in_(
                        [PayoutAccountStatus.UNCONFIRMED.value, PayoutAccountStatus.PENDING.value]
                    ),
                )
            ).all()
            for old in waiting:  # the newest request is the one to confirm and verify
                old.status = PayoutAccountStatus.REPLACED.value
                old.code_sealed = None
            vault = self._vault()
            row = PayoutAccount(
                investor_id=investor,
                account_name="",
                iban_sealed=vault.seal(iban, sealing_context(investor)),
                iban_masked="",
                bic=bic,
                country="",
                status=PayoutAccountStatus.UNCONFIRMED.value,
                requested_by_user_id=actor.user_id,
                code_expires_at=expires,
                code_attempts=0,
            )
            unit.session.add(row)
            unit.session.flush()
            masked = mask_account(iban)
            seal_holder(row, vault, Holder(account.account_name.strip(), iban[:2], masked))
            row.code_sealed = vault.seal(code, code_context(row.id))
            # The masked account only: the holder's name is personal data, kept sealed.
            self._audit.record(
                unit.session,
                actor,
                "payment.payout_account_requested",
                "investor",
                investor,
                after={"account": masked, "account_id": row.id},
            )
            unit.commit()
            out = account_out(row, self._vault())
        # After the commit: the code names a row that exists. Should the email fail to be
        # recorded, the change stays unconfirmed and lapses; asking again sends a new code.
        self._send_code(actor.user_id, out.id, out.iban_masked, code, expires)
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
                "Confirm it with the code we emailed you; an administrator then confirms it with "
                "you by telephone before it is used. If you did not ask for it, contact the "
                "fund's administrator now."
            ),
        )
        return out

    def confirm(self, actor: Actor, account_id: int, code: str) -> PayoutAccountOut:
        """The investor enters the code emailed to them: the change then waits for an admin."""
        investor = self._access.own_investor(actor)
        if investor is None:
            raise PermissionDenied("only an investor confirms their own bank account", field="investor")
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payment_payout_accounts", "status")
            row = unit.session.get(PayoutAccount, account_id, with_for_update=True)
            if row is None or row.investor_id != investor:
                raise NotFound(f"payout account {account_id} not found", field="account_id")
            if row.status != PayoutAccountStatus.UNCONFIRMED:
                raise Conflict(
                    f"payout account {account_id} is {row.status}, not waiting for a code", field="account_id"
                )
            refused = check_code(row, code, self._vault(), self._now())
            if refused is None:
                row.status = PayoutAccountStatus.PENDING.value
                row.confirmed_at = self._now()
                row.code_sealed = None
            action = (
                "payment.payout_account_confirmed"
                if refused is None
                else "payment.payout_account_code_refused"
            )
            self._audit.record(
                unit.session,
                actor,
                action,
                "investor",
                investor,
                after={
                    "account": holder_of(row, self._vault()).masked,
                    "account_id": row.id,
                    "tries": row.code_attempts,
                    "status": row.status,
                },
            )
            unit.commit()  # a refusal is recorded too: the tries count, and a void change stays void
            out = account_out(row, self._vault())
        if refused is not None:
            raise refused.error
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
            return [account_out(r, self._vault()) for r in rows]

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
                after={
                    "account": holder_of(row, self._vault()).masked,
                    "account_id": row.id,
                    "note": decision.note,
                },
            )
            unit.commit()
            out = account_out(row, self._vault())
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
