"""What the platform's other services read of investors as the system, with no actor to
authorise: the KYC status the ledger checks before it takes money in, the names and user ids
a notice is addressed by, the phones of the SMS channel, and the profile behind a user.

Kept apart from backend.investors.service, whose DatabaseInvestorService inherits it, because
none of these decides who may see what (access.py) nor writes anything: each is one read,
on the primary where a KYC decision just made must count at once.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from backend.investors.models import Investor
from backend.investors.profiles import check_status_approved, investor_out
from backend.investors.schemas import InvestorOut, KycStatus
from backend.platform.db import Database
from backend.platform.errors import NotFound
from backend.platform.in_lists import in_slices
from backend.platform.unit_of_work import ReadView


class InvestorLookups:
    """The investor service's reads for other services."""

    # Set by DatabaseInvestorService's constructor.
    _db: Database

    def require_kyc_approved(self, investor_id: int) -> None:
        """For the ledger, before it takes money in: the investor must be KYC-approved.
        Read on the primary: a rejection just made must stop the money at once. Only the
        status is read: the whole profile's columns cost every subscription their decoding."""
        check_status_approved(investor_id, self.kyc_status(investor_id).value)

    def kyc_status(self, investor_id: int) -> KycStatus:
        """For other services acting as the system: the investor's KYC status (NotFound naming
        `investor_id` when there is no such investor). Read on the primary."""
        with ReadView(self._db, primary=True) as view:
            status = view.session.scalar(select(Investor.kyc_status).where(Investor.id == investor_id))
            if status is None:
                raise NotFound(f"investor {investor_id} not found", field="investor_id")
            return KycStatus(status)

    def kyc_statuses(self, investor_ids: Collection[int]) -> dict[int, KycStatus]:
        """KYC status of many investors in one read (on the primary); unknown ids are absent."""
        if not investor_ids:
            return {}
        with ReadView(self._db, primary=True) as view:
            rows = view.session.execute(
                select(Investor.id, Investor.kyc_status).where(Investor.id.in_(sorted(set(investor_ids))))
            ).all()
            return {int(investor_id): KycStatus(status) for investor_id, status in rows}

    def addressees(self, investor_ids: Collection[int]) -> dict[int, tuple[int, str]]:
        """{investor id: (user id, legal name)} in one read: a valuation's notices go to every
        holder, and a read per holder was most of the notification consumer's time."""
        if not investor_ids:
            return {}
        with ReadView(self._db) as view:
            rows = view.session.execute(
                select(Investor.id, Investor.user_id, Investor.legal_name).where(
                    Investor.id.in_(sorted(set(investor_ids)))
                )
            ).all()
            return {int(investor_id): (int(user_id), str(name)) for investor_id, user_id, name in rows}

    def investor_for_user(self, user_id: int) -> InvestorOut | None:
        """The profile of an investor-role user, or None (system lookup: no authorisation)."""
        with ReadView(self._db) as view:
            investor = view.session.scalar(select(Investor).where(Investor.user_id == user_id))
            return investor_out(investor) if investor is not None else None

    def phones_of_users(self, user_ids: Collection[int]) -> dict[int, str]:
        """{user id: the investor's contact phone} for those who have one (system: the SMS
        channel of the notification service)."""
        ids = sorted(set(user_ids))
        found: dict[int, str] = {}
        with ReadView(self._db) as view:
            for chunk in in_slices(ids):
                rows = view.session.execute(
                    select(Investor.user_id, Investor.contact_phone).where(
                        Investor.user_id.in_(chunk), Investor.contact_phone.is_not(None)
                    )
                )
                found.update({user: phone for user, phone in rows if phone and phone.strip()})
        return found
