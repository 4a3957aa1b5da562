"""Domain errors across a call: the server answers each with a gRPC status and the error
itself in the trailing metadata; the client raises the same class with the same detail and
field, so the REST API's problem answer is the same whichever side of the hop the service is.

Status codes follow gRPC's own meanings (and retry rules: only UNAVAILABLE is retried, and
only for reads). A call the service never answered (it is down, the deadline passed) becomes
DependencyUnavailable naming the service: a 503 problem, never a half-done write, because a
write the service did not confirm is not retried and its own transaction decides.

An error's own attributes travel as JSON; one the class annotates (`errors: list[RowError]`)
is validated back into that type, so the caller reads the same objects as in process."""

from __future__ import annotations

import json
import typing
from typing import Any

import grpc
from pydantic import TypeAdapter

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

ERROR_METADATA = "domain-error-bin"
_ANY: TypeAdapter[Any] = TypeAdapter(Any)

_CODES: dict[type[DomainError], grpc.StatusCode] = {
    ValidationFailed: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    Conflict: grpc.StatusCode.FAILED_PRECONDITION,
    TooManyRequests: grpc.StatusCode.RESOURCE_EXHAUSTED,
    # The service's own dependency (a gateway) did not answer: not UNAVAILABLE, which would
    # have the channel retry a read against a service that is up.
    DependencyUnavailable: grpc.StatusCode.FAILED_PRECONDITION,
    DomainError: grpc.StatusCode.INVALID_ARGUMENT,
}
_BASE_OF_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: ValidationFailed,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.FAILED_PRECONDITION: Conflict,
}
UNANSWERED = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
)


class RemoteFailure(RuntimeError):
    """The service failed on its side (a bug, not a refusal): the caller's 500, as in process."""


def status_of(exc: DomainError) -> grpc.StatusCode:
    for cls in type(exc).__mro__:
        if cls in _CODES:
            return _CODES[cls]
    return grpc.StatusCode.INVALID_ARGUMENT


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def encode(exc: DomainError) -> bytes:
    extra = {
        k: _ANY.dump_python(v, mode="json") for k, v in vars(exc).items() if k not in ("detail", "field")
    }
    return json.dumps(
        {"class": _name(type(exc)), "detail": exc.detail, "field": exc.field, "extra": extra}
    ).encode()


def _known_classes() -> dict[str, type[DomainError]]:
    """Every DomainError class this process has imported, by name: the only classes a reply
    may name (nothing is imported because a message said so)."""
    found: dict[str, type[DomainError]] = {}
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        found[_name(cls)] = cls
        pending.extend(cls.__subclasses__())
    return found


_TYPED: dict[str, dict[str, TypeAdapter[Any]]] = {}


def _typed_attributes(cls: type[DomainError]) -> dict[str, TypeAdapter[Any]]:
    """The attributes `cls` declares a type for, with an adapter that reads one back from JSON."""
    found = _TYPED.get(_name(cls))
    if found is None:
        hints = {
            name: hint
            for klass in reversed(cls.__mro__[: cls.__mro__.index(DomainError)])
            for name, hint in typing.get_type_hints(klass).items()
            if name in vars(klass).get("__annotations__", {})
        }
        found = _TYPED[_name(cls)] = {name: TypeAdapter(hint) for name, hint in hints.items()}
    return found


def decode(code: grpc.StatusCode, details: str | None, trailer: bytes | None) -> DomainError | None:
    """The domain error a reply carries, or None when it carries none."""
    if trailer is not None:
        doc: dict[str, Any] = json.loads(trailer)
        cls = _known_classes().get(str(doc.get("class")))
        if cls is not None:
            made = cls.__new__(cls)
            DomainError.__init__(made, str(doc["detail"]), field=doc.get("field"))
            typed = _typed_attributes(cls)
            for key, value in dict(doc.get("extra") or {}).items():
                setattr(made, key, typed[key].validate_python(value) if key in typed else value)
            return made
    base = _BASE_OF_CODE.get(code)
    return base(details or code.name.lower()) if base is not None else None
