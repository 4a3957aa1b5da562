"""A service in its own process: `python app.py rpc serve pools` on 127.0.0.1, the REST API
reaching it as SERVICE_ENDPOINTS says. Health and reflection answer; answers and refusals
are the API's own; a call without a valid internal token is refused; a killed server makes
only its operations fail, with a 503 problem naming it, and they recover by themselves when it
returns; the call is one trace from the client's span to the server's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from backend.composition.container import Container
from backend.platform.config import load_settings
from backend.platform.errors import NotFound, Unauthenticated
from backend.platform.rpc.credentials import InternalTokens
from backend.pools.rpc import PoolServiceClient
from sql.migrate import upgrade
from tests.integration.auth_support import use_cheap_argon2
from tests.integration.pools_support import Api, World, make_world, open_pool
from tests.integration.replication import free_port
from tests.integration.rpc_support import over_grpc

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class PoolsServer:
    port: int
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", "rpc", "serve", "pools", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        try:
            grpc.channel_ready_future(channel).result(timeout=60)
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="investment_pools.pools.v1.PoolService"), timeout=10
            )
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        except Exception as exc:
            raise AssertionError(f"rpc serve pools did not start: {self.log.read_text()}") from exc
        finally:
            channel.close()

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[World, PoolsServer]]:
    """A database of its own, the pools service in a process of its own over it, and a
    container (the API's) that reaches pools over gRPC. They share var/, so the internal
    token key generated there."""
    url = f"sqlite:///{tmp_path / 'pools.sqlite3'}"
    upgrade(url)
    port = free_port()
    var = str(tmp_path / "var")
    env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": var, "LOG_LEVEL": "WARNING", "SERVICE_ENDPOINTS": ""}
    server = PoolsServer(port, env, tmp_path / "rpc.log")
    server.start()
    container = Container(
        load_settings(DATABASE_URL=url, VAR_DIR=var, SERVICE_ENDPOINTS=f"pools=127.0.0.1:{port}")
    )
    with pytest.MonkeyPatch.context() as patch:
        use_cheap_argon2(patch)
        try:
            yield make_world(container), server
        finally:
            if server.proc is not None and server.proc.poll() is None:
                server.kill()
            container.db.dispose()


def test_a_service_in_its_own_process_answers_as_the_in_process_one(
    served: tuple[World, PoolsServer],
) -> None:
    world, server = served
    c = world.container
    assert isinstance(c.pools, PoolServiceClient)
    made = c.pools.create_pool(world.manager, open_pool(minimum_subscription="250.00"))
    assert c.local_pools.get_pool(world.manager, made.id) == made  # the same row, read here
    with pytest.raises(NotFound, match=f"pool {made.id} not found"):
        c.pools.get_pool(world.other_manager, made.id)
    api = Api(world)
    listed = api.call("GET", "manager", "/pools")
    assert listed.status_code == 200 and [p["id"] for p in listed.get_json()["items"]] == [made.id]
    refused = api.call("PATCH", "manager", f"/pools/{made.id}", {"base_currency": "XXX"})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "base_currency"

    channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    listed_services = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10
    )
    names = {s.name for reply in listed_services for s in reply.list_services_response.service}
    assert {"investment_pools.pools.v1.PoolService", "grpc.health.v1.Health"} <= names
    channel.close()
    assert server.stop() == 0


def test_a_call_without_a_valid_internal_token_is_refused(served: tuple[World, PoolsServer]) -> None:
    world, server = served
    target = f"127.0.0.1:{server.port}"
    forged = PoolServiceClient(
        target, InternalTokens("another key, long enough to be accepted", issuer="mallory")
    )
    with pytest.raises(Unauthenticated, match="internal token refused"):
        forged.list_pools(world.admin)
    forged.close()
    # A real key, but a token minted for another service's audience.
    tokens = world.container.internal_tokens
    channel = grpc.insecure_channel(target)
    call = channel.unary_unary(
        "/investment_pools.pools.v1.PoolService/AllPoolIds",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=lambda b: b,
    )
    from backend.protos.investment_pools.pools.v1 import pools_pb2

    for metadata in ([], [("authorization", f"Bearer {tokens.mint('users', None)}")]):
        with pytest.raises(grpc.RpcError) as refused:
            call(pools_pb2.AllPoolIdsRequest(), metadata=metadata, timeout=10)
        assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    channel.close()


def test_a_killed_service_fails_only_its_calls_with_a_503_and_recovers_by_itself(
    served: tuple[World, PoolsServer],
) -> None:
    world, server = served
    api = Api(world)
    made = world.container.pools.create_pool(world.manager, open_pool())
    assert api.call("GET", "manager", f"/pools/{made.id}").status_code == 200
    server.kill()
    down = api.call("GET", "manager", f"/pools/{made.id}")
    assert down.status_code == 503, down.get_data(as_text=True)
    assert "pools service" in down.get_json()["detail"]
    assert down.headers["Retry-After"]
    # What does not need the pools service still answers.
    assert api.call("GET", "manager", "/me").status_code == 200
    # A write the service never saw wrote nothing: the pool count is unchanged when it returns.
    assert (
        api.call(
            "POST", "manager", "/pools", open_pool(name="While down").model_dump(mode="json")
        ).status_code
        == 503
    )
    server.start()
    deadline = time.monotonic() + 30
    while (back := api.call("GET", "manager", f"/pools/{made.id}")).status_code != 200:
        assert time.monotonic() < deadline, back.get_data(as_text=True)
        time.sleep(0.2)
    assert [p["name"] for p in api.call("GET", "manager", "/pools").get_json()["items"]] == [made.name]


def test_a_call_is_one_trace_from_the_callers_span_to_the_services(
    container: Container, spans: InMemorySpanExporter
) -> None:
    labels = {"service": "pools", "method": "ListPools", "code": "OK"}
    refused = {**labels, "code": "NOT_FOUND"}

    def counted() -> tuple[float, ...]:
        return tuple(
            REGISTRY.get_sample_value(name, values) or 0.0
            for name, values in (
                ("rpc_server_handled_total", labels),
                ("rpc_client_handled_total", labels),
                ("rpc_server_handled_total", {**refused, "method": "GetPool"}),
            )
        )

    with over_grpc(container, ["pools"]):
        world = make_world(container)
        before = counted()
        spans.clear()
        container.pools.list_pools(world.manager)
        with pytest.raises(NotFound):
            container.pools.get_pool(world.manager, 2_000_000_000)
    # RED per method on both sides: the call, and the refusal under its status code.
    assert [a - b for a, b in zip(counted(), before, strict=True)] == [1.0, 1.0, 1.0]
    finished = spans.get_finished_spans()
    name = "investment_pools.pools.v1.PoolService/ListPools"
    [client] = [s for s in finished if s.name == name and s.kind is SpanKind.CLIENT]
    [server] = [s for s in finished if s.name == name and s.kind is SpanKind.SERVER]
    assert client.context is not None and server.context is not None and server.parent is not None
    assert (
        server.context.trace_id == client.context.trace_id and server.parent.span_id == client.context.span_id
    )
    assert server.attributes is not None and server.attributes["rpc.grpc.status_code"] == 0
    statements = [s for s in finished if s.parent is not None and s.parent.span_id == server.context.span_id]
    assert statements and all(s.kind is SpanKind.CLIENT for s in statements)
