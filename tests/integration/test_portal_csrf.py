"""CSRF on session-authenticated state changes, and the security headers on responses."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from backend.composition.container import Container
from backend.platform.actors import Role
from tests.integration.portal_support import (
    ROUTING_OUTPUT,
    Portal,
    csrf_cookie,
    login,
    make_portal,
    routing_callback,
)


@pytest.fixture
def portal(container: Container) -> Portal:
    return make_portal(container)


def test_dash_callback_needs_the_csrf_header(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.MANAGER))
    body = routing_callback("/manager")

    missing = client.post("/_dash-update-component", json=body)
    assert missing.status_code == 403 and missing.mimetype == "application/problem+json"
    assert "CSRF token missing or invalid" in missing.get_json()["detail"]

    wrong = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "x" * 43})
    assert wrong.status_code == 403

    ok = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    assert ok.status_code == 200 and ROUTING_OUTPUT.split(".")[2] in ok.get_data(as_text=True)


def test_csrf_token_of_another_session_is_refused(portal: Portal) -> None:
    first, second = portal.client(), portal.client()
    login(first, portal.email(Role.MANAGER))
    login(second, portal.email(Role.MANAGER))
    stolen = csrf_cookie(first)
    response = second.post(
        "/_dash-update-component", json=routing_callback("/manager"), headers={"X-CSRFToken": stolen}
    )
    assert response.status_code == 403


def test_api_writes_on_a_session_need_the_csrf_header(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.ADMIN))
    new_user = {"email": "new@portal.test", "role": "analyst", "password": "another-long-password"}
    refused = client.post("/api/v1/users", json=new_user)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    created = client.post("/api/v1/users", json=new_user, headers={"X-CSRFToken": csrf_cookie(client)})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert client.get("/api/v1/users").status_code == 200  # reads need no token


def test_api_requests_with_a_bearer_token_are_not_asked_for_csrf(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.ADMIN))
    response = client.post("/api/v1/users", json={}, headers={"Authorization": "Bearer not-a-real-token"})
    # The API itself refused the token: the guard did not stop it for want of a CSRF token.
    assert response.status_code == 401
    assert "CSRF" not in response.get_json()["detail"]


def _inline_scripts(html: str) -> list[str]:
    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, re.S)
    return [body for attrs, body in scripts if "src=" not in attrs and "application/json" not in attrs]


def test_security_headers_on_the_login_page_and_the_portal(portal: Portal) -> None:
    client = portal.client()
    pages = [client.get("/login")]
    login(client, portal.email(Role.INVESTOR))
    pages.append(client.get("/investor"))
    for page in pages:
        headers = page.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert "unsafe-eval" not in script_src and "unsafe-inline" not in script_src
        assert headers["Cache-Control"] == "no-store"


def test_csp_allows_exactly_the_inline_scripts_dash_writes(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.INVESTOR))
    page = client.get("/investor")
    html = page.get_data(as_text=True)
    # The IE-only conditional comment is never parsed as a script by a current browser.
    html = re.sub(r"<!--\[if IE\]>.*?<!\[endif\]-->", "", html, flags=re.S)
    csp = page.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    inline = _inline_scripts(html)
    assert inline, "Dash's index page has inline scripts to hash"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, script[:80]
