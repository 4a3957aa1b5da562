"""The payment service's read side for people: payment histories, the four-eyes queue, and
the gateway's health. Reads only, from the reader the actor is routed to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from backend.payments.access import PaymentAccess
from backend.payments.models import GatewayEvent, Payment, StatementLine
from backend.payments.schemas import GatewayHealthOut, LineStatus, PaymentOut, Rail
from backend.payments.settlement import ZERO
from backend.payments.states import HOLDS_MONEY, PaymentStatus
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import PermissionDenied, ValidationFailed
from backend.platform.unit_of_work import ReadView

HISTORY_LIMIT = 1000
STUCK_AFTER = timedelta(hours=1)
"""A gateway attempt unanswered this long is looked at by `resume_gateway_attempts`; one
still open after that needs a person."""


class PaymentQueries:
    def __init__(self, db: Database, access: PaymentAccess, now: Callable[[], datetime]) -> None:
        self._db = db
        self._access = access
        self._now = now

    def payments(
        self, actor: Actor, *, pool_id: int | None = None, awaiting_approval: bool | None = None
    ) -> list[PaymentOut]:
        """An investor's own payments (any pool); a pool's payments for its managers; any for
        admins. Newest first, at most HISTORY_LIMIT."""
        stmt = select(Payment)
        if actor.role is Role.INVESTOR:
            own = self._access.own_investor(actor)
            if own is None:
                return []
            stmt = stmt.where(Payment.investor_id == own)
        elif pool_id is None:
            if not actor.is_admin:
                raise ValidationFailed("pool_id: required: which pool's payments", field="pool_id")
        else:
            self._access.require_manage(actor, pool_id, f"pool {pool_id}", "pool_id")
        if pool_id is not None:
            stmt = stmt.where(Payment.pool_id == pool_id)
        if awaiting_approval is not None:
            stmt = stmt.where(Payment.awaiting_approval.is_(awaiting_approval))
        stmt = stmt.order_by(Payment.id.desc()).limit(HISTORY_LIMIT)
        with ReadView(self._db, actor.reader_key) as view:
            return [PaymentOut.model_validate(r) for r in view.session.scalars(stmt)]

    def gateway_health(self, actor: Actor, window_hours: int = 24) -> GatewayHealthOut:
        if not actor.is_admin:
            raise PermissionDenied("gateway health: admins only", field="window_hours")
        now = self._now()
        since = now - timedelta(hours=window_hours)
        holds = [s.value for s in HOLDS_MONEY]
        desired = case((Payment.status.in_(holds), Payment.applied), else_=ZERO)
        with ReadView(self._db, actor.reader_key) as view:
            s = view.session
            by_type = dict(
                s.execute(
                    select(GatewayEvent.event_type, func.count())
                    .where(GatewayEvent.received_at >= since)
                    .group_by(GatewayEvent.event_type)
                ).all()
            )
            # An applied event's outcome reads "-> <status>"; anything else says why it was not.
            ignored = s.scalar(
                select(func.count())
                .select_from(GatewayEvent)
                .where(GatewayEvent.received_at >= since, GatewayEvent.outcome.not_like("->%"))
            )
            last = s.execute(
                select(GatewayEvent.received_at, GatewayEvent.event_type)
                .order_by(GatewayEvent.received_at.desc())
                .limit(1)
            ).first()
            open_states = [PaymentStatus.PENDING.value, PaymentStatus.PROCESSING.value]
            stuck = s.scalar(
                select(func.count())
                .select_from(Payment)
                .where(
                    Payment.rail == Rail.GATEWAY.value,
                    Payment.status.in_(open_states),
                    Payment.updated_at < now - STUCK_AFTER,
                )
            )
            behind = s.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.posted_amount != desired, Payment.rail != Rail.BOOKS.value)
            )
            waiting = s.scalar(
                select(func.count()).select_from(Payment).where(Payment.awaiting_approval.is_(True))
            )
            unmatched = s.scalar(
                select(func.count())
                .select_from(StatementLine)
                .where(StatementLine.status == LineStatus.UNMATCHED.value)
            )
        return GatewayHealthOut(
            window_hours=window_hours,
            events=sum(int(n) for n in by_type.values()),
            ignored=int(ignored or 0),
            events_by_type={str(k): int(v) for k, v in sorted(by_type.items())},
            last_event_at=last[0] if last else None,
            last_event_type=last[1] if last else None,
            stuck_attempts=int(stuck or 0),
            books_behind=int(behind or 0),
            awaiting_approval=int(waiting or 0),
            unmatched_lines=int(unmatched or 0),
        )
