"""The investor picker of the manager's forms through the real server, on SQLite and MariaDB:
it starts with the first page of investors, its search callback asks the investor service as
the signed-in user, offers only whom the form may name, keeps the current choice, and gives
nothing to someone who may not act on the pool."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.investors.interface import InvestorCreate, InvestorUpdate, KycStatus
from ledger.interface import TransactionRequest
from portal.components import forms
from portal.manager.actions.picker import PICKER_LIMIT
from tests.integration.auth_support import create_user
from tests.integration.pools_support import (
    World,
    closed_pool,
    make_world,
    open_pool,
)
from tests.integration.portal_support import components, csrf_cookie
from tests.integration.test_portal_manager import _client


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _investor(world: World, name: str, kyc: KycStatus = KycStatus.APPROVED) -> int:
    c = world.container
    user_id = create_user(c, f"{name.lower().replace(' ', '.')}@picker.test")
    investor_id = c.investors.create_investor(
        world.manager,
        InvestorCreate.model_validate(
            {"user_id": user_id, "legal_name": name, "investor_type": "entity", "country": "GB"}
        ),
    ).id
    if kyc is not KycStatus.PENDING:
        c.investors.update_investor(world.manager, investor_id, InvestorUpdate(kyc_status=kyc))
    return investor_id


def _picker(action: str) -> dict[str, str]:
    return {"type": forms.FIELD, "action": action, "field": "investor_id"}


def _search(
    client: FlaskClient, action: str, text: str | None, pool_id: int | None, selected: str | None = None
) -> Any:
    """POST the picker's search callback as dash-renderer does: its options, or None (204)."""
    app = client.application.extensions["portal_dash"]
    client.get("/_dash-dependencies")
    output = next(k for k in app.callback_map if k.endswith(".options") and "investor_id" in k)
    ident = _picker(action)
    key = json.dumps(ident, sort_keys=True, separators=(",", ":"))
    response = client.post(
        "/_dash-update-component",
        json={
            "output": output,
            "outputs": {"id": ident, "property": "options"},
            "inputs": [{"id": ident, "property": "search_value", "value": text}],
            "state": [
                {"id": ident, "property": "value", "value": selected},
                {"id": "pool-id", "property": "data", "value": pool_id},
            ],
            "changedPropIds": [f"{key}.search_value"],
        },
        headers={"X-CSRFToken": csrf_cookie(client)},
    )
    if response.status_code == 204:
        return None
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response.get_json()["response"][key]["options"]


def _labels(options: list[dict[str, str]]) -> list[str]:
    return [o["label"] for o in options]


def _actions(client: FlaskClient, pool_id: int) -> list[dict[str, Any]]:
    client.get("/_dash-dependencies")
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
    assert response.status_code == 200
    return components(response.get_json()["response"]["pool-actions"]["children"])


def test_the_picker_is_a_searchable_dropdown_starting_with_the_first_page(world: World) -> None:
    pool = world.container.pools.create_pool(world.manager, open_pool()).id
    ids = [_investor(world, f"Harbour Office {k:02d}") for k in range(PICKER_LIMIT + 3)]
    parts = _actions(_client(world), pool)
    picker = next(c for c in parts if c["props"].get("id") == _picker("subscription"))
    assert picker["type"] == "Dropdown" and picker["props"]["searchable"] is True
    values = [o["value"] for o in picker["props"]["options"]]
    assert values == [str(i) for i in ids[:PICKER_LIMIT]]  # not the whole book
    label = next(
        c
        for c in parts
        if c["type"] == "Label" and c["props"].get("html_for") == forms.dom_id(_picker("subscription"))
    )
    assert label["props"]["children"] == "Investor *"
    assert any("type part of a name" in str(c["props"].get("children")) for c in parts if c["type"] == "Div")
    # The error slot next to it is where the service's investor_id errors land.
    assert any(
        c["props"].get("id") == {"type": forms.ERROR, "action": "subscription", "field": "investor_id"}
        for c in parts
    )


def test_a_search_finds_approved_investors_beyond_the_first_page(world: World) -> None:
    pool = world.container.pools.create_pool(world.manager, open_pool()).id
    for k in range(PICKER_LIMIT + 5):
        _investor(world, f"Meridian Trust {k:02d}")
    okafor = _investor(world, "Okafor Family Office")
    _investor(world, "Okafor Pending Holdings", KycStatus.PENDING)
    _investor(world, "Okafor Rejected Ltd", KycStatus.REJECTED)
    client = _client(world)

    assert _labels(_search(client, "subscription", "OKAFOR", pool)) == [f"Okafor Family Office (#{okafor})"]
    assert _labels(_search(client, "subscription", f"#{okafor}", pool)) == [
        f"Okafor Family Office (#{okafor})"
    ]
    assert len(_search(client, "subscription", "meridian", pool)) == PICKER_LIMIT
    assert _search(client, "subscription", "nobody by that name", pool) == []
    # The current choice stays among the options, so the dropdown keeps it.
    kept = _search(client, "subscription", "okafor", pool, selected=str(okafor + 10_000_000))
    assert _labels(kept) == [f"Okafor Family Office (#{okafor})"]  # an id nobody has is not invented
    first = _search(client, "subscription", "trust 03", pool, selected=str(okafor))
    assert first[0] == {"label": f"Okafor Family Office (#{okafor})", "value": str(okafor)}
    assert len(first) == 2 and _labels(first)[1].startswith("Meridian Trust 03 (#")
    # An emptied search (a choice made, the menu closed) leaves the options as they are.
    assert (
        _search(client, "subscription", "", pool) is None
        and _search(client, "subscription", None, pool) is None
    )
    assert _search(client, "subscription", "x" * 101, pool) == []  # refused by the service: nothing


def test_each_form_offers_whom_it_may_name(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    holder = _investor(world, "Ashford Holder")
    _investor(world, "Ashford Not Holding")
    pending = _investor(world, "Ashford Pending", KycStatus.PENDING)
    c.transactions.record(
        world.manager,
        pool,
        TransactionRequest.model_validate(
            {
                "type": "subscription",
                "investor_id": holder,
                "amount": "1000.00",
                "effective_date": "2025-02-03",
            }
        ),
        "picker-sub",
    )
    client = _client(world)
    assert _labels(_search(client, "redemption", "ashford", pool)) == [f"Ashford Holder (#{holder})"]
    assert _labels(_search(client, "redemption", f"#{holder}", pool)) == [f"Ashford Holder (#{holder})"]
    assert len(_search(client, "subscription", "ashford", pool)) == 2
    # The KYC review sits on the Pools page, with no pool: pending investors only.
    assert _labels(_search(client, "kyc", "ashford", None)) == [f"Ashford Pending (#{pending})"]
    closed = c.pools.create_pool(world.manager, closed_pool()).id
    assert len(_search(client, "commitment", "ashford", closed)) == 2
    assert _search(client, "valuation", "ashford", pool) == []  # a form without a picker


def test_someone_who_may_not_act_on_the_pool_gets_nothing(world: World) -> None:
    c = world.container
    theirs = c.pools.create_pool(world.other_manager, open_pool()).id
    _investor(world, "Okafor Family Office")
    manager = _client(world)
    assert _search(manager, "subscription", "okafor", theirs) == []
    assert _search(manager, "subscription", "okafor", None) == []
    investor = _client(world, "investor")
    own = c.pools.create_pool(world.manager, open_pool()).id
    assert _search(investor, "subscription", "okafor", own) == []
    assert _search(investor, "kyc", "okafor", None) == []
    assert _search(_client(world, "analyst"), "kyc", "okafor", None) == []
