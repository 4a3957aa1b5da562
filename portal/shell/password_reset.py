"""The page an emailed password-reset link opens (/reset-password?token=...): public, like
the login page, because the person cannot sign in; the token is their credential, and the
auth service decides whether it still is (used, replaced, expired: one message for all).
And the login page's "Forgot password?" (/forgot-password), which asks for such a link and
answers the same whether or not the address has an account.

The token stays out of everything the page sends elsewhere: no Referer leaves the page, no
cache keeps it, and after a success the browser goes to /login without it."""

from __future__ import annotations

from flask import Response, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from backend.platform.errors import ValidationFailed
from backend.service_directory import Services
from backend.users.interface import PASSWORD_MAX, PASSWORD_MIN
from portal.shell import csrf

RESET_PATH = "/reset-password"
FORGOT_PATH = "/forgot-password"
ASKED = (
    "If an account signs in with that address, an email with a link to choose a new password is "
    "on its way to it. The link works once, for a short time."
)
MAX_TOKEN = 100
"""Characters a token may have here (the service's are 43): a longer one is nobody's."""
FORM_EXPIRED = "The form expired. Open the link from your email again."
NOT_THE_SAME = "The two passwords differ. Type the same new password twice."
CHANGED_NOTICE = "password_reset"
"""The login page's ?notice= value after a reset."""


def _page(*, token: str, error: str | None = None, status: int = 200) -> Response:
    body = render_template(
        "portal/reset_password.html",
        csrf_token=csrf.session_token(),
        token=token,
        error=error,
        minimum=PASSWORD_MIN,
        maximum=PASSWORD_MAX,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the address holds the token
    return response


def _token(raw: str | None) -> str:
    text = (raw or "").strip()
    return text if 0 < len(text) <= MAX_TOKEN else ""


def show() -> BaseResponse:
    token = _token(request.args.get("token"))
    if not token:
        return _page(
            token="", error="This link is incomplete. Open the link from your email again.", status=400
        )
    return _page(token=token)


def submit(container: Services) -> BaseResponse:
    token = _token(request.form.get("token"))
    if not csrf.request_has_valid_token():
        return _page(token=token, error=FORM_EXPIRED, status=403)
    password = request.form.get("password", "")
    if password != request.form.get("repeated", ""):
        return _page(token=token, error=NOT_THE_SAME, status=400)
    try:
        container.auth.reset_password(token, password)
    except ValidationFailed as exc:
        said = exc.detail.removeprefix(f"{exc.field}: ") if exc.field else exc.detail
        # A bad link cannot be retried: the form goes, only the message stays.
        kept = token if exc.field == "password" else ""
        return _page(token=kept, error=said[:1].upper() + said[1:] + ".", status=400)
    return redirect(f"/login?notice={CHANGED_NOTICE}", 303)


def _forgot_page(*, notice: str | None = None, error: str | None = None, status: int = 200) -> Response:
    body = render_template(
        "portal/forgot_password.html", csrf_token=csrf.session_token(), notice=notice, error=error
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def show_forgot() -> BaseResponse:
    return _forgot_page()


def submit_forgot(container: Services) -> BaseResponse:
    if not csrf.request_has_valid_token():
        return _forgot_page(error="The form expired. Please try again.", status=403)
    email = request.form.get("email", "").strip()
    if email:
        container.auth.request_own_password_reset(email)
    # The same answer for every address: the page never tells who has an account.
    return _forgot_page(notice=ASKED)
