"""The login guard covers every route on the server; the public list is short and deliberate.

The walk below takes the routes from the server's own URL map, so a route added anywhere
(an API operation, a Dash internal, a portal page) is checked without anyone listing it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from werkzeug.routing import Rule

from backend.composition.container import Container
from backend.composition.web import create_app
from portal.shell.guard import API_AUTH_REQUIRED, public_routes
from tests.integration.portal_support import routing_callback

EXPECTED_PUBLIC_ENDPOINTS = {
    "healthz",
    "readyz",
    "metrics",
    "static",
    "api.openapi",
    "api.post_issue_token",
    "api.post_refresh_token",
    # The payment gateway's webhook: refused (400) unless signed with our secret.
    "api.post_stripe_webhook",
    "api.post_unsubscribe_one_click",
    "api.post_sms_status_report",
    "portal.login",
    # The emailed password-reset link's page: the token is the credential.
    "portal.reset_password",
    # Asks for such a link by email address; the same answer for any address.
    "portal.forgot_password",
}
EXPECTED_PUBLIC_ASSETS = {"bootstrap.min.css", "portal.css", "theme.js"}
# Flask registers "static" even without a static folder; this server has none.
ENDPOINTS_WITHOUT_A_ROUTE = {"static"}
DASH_ROUTES = {
    "/",
    "/<path:path>",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_dash-update-component",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
    "/_reload-hash",
    "/_favicon.ico",
    "/assets/<path:filename>",
}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_DUMMIES = {"int": "1", "path": "x/y.js", "string": "x", None: "x"}
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    # Routing does not depend on the database; one backend is enough here.
    return str(request.param)


@pytest.fixture
def server(container: Container) -> Flask:
    return create_app(container)


def _url(rule: Rule) -> str:
    return _ARGUMENT.sub(lambda m: _DUMMIES.get(m.group("converter"), "x"), rule.rule)


def _method(rule: Rule) -> str:
    methods = rule.methods or set()
    return "GET" if "GET" in methods else next(m for m in _UNSAFE if m in methods)


def test_the_public_list_is_exactly_this() -> None:
    public = public_routes()
    assert public["endpoints"] == EXPECTED_PUBLIC_ENDPOINTS
    assert public["assets"] == EXPECTED_PUBLIC_ASSETS


def test_every_public_endpoint_names_a_route(server: Flask) -> None:
    # A public name that matches no route is a typo that leaves the real route guarded.
    endpoints = {rule.endpoint for rule in server.url_map.iter_rules()}
    assert EXPECTED_PUBLIC_ENDPOINTS - ENDPOINTS_WITHOUT_A_ROUTE - endpoints == set()


def test_every_other_route_refuses_a_request_without_session_or_token(server: Flask) -> None:
    client = server.test_client()
    walked: set[str] = set()
    for rule in server.url_map.iter_rules():
        if rule.endpoint in EXPECTED_PUBLIC_ENDPOINTS:
            continue
        url, method = _url(rule), _method(rule)
        response = client.open(url, method=method)
        where = f"{method} {url} ({rule.endpoint})"
        if url.startswith("/api/"):
            assert response.status_code == 401, where
            assert response.mimetype == "application/problem+json", where
            problem = response.get_json()
            assert {"type", "title", "status", "detail"} <= problem.keys(), where
            assert problem["status"] == 401, where
        elif response.status_code in (302, 303):
            assert urlsplit(response.headers["Location"]).path == "/login", where
        else:
            assert response.status_code == 401, where
            assert response.is_json, where
        walked.add(rule.rule)
    assert walked >= DASH_ROUTES, "Dash's routes must be on the server and behind the guard"


def test_dash_callback_without_session_is_401(server: Flask) -> None:
    response = server.test_client().post("/_dash-update-component", json=routing_callback("/admin"))
    assert response.status_code == 401 and response.is_json


def test_a_job_cleanup_without_session_runs_nothing_and_answers_204(server: Flask) -> None:
    """A page left after sign-out asks Dash to end its background job: nothing runs (not
    even Dash's handler), and the next page's renderer is not tripped by a 401."""
    client = server.test_client()
    ended = client.post("/_dash-update-component?endId=abc~def", json=routing_callback("/admin"))
    assert ended.status_code == 204 and ended.get_data() == b""
    # Only that request: the same callback without endId is still refused.
    assert client.post("/_dash-update-component", json=routing_callback("/admin")).status_code == 401


@pytest.mark.parametrize(
    "path", ["/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/_favicon.ico", "/assets/x.css"]
)
def test_dash_internals_answer_401_even_to_a_browser(server: Flask, path: str) -> None:
    response = server.test_client().get(path, headers={"Accept": "text/html"})
    assert response.status_code == 401 and response.is_json


def test_component_suites_are_guarded(server: Flask) -> None:
    response = server.test_client().get(
        "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4_4_1m1.min.js"
    )
    assert response.status_code == 401


def test_a_browser_asking_for_a_page_is_sent_to_login_with_next(server: Flask) -> None:
    response = server.test_client().get("/manager/pools?tab=open", headers={"Accept": "text/html"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/manager/pools?tab=open"]


def test_a_script_asking_for_a_page_gets_401(server: Flask) -> None:
    client = server.test_client()
    xhr = client.get("/manager", headers={"X-Requested-With": "XMLHttpRequest"})
    fetch = client.get("/manager", headers={"Accept": "application/json"})
    assert xhr.status_code == 401 and fetch.status_code == 401


def test_api_without_a_token_is_a_problem_and_with_one_reaches_the_api(server: Flask) -> None:
    client = server.test_client()
    refused = client.get("/api/v1/users")
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == API_AUTH_REQUIRED
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    passed = client.get("/api/v1/users", headers={"Authorization": "Bearer not-a-real-token"})
    # The API's own verdict on the token, not the guard's.
    assert passed.status_code == 401 and passed.get_json()["detail"] != API_AUTH_REQUIRED


@pytest.mark.parametrize("filename", sorted(EXPECTED_PUBLIC_ASSETS))
def test_the_login_pages_css_is_public(server: Flask, filename: str) -> None:
    response = server.test_client().get(f"/assets/{filename}")
    expected = "text/javascript" if filename.endswith(".js") else "text/css"  # theme.js: light/dark
    assert response.status_code == 200 and response.mimetype == expected


def test_public_platform_routes_answer_without_a_session(server: Flask) -> None:
    client = server.test_client()
    for path in ("/healthz", "/api/v1/openapi.json", "/login"):
        assert client.get(path).status_code == 200, path
    token = client.post("/api/v1/auth/token", json={"email": "nobody@example.com", "password": "x" * 12})
    assert token.status_code == 401  # refused by the token endpoint itself, on the credentials
    assert token.get_json()["detail"] != API_AUTH_REQUIRED
