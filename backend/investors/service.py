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
bare digits ("123") match that id as well as names containing them. Both sides are lowered
in SQL because MariaDB compares utf8mb4_bin text byte for byte. SQLite's lower() folds ASCII
letters only, so on the embedded database "émile" does not find "Émile" (MariaDB does).

Commitments are taken by the managers of an open, closed-ended pool (or an admin), from
KYC-approved investors only, at the pool currency's precision. Several commitments of one
investor to one pool add up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit.service import AuditService
from backend.finance.errors import LedgerInputError
from backend.finance.money import check_cash, get_currency
from backend.investors.models import Investor, PoolCommitment
from backend.investors.schemas import (
    INVESTOR_SEARCH_MAX_LENGTH,
    CommitmentCreate,
    CommitmentOut,
    CommitmentPage,
    InvestorCreate,
    InvestorOut,
    InvestorPage,
    InvestorType,
    InvestorUpdate,
    KycStatus,
    Participation,
    Position,
)
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.schemas import PoolKind, PoolStatus
from backend.pools.service import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PoolService
from backend.users.service import UserService

PositionProvider = Callable[[int, int], Position]
"""(investor id, pool id) -> the investor's position in the pool as the books have it."""


# ISO 3166-1 alpha-2, the officially assigned codes (249).
_ISO_3166_ALPHA2_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2 = frozenset(_ISO_3166_ALPHA2_CODES.split())

# What an investor may change on their own profile; the rest is verified identity or KYC.
_SELF_SERVICE_FIELDS = frozenset({"contact_email", "contact_phone"})
_NOT_NULLABLE_UPDATES = frozenset({"legal_name", "investor_type", "country", "kyc_status"})
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{3,30}")
# Ids are BIGINT: 18 digits always fit, so a longer number is searched as text only.
_ID_ONLY = re.compile(r"#\s*([0-9]{1,18})")
_DIGITS = re.compile(r"[0-9]{1,18}")
_LIKE_ESCAPE = "/"


def _utc_today() -> date:
    return utcnow().date()


def _not_found(investor_id: int) -> NotFound:
    return NotFound(f"investor {investor_id} not found")


def _is_staff(actor: Actor) -> bool:
    return actor.is_admin or actor.role is Role.MANAGER


def _legal_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise ValidationFailed("legal_name: must not be blank", field="legal_name")
    return name


def _country(value: str) -> str:
    code = value.strip().upper()
    if code not in ISO_3166_ALPHA2:
        raise ValidationFailed(
            f"country: {value!r} is not an ISO 3166-1 alpha-2 code such as GB or US", field="country"
        )
    return code


def _contact_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise ValidationFailed(
            "contact_email: must be an email address like name@example.com", field="contact_email"
        )
    return email


def _contact_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = value.strip()
    if not _PHONE.fullmatch(phone):
        raise ValidationFailed(
            "contact_phone: digits, spaces, ( ) and - only, optionally after a leading +",
            field="contact_phone",
        )
    return phone


def _normalised_changes(update: InvestorUpdate) -> dict[str, Any]:
    """The fields the update sets, checked and written as they are stored."""
    changed = update.model_fields_set
    for name in sorted(changed & _NOT_NULLABLE_UPDATES):
        if getattr(update, name) is None:
            raise ValidationFailed(f"{name}: must not be null", field=name)
    normalisers: dict[str, Callable[[Any], Any]] = {
        "legal_name": _legal_name,
        "investor_type": lambda value: InvestorType(value).value,
        "country": _country,
        "contact_email": _contact_email,
        "contact_phone": _contact_phone,
        "kyc_status": lambda value: KycStatus(value).value,
    }
    return {
        name: normalise(getattr(update, name)) for name, normalise in normalisers.items() if name in changed
    }


def _out(investor: Investor) -> InvestorOut:
    return InvestorOut(
        id=investor.id,
        user_id=investor.user_id,
        legal_name=investor.legal_name,
        investor_type=InvestorType(investor.investor_type),
        country=investor.country,
        contact_email=investor.contact_email,
        contact_phone=investor.contact_phone,
        kyc_status=KycStatus(investor.kyc_status),
        kyc_changed_at=investor.kyc_changed_at,
        created_at=investor.created_at,
        updated_at=investor.updated_at,
    )


def _without_contact(out: InvestorOut) -> InvestorOut:
    return out.model_copy(update={"contact_email": None, "contact_phone": None})


