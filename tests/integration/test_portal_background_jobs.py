"""The portal's background jobs with the real services, on both backends: the large export
writes exactly the filtered view, the statements workbook has a sheet per pool tied to the
statement service, the full recompute covers a manager's own pools only (an admin's all);
cancelling stops each and leaves no file. Then the whole round trip through the server with
the embedded default's manager: start, poll, download; nobody else can fetch the file, and
a job without a genuine session gets nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Actor, Role
from backend.platform.errors import NotFound
from portal.analyst.data import filters, grid_rows
from portal.analyst.jobs import prepare_export
from portal.investor.jobs import generate_statements
from portal.jobs.files import DOWNLOADS
from portal.jobs.job import Job, JobCancelled
from portal.jobs.managers import ThreadJobManager
from portal.jobs.recompute import recompute_job, recompute_snapshots
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.portal_support import csrf_cookie, login
from tests.integration.reports_support import build_closed, build_open

TODAY = date(2026, 1, 15)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


@pytest.fixture
def app(world: World) -> Flask:
    return create_app(world.container)


@pytest.fixture
def in_app(app: Flask) -> Callable[..., Any]:
    """Call a job body as a job runs it: inside the server's app context (off any request)."""

    def call(fn: Callable[..., Any], *args: Any) -> Any:
        with app.app_context():
            return fn(*args)

    return call


