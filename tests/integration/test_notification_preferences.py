"""Notification preferences, on both backends, through a real SMTP server on 127.0.0.1: each
person chooses per kind of notice and channel; formal notices cannot be switched off; a
payment email carries a signed one-click unsubscribe link (RFC 8058) that works without a
session and only for the person and kind it names; a formal notice carries none."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from pytest import MonkeyPatch

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.config import Settings, load_settings
from backend.platform.errors import ValidationFailed
from notifications.interface import Channel, NotificationIn, NotificationKind
from tests.integration.auth_support import PASSWORD, create_user, use_cheap_argon2
from tests.integration.mail_support import MailServer
from tests.integration.pools_support import World, make_world

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, mail: MailServer) -> Settings:
    return load_settings(VAR_DIR=str(tmp_path / "var"), **mail.settings())


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _tell(world: World, kind: NotificationKind, *who: str) -> str:
    """One event of `kind` to the named people, as the payment and ledger consumers send."""
    event = f"evt-{uuid.uuid4().hex}"
    items = []
    for label in who:
        user_id = getattr(world, label).user_id
        items.append(NotificationIn(user_id=user_id, kind=kind, title=f"{kind.value} for {label}", link="/"))
    world.container.notifications.create_for_event(event, items)
    return event


def _emailed(world: World, mail: MailServer) -> list[str]:
    world.container.notifications.send_due_emails()
    return sorted(str(m["To"]) for m in mail.received)


def test_defaults_list_every_kind_and_channel_with_formal_notices_locked_on(world: World) -> None:
    prefs = world.container.notifications.preferences(world.investor)
    assert len(prefs) == len(NotificationKind) * 3
    by = {(p.kind, p.channel): p for p in prefs}
    call = by[(NotificationKind.CAPITAL_CALL, Channel.EMAIL)]
    assert call.enabled and call.mandatory and call.default
    valuation = by[(NotificationKind.VALUATION, Channel.EMAIL)]
    assert not valuation.enabled and not valuation.mandatory  # monthly: the bell, not the mailbox
    assert by[(NotificationKind.VALUATION, Channel.IN_APP)].enabled
    reminder = by[(NotificationKind.PAYMENT_REMINDER, Channel.EMAIL)]
    assert reminder.enabled and not reminder.mandatory
    # By SMS: what must be acted on soon, and a formal notice is an alert one may switch off.
    assert by[(NotificationKind.PAYMENT_REMINDER, Channel.SMS)].enabled
    assert not by[(NotificationKind.VALUATION, Channel.SMS)].enabled
    call_sms = by[(NotificationKind.CAPITAL_CALL, Channel.SMS)]
    assert call_sms.enabled and not call_sms.mandatory


def test_a_formal_notice_cannot_be_switched_off(world: World) -> None:
    for kind in (NotificationKind.CAPITAL_CALL, NotificationKind.DISTRIBUTION, NotificationKind.BANK_DETAILS):
        for channel in (Channel.EMAIL, Channel.IN_APP):
            with pytest.raises(ValidationFailed) as refused:
                world.container.notifications.set_preference(world.investor, kind, channel, False)
            assert refused.value.field == "enabled" and "formal notice" in str(refused.value)
    _tell(world, NotificationKind.CAPITAL_CALL, "investor")
    assert len(world.container.notifications.list_for_user(world.investor).items) == 1


def test_choices_are_per_person_kind_and_channel(world: World, mail: MailServer) -> None:
    c = world.container
    off = c.notifications.set_preference(
        world.investor, NotificationKind.PAYMENT_RECEIVED, Channel.EMAIL, False
    )
    assert not off.enabled and off.default
    on = c.notifications.set_preference(world.investor, NotificationKind.VALUATION, Channel.EMAIL, True)
    assert on.enabled and not on.default
    c.notifications.set_preference(world.other_investor, NotificationKind.VALUATION, Channel.IN_APP, False)

    _tell(world, NotificationKind.PAYMENT_RECEIVED, "investor", "other_investor")
    _tell(world, NotificationKind.VALUATION, "investor", "other_investor")
    # The investor: the payment in the app only, the valuation by email too (opted in); the
    # other investor: the payment by email (the default), the valuation nowhere (switched off).
    assert _emailed(world, mail) == sorted([world.emails["investor"], world.emails["other_investor"]])
    subjects = {(str(m["To"]), str(m["Subject"])) for m in mail.received}
    assert (world.emails["investor"], "valuation.recorded for investor") in subjects
    assert (world.emails["other_investor"], "payment.received for other_investor") in subjects
    theirs = c.notifications.list_for_user(world.other_investor).items
    assert [n.kind for n in theirs] == [NotificationKind.PAYMENT_RECEIVED]
    mine = c.notifications.list_for_user(world.investor).items
    assert {n.kind for n in mine} == {NotificationKind.PAYMENT_RECEIVED, NotificationKind.VALUATION}
    # Choosing again changes the one row; nobody else's choice moved.
    c.notifications.set_preference(world.investor, NotificationKind.PAYMENT_RECEIVED, Channel.EMAIL, True)
    again = {(p.kind, p.channel): p.enabled for p in c.notifications.preferences(world.investor)}
    assert again[(NotificationKind.PAYMENT_RECEIVED, Channel.EMAIL)]
    other = {(p.kind, p.channel): p.enabled for p in c.notifications.preferences(world.other_investor)}
    assert other[(NotificationKind.PAYMENT_RECEIVED, Channel.EMAIL)]
    assert not other[(NotificationKind.VALUATION, Channel.IN_APP)]


def _one_click(client: FlaskClient, url: str) -> tuple[int, dict[str, object]]:
    parts = urlsplit(url)
    answer = client.post(
        f"{parts.path}?{parts.query}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    return answer.status_code, answer.get_json()


def test_one_click_unsubscribe_needs_no_session_and_stops_only_that_kind(
    world: World, mail: MailServer
) -> None:
    c = world.container
    _tell(world, NotificationKind.PAYMENT_REMINDER, "investor")
    _tell(world, NotificationKind.CAPITAL_CALL, "investor")
    _emailed(world, mail)
    reminder = next(m for m in mail.received if "payment.reminder" in str(m["Subject"]))
    notice = next(m for m in mail.received if "capital_call" in str(m["Subject"]))
    assert notice["List-Unsubscribe"] is None  # a formal notice: no way out of it
    assert "Choose which emails you get" not in notice.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(reminder["List-Unsubscribe"]).strip("<>")
    assert url.startswith("http://127.0.0.1:8050/api/v1/notification-preferences/unsubscribe?token=")
    assert "Choose which emails you get" in reminder.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    client = create_app(c).test_client()
    # A token with its person changed (someone guessing ids) is refused, naming the token.
    forged = url.replace(f"token={world.investor.user_id}.", f"token={world.other_investor.user_id}.")
    status, problem = _one_click(client, forged)
    assert status == 422 and problem["errors"][0]["field"] == "token"  # type: ignore[index]
    status, body = _one_click(client, url)
    assert status == 200 and body["enabled"] is False and body["kind"] == "payment.reminder"
    assert _one_click(client, url)[0] == 200  # a second click: still off, no error

    mail.received.clear()
    _tell(world, NotificationKind.PAYMENT_REMINDER, "investor", "other_investor")
    _tell(world, NotificationKind.PAYMENT_RECEIVED, "investor")
    assert _emailed(world, mail) == sorted([world.emails["investor"], world.emails["other_investor"]])
    sent = {(str(m["To"]), str(m["Subject"]).split(" ")[0]) for m in mail.received}
    assert sent == {
        (world.emails["other_investor"], "payment.reminder"),
        (world.emails["investor"], "payment.received"),
    }


def test_preferences_over_rest_are_the_callers_own(
    world: World, monkeypatch: MonkeyPatch, container: Container
) -> None:
    use_cheap_argon2(monkeypatch)
    create_user(container, "pref-reader@pools.test")
    client = create_app(container).test_client()
    token = client.post(
        "/api/v1/auth/token", json={"email": "pref-reader@pools.test", "password": PASSWORD}
    ).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/notification-preferences", headers=auth)
    assert listed.status_code == 200 and len(listed.get_json()) == len(NotificationKind) * 3
    changed = client.put(
        "/api/v1/notification-preferences",
        json={"kind": "valuation.recorded", "channel": "email", "enabled": True},
        headers=auth,
    )
    assert changed.status_code == 200 and changed.get_json()["enabled"] is True
    refused = client.put(
        "/api/v1/notification-preferences",
        json={"kind": "capital_call.issued", "channel": "email", "enabled": False},
        headers=auth,
    )
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "enabled"
    unknown = client.put(
        "/api/v1/notification-preferences",
        json={"kind": "lunch.served", "channel": "email", "enabled": False},
        headers=auth,
    )
    assert unknown.status_code == 422 and "kind" in str(unknown.get_json()["errors"])
    # Nobody else's changed: the investor's valuation email is still off.
    theirs = {(p.kind, p.channel): p.enabled for p in container.notifications.preferences(world.investor)}
    assert not theirs[(NotificationKind.VALUATION, Channel.EMAIL)]
    assert client.get("/api/v1/notification-preferences").status_code == 401
