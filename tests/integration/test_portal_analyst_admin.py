"""The analyst explorer and the admin pages through the real server: an analyst sees and
downloads only granted pools, the links download exactly the filtered view, admin pages
render from their services."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.composition.web import create_app
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, make_world
from tests.integration.portal_callbacks import post_callback, response_of
from tests.integration.portal_support import login, render_page
from tests.integration.reports_support import build_closed, build_open

OUTPUTS = [
    ("analyst-grid", "columnDefs"),
    ("analyst-grid", "rowData"),
    ("analyst-note", "children"),
    ("analyst-csv", "href"),
    ("analyst-xlsx", "href"),
]


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _client(world: World, who: str) -> FlaskClient:
    client = create_app(world.container).test_client()
    assert login(client, world.emails[who], PASSWORD).status_code == 303
    return client


def _explore(client: FlaskClient, dataset: str, pool: int, **filters: str) -> dict[str, dict[str, object]]:
    values = [
        ("analyst-dataset", "value", dataset),
        ("analyst-pool", "value", str(pool)),
        ("analyst-type", "value", filters.get("type", "")),
        ("analyst-investor", "value", filters.get("investor")),
        ("analyst-from", "value", filters.get("date_from")),
        ("analyst-to", "value", filters.get("date_to")),
        ("analyst-frequency", "value", filters.get("frequency", "monthly")),
        ("analyst-version", "data", None),
    ]
    return response_of(post_callback(client, OUTPUTS, values))


def test_the_analyst_sees_and_downloads_only_granted_pools(world: World) -> None:
    granted = build_closed(world)
    hidden = build_open(world, granted.a, granted.b)
    assert world.analyst.user_id is not None
    world.container.pools.grant_analyst(world.manager, granted.pool, world.analyst.user_id)
    client = _client(world, "analyst")
    page = render_page(client, "/analyst")
    assert "Harbour Private Equity I" in page and "Harbour Growth Fund" not in page
    assert "analyst-job-start" in page and "Prepare large export" in page  # the background export

    refused = _explore(client, "transactions", hidden.pool)
    assert refused["analyst-grid"]["rowData"] == [] and refused["analyst-csv"]["href"] == "#"
    assert "Nothing to show" in str(refused["analyst-note"]["children"])

    shown = _explore(client, "transactions", granted.pool, type="contribution", date_from="2025-01-01")
    rows = shown["analyst-grid"]["rowData"]
    assert isinstance(rows, list) and rows and {r["type"] for r in rows} == {"contribution"}
    href = str(shown["analyst-csv"]["href"])
    assert parse_qs(urlparse(href).query) == {
        "pool_id": [str(granted.pool)],
        "type": ["contribution"],
        "date_from": ["2025-01-01"],
    }
    body = client.get(href)
    assert body.status_code == 200
    table = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    assert len(table) == len(rows) and {r["type"] for r in table} == {"contribution"}
    xlsx = client.get(str(shown["analyst-xlsx"]["href"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    assert sheet is not None and sheet.max_row == len(rows) + 1

    hidden_url = href.replace(f"pool_id={granted.pool}", f"pool_id={hidden.pool}")
    assert client.get(hidden_url).status_code == 404

    for dataset in ("positions", "nav-history", "performance"):
        answer = _explore(client, dataset, granted.pool)
        assert answer["analyst-grid"]["rowData"], dataset
        assert client.get(str(answer["analyst-xlsx"]["href"])).status_code == 200


def test_admin_pages_show_users_audit_and_system(world: World) -> None:
    build_closed(world)
    client = _client(world, "admin")
    users = render_page(client, "/admin/users")
    assert "investor@pools.test" in users and "users-grid" in users and "users-search" in users
    found = response_of(
        post_callback(
            client,
            [("users-grid", "rowData")],
            [("users-search", "value", "INVESTOR@"), ("users-refresh", "data", None)],
        )
    )["users-grid"]["rowData"]
    assert [row["email"] for row in found] == ["investor@pools.test", "other_investor@pools.test"]
    audit = response_of(
        post_callback(
            client,
            [("audit-grid", "rowData"), ("audit-note", "children")],
            [
                ("audit-object", "value", "pool"),
                ("audit-action", "value", ""),
                ("audit-text", "value", ""),
                ("audit-limit", "value", 50),
            ],
        )
    )
    rows = audit["audit-grid"]["rowData"]
    assert isinstance(rows, list) and rows and all(r["object"].startswith("pool ") for r in rows)
    system = json.dumps(
        response_of(
            post_callback(
                client,
                [("system-content", "children"), ("system-checked", "children")],
                [("system-poll", "n_intervals", None)],
            )
        )
    )
    assert "status-database" in system and "not configured" in system and "ledger outbox" in system
    page = render_page(client, "/admin/system")
    assert "system-recompute-start" in page and "system-recompute-cancel" in page
    investor = _client(world, "investor")
    refused = response_of(
        post_callback(
            investor,
            [("audit-grid", "rowData"), ("audit-note", "children")],
            [
                ("audit-object", "value", ""),
                ("audit-action", "value", ""),
                ("audit-text", "value", ""),
                ("audit-limit", "value", 50),
            ],
        )
    )
    assert refused["audit-grid"]["rowData"] == []
