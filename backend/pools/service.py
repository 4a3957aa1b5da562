"""Pool service: create and run investment pools, and decide who may see or change each one.

Who may do what, per pool (decided here, never only in the portal or the API):

* admin: everything, on every pool.
* manager: creates pools (becoming their first manager); sees and changes only the pools
  they manage. Anyone else's pool answers NotFound, exactly like a missing one, so pool
  ids of other managers are never confirmed.
* analyst: reads the pools an admin or one of the pool's managers granted; never changes one.
* investor: reads the pools they participate in (the investor service knows which).

Someone who may see a pool but not change it (an analyst, an investor) gets PermissionDenied
for a change; someone who may not see it gets NotFound.

The service holds the transactions; what it delegates lives beside it: the rules a pool's
terms and status transitions obey (terms_rules), how terms sit in the pool's row
(stored_terms), who may see or change a pool (access), and its managers and analysts (team).
Its reads (a pool, the pools an actor may see, the checks other services make before acting
on a pool) are its base class PoolReads (pool_reads).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from backend.pools.access import Participates, ParticipatingPoolIds, PoolAccess
from backend.pools.models import Pool, PoolAnalystGrant, PoolManager
from backend.pools.pool_reads import PoolReads
from backend.pools.schemas import PoolCreate, PoolOut, PoolSettings, PoolStatus, PoolUpdate
from backend.pools.stored_terms import pool_out, settings_of, summary, write_settings
from backend.pools.team import PoolTeam, manager_ids
from backend.pools.team_schemas import AnalystGrantOut, PoolTeamOut
from backend.pools.terms_rules import require_no_nulls, transition, validated
from backend.users.interface import UserService

HasEntries = Callable[[int], bool]
"""pool id -> whether the books hold anything for the pool (then it can only be closed)."""
PoolDeleted = Callable[[Session, int], None]
"""Told, inside the deleting transaction, that a pool is gone: another service drops what it
kept for the pool (a benchmark assignment, snapshots), so nothing outlives its pool."""


def _utc_today() -> date:
    return utcnow().date()


class DatabasePoolService(PoolReads):
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        users: UserService,
        *,
        has_entries: HasEntries,
        participates: Participates,
        participating_pool_ids: ParticipatingPoolIds,
        on_delete: Sequence[PoolDeleted] = (),
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self._on_delete = tuple(on_delete)
        self._db = db
        self._audit = audit
        self._has_entries = has_entries
        self._today = today
        self._access = PoolAccess(participates=participates, participating_pool_ids=participating_pool_ids)
        self._team = PoolTeam(db, audit, users, self._access)

    # -- create ----------------------------------------------------------------------

    def check_pool(self, actor: Actor, request: PoolCreate) -> PoolSettings:
        # The same checks create_pool runs first, so a preview refuses exactly what it would.
        self._team.first_manager(actor, request.manager_user_id)
        return validated(request, self._today())

    def create_pool(self, actor: Actor, request: PoolCreate) -> PoolOut:
        manager_id = self._team.first_manager(actor, request.manager_user_id)
        settings = validated(request, self._today())
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = Pool(status=PoolStatus.OPEN.value)
            write_settings(pool, settings)
            uow.session.add(pool)
            uow.session.flush()
            uow.session.add(PoolManager(pool_id=pool.id, user_id=manager_id))
            uow.session.flush()
            # Read back as stored: MariaDB keeps whole seconds, so the answer matches later reads.
            uow.session.refresh(pool)
            out = pool_out(pool, [manager_id])
            self._audit.record(
                uow.session,
                actor,
                "pool.created",
                "pool",
                pool.id,
                after={**summary(settings), "status": pool.status, "manager_ids": [manager_id]},
            )
            uow.commit()
            return out

    # -- change settings -------------------------------------------------------------

    def check_update(self, actor: Actor, pool_id: int, update: PoolUpdate) -> PoolSettings:
        # Read-only twin of update_pool's checks: the unit of work is never committed.
        with UnitOfWork(self._db, actor.reader_key) as uow:
            return self._updated(uow.session, actor, pool_id, update)[1]

    def _updated(
        self, session: Session, actor: Actor, pool_id: int, update: PoolUpdate
    ) -> tuple[Pool, PoolSettings, PoolSettings, list[str]]:
        """(the pool, its settings after `update` with every rule checked, its settings now, the
        summary keys that differ), or the error update_pool refuses it with."""
        changed = update.model_fields_set
        require_no_nulls(update)
        pool = self._access.pool_to_change(session, actor, pool_id)
        if pool.status == PoolStatus.LIQUIDATED:
            raise Conflict(f"pool {pool_id} is liquidated; its settings are final", field="status")
        current = settings_of(pool)
        merged = PoolSettings.model_validate(
            {**dict(current), **{name: getattr(update, name) for name in changed}}
        )
        new = validated(merged, self._today())
        before_json, after_json = summary(current), summary(new)
        diff = sorted(k for k in after_json if after_json[k] != before_json[k])
        # What the books are kept in and priced from cannot move under existing entries.
        for name in ("kind", "base_currency", "initial_nav_per_unit"):
            if name in diff and self._has_entries(pool_id):
                raise Conflict(f"{name}: cannot change once the pool has entries in its books", field=name)
        # Each style keeps its own running record in the distributions' workings.
        style = (current.waterfall and current.waterfall.style, new.waterfall and new.waterfall.style)
        if style[0] != style[1] and self._has_entries(pool_id):
            raise Conflict(
                "waterfall.style: cannot change once the pool has entries in its books",
                field="waterfall.style",
            )
        if bool(current.share_classes) != bool(new.share_classes) and self._has_entries(pool_id):
            # Holdings without a class (or classes without their holdings) would price nobody right.
            raise Conflict(
                "share_classes: a pool cannot start or stop issuing share classes once it has entries "
                "in its books",
                field="share_classes",
            )
        removed = {c.class_id for c in current.share_classes} - {c.class_id for c in new.share_classes}
        if removed and self._has_entries(pool_id):
            # Holdings and past marks name the class; a new class may be added at any time.
            raise Conflict(
                f"share_classes: cannot remove class {', '.join(sorted(removed))} once the pool has "
                "entries in its books",
                field="share_classes",
            )
        before = {c.class_id: (c.currency, c.hedged) for c in current.share_classes}
        moved = sorted(
            c.class_id
            for c in new.share_classes
            if c.class_id in before and before[c.class_id] != (c.currency, c.hedged)
        )
        if moved and self._has_entries(pool_id):
            # Its holders' units were bought, and its past prices struck, in that currency.
            raise Conflict(
                f"share_classes: cannot change the currency or hedging of class {', '.join(moved)} "
                "once the pool has entries in its books",
                field="share_classes",
            )
        return pool, new, current, diff

    def update_pool(self, actor: Actor, pool_id: int, update: PoolUpdate) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool, new, current, diff = self._updated(uow.session, actor, pool_id, update)
            if not diff:
                return pool_out(pool, manager_ids(uow.session, [pool_id])[pool_id])
            before_json, after_json = summary(current), summary(new)
            write_settings(pool, new)
            uow.session.flush()
            uow.session.refresh(pool)
            out = pool_out(pool, manager_ids(uow.session, [pool_id])[pool_id])
            self._audit.record(
                uow.session,
                actor,
                "pool.updated",
                "pool",
                pool_id,
                before={k: before_json[k] for k in diff},
                after={k: after_json[k] for k in diff},
            )
            uow.commit()
            return out

    # -- lifecycle -------------------------------------------------------------------

    def close_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        """Stop taking new money: no new investors, subscriptions or commitments."""
        return self._transition(actor, pool_id, "close")

    def liquidate_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        """Start winding the pool up: only distributions and redemptions remain."""
        return self._transition(actor, pool_id, "liquidate")

    def finish_liquidation(self, actor: Actor, pool_id: int) -> PoolOut:
        """Mark a liquidating pool liquidated: final, its settings freeze.

        The ledger will call this once the final distribution leaves nothing in the pool;
        until the ledger exists, nothing checks that here."""
        return self._transition(actor, pool_id, "finish_liquidation")

    def delete_pool(self, actor: Actor, pool_id: int) -> None:
        """Remove a pool that never had anything booked (set up by mistake); otherwise close it."""
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            if self._has_entries(pool_id):
                raise Conflict(
                    f"pool {pool_id} has entries in its books and cannot be deleted; close it instead",
                    field="pool_id",
                )
            before = {**summary(settings_of(pool)), "status": pool.status}
            uow.session.execute(delete(PoolAnalystGrant).where(PoolAnalystGrant.pool_id == pool_id))
            uow.session.execute(delete(PoolManager).where(PoolManager.pool_id == pool_id))
            for forget in self._on_delete:
                forget(uow.session, pool_id)
            uow.session.delete(pool)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                # Something was recorded against the pool after the check above.
                raise Conflict(
                    f"pool {pool_id} has records against it and cannot be deleted; close it instead",
                    field="pool_id",
                ) from exc
            self._audit.record(uow.session, actor, "pool.deleted", "pool", pool_id, before=before)
            uow.commit()

    # -- managers and analysts ------------------------------------------------------

    def team(self, actor: Actor, pool_id: int) -> PoolTeamOut:
        return self._team.team(actor, pool_id)

    def add_manager(self, actor: Actor, pool_id: int, user: int | str) -> PoolOut:
        return self._team.add_manager(actor, pool_id, user)

    def remove_manager(self, actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        return self._team.remove_manager(actor, pool_id, user_id)

    def grant_analyst(self, actor: Actor, pool_id: int, user: int | str) -> AnalystGrantOut:
        return self._team.grant_analyst(actor, pool_id, user)

    def revoke_analyst(self, actor: Actor, pool_id: int, user_id: int) -> None:
        self._team.revoke_analyst(actor, pool_id, user_id)

    # -- internals -------------------------------------------------------------------

    def _transition(self, actor: Actor, pool_id: int, action: str) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            current = PoolStatus(pool.status)
            target, event = transition(action, current)
            pool.status = target.value
            pool.status_changed_at = utcnow()
            uow.session.flush()
            uow.session.refresh(pool)
            out = pool_out(pool, manager_ids(uow.session, [pool_id])[pool_id])
            self._audit.record(
                uow.session,
                actor,
                event,
                "pool",
                pool_id,
                before={"status": current.value},
                after={"status": target.value},
            )
            uow.commit()
            return out
