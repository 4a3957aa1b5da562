"""Services behind a real gRPC server on 127.0.0.1, for the tests marked `over_grpc`: the
server serves the container's in-process implementations and the container's attribute for
each service becomes the gRPC client, so every call a test (or another service) makes goes
through the wire: the token, the codec, the error mapping."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from backend.auth.gateway import GatewayAuthClient
from backend.composition.container import Container
from backend.composition.rpc_commands import SERVICES, Served
from backend.platform.rpc.client import RpcClient
from backend.platform.rpc.server import ContractServicer, build_server


@contextmanager
def over_grpc(container: Container, services: Sequence[str]) -> Iterator[list[RpcClient]]:
    """Must run before anything reads the container's services (they hold what they were
    given when built)."""
    # Each service with the contracts served beside it (the previews beside the transactions),
    # each reached through the container's attribute named after its contract.
    served = [part for name in services for part in SERVICES[name].contracts]
    servicers = [
        ContractServicer(
            part.contract, part.implementation(container), part.messages, container.internal_tokens
        )
        for part in served
    ]
    server, port, _ = build_server(servicers, address="127.0.0.1:0", max_workers=4)
    server.start()
    # Each the client the container itself would hold, put in the cached_property's slot: later
    # reads get the client.
    clients = [connect(part, container, f"127.0.0.1:{port}") for part in served]
    for part, client in zip(served, clients, strict=True):
        container.__dict__[part.contract.name] = client
    try:
        yield clients
    finally:
        for client in clients:
            client.close()
        server.stop(grace=None)


DEADLINE_SECONDS = 120.0
"""Every call's deadline here, reads and writes. The servers share the test's one database
connection, which serves one thread at a time: a call its client gave up on at a deadline would
go on using it beside the test's next call (seen on a loaded machine: a payments read past its
5 s, then two threads' rows mixed on the connection). A deadline here could only fail a test by
the machine's speed; deadlines themselves are tested with clients of their own."""


def connect(part: Served, container: Container, target: str) -> RpcClient:
    """The client the container holds for `part` served at `target` (auth's checks tokens on
    this side), one call at a time, for the same reason as the deadline above
    (test_auth_gateway.py sends the checks together, on servers that do not share one)."""
    client = part.connect(container, target, read_timeout=DEADLINE_SECONDS, write_timeout=DEADLINE_SECONDS)
    if isinstance(client, GatewayAuthClient):
        client.checks_together = False
    return client


@contextmanager
def serving(container: Container, name: str, implementation: object) -> Iterator[Any]:
    """`implementation` of service `name` (one a test built itself, with its own clock, say)
    behind a gRPC server of its own; yields the client a caller would hold."""
    served = SERVICES[name]
    servicer = ContractServicer(served.contract, implementation, served.messages, container.internal_tokens)
    server, port, _ = build_server([servicer], address="127.0.0.1:0", max_workers=4)
    server.start()
    client = served.client(
        f"127.0.0.1:{port}",
        container.internal_tokens,
        read_timeout=DEADLINE_SECONDS,
        write_timeout=DEADLINE_SECONDS,
    )
    try:
        yield client
    finally:
        client.close()
        server.stop(grace=None)
