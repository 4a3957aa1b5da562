"""Portal sessions: login per role, failures, `next`, logout, cookie flags, lockout."""

from __future__ import annotations

import pytest
from werkzeug.test import TestResponse

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from portal.navigation import HOME, LINKS
from tests.integration.portal_support import (
    Portal,
    csrf_cookie,
    form_token,
    login,
    make_portal,
    nav_links,
    render_page,
    texts_by_id,
)


@pytest.fixture
def portal(container: Container) -> Portal:
    return make_portal(container)


def _set_cookie(response: TestResponse, name: str) -> str:
    headers = response.headers.getlist("Set-Cookie")
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {headers}"
    return found[-1]


def test_login_page_is_public_and_carries_a_csrf_token(portal: Portal) -> None:
    page = portal.client().get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert 'name="email"' in html and 'name="password"' in html
    assert len(form_token(html)) >= 32
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", list(Role))
def test_login_per_role_starts_a_session_and_renders_that_roles_navbar(portal: Portal, role: Role) -> None:
    client = portal.client()
    response = login(client, portal.email(role))
    assert response.status_code == 303 and response.headers["Location"] == HOME[role]
    assert "HttpOnly" in _set_cookie(response, "session")

    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    tree = layout.get_json()
    assert nav_links(tree) == {link.label: link.href for link in LINKS[role]}
    assert texts_by_id(tree)["navbar-email"] == portal.email(role)
    assert "logout-form" in texts_by_id(tree)

    landing = render_page(client, HOME[role])
    # Dashboards carry a page title; the roles still on placeholders show their landing card.
    assert ("landing-card" in landing or "page-title" in landing) and "not-permitted" not in landing


@pytest.mark.parametrize("email_of", ["right-email", "unknown-email"])
def test_wrong_credentials_show_the_error_and_start_no_session(portal: Portal, email_of: str) -> None:
    client = portal.client()
    email = portal.email(Role.MANAGER) if email_of == "right-email" else "nobody@portal.test"
    response = login(client, email, "not-the-password")
    assert response.status_code == 401
    assert "Invalid email or password." in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_login_without_the_forms_csrf_token_is_refused(portal: Portal) -> None:
    client = portal.client()
    client.get("/login")
    response = client.post("/login", data={"email": portal.email(Role.ADMIN), "password": "x" * 22})
    assert response.status_code == 403
    assert "sign-in form expired" in response.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_login_follows_a_same_site_next(portal: Portal) -> None:
    response = login(portal.client(), portal.email(Role.MANAGER), next_url="/manager/pools?tab=open")
    assert response.headers["Location"] == "/manager/pools?tab=open"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "http://evil.com/manager",
        "/\\evil.com",
        "/\t/evil.com",
        "javascript:alert(1)",
        "evil.com",
        "/logout",
    ],
)
def test_login_ignores_next_targets_off_this_site(portal: Portal, target: str) -> None:
    response = login(portal.client(), portal.email(Role.MANAGER), next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == HOME[Role.MANAGER]


def test_login_page_with_a_session_goes_to_the_role_home(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.ANALYST))
    response = client.get("/login?next=https://evil.com")
    assert response.status_code == 302 and response.headers["Location"] == HOME[Role.ANALYST]


def test_login_starts_a_fresh_session(portal: Portal) -> None:
    client = portal.client()
    before = form_token(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, portal.email(Role.INVESTOR))
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(
            portal.container.users.find_by_email(Actor.operator("t"), portal.email(Role.INVESTOR)).id
        )
    assert csrf_cookie(client) != before


def test_logout_without_the_csrf_token_is_refused(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.INVESTOR))
    response = client.post("/logout", data={}, headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert "CSRF token missing or invalid" in response.get_data(as_text=True)
    refused_json = client.post("/logout")
    assert refused_json.status_code == 403 and refused_json.mimetype == "application/problem+json"
    assert client.get("/_dash-layout").status_code == 200  # still signed in


def test_logout_with_the_csrf_token_ends_the_session(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.INVESTOR))
    layout = client.get("/_dash-layout").get_data(as_text=True)
    token = csrf_cookie(client)
    assert token in layout  # the navbar's logout form carries it
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login?signed_out=1"
    assert client.get_cookie("_csrf_token") is None
    assert client.get("/_dash-layout").status_code == 401
    assert "You have signed out." in client.get("/login?signed_out=1").get_data(as_text=True)
    signed_out = portal.container.audit.list_events(Actor.operator("t"), action="session.logged_out")
    assert [e.actor_label for e in signed_out] == [f"user:{portal.email(Role.INVESTOR)}"]


def test_session_and_csrf_cookie_flags(portal: Portal) -> None:
    response = login(portal.client(), portal.email(Role.ADMIN))
    session_cookie = _set_cookie(response, "session")
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie
    csrf = _set_cookie(response, "_csrf_token")
    assert "SameSite=Strict" in csrf and "HttpOnly" not in csrf and "Secure" not in csrf


def test_cookies_are_secure_when_configured(container: Container) -> None:
    portal = make_portal(container, SESSION_COOKIE_SECURE="true")
    response = login(portal.client(), portal.email(Role.ADMIN))
    assert "Secure" in _set_cookie(response, "session")
    assert "Secure" in _set_cookie(response, "_csrf_token")


def test_cookies_are_secure_over_https_when_not_configured(portal: Portal) -> None:
    client = portal.app.test_client()
    page = client.get("/login", base_url="https://portal.test")
    assert "Secure" in _set_cookie(page, "session")


def test_disabling_a_user_ends_their_session(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.ANALYST))
    operator = Actor.operator("t")
    user = portal.container.users.find_by_email(operator, portal.email(Role.ANALYST))
    portal.container.users.set_active(operator, user.id, False)
    assert client.get("/_dash-layout").status_code == 401


def test_back_off_says_when_to_retry(container: Container) -> None:
    portal = make_portal(container, LOGIN_MAX_FAILURES="2", LOGIN_LOCKOUT_SECONDS="900")
    client = portal.client()
    for _ in range(3):  # two free failures, then one that sets a one-second delay
        assert login(client, portal.email(Role.INVESTOR), "wrong-password").status_code == 401
    deferred = login(client, portal.email(Role.INVESTOR))  # too soon, even with the right password
    html = deferred.get_data(as_text=True)
    assert deferred.status_code == 429
    # One second, ending on the whole second after it (what the database keeps).
    wait = int(deferred.headers["Retry-After"])
    assert 1 <= wait <= 2
    assert f"Too many failed sign-in attempts. Try again in {wait} second" in html
    assert client.get("/_dash-layout").status_code == 401


def test_head_of_the_login_page_does_not_attempt_a_login(portal: Portal) -> None:
    assert portal.client().head("/login").status_code == 200
