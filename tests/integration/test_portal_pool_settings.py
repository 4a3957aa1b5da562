"""The pool page's settings and status actions through the real server, on SQLite and MariaDB:
the edit form opens with the pool's settings, previews only what changes, sends only that,
never puts back what someone else changed meanwhile, and shows the service's refusals next to
their field; closing and liquidating go through the same preview and confirmation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.pools.interface import PoolStatus, PoolUpdate
from ledger.interface import TransactionRequest
from portal.components import forms
from portal.manager.actions.forms import settings_values
from portal.manager.actions.pool_terms import settings_of
from portal.manager.pages.pool import OPENED, PANE
from tests.integration.pools_support import (
    OPEN_NAV_FEE,
    OPERATOR,
    World,
    closed_pool,
    make_world,
    open_pool,
)
from tests.integration.portal_support import components, csrf_cookie, render_page
from tests.integration.test_portal_manager import _act, _client, _field_errors


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _form_values(world: World, pool_id: int, **changes: Any) -> dict[str, Any]:
    """What the edit form holds when opened now, with `changes` typed in."""
    settings = settings_of(world.container.pools.get_pool(world.manager, pool_id))
    return {**settings_values(settings), "baseline": settings.model_dump_json(), **changes}


def _actions_panel(client: FlaskClient, pool_id: int) -> list[dict[str, Any]]:
    dependencies = client.get("/_dash-dependencies").get_json()
    open_pane = next(d["output"] for d in dependencies if PANE in d["output"])
    response = client.post(
        "/_dash-update-component",
        json={
            "output": "pool-actions.children",
            "outputs": {"id": "pool-actions", "property": "children"},
            "inputs": [{"id": "pool-id", "property": "data", "value": pool_id}],
            "changedPropIds": ["pool-id.data"],
            "state": [],
        },
        headers={"X-CSRFToken": csrf_cookie(client)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    parts = components(response.get_json()["response"]["pool-actions"]["children"])
    # A tab's forms arrive when it is first opened: open each, as a manager clicking through,
    # and put what arrives where the browser would (in the tab's pane).
    panes = [
        p for p in parts if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("type") == PANE
    ]
    opened: list[str] = next((p["props"]["data"] for p in parts if p["props"].get("id") == OPENED), [])
    for pane in panes:
        tab = pane["props"]["id"]["tab"]
        if tab in opened:
            continue
        answer = client.post(
            "/_dash-update-component",
            json={
                "output": open_pane,
                "outputs": [
                    [{"id": p["props"]["id"], "property": "children"} for p in panes],
                    {"id": OPENED, "property": "data"},
                ],
                "inputs": [{"id": "pool-action-tabs", "property": "active_tab", "value": tab}],
                "state": [
                    {"id": OPENED, "property": "data", "value": opened},
                    {"id": "pool-id", "property": "data", "value": pool_id},
                ],
                "changedPropIds": ["pool-action-tabs.active_tab"],
            },
            headers={"X-CSRFToken": csrf_cookie(client)},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        body = answer.get_json()["response"]
        opened = body[OPENED]["data"]
        pane["props"]["children"] = body[
            json.dumps(pane["props"]["id"], sort_keys=True, separators=(",", ":"))
        ]["children"]
        parts += components(pane["props"]["children"])
    return parts


def _settings_name_id() -> dict[str, str]:
    return {"type": forms.FIELD, "action": "pool_settings", "field": "name"}


def _rows(panel: str) -> list[list[Any]]:
    """The cells of each body row of the tables in a preview panel."""
    rows = [c for c in components(json.loads(panel).get("children")) if c["type"] == "Tr"]
    cells = [
        [td["props"].get("children") for td in components(r["props"]["children"]) if td["type"] == "Td"]
        for r in rows
    ]
    return [row for row in cells if row]


def _field(parts: list[dict[str, Any]], action: str, name: str) -> dict[str, Any]:
    ident = {"type": forms.FIELD, "action": action, "field": name}
    return next(c for c in parts if c["props"].get("id") == ident)


def test_the_edit_form_opens_with_the_pools_settings(world: World) -> None:
    pool = world.container.pools.create_pool(world.manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    parts = _actions_panel(_client(world), pool)
    assert _field(parts, "pool_settings", "name")["props"]["value"] == "Harbour Growth Fund"
    assert _field(parts, "pool_settings", "management_fee.rate")["props"]["value"] == "1.5"  # percent
    assert _field(parts, "pool_settings", "minimum_subscription")["props"]["value"] == "10000.00"
    # Nothing booked yet: the currency may still change.
    assert not _field(parts, "pool_settings", "base_currency")["props"].get("disabled")
    status = _field(parts, "pool_status", "status")["props"]
    assert [o["value"] for o in status["options"]] == ["close", "liquidate"]


def test_a_manager_edits_settings_previewing_only_what_changes(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    client = _client(world)

    same = _act(client, "pool_settings", _form_values(world, pool), pool_id=pool)
    assert "Nothing changes" in same["panel"] and "effect-settings-none" in same["panel"]

    fields = _form_values(world, pool, **{"management_fee.rate": 1.75, "minimum_subscription": "25000"})
    preview = _act(client, "pool_settings", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    # Only what changes is listed, as it is now and as it will be.
    assert _rows(preview["panel"]) == [
        ["Management fee rate", "1.5%", "1.75%"],
        ["Minimum subscription", "$10,000.00", "$25,000.00"],
    ]
    assert c.pools.get_pool(world.manager, pool).minimum_subscription == 10000  # a preview writes nothing

    posted = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"] and posted["done"] == preview["pending"]["key"]
    after = c.pools.get_pool(world.manager, pool)
    assert str(after.minimum_subscription) == "25000.00"
    assert after.management_fee is not None and str(after.management_fee.rate) == "0.0175"
    event = c.audit.list_events(OPERATOR, action="pool.updated")[0]
    assert event.actor_user_id == world.manager.user_id
    assert event.after is not None and set(event.after) == {"management_fee", "minimum_subscription"}
    # The same confirmation again changes nothing more.
    again = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Nothing to change" in again["result"]
    assert len(c.audit.list_events(OPERATOR, action="pool.updated")) == 1


def test_a_change_someone_else_made_meanwhile_is_kept(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    client = _client(world)
    fields = _form_values(world, pool, **{"minimum_subscription": "20000"})
    c.pools.update_pool(world.admin, pool, PoolUpdate(name="Harbour Growth Fund (renamed)"))

    preview = _act(client, "pool_settings", fields, pool_id=pool)
    assert _rows(preview["panel"]) == [["Minimum subscription", "$10,000.00", "$20,000.00"]]
    _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    after = c.pools.get_pool(world.manager, pool)
    assert after.name == "Harbour Growth Fund (renamed)" and str(after.minimum_subscription) == "20000.00"

    # Both changed the same setting: refused next to it, nothing written.
    stale = _form_values(world, pool, **{"minimum_subscription": "30000"})
    c.pools.update_pool(world.admin, pool, PoolUpdate.model_validate({"minimum_subscription": "40000"}))
    out = _act(client, "pool_settings", stale, pool_id=pool)
    errors = _field_errors(out["raw"], "pool_settings", list(stale))
    assert "someone else" in errors["minimum_subscription"] and out["pending"] is None
    assert str(c.pools.get_pool(world.manager, pool).minimum_subscription) == "40000.00"


def test_booked_settings_are_fixed_and_service_refusals_land_next_to_their_field(world: World) -> None:
    c = world.container
    body = open_pool(minimum_subscription="0.00", management_fee=OPEN_NAV_FEE)
    pool = c.pools.create_pool(world.manager, body).id
    investor = world.investor_profile(world.investor)
    c.transactions.record(
        world.manager,
        pool,
        TransactionRequest.model_validate(
            {
                "type": "subscription",
                "investor_id": investor,
                "amount": "1000.00",
                "effective_date": "2025-02-03",
            }
        ),
        "settings-test-sub",
    )
    client = _client(world)
    parts = _actions_panel(client, pool)
    for name in ("kind", "base_currency", "initial_nav_per_unit"):
        assert _field(parts, "pool_settings", name)["props"]["disabled"] is True, name
    assert not _field(parts, "pool_settings", "name")["props"].get("disabled")

    # A crafted change to a fixed setting is refused at the preview, next to the field.
    out = _act(client, "pool_settings", _form_values(world, pool, base_currency="EUR"), pool_id=pool)
    errors = _field_errors(out["raw"], "pool_settings", ["base_currency"])
    assert "entries in its books" in errors["base_currency"] and out["pending"] is None

    # The service's own rules answer at the preview already, next to the field they name ...
    wrong_basis = _form_values(world, pool, **{"management_fee.basis": "committed"})
    preview = _act(client, "pool_settings", wrong_basis, pool_id=pool)
    errors = _field_errors(preview["raw"], "pool_settings", ["management_fee.basis"])
    assert "nav" in errors["management_fee.basis"] and preview["pending"] is None
    # ... and again on a crafted confirmation that skipped it.
    crafted = {"key": "crafted", "values": wrong_basis, "pool_id": pool, "concerns": []}
    out = _act(client, "pool_settings", wrong_basis, pool_id=pool, confirm=True, pending=crafted)
    errors = _field_errors(out["raw"], "pool_settings", ["management_fee.basis"])
    assert "nav" in errors["management_fee.basis"] and "Posted" not in out["result"]

    # A rate over 100% is refused by the service already at the preview, next to its field.
    too_high = _form_values(world, pool, **{"performance_fee.rate": "150"})
    out = _act(client, "pool_settings", too_high, pool_id=pool)
    assert set(_field_errors(out["raw"], "pool_settings", list(too_high))) == {"performance_fee.rate"}
    assert out["pending"] is None
    assert c.pools.get_pool(world.manager, pool).management_fee.basis.value == "nav"  # type: ignore[union-attr]


def test_a_manager_closes_then_liquidates_a_pool(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    client = _client(world)
    preview = _act(client, "pool_status", {"status": "close"}, pool_id=pool)
    assert "Status after" in preview["panel"] and "closed" in preview["panel"]
    assert c.pools.get_pool(world.manager, pool).status is PoolStatus.OPEN
    posted = _act(
        client, "pool_status", {"status": "close"}, pool_id=pool, confirm=True, pending=preview["pending"]
    )
    assert "is now closed" in posted["result"]
    assert c.pools.get_pool(world.manager, pool).status is PoolStatus.CLOSED
    assert [
        o["value"] for o in _field(_actions_panel(client, pool), "pool_status", "status")["props"]["options"]
    ] == ["liquidate"]

    # Closing twice: refused at the preview, and by the service on a crafted confirmation.
    again = _act(client, "pool_status", {"status": "close"}, pool_id=pool)
    assert "cannot move" in json.dumps(_field_errors(again["raw"], "pool_status", ["status"]))
    forged = {"key": "forged", "values": {"status": "close"}, "pool_id": pool}
    out = _act(client, "pool_status", {"status": "close"}, pool_id=pool, confirm=True, pending=forged)
    assert "cannot close" in _field_errors(out["raw"], "pool_status", ["status"])["status"]

    preview = _act(client, "pool_status", {"status": "liquidate"}, pool_id=pool)
    _act(
        client, "pool_status", {"status": "liquidate"}, pool_id=pool, confirm=True, pending=preview["pending"]
    )
    assert c.pools.get_pool(world.manager, pool).status is PoolStatus.LIQUIDATING
    assert not any(
        c["props"].get("id") == {"type": forms.FIELD, "action": "pool_status", "field": "status"}
        for c in _actions_panel(client, pool)
    )
    assert c.audit.list_events(OPERATOR, action="pool.liquidation_started")[0].object_id == str(pool)
    # Once liquidated, the settings are final: no edit form at all.
    assert any(c["props"].get("id") == _settings_name_id() for c in _actions_panel(client, pool))
    c.pools.finish_liquidation(world.manager, pool)
    assert not any(c["props"].get("id") == _settings_name_id() for c in _actions_panel(client, pool))


def test_another_managers_pool_cannot_be_edited_or_closed(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.other_manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    client = _client(world)  # `manager`, not the pool's
    own = c.pools.create_pool(world.manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    fields = _form_values(world, own, name="Mine now")
    out = _act(client, "pool_settings", fields, pool_id=pool)
    assert "Not permitted" in out["panel"] and out["pending"] is None
    forged = {"key": "k", "values": {"status": "close"}, "pool_id": pool}
    out = _act(client, "pool_status", {"status": "close"}, pool_id=pool, confirm=True, pending=forged)
    assert "Posted" not in out["result"]
    assert c.pools.get_pool(world.other_manager, pool).status is PoolStatus.OPEN
    assert c.pools.get_pool(world.other_manager, pool).name == "Harbour Growth Fund"
    assert [c for c in _actions_panel(client, pool) if c["props"].get("id")] == []  # no forms at all


def test_only_the_pools_manager_sees_its_page(world: World) -> None:
    pool = world.container.pools.create_pool(world.other_manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    assert "Harbour Growth Fund" not in render_page(_client(world), f"/manager/pools/{pool}")
