"""The manager pages through the real server: pages render, actions post through their
callbacks (preview, then confirm with the key made at preview), and another manager's pool
yields nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from plotly.utils import PlotlyJSONEncoder

from backend.composition.container import Container
from backend.composition.web import create_app
from ledger.interface import EntryType
from portal.components import forms
from portal.manager.pages import pool as page
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.portal_support import csrf_cookie, login, render_page


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _client(world: World, who: str = "manager") -> FlaskClient:
    client = create_app(world.container).test_client()
    response = login(client, world.emails[who], PASSWORD)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def _key(ident: dict[str, Any]) -> str:
    return json.dumps(ident, sort_keys=True, separators=(",", ":"))


def _act(
    client: FlaskClient,
    action: str,
    fields: dict[str, Any],
    *,
    pool_id: int | None,
    confirm: bool = False,
    pending: dict[str, Any] | None = None,
    acks: list[bool] | None = None,
    tick: bool = False,
) -> dict[str, Any]:
    """POST the action callback as dash-renderer does; the response's outputs by id. `acks` are
    the "Post anyway" ticks under the preview; `tick` posts a change of the first one."""
    app = client.application.extensions["portal_dash"]
    client.get("/_dash-dependencies")  # Dash registers the callbacks on its first request
    output = next(k for k in app.callback_map if forms.ERROR in k and forms.PANEL in k)
    names = list(fields)

    def fid(name: str) -> dict[str, str]:
        return {"type": forms.FIELD, "action": action, "field": name}

    def ack(n: int) -> dict[str, str]:
        return {"type": forms.ACK, "action": action, "check": str(n)}

    one = {
        k: {"type": k, "action": action}
        for k in (forms.PREVIEW, forms.CONFIRM, forms.PANEL, forms.PENDING, forms.RESULT, forms.DONE)
    }
    body = {
        "output": output,
        "outputs": [
            [
                {"id": {"type": forms.ERROR, "action": action, "field": n}, "property": "children"}
                for n in names
            ],
            [{"id": fid(n), "property": "invalid"} for n in names],
            {"id": one[forms.PANEL], "property": "children"},
            {"id": one[forms.PENDING], "property": "data"},
            {"id": one[forms.RESULT], "property": "children"},
            {"id": one[forms.CONFIRM], "property": "disabled"},
            {"id": one[forms.DONE], "property": "data"},
        ],
        "inputs": [
            {"id": one[forms.PREVIEW], "property": "n_clicks", "value": 1},
            {"id": one[forms.CONFIRM], "property": "n_clicks", "value": 1 if confirm else None},
            [{"id": ack(n), "property": "value", "value": v} for n, v in enumerate(acks or [])],
        ],
        "state": [
            [{"id": fid(n), "property": "value", "value": v} for n, v in fields.items()],
            [{"id": fid(n), "property": "id", "value": fid(n)} for n in names],
            {"id": one[forms.PENDING], "property": "data", "value": pending},
            {"id": "pool-id", "property": "data", "value": pool_id},
        ],
        "changedPropIds": [
            f"{_key(ack(0))}.value"
            if tick
            else f"{_key(one[forms.CONFIRM if confirm else forms.PREVIEW])}.n_clicks"
        ],
    }
    response = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    assert response.status_code == 200, response.get_data(as_text=True)
    out: dict[str, Any] = response.get_json()["response"]
    return {
        "raw": out,
        "pending": out.get(_key(one[forms.PENDING]), {}).get("data"),
        "result": json.dumps(out.get(_key(one[forms.RESULT]), {})),
        "panel": json.dumps(out.get(_key(one[forms.PANEL]), {})),
        "done": out.get(_key(one[forms.DONE]), {}).get("data"),
        "disabled": out.get(_key(one[forms.CONFIRM]), {}).get("disabled"),
    }


def _field_errors(raw: dict[str, Any], action: str, names: list[str]) -> dict[str, Any]:
    found = {}
    for name in names:
        entry = raw.get(_key({"type": forms.ERROR, "action": action, "field": name}))
        if entry and entry.get("children"):
            found[name] = entry["children"]
    return found


def test_manager_pages_render_with_their_pieces(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool()).id
    client = _client(world)
    overview = render_page(client, "/manager")
    assert "overview-grid" in overview and "overview-status" in overview
    pools = render_page(client, "/manager/pools")
    assert "pools-table" in pools and f"pool-link-{pool}" in pools and "create_pool" in pools
    detail = render_page(client, f"/manager/pools/{pool}")
    assert '"pool-id"' in detail and str(pool) in detail and "pool-body" in detail


def test_a_manager_posts_a_subscription_and_a_valuation_through_the_action_callbacks(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(
        world.manager, open_pool(minimum_subscription="0.00", inception_date="2025-01-01")
    ).id
    investor = world.investor_profile(world.investor)
    client = _client(world)
    today = date.today().isoformat()
    # deals are struck before the day's valuation: a valuation of the deals' own day is refused
    yesterday = (date.today() - timedelta(days=1)).isoformat()

    fields = {
        "investor_id": str(investor),
        "amount": 250000,
        "effective_date": yesterday,
        "memo": "first money",
    }
    preview = _act(client, "subscription", fields, pool_id=pool)
    assert preview["pending"] and preview["pending"]["key"], preview["raw"]
    assert "250,000.00" in preview["panel"] and "Units issued" in preview["panel"]
    assert "Ana Example" in preview["panel"]  # named from the investor service, in one read
    assert c.ledger.ledger_version(pool) == 0  # a preview writes nothing

    posted = _act(client, "subscription", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"] and posted["done"] == preview["pending"]["key"]
    # A second click with the same confirmation posts nothing new.
    again = _act(client, "subscription", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in again["result"]
    entries = c.transactions.list_transactions(world.manager, pool).entries
    assert [e.entry_type for e in entries] == [EntryType.SUBSCRIPTION]

    valuation = {"as_of": today, "net_asset_value": "260000.00", "memo": ""}
    preview = _act(client, "valuation", valuation, pool_id=pool)
    assert "Previous NAV" in preview["panel"] and "$10,000.00" in preview["panel"], preview["panel"]
    posted = _act(client, "valuation", valuation, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"]
    positions = c.transactions.pool_positions(world.manager, pool)
    assert positions.net_asset_value == Decimal("260000.00")


def test_service_errors_land_next_to_their_field(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    client = _client(world)
    fields = {"as_of": "2199-01-01", "net_asset_value": "100.00", "memo": ""}
    out = _act(client, "valuation", fields, pool_id=pool)
    assert out["pending"] is None
    errors = _field_errors(out["raw"], "valuation", list(fields))
    assert "future" in errors["as_of"]
    out = _act(client, "valuation", {"as_of": "", "net_asset_value": "abc", "memo": ""}, pool_id=pool)
    errors = _field_errors(out["raw"], "valuation", ["as_of", "net_asset_value", "memo"])
    assert set(errors) == {"as_of", "net_asset_value"}


def test_another_managers_pool_yields_nothing(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.other_manager, open_pool(minimum_subscription="0.00")).id
    investor = world.investor_profile(world.investor)
    client = _client(world)  # signed in as `manager`, not the pool's manager

    detail = render_page(client, f"/manager/pools/{pool}")
    assert "Harbour Growth Fund" not in detail
    fields = {
        "investor_id": str(investor),
        "amount": "1000.00",
        "effective_date": date.today().isoformat(),
        "memo": "",
    }
    out = _act(client, "subscription", fields, pool_id=pool)
    assert out["pending"] is None and "Not permitted" in out["panel"]
    # Even a crafted confirmation with a key of its own is refused by the service.
    forged = {"key": "forged-key", "values": fields, "pool_id": pool}
    out = _act(client, "subscription", fields, pool_id=pool, confirm=True, pending=forged)
    assert "Posted" not in out["result"] and out["done"] is None
    assert c.ledger.ledger_version(pool) == 0


def test_the_pool_body_shows_the_books_after_a_post(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(
        world.manager, open_pool(minimum_subscription="0.00", inception_date="2025-01-01")
    ).id
    investor = world.investor_profile(world.investor)
    client = _client(world)
    today = date.today().isoformat()
    fields = {"investor_id": str(investor), "amount": "1000.00", "effective_date": today, "memo": ""}
    preview = _act(client, "subscription", fields, pool_id=pool)
    _act(client, "subscription", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    with client.application.test_request_context():
        body = page.pool_body(world.manager, pool, 1, date.today())
    text = json.dumps(body, cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert "stat-nav" in text and "$1.00K" in text and "fig-heatmap" in text and "investors-grid" in text
