"""Re-sealing bank details under the vault's active key, after a key rotation; and sealing
the holder's details of payout accounts written before they were sealed.

A rotation puts the new key first in the ring (new values are sealed with it; old ones still
open with theirs); this brings the old values over, in small transactions, so the old key can
then be dropped. Only rows not yet under the active key are read (their token names its key),
so running it on every sweep costs one small query per table when there is nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import or_, select

from backend.payments.collection_accounts import sealing_context as pool_context
from backend.payments.models import PayoutAccount, PoolCollectionAccount
from backend.payments.payout_accounts import holder_context, holder_of, seal_holder
from backend.payments.payout_accounts import sealing_context as investor_context
from backend.payments.vault import Vault
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork

BATCH = 200
Sealed = TypeVar("Sealed", PoolCollectionAccount, PayoutAccount)


def reseal(db: Database, vault: Vault, batch: int = BATCH) -> int:
    """Rows re-sealed under the active key; 0 when every value already is."""
    current = f"v1.{vault.active}.%"
    pools = _reseal_table(
        db, vault, PoolCollectionAccount, lambda r: pool_context(r.pool_id), current=current, batch=batch
    )
    investors = _reseal_table(
        db, vault, PayoutAccount, lambda r: investor_context(r.investor_id), current=current, batch=batch
    )
    return pools + investors + _reseal_holders(db, vault, current=current, batch=batch)


def _reseal_holders(db: Database, vault: Vault, *, current: str, batch: int) -> int:
    """Holders sealed under an older key, or not sealed yet (rows from before): under the active one."""
    done = 0
    while True:
        with UnitOfWork(db) as unit:
            rows = unit.session.scalars(
                select(PayoutAccount)
                .where(
                    or_(PayoutAccount.holder_sealed.is_(None), PayoutAccount.holder_sealed.not_like(current))
                )
                .limit(batch)
                .with_for_update()
            ).all()
            if not rows:
                return done
            for row in rows:
                if row.holder_sealed is None:
                    seal_holder(row, vault, holder_of(row, vault))
                else:
                    row.holder_sealed = vault.rotate(row.holder_sealed, holder_context(row.id))
            unit.commit()
            done += len(rows)


def _reseal_table(
    db: Database,
    vault: Vault,
    model: type[Sealed],
    context: Callable[[Sealed], str],
    *,
    current: str,
    batch: int,
) -> int:
    done = 0
    while True:
        with UnitOfWork(db) as unit:
            rows = unit.session.scalars(
                select(model).where(model.iban_sealed.not_like(current)).limit(batch).with_for_update()
            ).all()
            if not rows:
                return done
            for row in rows:
                row.iban_sealed = vault.rotate(row.iban_sealed, context(row))
            unit.commit()
            done += len(rows)
