"""The audit trail as its callers see it: record an event, list events (a Protocol), and the
event type.

Callers import this module only. The container binds `DatabaseAuditService` (service.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from backend.audit.schemas import MAX_TEXT, AuditEventOut
from backend.platform.actors import Actor

__all__ = [
    "MAX_TEXT",
    "AuditEventOut",
    "AuditService",
]


class AuditService(Protocol):
    def record(
        self,
        session: Session,
        actor: Actor | None,
        action: str,
        object_type: str,
        object_id: object,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Add the event to the caller's transaction: it commits or rolls back with the change."""

    def record_many(
        self,
        session: Session,
        actor: Actor | None,
        action: str,
        object_type: str,
        afters: Sequence[tuple[object, dict[str, Any] | None]],
    ) -> None:
        """One event per (object id, after) of the same action, in the caller's transaction, in
        one statement (batches: users, investor profiles, commitments created together)."""

    def list_events(
        self,
        actor: Actor,
        *,
        object_type: str | None = None,
        action: str | None = None,
        text: str | None = None,
        limit: int = 100,
    ) -> list[AuditEventOut]:
        """The latest `limit` events, newest first, of this object type and action if given, and
        with `text` (any case, `%` and `_` literal; at most MAX_TEXT characters) in the actor, the
        action, the object or the change, searched by the database."""
