"""Token endpoints: /auth/token (password login), /auth/refresh (rotation), /auth/logout."""

from __future__ import annotations

from flask import Response, request

from backend.api.routing import ApiRouter
from backend.auth.interface import (
    LogoutRequest,
    RefreshRequest,
    SignInDevice,
    TokenPair,
    TokenRequest,
    describe_user_agent,
)
from backend.platform.actors import Actor
from backend.platform.errors import Unauthenticated
from backend.platform.http import bearer_token
from backend.service_directory import Services


def _token_response(pair: TokenPair) -> Response:
    # RFC 6749 §5.1: responses carrying tokens must not be stored by any cache.
    return Response(
        pair.model_dump_json(),
        status=200,
        mimetype="application/json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _optional_logout_body() -> LogoutRequest:
    # The body is optional here, which the router's `body=` cannot express: an empty body
    # ends the access token's session (its refresh family included) and nothing more.
    raw = request.get_data(as_text=True)
    return LogoutRequest.model_validate_json(raw) if raw.strip() else LogoutRequest()


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "POST", "/auth/token", summary="Log in with email and password", tag="auth",
        body=TokenRequest, response=TokenPair, public=True, errors=(401, 429),
    )
    def issue_token(body: TokenRequest) -> Response:
        agent = request.headers.get("User-Agent")
        # An API client has no cookie jar to keep a device id in: its user agent stands in.
        device = SignInDevice(f"api:{agent or ''}", describe_user_agent(agent))
        pair = container.auth.login_for_tokens(body.email, body.password, request.remote_addr, device)
        return _token_response(pair)

    @router.operation(
        "POST", "/auth/refresh", summary="Trade a refresh token for a new token pair", tag="auth",
        body=RefreshRequest, response=TokenPair, public=True, errors=(401,),
    )
    def refresh_token(body: RefreshRequest) -> Response:
        return _token_response(container.auth.refresh(body.refresh_token))

    @router.operation(
        "POST", "/auth/logout", summary="End the access token's session and the refresh token's family",
        tag="auth", status=204,
    )
    def logout(actor: Actor) -> None:
        # `actor` makes the router verify the Bearer token first (its session must still be
        # live); a portal session alone is not enough here, portal sign-out is POST /logout.
        token = bearer_token()
        if token is None:
            raise Unauthenticated("authentication required: send a Bearer access token")
        container.auth.logout(token, _optional_logout_body().refresh_token)
