"""Domain errors: what went wrong, in the domain's words, naming the field and the reason.

They carry no HTTP: the REST API chooses each kind's status when it renders an RFC 9457
problem (backend/api/problems.py), the portal turns them into messages.
"""

from __future__ import annotations


class DomainError(Exception):
    """The request cannot be done as asked; `detail` says why, `field` names the input."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ValidationFailed(DomainError):
    """An input is malformed or breaks a rule of its own (a negative amount, an unknown code)."""


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it does."""


class PermissionDenied(DomainError):
    """The caller is known and may see the object, but may not do this to it."""


class Unauthenticated(DomainError):
    """No valid credentials: a missing, expired or revoked token or session."""


class Conflict(DomainError):
    """The request is well formed but the current state refuses it (a closed pool, a
    duplicate, an entry dated before the books)."""


class DependencyUnavailable(DomainError):
    """A system this one depends on (the payment gateway) did not answer; nothing was done
    here, and the same request may be sent again shortly."""


class TooManyRequests(DomainError):
    """Too many attempts; the caller may try again after `retry_after_seconds`."""

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds
