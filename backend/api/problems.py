"""RFC 9457 problem details: every API error is one of these, naming the field and the reason.

The status of each kind of domain error is chosen here, not by the error."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response
from pydantic import ValidationError

from backend.platform.errors import (
    Conflict,
    DependencyUnavailable,
    DomainError,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
    ValidationFailed,
)
from backend.platform.http import problem
from ledger.interface import IdempotencyKeyInFlight, IdempotencyKeyReused


@dataclass(frozen=True)
class ProblemKind:
    status: int
    title: str
    type_slug: str


# The API's choice of status per kind of domain error; the most specific class wins.
_KINDS: dict[type[DomainError], ProblemKind] = {
    IdempotencyKeyReused: ProblemKind(422, "Idempotency key reused", "idempotency-key-reused"),
    IdempotencyKeyInFlight: ProblemKind(409, "Request in progress", "idempotency-key-in-flight"),
    ValidationFailed: ProblemKind(422, "Validation failed", "validation-failed"),
    NotFound: ProblemKind(404, "Not found", "not-found"),
    PermissionDenied: ProblemKind(403, "Forbidden", "forbidden"),
    Unauthenticated: ProblemKind(401, "Unauthorized", "unauthorized"),
    Conflict: ProblemKind(409, "Conflict", "conflict"),
    TooManyRequests: ProblemKind(429, "Too many requests", "too-many-requests"),
    DependencyUnavailable: ProblemKind(503, "Service unavailable", "dependency-unavailable"),
    DomainError: ProblemKind(400, "Bad request", "bad-request"),
}


def problem_kind(exc: DomainError) -> ProblemKind:
    for cls in type(exc).__mro__:
        kind = _KINDS.get(cls)
        if kind is not None:
            return kind
    raise TypeError(f"{type(exc).__name__} is not a DomainError")  # unreachable: DomainError is mapped


def from_domain_error(exc: DomainError) -> Response:
    errors = [{"field": exc.field, "reason": exc.detail}] if exc.field else None
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    if isinstance(exc, DependencyUnavailable):
        headers = {"Retry-After": "30"}
    kind = problem_kind(exc)
    if kind.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="api"'}
    return problem(
        kind.status, kind.title, exc.detail, type_slug=kind.type_slug, errors=errors, headers=headers
    )


def from_validation_error(exc: ValidationError, *, location: str = "body") -> Response:
    errors = []
    for err in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"]) or location
        errors.append({"field": field, "reason": err["msg"]})
    first = errors[0] if errors else {"field": location, "reason": "invalid"}
    # Its own type: the request's shape broke what the OpenAPI document states (the API
    # fuzzing test holds the two to agree); "validation-failed" is a rule of the service.
    return problem(
        422,
        "Validation failed",
        f"{first['field']}: {first['reason']}",
        type_slug="request-invalid",
        errors=errors,
    )
