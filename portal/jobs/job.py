"""The running job as its body sees it: who asked for it, how far it got, whether to stop."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from backend.platform.actors import Actor


class JobCancelled(Exception):
    """Raised inside a job when its user pressed Cancel; the job cleans up and stops."""


@dataclass
class Job:
    """The running job as its body sees it: who asked for it, progress, cancellation.

    A Dash background callback with ``progress=[...]`` receives it as its first argument
    (it is also the plain ``set_progress`` function Dash would pass: ``job([v, m, label])``).
    """

    actor: Actor | None
    emit: Callable[[list[Any]], None] = field(repr=False)
    cancelled_fn: Callable[[], bool] = field(repr=False)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_fn()

    def check(self) -> None:
        """Stop here (raise JobCancelled) if the user cancelled."""
        if self.cancelled_fn():
            raise JobCancelled

    def report(self, done: int, total: int, label: str | None = None) -> None:
        """Progress as the bar shows it, value `done` of `total`: "n of m" unless `label`.
        Checks for cancellation first, so every report is a point the job may stop at."""
        self.check()
        self.emit([done, max(total, 1), label if label is not None else f"{done:,} of {total:,}"])

    def __call__(self, value: Any) -> None:
        self.check()
        self.emit(list(value) if isinstance(value, list | tuple) else [value])


_CURRENT: ContextVar[Job | None] = ContextVar("portal_job", default=None)


def current_job() -> Job | None:
    """The job running in this context, if any."""
    return _CURRENT.get()


def set_current_job(job: Job) -> None:
    """Called by the runner, inside the job's own copied context."""
    _CURRENT.set(job)
