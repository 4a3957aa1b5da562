"""The ledger's own refusals, on top of the platform's (ValidationFailed, Conflict...).

No HTTP in them: the REST API maps each class to a problem status (backend/api/problems.py),
the portal to a message."""

from __future__ import annotations

from collections.abc import Sequence

from backend.platform.errors import Conflict, DependencyUnavailable, ValidationFailed
from ledger.schemas import RowError


class IdempotencyKeyReused(Conflict):
    """The key was used before for a different request: never a second entry."""


class IdempotencyKeyInFlight(Conflict):
    """The first request with this key is still running: retry later."""


class PoolMoving(DependencyUnavailable):
    """The pool's books here are being moved to another shard, or have moved (ledger.shards):
    nothing was written. The same request, routed again by the shard directory, goes to the
    pool's shard once the move is done."""

    def __init__(self, pool_id: int, shard: str | None) -> None:
        where = f" to shard {shard!r}" if shard else ""
        super().__init__(
            f"pool {pool_id}'s books are moving{where} or have moved; nothing was written: retry, "
            "the shard directory sends the write to the pool's shard",
            field="pool_id",
        )
        self.pool_id = pool_id
        self.shard = shard


class BatchRejected(ValidationFailed):
    """Some rows of a batch cannot be posted; nothing was written. `errors` names each one."""

    errors: list[RowError]  # declared, so a caller across gRPC reads RowErrors back, not dicts

    def __init__(self, errors: Sequence[RowError]) -> None:
        ordered = sorted(errors, key=lambda e: e.row)
        first = ordered[0]
        super().__init__(
            f"{len(ordered)} problem(s) in the batch, nothing was written; first: "
            f"row {first.row}, {first.field}: {first.reason}",
            field=first.field,
        )
        self.errors = ordered
