"""The pool page's action area through the real server, on SQLite and MariaDB: the forms sit in
tabs, Preview runs the services' own checks and names the field in plain words, rates are typed
in percent and reach the service as exact fractions, unusual values are posted only after an
explicit "Post anyway", a reason still being typed counts, and the ledger's refusal of a
redemption too large names the investor, the pool and both quantities."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import TransactionRequest
from portal.components import forms
from portal.manager.actions.callbacks import UNANSWERED
from portal.manager.actions.forms import create_pool_form, settings_values
from portal.manager.actions.pool_terms import settings_of
from tests.integration.pools_support import OPEN_NAV_FEE, World, closed_pool, make_world, open_pool
from tests.integration.portal_support import components
from tests.integration.test_portal_manager import _act, _client, _field_errors
from tests.integration.test_portal_pool_settings import _actions_panel, _field

pytestmark = pytest.mark.over_grpc("transactions")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _new_pool(**typed: Any) -> dict[str, Any]:
    """The create-pool form as it opens, with `typed` typed in."""
    fields = {f.name: f.default for f in create_pool_form(date.today()).fields}
    return {**fields, "name": "Quayside Income Fund", **typed}


def _subscribed(world: World, amount: str = "250000.00") -> tuple[int, int]:
    """An open-ended pool (NAV per unit 1) where Ana Example bought `amount` of units a week ago."""
    c = world.container
    week_ago = date.today() - timedelta(days=7)
    pool = c.pools.create_pool(
        world.manager, open_pool(minimum_subscription="0.00", inception_date=week_ago.isoformat())
    ).id
    investor = world.investor_profile(world.investor)
    request = {"type": "subscription", "investor_id": investor, "amount": amount, "effective_date": week_ago}
    c.transactions.record(world.manager, pool, TransactionRequest.model_validate(request), f"sub-{pool}")
    return pool, investor


def test_the_actions_sit_in_tabs_with_every_form(world: World) -> None:
    c = world.container
    client = _client(world)
    expected = {
        "open_ended": ["subscription", "redemption", "valuation", "reversal", "pool_settings", "pool_status"],
        "closed_ended": [
            "commitment",
            "capital_call",
            "subsequent_close",
            "distribution",
            "valuation",
            "portfolio_company_fee",
            "reversal",
            "side_letter",
        ],
    }
    for kind, body in (("open_ended", open_pool()), ("closed_ended", closed_pool())):
        pool = c.pools.create_pool(world.manager, body).id
        parts = _actions_panel(client, pool)
        tabs = [p for p in parts if p["type"] == "Tab"]
        assert [t["props"]["label"] for t in tabs] == [
            "Money in",
            "Money out",
            "Valuation",
            "Fees",
            "Corrections",
            "Terms & settings",
            "Status",
            "Team",
        ]
        # Every form of the pool is in the page (each in its tab), the team panel in the last.
        forms_shown = {p["props"]["id"] for p in parts if str(p["props"].get("id", "")).startswith("form-")}
        assert {f"form-{a}" for a in expected[kind]} <= forms_shown, kind
        money_in = {str(p["props"].get("id")) for p in components_of(tabs[0])}
        assert ("form-subscription" if kind == "open_ended" else "form-capital_call") in money_in
        if kind == "closed_ended":  # the side letter sits with the terms it overrides
            terms = {str(p["props"].get("id")) for p in components_of(tabs[5])}
            assert "form-side_letter" in terms
        assert "team-list" in {str(p["props"].get("id")) for p in components_of(tabs[-1])}
        # The tab strip is the keyboard's way in: one Tabs with an id, its first tab open.
        strip = next(p for p in parts if p["type"] == "Tabs")
        assert strip["props"]["id"] == "pool-action-tabs" and strip["props"]["active_tab"] == "money-in"


def components_of(tab: dict[str, Any]) -> list[dict[str, Any]]:
    return components(tab["props"].get("children"))


@pytest.mark.parametrize(
    ("typed", "field", "says"),
    [
        ({"minimum_subscription": "-5.00"}, "minimum_subscription", "must not be negative"),
        ({"initial_nav_per_unit": "0"}, "initial_nav_per_unit", "must be positive"),
        ({"management_fee.rate": "200"}, "management_fee.rate", "between 0% and 100%, got 200%"),
    ],
)
def test_the_create_preview_refuses_what_the_pool_service_refuses(
    world: World, typed: dict[str, Any], field: str, says: str
) -> None:
    out = _act(_client(world), "create_pool", _new_pool(**typed), pool_id=None)
    errors = _field_errors(out["raw"], "create_pool", list(_new_pool(**typed)))
    assert list(errors) == [field] and says in errors[field], errors
    assert out["pending"] is None and "Check the effect" not in out["panel"]
    assert world.container.pools.list_pools(world.manager).items == []


def test_a_fee_typed_as_2_is_stored_as_2_percent(world: World) -> None:
    c = world.container
    client = _client(world)
    fields = _new_pool(**{"management_fee.rate": 2, "performance_fee.rate": "20"})
    preview = _act(client, "create_pool", fields, pool_id=None)
    assert preview["pending"] and preview["pending"]["concerns"] == [], preview["raw"]
    assert "2% p.a." in preview["panel"] and preview["disabled"] is False
    posted = _act(client, "create_pool", fields, pool_id=None, confirm=True, pending=preview["pending"])
    found = re.search(r"/manager/pools/(\d+)", posted["result"])
    assert found, posted["result"]
    pool = c.pools.get_pool(world.manager, int(found[1]))
    assert pool.management_fee is not None and pool.management_fee.rate == Decimal("0.02")
    assert pool.performance_fee is not None and pool.performance_fee.rate == Decimal("0.2")
    # ... and the settings form shows it back in percent, as it was typed.
    values = settings_values(settings_of(pool))
    assert values["management_fee.rate"] == "2" and values["performance_fee.rate"] == "20"
    label = _field_label(_actions_panel(client, pool.id), "pool_settings", "management_fee.rate")
    assert "% p.a." in label


def _field_label(parts: list[dict[str, Any]], action: str, name: str) -> str:
    target = forms.dom_id({"type": forms.FIELD, "action": action, "field": name})
    return str(
        next(p for p in parts if p["type"] == "Label" and p["props"].get("html_for") == target)["props"][
            "children"
        ]
    )


def test_a_7_percent_fee_is_posted_only_once_confirmed(world: World) -> None:
    c = world.container
    client = _client(world)
    fields = _new_pool(**{"management_fee.rate": "7"})
    preview = _act(client, "create_pool", fields, pool_id=None)
    question = "Management fee 7.00% p.a. is unusually high. Post anyway?"
    assert preview["pending"]["concerns"] == [question] and question in preview["panel"]
    assert preview["disabled"] is True  # Confirm waits for the answer

    # A confirmation without the tick (a forged click on the disabled button) posts nothing.
    unanswered = _act(client, "create_pool", fields, pool_id=None, confirm=True, pending=preview["pending"])
    assert json.dumps(UNANSWERED)[1:-1] in unanswered["result"]
    assert unanswered["done"] is None and c.pools.list_pools(world.manager).items == []

    ticked = _act(
        client, "create_pool", fields, pool_id=None, pending=preview["pending"], acks=[True], tick=True
    )
    assert ticked["disabled"] is False
    posted = _act(
        client, "create_pool", fields, pool_id=None, confirm=True, pending=preview["pending"], acks=[True]
    )
    assert "Posted" in posted["result"]
    [pool] = c.pools.list_pools(world.manager).items
    assert pool.management_fee is not None and pool.management_fee.rate == Decimal("0.07")


def test_a_nav_jump_over_half_asks_first(world: World) -> None:
    c = world.container
    pool, _ = _subscribed(world)
    client = _client(world)
    today = date.today().isoformat()
    calm = _act(
        client, "valuation", {"as_of": today, "net_asset_value": "300000.00", "memo": ""}, pool_id=pool
    )
    assert calm["pending"]["concerns"] == [] and calm["disabled"] is False  # +20%: no question

    jump = {"as_of": today, "net_asset_value": "400000.00", "memo": ""}
    preview = _act(client, "valuation", jump, pool_id=pool)
    [question] = preview["pending"]["concerns"]
    assert "60.00% above the last one" in question and "$400,000.00" in question and "$250,000.00" in question
    assert preview["disabled"] is True
    refused = _act(
        client, "valuation", jump, pool_id=pool, confirm=True, pending=preview["pending"], acks=[False]
    )
    assert refused["done"] is None and c.ledger.ledger_version(pool) == 1
    posted = _act(
        client, "valuation", jump, pool_id=pool, confirm=True, pending=preview["pending"], acks=[True]
    )
    assert "Posted" in posted["result"]
    assert c.transactions.pool_positions(world.manager, pool).net_asset_value == Decimal("400000.00")


def test_a_reason_still_being_typed_counts_at_preview(world: World) -> None:
    c = world.container
    pool, _ = _subscribed(world, "1000.00")
    client = _client(world)
    # The reason's field sends what is typed as it is typed (no wait for the blur) ...
    memo = _field(_actions_panel(client, pool), "reversal", "memo")
    assert memo["props"].get("debounce") is False
    # ... and Preview reads the fields as they stand, not only as a change last sent them.
    app = client.application.extensions["portal_dash"]
    spec = next(v for k, v in app.callback_map.items() if forms.ERROR in k and forms.PANEL in k)
    assert any('"af"' in s["id"] and s["property"] == "value" for s in spec["state"])
    assert not any('"af"' in i["id"] for i in spec["inputs"])

    entry = c.transactions.list_transactions(world.manager, pool).entries[0].id
    fields = {"entry_id": str(entry), "memo": "Booked twice", "effective_date": None}
    out = _act(client, "reversal", fields, pool_id=pool)
    assert _field_errors(out["raw"], "reversal", list(fields)) == {}
    assert out["pending"]["values"]["memo"] == "Booked twice", out["raw"]


def test_a_redemption_too_large_names_the_investor_and_both_quantities(world: World) -> None:
    pool, investor = _subscribed(world)
    client = _client(world)
    fields = {
        "investor_id": str(investor),
        "units": "999999",
        "effective_date": (date.today() - timedelta(days=7)).isoformat(),  # the day it was bought
        "memo": "",
    }
    out = _act(client, "redemption", fields, pool_id=pool)
    errors = _field_errors(out["raw"], "redemption", list(fields))
    assert errors == {
        "units": "Ana Example holds 250,000.000000 units of Harbour Growth Fund; "
        "you asked to redeem 999,999.000000."
    }
    assert out["pending"] is None


def test_the_settings_preview_runs_the_service_checks(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    client = _client(world)
    settings = settings_of(c.pools.get_pool(world.manager, pool))
    fields = {**settings_values(settings), "baseline": settings.model_dump_json()}
    assert fields["management_fee.rate"] == "1.5"
    out = _act(client, "pool_settings", {**fields, "minimum_subscription": "-1"}, pool_id=pool)
    assert (
        "must not be negative"
        in _field_errors(out["raw"], "pool_settings", list(fields))["minimum_subscription"]
    )
    assert out["pending"] is None
    high = _act(client, "pool_settings", {**fields, "performance_fee.rate": "35"}, pool_id=pool)
    assert high["pending"]["concerns"] == ["Performance fee 35.00% is unusually high. Post anyway?"]


def test_a_side_letter_with_a_fee_holiday_is_previewed_then_recorded(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool(inception_date="2025-01-01")).id
    investor = world.investor_profile(world.investor)
    world.commit(pool, investor, "100000.00")
    client = _client(world)
    fields = {
        "investor_id": str(investor),
        "reference": "Early closer letter",
        "management_fee_holiday_until": "2025-06-30",
    }
    preview = _act(client, "side_letter", fields, pool_id=pool)
    assert "No management fee to" in preview["panel"] and "2025-06-30" in preview["panel"]
    assert "no fee holiday" in preview["panel"]  # what it is now: no letter
    posted = _act(client, "side_letter", fields, pool_id=pool, confirm=True, pending=preview["pending"])
    assert "Side letter for investor" in posted["result"]
    (letter,) = c.investors.list_side_letters(world.manager, pool).items
    assert letter.management_fee_holiday_until == date(2025, 6, 30)
    before_inception = {**fields, "management_fee_holiday_until": "2024-12-31"}
    early = _act(client, "side_letter", before_inception, pool_id=pool)
    assert "before the pool's inception" in json.dumps(early)


def test_a_fee_from_a_portfolio_company_is_previewed_with_its_offset_then_recorded(world: World) -> None:
    c = world.container
    fee = {"rate": "0.02", "basis": "committed", "offset_rate": "0.8"}
    pool = c.pools.create_pool(world.manager, closed_pool(inception_date="2025-01-01", management_fee=fee)).id
    client = _client(world)
    fields = {
        "fee_kind": "monitoring",
        "amount": "125000.00",
        "investment": "Acme Robotics",
        "effective_date": "2025-03-31",
        "memo": "",
    }
    preview = _act(client, "portfolio_company_fee", fields, pool_id=pool)
    assert "Offset against later management fees" in preview["panel"] and "100,000.00" in preview["panel"]
    assert c.ledger.has_entries(pool) is False  # a preview posts nothing
    pending = preview["pending"]
    posted = _act(client, "portfolio_company_fee", fields, pool_id=pool, confirm=True, pending=pending)
    assert "Fee from a portfolio company recorded" in posted["result"]
    (entry,) = c.transactions.list_transactions(world.manager, pool).entries
    assert entry.memo == "monitoring fee of 125000.00 EUR received by the manager from Acme Robotics"
    missing = _act(client, "portfolio_company_fee", {**fields, "amount": ""}, pool_id=pool)
    assert "amount" in _field_errors(missing["raw"], "portfolio_company_fee", list(fields))


def test_a_soft_hurdle_with_a_catch_up_and_a_schedule_is_typed_in_percent(world: World) -> None:
    c = world.container
    client = _client(world)
    typed = {
        "performance_fee.rate": "20",
        "performance_fee.hurdle_rate": "5",
        "performance_fee.hurdle": "soft",
        "performance_fee.catch_up_rate": "100",
        "performance_fee.crystallisation": "quarterly",
        "management_fee.offset_rate": "",
    }
    preview = _act(client, "create_pool", _new_pool(**typed), pool_id=None)
    assert "soft hurdle 5% with a 100% catch-up, crystallised quarterly" in preview["panel"], preview["panel"]
    posted = _act(
        client, "create_pool", _new_pool(**typed), pool_id=None, confirm=True, pending=preview["pending"]
    )
    found = re.search(r"/manager/pools/(\d+)", posted["result"])
    assert found, posted["result"]
    fee = c.pools.get_pool(world.manager, int(found[1])).performance_fee
    assert fee is not None
    assert (fee.hurdle.value, fee.catch_up_rate, fee.crystallisation) == ("soft", Decimal(1), "quarterly")
    values = settings_values(settings_of(c.pools.get_pool(world.manager, int(found[1]))))
    assert (values["performance_fee.catch_up_rate"], values["performance_fee.crystallisation"]) == (
        "100",
        "quarterly",
    )
