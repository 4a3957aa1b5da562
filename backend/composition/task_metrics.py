"""Celery task outcomes and durations as Prometheus metrics, from Celery's signals.

* ``celery_tasks_total{task, outcome}``: each run of a task, once, as ``succeeded``,
  ``failed``, ``retried`` (it asked to run again later) or ``rejected`` (it raised
  celery.exceptions.Reject: its message is dropped or requeued, not run to an end);
* ``celery_task_duration_seconds{task}``: how long each run took, whatever its outcome.

``task`` is the registered task name (a bounded set: the tasks of celery_app.py and the
portal's background jobs), never an argument.

Where each run is counted, in the process that ran it (a prefork pool's child; the app's
own process when tasks run eagerly, the embedded default):

* ``task_success``, ``task_retry`` and ``task_failure`` give succeeded, retried and failed.
  The worker's main process sends ``task_failure`` too, for a run it saw end without an
  answer (a time limit, a child lost and its message not requeued): counted there.
* ``task_postrun`` gives rejected (its state is REJECTED; no other signal says so), and the
  runs eager mode ends by raising at the caller (``task_eager_propagates``): those send no
  ``task_failure`` nor ``task_retry``, only ``task_postrun`` with no state, so the
  exception being raised says which it was.
* ``task_prerun`` and ``task_postrun`` time the run.
* ``worker_ready``: every registered task's outcomes start at 0 (known_tasks).

A message requeued because its child died (``task_reject_on_worker_lost``) is not counted
where it was lost; its next run is. The receivers are connected when this module is
imported, which backend/composition/celery_app.py does: once per process.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

from celery import states
from celery.exceptions import Reject, Retry
from celery.signals import task_failure, task_postrun, task_prerun, task_retry, task_success, worker_ready
from prometheus_client import Counter, Histogram

SUCCEEDED = "succeeded"
FAILED = "failed"
RETRIED = "retried"
REJECTED = "rejected"
OUTCOMES = (SUCCEEDED, FAILED, RETRIED, REJECTED)

TASKS = Counter(
    "celery_tasks_total",
    "Celery task runs by registered task name and outcome (succeeded, failed, retried, rejected).",
    ["task", "outcome"],
)
DURATION = Histogram(
    "celery_task_duration_seconds",
    "How long a Celery task run took, by registered task name, whatever its outcome.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)

# Runs under way, by task id: a stack, because an eager retry runs the next attempt, under
# the same id, inside the one that asked for it.
_started: dict[str, list[float]] = {}


def task_name(task: Any) -> str:
    """The registered name of a signal's task (the sender), or "unknown"."""
    name = getattr(task, "name", None)
    return name if isinstance(name, str) and name else "unknown"


def count(task: Any, outcome: str) -> None:
    TASKS.labels(task_name(task), outcome).inc()


def known_tasks(names: Iterable[str]) -> None:
    """Start every outcome of these tasks at 0, so that the first failure of a task is an
    increase Prometheus sees rather than the birth of a series (a worker calls it with its
    registered tasks once it is ready)."""
    for name in names:
        if not name.startswith("celery."):  # Celery's own (chords, backend cleanup)
            for outcome in OUTCOMES:
                TASKS.labels(name, outcome)


def eager_outcome(state: str | None, raised: BaseException | None) -> str | None:
    """The outcome task_postrun alone tells of a run: rejected by its state; for a run that
    ended by raising at its caller (an eager task: no state), retried or failed by what it
    raised. None when another signal counts it."""
    if state == states.REJECTED:
        return REJECTED
    if state is None and raised is not None:
        return RETRIED if isinstance(raised, Retry) else FAILED
    return None


@worker_ready.connect(dispatch_uid="task_metrics.worker_ready")  # type: ignore[untyped-decorator]
def _tasks_at_zero(sender: Any = None, **_: Any) -> None:
    app = getattr(sender, "app", None)
    if app is not None:
        known_tasks(list(app.tasks))


@task_prerun.connect(dispatch_uid="task_metrics.prerun")  # type: ignore[untyped-decorator]
def _started_run(task_id: str | None = None, **_: Any) -> None:
    if task_id is not None:
        _started.setdefault(task_id, []).append(time.perf_counter())


@task_postrun.connect(dispatch_uid="task_metrics.postrun")  # type: ignore[untyped-decorator]
def _ended_run(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    if task_id is not None and (runs := _started.get(task_id)):
        DURATION.labels(task_name(task)).observe(time.perf_counter() - runs.pop())
        if not runs:
            del _started[task_id]
    # Sent from a `finally:` while an eager run's exception propagates: that is the exception
    # the caller gets. A worker's run reaches here with no state only on SystemExit and the
    # like, which its main process reports (task_failure) when it sees the child gone.
    eager = bool(getattr(getattr(task, "request", None), "is_eager", False))
    raised = sys.exc_info()[1] if eager else None
    outcome = eager_outcome(state, raised)
    if outcome is not None:
        count(task, outcome)


@task_success.connect(dispatch_uid="task_metrics.success")  # type: ignore[untyped-decorator]
def _succeeded(sender: Any = None, **_: Any) -> None:
    count(sender, SUCCEEDED)


@task_retry.connect(dispatch_uid="task_metrics.retry")  # type: ignore[untyped-decorator]
def _retried(sender: Any = None, **_: Any) -> None:
    count(sender, RETRIED)


@task_failure.connect(dispatch_uid="task_metrics.failure")  # type: ignore[untyped-decorator]
def _failed(sender: Any = None, exception: BaseException | None = None, **_: Any) -> None:
    # A Reject is counted by task_postrun where the task ran; the main process also sends a
    # failure for one that does not requeue its message.
    if not isinstance(exception, Reject):
        count(sender, FAILED)
