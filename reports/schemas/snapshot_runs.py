"""What a snapshot refresh reports: one pool's stored performance refreshed, or a recompute run.

Plain frozen records returned to the caller (a task, the CLI), not wire models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Refreshed:
    pool_id: int
    as_of: date
    ledger_version: int
    computed: bool
    """False when the stored snapshot was already at this ledger version."""


@dataclass(frozen=True, slots=True)
class Recomputed:
    pools: int
    """How many pools the run covered."""
    computed: int
    """How many snapshots were computed (the rest were current and not forced, or the pool
    stopped being the actor's to recompute during the run)."""
    as_of: date
    seconds: float
