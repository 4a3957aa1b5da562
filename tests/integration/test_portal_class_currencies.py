"""The manager's portal for a pool with share classes in another currency: the valuation form
asks for the day's rate of each class currency and each hedged class's hedge result, and its
preview shows them with each class's price (the pool of test_share_class_currencies_api)."""

from __future__ import annotations

from datetime import date

import pytest

from backend.composition.container import Container
from portal.manager.actions.class_currencies import with_class_currencies
from portal.manager.actions.forms import pool_forms
from tests.integration.pools_support import World, make_world
from tests.integration.test_portal_manager import _act, _client
from tests.integration.test_share_class_currencies_api import _launch


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_the_valuation_form_asks_for_each_rate_and_hedge_and_previews_them(world: World) -> None:
    pool_id, _, _ = _launch(world)
    pool = world.container.pools.get_pool(world.manager, pool_id)
    client = _client(world)
    with client.application.app_context():
        specs = with_class_currencies(pool_forms(world.manager, "open_ended", date(2025, 3, 31)), pool)
    valuation = next(s for s in specs if s.action == "valuation")
    names = [f.name for f in valuation.fields]
    assert names[-3:] == ["fx_rates.EUR", "hedge_results.H", "memo"], names
    assert next(f for f in valuation.fields if f.name == "fx_rates.EUR").label == "EUR per USD 1"

    fields = {
        "as_of": "2025-03-31",
        "net_asset_value": "1222500.00",
        "fx_rates.EUR": "0.80",
        "hedge_results.H": "12500.00",
        "memo": "",
    }
    panel = _act(client, "valuation", fields, pool_id=pool_id)["panel"]
    assert "EUR per USD 1" in panel and "Hedge result, class H (its own)" in panel and "$12,500.00" in panel
    assert "97.777778" in panel and "108.888889" in panel, panel
    missing = _act(client, "valuation", fields | {"fx_rates.EUR": ""}, pool_id=pool_id)
    # Refused with the service's words, and nothing previewed.
    assert "missing EUR" in str(missing) and "97.777778" not in str(missing["panel"]), missing
