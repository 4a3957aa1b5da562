"""The performance fee of an open-ended pool without share classes, through the real server, on
SQLite and MariaDB: its terms' fee (or an amount given) is previewed with its workings, then
posted; a date off the crystallisation schedule and a pool without terms and without an amount
are named under their field; a closed-ended pool has no such form.

Ana Example buys 100,000 units at 1.000000 on 2 January 2025 and the pool is marked at
120,000.00 on 31 March 2025: 20% of the 0.20 gain a unit is 4,000.00, NAV per unit 1.160000."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import EntryType, TransactionRequest, ValuationRequest
from tests.integration.pools_support import World, closed_pool, make_world, open_pool
from tests.integration.test_portal_manager import _act, _client, _field_errors
from tests.integration.test_portal_pool_settings import _actions_panel, _rows

MARKED = "2025-03-31"


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _marked(world: World, nav: str = "120000.00", **terms: Any) -> int:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00", **terms)).id
    investor = world.investor_profile(world.investor)
    deal = {
        "type": "subscription",
        "investor_id": investor,
        "amount": "100000.00",
        "effective_date": "2025-01-02",
    }
    c.transactions.record(world.manager, pool, TransactionRequest.model_validate(deal), str(uuid.uuid4()))
    mark = ValuationRequest.model_validate({"as_of": MARKED, "net_asset_value": nav})
    c.transactions.record_valuation(world.manager, pool, mark, str(uuid.uuid4()))
    return pool


def _fees(world: World, pool: int) -> list[dict[str, Any]]:
    entries = world.container.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.PERFORMANCE_FEE
    ).entries
    return [e.details for e in entries]


def _fee_fields(world: World, pool: int) -> list[str]:
    return [
        str(p["props"]["id"]["field"])
        for p in _actions_panel(_client(world), pool)
        if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("action") == "performance_fee"
        if p["props"]["id"].get("type") == "af"
    ]


def test_the_terms_fee_is_previewed_with_its_workings_then_posted(world: World) -> None:
    pool = _marked(world)
    assert _fee_fields(world, pool) == ["effective_date", "amount", "memo"]
    client = _client(world)
    fields = {"effective_date": MARKED, "amount": "", "memo": "Q1"}
    preview = _act(client, "performance_fee", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    assert _rows(preview["panel"]) == [
        ["NAV per unit before", "1.200000"],
        ["NAV per unit after", "1.160000"],
        ["High-water mark before", "1.000000"],
        ["High-water mark after", "1.160000"],
        ["Hurdle", "none"],
        ["Rate", "20% of the gain"],
        ["Paid to the manager", "$4,000.00"],
    ]
    assert _fees(world, pool) == []
    posted = _act(client, "performance_fee", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"] and "of class" not in posted["result"], posted["raw"]
    (fee,) = _fees(world, pool)
    assert fee["amount"] == "4000.00" and fee["high_water_mark_after"] == "1.160000"


def test_a_hurdle_and_its_schedule_are_the_terms(world: World) -> None:
    terms = {"rate": "0.2", "hurdle_rate": "0.05", "crystallisation": "quarterly"}
    pool = _marked(world, performance_fee=terms)
    client = _client(world)
    off = {"effective_date": "2025-04-15", "amount": None, "memo": ""}  # after the mark, mid-quarter
    refused = _act(client, "performance_fee", off, pool_id=pool)
    errors = _field_errors(refused["raw"], "performance_fee", list(off))
    assert list(errors) == ["effective_date"] and "quarterly" in errors["effective_date"], errors
    assert refused["pending"] is None

    on = {**off, "effective_date": MARKED}
    preview = _act(client, "performance_fee", on, pool_id=pool)
    rows = dict((r[0], r[1]) for r in _rows(preview["panel"]))
    assert rows["Hurdle"] == "hard, 5% a year since 2025-01-01", rows
    posted = _act(client, "performance_fee", on, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    (fee,) = _fees(world, pool)
    # The hurdle takes its share of the gain: less than the 4,000.00 a fee without one charges.
    assert rows["Paid to the manager"] == f"${float(fee['amount']):,.2f}" and fee["amount"] < "4000.00"


def test_a_pool_without_terms_charges_the_amount_given(world: World) -> None:
    pool = _marked(world, performance_fee=None)
    client = _client(world)
    fields = {"effective_date": MARKED, "amount": "", "memo": ""}
    missing = _act(client, "performance_fee", fields, pool_id=pool)
    errors = _field_errors(missing["raw"], "performance_fee", list(fields))
    assert list(errors) == ["amount"] and "no performance fee terms" in errors["amount"], errors

    given = {**fields, "amount": 1500}
    preview = _act(client, "performance_fee", given, pool_id=pool)
    rows = dict((r[0], r[1]) for r in _rows(preview["panel"]))
    assert rows["Paid to the manager"] == "$1,500.00" and rows["NAV per unit after"] == "1.185000", rows
    assert rows["Hurdle"] == "none: the amount is as given" and "Rate" not in rows
    posted = _act(client, "performance_fee", given, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    assert [f["amount"] for f in _fees(world, pool)] == ["1500.00"]


def test_nothing_due_is_said_above_the_form(world: World) -> None:
    pool = _marked(world, nav="100000.00")
    fields = {"effective_date": MARKED, "amount": "", "memo": ""}
    out = _act(_client(world), "performance_fee", fields, pool_id=pool)
    assert out["pending"] is None and _field_errors(out["raw"], "performance_fee", list(fields)) == {}
    assert "no performance fee is due" in out["panel"] and '"type:' not in out["panel"], out["raw"]
    assert _fees(world, pool) == []


def test_a_closed_ended_pool_has_no_performance_fee_form(world: World) -> None:
    pool = world.container.pools.create_pool(world.manager, closed_pool()).id
    assert _fee_fields(world, pool) == []
    assert "form-performance_fee" not in json.dumps(_actions_panel(_client(world), pool))
