"""A split service whose gRPC server is gone: the API calls that need it answer 503 naming it
(with Retry-After), and what does not need it still answers. One row per service split after
pools (whose own process is killed by test_rpc.py): the service's server is a real one on
loopback, serving the container's in-process implementation, stopped mid-test. And a write
whose caller gave up before the service answered: sent again under its Idempotency-Key, it is
posted once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from backend.composition.container import Container
from backend.composition.rpc_commands import SERVICES
from backend.platform.errors import DependencyUnavailable
from backend.platform.rpc.client import RpcClient
from backend.platform.rpc.server import ContractServicer, build_server
from backend.protos.investment_pools.transactions.v1 import transactions_pb2
from ledger.interface import EntryOut, IdempotencyKeyReused, TransactionRequest
from ledger.rpc import TRANSACTIONS, TransactionServiceClient
from tests.integration.auth_support import use_cheap_argon2
from tests.integration.pools_support import Api, make_world, open_pool
from tests.integration.rpc_support import connect


@contextmanager
def served_then_stopped(container: Container, name: str) -> Iterator[tuple[RpcClient, object]]:
    """The container reaching `name` over gRPC; yields the client and the server to stop."""
    parts = SERVICES[name].contracts  # with the contracts served beside it (the previews)
    servicers = [
        ContractServicer(p.contract, p.implementation(container), p.messages, container.internal_tokens)
        for p in parts
    ]
    server, port, _ = build_server(servicers, address="127.0.0.1:0", max_workers=4)
    server.start()
    clients = [connect(p, container, f"127.0.0.1:{port}") for p in parts]
    for part, client in zip(parts, clients, strict=True):
        # the cached_property's slot, as SERVICE_ENDPOINTS would
        container.__dict__[part.contract.name] = client
    try:
        yield clients[0], server
    finally:
        for client in clients:
            client.close()
        server.stop(grace=None)


# (service, a route that needs it, who calls it)
NEEDING = [
    ("auth", "/me", "investor"),
    ("notifications", "/notifications", "investor"),
    ("payments", "/payments/requests", "investor"),
    ("reports", "/benchmarks", "analyst"),
]


@pytest.mark.parametrize("backend_name", ["mariadb"])  # the hop is the same on either database
@pytest.mark.parametrize(("service", "path", "who"), NEEDING)
def test_a_stopped_service_answers_503_naming_it_only_where_it_is_needed(
    container: Container, monkeypatch: pytest.MonkeyPatch, service: str, path: str, who: str
) -> None:
    use_cheap_argon2(monkeypatch)
    world = make_world(container)
    with served_then_stopped(container, service) as (_, server):
        api = Api(world)
        assert api.call("GET", who, path).status_code == 200
        server.stop(grace=None)  # type: ignore[attr-defined]
        down = api.call("GET", who, path)
        assert down.status_code == 503, down.get_data(as_text=True)
        assert f"the {service} service did not answer" in down.get_json()["detail"]
        assert down.headers["Retry-After"]
        assert api.client.get("/healthz").status_code == 200
        if service != "auth":  # a signed-in request that needs only auth and users still answers
            assert api.call("GET", who, "/me").status_code == 200


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_a_post_with_the_transaction_service_stopped_answers_503_and_writes_nothing(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_argon2(monkeypatch)
    world = make_world(container)
    pool = container.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    investor = world.investor_profile(world.investor)
    body: dict[str, object] = {"type": "subscription", "investor_id": investor, "amount": "10.00"}
    body["effective_date"] = "2025-01-02"
    path = f"/api/v1/pools/{pool}/transactions"
    with served_then_stopped(container, "transactions") as (_, server):
        api = Api(world)
        headers = api.headers("manager")
        posted = api.client.post(path, json=body, headers={**headers, "Idempotency-Key": "before"})
        assert posted.status_code == 201, posted.get_data(as_text=True)
        server.stop(grace=None)  # type: ignore[attr-defined]
        down = api.client.post(path, json=body, headers={**headers, "Idempotency-Key": "during"})
        assert down.status_code == 503, down.get_data(as_text=True)
        assert "the transactions service did not answer" in down.get_json()["detail"]
        assert down.headers["Retry-After"]
        # The previews are served by the same process, so the portal's confirmation step is
        # refused the same way; what needs neither still answers.
        with pytest.raises(DependencyUnavailable, match="the transactions service did not answer"):
            container.previews.transaction(world.manager, pool, TransactionRequest.model_validate(body))
        assert api.client.get("/healthz").status_code == 200
        assert api.call("GET", "manager", f"/pools/{pool}").status_code == 200
    # Only the first subscription is in the books: the refused post wrote nothing.
    assert container.ledger.ledger_version(pool) == 1
    assert [e.memo for e in container.ledger.list_entries(pool).entries] == [""]


class _HeldWrites:
    """The transaction service, each `record` held until the test lets it go (its caller has
    given up by then), then run to its commit."""

    def __init__(self, inner: object) -> None:
        self._inner = inner
        self.release = threading.Event()
        self.done = threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def record(self, *args: Any, **kwargs: Any) -> EntryOut:
        self.release.wait(timeout=60)
        try:
            return self._inner.record(*args, **kwargs)  # type: ignore[attr-defined, no-any-return]
        finally:
            self.done.set()


@pytest.mark.parametrize("backend_name", ["mariadb"])
def test_a_write_its_caller_gave_up_on_is_posted_once_when_sent_again_with_its_key(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_argon2(monkeypatch)
    world = make_world(container)
    pool = container.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    investor = world.investor_profile(world.investor)
    request = TransactionRequest.model_validate(
        {"type": "subscription", "investor_id": investor, "amount": "10.00", "effective_date": "2025-01-02"}
    )
    held = _HeldWrites(container.local_transactions)
    tokens = container.internal_tokens
    servicer = ContractServicer(TRANSACTIONS, held, transactions_pb2, tokens)
    server, port, _ = build_server([servicer], address="127.0.0.1:0", max_workers=4)
    server.start()
    impatient = TransactionServiceClient(f"127.0.0.1:{port}", tokens, write_timeout=0.5)
    patient = TransactionServiceClient(f"127.0.0.1:{port}", tokens)
    try:
        with pytest.raises(DependencyUnavailable, match="the transactions service did not answer"):
            impatient.record(world.manager, pool, request, "sub-retried")
        held.release.set()  # the service now posts what its caller no longer waits for
        assert held.done.wait(timeout=60)
        assert container.ledger.ledger_version(pool) == 1
        again = patient.record(world.manager, pool, request, "sub-retried")
        # The same key and request: the first answer again, not a second entry.
        assert [e.id for e in container.ledger.list_entries(pool).entries] == [again.id]
        changed = request.model_copy(update={"amount": request.amount * 2 if request.amount else None})
        with pytest.raises(IdempotencyKeyReused):
            patient.record(world.manager, pool, changed, "sub-retried")
        assert container.ledger.ledger_version(pool) == 1
    finally:
        impatient.close()
        patient.close()
        server.stop(grace=None)
