"""In-app notifications from the ledger's events: the right users, once per event, read
only by their owner; over REST and through the navbar bell's callbacks."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Actor
from backend.platform.errors import NotFound
from ledger.interface import CapitalCallRequest, LedgerEvent, TransactionRequest, ValuationRequest
from notifications.interface import NotificationKind
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, closed_pool, make_world
from tests.integration.portal_callbacks import post_callback, response_of
from tests.integration.portal_support import login
from tests.integration.reports_support import key

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")


@pytest.fixture
def world(container: Container, monkeypatch: pytest.MonkeyPatch) -> World:
    # The bell's own rules, on fixtures dated 2025: none of it is history loaded today (which
    # is stored read; tests/integration/test_notifications_email.py covers that).
    monkeypatch.setattr("notifications.service.HISTORY", timedelta(days=365 * 100))
    return make_world(container)


def _kinds(world: World, actor: Actor) -> list[str]:
    return [n.kind.value for n in world.container.notifications.list_for_user(actor, limit=100).items]


def _call(world: World) -> tuple[int, int, int]:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(
            amount=Decimal(30000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)
        ),
        key(),
    )
    return pool, a, b


def test_a_capital_call_notifies_the_managers_and_the_called_investors_once(world: World) -> None:
    pool, _, _ = _call(world)
    call = NotificationKind.CAPITAL_CALL.value
    assert _kinds(world, world.manager) == [call]
    assert _kinds(world, world.investor) == [call]
    assert _kinds(world, world.other_investor) == [call]
    assert _kinds(world, world.other_manager) == []
    assert _kinds(world, world.analyst) == []
    mine = world.container.notifications.list_for_user(world.investor).items[0]
    assert mine.pool_id == pool and "20,000.00" in mine.body and mine.link == "/documents"
    staff = world.container.notifications.list_for_user(world.manager).items[0]
    assert "30,000" in staff.body and staff.link == f"/manager/pools/{pool}"


def test_a_redelivered_event_creates_nothing_more(world: World) -> None:
    pool, a, _ = _call(world)
    consumer = world.container.notification_consumer
    event = LedgerEvent(
        event_id="evt-1",
        event_type=NotificationKind.VALUATION.value,
        pool_id=pool,
        entry_id=None,
        occurred_at=world.container.notifications.list_for_user(world.manager).items[0].created_at,
        payload={"net_asset_value": "30000.00", "allocation": {str(a): "0.00"}},
    )
    assert consumer.handle(event) == 2  # the manager and investor a
    assert consumer.handle(event) == 0
    assert _kinds(world, world.investor).count(NotificationKind.VALUATION.value) == 1


def test_a_valuation_notifies_holders_and_other_entries_notify_nobody(world: World) -> None:
    pool, a, b = _call(world)
    for investor, paid in ((a, "20000.00"), (b, "10000.00")):  # a valuation shares gains with paid-in capital
        world.container.transactions.record(
            world.manager,
            pool,
            TransactionRequest.model_validate(
                {
                    "type": "contribution",
                    "investor_id": investor,
                    "amount": paid,
                    "effective_date": "2025-01-20",
                }
            ),
            key(),
        )
    world.container.transactions.record_valuation(
        world.manager, pool, ValuationRequest(as_of=date(2025, 2, 1), net_asset_value=Decimal(36000)), key()
    )
    assert _kinds(world, world.investor)[0] == NotificationKind.VALUATION.value
    assert world.container.notifications.unread_count(world.investor) == 2


def test_only_the_owner_marks_a_notification_read(world: World) -> None:
    _call(world)
    service = world.container.notifications
    mine = service.list_for_user(world.investor).items[0]
    with pytest.raises(NotFound):
        service.mark_read(world.other_investor, mine.id)
    assert service.unread_count(world.investor) == 1
    assert service.mark_read(world.investor, mine.id).read_at is not None
    assert service.unread_count(world.investor) == 0
    assert service.list_for_user(world.investor, unread_only=True).items == []
    assert service.mark_all_read(world.other_investor) == 1


@pytest.mark.parametrize("backend_name", ["sqlite"], indirect=True)
def test_rest_and_the_bell(world: World) -> None:
    _call(world)
    app = create_app(world.container)
    client = app.test_client()
    login(client, world.emails["investor"], PASSWORD)
    listed = client.get("/api/v1/notifications").get_json()
    assert listed["unread"] == 1 and len(listed["items"]) == 1
    first = listed["items"][0]["id"]
    other = app.test_client()
    login(other, world.emails["other_investor"], PASSWORD)
    token = other.get_cookie("_csrf_token")
    assert token is not None
    refused = other.post(f"/api/v1/notifications/{first}/read", headers={"X-CSRFToken": token.value})
    assert refused.status_code == 404

    bell = response_of(
        post_callback(
            client,
            [("bell-count", "children"), ("bell-list", "children"), ("bell-key", "data")],
            [("bell-poll", "n_intervals", 1), ("bell-changed", "data", 0)],
            [("bell-key", "data", None)],
        )
    )
    assert bell["bell-count"]["children"] == "1"
    assert f"notification-{first}" in json.dumps(bell["bell-list"])

    def mark(client: FlaskClient, notification_id: int) -> int:
        ident = {"id": notification_id, "type": "bell-read"}
        body = {
            "output": "bell-changed.data",
            "outputs": {"id": "bell-changed", "property": "data"},
            "inputs": [
                [{"id": ident, "property": "n_clicks", "value": 1}],
                {"id": "bell-read-all", "property": "n_clicks", "value": None},
            ],
            "changedPropIds": [json.dumps(ident, sort_keys=True, separators=(",", ":")) + ".n_clicks"],
            "state": [{"id": "bell-changed", "property": "data", "value": 0}],
        }
        token = client.get_cookie("_csrf_token")
        assert token is not None
        response = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": token.value})
        return response.status_code

    assert mark(other, first) == 204  # someone else's notification: nothing happens
    assert world.container.notifications.unread_count(world.investor) == 1
    assert mark(client, first) == 200
    assert world.container.notifications.unread_count(world.investor) == 0
