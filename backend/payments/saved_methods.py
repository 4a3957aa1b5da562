"""Investors' saved payment methods as last seen at the gateway: token, kind and label
("visa ending 4242, expires 12/2030"), never a number. The gateway's list is the truth; this
copy lets "Pay now" check that a method is the investor's, and queue the payment, while the
gateway is not answering."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from backend.payments.gateway import SavedMethod
from backend.payments.models import SavedPaymentMethod
from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView, UnitOfWork


def kept_methods(db: Database, investor_id: int) -> list[SavedMethod]:
    with ReadView(db) as view:
        rows = view.session.scalars(
            select(SavedPaymentMethod)
            .where(SavedPaymentMethod.investor_id == investor_id)
            .order_by(SavedPaymentMethod.created_at, SavedPaymentMethod.token)
        ).all()
        return [SavedMethod(token=r.token, kind=r.kind, label=r.label) for r in rows]


def keep_methods(
    db: Database, investor_id: int, methods: Sequence[SavedMethod], *, drop_others: bool = True
) -> None:
    """Keep the gateway's list: new methods added, removed ones dropped (unless `drop_others`
    is off: one method just saved). No write when nothing changed: the page lists methods on
    every visit."""
    kept = {m.token for m in kept_methods(db, investor_id)}
    fresh = {m.token: m for m in methods}
    gone = kept - set(fresh) if drop_others else set()
    added = [m for token, m in fresh.items() if token not in kept]
    if not gone and not added:
        return
    with UnitOfWork(db) as unit:
        if gone:
            unit.session.execute(
                delete(SavedPaymentMethod).where(
                    SavedPaymentMethod.investor_id == investor_id, SavedPaymentMethod.token.in_(gone)
                )
            )
        for m in added:
            unit.session.add(
                SavedPaymentMethod(token=m.token, investor_id=investor_id, kind=m.kind, label=m.label[:120])
            )
        # Two visits keeping the same new method at once: the other one kept it.
        with contextlib.suppress(IntegrityError):
            unit.commit()


def forget_method(db: Database, investor_id: int, token: str) -> None:
    with UnitOfWork(db) as unit:
        unit.session.execute(
            delete(SavedPaymentMethod).where(
                SavedPaymentMethod.token == token, SavedPaymentMethod.investor_id == investor_id
            )
        )
        unit.commit()
