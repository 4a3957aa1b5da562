"""Production background jobs: Dash's CeleryManager over the project's Celery app, a real
``python app.py worker`` over RabbitMQ, state in Redis, MariaDB shared by both processes.

The app server (this process) submits two large exports while no worker is running and
cancels the second; then a worker starts. It must have registered the portal's jobs itself
(the tasks are named after Dash callbacks it only knows by building the portal), run the
first as the analyst who asked (the identity travels as a signed ticket: the session cookie
does not), write the file where the app server serves it, and drop the cancelled one without
a result or a file."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from portal.jobs.files import DOWNLOADS
from portal.jobs.managers import CeleryJobManager
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL, mariadb_database_url
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, make_world
from tests.integration.portal_support import csrf_cookie, login
from tests.integration.reports_support import build_closed

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 120  # a bound on waiting for the worker, not a timing assertion
OUTPUT = {"id": "analyst-job-result", "property": "children"}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Container, dict[str, str]]]:
    url = mariadb_database_url("portal_jobs")
    upgrade(url)
    values = {
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL,
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": uuid.uuid4().hex,
    }
    env = {**os.environ, **values, "LOG_LEVEL": "INFO"}
    db = Database(url, positions=InProcessCache())
    yield Container(load_settings(**values), db=db, cache=InProcessCache()), env
    celery_app.configure(load_settings())  # leave the process-wide app as the embedded default
    db.dispose()


def _body(state: list[tuple[str, str, Any]], clicks: int) -> dict[str, Any]:
    return {
        "output": "analyst-job-result.children",
        "outputs": OUTPUT,
        "inputs": [{"id": "analyst-job-start", "property": "n_clicks", "value": clicks}],
        "changedPropIds": ["analyst-job-start.n_clicks"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }


def _state(pool: int, entry_type: str) -> list[tuple[str, str, Any]]:
    return [
        ("analyst-dataset", "value", "transactions"),
        ("analyst-pool", "value", str(pool)),
        ("analyst-type", "value", entry_type),
        ("analyst-investor", "value", None),
        ("analyst-from", "value", None),
        ("analyst-to", "value", None),
        ("analyst-frequency", "value", "monthly"),
        ("analyst-job-format", "value", "csv"),
    ]


def _post(client: FlaskClient, body: dict[str, Any], **query: str) -> Any:
    response = client.post(
        "/_dash-update-component",
        json=body,
        headers={"X-CSRFToken": csrf_cookie(client)},
        query_string=query,
    )
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:2000]
    return response.get_json() if response.status_code == 200 else None


def _worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "app.py", "worker", "--concurrency", "1", "--queue", queue],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _result(client: FlaskClient, body: dict[str, Any], handles: dict[str, str]) -> Any:
    """Poll as dash-renderer does (inputs blanked) until the job answers."""
    blank = {**body, "state": [{**s, "value": None} for s in body["state"]]}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        answer = _post(client, blank, cacheKey=handles["cacheKey"], job=handles["job"])
        if answer is not None and "response" in answer:
            return answer["response"]
        time.sleep(0.2)
    raise AssertionError("the worker never answered")


def test_a_real_worker_runs_the_job_and_honours_cancel(
    stack: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    container, env = stack
    world: World = make_world(container)
    built = build_closed(world)
    assert world.analyst.user_id is not None
    container.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)

    app: Flask = create_app(container)
    manager = app.extensions["portal_dash"]._background_manager
    assert isinstance(manager, CeleryJobManager)
    queue = f"pools-jobs-{uuid.uuid4().hex[:8]}"  # a queue of our own: no other run's messages
    container.celery.conf.task_default_queue = queue
    client = app.test_client()
    assert login(client, world.emails["analyst"], PASSWORD).status_code == 303
    client.get("/_dash-dependencies")

    wanted = _body(_state(built.pool, "capital_call"), 1)
    unwanted = _body(_state(built.pool, ""), 2)
    first = _post(client, wanted)
    second = _post(client, unwanted)
    # Cancel the second as the browser does: Dash's cancel callback, with the signed handle.
    cancel = {
        "output": "analyst-job-cancel.id",
        "outputs": {"id": "analyst-job-cancel", "property": "id"},
        "inputs": [{"id": "analyst-job-cancel", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["analyst-job-cancel.n_clicks"],
        "state": [],
    }
    _post(client, cancel, cancelJob=second["job"])

    log = tmp_path / "worker.log"
    worker = _worker(env, queue, log)
    try:
        response = _result(client, wanted, first)
        children = response["analyst-job-result"]["children"]["props"]["children"]
        link = next(c["props"]["href"] for c in children if c["props"].get("href"))
        table = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
        assert table and {r["type"] for r in table} == {"capital_call"}

        # The cancelled job was delivered too (the worker started after the revoke), saw its
        # flag, and stopped before doing anything.
        second_key = second["job"].rpartition("~")[0]
        async_result = container.celery.AsyncResult(second_key)
        assert async_result.get(timeout=DEADLINE_SECONDS) is None
        assert not manager.result_ready(second_key)
        files = sorted(p.name for p in (container.settings.var_dir / DOWNLOADS).iterdir())
        assert len(files) == 1 and files[0].endswith(".csv")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        with container.celery.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    text = log.read_text(errors="replace")
    assert "background_callback_" in text  # the worker listed the portal's jobs among its tasks
