"""Sessions end when they are ended, and a login back-off that cannot lock anyone out.

From a security review, each reproduced on the code before the fix:
1. A portal cookie copied before POST /logout kept answering /api/v1/me, /_dash-layout and
   the Dash callbacks with 200: nothing on the server knew the session had ended.
2. Access tokens of a refresh family revoked for reuse kept working until they expired.
3. Five failures locked any email for 15 minutes even against the right password, and fifty
   locked every login from one address: anyone could lock anyone out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from backend.auth.interface import AuthService
from backend.auth.service import DatabaseAuthService
from backend.auth.tokens import KeyRing
from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.config import Settings, load_settings
from backend.platform.db import Database
from backend.platform.errors import TooManyRequests, Unauthenticated, ValidationFailed
from portal.shell.session import SESSION_ID_KEY
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.auth_support import OPERATOR, PASSWORD, Clock, create_user, use_cheap_argon2
from tests.integration.portal_support import Portal, csrf_cookie, login, make_portal, routing_callback
from tests.integration.rpc_support import serving

# The production defaults, spelled out: the findings were about exactly these.
FREE_ACCOUNT, FREE_IP, MAX_DELAY = 5, 50, 900
PROBLEM = "application/problem+json"

# Each test runs again with the auth and users services behind gRPC: every request's session
# check and every sign-out crosses the hop, and a password change made in the users service
# ends sessions in the auth service across it.
pytestmark = pytest.mark.over_grpc("users", "auth")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        VAR_DIR=str(tmp_path / "var"),
        LOGIN_MAX_FAILURES=FREE_ACCOUNT,
        LOGIN_MAX_FAILURES_PER_IP=FREE_IP,
        LOGIN_LOCKOUT_SECONDS=MAX_DELAY,
    )


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    return use_cheap_argon2(monkeypatch)


@pytest.fixture
def portal(container: Container) -> Portal:
    return make_portal(container)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(container: Container, clock: Clock, transport: str) -> Iterator[AuthService]:
    service = DatabaseAuthService(
        container.db,
        container.audit,
        container.settings,
        keys=KeyRing(container.jwt_keys_dir),
        users=container.users,
        clock=clock,
    )
    if transport != "grpc":
        yield service
        return
    with serving(container, "auth", service) as client:  # its own clock, behind the hop
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tokens(client: FlaskClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def stolen_copy(portal: Portal, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `client`'s cookies, as they are now."""
    thief = portal.client()
    for name in ("session", "_csrf_token"):
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def portal_answers(client: FlaskClient) -> dict[str, int]:
    """What the portal's three kinds of route answer this client: the API on the cookie,
    Dash's layout, and a Dash callback (with the CSRF header a real page would send)."""
    token = csrf_cookie(client)
    return {
        "/api/v1/me": client.get("/api/v1/me").status_code,
        "/_dash-layout": client.get("/_dash-layout").status_code,
        "/_dash-update-component": client.post(
            "/_dash-update-component", json=routing_callback("/investor"), headers={"X-CSRFToken": token}
        ).status_code,
    }


LIVE = {"/api/v1/me": 200, "/_dash-layout": 200, "/_dash-update-component": 200}
ENDED = {"/api/v1/me": 401, "/_dash-layout": 401, "/_dash-update-component": 401}


def user_id_of(container: Container, email: str) -> int:
    return container.users.find_by_email(OPERATOR, email).id


# -- 1. portal sessions end on the server ---------------------------------------------------


