"""The events the ledger publishes, as their consumers see them: the wire form of an
outbox row, the exchange it goes to, and the relay's backlog figure.

Kept apart from the outbox (ledger/outbox.py owns the table, ledger/publishers.py the publishers) so a
consumer depends on the event contract alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

EXCHANGE = "ledger.events"


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    event_id: str
    event_type: str
    pool_id: int
    entry_id: int | None
    occurred_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    # The W3C traceparent of the span the event continues: the writer's request while it
    # waits in the outbox, the relay's publish span once sent. Carried in the message's
    # headers, not its body: the body is what happened, the trace is how it is watched.
    traceparent: str | None = None

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "event_id": self.event_id,
                "event_type": self.event_type,
                "pool_id": self.pool_id,
                "entry_id": self.entry_id,
                "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
                "payload": self.payload,
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, body: bytes) -> LedgerEvent:
        doc = json.loads(body)
        return cls(
            event_id=doc["event_id"],
            event_type=doc["event_type"],
            pool_id=doc["pool_id"],
            entry_id=doc["entry_id"],
            occurred_at=datetime.fromisoformat(doc["occurred_at"]),
            payload=doc["payload"],
        )


@dataclass(frozen=True, slots=True)
class Backlog:
    unpublished: int
    oldest_created_at: datetime | None
    more: bool = False  # counted up to `unpublished` and stopped: at least that many wait

    def counted(self) -> str:
        """The count as people read it: "10,000+" when counting stopped there."""
        return f"{self.unpublished:,}{'+' if self.more else ''}"


def with_effective_date(payload: dict[str, Any], on: date, memo: str = "") -> dict[str, Any]:
    """An entry's own event (a capital call issued, a distribution made) says the entry's date:
    a consumer tells today's deal from history loaded today (no email about a 2019 call); and
    its memo, which a formal notice prints as the purpose of the call."""
    extra = {"memo": memo} if memo else {}
    return {"effective_date": on.isoformat(), **extra, **payload}
