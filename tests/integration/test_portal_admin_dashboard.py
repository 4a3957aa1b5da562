"""The admin landing page through the real server: accounts by role and disabled, the last
ten audit events linking to the audit log, the health summary, the links to Users, Audit and
System, an as-of time; and nothing for anyone but an admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from plotly.utils import PlotlyJSONEncoder

from backend.composition.container import Container
from backend.pools.interface import PoolUpdate
from portal.admin.data import StatusRow
from portal.admin.pages import overview as page
from tests.integration.pools_support import (
    World,
    make_world,
    open_pool,
)
from tests.integration.portal_callbacks import post_callback, response_of
from tests.integration.portal_support import components, render_page
from tests.integration.test_portal_manager import _client


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _dashboard(client: FlaskClient) -> dict[str, Any]:
    return response_of(
        post_callback(
            client,
            [("admin-content", "children"), ("admin-as-of", "children")],
            [("admin-poll", "n_intervals", None)],
        )
    )


def _text(tree: Any) -> str:
    return json.dumps(tree, cls=PlotlyJSONEncoder, ensure_ascii=False)


def _by_id(tree: Any) -> dict[str, dict[str, Any]]:
    return {c["props"]["id"]: c for c in components(tree) if isinstance(c["props"].get("id"), str)}


def test_the_admin_sees_accounts_activity_and_health(world: World) -> None:
    c = world.container
    assert world.analyst.user_id is not None
    c.users.set_active(world.admin, world.analyst.user_id, False)
    pool = c.pools.create_pool(world.manager, open_pool()).id
    for n in range(12):
        c.pools.update_pool(world.manager, pool, PoolUpdate(name=f"Harbour Growth Fund {n}"))
    client = _client(world, "admin")

    page = render_page(client, "/admin")
    assert '"page-title"' in page and "admin-content" in page and "Loading the figures" in page
    shell = components(json.loads(page)["response"]["_pages_content"]["children"])
    hrefs = {c["props"]["children"]: c["props"]["href"] for c in shell if c["type"] == "Link"}
    assert hrefs == {"Users": "/admin/users", "Audit": "/admin/audit", "System": "/admin/system"}

    out = _dashboard(client)
    assert out["admin-as-of"]["children"].startswith("As of ") and "UTC" in out["admin-as-of"]["children"]
    tree = out["admin-content"]["children"]
    ids = _by_id(tree)
    # make_world: one admin, two managers, one analyst (disabled above), two investors.
    assert ids["admin-users-summary"]["props"]["children"] == "6 accounts, 1 disabled."
    cells = {
        role: [td["props"]["children"] for td in components(ids[f"admin-users-{role}"]["props"]["children"])]
        for role in ("admin", "manager", "analyst", "investor")
    }
    assert cells == {
        "admin": ["admin", "1", "0"],
        "manager": ["manager", "2", "0"],
        "analyst": ["analyst", "0", "1"],
        "investor": ["investor", "2", "0"],
    }
    audit = ids["admin-audit-card"]
    links = [c for c in components(audit["props"]["children"]) if c["type"] == "Link"]
    actions = [link["props"]["children"] for link in links if link["props"].get("id") is None]
    # The newest ten, newest first: the admin's own sign-in, then the latest renames.
    assert actions == ["login.succeeded"] + ["pool.updated"] * 9
    assert all(link["props"]["href"] == "/admin/audit" for link in links)
    health = _text(ids["admin-health-card"])
    assert "database" in health and "not configured" in health and "ledger outbox" in health
    assert "All running components healthy" in _text(ids["admin-health-headline"])


def test_the_cards_say_when_there_is_nothing_or_something_is_down(world: World) -> None:
    client = _client(world, "admin")
    with client.application.test_request_context():
        empty = _text(page.audit_card([]))
        down = page.health_card(
            [StatusRow("database", "ok", "mysql"), StatusRow("broker", "down", "unreachable")]
        )
    assert "No audit events yet" in empty and "admin-audit-empty" in empty
    assert "1 down: broker" in _text(down)
    assert page.health_headline([]) == ("No checks ran", "secondary")


@pytest.mark.parametrize("who", ["manager", "investor", "analyst"])
def test_only_an_admin_gets_the_figures(world: World, who: str) -> None:
    client = _client(world, who)
    assert "not-permitted" in render_page(client, "/admin")
    out = _dashboard(client)
    assert out["admin-content"]["children"] is None and out["admin-as-of"]["children"] == ""
