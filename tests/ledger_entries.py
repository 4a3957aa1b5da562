"""Raw ledger entries for the ledger's own tests: signed postings written straight into a
pool's books, bypassing every posting rule.

Production never posts raw entries: a manager's transaction goes through a posting rule and
`write_rule`. These helpers use that same single-entry write path with a draft given as is,
so the tests exercise exactly the checks (validate_draft, the overdraft rule, the chain, the
idempotency keys) that every real entry passes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from backend.platform.actors import Actor
from ledger.interface import AccountCode, EntryOut, EntryType, EventIn
from ledger.journal import DraftLine, EntryDraft
from ledger.service import DatabaseLedgerService


def _refuse_float(value: Any) -> Any:
    # A float has already lost the exact amount the caller meant (0.1 is not 1/10).
    if isinstance(value, float):
        raise ValueError("amounts must be given as a decimal string or Decimal, not a float")
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(_refuse_float)]


class PostingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: AccountCode
    investor_id: int | None = Field(default=None, gt=0)
    amount: ExactDecimal = Field(description="signed: debit positive, credit negative")


class PostEntryRequest(BaseModel):
    """A manual entry: signed postings (debit positive) for one pool."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool_id: int = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    entry_type: EntryType
    effective_date: date
    memo: str = Field(default="", max_length=500)
    postings: list[PostingIn] = Field(min_length=2, max_length=10_000)
    events: list[EventIn] = Field(default_factory=list, max_length=20)
    cash_may_go_negative: bool = False


def draft_of(request: PostEntryRequest) -> EntryDraft:
    """The request as a draft, unchecked: the write path checks it (lines[i] name the postings)."""
    return EntryDraft(
        pool_id=request.pool_id,
        currency=request.currency,
        entry_type=request.entry_type,
        effective_date=request.effective_date,
        memo=request.memo,
        lines=tuple(DraftLine(p.account, p.investor_id, p.amount) for p in request.postings),
        events=tuple(request.events),
        cash_may_go_negative=request.cash_may_go_negative,
    )


def _fingerprint(draft: EntryDraft) -> dict[str, Any]:
    document = dataclasses.asdict(draft)
    document["lines"] = [
        [line.account.value, line.investor_id, str(line.amount.normalize()) if line.amount else "0"]
        for line in draft.lines
    ]
    document["events"] = [event.model_dump(mode="json") for event in draft.events]
    return document


def write_draft(
    ledger: DatabaseLedgerService,
    actor: Actor,
    draft: EntryDraft,
    idempotency_key: str,
    *,
    operation: str = "write_draft",
    request: Mapping[str, Any] | None = None,
) -> EntryOut:
    """Write `draft` as it is, through write_rule; the draft is the fingerprint unless a
    request is given."""
    if draft.entry_type is EntryType.REVERSAL:
        raise ValueError("a reversal is written with reverse(), never raw")
    document = dict(request) if request is not None else _fingerprint(draft)
    return ledger.write_rule(
        actor,
        draft.pool_id,
        draft.currency,
        lambda _session, _balances: (draft, {}),
        idempotency_key,
        operation=operation,
        request=document,
    )


def post_entry(
    ledger: DatabaseLedgerService, actor: Actor, request: PostEntryRequest, idempotency_key: str
) -> EntryOut:
    """Post a manual entry under an Idempotency-Key."""
    draft = draft_of(request)
    return write_draft(
        ledger, actor, draft, idempotency_key, operation="post_entry", request=request.model_dump(mode="json")
    )
