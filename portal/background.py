"""Background jobs: long work (large exports, statements, a full recompute) off the request.

A page declares a job as a Dash background callback (``**job_options(prefix)`` from
portal/components/progress.py); Dash hands it to the manager chosen here from configuration:

* production (``CELERY_BROKER_URL`` and ``REDIS_URL`` set): :class:`CeleryJobManager`, a
  ``dash.CeleryManager`` over the project's Celery app. The job runs in a ``python app.py
  worker`` (on the default queue; the worker registers the portal's jobs at start-up, see
  backend/composition/portal_jobs.py) and its progress, result and cancel flag live in the Redis result
  backend, so any app server can answer the browser's polls for a job another one started.
* embedded default (no broker or no Redis): :class:`ThreadJobManager`, a thread per job in
  the app server's process and an in-process store (the embedded default is one process).

Both share one runner (:meth:`_PortalJobs._run`) and differ only in where a job runs and
where its state is kept. What the runner guarantees in both modes:

* **Identity.** The job body runs off the request, so it cannot ask flask-login who is signed
  in. When the job is submitted, inside the request the login guard admitted, the manager
  mints a *ticket*: the session's user id, signed with the server's secret key, stamped with
  the time (:func:`issue_ticket`). The request's cookies and headers are dropped from what is
  sent to the job (the session cookie never sits in a broker queue). In the job, the ticket
  is verified and the user re-read through the auth service (:func:`actor_from_ticket`):
  a missing, forged or expired ticket, or a disabled user, gives ``Job.actor is None``, and
  every job answers "not permitted" for that. Nothing the browser sends names the user.
* **Cancellation is cooperative.** Cancel sets a flag in the store; the job sees it the next
  time it reports progress (``Job.report``/``Job.check``) and stops with :class:`JobCancelled`,
  running its own cleanup (a partial file is deleted); nothing is stored as its result. A
  Celery job not started yet is also revoked; one that starts anyway stops at once.
* **One key per job.** Dash derives a job's key from the callback's inputs, so two users
  pressing the same button with the same inputs would share a result; here every job gets
  a key of its own.
* Uncollected results, progress and flags expire: after :data:`JOB_STATE_TTL_SECONDS` in
  memory, with Celery's ``result_expires`` in Redis.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from _plotly_utils.utils import PlotlyJSONEncoder
from dash import CeleryManager
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.background_callback._proxy_set_props import ProxySetProps
from dash.background_callback.managers import BaseBackgroundCallbackManager
from dash.exceptions import PreventUpdate
from flask import Flask, current_app, has_request_context
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.platform.actors import Actor
from portal.context import services
from portal.session import current_actor

if TYPE_CHECKING:
    from celery import Celery

    from backend.service_directory import Services

log = logging.getLogger(__name__)

JOB_STATE_TTL_SECONDS = 3600
"""How long a job's result, progress and cancel flag are kept when nobody collects them."""
TICKET_MAX_AGE_SECONDS = 900
"""A job must start within this long of being submitted (a queue that backs up longer than
this refuses the job rather than run it on a stale authorisation)."""
IDENTITY_KEY = "portal_identity"
_TICKET_SALT = "portal.background-job"
_NO_UPDATE = {"_dash_no_update": "_dash_no_update"}
_DROPPED_CONTEXT = ("cookies", "headers")


# -- what a job body sees -----------------------------------------------------------------


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


# -- identity -------------------------------------------------------------------------------


def _serializer(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_TICKET_SALT)


def issue_ticket(secret: str | bytes, actor: Actor | None) -> str | None:
    """A signed, timestamped statement of who submitted a job; None without a signed-in user."""
    if actor is None or actor.user_id is None:
        return None
    return _serializer(secret).dumps({"u": actor.user_id})


def actor_from_ticket(
    secret: str | bytes,
    ticket: object,
    lookup: Callable[[int], Actor | None],
    *,
    max_age: int = TICKET_MAX_AGE_SECONDS,
) -> Actor | None:
    """The actor a ticket names, re-read through `lookup` (the auth service: None for a
    disabled user); None for a missing, malformed, forged or expired ticket."""
    if not isinstance(ticket, str) or not ticket:
        return None
    try:
        data = _serializer(secret).loads(ticket, max_age=max_age)
    except BadSignature:  # SignatureExpired is one
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return lookup(user_id)


def request_ticket() -> str | None:
    """The ticket for the request being served (the login guard has admitted it)."""
    if not has_request_context():
        return None
    return issue_ticket(current_app.secret_key or "", current_actor())


def _job_actor(context: dict[str, Any]) -> Actor | None:
    custom = context.get("custom_data") or {}
    ticket = custom.get(IDENTITY_KEY) if isinstance(custom, dict) else None
    secret = current_app.secret_key
    if not secret:
        return None

    def lookup(user_id: int) -> Actor | None:  # the container is only needed for a real ticket
        return services().auth.actor_for_user_id(user_id)

    return actor_from_ticket(secret, ticket, lookup)


def _for_job(context: dict[str, Any], ticket: str | None) -> dict[str, Any]:
    """What the job gets of the request's context: no cookies or headers, plus the ticket."""
    kept = {k: v for k, v in context.items() if k not in _DROPPED_CONTEXT}
    custom = dict(kept.get("custom_data") or {})
    custom[IDENTITY_KEY] = ticket
    kept["custom_data"] = custom
    # What a Celery job receives went through JSON: give the in-process job the same.
    loaded: dict[str, Any] = json.loads(json.dumps(kept, cls=PlotlyJSONEncoder))
    return loaded


# -- job state ------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=PlotlyJSONEncoder)


def cancel_key(job: str) -> str:
    return f"{job}-cancel"


def done_key(job: str) -> str:
    return f"{job}-done"


class MemoryStore:
    """The embedded default's job state: a dict with expiry, shared by the process's threads."""

    def __init__(self, ttl_seconds: float = JOB_STATE_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._items: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[1] < time.monotonic():
                return None
            return item[0]

    def set(self, key: str, value: str) -> None:
        now = time.monotonic()
        with self._lock:
            for stale in [k for k, (_, expires) in self._items.items() if expires < now]:
                del self._items[stale]
            self._items[key] = (value, now + self._ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._items)


class BackendStore:
    """Production job state: the Celery app's Redis result backend (keys expire with
    ``result_expires``), the store every app server and worker shares."""

    def __init__(self, celery: Celery) -> None:
        self._celery = celery

    def get(self, key: str) -> str | None:
        value = self._celery.backend.get(key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def set(self, key: str, value: str) -> None:
        self._celery.backend.set(key, value)

    def delete(self, key: str) -> None:
        self._celery.backend.delete(key)


Store = MemoryStore | BackendStore


# -- the managers ---------------------------------------------------------------------------


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
        self._launch(key, job_fn, args, _for_job(context, self._ticket()))
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
            store.set(f"{result_key}-set_props", _dumps({component_id: props}))

        def run() -> None:
            dash_context = AttributeDict(**context)
            dash_context.ignore_register_page = False
            dash_context.updated_props = ProxySetProps(set_props)  # type: ignore[no-untyped-call]
            context_value.set(dash_context)
            with self._server.app_context():
                try:
                    job = Job(_job_actor(context), lambda v: store.set(progress_key, _dumps(v)), cancelled)
                    _CURRENT.set(job)
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
                store.set(result_key, _dumps(output))

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
