"""The ledger's Celery tasks."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from backend.celery_app import celery, services


@celery.task(
    name="ledger.tasks.purge_expired_idempotency_keys",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def purge_expired_idempotency_keys() -> int:
    """Forget Idempotency-Keys past their 24 h retention; idempotent (deletes what is expired)."""
    return services().ledger.purge_expired_keys()
