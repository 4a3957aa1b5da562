"""Batch ingest: many entries of one pool, written in one transaction with bulk inserts.

The single-entry path (ledger.journal) writes one entry per transaction through the ORM.
A batch (a migration, a day of market-data-driven valuations, an imported spreadsheet)
instead:

1. takes the pool's chain-head lock once (the same first lock as every writer), reads the
   pool's accounts and balances once (:func:`load_pool_accounts`);
2. lets the caller apply the posting rules row after row to an in-memory copy of those
   balances (:class:`RunningBooks`), so each row sees the rows before it exactly as if
   they had been posted one by one; every row is checked (validate_draft, overdrafts) and
   every problem is collected as a :class:`RowError` instead of stopping at the first;
3. if no row failed, numbers and hashes the entries in order and writes entries, postings,
   balances, entry details and outbox events with one multi-row INSERT (or executemany)
   per table (:class:`BulkJournalWriter`); amounts are written as the scaled integers the
   columns hold, without building ORM objects.

All or nothing: any row error raises :class:`BatchRejected` (a ValidationFailed listing
every row's problem) before anything is written, and the caller's rollback undoes the rest.
The books a batch leaves are the books the same rows posted singly leave: same postings,
same balances, a valid hash chain (only created_at, and so the hashes, differ).

Locks: the chain head first, then the balance rows the batch touches in ascending account
id, as in ledger.journal, so a batch and single writers queue rather than deadlock.
"""

from __future__ import annotations

from ledger.batch.pipeline import cyclic_collection_paused
from ledger.batch.planning import (
    AccountInfo,
    BatchPlan,
    PlannedEntry,
    PoolAccounts,
    RunningBooks,
    load_pool_accounts,
)
from ledger.batch.storage import BulkJournalWriter

__all__ = [
    "AccountInfo",
    "BatchPlan",
    "BulkJournalWriter",
    "PlannedEntry",
    "PoolAccounts",
    "RunningBooks",
    "cyclic_collection_paused",
    "load_pool_accounts",
]