class Recorder:
    """A Job's progress sink, optionally cancelling after `cancel_after` reports."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[list[Any]] = []
        self.cancel_after = cancel_after

    def job(self, actor: Actor | None) -> Job:
        return Job(actor, self.reports.append, self.cancelled)

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.reports) >= self.cancel_after


def _files(container: Container) -> list[Path]:
    directory = container.settings.var_dir / DOWNLOADS
    return sorted(directory.iterdir()) if directory.exists() else []


def _fetch(app: Flask, url: str, email: str) -> TestResponse:
    client = app.test_client()
    assert login(client, email, PASSWORD).status_code == 303
    return client.get(url)


# -- job bodies, both backends -----------------------------------------------------------------


def test_the_large_export_writes_the_filtered_view(
    world: World, app: Flask, in_app: Callable[..., Any]
) -> None:
    granted = build_closed(world)
    hidden = build_open(world, granted.a, granted.b)
    assert world.analyst.user_id is not None
    world.container.pools.grant_analyst(world.manager, granted.pool, world.analyst.user_id)
    query = filters("transactions", granted.pool, {"date_from": "2025-01-20"})
    shown, _ = in_app(grid_rows, world.analyst, "transactions", query)

    recorder = Recorder()
    prepared = in_app(
        prepare_export, recorder.job(world.analyst), world.analyst, "transactions", query, "csv"
    )
    (file,) = _files(world.container)
    table = list(csv.DictReader(io.StringIO(file.read_text())))
    assert prepared.rows == len(table) == len(shown) and {
        r["effective_date"] >= "2025-01-20" for r in table
    } == {True}
    assert [r["entry_id"] for r in table] == [str(r["entry_id"]) for r in shown]
    version = world.container.ledger.ledger_version(granted.pool)
    # Progress is the journal entry reached, of the pool's entries, with the rows so far.
    assert recorder.reports[0] == [0, version, f"0 of {version} entries"]
    assert recorder.reports[-1] == [version, version, f"{version} of {version} entries · {len(table)} rows"]
    assert (
        prepared.download_name == f"transactions-pool-{granted.pool}.csv"
        and prepared.size == file.stat().st_size
    )
    download = _fetch(app, prepared.url, world.emails["analyst"])
    assert download.status_code == 200 and download.data == file.read_bytes()
    assert "attachment" in download.headers["Content-Disposition"]

    xlsx = in_app(
        prepare_export,
        Recorder().job(world.analyst),
        world.analyst,
        "positions",
        {"pool_id": str(granted.pool)},
        "xlsx",
    )
    sheet = openpyxl.load_workbook(
        _fetch_bytes(app, xlsx.url, world.emails["analyst"]), read_only=True
    ).active
    assert sheet is not None and sheet.max_row == xlsx.rows + 1 == 3  # header and the two investors

    with pytest.raises(NotFound):  # a pool not granted: refused before any file exists
        in_app(
            prepare_export,
            Recorder().job(world.analyst),
            world.analyst,
            "transactions",
            {"pool_id": str(hidden.pool)},
            "csv",
        )
    assert len(_files(world.container)) == 2


def _fetch_bytes(app: Flask, url: str, email: str) -> io.BytesIO:
    response = _fetch(app, url, email)
    assert response.status_code == 200
    return io.BytesIO(response.data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_cancelled_export_leaves_no_file(
    world: World, in_app: Callable[..., Any], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_open(world)
    assert world.analyst.user_id is not None
    world.container.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)
    monkeypatch.setattr("portal.analyst.jobs.PROGRESS_EVERY_ROWS", 2)  # report often: a small book
    recorder = Recorder(cancel_after=3)
    with pytest.raises(JobCancelled):
        in_app(
            prepare_export,
            recorder.job(world.analyst),
            world.analyst,
            "transactions",
            {"pool_id": str(built.pool)},
            fmt,
        )
    assert len(recorder.reports) == 3  # it was under way
    assert _files(world.container) == []


def test_statements_for_every_pool_in_one_workbook(
    world: World, app: Flask, in_app: Callable[..., Any]
) -> None:
    closed = build_closed(world)
    opened = build_open(world, closed.a, closed.b)
    recorder = Recorder()
    prepared = in_app(generate_statements, recorder.job(world.investor), world.investor, "period=2025")
    assert prepared is not None and prepared.rows == 2
    assert [r[2] for r in recorder.reports] == ["0 of 2 pools", "1 of 2 pools", "2 of 2 pools"]
    book = openpyxl.load_workbook(_fetch_bytes(app, prepared.url, world.emails["investor"]))
    assert book.sheetnames == ["Harbour Private Equity I", "Harbour Growth Fund"]
    reports = world.container.reports
    for sheet, pool in zip(book.worksheets, (closed.pool, opened.pool), strict=True):
        statement = reports.statement(world.investor, closed.a, pool, period="2025")
        cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
        # Named, with the id beside the name (not "Pool 1"): the sheet says whose and which pool.
        assert cells["Period"] == "2025" and cells["Pool"] == f"{sheet.title} (#{pool})"
        assert cells["Investor"] == f"{statement.investor_name} (#{closed.a})" and statement.investor_name
        assert Decimal(str(cells["Ending balance"])) == statement.ending_balance
    # The link is this investor's: the other investor (signed in) cannot fetch it.
    assert _fetch(app, prepared.url, world.emails["other_investor"]).status_code == 404

    # Cancelled between pools: no workbook.
    with pytest.raises(JobCancelled):
        in_app(
            generate_statements, Recorder(cancel_after=1).job(world.investor), world.investor, "period=2025"
        )
    assert len(_files(world.container)) == 1
    # A period before any pool started has nothing to put in a workbook.
    assert in_app(generate_statements, Recorder().job(world.investor), world.investor, "period=2024") is None


def test_the_full_recompute_covers_the_managers_own_pools(
    world: World, app: Flask, in_app: Callable[..., Any]
) -> None:
    closed = build_closed(world)
    mine = [closed.pool, build_open(world, closed.a, closed.b).pool]
    theirs = world.container.pools.create_pool(world.other_manager, open_pool(name="Elsewhere Fund")).id
    snapshots = world.container.snapshots

    recorder = Recorder()
    result = in_app(recompute_snapshots, recorder.job(world.manager), world.manager, TODAY)
    assert (result.pools, result.computed) == (2, 2)
    assert [r[2] for r in recorder.reports] == ["0 of 2 pools", "1 of 2 pools", "2 of 2 pools"]
    assert all(snapshots.pool_performance(pool, TODAY) is not None for pool in mine)
    assert world.container.ledger.ledger_version(theirs) == 0
    # Forced: a second run computes again (from the books) rather than finding them current.
    assert in_app(recompute_snapshots, Recorder().job(world.manager), world.manager, TODAY).computed == 2

    everything = in_app(recompute_snapshots, Recorder().job(world.admin), world.admin, TODAY)
    assert everything.pools == 3  # the admin's run includes the other manager's pool

    # Cancelled after the first pool: the second was not touched.
    later = date(2026, 2, 1)
    with pytest.raises(JobCancelled):
        in_app(recompute_snapshots, Recorder(cancel_after=1).job(world.manager), world.manager, later)
    assert snapshots.pool_performance(mine[0], later) is not None
    assert snapshots.pool_performance(mine[1], later) is None

    refused = json.dumps(
        in_app(recompute_job, Recorder().job(world.investor), Role.INVESTOR, "x").to_plotly_json(),
        default=str,
    )
    assert "only admins and managers" in refused
    nobody = json.dumps(
        in_app(recompute_job, Recorder().job(None), Role.MANAGER, "x").to_plotly_json(), default=str
    )
    assert "Not permitted" in nobody


# -- through the server, embedded default (thread manager) -----------------------------------------


def _body(
    outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]], state: list[tuple[str, str, Any]]
) -> dict[str, Any]:
    (ident, prop) = outputs[0]
    return {
        "output": f"{ident}.{prop}",
        "outputs": {"id": ident, "property": prop},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
    }


def run_job(
    client: FlaskClient,
    output: tuple[str, str],
    inputs: list[tuple[str, str, Any]],
    state: list[tuple[str, str, Any]],
    wait: Callable[[str], Any],
) -> Any:
    """Start a background callback as dash-renderer does, wait for the job, then poll once
    for its result; the result's JSON."""
    client.get("/_dash-dependencies")
    headers = {"X-CSRFToken": csrf_cookie(client)}
    body = _body([output], inputs, state)
    started = client.post("/_dash-update-component", json=body, headers=headers)
    assert started.status_code == 200, started.get_data(as_text=True)[:2000]
    handles = started.get_json()
    assert set(handles) >= {"cacheKey", "job"}
    wait(handles["job"].rpartition("~")[0])  # the signed handle is the job's key
    polled = client.post(
        "/_dash-update-component",
        json=body,
        headers=headers,
        query_string={"cacheKey": handles["cacheKey"], "job": handles["job"]},
    )
    assert polled.status_code in (200, 204), polled.get_data(as_text=True)[:2000]
    return polled.get_json() if polled.status_code == 200 else None


