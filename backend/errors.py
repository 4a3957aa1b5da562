"""Domain errors. The API turns each into an RFC 9457 problem; the portal into a message."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"
    type_slug = "validation-failed"


class NotFound(DomainError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class PermissionDenied(DomainError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
    type_slug = "too-many-requests"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
