"""The transaction service over gRPC, with the previews beside it: two contracts
(TransactionService and PreviewService in ledger/interface.py, as
investment_pools.transactions.v1 and investment_pools.previews.v1) served by one process
(`app.py rpc serve transactions`), and a client implementing each Protocol.

The previews run in the transaction service's process because they are its dry runs: the same
checks (writable_pool, side_letters), the same rules over the same books. A separate
deployment would add a second thing that must be up before a manager can post (the portal
previews every write), and nothing it could do alone.

Writes carry their Idempotency-Key as a parameter and are sent once: a caller that retries
after an unanswered call sends the same key, and the ledger replays the first result instead
of posting twice. `journal_lines` (an export's whole journal) is a server stream, authorised
when the call is made and read a page at a time as the caller consumes it. A batch's rows
cross as their JSON text and are checked by the service one by one, as in process. The ledger
service itself (LedgerService) is not served: its writes run the caller's posting rule as a
callable inside the ledger's transaction, with the Session, which no call over gRPC carries."""

from __future__ import annotations

from types import ModuleType
from typing import ClassVar

from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.protos.investment_pools.previews.v1 import previews_pb2
from backend.protos.investment_pools.transactions.v1 import transactions_pb2
from ledger.interface import PreviewService, TransactionService

TRANSACTIONS = ServiceContract(
    "transactions",
    TransactionService,
    reads=frozenset(
        {
            "list_transactions",
            "journal_lines",
            "journal_page",
            "pool_positions",
            "investments",
            "holdings",
            "position",
        }
    ),
)

PREVIEWS = ServiceContract(
    "previews",
    PreviewService,
    # A preview writes nothing: every one is a read.
    reads=frozenset(
        {
            "transaction",
            "capital_call",
            "distribution",
            "subsequent_close",
            "clawback",
            "valuation",
            "reversal",
        }
    ),
)


class TransactionServiceClient(RpcClient):
    contract = TRANSACTIONS
    messages: ClassVar[ModuleType] = transactions_pb2

    record = remote(TransactionService.record)
    record_batch = remote(TransactionService.record_batch)
    capital_call = remote(TransactionService.capital_call)
    distribute = remote(TransactionService.distribute)
    subsequent_close = remote(TransactionService.subsequent_close)
    clawback = remote(TransactionService.clawback)
    record_valuation = remote(TransactionService.record_valuation)
    reverse = remote(TransactionService.reverse)
    list_transactions = remote(TransactionService.list_transactions)
    journal_lines = remote(TransactionService.journal_lines)
    journal_page = remote(TransactionService.journal_page)
    pool_positions = remote(TransactionService.pool_positions)
    investments = remote(TransactionService.investments)
    holdings = remote(TransactionService.holdings)
    position = remote(TransactionService.position)


class PreviewServiceClient(RpcClient):
    contract = PREVIEWS
    messages: ClassVar[ModuleType] = previews_pb2
    served_by = "transactions"

    transaction = remote(PreviewService.transaction)
    capital_call = remote(PreviewService.capital_call)
    distribution = remote(PreviewService.distribution)
    subsequent_close = remote(PreviewService.subsequent_close)
    clawback = remote(PreviewService.clawback)
    valuation = remote(PreviewService.valuation)
    reversal = remote(PreviewService.reversal)