def test_a_cookie_copied_before_logout_is_refused_after_it(portal: Portal) -> None:
    client = portal.client()
    login(client, portal.email(Role.INVESTOR))
    thief, another_thief = stolen_copy(portal, client), stolen_copy(portal, client)
    assert portal_answers(thief) == LIVE

    out = client.post("/logout", data={"csrf_token": csrf_cookie(client)})
    assert out.status_code == 303

    assert portal_answers(thief) == ENDED
    me = thief.get("/api/v1/me")
    assert me.mimetype == PROBLEM and me.get_json()["status"] == 401
    # A browser is sent to sign in again, and the dead cookie is deleted on the way.
    page = another_thief.get("/investor", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert any(h.startswith("session=;") for h in page.headers.getlist("Set-Cookie"))


def test_logout_ends_only_its_own_session(portal: Portal) -> None:
    laptop, phone = portal.client(), portal.client()
    login(laptop, portal.email(Role.INVESTOR))
    login(phone, portal.email(Role.INVESTOR))
    laptop.post("/logout", data={"csrf_token": csrf_cookie(laptop)})
    assert portal_answers(phone) == LIVE


def test_a_password_change_ends_every_session_of_that_user(portal: Portal) -> None:
    email = portal.email(Role.INVESTOR)
    browser, bystander, api = portal.client(), portal.client(), portal.client()
    login(browser, email)
    login(bystander, portal.email(Role.ANALYST))
    pair = tokens(api, email, "portal-test-password-1")
    user_id = user_id_of(portal.container, email)

    portal.container.users.set_password(OPERATOR, user_id, "a-brand-new-password")

    assert portal_answers(browser) == ENDED
    assert api.get("/api/v1/me", headers=bearer(pair["access_token"])).status_code == 401
    assert api.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert bystander.get("/_dash-layout").status_code == 200  # someone else's session lives on
    # The new password opens a new session; the old one is refused.
    assert login(portal.client(), email, "portal-test-password-1").status_code == 401
    fresh = portal.client()
    assert login(fresh, email, "a-brand-new-password").status_code == 303
    assert portal_answers(fresh) == LIVE
    revoked = portal.container.audit.list_events(OPERATOR, action="sessions.revoked")
    assert revoked[0].after == {"reason": "password_changed", "sessions": 2, "refresh_tokens": 1}


def test_a_user_changes_their_own_password_only_with_the_current_one(portal: Portal) -> None:
    email = portal.email(Role.ANALYST)
    me = portal.container.auth.actor_for_user_id(user_id_of(portal.container, email))
    assert me is not None and me.user_id is not None
    with pytest.raises(ValidationFailed, match="current password"):
        portal.container.users.set_password(me, me.user_id, "a-brand-new-password", current_password="guess")
    portal.container.users.set_password(
        me, me.user_id, "a-brand-new-password", current_password="portal-test-password-1"
    )
    assert login(portal.client(), email, "a-brand-new-password").status_code == 303


def test_disabling_ends_sessions_and_enabling_does_not_bring_them_back(portal: Portal) -> None:
    email = portal.email(Role.MANAGER)
    browser, api = portal.client(), portal.client()
    login(browser, email)
    pair = tokens(api, email, "portal-test-password-1")
    thief = stolen_copy(portal, browser)
    user_id = user_id_of(portal.container, email)

    portal.container.users.set_active(OPERATOR, user_id, False)
    portal.container.users.set_active(OPERATOR, user_id, True)

    assert thief.get("/_dash-layout").status_code == 401
    assert api.get("/api/v1/me", headers=bearer(pair["access_token"])).status_code == 401
    assert api.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert login(portal.client(), email).status_code == 303  # the account itself works again


def test_a_signed_cookie_naming_no_live_session_is_no_session(portal: Portal) -> None:
    """A cookie from before sessions had server-side ids, or one whose id is another user's,
    is refused though its signature is good (the test client signs with the server's key)."""
    investor, analyst = portal.client(), portal.client()
    login(investor, portal.email(Role.INVESTOR))
    login(analyst, portal.email(Role.ANALYST))
    with analyst.session_transaction() as session:
        analysts_session_id = session[SESSION_ID_KEY]

    with investor.session_transaction() as session:
        session.pop(SESSION_ID_KEY)
    assert portal_answers(investor) == ENDED

    login(investor, portal.email(Role.INVESTOR))
    with investor.session_transaction() as session:
        session[SESSION_ID_KEY] = analysts_session_id
    assert portal_answers(investor) == ENDED
    assert portal_answers(analyst) == LIVE


# -- 2. access tokens end with their session ------------------------------------------------


def test_access_tokens_of_a_family_revoked_for_reuse_are_refused_at_once(portal: Portal) -> None:
    api = portal.client()
    email = portal.email(Role.ANALYST)
    first = tokens(api, email, "portal-test-password-1")
    second = api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}).get_json()
    other_device = tokens(api, email, "portal-test-password-1")
    assert api.get("/api/v1/me", headers=bearer(second["access_token"])).status_code == 200

    replay = api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401

    for access in (first["access_token"], second["access_token"]):
        refused = api.get("/api/v1/me", headers=bearer(access))
        assert refused.status_code == 401 and refused.mimetype == PROBLEM
        assert refused.get_json()["detail"] == "invalid or expired token"
    # Another login is another session: untouched.
    assert api.get("/api/v1/me", headers=bearer(other_device["access_token"])).status_code == 200


