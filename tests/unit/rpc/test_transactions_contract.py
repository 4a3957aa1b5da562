"""The transaction service's contract and the previews beside it: an entry's workings cross as
the JSON the ledger stores, a journal line keeps its None investor and its amount's exponent, a
batch's rows reach the service as the JSON objects it checks row by row (a model's JSON is the
same row), and the previews are reached, and named when down, as the transaction service."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from backend.composition.rpc_commands import SERVICES
from backend.platform.rpc import codec
from backend.protos.investment_pools.previews.v1 import previews_pb2
from backend.protos.investment_pools.transactions.v1 import transactions_pb2
from ledger.interface import (
    BatchRow,
    EntryOut,
    EntryType,
    JournalEntryLines,
    JournalFilter,
    JournalLinesPage,
    TransactionRequest,
)
from ledger.rpc import PREVIEWS, TRANSACTIONS, PreviewServiceClient


def _answer(method_name: str, value: Any) -> Any:
    """`value` as the service answers it and the client reads it back."""
    method = TRANSACTIONS.methods[method_name]
    assert method.result is not None and method.result_adapter is not None
    response = getattr(transactions_pb2, method.response)()
    dumped = method.result_adapter.dump_python(value, mode="json", exclude_unset=True)
    codec.put(response, "result", method.result, dumped)
    wire = getattr(transactions_pb2, method.response).FromString(response.SerializeToString())
    return method.result_adapter.validate_python(codec.get(wire, "result", method.result))


def _arguments(method_name: str, **arguments: Any) -> dict[str, Any]:
    """`arguments` as the client sends them and the service reads them back."""
    method = TRANSACTIONS.methods[method_name]
    request = getattr(transactions_pb2, method.request)()
    for parameter in method.parameters:
        if parameter.name in arguments:
            dumped = parameter.adapter.dump_python(arguments[parameter.name], mode="json", exclude_unset=True)
            codec.put(request, parameter.name, parameter.node, dumped)
    wire = getattr(transactions_pb2, method.request).FromString(request.SerializeToString())
    return {p.name: p.adapter.validate_python(codec.get(wire, p.name, p.node)) for p in method.parameters}


def test_an_entrys_workings_cross_as_the_json_the_ledger_stores() -> None:
    workings: dict[str, Any] = {
        "allocation": {7: "10.00", 8: "30.00"},  # a fresh rule's int keys: stored as text
        "tiers": [{"tier": "catch_up", "amount": "1.50"}],
        "nav_per_unit": "1.050000",
        "final_realisation": True,
        "note": None,
    }
    entry = EntryOut(
        id=1,
        pool_id=2,
        seq=3,
        entry_type=EntryType.DISTRIBUTION,
        effective_date=date(2025, 6, 30),
        memo="",
        created_by="manager:7",
        created_by_user_id=7,
        created_at=datetime(2025, 6, 30, 12, tzinfo=UTC),
        reverses_entry_id=None,
        prev_hash="a" * 64,
        hash="b" * 64,
        postings=[],
        details=workings,
    )
    back = _answer("record", entry)
    assert back.details == json.loads(json.dumps(workings))
    assert back.model_dump(exclude={"details"}) == entry.model_dump(exclude={"details"})


def test_a_journal_line_keeps_its_none_investor_and_its_amounts_exponent() -> None:
    line = JournalEntryLines(
        id=11,
        seq=4,
        entry_type="valuation",
        effective_date=date(2025, 3, 31),
        memo="Q1",
        reverses_entry_id=None,
        created_by="manager:7",
        created_at=datetime(2025, 3, 31, 9, tzinfo=UTC),
        hash="c" * 64,
        lines=(("cash", None, "EUR", Decimal("0.00")), ("units", 7, "units", Decimal("-12.500000"))),
        nav_per_unit="1.234567",
    )
    page = JournalLinesPage([line], next_cursor="abc")
    back = _answer("journal_page", page)
    assert back == page
    assert [str(amount) for *_, amount in back.entries[0].lines] == ["0.00", "-12.500000"]
    assert _arguments("journal_page", where=JournalFilter(investor_id=7, lines_of=7))[
        "where"
    ] == JournalFilter(investor_id=7, lines_of=7)


def test_a_batchs_rows_arrive_as_the_json_objects_the_service_checks() -> None:
    request = TransactionRequest.model_validate(
        {"type": "subscription", "investor_id": 3, "amount": "100.50", "effective_date": "2025-01-02"}
    )
    raw = {
        "type": "valuation",
        "amount": 1821.5,
        "effective_date": date(2025, 1, 31),
    }  # a float: refused later
    arrived = _arguments("record_batch", pool_id=1, requests=[request, raw], idempotency_key=None)["requests"]
    assert arrived == [
        {"type": "subscription", "investor_id": 3, "amount": "100.50", "effective_date": "2025-01-02"},
        {"type": "valuation", "amount": 1821.5, "effective_date": "2025-01-31"},
    ]
    # A model's JSON is the same row, checked the same way as in process.
    assert BatchRow.model_validate(arrived[0]) == BatchRow.model_validate(request.model_dump())


def test_the_previews_are_served_and_named_as_the_transaction_service() -> None:
    served = SERVICES["transactions"]
    assert [part.contract for part in served.contracts] == [TRANSACTIONS, PREVIEWS]
    assert PREVIEWS.package == "investment_pools.previews.v1"
    assert previews_pb2.DESCRIPTOR.services_by_name["PreviewService"]
    assert PreviewServiceClient.served_by == "transactions"
    for name, owner in SERVICES.items():  # every contract served beside another names its process
        assert all(part.client.served_by == name for part in owner.beside)
    # A preview writes nothing: every one is a read (retried when the service blinks).
    assert all(method.read for method in PREVIEWS.methods.values())
    assert not any(TRANSACTIONS.methods[m].read for m in ("record", "record_batch", "reverse"))
