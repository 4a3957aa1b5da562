"""The ledger service's schema surface: what goes into the journal and what comes out of it.

Sign convention: a posting's amount is signed, debit positive, credit negative. Assets
(cash, investments, an investor's units held) therefore carry positive balances, and
capital, liabilities and the unit register's contra account (units_outstanding) negative
ones. Every entry sums to exactly zero per commodity.

ledger.interface re-exports these types as the service's contract; importers name this
package, not its modules. Each word is defined once, in the module of the words it is built
from (BatchTransactionType from TransactionType, BatchRow from the fields a
TransactionRequest carries). Bottom to top:

- ``accounts``: the account codes, a posting line, an account's key and reference, the
  commodities and the scale their amounts are kept and shown at;
- ``entries``: entry and event types, an entry and its postings as read, a page of entries,
  an account's balance, the hash chain's verification report;
- ``transactions``: what a manager records (a TransactionRequest, and the capital call,
  subsequent close, distribution, clawback, valuation and reversal requests);
- ``positions``: what the books show (investor positions, share classes, portfolio
  investments, the pool's positions, the NAV a valuation struck);
- ``batches``: batch ingest (the row limit, an imported sheet's columns, a batch row, the
  request, a row's error, what a batch wrote);
- ``previews``: the entry a request would post now;
- ``limits``: the paging and idempotency-key limits, and the key's check.
"""

from __future__ import annotations

from ledger.schemas.accounts import (
    AMOUNT_SCALE,
    UNITS_COMMODITY,
    AccountCode,
    AccountRef,
    PostingLine,
    account_key,
    commodity_places,
    present,
)
from ledger.schemas.batches import (
    BATCH_MAX_ROWS,
    IMPORT_COLUMNS,
    BatchRequest,
    BatchResult,
    BatchRow,
    BatchRowInput,
    BatchTransactionType,
    RowError,
)
from ledger.schemas.entries import (
    AccountBalance,
    EntryOut,
    EntryPage,
    EntryType,
    EventIn,
    EventType,
    PostingOut,
    VerifyBreak,
    VerifyReport,
)
from ledger.schemas.limits import (
    DEFAULT_PAGE,
    IDEMPOTENCY_KEY_FIELD,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_PAGE,
    check_key,
)
from ledger.schemas.positions import (
    InvestmentOut,
    PoolPositions,
    PositionOut,
    ShareClassOut,
    ValuationOut,
)
from ledger.schemas.previews import (
    Preview,
    PreviewLine,
)
from ledger.schemas.transactions import (
    CapitalCallRequest,
    ClawbackRequest,
    DistributionMode,
    DistributionRequest,
    ReversalRequest,
    SubsequentCloseRequest,
    TransactionRequest,
    TransactionType,
    ValuationRequest,
)

__all__ = [
    "AMOUNT_SCALE",
    "BATCH_MAX_ROWS",
    "DEFAULT_PAGE",
    "IDEMPOTENCY_KEY_FIELD",
    "IMPORT_COLUMNS",
    "MAX_IDEMPOTENCY_KEY_LENGTH",
    "MAX_PAGE",
    "UNITS_COMMODITY",
    "AccountBalance",
    "AccountCode",
    "AccountRef",
    "BatchRequest",
    "BatchResult",
    "BatchRow",
    "BatchRowInput",
    "BatchTransactionType",
    "CapitalCallRequest",
    "ClawbackRequest",
    "DistributionMode",
    "DistributionRequest",
    "EntryOut",
    "EntryPage",
    "EntryType",
    "EventIn",
    "EventType",
    "InvestmentOut",
    "PoolPositions",
    "PositionOut",
    "PostingLine",
    "PostingOut",
    "Preview",
    "PreviewLine",
    "ReversalRequest",
    "RowError",
    "ShareClassOut",
    "SubsequentCloseRequest",
    "TransactionRequest",
    "TransactionType",
    "ValuationOut",
    "ValuationRequest",
    "VerifyBreak",
    "VerifyReport",
    "account_key",
    "check_key",
    "commodity_places",
    "present",
]
