"""The notifications page's preferences: one switch per kind of notice and channel showing
what applies now, a change saved at once for the signed-in person only, and the formal
notices locked on, whatever a crafted request sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from flask import Flask
from flask.testing import FlaskClient

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Actor
from notifications.interface import Channel, NotificationKind
from portal.shared.notification_preferences import CHANNELS, FLASH, FORMAL_NOTE, KIND_LABELS, PREF, save
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import World, make_world
from tests.integration.portal_callbacks import response_of
from tests.integration.portal_support import components, csrf_cookie, login, routing_callback

VALUATION_EMAIL = (NotificationKind.VALUATION, Channel.EMAIL)
CALL_EMAIL = (NotificationKind.CAPITAL_CALL, Channel.EMAIL)
FORMAL = {NotificationKind.CAPITAL_CALL, NotificationKind.DISTRIBUTION, NotificationKind.BANK_DETAILS}
FORMAL |= {NotificationKind.STATEMENT, NotificationKind.CONTACT_DETAILS}


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


@pytest.fixture
def app(world: World) -> Flask:
    return create_app(world.container)


@pytest.fixture
def in_request(app: Flask) -> Iterator[None]:
    """For calling the page's functions directly. Not around a test client's requests: those
    would share its application context, and with it `g` and the session's actor."""
    with app.test_request_context():
        yield


def _text(component: Any) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def _ident(kind: NotificationKind, channel: Channel) -> dict[str, str]:
    return {"type": PREF, "kind": kind.value, "channel": channel.value}


def _dom(ident: dict[str, Any]) -> str:
    """A pattern id as Dash writes it (keys sorted, compact JSON)."""
    return json.dumps(ident, sort_keys=True, separators=(",", ":"))


def _enabled(world: World, actor: Actor) -> dict[tuple[NotificationKind, Channel], bool]:
    return {(p.kind, p.channel): p.enabled for p in world.container.notifications.preferences(actor)}


def _signed_in(app: Flask, world: World, who: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, world.emails[who], PASSWORD).status_code == 303
    return client


def _page(client: FlaskClient, search: str = "") -> list[dict[str, Any]]:
    body = routing_callback("/notifications")
    body["inputs"][1]["value"] = search
    answer = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    return components(response_of(answer)["_pages_content"]["children"])


ALL_SWITCHES = [_ident(k, c) for k in NotificationKind for c in CHANNELS]


def _switch(client: FlaskClient, changed: dict[str, str], value: bool) -> dict[str, Any]:
    """Flip one switch as dash-renderer posts it: every switch's value and id, the changed one
    named; the answer's {DOM id: {property: value}}."""
    client.get("/_dash-dependencies")  # Dash registers the callbacks on its first request
    every = _dom({"type": PREF, "kind": ["ALL"], "channel": ["ALL"]})
    body = {
        "output": f"..{FLASH}.children...{every}.value..",
        "outputs": [
            {"id": FLASH, "property": "children"},
            [{"id": i, "property": "value"} for i in ALL_SWITCHES],
        ],
        "inputs": [
            [{"id": i, "property": "value", "value": value if i == changed else True} for i in ALL_SWITCHES]
        ],
        "changedPropIds": [_dom(changed) + ".value"],
        "state": [[{"id": i, "property": "id", "value": i} for i in ALL_SWITCHES]],
    }
    answer = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    return response_of(answer)


def test_the_page_lists_every_kind_with_its_current_state_and_the_formal_notices_locked(
    app: Flask, world: World
) -> None:
    shown = _page(_signed_in(app, world, "investor"))
    switches = {
        (NotificationKind(c["props"]["id"]["kind"]), Channel(c["props"]["id"]["channel"])): c["props"]
        for c in shown
        if c["type"] == "Switch"
    }
    # Operator alerts are for administrators, undeliverable notices for managers: not offered;
    # nor a password-reset link, emailed whatever anyone chooses.
    not_offered = {NotificationKind.OPERATOR_ALERT, NotificationKind.UNDELIVERABLE}
    not_offered.add(NotificationKind.PASSWORD_RESET)
    theirs = [k for k in NotificationKind if k not in not_offered]
    assert sorted(switches) == sorted((k, c) for k in theirs for c in CHANNELS)
    texted = {NotificationKind.CAPITAL_CALL, NotificationKind.PAYMENT_REMINDER}
    texted |= {NotificationKind.PAYMENT_FAILED, NotificationKind.BANK_DETAILS, NotificationKind.NEW_DEVICE}
    for (kind, channel), props in switches.items():
        if channel is Channel.SMS:  # an alert for what must be acted on soon; never locked
            assert props["value"] is (kind in texted) and not props.get("disabled", False), kind
            continue
        fresh = channel is Channel.IN_APP or kind is not NotificationKind.VALUATION
        assert props["value"] is fresh, (kind, channel)
        assert props.get("disabled", False) is (kind in FORMAL), (kind, channel)
        assert props["label"] == f"{KIND_LABELS[kind]} {CHANNELS[channel].lower()}"
    assert switches[VALUATION_EMAIL]["value"] is False  # monthly: the bell, not the mailbox

    rows = {c["props"]["id"]: json.dumps(c) for c in shown if c["type"] == "Tr" and "id" in c["props"]}
    for kind in theirs:
        row = rows[f"notif-pref-row-{kind.value}"]
        assert KIND_LABELS[kind] in row
        assert (FORMAL_NOTE in row) is (kind in FORMAL), kind
    headers = [
        c["props"]["children"] for c in shown if c["type"] == "Th" and c["props"].get("scope") == "col"
    ]
    assert headers == ["Notice", "In the app", "By email", "By text message"]
    (tabs,) = [c for c in shown if c["type"] == "Tabs"]
    assert tabs["props"]["active_tab"] == "inbox"


