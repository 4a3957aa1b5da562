"""The two background-callback managers Dash hands the portal's jobs to, and the choice between them.

* production (``CELERY_BROKER_URL`` and ``REDIS_URL`` set): :class:`CeleryJobManager`, a
  ``dash.CeleryManager`` over the project's Celery app. The job runs in a ``python app.py
  worker`` (on the default queue; the worker registers the portal's jobs at start-up, see
  backend/composition/portal_jobs.py) and its progress, result and cancel flag live in the Redis result
  backend, so any app server can answer the browser's polls for a job another one started.
* embedded default (no broker or no Redis): :class:`ThreadJobManager`, a thread per job in
  the app server's process and an in-process store (the embedded default is one process).

Both share one runner (:meth:`_PortalJobs._run`) and differ only in where a job runs and
where its state is kept (portal/jobs/store.py); what the runner guarantees in both modes is
in portal/jobs/__init__.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from contextvars import copy_context
from typing import TYPE_CHECKING, Any

from dash import CeleryManager
from dash.background_callback.managers import BaseBackgroundCallbackManager
from dash.exceptions import PreventUpdate
from flask import Flask

from portal.jobs.dash_internals import enter_callback_context
from portal.jobs.job import Job, JobCancelled, set_current_job
from portal.jobs.store import BackendStore, MemoryStore, Store, cancel_key, done_key, dumps
from portal.jobs.tickets import for_job, job_actor, request_ticket

if TYPE_CHECKING:
    from celery import Celery

    from backend.service_directory import Services

log = logging.getLogger(__name__)

_NO_UPDATE = {"_dash_no_update": "_dash_no_update"}


class _PortalJobs:
    """What both managers share; each provides ``_launch``, ``_alive`` and ``_stop``."""

    _store: Store
    _server: Flask
    _ticket: Callable[[], str | None]

    # Dash's interface ------------------------------------------------------------------

    def build_cache_key(self, fn: Any, args: Any, cache_args_to_ignore: Any, triggered: Any) -> str:
        base = BaseBackgroundCallbackManager.build_cache_key(  # type: ignore[no-untyped-call]
            self,  # type: ignore[arg-type]
            fn,
            args,
            cache_args_to_ignore,
            triggered,
        )
        return hashlib.sha256(f"{base}:{secrets.token_hex(16)}".encode()).hexdigest()

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: dict[str, Any]) -> str:
        self._launch(key, job_fn, args, for_job(context, self._ticket()))
        return key  # the job's handle is its key: the cancel flag and the result share it

    def job_running(self, job: str | None) -> bool:
        if not job:
            return False
        # A result stored but not yet collected counts as running: the poll that finds the
        # job finished must also find its result, or the result would be dropped.
        return self._alive(job) or self._store.get(job) is not None

    def terminate_job(self, job: str | None) -> None:
        if not job or self._store.get(done_key(job)) is not None:
            return  # nothing to stop: the job has ended (Dash also calls this after a result)
        self._store.set(cancel_key(job), "1")
        self._stop(job)

    def terminate_unhealthy_job(self, job: str | None) -> bool:
        if job and not self.job_running(job):
            self._forget(job)
            return True
        return False

    def get_progress(self, key: str) -> Any:
        progress_key = f"{key}-progress"
        value = self._store.get(progress_key)
        if value is None:
            return None
        self._store.delete(progress_key)
        return json.loads(value)

    def result_ready(self, key: str) -> bool:
        return self._store.get(key) is not None

    def get_result(self, key: str, job: str | None) -> Any:
        value = self._store.get(key)
        if value is None:
            return BaseBackgroundCallbackManager.UNDEFINED
        for done in (key, f"{key}-progress", cancel_key(key)):
            self._store.delete(done)
        if job:
            self._forget(job)
        return json.loads(value)

    def get_updated_props(self, key: str) -> Any:
        props_key = f"{key}-set_props"
        value = self._store.get(props_key)
        if value is None:
            return {}
        self._store.delete(props_key)
        return json.loads(value)

    def clear_cache_entry(self, key: str) -> None:
        self._store.delete(key)

    def get_or_create_signing_secret(self, generate: Callable[[], bytes]) -> bytes:
        # Only asked when the server has no secret key; the platform always sets one.
        key = BaseBackgroundCallbackManager.SIGNING_SECRET_KEY
        if self._store.get(key) is None:
            self._store.set(key, generate().hex())
        return bytes.fromhex(self._store.get(key) or generate().hex())

    # the runner ------------------------------------------------------------------------

    def _run(  # noqa: PLR0917 - Dash's job signature, plus the callback and its progress flag
        self, fn: Any, progress: bool, result_key: str, progress_key: str, args: Any, context: dict[str, Any]
    ) -> None:
        """Run one job to its end: a result, no update, an error, or (cancelled) nothing."""
        store = self._store

        def cancelled() -> bool:
            return store.get(cancel_key(result_key)) is not None

        if cancelled():
            return  # cancelled before it started (a queued Celery job)

        def set_props(component_id: str, props: dict[str, Any]) -> None:
            store.set(f"{result_key}-set_props", dumps({component_id: props}))

        def run() -> None:
            enter_callback_context(context, set_props)
            with self._server.app_context():
                try:
                    job = Job(job_actor(context), lambda v: store.set(progress_key, dumps(v)), cancelled)
                    set_current_job(job)
                    output = _call(fn, [job] if progress else [], args)
                except JobCancelled:
                    log.info("background job cancelled", extra={"job": result_key[:12]})
                    return
                except PreventUpdate:
                    output = _NO_UPDATE
                except Exception as exc:
                    log.exception("background job failed", extra={"job": result_key[:12]})
                    error = {"msg": f"{type(exc).__name__}: {exc}", "tb": traceback.format_exc()}
                    output = {"background_callback_error": error}
                store.set(result_key, dumps(output))

        try:
            copy_context().run(run)
        finally:
            store.set(done_key(result_key), "1")

    def _launch(self, key: str, job_fn: Any, args: Any, context: dict[str, Any]) -> None:
        raise NotImplementedError

    def _alive(self, job: str) -> bool:
        raise NotImplementedError

    def _stop(self, job: str) -> None:
        raise NotImplementedError

    def _forget(self, job: str) -> None:
        """The job is over and its result collected: drop any bookkeeping kept for it."""


def _call(fn: Any, first: list[Any], args: Any) -> Any:
    if isinstance(args, dict):
        return fn(*first, **args)
    if isinstance(args, list | tuple):
        return fn(*first, *args)
    return fn(*first, args)


class ThreadJobManager(_PortalJobs, BaseBackgroundCallbackManager):
    """The embedded default: each job a daemon thread of the app server, state in memory.

    A thread cannot be killed, so Cancel is only ever cooperative (a flag the job checks
    when it reports progress). For one process only: with several app server processes
    the browser's polls may land on a process that never saw the job (configure Redis and
    a broker, and the Celery manager is chosen instead)."""

    def __init__(self, server: Flask, ticket: Callable[[], str | None] = request_ticket) -> None:
        self._server = server
        self._ticket = ticket
        self._memory = MemoryStore()
        self._store = self._memory
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        super().__init__(None)  # type: ignore[no-untyped-call]

    def make_job_fn(self, fn: Any, progress: bool, key: str | None = None) -> Any:
        def job_fn(result_key: str, progress_key: str, args: Any, context: dict[str, Any]) -> None:
            self._run(fn, progress, result_key, progress_key, args, context)

        return job_fn

    def _launch(self, key: str, job_fn: Any, args: Any, context: dict[str, Any]) -> None:
        thread = threading.Thread(
            target=job_fn,
            args=(key, f"{key}-progress", args, context),
            name=f"portal-job-{key[:8]}",
            daemon=True,
        )
        with self._lock:
            for ended in [k for k, t in self._threads.items() if not t.is_alive()]:
                if self._store.get(ended) is None:  # its result collected, or none coming
                    del self._threads[ended]
            self._threads[key] = thread
        thread.start()

    def _alive(self, job: str) -> bool:
        with self._lock:
            thread = self._threads.get(job)
        return thread is not None and thread.is_alive()

    def _stop(self, job: str) -> None:
        pass  # the flag is all a thread can be given

    def _forget(self, job: str) -> None:
        with self._lock:
            self._threads.pop(job, None)

    def wait(self, job: str, timeout: float | None = None) -> bool:
        """Block until the job's thread has ended (tests, shutdown); False on timeout."""
        with self._lock:
            thread = self._threads.get(job)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    @property
    def store(self) -> MemoryStore:
        return self._memory


