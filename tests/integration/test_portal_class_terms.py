"""Pool terms the manager sets in the portal, through the real server, on SQLite and MariaDB:
share classes added, edited and refused in the settings and new-pool forms (row by row, the
refusal under the row it names), the management fee's NAV point, and the performance fee of a
pool without classes, previewed with its workings and then posted."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import EntryType, TransactionRequest, ValuationRequest
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.test_portal_manager import _act, _client, _field_errors
from tests.integration.test_portal_pool_settings import _actions_panel
from tests.integration.test_portal_share_classes import _launched

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _settings_fields(world: World, pool: int) -> dict[str, Any]:
    parts = _actions_panel(_client(world), pool)
    return {
        str(p["props"]["id"]["field"]): p["props"].get("value")
        for p in parts
        if isinstance(p["props"].get("id"), dict) and p["props"]["id"].get("action") == "pool_settings"
        if p["props"]["id"].get("type") == "af"
    }


def test_a_class_is_added_in_another_currency_and_its_terms_shown_before_posting(world: World) -> None:
    """The worked example's pool (A and I, booked) gets a third class in a new row: E, in
    euro, hedged, 1% and 15%, crystallising quarterly. A and I keep their codes and currency."""
    pool, _, _ = _launched(world)
    fields = _settings_fields(world, pool)
    assert (
        fields["share_classes.0.class_id"] == "A" and fields["share_classes.1.management_fee_rate"] == "0.75"
    )
    assert fields["share_classes.2.class_id"] in (None, "")  # the first new row
    fields |= {
        "share_classes.2.class_id": "E",
        "share_classes.2.name": "Euro hedged",
        "share_classes.2.currency": "EUR",
        "share_classes.2.hedged": "true",
        "share_classes.2.management_fee_rate": "1",
        "share_classes.2.performance_fee_rate": "15",
        "share_classes.2.performance_fee_crystallisation": "quarterly",
    }
    client = _client(world)
    preview = _act(client, "pool_settings", fields, pool_id=pool)
    assert preview["pending"], preview["raw"]
    assert "Euro hedged in EUR, hedged: 1% p.a. / 15% of gains" in preview["panel"], preview["panel"]
    posted = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    classes = world.container.pools.get_pool(world.manager, pool).share_classes
    e = classes[2]
    assert [c.class_id for c in classes] == ["A", "I", "E"]
    assert (e.currency, e.hedged, e.management_fee_rate, e.performance_fee_rate) == (
        "EUR",
        True,
        D("0.01"),
        D("0.15"),
    )
    assert (
        e.performance_fee_crystallisation is not None
        and e.performance_fee_crystallisation.value == "quarterly"
    )
    assert (classes[0].currency, classes[0].performance_fee_on_redemption) == (None, True)


def test_a_class_refused_is_named_under_its_row_and_nothing_changes(world: World) -> None:
    pool, _, _ = _launched(world)
    fields = _settings_fields(world, pool) | {
        "share_classes.2.class_id": "B",
        "share_classes.2.management_fee_rate": "150",  # 150%: over 100%
    }
    out = _act(_client(world), "pool_settings", fields, pool_id=pool)
    errors = _field_errors(out["raw"], "pool_settings", ["share_classes.2.management_fee_rate"])
    assert "Class B" in str(errors), out["raw"]
    assert out["pending"] in (None, {}), out["raw"]
    duplicate = _settings_fields(world, pool) | {"share_classes.2.class_id": "a"}  # codes are case-blind
    out = _act(_client(world), "pool_settings", duplicate, pool_id=pool)
    assert "Class a" in str(_field_errors(out["raw"], "pool_settings", ["share_classes.2.class_id"])), out[
        "raw"
    ]
    assert [c.class_id for c in world.container.pools.get_pool(world.manager, pool).share_classes] == [
        "A",
        "I",
    ]


def test_the_fee_on_nav_is_set_to_the_average_nav_in_the_settings_form(world: World) -> None:
    fee = {"rate": "0.02", "basis": "nav"}
    pool = world.container.pools.create_pool(world.manager, open_pool(management_fee=fee)).id
    fields = _settings_fields(world, pool)
    assert fields["management_fee.nav_point"] == ""
    fields["management_fee.nav_point"] = "average"
    client = _client(world)
    preview = _act(client, "pool_settings", fields, pool_id=pool)
    assert "Fee on which NAV" in preview["panel"], preview["raw"]
    posted = _act(client, "pool_settings", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    terms = world.container.pools.get_pool(world.manager, pool).management_fee
    assert terms is not None and terms.nav_point is not None and terms.nav_point.value == "average"


def test_a_pools_own_performance_fee_is_previewed_with_its_workings_then_posted(world: World) -> None:
    """20% over the high-water mark, no hurdle: 1,000,000.00 in at 1.000000, marked at
    1,100,000.00 (no management fee): 20% x 0.1 x 1,000,000 = 20,000.00; the NAV per unit
    after is 1.080000, the new mark."""
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(management_fee=None, performance_fee={"rate": "0.2"})).id
    investor = world.investor_profile(world.investor)
    sub = {
        "type": "subscription",
        "investor_id": investor,
        "amount": "1000000.00",
        "effective_date": "2025-01-02",
    }
    c.transactions.record(m, pool, TransactionRequest.model_validate(sub), str(uuid.uuid4()))
    mark = ValuationRequest.model_validate({"as_of": "2025-03-31", "net_asset_value": "1100000.00"})
    c.transactions.record_valuation(m, pool, mark, str(uuid.uuid4()))
    client = _client(world)
    fields = {"effective_date": "2025-03-31", "amount": "", "memo": ""}
    preview = _act(client, "performance_fee", fields, pool_id=pool)
    for shown in ("1.100000", "1.080000", "1.000000", "$20,000.00", "20% of the gain"):
        assert shown in preview["panel"], (shown, preview["panel"])
    posted = _act(client, "performance_fee", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Posted" in posted["result"], posted["raw"]
    (fee,) = c.transactions.list_transactions(m, pool, entry_type=EntryType.PERFORMANCE_FEE).entries
    assert (fee.details["amount"], fee.details["high_water_mark_after"]) == ("20000.00", "1.080000")


def test_a_new_pool_is_created_with_its_classes(world: World) -> None:
    from tests.integration.test_portal_pool_actions import _new_pool

    typed = {
        "kind": "open_ended",
        "performance_fee.rate": "",
        "share_classes.0.class_id": "R",
        "share_classes.0.management_fee_rate": "1.25",
        "share_classes.0.minimum_subscription": "1000.00",
    }
    client = _client(world)
    preview = _act(client, "create_pool", _new_pool(**typed), pool_id=None)
    assert preview["pending"] and "Share class R" in preview["panel"], preview["raw"]
    posted = _act(
        client, "create_pool", _new_pool(**typed), pool_id=None, confirm=True, pending=preview["pending"]
    )
    assert "created" in posted["result"], posted["raw"]
    (created,) = [
        p for p in world.container.pools.list_pools(world.manager).items if p.name == "Quayside Income Fund"
    ]
    (r,) = created.share_classes
    assert (r.class_id, r.management_fee_rate, r.minimum_subscription) == ("R", D("0.0125"), D("1000.00"))
