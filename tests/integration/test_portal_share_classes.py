"""Share classes in the portal, through the real server, on SQLite and MariaDB: the manager's
subscription and performance fee name the class from a picker a pool with classes alone shows,
a class left out is named under its field, the pool page shows each class's figures and the
investor sees the class they hold and its price, never another class's.

The figures are those of tests/integration/test_share_classes_api.py's worked example: Ana
Example 500,000.00 in A (retail, 1.5% / 20%) and Bea 1,500,000.00 in I (institutional, 0.75% /
10%) on 2 January 2025 at 100, the pool marked at 2,200,000.00 on 31 March 2025: A 547,988.36
over 5,000 units, 109.597672 a unit; I 1,646,982.53 over 15,000 units, 109.798835."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from plotly.utils import PlotlyJSONEncoder

from backend.composition.container import Container
from backend.seed.demo_share_classes import CLASSES  # the worked example, as the demo posts it
from ledger.interface import EntryType, TransactionRequest, ValuationRequest
from portal.manager.pages import pool as page
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.portal_support import components
from tests.integration.test_portal_investor import _content
from tests.integration.test_portal_manager import _act, _client, _field_errors
from tests.integration.test_portal_pool_settings import _actions_panel, _field

LAUNCH = "2025-01-02"
MARKED = "2025-03-31"


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _classed_pool(world: World) -> int:
    body = open_pool(performance_fee=None, minimum_subscription="0.00", share_classes=CLASSES)
    return world.container.pools.create_pool(world.manager, body).id


def _subscribe(world: World, pool: int, investor: int, amount: str, share_class: str) -> None:
    request = TransactionRequest.model_validate(
        {
            "type": "subscription",
            "investor_id": investor,
            "amount": amount,
            "share_class": share_class,
            "effective_date": LAUNCH,
        }
    )
    world.container.transactions.record(world.manager, pool, request, str(uuid.uuid4()))


def _launched(world: World, *, marked: bool = True) -> tuple[int, int, int]:
    """The worked example's pool: (pool, Ana Example in A, Bea in I), marked on 31 March."""
    pool = _classed_pool(world)
    ana = world.investor_profile(world.investor)
    bea = world.investor_profile(world.other_investor, name="Bea Pension Trust")
    _subscribe(world, pool, ana, "500000.00", "A")
    _subscribe(world, pool, bea, "1500000.00", "I")
    if marked:
        mark = ValuationRequest.model_validate({"as_of": MARKED, "net_asset_value": "2200000.00"})
        world.container.transactions.record_valuation(world.manager, pool, mark, str(uuid.uuid4()))
    return pool, ana, bea


def _field_ids(parts: list[dict[str, Any]], action: str) -> list[str]:
    return [
        str(p["props"]["id"]["field"])
        for p in parts
        if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("action") == action
        if p["props"]["id"].get("type") == "af"
    ]


def test_the_class_picker_is_offered_only_in_a_pool_with_classes(world: World) -> None:
    client = _client(world)
    classed = _classed_pool(world)
    parts = _actions_panel(client, classed)
    picker = _field(parts, "subscription", "share_class")["props"]
    assert [(o["value"], o["label"]) for o in picker["options"]] == [
        ("", "Choose a class (a top-up keeps the investor's own)"),
        ("A", "A — Retail (1.5% / 20%)"),
        ("I", "I — Institutional (0.75% / 10%)"),
    ]
    assert picker["value"] == ""  # nothing chosen for the manager
    assert _field_ids(parts, "subscription")[:2] == ["investor_id", "share_class"]
    assert _field_ids(parts, "performance_fee") == ["share_class", "effective_date", "memo"]
    fee_tab = next(p for p in parts if p["type"] == "Tab" and p["props"]["tab_id"] == "fees")
    assert "form-performance_fee" in json.dumps(fee_tab)

    # A pool without classes charges its own performance fee: no picker, an amount it may give.
    plain = world.container.pools.create_pool(world.manager, open_pool()).id
    parts = _actions_panel(client, plain)
    assert _field_ids(parts, "subscription") == ["investor_id", "amount", "effective_date", "memo"]
    assert _field_ids(parts, "performance_fee") == ["effective_date", "amount", "memo"]