def _manager(app: Flask) -> ThreadJobManager:
    manager = app.extensions["portal_dash"]._background_manager
    assert isinstance(manager, ThreadJobManager)  # no broker configured: the embedded default
    return manager


@pytest.mark.parametrize("backend_name", ["sqlite"], indirect=True)
def test_an_export_job_through_the_server_for_its_user_only(world: World, app: Flask) -> None:
    built = build_closed(world)
    assert world.analyst.user_id is not None
    world.container.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)
    client = app.test_client()
    assert login(client, world.emails["analyst"], PASSWORD).status_code == 303
    state = [
        ("analyst-dataset", "value", "transactions"),
        ("analyst-pool", "value", str(built.pool)),
        ("analyst-type", "value", "capital_call"),
        ("analyst-investor", "value", None),
        ("analyst-from", "value", None),
        ("analyst-to", "value", None),
        ("analyst-frequency", "value", "monthly"),
        ("analyst-job-format", "value", "csv"),
    ]
    manager = _manager(app)
    answer = run_job(
        client,
        ("analyst-job-result", "children"),
        [("analyst-job-start", "n_clicks", 1)],
        state,
        manager.wait,
    )
    result = answer["response"]["analyst-job-result"]["children"]
    link = next(c for c in result["props"]["children"] if c["props"].get("href"))["props"]["href"]
    assert link.startswith("/downloads/")
    table = list(csv.DictReader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert table and {r["type"] for r in table} == {"capital_call"}

    anonymous = app.test_client().get(link)  # no session: the guard sends the browser to sign in
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login?next=")
    assert _fetch(app, link, world.emails["admin"]).status_code == 404  # someone else's file
    assert client.get(link[:-2] + ("aa" if not link.endswith("aa") else "bb")).status_code == 404  # tampered


@pytest.mark.parametrize("backend_name", ["sqlite"], indirect=True)
def test_a_job_whose_ticket_is_not_genuine_gets_nothing(
    world: World, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = build_closed(world)
    assert world.analyst.user_id is not None
    world.container.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)
    client = app.test_client()
    assert login(client, world.emails["analyst"], PASSWORD).status_code == 303
    manager = _manager(app)
    # As if the job's identity had been tampered with on its way: signed with another key.
    from portal.jobs import tickets

    monkeypatch.setattr(manager, "_ticket", lambda: tickets.issue_ticket("not-the-key", world.analyst))
    state = [
        ("analyst-dataset", "value", "transactions"),
        ("analyst-pool", "value", str(built.pool)),
        *[(f"analyst-{k}", "value", None) for k in ("type", "investor", "from", "to")],
        ("analyst-frequency", "value", "monthly"),
        ("analyst-job-format", "value", "csv"),
    ]
    answer = run_job(
        client,
        ("analyst-job-result", "children"),
        [("analyst-job-start", "n_clicks", 1)],
        state,
        manager.wait,
    )
    assert "Not permitted" in json.dumps(answer)
    assert _files(world.container) == []
    # And a request without a session never reaches a job at all.
    anonymous = app.test_client().post(
        "/_dash-update-component",
        json=_body([("analyst-job-result", "children")], [("analyst-job-start", "n_clicks", 1)], state),
    )
    assert anonymous.status_code == 401
