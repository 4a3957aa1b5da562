"""Portal login and logout: the only place that starts or ends a portal session.

The login page is plain server-rendered HTML (Jinja + the vendored Bootstrap CSS), so it
needs none of Dash's JavaScript and the list of public routes stays tiny.

A signed cookie alone would be valid until it expires, whoever holds a copy. So each login
opens a session row in the auth service, the cookie carries its id, and every request
(pages, Dash's callbacks, /api/v1 on the cookie) checks that row first (`verify_session`,
called by the guard): logout revokes it, and a copy of the cookie is dead from then on.
"""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Flask, Response, current_app, g, redirect, render_template, request, session
from flask_login import UserMixin, current_user, login_user, logout_user  # noqa: TID251 (the one place)
from werkzeug.wrappers import Response as BaseResponse

from backend.auth.interface import SignInDevice, describe_user_agent
from backend.platform.actors import Actor
from backend.platform.errors import TooManyRequests, Unauthenticated
from backend.platform.observability import bind_user_id
from backend.service_directory import Services
from portal.navigation import home_path
from portal.shell import csrf, password_reset
from portal.shell.cookies import cookie_secure
from portal.shell.next_url import safe_next

BLUEPRINT = "portal"
LOGIN_ENDPOINT = f"{BLUEPRINT}.login"
LOGIN_PATH = "/login"

# The server-side session's id in the signed cookie (flask-login's own keys start "_").
SESSION_ID_KEY = "_session_id"

INVALID_CREDENTIALS = "Invalid email or password."
FORM_EXPIRED = "The sign-in form expired. Please try again."
SIGNED_OUT = "You have signed out."
PASSWORD_CHANGED = "Your password was changed. Sign in with the new one."  # noqa: S105 - a message
DEVICE_COOKIE = "pools_device"
DEVICE_COOKIE_DAYS = 400
"""Browsers cap a cookie's life at 400 days (RFC 6265bis); a device unseen that long warns."""


class SessionUser(UserMixin):  # type: ignore[misc]
    """What flask-login keeps for a portal session: just enough to rebuild the Actor."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def get_id(self) -> str:
        return str(self.actor.user_id)


def current_actor() -> Actor | None:
    """The actor behind this request's portal session, or None."""
    if current_user.is_authenticated and isinstance(current_user, SessionUser):
        return current_user.actor
    return None


def verify_session(container: Services) -> None:
    """End this request's portal session unless the auth service still knows it as live:
    revoked (logout, a password change, a disabled account), expired, or a cookie from
    before sessions had ids. Runs before anything reads the session's user."""
    if not current_user.is_authenticated or not isinstance(current_user, SessionUser):
        return
    if _is_live(container, session.get(SESSION_ID_KEY), current_user.actor.user_id):
        bind_user_id(current_user.actor.user_id)  # this request's log lines name its user
        return
    logout_user()
    session.clear()  # an emptied session makes Flask delete the cookie in the response
    g.pop("session_actor", None)  # set by the server's hook from the same cookie, before us


def _is_live(container: Services, session_id: object, user_id: int | None) -> bool:
    if not isinstance(session_id, str) or user_id is None:
        return False  # no id: a cookie from before sessions had one, or a tampered one
    return container.auth.session_is_live(session_id, user_id)


def lockout_message(exc: TooManyRequests, now: datetime | None = None) -> str:
    seconds = max(exc.retry_after_seconds, 1)
    at = (now or datetime.now(UTC)) + timedelta(seconds=seconds)
    if seconds < 60:
        wait = f"{seconds} second" + ("" if seconds == 1 else "s")
        return f"Too many failed sign-in attempts. Try again in {wait}."
    minutes = math.ceil(seconds / 60)
    wait = f"{minutes} minute" + ("" if minutes == 1 else "s")
    return f"Too many failed sign-in attempts. Try again in {wait} (after {at:%H:%M} UTC)."


