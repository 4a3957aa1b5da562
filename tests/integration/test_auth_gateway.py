"""An access token checked at the app server when the auth service is remote
(backend.auth.gateway): the same answers as the auth service gives in process, for every way a
token can be good or bad, with the session's check and the user's lookup sent together, and a
503 naming whichever service did not answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import grpc
import jwt
import pytest

from backend.auth.access_check import access_tokens
from backend.auth.gateway import GatewayAuthClient
from backend.composition.container import Container
from backend.composition.rpc_commands import SERVICES
from backend.platform.actors import Role
from backend.platform.errors import DependencyUnavailable, Unauthenticated
from backend.platform.orm import utcnow
from backend.platform.rpc.server import ContractServicer, build_server
from backend.users.interface import UserOut
from backend.users.rpc import UserServiceClient
from tests.integration.auth_support import OPERATOR, PASSWORD, create_user, use_cheap_argon2

INVALID = "invalid or expired token"


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    use_cheap_argon2(monkeypatch)


def signed_in(container: Container, email: str) -> tuple[int, str]:
    user_id = create_user(container, email)
    return user_id, container.auth.login_for_tokens(email, PASSWORD, "10.0.0.1").access_token


@pytest.mark.over_grpc("users", "auth")
def test_every_kind_of_token_gets_the_same_answer_at_the_gateway_as_in_the_auth_service(
    container: Container, transport: str
) -> None:
    auth = container.auth
    assert isinstance(auth, GatewayAuthClient) == (transport == "grpc")
    ana, token = signed_in(container, "ana@example.com")
    actor = auth.actor_from_access_token(token)
    assert (actor.user_id, actor.role) == (ana, Role.INVESTOR)

    # A token of Ana's live session, but expired; one with its signature altered; one with
    # none; and not a token at all.
    sid = jwt.decode(token, options={"verify_signature": False})["sid"]
    expired = access_tokens(container.jwt_keys, container.settings).issue(
        ana, Role.INVESTOR, utcnow() - timedelta(days=1), session_id=sid
    )
    head, body, signature = token.split(".")
    altered = f"{head}.{body}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    for bad in (expired.token, altered, f"{head}.{body}.", "not a token"):
        with pytest.raises(Unauthenticated, match=INVALID):
            auth.actor_from_access_token(bad)
    assert auth.actor_from_access_token(token).user_id == ana

    # The role is the user record's, never the claim's: a token claiming more is no more.
    claiming_admin = access_tokens(container.jwt_keys, container.settings).issue(
        ana, Role.ADMIN, utcnow(), session_id=sid
    )
    assert auth.actor_from_access_token(claiming_admin.token).role == Role.INVESTOR

    # A change of role ends the user's sessions: the token no longer speaks for anyone.
    container.users.set_role(OPERATOR, ana, Role.ANALYST)
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(token)

    # A disabled user's token is refused, and their portal session names nobody.
    bo, bo_token = signed_in(container, "bo@example.com")
    assert auth.actor_for_user_id(bo) is not None
    container.users.set_active(OPERATOR, bo, False)
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(bo_token)
    assert auth.actor_for_user_id(bo) is None

    # A logged-out session's token is refused from the next request on.
    _, cy_token = signed_in(container, "cy@example.com")
    assert auth.actor_from_access_token(cy_token).role == Role.INVESTOR
    auth.logout(cy_token, None)
    with pytest.raises(Unauthenticated, match=INVALID):
        auth.actor_from_access_token(cy_token)


class _SessionCheckWaitingForTheUserLookup:
    """The auth service, answering a session check only once the user's lookup has begun: sent
    one after the other, the check would wait its whole timeout and record that it did."""

    def __init__(self, inner: Any, lookup_begun: threading.Event) -> None:
        self._inner = inner
        self._lookup_begun = lookup_begun
        self.overlapped: list[bool] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def session_is_live(self, session_id: str, user_id: int) -> bool:
        self.overlapped.append(self._lookup_begun.wait(timeout=3))
        return bool(self._inner.session_is_live(session_id, user_id))


class _KnownUsers:
    """The user service's lookup, answered from users read beforehand: the test's servers share
    its one database connection, which serves one thread at a time, and here the auth service's
    thread is using it at the same moment."""

    def __init__(self, inner: Any, users: list[UserOut], lookup_begun: threading.Event | None = None) -> None:
        self._inner = inner
        self._users = {user.id: user for user in users}
        self._lookup_begun = lookup_begun

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def active_user(self, user_id: int) -> UserOut | None:
        if self._lookup_begun is not None:
            self._lookup_begun.set()
        return self._users.get(user_id)


@contextmanager
def served(container: Container, name: str, implementation: object) -> Iterator[tuple[grpc.Server, str]]:
    """`implementation` behind a server of its own; yields the server (to stop) and its address."""
    service = SERVICES[name]
    servicer = ContractServicer(service.contract, implementation, service.messages, container.internal_tokens)
    server, port, _ = build_server([servicer], address="127.0.0.1:0", max_workers=4)
    server.start()
    try:
        yield server, f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


def gateway_of(container: Container, auth_at: str, users: UserServiceClient) -> GatewayAuthClient:
    return GatewayAuthClient(
        auth_at,
        container.internal_tokens,
        access=access_tokens(container.jwt_keys, container.settings),
        users=lambda: users,
        read_timeout=2.0,
    )


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_the_session_check_and_the_user_lookup_go_out_together(container: Container) -> None:
    ana, token = signed_in(container, "ana@example.com")
    begun = threading.Event()
    auth = _SessionCheckWaitingForTheUserLookup(container.local_auth, begun)
    users = _KnownUsers(container.local_users, [container.users.get_user(OPERATOR, ana)], begun)
    with served(container, "users", users) as (_, users_at), served(container, "auth", auth) as (_, auth_at):
        users_client = UserServiceClient(users_at, container.internal_tokens)
        gateway = gateway_of(container, auth_at, users_client)
        try:
            assert gateway.actor_from_access_token(token).user_id == ana
        finally:
            gateway.close()
            users_client.close()
    assert auth.overlapped == [True]


@pytest.mark.parametrize("backend_name", ["mariadb"])
@pytest.mark.parametrize("stopped", ["auth", "users"])
def test_a_service_that_does_not_answer_is_named_and_nothing_is_let_through(
    container: Container, stopped: str
) -> None:
    ana, token = signed_in(container, "ana@example.com")
    users = _KnownUsers(container.local_users, [container.users.get_user(OPERATOR, ana)])
    with (
        served(container, "users", users) as (users_server, users_at),
        served(container, "auth", container.local_auth) as (auth_server, auth_at),
    ):
        users_client = UserServiceClient(users_at, container.internal_tokens, read_timeout=2.0)
        gateway = gateway_of(container, auth_at, users_client)
        try:
            assert gateway.actor_from_access_token(token).user_id == ana
            (auth_server if stopped == "auth" else users_server).stop(grace=None)
            with pytest.raises(DependencyUnavailable, match=f"the {stopped} service did not answer"):
                gateway.actor_from_access_token(token)
        finally:
            gateway.close()
            users_client.close()
