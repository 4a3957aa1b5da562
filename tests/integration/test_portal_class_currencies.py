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


def test_the_pool_page_shows_each_classs_currency_rate_and_price(world: World) -> None:
    from tests.integration.test_portal_share_classes import _body, _row
    from tests.integration.test_share_class_currencies_api import _march

    pool_id, api, _ = _launch(world)
    _march(api, pool_id)
    text = _body(world, pool_id)
    assert _row(text, "share-class-E")[:3] == ["E", "Euro", "EUR, unhedged, 0.800000 per USD 1"]
    assert _row(text, "share-class-H")[2] == "EUR, hedged, 0.800000 per USD 1"
    a = _row(text, "share-class-A")
    assert (a[2], a[4], a[5]) == ("USD", "$990,000.00", "110.000000"), a


def test_an_investors_class_price_says_its_currency_when_not_the_pools() -> None:
    from decimal import Decimal

    from ledger.interface import PositionOut
    from portal.investor.data import _class_price

    euro = PositionOut.model_construct(nav_per_unit=Decimal("97.777778"), nav_per_unit_currency="EUR")
    dollar = PositionOut.model_construct(nav_per_unit=Decimal("110.000000"), nav_per_unit_currency=None)
    assert (_class_price(euro), _class_price(dollar)) == ("97.777778 EUR", "110.000000")