def _commitment_out(row: PoolCommitment) -> CommitmentOut:
    return CommitmentOut(
        id=row.id,
        pool_id=row.pool_id,
        investor_id=row.investor_id,
        amount=row.amount.quantize(get_currency(row.currency).quantum),
        currency=row.currency,
        effective_date=row.effective_date,
        created_at=row.created_at,
    )


def _name_contains(text: str) -> ColumnElement[bool]:
    escaped = "".join(f"{_LIKE_ESCAPE}{c}" if c in f"%_{_LIKE_ESCAPE}" else c for c in text)
    return func.lower(Investor.legal_name).like(func.lower(f"%{escaped}%"), escape=_LIKE_ESCAPE)


def _matching(search: str) -> ColumnElement[bool] | None:
    """The filter for a search text (see the module's docstring); None for a blank one."""
    if len(search) > INVESTOR_SEARCH_MAX_LENGTH:
        raise ValidationFailed(
            f"search: at most {INVESTOR_SEARCH_MAX_LENGTH} characters, got {len(search)}", field="search"
        )
    text = search.strip()
    if not text:
        return None
    exact = _ID_ONLY.fullmatch(text)
    if exact:
        return Investor.id == int(exact.group(1))
    if _DIGITS.fullmatch(text):
        return or_(Investor.id == int(text), _name_contains(text))
    return _name_contains(text)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"limit: must be 1..{MAX_PAGE_SIZE}, got {limit}", field="limit")


