"""The auth service as its callers see it: logins, tokens and sessions (a Protocol) and the
types that go in and out.

Callers import this module only. The container binds `DatabaseAuthService` (service.py), or
its gRPC client (rpc.py), which implements the same Protocol."""

from __future__ import annotations

from typing import Protocol

from backend.auth.devices import SignInDevice, describe_user_agent
from backend.auth.schemas import LogoutRequest, RefreshRequest, TokenPair, TokenRequest
from backend.platform.actors import Actor
from backend.users.interface import UserOut

__all__ = [
    "AuthService",
    "LogoutRequest",
    "RefreshRequest",
    "SignInDevice",
    "TokenPair",
    "TokenRequest",
    "UserOut",
    "describe_user_agent",
]


class AuthService(Protocol):
    def authenticate(
        self, email: str, password: str, client_ip: str | None, device: SignInDevice | None = None
    ) -> UserOut:
        """The user for these credentials. Unauthenticated for any wrong credential (one message for
        all), TooManyRequests while the account's or the address's back-off delay runs (the password
        is then not even checked). A sign-in from a `device` new to the person warns them."""

    def login_for_tokens(
        self, email: str, password: str, client_ip: str | None, device: SignInDevice | None = None
    ) -> TokenPair: ...

    def start_portal_session(self, user_id: int, ttl_seconds: int) -> str:
        """A new portal session for an authenticated user: its id, for the signed cookie."""

    def session_is_live(self, session_id: str, user_id: int) -> bool:
        """Whether `session_id` is a live session of `user_id`: checked on every request."""

    def end_session(self, actor: Actor, session_id: str | None) -> None:
        """A portal sign-out: the session's row is revoked, so a copy of the cookie taken before is
        refused from the next request on."""

    def revoke_user_sessions(self, user_id: int, reason: str, actor: Actor | None = None) -> int:
        """End every session of a user, portal and API, and revoke all their refresh tokens (a
        password change, a disabled account). Idempotent; returns the sessions ended."""

    def request_password_reset(self, actor: Actor, user_id: int) -> UserOut:
        """Admin: email the user a one-time link to choose a new password (valid for
        Settings.password_reset_ttl_seconds; a newer one voids it). Audited; the token itself is
        in the email only."""

    def request_own_password_reset(self, email: str) -> None:
        """Anyone (the login page's "Forgot password?"): a reset link to the active account with
        this sign-in address, if any, a few per hour at most. Returns nothing either way, so the
        answer never tells whether an address has an account."""

    def reset_password(self, token: str, new_password: str) -> None:
        """Whoever holds a live reset link: the account's new password (the rules of
        set_password); the link is spent and every session of the account ends.
        ValidationFailed (field "token") for any bad link, whatever was wrong with it."""

    def issue_tokens(self, user: UserOut) -> TokenPair:
        """A new API session: an access token and the first refresh token of its family."""

    def refresh(self, refresh_token: str) -> TokenPair:
        """Trade a refresh token for a new pair. The old token is spent; presenting a spent token
        again means two parties hold it, so its whole family is revoked (RFC 9700 §4.14), and with
        it the session, so the access tokens minted from it stop working too."""

    def logout(self, access_token: str | None, refresh_token: str | None) -> None:
        """End the access token's session: every access token minted for it and its whole refresh
        family. A refresh token of another family of the same user is ended too; one belonging to
        someone other than the access token's user is left alone; an unknown or already revoked one
        is no error (logout is idempotent)."""

    def actor_from_access_token(self, token: str) -> Actor:
        """The actor a Bearer token speaks for; Unauthenticated with one message otherwise."""

    def actor_for_user_id(self, user_id: int) -> Actor | None:
        """The actor behind a portal session, or None when the user is gone or disabled."""

    def purge_expired(self) -> int:
        """Delete state that can no longer matter (for a periodic task): expired refresh tokens and
        sessions, and back-off rows whose failures have all leaked away."""
