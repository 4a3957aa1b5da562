"""What one entry costs the database, through the API as a client posts it: the SQL statements
sent (every round trip's worth: reads, writes, savepoints) and the commits, for a
subscription, a redemption, a capital call and a valuation, on SQLite and MariaDB.

Each budget is today's count. A change that adds a statement fails here and has to say why
(and raise the budget in the same commit); a change that removes some lowers it. The entry's
events are relayed by their own process, as in production (a broker is configured), so
what the consumers do afterwards is not the entry's cost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

from backend.composition.container import Container
from tests.conftest import AMQP_URL
from tests.integration.pools_support import Api, World, closed_pool, make_world, open_pool

BUDGET = {
    # backend: {operation: (statements, commits)}. SQLite adds a no-op write that takes its
    # single writer lock up front (backend.platform.unit_of_work.take_sqlite_writer_lock).
    "mariadb": {
        "subscription": (17, 2),
        "redemption": (18, 2),
        "capital_call": (20, 2),
        "valuation": (14, 2),
    },
    "sqlite": {
        "subscription": (18, 2),
        "redemption": (19, 2),
        "capital_call": (21, 2),
        "valuation": (15, 2),
    },
}
"""Before this test: 31, 31, 29 and 27 statements on MariaDB (the pool's managers read three
times, the latest standing entry three times, the chain head locked twice, the idempotency
key read before it was inserted in a savepoint of its own). Then 22, 23, 23 and 19, until the
latest standing entry's two index reads became one statement, and the deal dates rode on the
read of the last NAV change. Then 20, 21, 22 and 17, until an entry's accounts and their
balances were read and locked in one statement; the journal's rows then went out as Core
statements (on SQLite the unit of work had sent an entry's events one INSERT each), and the
pool was read with its managers in one statement. Then 18, 19, 20 and 15, until a deal's
(and an open-ended pool's mark's) dealing facts brought the latest standing entry in their
own first statement (ledger.dealing_facts). tests/integration/test_write_statement_budget.py
counts the same requests at the engines of a database that really commits."""


@dataclass
class Count:
    statements: list[str] = field(default_factory=list)
    commits: int = 0

    @property
    def data_statements(self) -> int:
        return len(self.statements)


_NOT_THE_ENTRYS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO", "SELECT GET_LOCK", "SELECT IS_USED_LOCK")
"""Left out: the test fixture's savepoints (below), and the idempotency claims' owner lock
(ledger.claim_owners), taken once per process and checked at most once a second on a
connection of its own: whichever request comes a second after the last check pays it, so
counting it made the budget depend on the machine's speed (a slow moment between the two
requests made a subscription 18 statements)."""


@contextmanager
def counting() -> Iterator[Count]:
    """Every statement any engine sends and every commit. The test fixture's own savepoints
    (one per unit of work: in production it commits instead, counted as a commit) are left
    out; a savepoint the code asks for counts as the two statements it costs."""
    count = Count()

    def sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(_NOT_THE_ENTRYS):
            count.statements.append(" ".join(statement.split()[:6]))

    def nested(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:  # a savepoint the code asks for: SAVEPOINT and RELEASE
            count.statements += ["SAVEPOINT (the code's own)", "RELEASE SAVEPOINT (the code's own)"]

    def committed(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint the code itself asked for (begin_nested) is not a commit
        count.commits += 1

    event.listen(Engine, "before_cursor_execute", sent)
    event.listen(Session, "after_commit", committed)
    event.listen(Session, "after_transaction_create", nested)
    try:
        yield count
    finally:
        event.remove(Engine, "before_cursor_execute", sent)
        event.remove(Session, "after_commit", committed)
        event.remove(Session, "after_transaction_create", nested)


@pytest.fixture
def world(container: Container) -> World:
    # The entry's events go to the broker through the relay's own process, as in production.
    settings = container.settings.model_copy(update={"celery_broker_url": AMQP_URL})
    return make_world(Container(settings, db=container.db, cache=container.cache))


def _post(api: Api, path: str, body: dict[str, Any]) -> Any:
    headers = {**api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    answer = api.client.post(f"/api/v1{path}", headers=headers, json=body)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer


def _open(world: World, api: Api) -> tuple[int, Callable[[dict[str, Any]], Any]]:
    body = open_pool(minimum_subscription="0.00").model_dump(mode="json")
    pool = world.container.pools.create_pool(world.manager, open_pool(**body)).id
    investor = world.investor_profile(world.investor)

    def deal(extra: dict[str, Any]) -> Any:
        return _post(api, f"/pools/{pool}/transactions", {"investor_id": investor} | extra)

    deal({"type": "subscription", "amount": "50000.00", "effective_date": "2025-01-02"})
    _post(api, f"/pools/{pool}/valuations", {"as_of": "2025-01-31", "net_asset_value": "51000.00"})
    return pool, deal


def _measure(operation: str, backend_name: str, work: Callable[[], Any]) -> None:
    work()  # the first call of a kind compiles and caches its statements: count the second
    with counting() as count:
        work()
    statements, commits = BUDGET[backend_name][operation]
    said = f"{operation} on {backend_name}: {count.data_statements} statements, {count.commits} commits"
    assert count.data_statements <= statements and count.commits <= commits, f"{said}: {count.statements}"
    # So a saving is kept: the budget comes down with the count.
    assert (count.data_statements, count.commits) == (statements, commits), f"{said}: lower BUDGET"


def test_a_subscription_and_a_redemption(world: World, backend_name: str) -> None:
    api = Api(world)
    _, deal = _open(world, api)
    _measure(
        "subscription",
        backend_name,
        lambda: deal({"type": "subscription", "amount": "1000.00", "effective_date": "2025-01-31"}),
    )
    _measure(
        "redemption",
        backend_name,
        lambda: deal({"type": "redemption", "units": "10.000000", "effective_date": "2025-01-31"}),
    )


def test_a_capital_call(world: World, backend_name: str) -> None:
    api = Api(world)
    pool = world.container.pools.create_pool(world.manager, closed_pool()).id
    for name in ("A", "B", "C"):
        world.commit(pool, world.named_investor(name))
    call = {"amount": "30000.00", "due_date": "2025-03-31", "effective_date": "2025-02-01"}
    _measure("capital_call", backend_name, lambda: _post(api, f"/pools/{pool}/capital-calls", call))


def test_a_valuation(world: World, backend_name: str) -> None:
    api = Api(world)
    pool, _ = _open(world, api)
    days = iter(("2025-02-28", "2025-03-31"))
    _measure(
        "valuation",
        backend_name,
        lambda: _post(api, f"/pools/{pool}/valuations", {"as_of": next(days), "net_asset_value": "51500.00"}),
    )


def test_the_first_capital_call_opens_every_investors_accounts_in_one_insert_per_table(
    world: World, backend_name: str
) -> None:
    """Ten investors' first call opens their call receivables and capital accounts together
    (it was two INSERTs and a savepoint per account, one by one: 60 statements more here),
    and moves their balances in one statement (it was an UPDATE per balance)."""
    api = Api(world)
    pool = world.container.pools.create_pool(world.manager, closed_pool()).id
    for n in range(10):
        world.commit(pool, world.named_investor(f"Investor {n}"))
    call = {"amount": "30000.00", "due_date": "2025-03-31", "effective_date": "2025-02-01"}
    with counting() as count:
        answer = _post(api, f"/pools/{pool}/capital-calls", call)
    opened = [s for s in count.statements if s.startswith("INSERT INTO ledger_accounts")]
    balances = [s for s in count.statements if "ledger_balances" in s and not s.startswith("SELECT")]
    # SQLite returns the new ids of a multi-row INSERT in no promised order, so SQLAlchemy
    # inserts its accounts one at a time there; MariaDB's INSERT ... RETURNING takes all 20.
    assert len(opened) == (1 if backend_name == "mariadb" else 20), count.statements
    # One INSERT opens the zero balances, one upsert moves all twenty (JournalEngine._move_balances).
    assert len(balances) == 2, balances
    investors = {p["investor_id"] for p in answer.get_json()["postings"] if p["investor_id"] is not None}
    assert len(investors) == 10
    books = world.container.transactions.pool_positions(world.manager, pool)
    assert books.net_asset_value >= 0
