"""The share class rows of the manager's settings and new-pool forms, through the real server,
on SQLite and MariaDB: a row per class, prefilled, rates in percent, empty rows for new classes
and none in a closed-ended pool; a class edited, one added and one removed in one preview; the
pool service's refusals land under the form row they name (rows removed or left empty skipped
by the service's numbering), saying which class, and change nothing; a booked class stays.
test_portal_class_terms.py adds a class in another currency and the pool's own fee form."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.composition.container import Container
from portal.components import forms
from portal.manager.actions.forms import create_pool_form
from tests.integration.pools_support import World, closed_pool, make_world, open_pool
from tests.integration.test_portal_manager import _act, _client, _field_errors
from tests.integration.test_portal_pool_settings import _actions_panel, _rows
from tests.integration.test_portal_share_classes import _classed_pool, _launched


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _form(client: FlaskClient, pool: int) -> dict[str, Any]:
    """The settings form's fields as the pool page opens it: {field: value}."""
    return {
        str(p["props"]["id"]["field"]): p["props"].get("value")
        for p in _actions_panel(client, pool)
        if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("action") == "pool_settings"
        if p["props"]["id"].get("type") == forms.FIELD
    }


def _disabled(client: FlaskClient, pool: int) -> set[str]:
    return {
        str(p["props"]["id"]["field"])
        for p in _actions_panel(client, pool)
        if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("type") == forms.FIELD
        if p["props"]["id"].get("action") == "pool_settings" and p["props"].get("disabled")
    }


def test_the_settings_form_has_a_row_per_class_and_empty_rows_for_new_ones(world: World) -> None:
    client = _client(world)
    form = _form(client, _classed_pool(world))
    a = {k.removeprefix("share_classes.0."): v for k, v in form.items() if k.startswith("share_classes.0.")}
    assert a == {
        "class_id": "A",
        "name": "Retail",
        "currency": None,
        "hedged": "false",
        "management_fee_rate": "1.5",
        "performance_fee_rate": "20",
        "performance_fee_crystallisation": "",
        "performance_fee_on_redemption": "true",
        "minimum_subscription": "1000.00",
        "minimum_subsequent_subscription": "100.00",
        "initial_nav_per_unit": "100.000000",
        "remove": "false",
    }
    assert form["share_classes.1.class_id"] == "I" and form["share_classes.1.management_fee_rate"] == "0.75"
    assert form["share_classes.2.class_id"] is None and form["share_classes.3.class_id"] is None
    assert "share_classes.2.remove" not in form and "share_classes.4.class_id" not in form
    # A pool without classes may start issuing them; a closed-ended pool never does.
    plain = world.container.pools.create_pool(world.manager, open_pool()).id
    assert sorted(k for k in _form(client, plain) if k.endswith(".class_id")) == [
        "share_classes.0.class_id",
        "share_classes.1.class_id",
    ]
    closed = world.container.pools.create_pool(world.manager, closed_pool()).id
    assert not [k for k in _form(client, closed) if k.startswith("share_classes")]


def test_a_manager_edits_adds_and_removes_classes_previewing_each_change(world: World) -> None:
    c = world.container
    pool = _classed_pool(world)
    client = _client(world)
    fields = _form(client, pool)
    fields["share_classes.0.management_fee_rate"] = "1.25"
    fields["share_classes.1.remove"] = "true"
    fields |= {
        "share_classes.2.class_id": "R",
        "share_classes.2.name": "Founders",
        "share_classes.2.management_fee_rate": 1,
        "share_classes.2.performance_fee_rate": "15",
        "share_classes.2.minimum_subscription": "5000",
    }
    preview = _act(client, "pool_settings", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    rows = _rows(preview["panel"])
    assert ["Class A: Management fee (% p.a.)", "1.5%", "1.25%"] in rows
    assert [r[0] for r in rows if r[-1] == "removed"] == ["Share class I"]
    assert [
        "Share class R",
        "none",
        "R — Founders: 1% p.a. / 15% of gains, from $5,000.00 (top-ups $0.00), "
        "launch NAV per unit the pool's",
    ] in rows
    assert c.pools.get_pool(world.manager, pool).share_classes[1].class_id == "I"  # a preview writes nothing

    posted = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"] and "share classes updated" in posted["result"], posted["raw"]
    after = {k.class_id: k for k in c.pools.get_pool(world.manager, pool).share_classes}
    assert list(after) == ["A", "R"]
    assert after["A"].management_fee_rate == Decimal("0.0125") and after["A"].name == "Retail"
    assert after["A"].minimum_subscription == Decimal("1000.00")
    assert after["R"].performance_fee_rate == Decimal("0.15") and after["R"].initial_nav_per_unit is None


@pytest.mark.parametrize(
    ("typed", "field", "says"),
    [
        # A removed first: the service's share_classes[0] is the form's second row.
        (
            {"share_classes.0.remove": "true", "share_classes.1.management_fee_rate": "150"},
            "share_classes.1.management_fee_rate",
            "Class I, management fee (% p.a.): must be between 0% and 100%, got 150%",
        ),
        (
            {"share_classes.2.class_id": "a", "share_classes.2.name": "Again"},
            "share_classes.2.class_id",
            "Class a, code: 'a' appears twice",
        ),
        (
            {"share_classes.3.class_id": "I EUR"},
            "share_classes.3.class_id",
            "Class I EUR, code: up to 16 letters",
        ),
        (
            {"share_classes.2.name": "Unnamed"},
            "share_classes.2.class_id",
            "give the class a code",
        ),
        (
            {"management_fee.rate": "1"},
            "management_fee.rate",
            "a pool with share classes charges each class's own management_fee_rate",
        ),
    ],
)
def test_a_refused_class_is_named_under_its_row_and_nothing_changes(
    world: World, typed: dict[str, Any], field: str, says: str
) -> None:
    pool = _classed_pool(world)
    client = _client(world)
    before = world.container.pools.get_pool(world.manager, pool)
    fields = {**_form(client, pool), **typed}
    out = _act(client, "pool_settings", fields, pool_id=pool)
    errors = _field_errors(out["raw"], "pool_settings", list(fields))
    assert list(errors) == [field] and says in errors[field], errors
    assert out["pending"] is None
    # A confirmation of the same values (as a stale browser would send) is refused the same way.
    pending = {"key": str(uuid.uuid4()), "values": fields, "pool_id": pool}
    forced = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=pending)
    assert forced["done"] is None and "Posted" not in forced["result"], forced["raw"]
    assert world.container.pools.get_pool(world.manager, pool) == before


