"""A preview (PreviewService): the entry a request would post now, line by line, without
posting it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from backend.platform.rpc.types import AS_JSON
from ledger.schemas.accounts import AccountCode
from ledger.schemas.entries import EntryType


class PreviewLine(BaseModel):
    account: AccountCode
    investor_id: int | None
    amount: Decimal = Field(description="signed: debit positive, credit negative")


class Preview(BaseModel):
    """The entry a request would post now: its lines and the rule's details."""

    pool_id: int
    currency: str
    entry_type: EntryType | None = Field(description="null when nothing would be posted")
    effective_date: date
    lines: list[PreviewLine]
    details: Annotated[dict[str, Any], AS_JSON]  # the rule's workings, as EntryOut.details
    ledger_version: int = Field(description="the books this preview was computed from")
