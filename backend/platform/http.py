"""The HTTP vocabulary the REST API and the portal share: problem documents (RFC 9457),
bearer tokens, and the platform's own endpoints that answer without a login."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request

PROBLEM_MIME = "application/problem+json"
PROBLEM_TYPE_BASE = "https://investment-pools.example/problems/"

# Routes that answer without a session or token. Everything else is refused by the guard.
PLATFORM_PUBLIC_ENDPOINTS = frozenset(
    {
        "healthz",
        "readyz",
        "metrics",
        "static",
        "api.openapi",
        "api.post_issue_token",
        "api.post_refresh_token",
        # The payment gateway's webhook: its signature is its credential (payments service).
        "api.post_stripe_webhook",
        # One-click unsubscribe (RFC 8058): a mail client posts the signed link, no session;
        # the token's MAC is its credential and it can only switch off that one email.
        "api.post_unsubscribe_one_click",
        # The SMS provider's delivery reports: its request signature is the credential.
        "api.post_sms_status_report",
    }
)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def bearer_token() -> str | None:
    return bearer_of(request.headers.get("Authorization"))


def bearer_of(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (an HTTP header, gRPC metadata)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
