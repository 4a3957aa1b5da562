"""The portal's background jobs inside a Celery worker (``python app.py worker``).

A CeleryManager job is a Celery task named after the Dash callback it runs; the worker can
only run it if that task is registered in its own process. Registration happens when the
portal is built (the page modules declare the callbacks, the Dash app's CeleryJobManager
turns each into a task), so the worker builds the same server the app servers run, over its
own container, once per process: this module hooks :func:`install` on Celery's
``worker_init``, before the worker consumes anything. The job then runs inside this server's
app context, reading the services as any callback does.
"""

from __future__ import annotations

from typing import Any

from celery.signals import worker_init
from flask import Flask

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.web import create_app

_servers: dict[int, Flask] = {}


def install(container: Any) -> Flask:
    """The portal server whose jobs this worker runs (built on first call for a container).

    Typed loosely because the Celery app hands over whatever it bound; it is a Container."""
    if not isinstance(container, Container):
        raise TypeError(f"the portal's jobs need a Container, not {type(container).__name__}")
    server = _servers.get(id(container))
    if server is None:
        server = _servers[id(container)] = create_app(container)
    return server


@worker_init.connect  # type: ignore[untyped-decorator]
def _register_portal_jobs(**_: Any) -> None:
    """Register the portal's background-callback tasks before the worker consumes anything."""
    install(celery_app.services())
