"""The write path's budget, counted at the driver on a database that really commits: the SQL
statements and the commits and rollbacks of ONE subscription, redemption, capital call and
valuation, posted through the API as a client posts them (a bearer token from
/api/v1/auth/token, an Idempotency-Key), on MariaDB and on SQLite.

tests/integration/test_write_path_statements.py counts the same requests inside the suite's
rolled-back outer transaction, where a commit is a savepoint release seen by the Session.
Here each backend gets a database of its own and a container over its real engines, so a
commit is the engine's own COMMIT, a rollback its own ROLLBACK, and the request's
authentication (the session row and the user behind the token) is counted too: the whole
request, as gunicorn runs it. Each budget is the count reached; a change that adds a
statement, a commit or a rollback fails here and has to say why in the same commit (and a
change that removes one lowers the budget, so the saving is kept).

The entry's events are relayed by their own process, as in production (a broker is
configured), so what the consumers do afterwards is not the entry's cost.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

from backend.composition.container import Container
from backend.platform.config import load_settings
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, mariadb_database_url
from tests.integration.auth_support import use_cheap_argon2
from tests.integration.pools_support import Api, World, closed_pool, make_world, open_pool


class Budget(NamedTuple):
    statements: int
    commits: int
    rollbacks: int


BUDGET: dict[str, dict[str, Budget]] = {
    # The whole request: 2 authentication reads (the token's session, its user), the pool
    # with its managers, the investor's KYC (deals only), the key's claim (its own commit),
    # then one transaction: the audit row, the chain head locked, the rule's reads, the
    # entry, its postings, balances, chain head, outbox event, workings and the key's
    # completion.
    "mariadb": {
        "subscription": Budget(statements=17, commits=2, rollbacks=0),
        "redemption": Budget(statements=18, commits=2, rollbacks=0),
        "capital_call": Budget(statements=20, commits=2, rollbacks=0),
        "valuation": Budget(statements=14, commits=2, rollbacks=0),
    },
    # SQLite reads through the writer's sessions (no autocommit reads: its transactions are
    # snapshots), so each read session costs its BEGIN and ends with a ROLLBACK, and each
    # write takes the single writer lock up front with a no-op write
    # (backend.platform.unit_of_work.take_sqlite_writer_lock).
    "sqlite": {
        "subscription": Budget(statements=24, commits=2, rollbacks=4),
        "redemption": Budget(statements=25, commits=2, rollbacks=4),
        "capital_call": Budget(statements=27, commits=2, rollbacks=4),
        "valuation": Budget(statements=20, commits=2, rollbacks=3),
    },
}

REPLAY_BUDGET = {
    # The same reads before the key (authentication, the pool, the KYC check), then the claim
    # that finds the key taken (its INSERT fails: a ROLLBACK) and the stored answer's read.
    # SQLite's claim takes the writer lock first (UPDATE ... WHERE 1 = 0, no row).
    "mariadb": Budget(statements=6, commits=1, rollbacks=1),
    "sqlite": Budget(statements=13, commits=1, rollbacks=5),
}

MAX_COMMITS = 2
"""An entry's own transaction, and the claim of its Idempotency-Key, which may be its own."""


@dataclass
class Count:
    statements: list[str] = field(default_factory=list)
    commits: int = 0
    rollbacks: int = 0

    def said(self) -> str:
        return f"{len(self.statements)} statements, {self.commits} commits, {self.rollbacks} rollbacks"