def test_an_access_token_naming_no_session_is_refused(container: Container, portal: Portal) -> None:
    """Tokens minted before sessions existed carry no `sid`; signed with the right key, still no."""
    user_id = create_user(container, "legacy@example.com")
    kid, _ = KeyRing(container.jwt_keys_dir).signing_key()
    key = load_pem_private_key((container.jwt_keys_dir / f"{kid}.pem").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)  # the ring signs with EdDSA keys
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": container.settings.jwt_issuer,
        "aud": container.settings.jwt_audience,
        "sub": str(user_id),
        "role": "investor",
        "jti": "b" * 32,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    header = {"kid": kid, "typ": "at+jwt"}
    legacy = jwt.encode(claims, key, algorithm="EdDSA", headers=header)
    assert portal.client().get("/api/v1/me", headers=bearer(legacy)).status_code == 401
    # Well-formed, but no such session: refused as well.
    unknown = jwt.encode({**claims, "sid": "c" * 32}, key, algorithm="EdDSA", headers=header)
    assert portal.client().get("/api/v1/me", headers=bearer(unknown)).status_code == 401


# -- 3. back-off, not lockout ---------------------------------------------------------------


def test_guessing_at_an_account_cannot_keep_its_owner_out(
    container: Container, auth: AuthService, clock: Clock
) -> None:
    user_id = create_user(container, "victim@example.com")
    # Before the fix this many failures locked the account for 15 minutes, right password or not.
    for n in range(FREE_ACCOUNT + 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate("victim@example.com", f"guess {n}", f"198.51.100.{n}")
    with pytest.raises(TooManyRequests) as deferred:
        auth.authenticate("victim@example.com", PASSWORD, "192.0.2.1")
    assert deferred.value.retry_after_seconds == 1
    clock.advance(1)
    assert auth.authenticate("victim@example.com", PASSWORD, "192.0.2.1").id == user_id
    # The success wiped the account's count: the guesser starts from nothing again.
    for n in range(FREE_ACCOUNT):
        with pytest.raises(Unauthenticated):
            auth.authenticate("victim@example.com", f"guess {n}", "198.51.100.9")


def test_a_sustained_guesser_is_held_to_one_guess_per_longest_delay(
    auth: AuthService, clock: Clock
) -> None:
    evaluated = 0
    started = clock.now
    while clock.now - started < timedelta(hours=6):
        try:
            auth.authenticate("target@example.com", "guess", f"203.0.113.{evaluated % 200}")
        except Unauthenticated:
            evaluated += 1
        except TooManyRequests as deferred:
            clock.advance(deferred.retry_after_seconds)
    # The free allowance, the doubling climb (1 s .. 512 s, ten guesses in 17 minutes), then
    # one guess per MAX_DELAY: where a lockout of 5 per 15 minutes allowed 120 in 6 hours.
    climb = 10
    assert evaluated <= FREE_ACCOUNT + climb + 6 * 3600 // MAX_DELAY + 1


def test_a_guessing_address_is_slowed_not_shut(
    container: Container, auth: AuthService, clock: Clock
) -> None:
    user_id = create_user(container, "colleague@example.com")
    office = "203.0.113.50"
    # Before the fix, 50 failures from one address locked every login from it for 15 minutes.
    for n in range(FREE_IP + 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate(f"someone{n}@example.com", "guess", office)
    with pytest.raises(TooManyRequests) as deferred:
        auth.authenticate("colleague@example.com", PASSWORD, office)
    clock.advance(deferred.value.retry_after_seconds)
    assert auth.authenticate("colleague@example.com", PASSWORD, office).id == user_id


def test_a_large_back_off_raises_an_alert(
    container: Container, auth: AuthService, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    user_id = create_user(container, "watched@example.com")

    def alerts() -> float:
        return REGISTRY.get_sample_value("login_backoff_alerts_total", {"scope": "account"}) or 0.0

    before = alerts()
    caplog.set_level(logging.WARNING, logger="backend.auth.service")
    for n in range(FREE_ACCOUNT):
        with pytest.raises(Unauthenticated):
            auth.authenticate("watched@example.com", "guess", f"198.51.100.{n}")
    waits = []
    for n in range(7):  # delays of 1, 2, 4 .. 64 s: the last one passes a minute
        with pytest.raises(Unauthenticated):
            auth.authenticate("watched@example.com", "guess", f"198.51.101.{n}")
        with pytest.raises(TooManyRequests) as deferred:
            auth.authenticate("watched@example.com", "guess", "192.0.2.7")
        waits.append(deferred.value.retry_after_seconds)
        clock.advance(deferred.value.retry_after_seconds)
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert alerts() == before + 1
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "back-off" in record.getMessage()
    assert vars(record)["scope"] == "account" and vars(record)["object_id"] == str(user_id)
    assert "watched@example.com" not in repr(vars(record))
    [event] = container.audit.list_events(OPERATOR, action="login.backoff_alert")
    assert (event.object_type, event.object_id) == ("user", str(user_id))


def test_an_address_alert_names_the_address(
    auth: AuthService, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="backend.auth.service")
    address = "203.0.113.99"
    # One guess per account, at many accounts (password spraying): only the address counts.
    for n in range(FREE_IP):
        with pytest.raises(Unauthenticated):
            auth.authenticate(f"spray{n}@example.com", "guess", address)
    for n in range(7):  # delays of 1, 2, 4 .. 64 s
        with pytest.raises(Unauthenticated):
            auth.authenticate(f"sprayed{n}@example.com", "guess", address)
        with pytest.raises(TooManyRequests) as deferred:
            auth.authenticate(f"next{n}@example.com", "guess", address)
        clock.advance(deferred.value.retry_after_seconds)
    warnings = [vars(r) for r in caplog.records if r.levelno == logging.WARNING]
    named = [(w["scope"], w["object_type"], w["object_id"]) for w in warnings]
    assert named == [("ip", "client_ip", address)]


# -- concurrency: the delay holds against many attempts at once -----------------------------
# Real commits and threads, so not the savepoint-per-test `container`.


@pytest.fixture(scope="module")
def committed_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    sqlite_file = tmp_path_factory.mktemp("sessions_committed") / "pools.sqlite3"
    urls = {"sqlite": f"sqlite:///{sqlite_file}", "mariadb": mariadb_database_url("sessions_committed")}
    for url in urls.values():
        upgrade(url)
    return urls


@pytest.fixture
def committed(committed_urls: dict[str, str], settings: Settings) -> Iterator[Callable[[str], Container]]:
    opened: list[Database] = []

    def make(backend: str) -> Container:
        opened.append(Database(committed_urls[backend]))
        return Container(settings, db=opened[-1])

    yield make
    for db in opened:
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_concurrent_guesses_during_a_back_off_reach_the_password_check_one_at_a_time(
    committed: Callable[[str], Container], backend: str
) -> None:
    container = committed(backend)
    email = f"parallel-{backend}-{datetime.now(UTC).timestamp()}@example.com"
    create_user(container, email)
    for n in range(FREE_ACCOUNT):
        with pytest.raises(Unauthenticated):
            container.auth.authenticate(email, "guess", f"198.51.100.{n}")
    parties = 8
    barrier = threading.Barrier(parties)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            container.auth.authenticate(email, f"parallel guess {n}", f"192.0.2.{n}")
            outcome = "accepted"
        except Unauthenticated:
            outcome = "evaluated"
        except TooManyRequests:
            outcome = "deferred"
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # The free allowance is spent: the first attempt through holds the delay while its
    # password is checked, and everyone else is told to wait.
    assert sorted(outcomes) == ["deferred"] * (parties - 1) + ["evaluated"], outcomes


def test_each_request_looks_its_session_up_once(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-request price of revocation: one primary-key read, whatever the route."""
    client = portal.client()
    login(client, portal.email(Role.INVESTOR))
    calls: list[tuple[str, int]] = []
    real = portal.container.auth.session_is_live

    def counting(session_id: str, user_id: int) -> bool:
        calls.append((session_id, user_id))
        return real(session_id, user_id)

    monkeypatch.setattr(portal.container.auth, "session_is_live", counting)
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert len(calls) == 2


def test_operator_actors_change_passwords_without_a_current_one(container: Container) -> None:
    user_id = create_user(container, "reset@example.com")
    container.users.set_password(Actor.operator("helpdesk"), user_id, "reset-by-the-operator")
    assert container.auth.authenticate("reset@example.com", "reset-by-the-operator", None).id == user_id