def _login_page(
    *, error: str | None = None, notice: str | None = None, status: int = 200, email: str = ""
) -> Response:
    body = render_template(
        "portal/login.html",
        csrf_token=csrf.session_token(),
        next=safe_next(request.values.get("next")) or "",
        error=error,
        notice=notice,
        email=email,
    )
    response = Response(body, status=status, mimetype="text/html")
    # The page carries this session's CSRF token: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_session(container: Services, actor: Actor) -> None:
    if actor.user_id is None:  # pragma: no cover - actors of users always have an id
        raise RuntimeError("a portal session needs a user")
    # The row lives as long as Flask accepts the signed cookie at most.
    lifetime = int(current_app.permanent_session_lifetime.total_seconds())
    session_id = container.auth.start_portal_session(actor.user_id, lifetime)
    # Whatever the session held before login (a pre-login CSRF token, a planted value)
    # is dropped: the signed-in session starts clean, with a token of its own.
    session.clear()
    login_user(SessionUser(actor))
    bind_user_id(actor.user_id)
    session[SESSION_ID_KEY] = session_id
    csrf.rotate_token()


def _show_login() -> BaseResponse:
    actor = current_actor()
    if actor is not None:
        return redirect(safe_next(request.args.get("next")) or home_path(actor.role), 302)
    notice = SIGNED_OUT if request.args.get("signed_out") == "1" else None
    if request.args.get("notice") == password_reset.CHANGED_NOTICE:
        notice = PASSWORD_CHANGED
    return _login_page(notice=notice)


def _submit_login(container: Services) -> BaseResponse:
    email = request.form.get("email", "").strip()
    if not csrf.request_has_valid_token():
        return _login_page(error=FORM_EXPIRED, status=403, email=email)
    device_key = _device_key()
    device = SignInDevice(device_key, describe_user_agent(request.headers.get("User-Agent")))
    try:
        user = container.auth.authenticate(
            email, request.form.get("password", ""), request.remote_addr, device
        )
        actor = container.auth.actor_for_user_id(user.id)
    except TooManyRequests as exc:
        page = _login_page(error=lockout_message(exc), status=429, email=email)
        page.headers["Retry-After"] = str(exc.retry_after_seconds)
        return page
    except Unauthenticated:
        actor = None
    if actor is None:  # a disabled account lands here too, with the same message
        return _login_page(error=INVALID_CREDENTIALS, status=401, email=email)
    _start_session(container, actor)
    response = redirect(safe_next(request.form.get("next")) or home_path(actor.role), 303)
    if request.cookies.get(DEVICE_COOKIE) != device_key:
        # The browser's own id, kept across sign-outs: the next sign-in from it is known.
        response.set_cookie(
            DEVICE_COOKIE,
            device_key,
            max_age=DEVICE_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=cookie_secure(current_app),
            path=LOGIN_PATH,
        )
    return response


def _device_key() -> str:
    """This browser's device id: its cookie when it has a well-formed one, else a new one."""
    presented = request.cookies.get(DEVICE_COOKIE, "")
    if len(presented) == 43 and all(c.isalnum() or c in "-_" for c in presented):
        return presented
    return secrets.token_urlsafe(32)


def create_blueprint(container: Services) -> Blueprint:
    blueprint = Blueprint(BLUEPRINT, __name__, template_folder="templates")

    @blueprint.route(LOGIN_PATH, methods=["GET", "POST"])
    def login() -> BaseResponse:
        return _submit_login(container) if request.method == "POST" else _show_login()

    @blueprint.route(password_reset.RESET_PATH, methods=["GET", "POST"])
    def reset_password() -> BaseResponse:
        # Public (the guard's list): the emailed token is the credential, checked by the service.
        return password_reset.submit(container) if request.method == "POST" else password_reset.show()

    @blueprint.route(password_reset.FORGOT_PATH, methods=["GET", "POST"])
    def forgot_password() -> BaseResponse:
        # Public: asks for a link to the address given; answers the same for any address.
        if request.method == "POST":
            return password_reset.submit_forgot(container)
        return password_reset.show_forgot()

    @blueprint.post("/logout")
    def logout() -> BaseResponse:
        # Not public: the guard has refused it already without a session or a CSRF token.
        actor = current_actor()
        if actor is not None:
            container.auth.end_session(actor, session.get(SESSION_ID_KEY))
        logout_user()
        session.clear()
        return redirect(f"{LOGIN_PATH}?signed_out=1", 303)

    return blueprint


def install_sessions(server: Flask, container: Services) -> None:
    server.register_blueprint(create_blueprint(container))
