"""Batch ingest (TransactionService.record_batch and POST /pools/{id}/transactions/batch) on
SQLite and MariaDB: a batch leaves exactly the books the same rows posted one by one leave,
a batch with bad rows reports every one and writes nothing, one Idempotency-Key covers the
batch, and only the pool's managers may post one."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.errors import NotFound
from ledger.batch import BulkJournalWriter
from ledger.batch.storage import _PoolStream
from ledger.interface import (
    BatchRejected,
    CapitalCallRequest,
    IdempotencyKeyReused,
    LedgerEvent,
    TransactionRequest,
    ValuationRequest,
)
from tests.integration.pools_support import (
    OPEN_NAV_FEE,
    Api,
    World,
    closed_pool,
    make_world,
    open_pool,
    problem_fields,
)

pytestmark = pytest.mark.over_grpc("transactions")

D = Decimal


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _open_pool(world: World) -> int:
    body = open_pool(minimum_subscription="0.00", management_fee=OPEN_NAV_FEE)
    return world.container.pools.create_pool(world.manager, body).id


def _post_singly(world: World, pool: int, rows: list[dict[str, Any]]) -> None:
    t, m = world.container.transactions, world.manager
    for row in rows:
        if row["type"] == "valuation":
            t.record_valuation(
                m,
                pool,
                ValuationRequest(
                    as_of=date.fromisoformat(row["effective_date"]), net_asset_value=row["amount"]
                ),
                key(),
            )
        else:
            t.record(m, pool, TransactionRequest.model_validate(row), key())


def _books(world: World, pool: int) -> tuple[dict[str, Decimal], list[tuple[str, str, dict[str, Any]]]]:
    ledger = world.container.ledger
    entries = ledger.list_entries(pool, limit=500).entries
    return ledger.balances(pool), [(e.entry_type.value, str(e.effective_date), e.details) for e in entries]


def _open_rows(a: int, b: int) -> list[dict[str, Any]]:
    return [
        {"type": "subscription", "investor_id": a, "amount": "1000.00", "effective_date": "2025-01-02"},
        {"type": "subscription", "investor_id": b, "amount": "333.33", "effective_date": "2025-01-02"},
        {"type": "purchase", "amount": "1200.00", "effective_date": "2025-01-03"},
        {"type": "valuation", "amount": "1401.17", "effective_date": "2025-03-31"},
        {"type": "valuation", "amount": "1401.17", "effective_date": "2025-04-01"},  # a day's fee
        {"type": "subscription", "investor_id": b, "amount": "100.00", "effective_date": "2025-04-01"},
        {"type": "income", "amount": "10.01", "effective_date": "2025-04-02"},
        {"type": "expense", "amount": "5.03", "effective_date": "2025-04-03"},
        {"type": "valuation", "amount": "1520.00", "effective_date": "2025-04-03"},  # the day's price
        {"type": "redemption", "investor_id": a, "units": "123.456789", "effective_date": "2025-04-03"},
        {"type": "management_fee", "effective_date": "2025-04-30"},  # from the terms: 1.5% of NAV
        {"type": "sale", "amount": "300.00", "cost": "250.00", "effective_date": "2025-05-01"},
        {"type": "valuation", "amount": "1600.00", "effective_date": "2025-06-30"},
        {"type": "performance_fee", "effective_date": "2025-06-30"},
        {"type": "valuation", "amount": "1570.00", "effective_date": "2025-07-01"},
        {"type": "redemption", "investor_id": b, "amount": "50.00", "effective_date": "2025-07-01"},
        {"type": "fee_payment", "amount": "2.00", "effective_date": "2025-07-02"},
    ]


def test_batch_leaves_the_books_posting_singly_leaves(world: World) -> None:
    c = world.container
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo")
    single, batched = _open_pool(world), _open_pool(world)
    rows = _open_rows(a, b)
    events: list[LedgerEvent] = []
    c.ledger_bus.subscribe(events.append)

    _post_singly(world, single, rows)
    result = c.transactions.record_batch(world.manager, batched, rows, key())

    single_balances, single_entries = _books(world, single)
    batch_balances, batch_entries = _books(world, batched)
    assert batch_balances == single_balances
    assert batch_entries == single_entries
    assert len(single_entries) == len(rows)  # the unchanged valuation is kept: it accrues the fee
    assert result.entries == len(rows) and result.entry_ids[4] is not None
    # the same NAV recorded the next day: up by the fee the mark before accrued, and a day's fee
    marked, before = single_entries[4][2], single_entries[3][2]
    assert single_entries[4][0] == "valuation" and marked["change"] == before["management_fee"]["amount"]
    assert marked["management_fee"]["days"] == 1
    assert result.postings == sum(len(e.postings) for e in c.ledger.list_entries(batched, limit=500).entries)
    assert result.last_seq == len(rows) and result.ledger_version == len(rows)
    assert c.ledger.verify(single).ok and c.ledger.verify(batched).ok

    # The same events, in the same order, naming the same investors.
    def stream(pool: int) -> list[tuple[str, Any]]:
        out = []
        for event in events:
            if event.pool_id != pool:
                continue
            body = event.payload
            if event.event_type == "entry.committed":
                body = {"seq": body["seq"], "type": body["entry_type"], "investors": body["investor_ids"]}
            out.append((event.event_type, body))
        return out

    assert stream(batched) == stream(single) and len(stream(single)) > len(rows)
    positions = c.transactions.pool_positions(world.manager, batched)
    assert positions.net_asset_value == c.transactions.pool_positions(world.manager, single).net_asset_value


def test_closed_ended_batch_follows_the_waterfall_state(world: World) -> None:
    c, m = world.container, world.manager
    lp = world.investor_profile(world.investor)
    pools = []
    for _ in range(2):
        pool = c.pools.create_pool(m, closed_pool(base_currency="USD")).id
        world.commit(pool, lp, "50.00")
        c.transactions.capital_call(
            m,
            pool,
            CapitalCallRequest(amount=D(50), due_date=date(2025, 1, 15), effective_date=date(2025, 1, 1)),
            key(),
        )
        pools.append(pool)
    rows: list[dict[str, Any]] = [
        {"type": "contribution", "investor_id": lp, "amount": "50.00", "effective_date": "2025-01-01"},
        {"type": "purchase", "amount": "50.00", "effective_date": "2025-01-01"},
        {"type": "valuation", "amount": "100.00", "effective_date": "2025-12-31"},
        {"type": "sale", "amount": "100.00", "cost": "100.00", "effective_date": "2026-01-01"},
        {"type": "distribution", "amount": "60.00", "effective_date": "2026-01-01"},
        {"type": "distribution", "amount": "40.00", "effective_date": "2026-01-01"},
    ]
    _post_singly(world, pools[0], rows)
    c.transactions.record_batch(m, pools[1], rows, key())
    assert _books(world, pools[1]) == _books(world, pools[0])
    first, last = c.ledger.list_entries(pools[1], limit=500).entries[-2:]
    # The second distribution saw the first one's tiers: together they are the reference
    # case's single 100 (LP 90, GP 10), not two fresh waterfalls.
    gp_paid = D(first.details["gp_total"]) + D(last.details["gp_total"])
    lp_paid = D(first.details["lp_total"]) + D(last.details["lp_total"])
    assert (gp_paid, lp_paid) == (D("10.00"), D("90.00"))
    assert first.details["tiers"]["return_of_capital"]["lp"] == "50.00"
    assert c.ledger.verify(pools[1]).ok


def test_batch_with_bad_rows_reports_every_row_and_writes_nothing(world: World) -> None:
    c, m = world.container, world.manager
    a = world.investor_profile(world.investor)
    pending = world.investor_profile(world.other_investor, approved=False, name="Bo")
    pool = _open_pool(world)
    rows: list[Any] = [
        {"type": "subscription", "investor_id": a, "amount": "100.00", "effective_date": "2025-01-02"},
        {"type": "purchase", "amount": "50.00", "effective_date": "2025-01-02"},
        {"type": "subscription", "investor_id": a, "amount": "10.001", "effective_date": "2025-01-02"},
        {"type": "income", "amount": "1.00", "effective_date": "2025-01-03"},
        {"type": "subscription", "investor_id": pending, "amount": "5.00", "effective_date": "2025-01-03"},
        {"type": "valuation", "amount": "101.00", "effective_date": "2025-01-04"},
        {"type": "redemption", "investor_id": a, "units": "100.000001", "effective_date": "2025-01-04"},
        {"type": "expense", "amount": "60.00", "effective_date": "2025-01-04"},  # cash 50 + 1 left
        {"type": "swap", "amount": "1.00", "effective_date": "2025-01-04"},
        "not a row",
        {"type": "income", "amount": "1.00", "effective_date": "2024-12-31"},
    ]
    with pytest.raises(BatchRejected) as error:
        c.transactions.record_batch(m, pool, rows, key())
    found = [(e.row, e.field) for e in error.value.errors]
    assert found == [
        (2, "amount"),
        (4, "investor_id"),
        (6, "units"),
        (7, "cash"),
        (8, "type"),
        (9, "row"),
        (10, "effective_date"),
    ]
    assert "100.000001" in error.value.errors[2].reason
    assert not c.ledger.has_entries(pool) and c.ledger.ledger_version(pool) == 0
    # The good rows alone go in.
    good = [rows[0], rows[1], rows[3]]
    assert c.transactions.record_batch(m, pool, good, key()).entries == 3


def test_batch_is_idempotent_under_one_key(world: World) -> None:
    c, m = world.container, world.manager
    a = world.investor_profile(world.investor)
    pool = _open_pool(world)
    rows = _open_rows(a, a)[:4]
    batch_key = key()
    first = c.transactions.record_batch(m, pool, rows, batch_key)
    again = c.transactions.record_batch(m, pool, rows, batch_key)
    assert again == first and c.ledger.ledger_version(pool) == first.entries == 4
    with pytest.raises(IdempotencyKeyReused):
        c.transactions.record_batch(m, pool, rows[:3], batch_key)
    assert c.ledger.ledger_version(pool) == 4


def test_only_the_pools_managers_post_a_batch(world: World) -> None:
    c = world.container
    a = world.investor_profile(world.investor)
    pool = _open_pool(world)
    rows = _open_rows(a, a)[:2]
    with pytest.raises(NotFound):
        c.transactions.record_batch(world.other_manager, pool, rows, key())
    with pytest.raises(NotFound):
        c.transactions.record_batch(world.manager, 999_999, rows, key())
    assert not c.ledger.has_entries(pool)
    assert c.transactions.record_batch(world.admin, pool, rows, key()).entries == 2


def test_batch_api(world: World) -> None:
    api = Api(world)
    a = world.investor_profile(world.investor)
    pool = _open_pool(world)
    path = f"/api/v1/pools/{pool}/transactions/batch"
    rows = _open_rows(a, a)[:3]
    headers = {**api.headers("manager"), "Idempotency-Key": "batch-1"}
    created = api.client.post(path, json={"transactions": rows}, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["entries"] == 3 and len(body["entry_ids"]) == 3
    replay = api.client.post(path, json={"transactions": rows}, headers=headers)
    assert replay.status_code == 201 and replay.get_json() == body

    # the same rows again, later (the books run in date order), with two bad ones after them
    again = [{**row, "effective_date": "2025-01-10"} for row in rows]
    again.insert(0, {"type": "valuation", "amount": "1333.33", "effective_date": "2025-01-10"})
    again = again[:3]  # valuation, the two deals at its price
    bad = [*again, {"type": "income", "amount": 1.5, "effective_date": "2025-02-01"}, {"type": "income"}]
    refused = api.client.post(
        path, json={"transactions": bad}, headers={**headers, "Idempotency-Key": "batch-2"}
    )
    assert refused.status_code == 422
    problem = refused.get_json()
    assert refused.mimetype == "application/problem+json"
    assert [(e["row"], e["field"]) for e in problem["errors"]] == [(3, "amount"), (4, "effective_date")]
    assert world.container.ledger.ledger_version(pool) == 3

    other = api.client.post(
        path,
        json={"transactions": rows},
        headers={**api.headers("other_manager"), "Idempotency-Key": "batch-3"},
    )
    assert other.status_code == 404
    no_key = api.call("POST", "manager", path.removeprefix("/api/v1"), {"transactions": rows})
    assert no_key.status_code == 422 and problem_fields(no_key) == ["Idempotency-Key"]
    too_many = api.client.post(
        path,
        json={"transactions": [rows[0]] * 10_001},
        headers={**headers, "Idempotency-Key": "batch-4"},
    )
    assert too_many.status_code == 422 and problem_fields(too_many) == ["transactions"]


# -- chunked writes: stored while the later rows are still being planned --------------------


@pytest.fixture
def one_entry_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every entry its own chunk: on MariaDB each one is stored by the writing thread while
    the next row is planned (ledger.batch.pipeline.InOrder)."""
    monkeypatch.setattr(BulkJournalWriter, "CHUNK_POSTINGS", 1)