_RUNNING_STATES = frozenset({"PENDING", "RECEIVED", "STARTED", "RETRY", "PROGRESS"})


class CeleryJobManager(_PortalJobs, CeleryManager):
    """Production: each job a Celery task on the default queue, state in the Redis backend.

    The task is named ``background_callback_<key>`` (Dash's naming, the key a hash of the
    callback's id and source), so a worker that built the same portal has the same tasks
    (backend/composition/portal_jobs.py); its id is the job's key."""

    def __init__(
        self, celery: Celery, server: Flask, ticket: Callable[[], str | None] = request_ticket
    ) -> None:
        self._server = server
        self._ticket = ticket
        self._store = BackendStore(celery)
        super().__init__(celery)  # type: ignore[no-untyped-call]

    def make_job_fn(self, fn: Any, progress: bool, key: str | None = None) -> Any:
        name = f"background_callback_{key}"
        _CELERY_JOBS[name] = (self, fn, progress)  # the latest portal built in this process
        return _celery_task(self.handle, name)

    def _launch(self, key: str, job_fn: Any, args: Any, context: dict[str, Any]) -> None:
        job_fn.apply_async(args=(key, f"{key}-progress", args, context), task_id=key)

    def _alive(self, job: str) -> bool:
        return str(self.handle.AsyncResult(job).status) in _RUNNING_STATES

    def _stop(self, job: str) -> None:
        if self._alive(job):
            self.handle.control.revoke(job)  # a queued job is dropped; a running one sees the flag


