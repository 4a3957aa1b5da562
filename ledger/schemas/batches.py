"""Batch ingest (ledger.batch, TransactionService.record_batch): the row limit and an
imported sheet's columns, what a batch row may be, the request, each row's error, and what
one batch wrote."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from backend.platform.fields import Money
from backend.platform.rpc.types import AS_JSON
from ledger.schemas.transactions import TransactionRequest, TransactionType, _TransactionFields

BATCH_MAX_ROWS = 10_000
"""The most rows one batch request (or one imported file) may carry."""

IMPORT_COLUMNS = (
    "type",
    "investor_id",
    "amount",
    "units",
    "cost",
    "investment",
    "fee_kind",
    "effective_date",
    "memo",
)
"""The columns a spreadsheet of transactions may have (ledger.importer), as the batch rows name them."""


# What a batch row may be: every manager-recorded type, and a valuation. Built from
# TransactionType so the two lists cannot drift; mypy cannot follow a computed member list.
BatchTransactionType = enum.StrEnum(  # type: ignore[misc]
    "BatchTransactionType",
    [(member.name, member.value) for member in TransactionType] + [("VALUATION", "valuation")],
)
BatchTransactionType.__doc__ = "What a batch row may be: every manager-recorded type, and a valuation."


class BatchRow(_TransactionFields):
    """One row of a batch: a TransactionRequest, or a valuation whose `amount` is the pool's
    net asset value as of `effective_date` (a row that changes nothing is kept as the day's
    mark, with no postings)."""

    type: BatchTransactionType
    amount: Money | None = Field(default=None, description="in the pool's currency; valuation: the NAV")


BatchRowInput = Annotated[TransactionRequest | BatchRow | Mapping[str, object], AS_JSON]
"""A batch's row as its caller has it: a checked request or row, or the row's fields by name as
a request body (JSON values) or an imported sheet (text) holds them, or a script writes them
(a date, a Decimal), which record_batch checks on its own so that each problem names its row.
Across gRPC each row is its JSON text (a Decimal as its text, a date ISO, as the REST API
would take them) and the service checks it the same way: a model's JSON validates back to the
same row, and a value a row refuses is refused with the same reason."""


class BatchRequest(BaseModel):
    """POST /pools/{id}/transactions/batch. Rows are checked one by one, so that every
    problem is reported with its row (0-based index into `transactions`)."""

    model_config = ConfigDict(extra="forbid")

    transactions: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_MAX_ROWS)


class RowError(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int = Field(description="0-based index of the row in the batch")
    field: str
    reason: str


class BatchResult(BaseModel):
    """What one batch wrote: every entry in one transaction, in row order."""

    pool_id: int
    rows: int
    entries: int
    postings: int
    first_seq: int | None = Field(description="seq of the first entry written; null if none was")
    last_seq: int | None
    last_hash: str | None = Field(description="the pool's chain head after the batch")
    ledger_version: int
    entry_ids: list[int | None] = Field(
        description="per row, the entry it wrote; null for a valuation that changed nothing"
    )
