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

The tasks themselves are adapters in backend/tasks/ that receive their services; this
module registers each under its stable name (names are what queued messages and the beat
schedule carry, so they outlive module moves) and hands it the services of the container
the process bound once: the app server its own, a worker (``python app.py worker``) the one
it builds from the environment before it starts consuming.

The portal's background jobs (Dash's CeleryManager: large exports, statements, a full
recompute) are tasks too, registered when the portal is built; a worker builds it at
``worker_init`` (backend/composition/portal_jobs.py, which `app.py worker` imports), so
the same worker and queue run them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import before_task_publish, task_postrun, task_prerun
from celery.signals import setup_logging as celery_setup_logging
from opentelemetry.trace import SpanKind
from sqlalchemy.exc import OperationalError

from backend.composition import task_metrics  # noqa: F401 - counts and times every task run (its signals)
from backend.platform import trace_context, tracing
from backend.platform.config import Settings
from backend.platform.observability import logging_service, setup_logging
from backend.platform.orm import utcnow
from backend.platform.trace_context import TRACEPARENT, TraceParent
from backend.service_directory import Services
from backend.tasks import notifications, operator_alerts, payments, purges, snapshots, verification

QUEUE = "pools"

celery = Celery("pools")


_bound: Services | None = None

# Retried with exponential backoff on database errors; with late acks a worker killed
# mid-task leaves the message queued and another worker runs it again.
_PURGE_RETRY: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}
_SNAPSHOT_RETRY: dict[str, Any] = {**_PURGE_RETRY, "max_retries": 8}


