"""The token endpoints over HTTP, and the user endpoints behind them, on SQLite and MariaDB."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient

from backend.auth.tokens import KeyRing
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Role
from backend.platform.config import Settings, load_settings
from tests.integration.auth_support import OPERATOR, PASSWORD, create_user, use_cheap_argon2

MAX_ACCOUNT, LOCKOUT = 2, 300
PROBLEM = "application/problem+json"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:  # overrides conftest's: a low limit keeps the test short
    return load_settings(
        VAR_DIR=str(tmp_path / "var"), LOGIN_MAX_FAILURES=MAX_ACCOUNT, LOGIN_LOCKOUT_SECONDS=LOCKOUT
    )


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    return use_cheap_argon2(monkeypatch)


@pytest.fixture
def client(container: Container) -> FlaskClient:
    return create_app(container).test_client()


def get_tokens(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_endpoint_issues_a_pair_that_works_on_me(container: Container, client: FlaskClient) -> None:
    user_id = create_user(container, "ana@example.com", Role.ANALYST)
    response = client.post("/api/v1/auth/token", json={"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert (me.get_json()["id"], me.get_json()["role"]) == (user_id, "analyst")


def test_wrong_password_and_unknown_email_get_the_same_401(container: Container, client: FlaskClient) -> None:
    create_user(container, "ana@example.com")
    wrong = client.post("/api/v1/auth/token", json={"email": "ana@example.com", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", json={"email": "who@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["detail"] == "invalid email or password"
    assert wrong.mimetype == unknown.mimetype == PROBLEM
    assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_back_off_answers_429_with_retry_after(container: Container, client: FlaskClient) -> None:
    create_user(container, "ana@example.com")
    for _ in range(MAX_ACCOUNT + 1):  # the free allowance, and one failure beyond it
        bad = client.post("/api/v1/auth/token", json={"email": "ana@example.com", "password": "nope"})
        assert bad.status_code == 401
    deferred = client.post("/api/v1/auth/token", json={"email": "ana@example.com", "password": PASSWORD})
    assert deferred.status_code == 429 and deferred.mimetype == PROBLEM
    # One second, ending on the whole second after it (what the database keeps).
    assert 1 <= int(deferred.headers["Retry-After"]) <= 2


def test_refresh_rotates_and_a_replayed_token_kills_the_family(
    container: Container, client: FlaskClient
) -> None:
    create_user(container, "ana@example.com")
    first = get_tokens(client, "ana@example.com")
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    second = rotated.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401 and replay.get_json()["detail"] == "invalid or expired token"
    newest = client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert newest.status_code == 401


def test_logout_revokes_the_access_token_and_the_refresh_family(
    container: Container, client: FlaskClient
) -> None:
    create_user(container, "ana@example.com")
    tokens = get_tokens(client, "ana@example.com")
    out = client.post(
        "/api/v1/auth/logout",
        headers=bearer(tokens["access_token"]),
        json={"refresh_token": tokens["refresh_token"]},
    )
    assert out.status_code == 204 and out.data == b""
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_logout_body_is_optional_and_a_token_is_required(container: Container, client: FlaskClient) -> None:
    create_user(container, "ana@example.com")
    tokens = get_tokens(client, "ana@example.com")
    assert client.post("/api/v1/auth/logout").status_code == 401
    assert client.post("/api/v1/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
    # The refresh token was not presented, but its family is the session that ended.
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_every_bad_token_gets_the_same_generic_401(container: Container, client: FlaskClient) -> None:
    user_id = create_user(container, "ana@example.com")
    kid, key = KeyRing(container.jwt_keys_dir).signing_key()
    now = int(time.time())
    settings = container.settings
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "role": "investor",
        "jti": "x" * 32,
        "iat": now - 1000,
        "nbf": now - 1000,
        "exp": now - 100,
    }
    expired = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"})
    wrong_aud = jwt.encode(
        {**claims, "exp": now + 100, "aud": "elsewhere"},
        key,
        algorithm="EdDSA",
        headers={"kid": kid, "typ": "at+jwt"},
    )
    bodies = []
    for token in (expired, wrong_aud, "not.a.jwt", expired[:-4] + "AAAA"):
        response = client.get("/api/v1/me", headers=bearer(token))
        assert response.status_code == 401 and "WWW-Authenticate" in response.headers
        bodies.append(response.get_json())
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["detail"] == "invalid or expired token"


def test_users_endpoints_require_an_admin(container: Container, client: FlaskClient) -> None:
    create_user(container, "admin@example.com", Role.ADMIN)
    create_user(container, "boss@example.com", Role.MANAGER)
    manager = get_tokens(client, "boss@example.com")["access_token"]
    admin = get_tokens(client, "admin@example.com")["access_token"]
    assert client.get("/api/v1/users").status_code == 401
    assert client.get("/api/v1/users", headers=bearer(manager)).status_code == 403
    new_user = {"email": "new@example.com", "role": "investor", "password": "a long enough secret"}
    assert client.post("/api/v1/users", headers=bearer(manager), json=new_user).status_code == 403
    listed = client.get("/api/v1/users", headers=bearer(admin))
    assert listed.status_code == 200
    assert {u["email"] for u in listed.get_json()} == {"admin@example.com", "boss@example.com"}
    assert client.post("/api/v1/users", headers=bearer(admin), json=new_user).status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-email"), ("password", "short")],
)
def test_create_user_names_the_invalid_field(
    container: Container, client: FlaskClient, field: str, value: str
) -> None:
    create_user(container, "admin@example.com", Role.ADMIN)
    admin = get_tokens(client, "admin@example.com")["access_token"]
    body = {"email": "new@example.com", "role": "investor", "password": "a long enough secret", field: value}
    response = client.post("/api/v1/users", headers=bearer(admin), json=body)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert [e["field"] for e in response.get_json()["errors"]] == [field]
    assert container.users.list_users(OPERATOR)[-1].email == "admin@example.com"


def test_openapi_documents_the_token_endpoints(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    token = paths["/api/v1/auth/token"]["post"]
    assert {"401", "429"} <= set(token["responses"]) and "security" not in token
    assert "security" in paths["/api/v1/auth/logout"]["post"]


def test_nothing_secret_reaches_the_logs_over_http(
    container: Container, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    create_user(container, "ana@example.com")
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-but-still-secret"
    client.post("/api/v1/auth/token", json={"email": "ana@example.com", "password": wrong})
    tokens = get_tokens(client, "ana@example.com")
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).get_json()
    client.post(
        "/api/v1/auth/logout",
        headers=bearer(rotated["access_token"]),
        json={"refresh_token": rotated["refresh_token"]},
    )
    logged = caplog.text + "".join(repr(vars(r)) for r in caplog.records)
    assert any(r.name == "http" for r in caplog.records), "request logging was not captured"
    for secret in (PASSWORD, wrong, *tokens.values(), *rotated.values()):
        if isinstance(secret, str) and secret != "Bearer":
            assert secret not in logged


def test_a_user_changes_their_password_and_every_session_ends(
    container: Container, client: FlaskClient
) -> None:
    create_user(container, "ana@example.com", Role.ANALYST)
    first, second = get_tokens(client, "ana@example.com"), get_tokens(client, "ana@example.com")
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "not the password", "new_password": "a brand new passphrase"},
        headers=bearer(first["access_token"]),
    )
    assert wrong.status_code == 422 and wrong.get_json()["errors"][0]["field"] == "current_password"
    short = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=bearer(first["access_token"]),
    )
    assert short.status_code == 422 and short.get_json()["errors"][0]["field"] == "new_password"
    unchanged = client.get("/api/v1/me", headers=bearer(first["access_token"]))
    assert unchanged.status_code == 200
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        headers=bearer(first["access_token"]),
    )
    assert changed.status_code == 204, changed.get_json()
    for tokens in (first, second):  # this session and the other one
        assert client.get("/api/v1/me", headers=bearer(tokens["access_token"])).status_code == 401
        refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401
    old = client.post("/api/v1/auth/token", json={"email": "ana@example.com", "password": PASSWORD})
    assert old.status_code == 401
    get_tokens(client, "ana@example.com", "a brand new passphrase")
