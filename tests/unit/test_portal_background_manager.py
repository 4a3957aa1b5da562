"""The embedded default's background-job manager (a thread per job), its identity tickets and
its files, without a database: progress is reported, the result is ready once, Cancel stops
the job and leaves neither a result nor a partial file, and only a genuine ticket names a user."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from flask import Flask

from backend.platform.actors import Actor, Role
from portal.jobs.files import download_token, pending_file, read_token, sweep
from portal.jobs.job import Job, JobCancelled
from portal.jobs.managers import ThreadJobManager
from portal.jobs.tickets import IDENTITY_KEY, actor_from_ticket, issue_ticket

SECRET = "unit-test-secret"
ANALYST = Actor(user_id=7, role=Role.ANALYST, label="a@example.com")
WAIT = 10.0  # seconds an event may take before the test gives up (a bound, not an assertion)


@pytest.fixture
def server() -> Flask:
    app = Flask("background-unit")
    app.secret_key = SECRET
    return app


@pytest.fixture
def manager(server: Flask) -> ThreadJobManager:
    return ThreadJobManager(server, ticket=lambda: None)


def _until(predicate: Any) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError("the job did not get there")


def _start(manager: ThreadJobManager, fn: Any, *args: Any, progress: bool = True) -> str:
    job_fn = manager.make_job_fn(fn, progress, "unit")
    key = manager.build_cache_key(fn, list(args), [], None)
    return manager.call_job_fn(key, job_fn, list(args), {"cookies": {"session": "x"}})


def test_progress_is_reported_then_the_result_is_ready_once(manager: ThreadJobManager) -> None:
    release = threading.Event()

    def body(job: Job, n: int) -> dict[str, int]:
        job.report(1, n)
        assert release.wait(WAIT)
        job.report(n, n, "all done")
        return {"answer": n * 2}

    key = _start(manager, body, 3)
    assert manager.job_running(key)
    assert _until(lambda: manager.get_progress(key)) == [1, 3, "1 of 3"]
    assert manager.get_progress(key) is None  # a report is delivered once
    assert not manager.result_ready(key)
    release.set()
    _until(lambda: manager.result_ready(key))
    assert manager.job_running(key), "a stored, uncollected result keeps the job 'running'"
    assert manager.get_result(key, key) == {"answer": 6}
    assert manager.get_result(key, key) is manager.UNDEFINED  # collected once
    assert manager.wait(key, WAIT) and not manager.job_running(key)


def test_cancel_stops_the_job_and_leaves_no_result_and_no_file(
    manager: ThreadJobManager, tmp_path: Path
) -> None:
    started = threading.Event()

    def body(job: Job) -> str:
        with pending_file(tmp_path, "csv") as part, part.open("w") as out:
            for n in range(1_000_000):
                out.write(f"{n}\n")
                out.flush()
                job.report(n, 1_000_000)  # where the job notices Cancel
                started.set()
        return "finished"

    key = _start(manager, body)
    assert started.wait(WAIT)
    assert [p.suffix for p in tmp_path.iterdir()] == [".part"]  # it is writing
    manager.terminate_job(key)
    assert manager.wait(key, WAIT)
    assert not manager.job_running(key)
    assert not manager.result_ready(key) and manager.get_result(key, key) is manager.UNDEFINED
    assert list(tmp_path.iterdir()) == []  # the partial file went with the job


def test_a_job_cancelled_before_it_runs_never_starts(manager: ThreadJobManager) -> None:
    ran = threading.Event()
    job_fn = manager.make_job_fn(lambda job: ran.set(), True, "unit")
    key = manager.build_cache_key(job_fn, [], [], None)
    manager.terminate_job(key)  # the flag is there before the thread starts
    manager.call_job_fn(key, job_fn, [], {})
    assert manager.wait(key, WAIT)
    assert not ran.is_set() and not manager.result_ready(key)


def test_no_update_and_errors_come_back_as_dash_expects(manager: ThreadJobManager) -> None:
    def prevented(job: Job) -> None:
        raise PreventUpdate

    def broken(job: Job) -> None:
        raise RuntimeError("the books are closed")

    quiet = _start(manager, prevented)
    _until(lambda: manager.result_ready(quiet))
    assert manager.get_result(quiet, quiet) == {"_dash_no_update": "_dash_no_update"}
    failed = _start(manager, broken)
    _until(lambda: manager.result_ready(failed))
    error = manager.get_result(failed, failed)["background_callback_error"]
    assert "the books are closed" in error["msg"]


def test_every_job_has_its_own_key_and_the_request_cookies_stay_behind(server: Flask) -> None:
    seen: list[dict[str, Any]] = []

    def body(job: Job) -> str:
        from dash import callback_context

        seen.append({"cookies": callback_context.cookies, "custom": callback_context.custom_data})
        return "ok"

    manager = ThreadJobManager(server, ticket=lambda: "a-ticket")

    def same() -> None:
        pass

    # Two users pressing the same button with the same inputs must not share a result.
    assert manager.build_cache_key(same, [1], [], None) != manager.build_cache_key(same, [1], [], None)
    key = _start(manager, body)
    _until(lambda: manager.result_ready(key))
    assert seen == [{"cookies": {}, "custom": {IDENTITY_KEY: "a-ticket"}}]


def test_results_are_json_as_a_celery_job_would_return_them(manager: ThreadJobManager) -> None:
    from dash import html

    key = _start(manager, lambda job: html.A("file", href="/downloads/x"))
    _until(lambda: manager.result_ready(key))
    assert manager.get_result(key, key) == json.loads(
        json.dumps(
            {
                "props": {"children": "file", "href": "/downloads/x"},
                "type": "A",
                "namespace": "dash_html_components",
            }
        )
    )


# -- identity -------------------------------------------------------------------------------


def _lookup(user_id: int) -> Actor | None:
    return ANALYST if user_id == ANALYST.user_id else None


def test_only_a_genuine_unexpired_ticket_names_a_user() -> None:
    ticket = issue_ticket(SECRET, ANALYST)
    assert actor_from_ticket(SECRET, ticket, _lookup) == ANALYST
    assert issue_ticket(SECRET, None) is None  # no session, no ticket
    assert actor_from_ticket(SECRET, None, _lookup) is None
    assert actor_from_ticket(SECRET, "7", _lookup) is None  # a plain user id is no ticket
    assert actor_from_ticket("another-secret", ticket, _lookup) is None  # forged
    assert ticket is not None
    payload, _, signature = ticket.rpartition(".")
    assert actor_from_ticket(SECRET, f"{payload}.{signature[::-1]}", _lookup) is None  # tampered
    other = issue_ticket(SECRET, Actor(user_id=8, role=Role.ADMIN, label="gone"))
    assert actor_from_ticket(SECRET, other, _lookup) is None  # the user is gone or disabled
    assert actor_from_ticket(SECRET, ticket, _lookup, max_age=-1) is None  # expired


def test_a_job_without_a_genuine_ticket_runs_as_nobody(server: Flask) -> None:
    actors: list[Actor | None] = []
    forged = issue_ticket("not-the-servers-secret", ANALYST)
    manager = ThreadJobManager(server, ticket=lambda: forged)
    key = _start(manager, lambda job: actors.append(job.actor))
    _until(lambda: manager.result_ready(key))
    assert actors == [None]


# -- files ----------------------------------------------------------------------------------


def test_a_pending_file_is_whole_or_gone(tmp_path: Path) -> None:
    with pending_file(tmp_path, "csv") as part:
        part.write_bytes(b"a,b\r\n")
    (done,) = tmp_path.iterdir()
    assert done.suffix == ".csv" and done.read_bytes() == b"a,b\r\n"
    with pytest.raises(JobCancelled), pending_file(tmp_path, "xlsx") as part:
        part.write_bytes(b"half")
        raise JobCancelled
    assert list(tmp_path.iterdir()) == [done]


def test_old_files_are_swept(tmp_path: Path) -> None:
    old, new = tmp_path / "a.csv", tmp_path / "b.csv"
    old.write_text("x")
    new.write_text("y")
    now = time.time()
    os.utime(old, (now - 7200, now - 7200))
    assert sweep(tmp_path, 3600, now=now) == 1
    assert list(tmp_path.iterdir()) == [new]


def test_download_tokens_name_one_user_and_one_file() -> None:
    name = "0123456789abcdef0123456789abcdef.csv"
    token = download_token(SECRET, 7, name, "transactions-pool-1.csv")
    assert read_token(SECRET, token) == (7, name, "transactions-pool-1.csv")
    assert read_token("another-secret", token) is None
    assert read_token(SECRET, token, max_age=-1) is None
    assert read_token(SECRET, download_token(SECRET, 7, "../../etc/passwd", "x.csv")) is None


@pytest.fixture(autouse=True)
def _no_stray_threads() -> Iterator[None]:
    before = {t.name for t in threading.enumerate()}
    yield
    # Every job thread a test started has ended by the time the test returns.
    _until(lambda: not {t.name for t in threading.enumerate() if t.name.startswith("portal-job-")} - before)
