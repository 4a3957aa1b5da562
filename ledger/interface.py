"""The ledger as its callers see it: the books (read), the transactions a manager records,
their previews, the outbox relay (Protocols), the types that go in and out, the events it
publishes and its errors.

Callers import this module only. The container binds the implementations (service.py,
transactions.py, previews.py, outbox.py); the transaction and preview services are also
served over gRPC (ledger/rpc.py), whose clients implement the same Protocols. The ledger
service itself stays in process: its writes run a posting rule given as a callable inside its
own transaction, with the Session, under the pool's lock. The posting rules
and forward pricing are pure functions of the published terms and books, so they are part of
the contract too: the reports replay them and the demo seed plans with them."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from backend.platform.actors import Actor
from ledger import posting_rules
from ledger.errors import BatchRejected, IdempotencyKeyInFlight, IdempotencyKeyReused
from ledger.events import EXCHANGE, Backlog, LedgerEvent
from ledger.forward_pricing import DealingFacts, LastEntry, struck_price
from ledger.journal_stream import JournalEntryLines, JournalFilter, JournalLine, JournalLinesPage
from ledger.outbox import RabbitPublisher
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.rule_inputs import PoolFacts, fees_since
from ledger.schemas import (
    BATCH_MAX_ROWS,
    DEFAULT_PAGE,
    IDEMPOTENCY_KEY_FIELD,
    IMPORT_COLUMNS,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_PAGE,
    UNITS_COMMODITY,
    AccountBalance,
    AccountCode,
    AccountRef,
    BatchRequest,
    BatchResult,
    BatchRow,
    BatchRowInput,
    BatchTransactionType,
    CapitalCallRequest,
    ClawbackRequest,
    DistributionMode,
    DistributionRequest,
    EntryOut,
    EntryPage,
    EntryType,
    EventIn,
    EventType,
    InvestmentOut,
    PoolPositions,
    PositionOut,
    PostingLine,
    PostingOut,
    Preview,
    PreviewLine,
    ReversalRequest,
    RowError,
    ShareClassOut,
    SubsequentCloseRequest,
    TransactionRequest,
    TransactionType,
    ValuationOut,
    ValuationRequest,
    VerifyBreak,
    VerifyReport,
    account_key,
    check_key,
)
from ledger.terms import investor_terms, pool_terms

__all__ = [
    "BATCH_MAX_ROWS",
    "DEFAULT_PAGE",
    "EXCHANGE",
    "IDEMPOTENCY_KEY_FIELD",
    "IMPORT_COLUMNS",
    "MAX_IDEMPOTENCY_KEY_LENGTH",
    "MAX_PAGE",
    "UNITS_COMMODITY",
    "AccountBalance",
    "AccountCode",
    "AccountRef",
    "Backlog",
    "BatchRejected",
    "BatchRequest",
    "BatchResult",
    "BatchRow",
    "BatchRowInput",
    "BatchTransactionType",
    "CapitalCallRequest",
    "ClawbackRequest",
    "DealingFacts",
    "DistributionMode",
    "DistributionRequest",
    "EntryOut",
    "EntryPage",
    "EntryType",
    "EventIn",
    "EventType",
    "IdempotencyKeyInFlight",
    "IdempotencyKeyReused",
    "InvestmentOut",
    "JournalEntryLines",
    "JournalFilter",
    "JournalLine",
    "JournalLinesPage",
    "LastEntry",
    "LedgerEvent",
    "LedgerService",
    "OutboxRelay",
    "PoolBooks",
    "PoolFacts",
    "PoolPositions",
    "PoolTerms",
    "PositionOut",
    "Posting",
    "PostingLine",
    "PostingOut",
    "Preview",
    "PreviewLine",
    "PreviewService",
    "RabbitPublisher",
    "ReversalRequest",
    "RowError",
    "ShareClassOut",
    "SubsequentCloseRequest",
    "TransactionRequest",
    "TransactionService",
    "TransactionType",
    "ValuationOut",
    "ValuationRequest",
    "VerifyBreak",
    "VerifyReport",
    "account_key",
    "check_key",
    "fees_since",
    "investor_terms",
    "pool_terms",
    "posting_rules",
    "struck_price",
]


class LedgerService(Protocol):
    def reverse(
        self,
        actor: Actor,
        pool_id: int | None,
        entry_id: int,
        idempotency_key: str,
        *,
        effective_date: date | None = None,
        memo: str | None = None,
    ) -> EntryOut:
        """Post the mirror of entry `entry_id`, linked to it. An entry is reversed at most once; a
        reversal itself is not reversed (post the original again instead)."""

    def open_books(self, pool_id: int, currency: str) -> None:
        """Start pool `pool_id`'s journal in `currency` (done on the first write anyway)."""

    def get_entry(
        self, entry_id: int, *, pool_id: int | None = None, actor: Actor | None = None
    ) -> EntryOut: ...

    def list_entries(
        self,
        pool_id: int,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE,
        entry_type: EntryType | None = None,
        investor_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        lines_of: int | None = None,
        actor: Actor | None = None,
    ) -> EntryPage:
        """A pool's entries in journal order (ascending seq), filtered, keyset-paged; with
        `lines_of`, each entry carries only the pool's own lines and that investor's."""

    def account_balances(self, pool_id: int, *, actor: Actor | None = None) -> list[AccountBalance]:
        """Every account of the pool with its balance (signed, debit positive), by account key."""

    def balances(self, pool_id: int, *, actor: Actor | None = None) -> dict[str, Decimal]:
        """{account key: balance}, e.g. {"cash": Decimal("100.00"), "units/7": ...}."""

    def balances_by_ref(self, pool_id: int, *, actor: Actor | None = None) -> dict[AccountRef, Decimal]:
        """{(AccountCode, investor id or None): balance}: what posting_rules.PoolBooks takes."""

    def ledger_version(self, pool_id: int, *, actor: Actor | None = None) -> int:
        """How many entries the pool's journal has: a cache key part that changes with every entry."""

    def ledger_versions(self, pool_ids: Collection[int], *, actor: Actor | None = None) -> dict[int, int]:
        """{pool id: ledger_version} for each pool asked about, in one read (0 for a pool with
        no entries yet)."""

    def has_entries(self, pool_id: int) -> bool: ...

    def pools_of_investor(self, investor_id: int, *, actor: Actor | None = None) -> list[int]:
        """Pools where the investor has any account (units, capital, receivable)."""

    def pools_of_investors(
        self, investor_ids: Collection[int], *, actor: Actor | None = None
    ) -> dict[int, list[int]]:
        """{investor id: the pools where they have any account (units, capital, receivable)},
        for those of the ids that have one, in one read however many are asked."""

    def investor_flows(
        self, pool_id: int, entry_types: tuple[EntryType, ...], *, actor: Actor | None = None
    ) -> dict[str, dict[int, Decimal]]:
        """Per investor: cash contributed, cash distributed to them, fees borne, capital called and
        what is overdue on calls, from the details of the entries that stand (reversed ones drop out
        with their reversal)."""

    def verify(self, pool_id: int | None = None) -> VerifyReport:
        """Recompute every hash and balance (on the primary); see ledger.verify."""

    def purge_expired_keys(self) -> int:
        """Forget idempotency keys past their retention (24 h by default)."""