def test_once_booked_a_class_is_kept_and_a_new_one_may_be_added(world: World) -> None:
    c = world.container
    pool, _, _ = _launched(world, marked=False)
    client = _client(world)
    assert {"share_classes.0.class_id", "share_classes.0.remove", "share_classes.1.remove"} <= _disabled(
        client, pool
    )
    fields = _form(client, pool)
    version = c.ledger.ledger_version(pool)
    removed = _act(client, "pool_settings", {**fields, "share_classes.1.remove": "true"}, pool_id=pool)
    assert removed["pending"] is None
    assert "Share classes: cannot remove class I once the pool has entries" in removed["panel"], removed[
        "raw"
    ]

    added = {**fields, "share_classes.2.class_id": "S", "share_classes.2.management_fee_rate": "0.5"}
    preview = _act(client, "pool_settings", added, pool_id=pool)
    assert preview["pending"], preview["raw"]
    posted = _act(client, "pool_settings", added, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    classes = c.pools.get_pool(world.manager, pool).share_classes
    assert [(k.class_id, k.management_fee_rate) for k in classes][2] == ("S", Decimal("0.005"))
    assert [k.class_id for k in classes] == ["A", "I", "S"] and c.ledger.ledger_version(pool) == version


def _new_pool(**typed: Any) -> dict[str, Any]:
    fields = {f.name: f.default for f in create_pool_form(date.today()).fields}
    return {**fields, "name": "Quayside Classes Fund", **typed}


RETAIL = {
    "share_classes.0.class_id": "A",
    "share_classes.0.name": "Retail",
    "share_classes.0.management_fee_rate": "1.5",
    "share_classes.0.performance_fee_rate": "20",
    "share_classes.0.minimum_subscription": "1000",
}


def test_a_new_pool_gets_a_class_from_each_filled_row(world: World) -> None:
    c = world.container
    client = _client(world)
    fields = _new_pool(
        **RETAIL, **{"share_classes.1.class_id": "I", "share_classes.1.initial_nav_per_unit": "10"}
    )
    preview = _act(client, "create_pool", fields, pool_id=None)
    assert preview["pending"], preview["raw"]
    rows = _rows(preview["panel"])
    assert [r[0] for r in rows if r[0].startswith("Share class")] == ["Share class A", "Share class I"]
    assert any(r[1].startswith("A — Retail: 1.5% p.a. / 20% of gains, from $1,000.00") for r in rows)
    posted = _act(client, "create_pool", fields, pool_id=None, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    (pool,) = c.pools.list_pools(world.manager).items
    assert [(k.class_id, k.management_fee_rate, k.initial_nav_per_unit) for k in pool.share_classes] == [
        ("A", Decimal("0.015"), None),
        ("I", Decimal("0"), Decimal("10")),
    ]


@pytest.mark.parametrize(
    ("typed", "field", "says"),
    [
        (
            {"share_classes.1.class_id": "I", "share_classes.1.performance_fee_rate": "120"},
            "share_classes.1.performance_fee_rate",
            "Class I, performance fee (% of gains): must be between 0% and 100%, got 120%",
        ),
        ({"kind": "closed_ended"}, "form", "Share classes: only an open-ended pool issues share classes"),
    ],
)
def test_a_new_pools_refused_class_is_named_and_no_pool_is_made(
    world: World, typed: dict[str, Any], field: str, says: str
) -> None:
    fields = _new_pool(**RETAIL, **typed)
    out = _act(_client(world), "create_pool", fields, pool_id=None)
    errors = _field_errors(out["raw"], "create_pool", list(fields))
    if field == "form":
        assert errors == {} and says in out["panel"], out["raw"]
    else:
        assert list(errors) == [field] and says in errors[field], errors
    assert out["pending"] is None and world.container.pools.list_pools(world.manager).items == []