@pytest.mark.usefixtures("one_entry_chunks")
def test_chunked_batch_leaves_the_books_posting_singly_leaves(world: World) -> None:
    c = world.container
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo")
    single, batched = _open_pool(world), _open_pool(world)
    rows = _open_rows(a, b)
    _post_singly(world, single, rows)
    stored: list[int] = []
    store = _PoolStream.store

    def counting(self: _PoolStream, chunk: Any) -> list[int | None]:
        stored.append(len(chunk.entries))
        return store(self, chunk)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_PoolStream, "store", counting)
        result = c.transactions.record_batch(world.manager, batched, rows, key())
    assert sum(stored) == len(rows) and len(stored) == len(rows)  # a chunk per entry with lines
    assert _books(world, batched) == _books(world, single)
    assert result.entry_ids[4] is not None and result.entries == len(rows)
    written = [entry_id for entry_id in result.entry_ids if entry_id is not None]
    assert written == sorted(written)  # row order is journal order
    assert c.ledger.verify(batched).ok


@pytest.mark.usefixtures("one_entry_chunks")
def test_chunked_batch_with_a_bad_last_row_leaves_no_trace(world: World) -> None:
    """Earlier chunks were stored (new investors' accounts too) before the last row failed:
    the rollback takes all of it, and the next batch finds the books untouched."""
    c, m = world.container, world.manager
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo")
    pool = _open_pool(world)
    rows = [
        *_open_rows(a, b)[:4],
        {"type": "redemption", "investor_id": a, "units": "99999", "effective_date": "2025-03-31"},
    ]
    with pytest.raises(BatchRejected) as error:
        c.transactions.record_batch(m, pool, rows, key())
    assert [(e.row, e.field) for e in error.value.errors] == [(4, "units")]
    assert not c.ledger.has_entries(pool) and c.ledger.ledger_version(pool) == 0
    assert c.ledger.balances(pool) == {} or set(c.ledger.balances(pool).values()) == {D(0)}
    assert c.transactions.record_batch(m, pool, rows[:4], key()).entries == 4
    assert c.ledger.verify(pool).ok


@pytest.mark.usefixtures("one_entry_chunks")
def test_a_failed_store_mid_batch_writes_nothing_and_stops_the_writer(world: World, transport: str) -> None:
    c, m = world.container, world.manager
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo")
    pool = _open_pool(world)
    calls: list[int] = []
    store = _PoolStream.store

    def failing(self: _PoolStream, chunk: Any) -> list[int | None]:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the server went away")
        return store(self, chunk)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_PoolStream, "store", failing)
        # Across gRPC a failure of the service's own is RemoteFailure (a RuntimeError), its text kept there.
        failure = "went away" if transport == "in-process" else "transactions service failed on record_batch"
        with pytest.raises(RuntimeError, match=failure):
            c.transactions.record_batch(m, pool, _open_rows(a, b), key())
    assert len(calls) == 3  # nothing was stored after the failure
    assert not any(t.name.startswith("ledger-batch") for t in threading.enumerate())
    assert not c.ledger.has_entries(pool) and c.ledger.ledger_version(pool) == 0
    # The key was released with the rollback: the same rows go in under a new one.
    assert c.transactions.record_batch(m, pool, _open_rows(a, b), key()).entries == len(_open_rows(a, b))