@celery.task(name="ledger.tasks.purge_expired_idempotency_keys", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def purge_expired_idempotency_keys() -> int:
    return purges.purge_expired_idempotency_keys(services().ledger)


@celery.task(name="backend.auth.tasks.purge_expired_auth_state", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def purge_expired_auth_state() -> int:
    return purges.purge_expired_auth_state(services().auth)


@celery.task(name="backend.payments.tasks.sweep", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def sweep_payments() -> dict[str, int]:
    return payments.sweep_payments(services().payments, services().payment_catch_up)


@celery.task(name="backend.payments.tasks.reconcile_day", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def reconcile_payments(on: str | None = None) -> int:
    return payments.reconcile_day(services().payments, on)


@celery.task(name="backend.payments.tasks.retry_gateway_attempts", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def retry_gateway_attempts() -> int:
    return payments.retry_gateway_attempts(services().payments)


@celery.task(name="backend.payments.tasks.send_reminders", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def send_payment_reminders(on: str | None = None) -> int:
    return payments.send_reminders(services().payments, on)


@celery.task(name="notifications.tasks.send_due_emails", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def send_due_emails() -> dict[str, int]:
    return notifications.send_due_emails(services().notifications)


@celery.task(name="notifications.tasks.send_due_sms", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def send_due_sms() -> dict[str, int]:
    return notifications.send_due_sms(services().notifications)


@celery.task(name="notifications.tasks.send_digests", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def send_digests() -> int:
    return notifications.send_digests(services().notifications)


@celery.task(name="backend.tasks.operator_alerts", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def check_operator_alerts() -> dict[str, int]:
    container = services()
    return operator_alerts.operator_alerts(
        container.ledger_relay, container.payments, container.users, container.notifications, utcnow()
    )


@celery.task(name="ledger.tasks.verify_books", **_PURGE_RETRY)  # type: ignore[untyped-decorator]
def verify_books() -> dict[str, int]:
    return verification.verify_books(services().ledger)


@celery.task(name="reports.tasks.snapshot_pool", **_SNAPSHOT_RETRY)  # type: ignore[untyped-decorator]
def snapshot_pool(pool_id: int, as_of: str | None = None) -> dict[str, object]:
    return snapshots.snapshot_pool(services().snapshots, pool_id, as_of)


@celery.task(name="reports.tasks.snapshot_all_pools", **_SNAPSHOT_RETRY)  # type: ignore[untyped-decorator]
def snapshot_all_pools(as_of: str | None = None) -> int:
    return snapshots.snapshot_all_pools(services().pools, snapshot_pool.delay, as_of)


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
                "task": snapshot_all_pools.name,
                "schedule": crontab(hour=1, minute=30),
            },
            "purge-expired-auth-state": {
                "task": purge_expired_auth_state.name,
                "schedule": crontab(minute=47),
            },
            "payments-sweep": {"task": sweep_payments.name, "schedule": 300.0},
            # Emails recorded by the notification service: cheap when nothing is due.
            "notifications-send-emails": {"task": send_due_emails.name, "schedule": 30.0},
            # Texts, within the provider's rate (a pass stops when the shared bucket is empty).
            "notifications-send-sms": {"task": send_due_sms.name, "schedule": 30.0},
            # Valuation news grouped for those who asked (daily; weekly ones on any morning
            # of the next week, once).
            "notifications-digests": {"task": send_digests.name, "schedule": crontab(hour=6, minute=30)},
            # The relay's backlog and last night's reconciliation, told to administrators.
            "operator-alerts": {"task": check_operator_alerts.name, "schedule": 300.0},
            # Cheap when nothing is due: the retry schedule decides who is asked again.
            "payments-retry-gateway": {"task": retry_gateway_attempts.name, "schedule": 20.0},
            "payments-reconcile-yesterday": {
                "task": reconcile_payments.name,
                "schedule": crontab(hour=2, minute=15),
            },
            "payments-reminders": {
                "task": send_payment_reminders.name,
                "schedule": crontab(hour=8, minute=0),
            },
            "purge-expired-idempotency-keys": {
                "task": purge_expired_idempotency_keys.name,
                "schedule": crontab(minute=17),
            },
            # The whole books recomputed once a day; /metrics reports the run (ledger_verify_*).
            "ledger-verify": {
                "task": verify_books.name,
                "schedule": crontab(hour=settings.ledger_verify_hour_utc, minute=40),
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


# -- logs: JSON like every process, and the trace of whoever queued the task ----------------


@celery_setup_logging.connect  # type: ignore[untyped-decorator]
def _json_logs(loglevel: int | str | None = None, **_: Any) -> None:
    """The worker and beat log JSON lines as every other process does, under the service
    name the process was given. With a receiver for this signal Celery installs none of its
    own handlers (nor redirects stdout into the log)."""
    if not loglevel:  # a pool's child process may be told no level: keep the one it has
        loglevel = logging.getLogger().getEffectiveLevel()
    level = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
    setup_logging(level, logging_service())


@before_task_publish.connect  # type: ignore[untyped-decorator]
def _carry_trace(headers: dict[str, Any] | None = None, sender: str | None = None, **_: Any) -> None:
    """A task queued inside a request or another task carries its trace in the message's
    headers (W3C traceparent); the parent is a producer span of the queuing, so the run's
    span hangs under "publish <task>" in the caller's trace."""
    if headers is None or trace_context.current_span() is None or TRACEPARENT in headers:
        return
    attributes = {"messaging.system": "celery", "celery.task_name": str(sender)}
    publish = tracing.child_span(f"publish {sender}", SpanKind.PRODUCER, attributes)
    headers[TRACEPARENT] = tracing.traceparent_of(publish)
    publish.end()


_task_spans: dict[str, tracing.OpenSpan] = {}


def _incoming_trace(task: Any) -> TraceParent | None:
    request = getattr(task, "request", None)
    headers = getattr(request, "headers", None) or {}
    parent = trace_context.parse_traceparent(headers.get(TRACEPARENT) or getattr(request, TRACEPARENT, None))
    if parent is None and getattr(request, "is_eager", False):
        # Eager (the embedded default): the task runs in its caller's thread, inside its span.
        parent = tracing.current_parent()
    return parent


@task_prerun.connect  # type: ignore[untyped-decorator]
def _enter_task_span(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Each run of a task is a new consumer span: of the trace its message carried, of its
    caller's when eager, else of a new trace (beat's schedule, a message from an older
    publisher)."""
    if task_id is not None:
        name = getattr(task, "name", "task")
        _task_spans[task_id] = tracing.begin_span(
            f"run {name}",
            _incoming_trace(task),
            SpanKind.CONSUMER,
            {"messaging.system": "celery", "celery.task_name": str(name), "celery.task_id": task_id},
        )


@task_postrun.connect  # type: ignore[untyped-decorator]
def _leave_task_span(task_id: str | None = None, state: str | None = None, **_: Any) -> None:
    opened = _task_spans.pop(task_id, None) if task_id is not None else None
    if opened is not None:
        tracing.end_span(opened, {"celery.state": str(state)})


def bind(container: Services) -> None:
    """Make `container` the one tasks use in this process (and configure the app for it)."""
    global _bound  # noqa: PLW0603 - one container per process, set at start-up
    configure(container.settings)
    _bound = container


def bound() -> Services | None:
    """The container bound in this process, if any (without building one)."""
    return _bound


def services() -> Services:
    """The container tasks use: the one this process bound (`app.py worker` binds before it
    consumes; a task with nothing bound is a start-up mistake, said loudly)."""
    if _bound is None:
        raise RuntimeError("no container bound: start workers with `python app.py worker`")
    return _bound

