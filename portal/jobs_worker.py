"""The portal's background jobs inside a Celery worker (``python app.py worker``).

A CeleryManager job is a Celery task named after the Dash callback it runs; the worker can
only run it if that task is registered in its own process. Registration happens when the
portal is built (the page modules declare the callbacks, the Dash app's CeleryJobManager
turns each into a task), so the worker builds the same server the app servers run, over its
own container, once per process: backend/celery_app.py calls :func:`install` on
``worker_init``, before the worker consumes anything. The job then runs inside this server's
app context, reading the services as any callback does.
"""

from __future__ import annotations

from flask import Flask

from backend import celery_app
from backend.container import Container

_servers: dict[int, Flask] = {}


def install(container: Container | None = None) -> Flask:
    """The portal server whose jobs this worker runs (built on first call for a container)."""
    from backend.web import create_app

    bound = container if container is not None else celery_app.services()
    server = _servers.get(id(bound))
    if server is None:
        server = _servers[id(bound)] = create_app(bound)
    return server
