"""Celery task outcomes (backend/composition/task_metrics.py): each run counted once, under
its registered name, as succeeded, failed, retried or rejected, and timed; here on a private
Celery app running its tasks eagerly, as the embedded default does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from celery import Celery
from celery.exceptions import Reject, Retry
from prometheus_client import REGISTRY

from backend.composition import task_metrics
from backend.composition.task_metrics import FAILED, REJECTED, RETRIED, SUCCEEDED


def _count(task: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("celery_tasks_total", {"task": task, "outcome": outcome}) or 0.0


def _timed(task: str) -> float:
    return REGISTRY.get_sample_value("celery_task_duration_seconds_count", {"task": task}) or 0.0


def _outcomes(task: str) -> dict[str, float]:
    return {outcome: _count(task, outcome) for outcome in task_metrics.OUTCOMES}


@pytest.fixture
def app() -> Iterator[Celery]:
    app = Celery(f"unit-{uuid.uuid4().hex[:8]}", set_as_current=False)
    app.conf.update(
        broker_url="memory://",
        result_backend="cache+memory://",
        task_always_eager=True,
        task_eager_propagates=True,
        task_store_eager_result=False,
    )
    yield app


def _name(what: str) -> str:
    return f"unit.{what}.{uuid.uuid4().hex[:8]}"  # a series of the test's own


def test_a_run_that_returns_is_counted_succeeded_and_timed(app: Celery) -> None:
    name = _name("ok")

    @app.task(name=name)  # type: ignore[untyped-decorator]
    def ok() -> int:
        return 1

    assert ok.delay().get() == 1
    assert ok.delay().get() == 1
    assert _outcomes(name) == {SUCCEEDED: 2, FAILED: 0, RETRIED: 0, REJECTED: 0}
    assert _timed(name) == 2
    assert task_metrics._started == {}  # nothing left of the runs


def test_a_run_that_raises_is_counted_failed_even_when_the_caller_gets_the_exception(app: Celery) -> None:
    name = _name("bad")

    @app.task(name=name)  # type: ignore[untyped-decorator]
    def bad() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        bad.delay()
    assert _outcomes(name) == {SUCCEEDED: 0, FAILED: 1, RETRIED: 0, REJECTED: 0}
    assert _timed(name) == 1


def test_a_run_that_asks_to_run_again_is_counted_retried(app: Celery) -> None:
    name = _name("flaky")

    @app.task(name=name, bind=True, max_retries=3)  # type: ignore[untyped-decorator]
    def flaky(self: Any) -> None:
        raise self.retry(countdown=0)

    with pytest.raises(Retry):
        flaky.delay()
    assert _outcomes(name) == {SUCCEEDED: 0, FAILED: 0, RETRIED: 1, REJECTED: 0}


def test_a_run_that_rejects_its_message_is_counted_rejected(app: Celery) -> None:
    name = _name("reject")

    @app.task(name=name)  # type: ignore[untyped-decorator]
    def reject() -> None:
        raise Reject("not for us", requeue=False)

    reject.delay()
    assert _outcomes(name) == {SUCCEEDED: 0, FAILED: 0, RETRIED: 0, REJECTED: 1}
    assert _timed(name) == 1


def test_a_worker_side_failure_is_counted_once_and_a_rejection_not_as_a_failure() -> None:
    """What the worker's main process sends (a child lost, a time limit; a Reject that drops
    its message) goes through task_failure alone."""
    name = _name("lost")
    task = SimpleNamespace(name=name)
    task_metrics._failed(sender=task, exception=RuntimeError("worker lost"))
    task_metrics._failed(sender=task, exception=Reject("dropped", requeue=False))
    assert _outcomes(name) == {SUCCEEDED: 0, FAILED: 1, RETRIED: 0, REJECTED: 0}


def test_what_postrun_alone_counts() -> None:
    assert task_metrics.eager_outcome("REJECTED", None) == REJECTED
    assert task_metrics.eager_outcome(None, ValueError()) == FAILED
    assert task_metrics.eager_outcome(None, Retry()) == RETRIED
    # Counted by task_success, task_failure, task_retry (whatever is being raised around the
    # signal); or nothing raised at all.
    for state in ("SUCCESS", "FAILURE", "RETRY", "IGNORED"):
        assert task_metrics.eager_outcome(state, None) is None
        assert task_metrics.eager_outcome(state, ValueError()) is None
    assert task_metrics.eager_outcome(None, None) is None


def test_registered_tasks_start_at_zero_but_celerys_own() -> None:
    name = _name("known")
    task_metrics.known_tasks([name, "celery.chord_unlock"])
    body = {
        (sample.labels["task"], sample.labels["outcome"]): sample.value
        for metric in REGISTRY.collect()
        if metric.name == "celery_tasks"
        for sample in metric.samples
        if sample.name == "celery_tasks_total"
    }
    assert {outcome: body.get((name, outcome)) for outcome in task_metrics.OUTCOMES} == dict.fromkeys(
        task_metrics.OUTCOMES, 0.0
    )
    assert not any(task == "celery.chord_unlock" for task, _ in body)


def test_a_task_without_a_name_is_unknown() -> None:
    assert task_metrics.task_name(None) == "unknown"
    assert task_metrics.task_name(SimpleNamespace(name="")) == "unknown"
    assert task_metrics.task_name(SimpleNamespace(name="a.b")) == "a.b"