class TransactionService(Protocol):
    def record(
        self, actor: Actor, pool_id: int, request: TransactionRequest, idempotency_key: str
    ) -> EntryOut:
        """POST /pools/{id}/transactions: one transaction of any manager-recorded type."""

    def record_batch(
        self,
        actor: Actor,
        pool_id: int,
        requests: Sequence[BatchRowInput],
        idempotency_key: str | None,
        *,
        dry_run: bool = False,
    ) -> BatchResult:
        """POST /pools/{id}/transactions/batch: many rows, all or nothing, in one transaction."""

    def capital_call(
        self, actor: Actor, pool_id: int, request: CapitalCallRequest, idempotency_key: str
    ) -> EntryOut: ...

    def distribute(
        self, actor: Actor, pool_id: int, request: DistributionRequest, idempotency_key: str
    ) -> EntryOut: ...

    def subsequent_close(
        self, actor: Actor, pool_id: int, request: SubsequentCloseRequest, idempotency_key: str
    ) -> EntryOut:
        """POST /pools/{id}/subsequent-closes: admit the later investors, equalised."""

    def clawback(
        self, actor: Actor, pool_id: int, request: ClawbackRequest, idempotency_key: str
    ) -> EntryOut:
        """POST /pools/{id}/clawbacks: the GP gives back carry beyond the whole fund's figure."""

    def record_valuation(
        self, actor: Actor, pool_id: int, request: ValuationRequest, idempotency_key: str
    ) -> ValuationOut: ...

    def reverse(
        self, actor: Actor, entry_id: int, request: ReversalRequest, idempotency_key: str
    ) -> EntryOut: ...

    def list_transactions(
        self,
        actor: Actor,
        pool_id: int,
        *,
        cursor: str | None = None,
        limit: int = 50,
        entry_type: EntryType | None = None,
        investor_id: int | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> EntryPage: ...

    def journal_lines(self, actor: Actor, pool_id: int, where: JournalFilter) -> Iterator[JournalEntryLines]:
        """The pool's journal for an export: every matching entry with its lines (an
        investor's own view for an investor), authorised before the first page is read."""

    def journal_page(
        self, actor: Actor, pool_id: int, where: JournalFilter, *, cursor: str | None = None, limit: int = 50
    ) -> JournalLinesPage:
        """A page of the pool's journal with each entry's lines, as list_transactions pages and
        authorises it (a grid's rows: cheaper than an EntryOut with a PostingOut per line)."""

    def pool_positions(self, actor: Actor, pool_id: int) -> PoolPositions: ...

    def investments(self, actor: Actor, pool_id: int) -> list[InvestmentOut]:
        """The pool's named investments, deal by deal: cost, sold, held, proceeds, realised."""

    def holdings(self, actor: Actor, investor_id: int) -> list[PositionOut]: ...

    def position(self, investor_id: int, pool_id: int) -> PositionOut | None:
        """The system's view of one position (for the investor service's participation)."""


class PreviewService(Protocol):
    def transaction(self, actor: Actor, pool_id: int, request: TransactionRequest) -> Preview: ...

    def capital_call(
        self, actor: Actor, pool_id: int, request: CapitalCallRequest, today: date
    ) -> Preview: ...

    def distribution(self, actor: Actor, pool_id: int, request: DistributionRequest) -> Preview: ...

    def subsequent_close(self, actor: Actor, pool_id: int, request: SubsequentCloseRequest) -> Preview: ...

    def clawback(self, actor: Actor, pool_id: int, request: ClawbackRequest) -> Preview: ...

    def valuation(self, actor: Actor, pool_id: int, request: ValuationRequest) -> Preview: ...

    def reversal(self, actor: Actor, pool_id: int, entry_id: int) -> Preview:
        """The entry that would be reversed (its lines negated), if it is this pool's."""


class OutboxRelay(Protocol):
    def run_once(self) -> int:
        """Publish one batch of unpublished events in order; returns how many were published."""

    def drain(self, max_batches: int = 1000) -> int:
        """Publish until nothing is left (or max_batches); returns how many were published."""

    def run_forever(
        self, stop: threading.Event, *, idle_seconds: float = 0.5, max_backoff: float = 30.0
    ) -> None:
        """Publish until `stop` is set: at once while there is a backlog, else every idle_seconds."""

    def backlog(self) -> Backlog: ...