def test_the_class_chosen_reaches_the_posted_subscription(world: World) -> None:
    c = world.container
    pool, ana, _ = _launched(world, marked=False)
    zeta = world.named_investor("Zeta Family")
    client = _client(world)
    fields = {"investor_id": str(zeta), "share_class": "I", "amount": "1000000", "effective_date": LAUNCH}
    fields["memo"] = ""
    preview = _act(client, "subscription", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    assert "Share class" in preview["panel"] and '"I"' in preview["panel"]
    assert "100.000000" in preview["panel"] and "10,000.000000" in preview["panel"]
    posted = _act(client, "subscription", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    entries = c.transactions.list_transactions(world.manager, pool, entry_type=EntryType.SUBSCRIPTION).entries
    mine = [e for e in entries if e.details.get("investor_id") == zeta]
    assert [e.details["share_class"] for e in mine] == ["I"]
    # A top-up names no class: the investor stays in its own, and the preview says which.
    top_up = {"investor_id": str(ana), "share_class": "", "amount": "100", "effective_date": LAUNCH}
    again = _act(client, "subscription", {**top_up, "memo": ""}, pool_id=pool)
    assert again["pending"] and "Share class" in again["panel"] and '"A"' in again["panel"], again["raw"]


def test_a_class_left_out_is_named_under_its_field(world: World) -> None:
    c = world.container
    pool, _, _ = _launched(world)
    zeta = world.named_investor("Zeta Family")
    client = _client(world)
    version = c.ledger.ledger_version(pool)
    fields = {"investor_id": str(zeta), "share_class": "", "amount": "5000", "effective_date": MARKED}
    fields["memo"] = ""
    out = _act(client, "subscription", fields, pool_id=pool)
    errors = _field_errors(out["raw"], "subscription", list(fields))
    assert list(errors) == ["share_class"] and errors["share_class"], out["raw"]
    assert out["pending"] is None
    # Below the class's own minimum: named under the amount, with the class in the words.
    small = _act(client, "subscription", {**fields, "share_class": "I"}, pool_id=pool)
    errors = _field_errors(small["raw"], "subscription", list(fields))
    assert list(errors) == ["amount"] and "class I" in errors["amount"], small["raw"]

    fee = {"share_class": "", "effective_date": MARKED, "memo": ""}
    unnamed = _act(client, "performance_fee", fee, pool_id=pool)
    errors = _field_errors(unnamed["raw"], "performance_fee", list(fee))
    assert list(errors) == ["share_class"] and unnamed["pending"] is None, unnamed["raw"]
    assert c.ledger.ledger_version(pool) == version


def test_the_performance_fee_of_one_class_is_previewed_then_posted(world: World) -> None:
    """A's fee: 20% of (109.597672 - 100) x 5,000 = 9,597.67; its mark moves to 107.678138."""
    c = world.container
    pool, ana, _ = _launched(world)
    client = _client(world)
    fields = {"share_class": "A", "effective_date": MARKED, "memo": "Q1 crystallisation"}
    preview = _act(client, "performance_fee", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    for shown in ("109.597672", "107.678138", "100.000000", "$9,597.67"):
        assert shown in preview["panel"], shown
    # A confirmation forged by another manager or an investor posts nothing (the portal's
    # authorisation matrix leaves this action to this test: its estate has no classed pool).
    for who in ("other_manager", "investor"):
        forged = _act(
            _client(world, who),
            "performance_fee",
            fields,
            pool_id=pool,
            confirm=True,
            pending={"key": str(uuid.uuid4()), "values": fields, "pool_id": pool},
        )
        assert forged["done"] is None and "Posted" not in forged["result"], (who, forged["raw"])
    assert (
        c.transactions.list_transactions(world.manager, pool, entry_type=EntryType.PERFORMANCE_FEE).entries
        == []
    )
    posted = _act(client, "performance_fee", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"] and "class A" in posted["result"], posted["raw"]
    fees = c.transactions.list_transactions(world.manager, pool, entry_type=EntryType.PERFORMANCE_FEE).entries
    assert [(e.details["share_class"], e.details["amount"]) for e in fees] == [("A", "9597.67")]
    assert fees[0].details["allocation"] == {str(ana): "9597.67"}


def test_the_valuation_preview_shows_each_classs_price(world: World) -> None:
    pool, _, _ = _launched(world, marked=False)
    fields = {"as_of": MARKED, "net_asset_value": "2200000", "memo": ""}
    preview = _act(_client(world), "valuation", fields, pool_id=pool)
    panel = preview["panel"]
    assert "effect-valuation-classes" in panel and "NAV per unit after" not in panel, panel
    for shown in (
        "5,000.000000",
        "$547,988.36",
        "109.597672",
        "15,000.000000",
        "$1,646,982.53",
        "109.798835",
    ):
        assert shown in panel, shown


def _body(world: World, pool: int) -> str:
    client = _client(world)
    with client.application.test_request_context():
        body = page.pool_body(world.manager, pool, 1, date.today())
    return json.dumps(body, cls=PlotlyJSONEncoder, ensure_ascii=False)


def _row(text: str, ident: str) -> list[Any]:
    """The cells of the table row with `ident`, from the page's JSON."""
    row = next(c for c in components(json.loads(text)) if c["props"].get("id") == ident)
    return [cell["props"]["children"] for cell in row["props"]["children"]]


def test_the_pool_page_shows_each_class_and_no_one_pool_price(world: World) -> None:
    pool, ana, bea = _launched(world)
    text = _body(world, pool)
    assert "share-classes-table" in text and "stat-classes" in text and "stat-navpu" not in text
    assert _row(text, "share-class-A") == [
        "A",
        "Retail",
        "5,000.000000",
        "$547,988.36",
        "109.597672",
        "1",
        "1.50%",
        "20.00%",
        "100.000000",
    ]
    assert _row(text, "share-class-I") == [
        "I",
        "Institutional",
        "15,000.000000",
        "$1,646,982.53",
        "109.798835",
        "1",
        "0.75%",
        "10.00%",
        "100.000000",
    ]
    found = [c for c in components(json.loads(text)) if c["props"].get("id") == "investors-grid"]
    columns = [col["field"] for col in found[0]["props"]["columnDefs"]]
    assert columns[:3] == ["investor", "investor_id", "share_class"]
    held = {row["investor_id"]: row["share_class"] for row in found[0]["props"]["rowData"]}
    assert held == {ana: "A", bea: "I"}

    plain = world.container.pools.create_pool(world.manager, open_pool()).id
    text = _body(world, plain)
    assert "share-classes-table" not in text and "stat-navpu" in text and '"share_class"' not in text


def _dashboard(world: World, who: str) -> str:
    """The investor dashboard's content as text, its dashes as written (not escaped)."""
    return json.dumps(json.loads(_content(_client(world, who))), ensure_ascii=False)


def test_an_investor_sees_their_own_class_and_its_price_only(world: World) -> None:
    pool, _, _ = _launched(world)
    mine = _dashboard(world, "investor")
    assert f"holding-{pool}" in mine
    assert "A — Retail" in mine and "109.597672" in mine
    assert "Institutional" not in mine and "109.798835" not in mine
    theirs = _dashboard(world, "other_investor")
    assert "I — Institutional" in theirs and "109.798835" in theirs
    assert "Retail" not in theirs and "109.597672" not in theirs


def test_editing_a_classed_pools_name_keeps_its_classes(world: World) -> None:
    pool, _, _ = _launched(world)
    client = _client(world)
    parts = _actions_panel(client, pool)
    fields = {
        str(p["props"]["id"]["field"]): p["props"].get("value")
        for p in parts
        if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("action") == "pool_settings"
        if p["props"]["id"].get("type") == "af"
    }
    fields["name"] = "Harbour Classes Fund"
    preview = _act(client, "pool_settings", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    posted = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    after = world.container.pools.get_pool(world.manager, pool)
    assert after.name == "Harbour Classes Fund" and [k.class_id for k in after.share_classes] == ["A", "I"]
