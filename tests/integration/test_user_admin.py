"""An admin's work on accounts, on both backends: another role (the last active admin keeps
theirs, the change is audited, the person's sessions end), disabling, a password reset by
email from request to new password (one use, expiry, newer links void older ones, only a hash
stored, the token nowhere but the email), the REST operations, the Users page's callbacks, and
the audit log's free-text search (done by the database, `%` and `_` literal)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.test import TestResponse

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.config import Settings
from backend.platform.errors import Conflict, NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from backend.platform.unit_of_work import UnitOfWork
from backend.users.interface import UserCreate
from tests.integration.auth_support import PASSWORD, create_user
from tests.integration.mail_support import MailServer
from tests.integration.portal_support import csrf_cookie, form_token, login, make_portal

OPERATOR = Actor.operator("test")
NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"/reset-password\?token=([A-Za-z0-9_-]+)")


@pytest.fixture
def settings(settings_with_mail: Settings) -> Settings:
    return settings_with_mail  # emails go to the test's SMTP server


def _actor(container: Container, user_id: int) -> Actor:
    user = container.users.get_user(OPERATOR, user_id)
    return Actor(user_id=user.id, role=user.role, label=f"user:{user.email}")


def _live(container: Container, user_id: int) -> str:
    return container.auth.start_portal_session(user_id, 3600)


# -- roles -------------------------------------------------------------------------------------


def test_a_role_change_is_audited_and_ends_the_persons_sessions(container: Container) -> None:
    admin = _actor(container, create_user(container, "boss@example.com", Role.ADMIN))
    ana = create_user(container, "ana@example.com", Role.INVESTOR)
    session = _live(container, ana)

    out = container.users.set_role(admin, ana, Role.ANALYST)

    assert out.role is Role.ANALYST and container.users.get_user(OPERATOR, ana).role is Role.ANALYST
    assert not container.auth.session_is_live(session, ana)
    event = container.audit.list_events(OPERATOR, action="user.role_changed")[0]
    assert (event.before, event.after, event.actor_user_id) == (
        {"role": "investor"},
        {"role": "analyst"},
        admin.user_id,
    )
    revoked = container.audit.list_events(OPERATOR, action="sessions.revoked")[0]
    assert revoked.object_id == str(ana) and revoked.after and revoked.after["reason"] == "role_changed"


def test_only_an_admin_changes_roles_or_disables(container: Container) -> None:
    manager = _actor(container, create_user(container, "m@example.com", Role.MANAGER))
    ana = create_user(container, "ana@example.com")
    with pytest.raises(PermissionDenied):
        container.users.set_role(manager, ana, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        container.users.set_active(manager, ana, False)
    assert container.users.get_user(OPERATOR, ana).role is Role.INVESTOR
    assert container.audit.list_events(OPERATOR, action="user.role_changed") == []


def test_the_last_active_admin_keeps_the_role_and_the_account(container: Container) -> None:
    boss_id = create_user(container, "boss@example.com", Role.ADMIN)
    boss = _actor(container, boss_id)
    with pytest.raises(Conflict) as demoted:
        container.users.set_role(boss, boss_id, Role.MANAGER)
    assert "only active admin" in demoted.value.detail and demoted.value.field == "role"
    with pytest.raises(Conflict) as disabled:
        container.users.set_active(boss, boss_id, False)
    assert disabled.value.field == "active"
    assert container.users.get_user(OPERATOR, boss_id).role is Role.ADMIN

    # A disabled admin does not count: someone must be able to sign in and administer.
    other = create_user(container, "other@example.com", Role.ADMIN)
    container.users.set_active(boss, other, False)
    with pytest.raises(Conflict):
        container.users.set_role(boss, boss_id, Role.MANAGER)

    container.users.set_active(boss, other, True)
    assert container.users.set_role(boss, boss_id, Role.MANAGER).role is Role.MANAGER
    assert container.users.get_user(OPERATOR, other).role is Role.ADMIN


def test_a_role_change_of_nobody_is_not_found(container: Container) -> None:
    admin = _actor(container, create_user(container, "boss@example.com", Role.ADMIN))
    with pytest.raises(NotFound):
        container.users.set_role(admin, 999_999, Role.ANALYST)


# -- password reset by email ----------------------------------------------------------------------


def _reset_rows(container: Container, user_id: int) -> list[dict[str, Any]]:
    with UnitOfWork(container.db) as uow:
        rows = uow.session.execute(
            text("SELECT * FROM auth_password_resets WHERE user_id = :u ORDER BY id"), {"u": user_id}
        )
        return [dict(r._mapping) for r in rows]


def _token_from_mail(container: Container, mail: MailServer, address: str) -> str:
    container.notifications.send_due_emails()
    bodies = [
        part.get_content()
        for m in mail.received
        if str(m["To"]) == address
        for part in m.walk()
        if part.get_content_type() == "text/plain"
    ]
    found = [t for body in bodies for t in LINK.findall(body)]
    assert found, bodies
    return str(found[-1])


def _use_link(client: FlaskClient, token: str, password: str, repeated: str | None = None) -> TestResponse:
    page = client.get(f"/reset-password?token={token}")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    data = {
        "token": token,
        "password": password,
        "repeated": password if repeated is None else repeated,
        "csrf_token": form_token(page.get_data(as_text=True)),
    }
    return client.post("/reset-password", data=data)


def test_a_reset_link_sets_a_new_password_once(container: Container, mail: MailServer) -> None:
    admin = _actor(container, create_user(container, "boss@example.com", Role.ADMIN))
    ana = create_user(container, "ana@example.com")
    session = _live(container, ana)
    portal = make_portal(container)

    container.auth.request_password_reset(admin, ana)
    token = _token_from_mail(container, mail, "ana@example.com")

    # Only the token's hash is kept; nothing else holds the token but the email.
    (row,) = _reset_rows(container, ana)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row)
    assert container.audit.list_events(OPERATOR, text=token[:40]) == []
    assert container.notifications.list_for_user(_actor(container, ana), limit=50).items == []
    requested = container.audit.list_events(OPERATOR, action="password_reset.requested")[0]
    assert requested.actor_user_id == admin.user_id and requested.object_id == str(ana)

    client = portal.client()
    differ = _use_link(client, token, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    short = _use_link(client, token, "short")
    assert short.status_code == 400 and "12 to 256 characters" in short.get_data(as_text=True)

    done = _use_link(client, token, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"].endswith("/login?notice=password_reset")
    assert token not in done.headers["Location"]

    assert not container.auth.session_is_live(session, ana)
    with pytest.raises(Unauthenticated):
        container.auth.authenticate("ana@example.com", PASSWORD, None)
    assert container.auth.authenticate("ana@example.com", NEW_PASSWORD, None).id == ana
    assert login(portal.client(), "ana@example.com", NEW_PASSWORD).status_code == 303

    again = _use_link(portal.client(), token, "yet another passphrase")
    assert again.status_code == 400 and "not valid any more" in again.get_data(as_text=True)
    with pytest.raises(ValidationFailed):
        container.auth.reset_password(token, "yet another passphrase")
    steps = {"password_reset.requested", "password_reset.used", "user.password_reset", "sessions.revoked"}
    told = [e.action for e in reversed(container.audit.list_events(OPERATOR, object_type="user"))]
    assert [a for a in told if a in steps] == [
        "password_reset.requested",
        "password_reset.used",
        "user.password_reset",
        "sessions.revoked",
    ]


def test_an_expired_or_replaced_link_is_refused(container: Container, mail: MailServer) -> None:
    admin = _actor(container, create_user(container, "boss@example.com", Role.ADMIN))
    ana = create_user(container, "ana@example.com")

    container.auth.request_password_reset(admin, ana)
    first = _token_from_mail(container, mail, "ana@example.com")
    container.auth.request_password_reset(admin, ana)
    second = _token_from_mail(container, mail, "ana@example.com")
    assert first != second
    with pytest.raises(ValidationFailed) as replaced:
        container.auth.reset_password(first, NEW_PASSWORD)
    assert replaced.value.field == "token"

    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    with UnitOfWork(container.db) as uow:
        uow.session.execute(text("UPDATE auth_password_resets SET expires_at = :t"), {"t": past})
        uow.commit()
    with pytest.raises(ValidationFailed):
        container.auth.reset_password(second, NEW_PASSWORD)
    container.auth.authenticate("ana@example.com", PASSWORD, None)  # the old password still works
    assert [r["voided_at"] is not None for r in _reset_rows(container, ana)] == [True, False]


def test_only_an_admin_sends_a_reset_and_never_to_a_disabled_account(container: Container) -> None:
    admin = _actor(container, create_user(container, "boss@example.com", Role.ADMIN))
    manager = _actor(container, create_user(container, "m@example.com", Role.MANAGER))
    ana = create_user(container, "ana@example.com")
    with pytest.raises(PermissionDenied):
        container.auth.request_password_reset(manager, ana)
    container.users.set_active(admin, ana, False)
    with pytest.raises(NotFound):
        container.auth.request_password_reset(admin, ana)
    assert _reset_rows(container, ana) == []


def test_the_link_is_public_and_a_bad_one_gets_one_answer(container: Container) -> None:
    client = make_portal(container).client()
    assert client.get("/reset-password").status_code == 400
    answer = _use_link(client, "not-a-token-we-ever-sent", NEW_PASSWORD)
    assert answer.status_code == 400 and "not valid any more" in answer.get_data(as_text=True)


def _forgot(client: FlaskClient, email: str) -> str:
    page = client.get("/forgot-password")
    assert page.status_code == 200
    data = {"email": email, "csrf_token": form_token(page.get_data(as_text=True))}
    answer = client.post("/forgot-password", data=data)
    assert answer.status_code == 200
    said = re.search(r'id="forgot-notice">([^<]+)<', answer.get_data(as_text=True))
    assert said, answer.get_data(as_text=True)[:2000]
    return said.group(1)


def test_forgot_password_answers_alike_and_sends_a_few_links_at_most(
    container: Container, mail: MailServer
) -> None:
    ana = create_user(container, "ana@example.com")
    portal = make_portal(container)
    login_page = portal.client().get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in login_page

    unknown = _forgot(portal.client(), "nobody@example.com")
    known = _forgot(portal.client(), "Ana@Example.com")
    assert unknown == known
    token = _token_from_mail(container, mail, "ana@example.com")
    assert _use_link(portal.client(), token, NEW_PASSWORD).status_code == 303
    container.auth.authenticate("ana@example.com", NEW_PASSWORD, None)

    for _ in range(4):
        _forgot(portal.client(), "ana@example.com")
    assert len(_reset_rows(container, ana)) == 3  # SELF_SERVICE_MAX per hour
    requested = container.audit.list_events(OPERATOR, action="password_reset.requested")[0]
    assert requested.actor_user_id is None and requested.after
    assert requested.after["asked_by"] == "the person, from the login page"

    container.users.set_active(OPERATOR, ana, False)
    other = create_user(container, "bo@example.com")
    container.users.set_active(OPERATOR, other, False)
    _forgot(portal.client(), "bo@example.com")
    assert _reset_rows(container, other) == []


# -- the REST operations ---------------------------------------------------------------------------


def _bearer(client: FlaskClient, email: str) -> dict[str, str]:
    pair = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}).get_json()
    return {"Authorization": f"Bearer {pair['access_token']}"}


def test_the_api_changes_roles_activity_and_sends_resets_for_admins_only(container: Container) -> None:
    boss = create_user(container, "boss@example.com", Role.ADMIN)
    create_user(container, "m@example.com", Role.MANAGER)
    ana = create_user(container, "ana@example.com")
    client = make_portal(container).client()
    admin, manager = _bearer(client, "boss@example.com"), _bearer(client, "m@example.com")

    refused = client.put(f"/api/v1/users/{ana}/role", json={"role": "admin"}, headers=manager)
    assert refused.status_code == 403
    changed = client.put(f"/api/v1/users/{ana}/role", json={"role": "analyst"}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["role"] == "analyst"
    last = client.put(f"/api/v1/users/{boss}/role", json={"role": "manager"}, headers=admin)
    assert last.status_code == 409 and "only active admin" in last.get_json()["detail"]
    bad = client.put(f"/api/v1/users/{ana}/role", json={"role": "owner"}, headers=admin)
    assert bad.status_code == 422

    disabled = client.put(f"/api/v1/users/{ana}/active", json={"active": False}, headers=admin)
    assert disabled.status_code == 200 and disabled.get_json()["is_active"] is False
    gone = client.post(f"/api/v1/users/{ana}/password-reset", headers=admin)
    assert gone.status_code == 404
    client.put(f"/api/v1/users/{ana}/active", json={"active": True}, headers=admin)
    sent = client.post(f"/api/v1/users/{ana}/password-reset", headers=admin)
    assert sent.status_code == 202 and sent.get_json()["email"] == "ana@example.com"
    assert client.post(f"/api/v1/users/{ana}/password-reset", headers=manager).status_code == 403


# -- the Users page ------------------------------------------------------------------------------

ACT_OUTPUTS = [
    ("users-refresh", "data"),
    ("users-flash", "children"),
    ("users-modal", "is_open"),
    ("users-modal-title", "children"),
    ("users-modal-body", "children"),
    ("users-new-form", "hidden"),
    ("users-role-form", "hidden"),
    ("users-pending", "data"),
    ("users-role-choice", "value"),
]
ACT_INPUTS = ["users-confirm", "users-new", "users-role", "users-active", "users-reset", "users-cancel"]


def _act(client: FlaskClient, trigger: str, **state: Any) -> TestResponse:
    """Press `trigger` on the Users page, as dash-renderer posts it."""
    client.get("/_dash-dependencies")
    states = {
        ("users-grid", "selectedRows"): state.get("selected", []),
        ("users-pending", "data"): state.get("pending"),
        ("users-role-choice", "value"): state.get("role_choice"),
        ("users-new-email", "value"): state.get("email"),
        ("users-new-name", "value"): state.get("name"),
        ("users-new-role", "value"): state.get("new_role"),
        ("users-new-invite", "value"): state.get("invite"),
        ("users-new-password", "value"): state.get("password"),
    }
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in ACT_OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in ACT_OUTPUTS],
        "inputs": [
            {"id": i, "property": "n_clicks", "value": 1 if i == trigger else None} for i in ACT_INPUTS
        ],
        "changedPropIds": [f"{trigger}.n_clicks"],
        "state": [{"id": i, "property": p, "value": v} for (i, p), v in states.items()],
    }
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})


def _flash(answer: TestResponse) -> str:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:1000]
    return str(answer.get_json()["response"]["users-flash"]["children"])


def test_the_users_page_asks_then_changes_a_role_and_redraws(container: Container, mail: MailServer) -> None:
    portal = make_portal(container)
    admin = portal.client()
    login(admin, portal.email(Role.ADMIN))
    ana = container.users.create_user(
        OPERATOR,
        UserCreate(
            email="ana@example.com", display_name="Ana Example", role=Role.INVESTOR, password=PASSWORD
        ),
    ).id

    asked = _act(admin, "users-role", selected=[{"id": ana}])
    shown = asked.get_json()["response"]
    assert shown["users-modal"]["is_open"] is True and shown["users-role-form"]["hidden"] is False
    assert "Ana Example (ana@example.com) is an investor" in shown["users-modal-body"]["children"]
    pending = shown["users-pending"]["data"]

    done = _flash(_act(admin, "users-confirm", pending=pending, role_choice="analyst"))
    assert "Ana Example (ana@example.com) is now an analyst; their sessions were ended." in done
    assert container.users.get_user(OPERATOR, ana).role is Role.ANALYST

    nothing = _act(admin, "users-role", selected=[])
    assert "Select an account" in _flash(nothing)

    disabled = _flash(
        _act(admin, "users-confirm", pending={"action": "active", "user_id": ana, "active": False})
    )
    assert "is disabled; their sessions were ended" in disabled
    refused = _flash(_act(admin, "users-confirm", pending={"action": "reset", "user_id": ana}))
    assert refused.startswith("Not done:") or "Not done:" in refused
    _act(admin, "users-confirm", pending={"action": "active", "user_id": ana, "active": True})
    sent = _flash(_act(admin, "users-confirm", pending={"action": "reset", "user_id": ana}))
    assert "password-reset email is on its way to ana@example.com" in sent and "1 hour" in sent

    created = _flash(
        _act(
            admin,
            "users-confirm",
            pending={"action": "new"},
            email="Bo@Example.com",
            name="Bo Builder",
            new_role="manager",
            invite=True,
        )
    )
    assert "Bo Builder (bo@example.com) was created as a manager; an email" in created
    assert _token_from_mail(container, mail, "bo@example.com")

    grid = admin.post(
        "/_dash-update-component",
        json={
            "output": "users-grid.rowData",
            "outputs": {"id": "users-grid", "property": "rowData"},
            "inputs": [
                {"id": "users-search", "property": "value", "value": "bo@"},
                {"id": "users-refresh", "property": "data", "value": "x"},
            ],
            "changedPropIds": ["users-refresh.data"],
            "state": [],
        },
        headers={"X-CSRFToken": csrf_cookie(admin)},
    )
    rows = grid.get_json()["response"]["users-grid"]["rowData"]
    assert [(r["email"], r["role"], r["active"]) for r in rows] == [("bo@example.com", "Manager", "Active")]


def test_no_one_but_an_admin_gets_anything_from_the_users_actions(container: Container) -> None:
    portal = make_portal(container)
    ana = create_user(container, "ana@example.com")
    for role in (Role.MANAGER, Role.INVESTOR, Role.ANALYST):
        client = portal.client()
        login(client, portal.email(role))
        for trigger in ACT_INPUTS:
            answer = _act(
                client,
                trigger,
                selected=[{"id": ana}],
                pending={"action": "role", "user_id": ana},
                role_choice="admin",
            )
            assert answer.status_code in (204, 403), (role, trigger, answer.status_code)
    assert container.users.get_user(OPERATOR, ana).role is Role.INVESTOR


# -- the audit log's text search -------------------------------------------------------------------


def _note(container: Container, object_id: str, after: dict[str, Any]) -> None:
    with UnitOfWork(container.db) as uow:
        container.audit.record(uow.session, OPERATOR, "probe.noted", "probe", object_id, after=after)
        uow.commit()


def test_the_audit_text_search_runs_in_the_database_with_literal_wildcards(container: Container) -> None:
    _note(container, "1", {"note": "100% sure"})
    _note(container, "2", {"note": "100 sure"})
    _note(container, "3", {"note": "a_b"})
    _note(container, "4", {"note": "axb"})
    _note(container, "5", {"note": "Mixed CASE"})

    def found(text: str) -> list[str]:
        return sorted(e.object_id for e in container.audit.list_events(OPERATOR, text=text, limit=1000))

    assert found("100%") == ["1"]
    assert found("a_b") == ["3"]
    assert found("mixed case") == ["5"]
    assert found("probe 4") == ["4"]  # the object as the grid shows it
    assert found("probe.noted") == ["1", "2", "3", "4", "5"]
    assert found("operator:test") == ["1", "2", "3", "4", "5"]
    with pytest.raises(ValidationFailed):
        container.audit.list_events(OPERATOR, text="x" * 101)
    with pytest.raises(PermissionDenied):
        container.audit.list_events(Actor(user_id=1, role=Role.MANAGER, label="m"), text="100")


def test_the_audit_page_shows_a_long_change_whole(container: Container) -> None:
    long = "x" * 600
    _note(container, "9", {"note": long, "other": "y"})
    portal = make_portal(container)
    client = portal.client()
    login(client, portal.email(Role.ADMIN))
    client.get("/_dash-dependencies")
    answer = client.post(
        "/_dash-update-component",
        json={
            "output": "..audit-grid.rowData...audit-note.children..",
            "outputs": [
                {"id": "audit-grid", "property": "rowData"},
                {"id": "audit-note", "property": "children"},
            ],
            "inputs": [
                {"id": "audit-object", "property": "value", "value": None},
                {"id": "audit-action", "property": "value", "value": None},
                {"id": "audit-text", "property": "value", "value": "probe 9"},
                {"id": "audit-limit", "property": "value", "value": 200},
            ],
            "changedPropIds": ["audit-text.value"],
            "state": [],
        },
        headers={"X-CSRFToken": csrf_cookie(client)},
    )
    (row,) = answer.get_json()["response"]["audit-grid"]["rowData"]
    assert long in row["change"] and long in row["after"]
    assert row["after"].startswith("{\n  ")
