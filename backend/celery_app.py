"""The Celery app: RabbitMQ broker and Redis results in production, eager in the embedded
default (tasks run in the caller's thread, so `make run` needs no broker).

Reliability settings, the same for every task:

* ``task_acks_late`` with ``task_reject_on_worker_lost``: a message is acknowledged only
  after its task finished, so a worker killed mid-task leaves it on the queue and another
  worker runs it again. Every task is therefore idempotent (a snapshot is an upsert keyed
  by pool and date; a purge deletes what is expired).
* ``worker_prefetch_multiplier = 1``: a worker holds one unacknowledged message at a time,
  so a crash puts back at most that one and long tasks do not starve short ones.
* Retries with exponential backoff on transient database errors are declared per task.

Tasks reach the services through :func:`services`, which a process binds once: the app
server binds its own container; a worker (``python app.py worker``) builds one from the
environment on first use.

The portal's background jobs (Dash's CeleryManager: large exports, statements, a full
recompute) are tasks too, registered when the portal is built; a worker builds it at
``worker_init`` (portal/jobs_worker.py), so the same worker and queue run them.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

from backend.config import Settings, load_settings

if TYPE_CHECKING:
    from backend.container import Container

TASK_MODULES = ("backend.auth.tasks", "ledger.tasks", "reports.tasks")
PORTAL_JOBS_MODULE = "portal.jobs_worker"
"""Imported by name at worker start: the backend never imports the portal."""
QUEUE = "pools"

celery = Celery("pools", include=list(TASK_MODULES))

_bound: Container | None = None


def configure(settings: Settings) -> Celery:
    broker = settings.celery_broker_url
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=f"{settings.redis_url}" if settings.redis_url else "cache+memory://",
        task_always_eager=broker is None,
        task_eager_propagates=True,
        task_store_eager_result=False,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=24 * 3600,
        timezone="UTC",
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "nightly-performance-snapshots": {
                "task": "reports.tasks.snapshot_all_pools",
                "schedule": crontab(hour=1, minute=30),
            },
            "purge-expired-auth-state": {
                "task": "backend.auth.tasks.purge_expired_auth_state",
                "schedule": crontab(minute=47),
            },
            "purge-expired-idempotency-keys": {
                "task": "ledger.tasks.purge_expired_idempotency_keys",
                "schedule": crontab(minute=17),
            },
        },
    )
    _forget_connections()
    return celery


def _forget_connections() -> None:
    # Connections and the result backend are built lazily from the configuration and then
    # kept; a process that configures again (the test suite does) must not keep the old ones.
    celery._after_fork()  # drops the broker connection and producer pools, as after a fork
    celery._local = threading.local()  # the thread's result backend instance


def bind(container: Container) -> None:
    """Make `container` the one tasks use in this process (and configure the app for it)."""
    global _bound  # noqa: PLW0603 - one container per process, set at start-up
    configure(container.settings)
    _bound = container


def bound() -> Container | None:
    """The container bound in this process, if any (without building one)."""
    return _bound


def services() -> Container:
    """The container tasks use: the bound one, or one built from the environment."""
    global _bound  # noqa: PLW0603
    if _bound is None:
        from backend.container import Container

        settings = load_settings()
        configure(settings)
        _bound = Container(settings)
    return _bound


@worker_init.connect  # type: ignore[untyped-decorator]
def _register_portal_jobs(**_: Any) -> None:
    """Register the portal's background-callback tasks before the worker consumes anything."""
    importlib.import_module(PORTAL_JOBS_MODULE).install(services())
