"""Investor service: investor profiles, KYC, commitments to pools and what each investor holds.

Who may do what (decided here, per object):

* admin and manager: create investor profiles, list and read all of them (KYC onboarding),
  change any field including KYC status.
* investor: reads their own profile and holdings and changes only its contact fields;
  another investor's id answers NotFound, exactly like a missing one.
* analyst: no investor profiles (personal data); the commitments of a pool they were
  granted are readable through that pool.

Finding an investor (`list_investors(search=...)`, the portal's picker, `?search=` on the API):
the text matches a legal name containing it in any case, "#123" is investor 123 exactly, and
bare digits ("123") match that id as well as names containing them (backend.investors.search).

Commitments are taken by the managers of an open, closed-ended pool (or an admin), from
KYC-approved investors only, at the pool currency's precision. Several commitments of one
investor to one pool add up.

The service holds the profiles' transactions and delegates the rest to the modules beside
it: a profile's fields (profiles), search, who sees whose profile (access), commitments
(commitments) and each investor's figures per pool (holdings). The reads other services make
as the system (KYC status, notice addressees, phones, the profile behind a user) are its base
class InvestorLookups (lookups).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.audit.interface import AuditService
from backend.investors.access import HoldingPools, InvestorAccess, is_staff
from backend.investors.commitments import CommitmentBook
from backend.investors.holdings import InvestorHoldings, PositionProvider
from backend.investors.lookups import InvestorLookups
from backend.investors.models import Investor
from backend.investors.paging import check_limit
from backend.investors.profiles import (
    SELF_SERVICE_FIELDS,
    contact_email,
    contact_phone,
    country,
    investor_out,
    legal_name,
    normalised_changes,
)
from backend.investors.schemas import (
    CommitmentCreate,
    CommitmentOut,
    CommitmentPage,
    InvestorCreate,
    InvestorOut,
    InvestorPage,
    InvestorUpdate,
    KycStatus,
    Participation,
    SideLetterOut,
    SideLetterPage,
    SideLetterTerms,
)
from backend.investors.search import search_filter
from backend.investors.side_letters import SideLetterBook
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, PermissionDenied, ValidationFailed
from backend.platform.in_lists import in_slices, read_back
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.interface import DEFAULT_PAGE_SIZE, PoolService
from backend.users.interface import UserService


def _utc_today() -> date:
    return utcnow().date()


ContactChanged = Callable[[InvestorOut, dict[str, str | None], datetime], None]
"""(the investor as now, {field: its value before} of the contact fields that changed, when):
told at the old address and the new one (wired by the container)."""
CONTACT_FIELDS = ("contact_email", "contact_phone")
KycDecided = Callable[[InvestorOut, KycStatus, datetime], None]
"""(the investor as now, the status before, when) after a KYC decision is committed: the
notification service tells the investor (wired by the container; this layer cannot see it)."""


class DatabaseInvestorService(InvestorLookups):
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        users: UserService,
        pools: PoolService,
        *,
        positions: PositionProvider,
        holding_pools: HoldingPools = lambda investor_ids: {},
        today: Callable[[], date] = _utc_today,
        on_kyc_decided: KycDecided | None = None,
        on_contact_changed: ContactChanged | None = None,
    ) -> None:
        self._on_contact_changed = on_contact_changed
        self._db = db
        self._audit = audit
        self._users = users
        self._on_kyc_decided = on_kyc_decided
        self._access = InvestorAccess(pools, holding_pools)
        self._commitments = CommitmentBook(
            db, audit, pools, own_investor_ids=self._own_investor_ids, today=today
        )
        self._holdings = InvestorHoldings(db, pools, self._access, positions=positions)
        self._side_letters = SideLetterBook(db, audit, pools, own_investor_ids=self._own_investor_ids)

    # -- profiles --------------------------------------------------------------------

    def create_investor(self, actor: Actor, request: InvestorCreate) -> InvestorOut:
        return self.create_investors(actor, [request])[0]

    def create_investors(self, actor: Actor, requests: Sequence[InvestorCreate]) -> list[InvestorOut]:
        """Many profiles in one transaction, all or none (a book of investors taken over from
        another administrator): each checked as one alone would be, in a few statements."""
        if not is_staff(actor):
            raise PermissionDenied("only a manager or an admin may create investor profiles")
        user_ids = [r.user_id for r in requests]
        if len(set(user_ids)) != len(user_ids):
            twice = sorted({u for u in user_ids if user_ids.count(u) > 1})[0]
            raise ValidationFailed(f"user_id: user {twice} is given twice", field="user_id")
        users = self._users.active_users(user_ids)
        for request in requests:
            user = users.get(request.user_id)
            if user is None or user.role is not Role.INVESTOR:
                raise ValidationFailed(
                    f"user_id: user {request.user_id} is not an active investor-role user", field="user_id"
                )
        investors = [self._new_investor(actor, r) for r in requests]
        with UnitOfWork(self._db, actor.reader_key) as uow:
            for chunk in in_slices(user_ids):
                taken = uow.session.scalar(select(Investor.user_id).where(Investor.user_id.in_(chunk)))
                if taken is not None:
                    raise Conflict(f"user {taken} already has an investor profile", field="user_id")
            uow.session.add_all(investors)
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent create won the race
                which = f"user {user_ids[0]}" if len(user_ids) == 1 else "one of these users"
                raise Conflict(f"{which} already has an investor profile", field="user_id") from exc
            read_back(uow.session, Investor, [investor.id for investor in investors])
            out = [investor_out(investor) for investor in investors]
            audited = {"user_id", "investor_type", "country", "kyc_status"}
            self._audit.record_many(
                uow.session,
                actor,
                "investor.created",
                "investor",
                [(created.id, created.model_dump(mode="json", include=audited)) for created in out],
            )
            uow.commit()
            return out

    @staticmethod
    def _new_investor(actor: Actor, request: InvestorCreate) -> Investor:
        return Investor(
            user_id=request.user_id,
            legal_name=legal_name(request.legal_name),
            investor_type=request.investor_type.value,
            country=country(request.country),
            contact_email=contact_email(request.contact_email),
            contact_phone=contact_phone(request.contact_phone),
            kyc_status=request.kyc_status.value,
            # Reviewed before it came here: that review is when the status last changed.
            kyc_changed_at=None if request.kyc_status is KycStatus.PENDING else utcnow(),
            created_by_user_id=actor.user_id,
        )

    def get_investor(self, actor: Actor, investor_id: int) -> InvestorOut:
        with ReadView(self._db, actor.reader_key) as view:
            investor = self._access.investor_for(view.session, actor, investor_id)
            return self._access.as_seen_by(view.session, actor, [investor])[0]

    def legal_names(self, actor: Actor, investor_ids: Collection[int]) -> dict[int, str]:
        """{investor id: legal name} for the ids the actor may see, in one read (a grid's names)."""
        if not investor_ids:
            return {}
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.execute(
                select(Investor.id, Investor.legal_name).where(
                    Investor.id.in_(sorted(set(investor_ids))), self._access.visible(actor)
                )
            ).all()
            return {int(investor_id): str(name) for investor_id, name in rows}

    def list_investors(
        self,
        actor: Actor,
        *,
        kyc_status: KycStatus | None = None,
        search: str | None = None,
        cursor: int | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> InvestorPage:
        """All profiles for staff; an investor's own profile for an investor. `search` narrows
        them by legal name or id (module docstring), in the same id order and paging."""
        check_limit(limit)
        stmt = select(Investor).order_by(Investor.id).limit(limit + 1)
        stmt = stmt.where(self._access.visible(actor))
        if kyc_status is not None:
            stmt = stmt.where(Investor.kyc_status == kyc_status.value)
        matching = search_filter(search) if search is not None else None
        if matching is not None:
            stmt = stmt.where(matching)
        if cursor is not None:
            stmt = stmt.where(Investor.id > cursor)
        with ReadView(self._db, actor.reader_key) as view:
            rows = list(view.session.scalars(stmt).all())
            # Built inside the view: leaving it rolls the session back, which expires the rows.
            more = len(rows) > limit
            rows = rows[:limit]
            items = self._access.as_seen_by(view.session, actor, rows)
            return InvestorPage(items=items, next_cursor=rows[-1].id if more else None)

    def update_investor(self, actor: Actor, investor_id: int, update: InvestorUpdate) -> InvestorOut:
        changed = update.model_fields_set
        with UnitOfWork(self._db, actor.reader_key) as uow:
            investor = self._access.investor_for(uow.session, actor, investor_id, lock=True)
            if actor.role is Role.MANAGER and not actor.is_admin:
                self._access.require_relationship(uow.session, actor, investor)
            forbidden = sorted(changed - SELF_SERVICE_FIELDS) if not is_staff(actor) else []
            if forbidden:
                name = forbidden[0]
                who = "KYC status" if name == "kyc_status" else name
                raise PermissionDenied(
                    f"{name}: {who} is changed by a manager or an admin; you may change contact details",
                    field=name,
                )
            new = normalised_changes(update)
            before = {k: getattr(investor, k) for k in new}
            diff = sorted(k for k in new if new[k] != before[k])
            for name in diff:
                setattr(investor, name, new[name])
            if "kyc_status" in diff:
                investor.kyc_changed_at = utcnow()
            uow.session.flush()
            uow.session.refresh(investor)
            out = investor_out(investor)
            details = [k for k in diff if k != "kyc_status"]
            if details:
                self._audit.record(
                    uow.session,
                    actor,
                    "investor.updated",
                    "investor",
                    investor_id,
                    before={k: before[k] for k in details},
                    after={k: new[k] for k in details},
                )
            if "kyc_status" in diff:
                # A compliance decision of its own, findable by action in the audit log.
                self._audit.record(
                    uow.session,
                    actor,
                    "investor.kyc_changed",
                    "investor",
                    investor_id,
                    before={"kyc_status": before["kyc_status"]},
                    after={"kyc_status": new["kyc_status"]},
                )
            uow.commit()
        contacts = {name: before[name] for name in diff if name in CONTACT_FIELDS}
        if contacts and self._on_contact_changed is not None:
            self._on_contact_changed(out, contacts, out.updated_at)
        if "kyc_status" in diff and self._on_kyc_decided is not None and out.kyc_changed_at is not None:
            # After the commit: the decision stands whether or not the notice can be made.
            self._on_kyc_decided(out, KycStatus(before["kyc_status"]), out.kyc_changed_at)
        return out

    # -- commitments -----------------------------------------------------------------

    def create_commitment(self, actor: Actor, pool_id: int, request: CommitmentCreate) -> CommitmentOut:
        return self._commitments.create_commitment(actor, pool_id, request)

    def create_commitments(
        self, actor: Actor, pool_id: int, requests: Sequence[CommitmentCreate]
    ) -> list[CommitmentOut]:
        return self._commitments.create_commitments(actor, pool_id, requests)

    def list_commitments(
        self, actor: Actor, pool_id: int, *, cursor: int | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> CommitmentPage:
        """A pool's commitments, to whoever may see the pool; an investor sees only their own."""
        return self._commitments.list_commitments(actor, pool_id, cursor=cursor, limit=limit)

    def commitments_for_pool(self, pool_id: int) -> list[tuple[int, Decimal]]:
        """(investor id, total committed) per investor, in investor id order: the ledger's
        basis for pro rata capital calls and commitment-based fees. Read on the primary."""
        return self._commitments.commitments_for_pool(pool_id)

    def has_commitments(self, pool_id: int) -> bool:
        """Whether anything was committed to the pool (then it cannot be deleted). On the primary."""
        return self._commitments.has_commitments(pool_id)

    # -- side letters ------------------------------------------------------------------

    def put_side_letter(
        self, actor: Actor, pool_id: int, investor_id: int, terms: SideLetterTerms
    ) -> SideLetterOut:
        return self._side_letters.put_side_letter(actor, pool_id, investor_id, terms)

    def check_side_letter(
        self, actor: Actor, pool_id: int, investor_id: int, terms: SideLetterTerms
    ) -> SideLetterOut | None:
        return self._side_letters.check_side_letter(actor, pool_id, investor_id, terms)

    def delete_side_letter(self, actor: Actor, pool_id: int, investor_id: int) -> None:
        self._side_letters.delete_side_letter(actor, pool_id, investor_id)

    def list_side_letters(self, actor: Actor, pool_id: int) -> SideLetterPage:
        return self._side_letters.list_side_letters(actor, pool_id)

    def side_letters_for_pool(self, pool_id: int) -> dict[int, SideLetterOut]:
        return self._side_letters.side_letters_for_pool(pool_id)

    def side_letters_changed_at(self, pool_id: int) -> datetime | None:
        return self._side_letters.side_letters_changed_at(pool_id)

    # -- participation -----------------------------------------------------------------

    def participates(self, user_id: int, pool_id: int) -> bool:
        """Whether this user is an investor in the pool."""
        return self._holdings.participates(user_id, pool_id)

    def participating_pool_ids(self, user_id: int) -> set[int]:
        return self._holdings.participating_pool_ids(user_id)

    def participation(self, actor: Actor, investor_id: int, pool_id: int) -> Participation:
        """One investor's figures in one pool, for the investor themselves or the pool's staff."""
        return self._holdings.participation(actor, investor_id, pool_id)

    def holdings(self, actor: Actor, investor_id: int) -> list[Participation]:
        """The investor's participation in every pool they are in that the actor may see."""
        return self._holdings.holdings(actor, investor_id)

    # -- internals -------------------------------------------------------------------

    def _own_investor_ids(self, actor: Actor) -> list[int]:
        own = self.investor_for_user(actor.user_id) if actor.user_id is not None else None
        return [own.id] if own is not None else []
