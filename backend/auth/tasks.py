"""The auth service's Celery tasks."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from backend.celery_app import celery, services


@celery.task(
    name="backend.auth.tasks.purge_expired_auth_state",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def purge_expired_auth_state() -> int:
    """Expired refresh tokens and revocations, idle throttle rows; idempotent (deletes what is
    past its time, so a rerun deletes nothing more)."""
    return services().auth.purge_expired()
