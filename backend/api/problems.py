"""RFC 9457 problem details: every API error is one of these, naming the field and the reason."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from pydantic import ValidationError

from backend.errors import DomainError, TooManyRequests

PROBLEM_MIME = "application/problem+json"
_TYPE_BASE = "https://investment-pools.example/problems/"


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    type_slug: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": _TYPE_BASE + type_slug,
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


def from_domain_error(exc: DomainError) -> Response:
    errors = [{"field": exc.field, "reason": exc.detail}] if exc.field else None
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    if exc.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="api"'}
    return problem(exc.status, exc.title, exc.detail, type_slug=exc.type_slug, errors=errors, headers=headers)


def from_validation_error(exc: ValidationError, *, location: str = "body") -> Response:
    errors = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"]) or location
        errors.append({"field": field, "reason": err["msg"]})
    first = errors[0] if errors else {"field": location, "reason": "invalid"}
    return problem(
        422,
        "Validation failed",
        f"{first['field']}: {first['reason']}",
        type_slug="validation-failed",
        errors=errors,
    )