def test_a_link_can_open_the_page_on_its_preferences(app: Flask, world: World) -> None:
    shown = _page(_signed_in(app, world, "manager"), "?tab=preferences")
    (tabs,) = [c for c in shown if c["type"] == "Tabs"]
    assert tabs["props"]["active_tab"] == "preferences"
    # A manager is offered undeliverable notices, not the administrators' operator alerts (nor
    # password-reset links, which are no one's choice).
    assert sum(c["type"] == "Switch" for c in shown) == (len(NotificationKind) - 2) * len(CHANNELS)


@pytest.mark.usefixtures("in_request")
def test_switching_valuations_by_email_on_is_saved(world: World) -> None:
    message, states = save(world.investor, _ident(*VALUATION_EMAIL), True)
    assert "Saved: Valuations by email on" in _text(message)
    assert _enabled(world, world.investor)[VALUATION_EMAIL] is True
    assert states[(NotificationKind.VALUATION.value, Channel.EMAIL.value)] is True

    # The same state again (a switch re-rendered) stores nothing and says nothing.
    with pytest.raises(PreventUpdate):
        save(world.investor, _ident(*VALUATION_EMAIL), True)

    off, _ = save(world.investor, _ident(NotificationKind.PAYMENT_RECEIVED, Channel.IN_APP), False)
    assert "Saved: Payments received in the app off" in _text(off)
    assert _enabled(world, world.investor)[(NotificationKind.PAYMENT_RECEIVED, Channel.IN_APP)] is False


@pytest.mark.parametrize(
    "trigger",
    [
        {"type": "bell-read", "id": 1},
        {"type": PREF, "kind": "no.such.kind", "channel": "email"},
        "notif-kind",
    ],
)
@pytest.mark.usefixtures("in_request")
def test_a_trigger_that_names_no_switch_changes_nothing(world: World, trigger: Any) -> None:
    before = _enabled(world, world.investor)
    with pytest.raises(PreventUpdate):
        save(world.investor, trigger, True)
    assert _enabled(world, world.investor) == before


def test_a_formal_notice_cannot_be_switched_off(app: Flask, world: World) -> None:
    with app.test_request_context():
        message, states = save(world.investor, _ident(*CALL_EMAIL), False)
    text = _text(message)
    assert "Not saved: Capital calls by email" in text and "formal notice" in text
    assert "Saved:" not in text
    assert states[(NotificationKind.CAPITAL_CALL.value, Channel.EMAIL.value)] is True
    assert _enabled(world, world.investor)[CALL_EMAIL] is True

    # Through the page's callback, as a crafted request would send it: the switch comes back on.
    client = _signed_in(app, world, "investor")
    out = _switch(client, _ident(NotificationKind.BANK_DETAILS, Channel.IN_APP), False)
    assert "formal notice" in json.dumps(out[FLASH]["children"])
    assert out[_dom(_ident(NotificationKind.BANK_DETAILS, Channel.IN_APP))]["value"] is True
    assert _enabled(world, world.investor)[(NotificationKind.BANK_DETAILS, Channel.IN_APP)] is True


def test_each_person_changes_only_their_own_choices(app: Flask, world: World) -> None:
    investor = _signed_in(app, world, "investor")
    other = _signed_in(app, world, "other_investor")
    fresh = _enabled(world, world.other_investor)

    out = _switch(investor, _ident(*VALUATION_EMAIL), True)
    assert "Saved: Valuations by email on" in json.dumps(out[FLASH]["children"])
    assert _enabled(world, world.investor)[VALUATION_EMAIL] is True
    assert _enabled(world, world.other_investor) == fresh

    reminders = (NotificationKind.PAYMENT_REMINDER, Channel.EMAIL)
    out = _switch(other, _ident(*reminders), False)
    assert "Saved: Payment reminders by email off" in json.dumps(out[FLASH]["children"])
    assert _enabled(world, world.other_investor)[reminders] is False
    assert _enabled(world, world.other_investor)[VALUATION_EMAIL] is False
    assert _enabled(world, world.investor)[reminders] is True

    # Each page shows its own person's choices.
    theirs = {
        c["props"]["id"]["kind"]: c["props"]["value"]
        for c in _page(other)
        if c["type"] == "Switch" and c["props"]["id"]["channel"] == Channel.EMAIL.value
    }
    assert theirs[NotificationKind.PAYMENT_REMINDER.value] is False
    assert theirs[NotificationKind.VALUATION.value] is False
