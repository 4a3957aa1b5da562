"""Access checks an app server reuses (backend.auth.checked_sessions), with the auth and user
services remote or in process: reused only until a user or a session changes, by any path,
with the epoch in the real Redis; never a refusal; nothing reused when Redis is unreachable.
And the commit watch underneath (backend.platform.commit_watch) on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import jwt
import pytest
from sqlalchemy import update

from backend.auth.access_check import access_tokens
from backend.auth.checked_sessions import AccessEpoch, CheckedSessions
from backend.auth.gateway import GatewayAuthClient
from backend.auth.models import AuthSession
from backend.composition.container import Container
from backend.composition.rpc_commands import ANNOUNCES_ACCESS_CHANGES, serve
from backend.platform.actors import Actor, Role
from backend.platform.cache import RedisCache
from backend.platform.config import load_settings
from backend.platform.errors import Unauthenticated
from backend.platform.unit_of_work import UnitOfWork
from backend.users.models import User
from backend.users.rpc import UserServiceClient
from tests.conftest import REDIS_URL
from tests.integration.auth_support import OPERATOR, PASSWORD, create_user
from tests.integration.test_auth_gateway import INVALID, served, signed_in

REUSE_SECONDS = 600.0  # longer than any test: what ends a reused check here is a change


class _Counted:
    """A service implementation that counts the calls it answers by name."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return attribute(*args, **kwargs)

        return counted


