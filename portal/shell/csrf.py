"""Per-session CSRF token: kept in the signed session, echoed by forms and by Dash.

Forms carry it as a hidden `csrf_token` field. Dash's renderer reads the `_csrf_token`
cookie and sends it back as the X-CSRFToken header on every callback (dash-renderer's
getCSRFHeader; the names are Dash's defaults, set explicitly in dash_app.py). A page on
another site can make the browser send our session cookie, but it can read neither this
cookie nor the page, so it cannot produce the token.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, request, session

from portal.shell.cookies import cookie_secure

COOKIE_NAME = "_csrf_token"
HEADER_NAME = "X-CSRFToken"
FORM_FIELD = "csrf_token"
_SESSION_KEY = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FAILURE_DETAIL = (
    f"CSRF token missing or invalid: send the {HEADER_NAME} header (or the {FORM_FIELD} form "
    "field) with this session's token. Reload the page and try again."
)


def session_token() -> str:
    """This session's token, created on first use."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def rotate_token() -> str:
    session.pop(_SESSION_KEY, None)
    return session_token()


def submitted_token() -> str | None:
    header = request.headers.get(HEADER_NAME)
    if header:
        return header
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.get(FORM_FIELD)
    return None


def request_has_valid_token() -> bool:
    expected = session.get(_SESSION_KEY)
    given = submitted_token()
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def install_csrf_cookie(server: Flask) -> None:
    @server.after_request
    def _sync_csrf_cookie(response: Response) -> Response:
        token = session.get(_SESSION_KEY)
        if isinstance(token, str) and token:
            if request.cookies.get(COOKIE_NAME) != token:
                # Readable by our own scripts (Dash copies it into a header), never sent
                # on a cross-site request.
                response.set_cookie(
                    COOKIE_NAME,
                    token,
                    httponly=False,
                    samesite="Strict",
                    secure=cookie_secure(server),
                    path="/",
                )
        elif COOKIE_NAME in request.cookies:
            response.delete_cookie(COOKIE_NAME, path="/", samesite="Strict")
        return response