_CELERY_JOBS: dict[str, tuple[CeleryJobManager, Any, bool]] = {}
_CELERY_TASKS: dict[tuple[int, str], Any] = {}


def _celery_task(celery: Celery, name: str) -> Any:
    """The task for a job name, registered once per Celery app: a process that builds the
    portal again (tests do) reaches the latest build's callback through _CELERY_JOBS instead
    of registering a second callable under the same name (Celery keeps the first)."""
    task = _CELERY_TASKS.get((id(celery), name))
    if task is None:

        def job_fn(
            result_key: str, progress_key: str, args: Any, context: dict[str, Any] | None = None
        ) -> None:
            manager, fn, progress = _CELERY_JOBS[name]
            manager._run(fn, progress, result_key, progress_key, args, context or {})

        job_fn.__name__ = job_fn.__qualname__ = name
        task = _CELERY_TASKS[(id(celery), name)] = celery.task(name=name)(job_fn)
    return task


def create_manager(server: Flask, container: Services) -> _PortalJobs:
    """The manager for this configuration (see the module's docstring)."""
    settings = container.settings
    if settings.celery_broker_url and settings.redis_url:
        return CeleryJobManager(container.celery, server)
    if settings.celery_broker_url:
        log.warning(
            "CELERY_BROKER_URL without REDIS_URL: background jobs run in the app server's threads "
            "(their state needs Redis to be shared between processes)"
        )
    return ThreadJobManager(server)