class InvestorService:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        users: UserService,
        pools: PoolService,
        *,
        positions: PositionProvider,
        holding_pools: Callable[[int], Collection[int]] = lambda investor_id: (),
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._pools = pools
        self._positions = positions
        self._holding_pools = holding_pools
        self._today = today

    # -- profiles --------------------------------------------------------------------

    def create_investor(self, actor: Actor, request: InvestorCreate) -> InvestorOut:
        if not _is_staff(actor):
            raise PermissionDenied("only a manager or an admin may create investor profiles")
        user = self._users.active_user(request.user_id)
        if user is None or user.role is not Role.INVESTOR:
            raise ValidationFailed(
                f"user_id: user {request.user_id} is not an active investor-role user", field="user_id"
            )
        investor = Investor(
            user_id=request.user_id,
            legal_name=_legal_name(request.legal_name),
            investor_type=request.investor_type.value,
            country=_country(request.country),
            contact_email=_contact_email(request.contact_email),
            contact_phone=_contact_phone(request.contact_phone),
            kyc_status=KycStatus.PENDING.value,
            created_by_user_id=actor.user_id,
        )
        with UnitOfWork(self._db, actor.reader_key) as uow:
            taken = select(Investor.id).where(Investor.user_id == request.user_id)
            if uow.session.scalar(taken) is not None:
                raise Conflict(f"user {request.user_id} already has an investor profile", field="user_id")
            uow.session.add(investor)
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent create won the race
                raise Conflict(
                    f"user {request.user_id} already has an investor profile", field="user_id"
                ) from exc
            # Read back as stored: MariaDB keeps whole seconds, so the answer matches later reads.
            uow.session.refresh(investor)
            out = _out(investor)
            self._audit.record(
                uow.session,
                actor,
                "investor.created",
                "investor",
                investor.id,
                after=out.model_dump(
                    mode="json", include={"user_id", "investor_type", "country", "kyc_status"}
                ),
            )
            uow.commit()
            return out

    def get_investor(self, actor: Actor, investor_id: int) -> InvestorOut:
        with ReadView(self._db, actor.reader_key) as view:
            investor = self._investor_for(view.session, actor, investor_id)
            return self._as_seen_by(view.session, actor, [investor])[0]

    def legal_names(self, actor: Actor, investor_ids: Collection[int]) -> dict[int, str]:
        """{investor id: legal name} for the ids the actor may see, in one read (a grid's names)."""
        if not investor_ids:
            return {}
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.execute(
                select(Investor.id, Investor.legal_name).where(
                    Investor.id.in_(sorted(set(investor_ids))), self._visible(actor)
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
        _check_limit(limit)
        stmt = select(Investor).order_by(Investor.id).limit(limit + 1)
        stmt = stmt.where(self._visible(actor))
        if kyc_status is not None:
            stmt = stmt.where(Investor.kyc_status == kyc_status.value)
        matching = _matching(search) if search is not None else None
        if matching is not None:
            stmt = stmt.where(matching)
        if cursor is not None:
            stmt = stmt.where(Investor.id > cursor)
        with ReadView(self._db, actor.reader_key) as view:
            rows = list(view.session.scalars(stmt).all())
            # Built inside the view: leaving it rolls the session back, which expires the rows.
            more = len(rows) > limit
            rows = rows[:limit]
            items = self._as_seen_by(view.session, actor, rows)
            return InvestorPage(items=items, next_cursor=rows[-1].id if more else None)

    def update_investor(self, actor: Actor, investor_id: int, update: InvestorUpdate) -> InvestorOut:
        changed = update.model_fields_set
        with UnitOfWork(self._db, actor.reader_key) as uow:
            investor = self._investor_for(uow.session, actor, investor_id, lock=True)
            if actor.role is Role.MANAGER and not actor.is_admin:
                self._require_relationship(uow.session, actor, investor)
            forbidden = sorted(changed - _SELF_SERVICE_FIELDS) if not _is_staff(actor) else []
            if forbidden:
                name = forbidden[0]
                who = "KYC status" if name == "kyc_status" else name
                raise PermissionDenied(
                    f"{name}: {who} is changed by a manager or an admin; you may change contact details",
                    field=name,
                )
            new = _normalised_changes(update)
            before = {k: getattr(investor, k) for k in new}
            diff = sorted(k for k in new if new[k] != before[k])
            for name in diff:
                setattr(investor, name, new[name])
            if "kyc_status" in diff:
                investor.kyc_changed_at = utcnow()
            uow.session.flush()
            uow.session.refresh(investor)
            out = _out(investor)
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
            return out

    def require_kyc_approved(self, investor_id: int) -> None:
        """For the ledger, before it takes money in: the investor must be KYC-approved.
        Read on the primary: a rejection just made must stop the money at once."""
        with UnitOfWork(self._db) as view:
            investor = view.session.get(Investor, investor_id)
            if investor is None:
                raise NotFound(f"investor {investor_id} not found", field="investor_id")
            self._check_approved(investor)

    def kyc_status(self, investor_id: int) -> KycStatus:
        """For other services acting as the system: the investor's KYC status (NotFound naming
        `investor_id` when there is no such investor). Read on the primary."""
        with UnitOfWork(self._db) as view:
            status = view.session.scalar(select(Investor.kyc_status).where(Investor.id == investor_id))
            if status is None:
                raise NotFound(f"investor {investor_id} not found", field="investor_id")
            return KycStatus(status)

    def kyc_statuses(self, investor_ids: Collection[int]) -> dict[int, KycStatus]:
        """KYC status of many investors in one read (on the primary); unknown ids are absent."""
        if not investor_ids:
            return {}
        with UnitOfWork(self._db) as view:
            rows = view.session.execute(
                select(Investor.id, Investor.kyc_status).where(Investor.id.in_(sorted(set(investor_ids))))
            ).all()
            return {int(investor_id): KycStatus(status) for investor_id, status in rows}

    def investor_for_user(self, user_id: int) -> InvestorOut | None:
        """The profile of an investor-role user, or None (system lookup: no authorisation)."""
        with ReadView(self._db) as view:
            investor = view.session.scalar(select(Investor).where(Investor.user_id == user_id))
            return _out(investor) if investor is not None else None

    # -- commitments -----------------------------------------------------------------

    def create_commitment(self, actor: Actor, pool_id: int, request: CommitmentCreate) -> CommitmentOut:
        # NotFound when the actor may not see the pool; PermissionDenied when read-only.
        pool = self._pools.require_manage(actor, pool_id)
        if pool.kind is not PoolKind.CLOSED_ENDED:
            raise ValidationFailed(
                f"pool_id: pool {pool_id} is open-ended; investors subscribe for units there instead",
                field="pool_id",
            )
        if pool.status is not PoolStatus.OPEN:
            raise Conflict(
                f"status: pool {pool_id} is {pool.status}; it takes no new commitments", field="status"
            )
        currency = get_currency(pool.base_currency)
        try:
            amount = check_cash(request.amount, currency, "amount")
        except LedgerInputError as exc:
            raise ValidationFailed(f"amount: {exc.reason}", field="amount") from None
        if amount <= 0:
            raise ValidationFailed(f"amount: must be more than 0, got {amount}", field="amount")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # Locked so a KYC decision made meanwhile is either seen here or waits for us.
            investor = uow.session.get(Investor, request.investor_id, with_for_update=True)
            if investor is None:
                raise ValidationFailed(
                    f"investor_id: investor {request.investor_id} not found", field="investor_id"
                )
            self._check_approved(investor)
            row = PoolCommitment(
                investor_id=investor.id,
                pool_id=pool_id,
                amount=amount,
                currency=currency.code,
                effective_date=request.effective_date or self._today(),
                created_by_user_id=actor.user_id,
            )
            uow.session.add(row)
            uow.session.flush()
            uow.session.refresh(row)
            out = _commitment_out(row)
            self._audit.record(
                uow.session,
                actor,
                "commitment.created",
                "commitment",
                row.id,
                after=out.model_dump(mode="json", include={"pool_id", "investor_id", "amount", "currency",
                                                           "effective_date"}),
            )
            uow.commit()
            return out

    def list_commitments(
        self, actor: Actor, pool_id: int, *, cursor: int | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> CommitmentPage:
        """A pool's commitments, to whoever may see the pool; an investor sees only their own."""
        _check_limit(limit)
        self._pools.get_pool(actor, pool_id)
        stmt = (
            select(PoolCommitment)
            .where(PoolCommitment.pool_id == pool_id)
            .order_by(PoolCommitment.id)
            .limit(limit + 1)
        )
        if actor.role is Role.INVESTOR:
            stmt = stmt.where(PoolCommitment.investor_id.in_(self._own_investor_ids(actor)))
        if cursor is not None:
            stmt = stmt.where(PoolCommitment.id > cursor)
        with ReadView(self._db, actor.reader_key) as view:
            rows = list(view.session.scalars(stmt).all())
            more = len(rows) > limit
            rows = rows[:limit]
            return CommitmentPage(
                items=[_commitment_out(r) for r in rows], next_cursor=rows[-1].id if more else None
            )

    def commitments_for_pool(self, pool_id: int) -> list[tuple[int, Decimal]]:
        """(investor id, total committed) per investor, in investor id order: the ledger's
        basis for pro rata capital calls and commitment-based fees. Read on the primary, so a
        commitment just recorded is never left out of a call."""
        stmt = (
            select(
                PoolCommitment.investor_id,
                func.sum(PoolCommitment.amount),
                func.min(PoolCommitment.currency),
            )
            .where(PoolCommitment.pool_id == pool_id)
            .group_by(PoolCommitment.investor_id)
            .order_by(PoolCommitment.investor_id)
        )
        with UnitOfWork(self._db) as view:
            return [
                (investor_id, Decimal(total).quantize(get_currency(code).quantum))
                for investor_id, total, code in view.session.execute(stmt)
            ]

    def has_commitments(self, pool_id: int) -> bool:
        """Whether anything was committed to the pool (then it cannot be deleted). On the primary."""
        with UnitOfWork(self._db) as view:
            found = view.session.scalar(
                select(PoolCommitment.id).where(PoolCommitment.pool_id == pool_id).limit(1)
            )
            return found is not None

    # -- participation -----------------------------------------------------------------

    def participates(self, user_id: int, pool_id: int) -> bool:
        """Whether this user is an investor in the pool. Until the ledger exists that means
        a commitment; holding units of an open-ended pool will count too."""
        with ReadView(self._db) as view:
            found = view.session.scalar(
                select(PoolCommitment.id)
                .join(Investor, Investor.id == PoolCommitment.investor_id)
                .where(Investor.user_id == user_id, PoolCommitment.pool_id == pool_id)
                .limit(1)
            )
            return found is not None

    def participating_pool_ids(self, user_id: int) -> set[int]:
        with ReadView(self._db) as view:
            rows = view.session.scalars(
                select(PoolCommitment.pool_id)
                .join(Investor, Investor.id == PoolCommitment.investor_id)
                .where(Investor.user_id == user_id)
                .distinct()
            )
            return set(rows)

    def participation(self, actor: Actor, investor_id: int, pool_id: int) -> Participation:
        """One investor's figures in one pool, for the investor themselves or the pool's staff."""
        with ReadView(self._db, actor.reader_key) as view:
            self._investor_for(view.session, actor, investor_id)
            committed = view.session.scalar(
                select(func.sum(PoolCommitment.amount)).where(
                    PoolCommitment.investor_id == investor_id, PoolCommitment.pool_id == pool_id
                )
            )
        pool = self._pools.get_pool(actor, pool_id)
        currency = get_currency(pool.base_currency)
        zero = Decimal(0).quantize(currency.quantum)
        committed_amount = Decimal(committed or 0).quantize(currency.quantum)
        position = self._positions(investor_id, pool_id)
        if pool.kind is not PoolKind.CLOSED_ENDED:
            committed_amount = zero  # nothing is committed to an open-ended pool
        unfunded = committed_amount - position.called if pool.kind is PoolKind.CLOSED_ENDED else zero
        return Participation(
            investor_id=investor_id,
            pool_id=pool_id,
            pool_kind=pool.kind,
            currency=currency.code,
            committed=committed_amount,
            contributed=position.contributed,
            unfunded=unfunded,
            distributed=position.distributed,
            fees_borne=position.fees_borne,
            units_held=position.units_held,
            capital_account=position.capital_account,
        )

    def holdings(self, actor: Actor, investor_id: int) -> list[Participation]:
        """The investor's participation in every pool they are in that the actor may see."""
        with ReadView(self._db, actor.reader_key) as view:
            self._investor_for(view.session, actor, investor_id)
            pool_ids = sorted(
                view.session.scalars(
                    select(PoolCommitment.pool_id).where(PoolCommitment.investor_id == investor_id).distinct()
                )
            )
        holdings = []
        for pool_id in pool_ids:
            try:
                holdings.append(self.participation(actor, investor_id, pool_id))
            except NotFound:  # a manager sees this investor's stake in their own pools only
                continue
        return holdings

    # -- internals -------------------------------------------------------------------

    @staticmethod
    def _check_approved(investor: Investor) -> None:
        if investor.kyc_status != KycStatus.APPROVED.value:
            raise ValidationFailed(
                f"investor_id: investor {investor.id} is not KYC-approved (KYC status {investor.kyc_status})",
                field="investor_id",
            )

    def _visible(self, actor: Actor) -> ColumnElement[bool]:
        if _is_staff(actor):
            return true()
        if actor.role is Role.INVESTOR and actor.user_id is not None:
            return Investor.user_id == actor.user_id
        if actor.role is Role.ANALYST:
            raise PermissionDenied("analysts do not see investor profiles")
        return false()

    def _investor_for(
        self, session: Session, actor: Actor, investor_id: int, *, lock: bool = False
    ) -> Investor:
        stmt = select(Investor).where(Investor.id == investor_id, self._visible(actor))
        investor = session.scalar(stmt.with_for_update() if lock else stmt)
        if investor is None:
            raise _not_found(investor_id)
        return investor

    def _as_seen_by(self, session: Session, actor: Actor, investors: Sequence[Investor]) -> list[InvestorOut]:
        """Profiles as ``actor`` may read them. A manager finds any approved investor by name
        (to onboard them to a pool), but sees contact details only of their own investors
        (:meth:`_related`): another manager's clients' emails and phones are not theirs."""
        outs = [_out(i) for i in investors]
        if actor.is_admin or actor.role is not Role.MANAGER:
            return outs  # an investor reads only their own profile (_visible)
        return [
            out if self._related(session, actor, investor) else _without_contact(out)
            for investor, out in zip(investors, outs, strict=True)
        ]

    def _related(self, session: Session, actor: Actor, investor: Investor) -> bool:
        """Whether the investor is this manager's: onboarded by them, or committed to or
        holding units in a pool they manage."""
        if investor.created_by_user_id is not None and investor.created_by_user_id == actor.user_id:
            return True
        committed = set(
            session.scalars(
                select(PoolCommitment.pool_id).where(PoolCommitment.investor_id == investor.id).distinct()
            )
        )
        return any(
            self._pools.can_manage(actor, pool_id)
            for pool_id in sorted(committed | set(self._holding_pools(investor.id)))
        )

    def _require_relationship(self, session: Session, actor: Actor, investor: Investor) -> None:
        """A manager changes an investor's profile (KYC, contact details) only when the investor
        is theirs (:meth:`_related`). Otherwise one manager could reject another's investor or
        redirect their notices."""
        if self._related(session, actor, investor):
            return
        raise PermissionDenied(
            f"investor_id: investor {investor.id} is in none of your pools and was onboarded by "
            "another manager; an admin or one of their managers changes their profile",
            field="investor_id",
        )

    def _own_investor_ids(self, actor: Actor) -> list[int]:
        own = self.investor_for_user(actor.user_id) if actor.user_id is not None else None
        return [own.id] if own is not None else []
