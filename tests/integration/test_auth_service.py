"""DatabaseAuthService on SQLite and MariaDB: login throttling, tokens, rotation, revocation, audit."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import jwt
import pytest
from argon2 import PasswordHasher, Type
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from backend.audit.models import AuditEvent
from backend.auth.interface import AuthService, TokenPair
from backend.auth.models import AuthSession, LoginThrottleState, RefreshToken
from backend.auth.service import DatabaseAuthService
from backend.auth.tokens import KeyRing
from backend.composition.container import Container
from backend.platform.actors import Role
from backend.platform.config import Settings, load_settings
from backend.platform.db import Database
from backend.platform.errors import TooManyRequests, Unauthenticated
from backend.platform.passwords import needs_rehash
from backend.users.models import User
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.auth_support import OPERATOR, PASSWORD, Clock, create_user, use_cheap_argon2
from tests.integration.rpc_support import serving

MAX_ACCOUNT, MAX_IP, LOCKOUT = 3, 5, 600
ACCESS_TTL, REFRESH_TTL = 900, 3600
GENERIC = "invalid email or password"
BAD_TOKEN = "invalid or expired token"

# Each test runs again with the auth service behind gRPC (the `auth` fixture's own service, with
# its clock, served on a server of its own) and the users service behind gRPC too, since
# authentication reads it on every login: credentials checked, back-off refused, sessions
# revoked, across both hops, with the same errors.
pytestmark = pytest.mark.over_grpc("users", "auth")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:  # overrides conftest's: small limits keep argon2 calls few
    return load_settings(
        VAR_DIR=str(tmp_path / "var"),
        LOGIN_MAX_FAILURES=MAX_ACCOUNT,
        LOGIN_MAX_FAILURES_PER_IP=MAX_IP,
        LOGIN_LOCKOUT_SECONDS=LOCKOUT,
        ACCESS_TOKEN_TTL_SECONDS=ACCESS_TTL,
        REFRESH_TOKEN_TTL_SECONDS=REFRESH_TTL,
    )


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    return use_cheap_argon2(monkeypatch)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_auth(container: Container, clock: Clock) -> DatabaseAuthService:
    return DatabaseAuthService(
        container.db,
        container.audit,
        container.settings,
        keys=KeyRing(container.jwt_keys_dir),
        users=container.users,
        clock=clock,
    )


@pytest.fixture
def auth(container: Container, clock: Clock, transport: str) -> Iterator[AuthService]:
    service = make_auth(container, clock)
    if transport != "grpc":
        yield service
        return
    with serving(container, "auth", service) as client:
        yield client


def actions(container: Container, action: str) -> list[tuple[str, str]]:
    return [(e.object_type, e.object_id) for e in container.audit.list_events(OPERATOR, action=action)]


# -- login ----------------------------------------------------------------------------------


def test_login_succeeds_and_is_audited(container: Container, auth: AuthService) -> None:
    user_id = create_user(container, "ana@example.com")
    user = auth.authenticate("  Ana@Example.com ", PASSWORD, "10.0.0.1")
    assert user.id == user_id and user.email == "ana@example.com"
    event = container.audit.list_events(OPERATOR, action="login.succeeded")[0]
    assert (event.actor_user_id, event.object_id) == (user_id, str(user_id))
    assert event.after == {"failed_attempts": 0, "client_ip": "10.0.0.1"}


def test_wrong_password_and_unknown_email_fail_identically(
    container: Container, auth: AuthService
) -> None:
    user_id = create_user(container, "ana@example.com")
    with pytest.raises(Unauthenticated) as wrong:
        auth.authenticate("ana@example.com", "not the password", "10.0.0.1")
    with pytest.raises(Unauthenticated) as unknown:
        auth.authenticate("nobody@example.com", "not the password", "10.0.0.1")
    assert (wrong.value.detail, wrong.value.field) == (unknown.value.detail, unknown.value.field)
    assert wrong.value.detail == GENERIC
    failed = {
        e.after["reason"]: e for e in container.audit.list_events(OPERATOR, action="login.failed") if e.after
    }
    assert failed["bad_credentials"].object_id == str(user_id)
    # The unknown email is named by its hash only; it is not kept in clear anywhere.
    assert failed["unknown_account"].object_type == "login_subject"
    assert "nobody" not in str(failed["unknown_account"].model_dump())


def test_disabled_account_gets_the_generic_answer(container: Container, auth: AuthService) -> None:
    user_id = create_user(container, "gone@example.com")
    container.users.set_active(OPERATOR, user_id, False)
    with pytest.raises(Unauthenticated, match=GENERIC):
        auth.authenticate("gone@example.com", PASSWORD, None)


def test_account_backs_off_after_its_free_failures_and_the_right_password_then_gets_in(
    container: Container, auth: AuthService, clock: Clock
) -> None:
    user_id = create_user(container, "ana@example.com")
    for attempt in range(MAX_ACCOUNT + 1):  # the free allowance, then one more: a delay
        with pytest.raises(Unauthenticated):
            auth.authenticate("ana@example.com", f"wrong {attempt}", f"10.0.0.{attempt}")
    # A fresh address does not help: the account itself is backing off, for one second.
    with pytest.raises(TooManyRequests) as deferred:
        auth.authenticate("ana@example.com", PASSWORD, "10.9.9.9")
    assert deferred.value.retry_after_seconds == 1
    assert actions(container, "login.succeeded") == []
    clock.advance(1)
    assert auth.authenticate("ana@example.com", PASSWORD, "10.9.9.9").id == user_id


def test_the_delay_doubles_with_each_failure_up_to_the_cap(auth: AuthService, clock: Clock) -> None:
    for n in range(MAX_ACCOUNT):  # the free allowance: no delay
        with pytest.raises(Unauthenticated):
            auth.authenticate("ana@example.com", "wrong", f"10.0.{n}.1")
    waits = []
    for n in range(12):
        with pytest.raises(Unauthenticated):  # made once the previous delay had passed
            auth.authenticate("ana@example.com", "wrong", f"10.1.{n}.1")
        with pytest.raises(TooManyRequests) as deferred:  # made straight after: not evaluated
            auth.authenticate("ana@example.com", PASSWORD, f"10.2.{n}.1")
        waits.append(deferred.value.retry_after_seconds)
        clock.advance(waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, LOCKOUT, LOCKOUT]


def test_success_resets_the_account_counter(container: Container, auth: AuthService) -> None:
    create_user(container, "ana@example.com")
    for _ in range(MAX_ACCOUNT - 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate("ana@example.com", "wrong", "10.0.0.1")
    auth.authenticate("ana@example.com", PASSWORD, "10.0.0.1")
    event = container.audit.list_events(OPERATOR, action="login.succeeded")[0]
    assert event.before == {"failed_attempts": MAX_ACCOUNT - 1}
    for _ in range(MAX_ACCOUNT - 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate("ana@example.com", "wrong", "10.0.0.1")
    # Without the reset this would be failure number 2 * (MAX - 1) >= MAX: locked.
    assert auth.authenticate("ana@example.com", PASSWORD, "10.0.0.1").email == "ana@example.com"


def test_unknown_emails_back_off_like_real_ones(auth: AuthService) -> None:
    # Otherwise "deferred" vs "wrong password" after N tries would reveal which accounts exist.
    for _ in range(MAX_ACCOUNT + 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate("ghost@example.com", "guess", "10.0.0.1")
    with pytest.raises(TooManyRequests):
        auth.authenticate("ghost@example.com", "guess", "10.0.0.1")


def test_an_address_backs_off_across_accounts(
    container: Container, auth: AuthService, clock: Clock
) -> None:
    user_id = create_user(container, "ana@example.com")
    for n in range(MAX_IP + 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate(f"victim{n}@example.com", "guess", "203.0.113.7")
    with pytest.raises(TooManyRequests) as deferred:
        auth.authenticate("ana@example.com", PASSWORD, "203.0.113.7")
    assert deferred.value.retry_after_seconds == 1
    # The account itself is not backing off: from elsewhere its owner gets in at once,
    assert auth.authenticate("ana@example.com", PASSWORD, "198.51.100.1").id == user_id
    # and from the guessing address too, once its delay has passed.
    clock.advance(1)
    assert auth.authenticate("ana@example.com", PASSWORD, "203.0.113.7").id == user_id


def test_ipv6_clients_are_counted_per_64(auth: AuthService) -> None:
    for n in range(MAX_IP + 1):
        with pytest.raises(Unauthenticated):
            auth.authenticate(f"v{n}@example.com", "guess", f"2001:db8:1:2::{n + 1}")
    with pytest.raises(TooManyRequests):
        auth.authenticate("other@example.com", "guess", "2001:db8:1:2:ffff::1")


# -- access tokens --------------------------------------------------------------------------


def login(auth: AuthService, email: str = "ana@example.com") -> TokenPair:
    return auth.login_for_tokens(email, PASSWORD, "10.0.0.1")


def test_access_token_names_the_user(container: Container, auth: AuthService) -> None:
    user_id = create_user(container, "ana@example.com", Role.MANAGER)
    pair = login(auth)
    assert (pair.token_type, pair.expires_in) == ("Bearer", ACCESS_TTL)
    actor = auth.actor_from_access_token(pair.access_token)
    assert (actor.user_id, actor.role, actor.label) == (user_id, Role.MANAGER, "user:ana@example.com")
    assert auth.actor_for_user_id(user_id) == actor
    assert actions(container, "tokens.issued") == [("user", str(user_id))]


def test_expired_access_token_is_refused(
    container: Container, auth: AuthService, clock: Clock
) -> None:
    create_user(container, "ana@example.com")
    pair = login(auth)
    clock.advance(ACCESS_TTL - 1)
    auth.actor_from_access_token(pair.access_token)
    clock.advance(1)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.actor_from_access_token(pair.access_token)


def test_tokens_of_a_disabled_user_are_refused(container: Container, auth: AuthService) -> None:
    user_id = create_user(container, "ana@example.com")
    pair = login(auth)
    container.users.set_active(OPERATOR, user_id, False)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.actor_from_access_token(pair.access_token)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.refresh(pair.refresh_token)
    assert auth.actor_for_user_id(user_id) is None
    # Re-enabling does not bring the refresh family back: it was revoked on the way out.
    container.users.set_active(OPERATOR, user_id, True)
    with pytest.raises(Unauthenticated):
        auth.refresh(pair.refresh_token)


def test_key_rotation_keeps_old_tokens_valid_while_their_file_exists(
    container: Container, auth: AuthService
) -> None:
    create_user(container, "ana@example.com")
    old = login(auth).access_token
    old_kid = jwt.get_unverified_header(old)["kid"]
    write_newer_key(container.jwt_keys_dir, "rotated")
    new = login(auth).access_token
    assert jwt.get_unverified_header(new)["kid"] == "rotated"
    auth.actor_from_access_token(old)
    (container.jwt_keys_dir / f"{old_kid}.pem").unlink()
    with pytest.raises(Unauthenticated):
        auth.actor_from_access_token(old)
    auth.actor_from_access_token(new)


def write_newer_key(keys_dir: Path, kid: str) -> None:
    path = keys_dir / f"{kid}.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    later = time.time() + 60  # newer than the existing key whatever the mtime resolution
    os.utime(path, (later, later))


# -- refresh tokens -------------------------------------------------------------------------


def test_refresh_rotates_the_pair(container: Container, auth: AuthService) -> None:
    user_id = create_user(container, "ana@example.com")
    first = login(auth)
    second = auth.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
    assert auth.actor_from_access_token(second.access_token).user_id == user_id
    third = auth.refresh(second.refresh_token)
    assert auth.actor_from_access_token(third.access_token).user_id == user_id
    event = container.audit.list_events(OPERATOR, action="token.refreshed")[0]
    assert event.actor_user_id == user_id and event.before and event.after
    assert event.before["refresh_token_id"] != event.after["refresh_token_id"]


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    container: Container, auth: AuthService
) -> None:
    user_id = create_user(container, "ana@example.com")
    first = login(auth)
    second = auth.refresh(first.refresh_token)
    third = auth.refresh(second.refresh_token)
    unrelated = login(auth)  # another device: a different family, untouched
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.refresh(first.refresh_token)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.refresh(third.refresh_token)  # the newest descendant dies with the family
    assert actions(container, "refresh.reuse_detected") == [("user", str(user_id))]
    event = container.audit.list_events(OPERATOR, action="refresh.reuse_detected")[0]
    assert event.after and event.after["revoked_tokens"] == 3  # every member, spent ones included
    auth.refresh(unrelated.refresh_token)


def test_refresh_token_expires(container: Container, auth: AuthService, clock: Clock) -> None:
    create_user(container, "ana@example.com")
    pair = login(auth)
    clock.advance(REFRESH_TTL)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.refresh(pair.refresh_token)
    assert actions(container, "refresh.reuse_detected") == []


def test_unknown_refresh_token_is_refused(auth: AuthService) -> None:
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.refresh("not-a-token")


def test_only_a_hash_of_the_refresh_token_is_stored(container: Container, auth: AuthService) -> None:
    create_user(container, "ana@example.com")
    pair = login(auth)
    with container.db.writer_session() as session:
        row = session.scalars(select(RefreshToken)).one()
        stored = [str(v) for v in vars(row).values()]
    assert row.token_hash == hashlib.sha256(pair.refresh_token.encode()).hexdigest()
    assert not any(pair.refresh_token in value for value in stored)


# -- logout ---------------------------------------------------------------------------------


def test_logout_revokes_the_access_token_and_the_refresh_family(
    container: Container, auth: AuthService, clock: Clock
) -> None:
    user_id = create_user(container, "ana@example.com")
    first = login(auth)
    second = auth.refresh(first.refresh_token)
    auth.logout(second.access_token, second.refresh_token)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.actor_from_access_token(second.access_token)
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.refresh(second.refresh_token)
    # The first access token was not presented, but it belongs to the session that ended.
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.actor_from_access_token(first.access_token)
    auth.logout(second.access_token, second.refresh_token)  # idempotent
    event = container.audit.list_events(OPERATOR, action="logout")[-1]
    assert (event.actor_user_id, event.object_id) == (user_id, str(user_id))
    assert event.after and event.after["revoked_refresh_tokens"] == 2  # the spent parent and `second`


def test_logout_leaves_another_users_refresh_token_alone(
    container: Container, auth: AuthService
) -> None:
    create_user(container, "ana@example.com")
    create_user(container, "bob@example.com")
    ana, bob = login(auth, "ana@example.com"), login(auth, "bob@example.com")
    auth.logout(ana.access_token, bob.refresh_token)
    auth.refresh(bob.refresh_token)


def test_logout_with_an_invalid_access_token_is_refused(auth: AuthService) -> None:
    with pytest.raises(Unauthenticated, match=BAD_TOKEN):
        auth.logout("garbage", None)


def test_purge_forgets_only_dead_state(container: Container, auth: AuthService, clock: Clock) -> None:
    create_user(container, "ana@example.com")
    pair = login(auth)
    auth.logout(pair.access_token, pair.refresh_token)
    with pytest.raises(Unauthenticated):
        auth.authenticate("ana@example.com", "wrong", "10.0.0.1")
    assert auth.purge_expired() == 0
    clock.advance(REFRESH_TTL)
    assert auth.purge_expired() == 2  # the refresh token and its session
    clock.advance(24 * 3600)  # the failure has leaked away by then
    assert auth.purge_expired() == 2  # the account's and the address's back-off rows
    with container.db.writer_session() as session:
        for model in (RefreshToken, AuthSession, LoginThrottleState):
            assert session.scalars(select(model)).first() is None


# -- secrets stay secret --------------------------------------------------------------------


def test_passwords_and_tokens_are_never_logged_or_audited(
    container: Container, auth: AuthService, caplog: pytest.LogCaptureFixture
) -> None:
    create_user(container, "ana@example.com")
    wrong = "Tr0ub4dor&3-wrong-guess"
    typed_in_email_field = "my-secret-password-in-the-email-box"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Unauthenticated):
        auth.authenticate("ana@example.com", wrong, "10.0.0.1")
    with pytest.raises(Unauthenticated):
        auth.authenticate(typed_in_email_field, PASSWORD, "10.0.0.1")
    first = login(auth)
    second = auth.refresh(first.refresh_token)
    with pytest.raises(Unauthenticated):
        auth.refresh(first.refresh_token)
    with pytest.raises(Unauthenticated):  # its family was revoked for the reuse just above
        auth.actor_from_access_token(second.access_token)
    auth.logout(second.access_token, second.refresh_token)

    secrets = [
        PASSWORD,
        wrong,
        typed_in_email_field,
        first.access_token,
        first.refresh_token,
        second.access_token,
        second.refresh_token,
    ]
    logged = caplog.text + "".join(repr(vars(r)) for r in caplog.records)
    assert caplog.records, "nothing was captured: the check below would pass vacuously"
    with container.db.writer_session() as session:
        audited = "".join(
            f"{e.actor_label}{e.object_id}{e.before}{e.after}" for e in session.scalars(select(AuditEvent))
        )
    assert "login.failed" in {e.action for e in container.audit.list_events(OPERATOR)}
    for secret in secrets:
        assert secret not in logged
        assert secret not in audited


# -- real commits -------------------------------------------------------------------------
# The savepoint-per-test `container` cannot host threads, nor a session that commits while
# another one on the same connection is still open (the outer one's rollback would undo it).


@pytest.fixture(scope="module")
def committed_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    sqlite_file = tmp_path_factory.mktemp("auth_committed") / "pools.sqlite3"
    urls = {"sqlite": f"sqlite:///{sqlite_file}", "mariadb": mariadb_database_url("auth_committed")}
    for url in urls.values():
        upgrade(url)
    return urls


@pytest.fixture
def committed(committed_urls: dict[str, str], tmp_path: Path) -> Iterator[Callable[[str], Container]]:
    """Containers whose commits are real; rows outlive the test, so emails must be unique."""
    opened: list[Database] = []

    def make(backend: str) -> Container:
        opened.append(Database(committed_urls[backend]))
        return Container(load_settings(VAR_DIR=str(tmp_path / "var")), db=opened[-1])

    yield make
    for db in opened:
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_outdated_password_hash_is_upgraded_on_login(
    committed: Callable[[str], Container], backend: str, cheap_argon2: PasswordHasher
) -> None:
    container = committed(backend)
    user_id = create_user(container, "rehash@example.com")
    outdated = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1, type=Type.ID)
    assert outdated.time_cost != cheap_argon2.time_cost
    weak = outdated.hash(PASSWORD)
    with container.db.writer_session() as session:
        session.get_one(User, user_id).password_hash = weak
        session.commit()
    container.auth.authenticate("rehash@example.com", PASSWORD, None)
    with container.db.writer_session() as session:
        upgraded = session.get_one(User, user_id).password_hash
    assert upgraded != weak and not needs_rehash(upgraded)
    assert container.auth.authenticate("rehash@example.com", PASSWORD, None).id == user_id


def refresh_together(auth: AuthService, token: str, parties: int = 2) -> list[TokenPair | Exception]:
    """Call refresh(token) from `parties` threads released at the same instant."""
    barrier = threading.Barrier(parties)
    results: list[TokenPair | Exception] = []
    lock = threading.Lock()

    def attempt() -> None:
        barrier.wait()
        try:
            outcome: TokenPair | Exception = auth.refresh(token)
        except Exception as exc:
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_refreshes_with_one_token_let_exactly_one_through(
    committed: Callable[[str], Container],
) -> None:
    container = committed("mariadb")  # row locks between connections: the production case
    create_user(container, "racer@example.com")
    auth = container.auth
    for _ in range(5):
        results = refresh_together(auth, login(auth, "racer@example.com").refresh_token)
        winners = [r for r in results if isinstance(r, TokenPair)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], Unauthenticated), results
        # The loser presented a spent token: theft is assumed and the winner's child dies too.
        with pytest.raises(Unauthenticated):
            auth.refresh(winners[0].refresh_token)
