"""The login guard: one before_request hook in front of every route on the server.

Everything is refused without a session unless it is on the short public list below;
Dash's own routes (layout, callbacks, component suites, assets, favicon, reload hash) get
no exemption. Session-authenticated state changes must carry the session's CSRF token.
Before any of that, a cookie whose server-side session has ended is treated as no session.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from backend.platform.http import PLATFORM_PUBLIC_ENDPOINTS, bearer_token, problem
from portal.shell import csrf
from portal.shell.session import BLUEPRINT, LOGIN_ENDPOINT, LOGIN_PATH, current_actor, verify_session

API_PREFIX = "/api/"
# Dash's assets route; only the files the login page itself links are public.
ASSETS_ENDPOINT = "_dash_assets.static"
LOGIN_PAGE_ASSETS = frozenset({"bootstrap.min.css", "portal.css", "theme.js"})
# The emailed password-reset link's page: its token is the credential (password_reset.py).
# And "Forgot password?", which asks for such a link (the same answer for any address).
RESET_PASSWORD_ENDPOINT = f"{BLUEPRINT}.reset_password"
FORGOT_PASSWORD_ENDPOINT = f"{BLUEPRINT}.forgot_password"
PUBLIC_ENDPOINTS = PLATFORM_PUBLIC_ENDPOINTS | {
    LOGIN_ENDPOINT,
    RESET_PASSWORD_ENDPOINT,
    FORGOT_PASSWORD_ENDPOINT,
}

AUTH_REQUIRED = "authentication required: sign in at /login"
API_AUTH_REQUIRED = "authentication required: send a Bearer access token"


def is_public_request() -> bool:
    endpoint = request.endpoint
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    if endpoint == ASSETS_ENDPOINT:
        return (request.view_args or {}).get("filename") in LOGIN_PAGE_ASSETS
    return False


def _is_machine_path(path: str) -> bool:
    # Dash's internals live under /_dash-*, /_reload-hash, /_favicon.ico; assets are files.
    first = path.lstrip("/").split("/", 1)[0]
    return first.startswith("_") or first == "assets"


def _is_form_post() -> bool:
    return request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    )


def is_browser_navigation() -> bool:
    """A page the user asked for in the address bar, a link, or a form: not a script's fetch."""
    if request.method not in ("GET", "HEAD") and not _is_form_post():
        return False
    if _is_machine_path(request.path) or request.path.startswith(API_PREFIX):
        return False
    if request.headers.get("X-Requested-With", "").lower() == "xmlhttprequest":
        return False
    accept = request.headers.get("Accept")
    return accept is None or request.accept_mimetypes.accept_html


def _is_job_cleanup() -> bool:
    """Dash's request to end a background job (`?endId=`), sent as a page is left."""
    return request.path.endswith("/_dash-update-component") and "endId" in request.args


def _login_redirect() -> BaseResponse:
    target = request.path
    if request.method in ("GET", "HEAD") and request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    code = 302 if request.method in ("GET", "HEAD") else 303
    response = redirect(f"{LOGIN_PATH}?next={quote(target, safe='/')}", code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _unauthenticated_api() -> Response:
    return problem(
        401,
        "Unauthorized",
        API_AUTH_REQUIRED,
        type_slug="unauthorized",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def _unauthenticated_portal() -> Response:
    return problem(401, "Unauthorized", AUTH_REQUIRED, type_slug="unauthorized")


def _unauthenticated(is_api: bool) -> BaseResponse:
    if is_api:
        return _unauthenticated_api()
    if _is_job_cleanup():
        # The page being left tells Dash to drop its background job after the sign-out (or
        # the next sign-in) replaced the session: nothing of this user's is left to drop, and
        # a 401 here only trips Dash's renderer on the next page. Nothing runs.
        return Response(status=204)
    return _login_redirect() if is_browser_navigation() else _unauthenticated_portal()


def _csrf_refused() -> Response:
    if is_browser_navigation():
        body = render_template("portal/forbidden.html", message=csrf.FAILURE_DETAIL)
        return Response(body, status=403, mimetype="text/html")
    return problem(403, "Forbidden", csrf.FAILURE_DETAIL, type_slug="csrf-failed")


def guard() -> BaseResponse | None:
    # First, on every route public or not: the login page must not take an ended session
    # for a live one either, and the API must not see its user through the cookie.
    verify_session(current_app.extensions["container"])
    if is_public_request():
        # Public POSTs carry their own credentials (login form, token endpoints) and no
        # session authority; the login form checks its CSRF token itself.
        return None
    is_api = request.path.startswith(API_PREFIX)
    if is_api and bearer_token() is not None:
        # The API validates the token itself; a header a cross-site page cannot set is no
        # ambient credential, so no CSRF token is needed either.
        return None
    if current_actor() is None:
        return _unauthenticated(is_api)
    if request.method in csrf.UNSAFE_METHODS and not csrf.request_has_valid_token():
        return _csrf_refused()
    return None


def install_guard(server: Flask) -> None:
    """Register the guard. Call before Dash is mounted: its hooks must run after ours."""
    server.before_request(guard)


def public_routes() -> dict[str, frozenset[str]]:
    """The public list, for review and tests: endpoints, and asset files by name."""
    return {"endpoints": frozenset(PUBLIC_ENDPOINTS), "assets": LOGIN_PAGE_ASSETS}
