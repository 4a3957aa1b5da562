"""A split service whose gRPC server is gone: the API calls that need it answer 503 naming it
(with Retry-After), and what does not need it still answers. One row per service split after
pools (whose own process is killed by test_rpc.py): the service's server is a real one on
loopback, serving the container's in-process implementation, stopped mid-test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from backend.composition.container import Container
from backend.composition.rpc_commands import SERVICES
from backend.platform.rpc.client import RpcClient
from backend.platform.rpc.server import ContractServicer, build_server
from tests.integration.auth_support import use_cheap_argon2
from tests.integration.pools_support import Api, make_world


@contextmanager
def served_then_stopped(container: Container, name: str) -> Iterator[tuple[RpcClient, object]]:
    """The container reaching `name` over gRPC; yields the client and the server to stop."""
    served = SERVICES[name]
    servicer = ContractServicer(
        served.contract, served.implementation(container), served.messages, container.internal_tokens
    )
    server, port, _ = build_server([servicer], address="127.0.0.1:0", max_workers=4)
    server.start()
    client = served.client(f"127.0.0.1:{port}", container.internal_tokens)
    container.__dict__[name] = client  # the cached_property's slot, as SERVICE_ENDPOINTS would
    try:
        yield client, server
    finally:
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
