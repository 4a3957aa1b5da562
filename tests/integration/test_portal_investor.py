"""The investor dashboard through the real server: own holdings only, whatever the request
says; statements download over the session; the live poll changes only after an entry."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.composition.web import create_app
from ledger.interface import ValuationRequest
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, make_world
from tests.integration.portal_callbacks import post_callback, response_of
from tests.integration.portal_support import login, render_page
from tests.integration.reports_support import Built, build_closed, build_open, key


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _client(world: World, who: str) -> FlaskClient:
    client = create_app(world.container).test_client()
    response = login(client, world.emails[who], PASSWORD)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def _content(client: FlaskClient) -> str:
    response = post_callback(
        client,
        [("investor-content", "children"), ("investor-as-of", "children")],
        [("investor-version", "data", None), ("investor-currency", "value", None)],
    )
    return json.dumps(response_of(response))


def test_the_investor_sees_their_own_holdings_and_only_theirs(world: World) -> None:
    closed = build_closed(world)
    a, b = closed.a, closed.b
    opened = build_open(world, a, b)
    mine = _content(_client(world, "investor"))
    assert f"holding-{closed.pool}" in mine and f"holding-{opened.pool}" in mine
    assert "Harbour Private Equity I" in mine and "card-total-value" in mine
    assert "investor-value-chart" in mine and "investor-allocation-chart" in mine
    assert f"/api/v1/investors/{a}/statements?pool_id={closed.pool}" in mine
    assert f"/investors/{b}/" not in mine
    theirs = _content(_client(world, "other_investor"))
    assert f"/investors/{b}/statements" in theirs and f"/investors/{a}/" not in theirs


def test_a_crafted_request_for_another_investors_statement_gets_nothing(world: World) -> None:
    closed: Built = build_closed(world)
    other = _client(world, "other_investor")
    url = f"/api/v1/investors/{closed.a}/statements?pool_id={closed.pool}&period=2025&format=xlsx"
    assert other.get(url).status_code == 404
    own = _client(world, "investor").get(url)
    assert own.status_code == 200 and own.data[:2] == b"PK"  # an XLSX (zip) over the session


def test_an_investor_without_holdings_sees_the_empty_state(world: World) -> None:
    world.investor_profile(world.investor)
    assert "investor-empty" in _content(_client(world, "investor"))


def test_other_roles_get_not_permitted_from_the_investor_callbacks(world: World) -> None:
    build_closed(world)
    for who in ("manager", "analyst"):
        client = _client(world, who)
        assert "not-permitted" in _content(client)
        poll = post_callback(
            client,
            [("investor-version", "data")],
            [("investor-poll", "n_intervals", 1)],
            [("investor-version", "data", None)],
        )
        assert poll.status_code == 204


def test_the_poll_changes_the_version_only_after_an_entry(world: World) -> None:
    closed = build_closed(world)
    client = _client(world, "investor")
    assert "page-title" in render_page(client, "/investor")

    def poll(current: str | None) -> tuple[int, str | None]:
        response = post_callback(
            client,
            [("investor-version", "data")],
            [("investor-poll", "n_intervals", 3)],
            [("investor-version", "data", current)],
        )
        if response.status_code == 204:
            return 204, current
        return 200, response_of(response)["investor-version"]["data"]

    status, first = poll(None)
    assert status == 200 and first and first.startswith(f"{closed.pool}:")
    assert poll(first) == (204, first)
    world.container.transactions.record_valuation(
        world.manager,
        closed.pool,
        ValuationRequest(as_of=date(2026, 1, 5), net_asset_value=Decimal(28000)),
        key(),
    )
    status, second = poll(first)
    assert status == 200 and second != first


def test_the_statements_job_is_offered_and_runs_as_the_session_investor(world: World) -> None:
    from portal.jobs.managers import ThreadJobManager
    from tests.integration.test_portal_background_jobs import run_job

    build_closed(world)  # the one pool the investor is in
    app = create_app(world.container)
    client = app.test_client()
    assert login(client, world.emails["investor"], PASSWORD).status_code == 303
    page = render_page(client, "/investor")
    assert "investor-statements-job-start" in page and "Since inception" in page
    manager = app.extensions["portal_dash"]._background_manager
    assert isinstance(manager, ThreadJobManager)
    answer = run_job(
        client,
        ("investor-statements-job-result", "children"),
        [("investor-statements-job-start", "n_clicks", 1)],
        [("investor-statements-period", "value", "period=2025")],
        manager.wait,
    )
    text = json.dumps(answer)
    assert "statements-2025.xlsx" in text and "1 pool;" in text
    link = text.split('"href": "', 1)[1].split('"', 1)[0]
    workbook = client.get(link)
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