def _redis_epoch(container: Container) -> AccessEpoch:
    """The container's own epoch, on a Redis namespace of this test: its database's commit
    watch advances it as in production (bound when the database is first reached)."""
    assert "db" not in container.__dict__, "the database was reached before the epoch was set"
    epoch = AccessEpoch(RedisCache(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:"))
    container.__dict__["access_epoch"] = epoch
    return epoch


class Gateway:
    """An app server's view: the auth and user services each behind gRPC, counted."""

    def __init__(self, container: Container, auth_at: str, users_at: str, epoch: AccessEpoch) -> None:
        self.users_client = UserServiceClient(users_at, container.internal_tokens, read_timeout=30.0)
        self.auth = GatewayAuthClient(
            auth_at,
            container.internal_tokens,
            access=access_tokens(container.jwt_keys, container.settings),
            users=lambda: self.users_client,
            read_timeout=30.0,
            checked=CheckedSessions(epoch, REUSE_SECONDS),
        )
        # The test's servers share its one database connection: one call at a time.
        self.auth.checks_together = False

    def close(self) -> None:
        self.auth.close()
        self.users_client.close()


@pytest.fixture
def gateway(container: Container) -> Iterator[tuple[Gateway, _Counted, _Counted]]:
    epoch = _redis_epoch(container)
    auth, users = _Counted(container.local_auth), _Counted(container.local_users)
    with served(container, "users", users) as (_, users_at), served(container, "auth", auth) as (_, auth_at):
        built = Gateway(container, auth_at, users_at, epoch)
        try:
            yield built, auth, users
        finally:
            built.close()


class AccessChecks(Protocol):
    """The three checks an app server makes, reused or not."""

    def actor_from_access_token(self, token: str) -> Actor: ...
    def actor_for_user_id(self, user_id: int) -> Actor | None: ...
    def session_is_live(self, session_id: str, user_id: int) -> bool: ...


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_a_reused_check_ends_with_every_change_to_a_user_or_a_session(
    container: Container, gateway: tuple[Gateway, _Counted, _Counted]
) -> None:
    built, auth_service, user_service = gateway
    assert isinstance(built.auth, GatewayAuthClient)

    def asked() -> tuple[int, int]:
        """(session checks, user lookups) the services have answered so far."""
        return auth_service.calls.get("session_is_live", 0), user_service.calls.get("active_user", 0)

    _every_change_ends_a_reused_check(container, built.auth, asked)


def test_in_process_a_reused_check_ends_with_every_change_to_a_user_or_a_session(
    container: Container,
) -> None:
    """The auth service in the app server's own process (the embedded services with Redis)
    reuses its checks by the same rules, on SQLite and MariaDB."""
    epoch = _redis_epoch(container)
    container.__dict__["checked_sessions"] = CheckedSessions(epoch, REUSE_SECONDS)
    users = _Counted(container.local_users)
    container.__dict__["users"] = users  # what the auth service looks users up in
    auth = container.local_auth
    session_checks = 0
    check_now = auth._session_is_live_now  # counted where it reaches the database

    def counted_check(session_id: str, user_id: int) -> bool:
        nonlocal session_checks
        session_checks += 1
        return check_now(session_id, user_id)

    auth._session_is_live_now = counted_check  # type: ignore[method-assign]

    def asked() -> tuple[int, int]:
        return session_checks, users.calls.get("active_user", 0)

    _every_change_ends_a_reused_check(container, auth, asked)


def _every_change_ends_a_reused_check(
    container: Container, auth: AccessChecks, asked: Callable[[], tuple[int, int]]
) -> None:
    ana, token = signed_in(container, "ana@example.com")
    sessions, lookups = asked()  # the sign-in's own
    assert auth.actor_from_access_token(token).user_id == ana
    assert asked() == (sessions + 1, lookups + 1)
    for _ in range(3):  # reused: neither is asked again
        assert auth.actor_from_access_token(token).role == Role.INVESTOR
    assert asked() == (sessions + 1, lookups + 1)
    # The token itself is verified every time, reused check or not.
    head, body, signature = token.split(".")
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(f"{head}.{body}.{signature[::-1]}")

    # A new role: the next request asks again and is refused (the role change ended the
    # sessions); the portal's lookup of the user sees the new role, not the reused one.
    assert auth.actor_for_user_id(ana) is not None
    assert auth.actor_for_user_id(ana).role == Role.INVESTOR  # type: ignore[union-attr]
    lookups = asked()[1]
    container.users.set_role(OPERATOR, ana, Role.ANALYST)
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(token)
    assert auth.actor_for_user_id(ana).role == Role.ANALYST  # type: ignore[union-attr]
    assert asked()[1] > lookups

    # A disabled account.
    bo, bo_token = signed_in(container, "bo@example.com")
    assert auth.actor_from_access_token(bo_token).user_id == bo
    assert auth.actor_for_user_id(bo) is not None
    container.users.set_active(OPERATOR, bo, False)
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(bo_token)
    assert auth.actor_for_user_id(bo) is None

    # A logout, and every session of a user ended (a password change does this).
    cy, cy_token = signed_in(container, "cy@example.com")
    _, cy_second = _signed_in_again(container, "cy@example.com")
    assert auth.actor_from_access_token(cy_token).user_id == cy
    assert auth.actor_from_access_token(cy_second).user_id == cy
    container.local_auth.logout(cy_token, None)
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(cy_token)
    assert auth.actor_from_access_token(cy_second).user_id == cy
    container.local_auth.revoke_user_sessions(cy, "password changed")
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(cy_second)

    # A portal session's check, reused and then ended by a sign-out.
    dee = create_user(container, "dee@example.com")
    portal = container.local_auth.start_portal_session(dee, 3600)
    assert auth.session_is_live(portal, dee)
    checks = asked()[0]
    assert auth.session_is_live(portal, dee)
    assert asked()[0] == checks
    actor = auth.actor_for_user_id(dee)
    assert actor is not None
    container.local_auth.end_session(actor, portal)
    assert not auth.session_is_live(portal, dee)


def _signed_in_again(container: Container, email: str) -> tuple[str, str]:
    """A second session of the same user (another device): its session id and token."""
    token = container.local_auth.login_for_tokens(email, PASSWORD, "10.0.0.2").access_token
    return jwt.decode(token, options={"verify_signature": False})["sid"], token


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_a_refusal_is_never_reused(container: Container, gateway: tuple[Gateway, _Counted, _Counted]) -> None:
    built, auth_service, _ = gateway
    ana, token = signed_in(container, "ana@example.com")
    container.local_auth.logout(token, None)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match=INVALID):
            built.auth.actor_from_access_token(token)
    assert auth_service.calls["session_is_live"] == 2
    assert built.auth.actor_for_user_id(ana + 1000) is None
    assert built.auth.actor_for_user_id(ana + 1000) is None
    assert not built.auth.session_is_live("no-such-session", ana)


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_with_redis_unreachable_every_request_is_checked_at_the_services(container: Container) -> None:
    assert "db" not in container.__dict__
    unreachable = AccessEpoch(RedisCache("redis://127.0.0.1:1/0"))  # nothing listens on port 1
    container.__dict__["access_epoch"] = unreachable
    auth, users = _Counted(container.local_auth), _Counted(container.local_users)
    with served(container, "users", users) as (_, users_at), served(container, "auth", auth) as (_, auth_at):
        built = Gateway(container, auth_at, users_at, unreachable)
        try:
            ana, token = signed_in(container, "ana@example.com")
            for _ in range(3):
                assert built.auth.actor_from_access_token(token).user_id == ana
            assert (auth.calls["session_is_live"], users.calls["active_user"]) == (3, 3)
            container.local_auth.logout(token, None)  # the epoch cannot advance; nothing was kept
            with pytest.raises(Unauthenticated, match=INVALID):
                built.auth.actor_from_access_token(token)
        finally:
            built.close()


def test_a_commit_that_changes_a_user_or_a_session_advances_the_epoch(container: Container) -> None:
    """By whatever path: a flushed change, an ORM UPDATE; not a rolled-back one, not a new row,
    not another table's. On SQLite and MariaDB."""
    epoch = _redis_epoch(container)
    ana = create_user(container, "ana@example.com")  # a new user: nothing reused could be void
    first = epoch.current()

    def advanced_since(before: bytes | None) -> bool:
        return epoch.current() != before

    session_id = container.local_auth.start_portal_session(ana, 3600)
    assert not advanced_since(first), "a new session voids nothing"

    with UnitOfWork(container.db) as uow:  # a flushed change of a user row
        user = uow.session.get(User, ana)
        assert user is not None
        user.display_name = "Ana Two"
        uow.commit()
    second = epoch.current()
    assert second != first

    with UnitOfWork(container.db) as uow:  # an ORM UPDATE of a session row, rolled back
        uow.session.execute(
            update(AuthSession).where(AuthSession.id == session_id).values(revoke_reason="test")
        )
    assert not advanced_since(second), "a rolled-back change voids nothing"

    with UnitOfWork(container.db) as uow:  # the same, committed
        uow.session.execute(
            update(AuthSession).where(AuthSession.id == session_id).values(revoke_reason="test")
        )
        uow.commit()
    assert advanced_since(second)


@pytest.mark.parametrize(
    ("environment", "reused"),
    [
        ({"REDIS_URL": REDIS_URL}, True),
        ({"REDIS_URL": ""}, False),  # an epoch in this process's own cache would hear no service
        ({"REDIS_URL": REDIS_URL, "ACCESS_CHECK_REUSE_SECONDS": "0"}, False),
    ],
)
def test_an_app_server_reuses_checks_only_with_an_epoch_shared_through_redis(
    tmp_path: Path, environment: dict[str, str], reused: bool
) -> None:
    settings = load_settings(VAR_DIR=str(tmp_path), SERVICE_ENDPOINTS="auth=127.0.0.1:1", **environment)
    auth = Container(settings).auth
    assert isinstance(auth, GatewayAuthClient)
    try:
        assert auth.reuses_checks is reused
    finally:
        auth.close()
    in_process = Container(load_settings(VAR_DIR=str(tmp_path), **environment))
    assert (in_process.checked_sessions is not None) is reused
    assert in_process.auth is in_process.local_auth


def test_the_auth_and_user_services_refuse_to_serve_without_redis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their logouts and revocations would otherwise reach no app server's reused checks."""
    settings = load_settings(VAR_DIR=str(tmp_path), REDIS_URL="")
    for service in ANNOUNCES_ACCESS_CHANGES:
        assert serve(settings, service, 0, 1) == 2
        assert f"the {service} service needs REDIS_URL" in capsys.readouterr().err