@contextmanager
def counting(container: Container) -> Iterator[Count]:
    """Every statement any engine of the container sends (before_cursor_execute: one per
    round trip, an executemany included), and the COMMITs and ROLLBACKs the engines send.
    A MariaDB read runs on the primary's autocommit engine, which hands its connection back
    with no ROLLBACK on the wire (make_engine's skip_autocommit_rollback): SQLAlchemy still
    fires its rollback event there, so that engine's rollback events are not counted."""
    count = Count()
    db = container.db
    engines: list[Engine] = [db.primary, *[replica.engine for replica in db.replicas]]
    if db.primary_reads is not None:
        engines.append(db.primary_reads)

    def sent(_conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        count.statements.append(" ".join(statement.split()[:8]))

    def committed(_conn: Connection) -> None:
        count.commits += 1

    def rolled_back(conn: Connection) -> None:
        if conn.engine is not db.primary_reads:
            count.rollbacks += 1

    listeners: list[tuple[Engine, str, Callable[..., None]]] = []
    for engine in engines:
        for name, listener in (
            ("before_cursor_execute", sent),
            ("commit", committed),
            ("rollback", rolled_back),
        ):
            event.listen(engine, name, listener)
            listeners.append((engine, name, listener))
    try:
        yield count
    finally:
        for engine, name, listener in listeners:
            event.remove(engine, name, listener)


@pytest.fixture(scope="module", params=["mariadb", "sqlite"])
def budget_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A migrated database of its own per backend (committed rows stay: the suite's shared
    per-worker databases are not touched; the MariaDB one is dropped when the session ends)
    and the world's users, over a container as `app.py serve` builds it."""
    backend = str(request.param)
    var = tmp_path_factory.mktemp(f"budget-{backend}")
    url = mariadb_database_url("budget") if backend == "mariadb" else f"sqlite:///{var / 'pools.sqlite3'}"
    upgrade(url)
    settings = load_settings(DATABASE_URL=url, VAR_DIR=str(var / "var"), CELERY_BROKER_URL=AMQP_URL)
    container = Container(settings)
    with pytest.MonkeyPatch.context() as patch:
        use_cheap_argon2(patch)
        world = make_world(container)
        try:
            yield world
        finally:
            container.db.dispose()


def _backend(world: World) -> str:
    return "sqlite" if world.container.db.primary.dialect.name == "sqlite" else "mariadb"


def _post(api: Api, path: str, body: dict[str, Any]) -> Any:
    headers = {**api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    answer = api.client.post(f"/api/v1{path}", headers=headers, json=body)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def _measure(world: World, operation: str, work: Callable[[], Any]) -> Any:
    """Count the second of two identical calls (the first of a kind compiles and caches its
    statements) and hold it to the budget: no more, and no less either, so a saving is kept."""
    work()
    with counting(world.container) as count:
        answer = work()
    budget = BUDGET[_backend(world)][operation]
    said = f"{operation} on {_backend(world)}: {count.said()}"
    assert count.commits <= MAX_COMMITS, f"{said}: at most {MAX_COMMITS} commits per entry"
    assert len(count.statements) <= budget.statements, f"{said}, over budget {budget}: {count.statements}"
    assert (count.commits, count.rollbacks) <= (budget.commits, budget.rollbacks), f"{said}, over {budget}"
    got = Budget(len(count.statements), count.commits, count.rollbacks)
    assert got == budget, f"{said}: lower BUDGET to {got}: {count.statements}"
    return answer


def _open_pool(world: World, api: Api) -> tuple[int, int, str]:
    """An open-ended pool with one subscription at launch, marked at the end of January:
    (the pool, its investor, the NAV per unit the mark struck)."""
    pool = world.container.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    investor = world.named_investor(f"Budget holder {uuid.uuid4().hex[:8]}")
    _post(
        api,
        f"/pools/{pool}/transactions",
        {
            "type": "subscription",
            "investor_id": investor,
            "amount": "50000.00",
            "effective_date": "2025-01-02",
        },
    )
    mark = _post(api, f"/pools/{pool}/valuations", {"as_of": "2025-01-31", "net_asset_value": "51000.00"})
    return pool, investor, str(mark["nav_per_unit"])


def test_a_subscription_and_a_redemption(budget_world: World) -> None:
    api = Api(budget_world)
    pool, investor, struck = _open_pool(budget_world, api)

    def deal(body: dict[str, Any]) -> Callable[[], Any]:
        return lambda: _post(api, f"/pools/{pool}/transactions", {"investor_id": investor, **body})

    bought = _measure(
        budget_world,
        "subscription",
        deal({"type": "subscription", "amount": "1000.00", "effective_date": "2025-01-31"}),
    )
    sold = _measure(
        budget_world,
        "redemption",
        deal({"type": "redemption", "units": "10.000000", "effective_date": "2025-01-31"}),
    )
    # Counted requests that did the whole job: dealt at the January mark, books still whole.
    assert bought["entry_type"] == "subscription" and sold["entry_type"] == "redemption"
    for deal_out in (bought, sold):
        assert Decimal(deal_out["details"]["nav_per_unit"]) == Decimal(struck), deal_out["details"]
    report = budget_world.container.ledger.verify(pool)
    assert report.ok, report


def test_a_capital_call(budget_world: World) -> None:
    api = Api(budget_world)
    pool = budget_world.container.pools.create_pool(budget_world.manager, closed_pool()).id
    for name in ("A", "B", "C"):
        budget_world.commit(pool, budget_world.named_investor(f"Budget LP {name}"))
    call = {"amount": "30000.00", "due_date": "2025-03-31", "effective_date": "2025-02-01"}
    answer = _measure(budget_world, "capital_call", lambda: _post(api, f"/pools/{pool}/capital-calls", call))
    called = {p["investor_id"] for p in answer["postings"] if p["investor_id"] is not None}
    assert len(called) == 3, answer["postings"]


def test_a_valuation(budget_world: World) -> None:
    api = Api(budget_world)
    pool, _, _ = _open_pool(budget_world, api)
    days = iter(("2025-02-28", "2025-03-31"))
    answer = _measure(
        budget_world,
        "valuation",
        lambda: _post(api, f"/pools/{pool}/valuations", {"as_of": next(days), "net_asset_value": "51500.00"}),
    )
    assert answer["as_of"] == "2025-03-31", answer


def test_a_retried_key_costs_no_entry(budget_world: World) -> None:
    """The budget's other side: a replayed Idempotency-Key answers with the stored response,
    writes none of the books' rows (no entry, posting, balance, event or audit row) and costs
    a budget of its own: the claim that finds the key taken, then the read of its answer."""
    api = Api(budget_world)
    pool, investor, _ = _open_pool(budget_world, api)
    headers = {**api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    body = {
        "type": "subscription",
        "investor_id": investor,
        "amount": "1000.00",
        "effective_date": "2025-01-31",
    }
    first = api.client.post(f"/api/v1/pools/{pool}/transactions", headers=headers, json=body)
    assert first.status_code == 201, first.get_data(as_text=True)
    with counting(budget_world.container) as count:
        again = api.client.post(f"/api/v1/pools/{pool}/transactions", headers=headers, json=body)
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    books = ("ledger_journal_entries", "ledger_postings", "ledger_balances", "ledger_outbox", "audit_events")
    written = [s for s in count.statements if s.upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [s for s in written if any(table in s for table in books)] == [], count.statements
    got = Budget(len(count.statements), count.commits, count.rollbacks)
    assert got == REPLAY_BUDGET[_backend(budget_world)], f"replay: {count.said()}: {count.statements}"
