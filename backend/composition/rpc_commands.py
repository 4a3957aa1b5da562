"""`python app.py rpc ...`: the services as gRPC servers, and their contracts.

    python app.py rpc serve SERVICE --port N    one service's gRPC server (health, reflection)
    python app.py rpc protos [--check]          write the proto files and their Python modules
    python app.py rpc protos --release          record the current contracts as released

A server acts for the users its callers name in their signed internal tokens; it serves the
in-process implementation of its own service (and of any contract served beside it: the
previews beside the transactions), and reaches the others as SERVICE_ENDPOINTS says (in
process where unset)."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from google.protobuf import descriptor_pb2

from backend.auth.rpc import AUTH, AuthServiceClient
from backend.composition.container import Container
from backend.composition.metrics_server import add_metrics_port_option, metrics_port, serving_metrics
from backend.investors.rpc import INVESTORS, InvestorServiceClient
from backend.payments.rpc import PAYMENTS, PaymentServiceClient
from backend.platform.config import Settings, load_settings
from backend.platform.rpc.client import RpcClient
from backend.platform.rpc.compatibility import breaking_changes, descriptor_set
from backend.platform.rpc.contract import ServiceContract
from backend.platform.rpc.proto_text import proto_text
from backend.platform.rpc.server import ContractServicer, build_server
from backend.pools.rpc import POOLS, PoolServiceClient
from backend.protos.investment_pools.auth.v1 import auth_pb2
from backend.protos.investment_pools.investors.v1 import investors_pb2
from backend.protos.investment_pools.notifications.v1 import notifications_pb2
from backend.protos.investment_pools.payments.v1 import payments_pb2
from backend.protos.investment_pools.pools.v1 import pools_pb2
from backend.protos.investment_pools.previews.v1 import previews_pb2
from backend.protos.investment_pools.reports.v1 import reports_pb2
from backend.protos.investment_pools.transactions.v1 import transactions_pb2
from backend.protos.investment_pools.users.v1 import users_pb2
from backend.users.rpc import USERS, UserServiceClient
from ledger.rpc import PREVIEWS, TRANSACTIONS, PreviewServiceClient, TransactionServiceClient
from notifications.rpc import NOTIFICATIONS, NotificationServiceClient
from reports.rpc import REPORTS, ReportServiceClient

PROTOS = Path(__file__).resolve().parents[1] / "protos"
RELEASED = PROTOS / "released.binpb"


@dataclass(frozen=True)
class Served:
    contract: ServiceContract
    messages: ModuleType
    implementation: Callable[[Container], object]
    client: type[RpcClient]
    beside: tuple[Served, ...] = ()
    """Contracts the same process serves too, each reached at this service's endpoint (the
    container's attribute for one is named after its contract)."""
    app_client: Callable[[Container, str, float, float], RpcClient] | None = None
    """How an app server's container reaches the service (target, read and write deadlines),
    when not with `client` alone."""

    def connect(
        self, container: Container, target: str, *, read_timeout: float, write_timeout: float
    ) -> RpcClient:
        """The client `container` holds for this contract when SERVICE_ENDPOINTS names `target`."""
        if self.app_client is not None:
            return self.app_client(container, target, read_timeout, write_timeout)
        return self.client(
            target, container.internal_tokens, read_timeout=read_timeout, write_timeout=write_timeout
        )

    @property
    def contracts(self) -> tuple[Served, ...]:
        """This contract and those served beside it."""
        return (self, *self.beside)


SERVICES: dict[str, Served] = {
    "users": Served(USERS, users_pb2, lambda c: c.local_users, UserServiceClient),
    "pools": Served(POOLS, pools_pb2, lambda c: c.local_pools, PoolServiceClient),
    "investors": Served(INVESTORS, investors_pb2, lambda c: c.local_investors, InvestorServiceClient),
    "auth": Served(
        AUTH,
        auth_pb2,
        lambda c: c.local_auth,
        AuthServiceClient,
        app_client=lambda c, at, read, write: c.remote_auth(at, read_timeout=read, write_timeout=write),
    ),
    "notifications": Served(
        NOTIFICATIONS, notifications_pb2, lambda c: c.local_notifications, NotificationServiceClient
    ),
    "payments": Served(PAYMENTS, payments_pb2, lambda c: c.local_payments, PaymentServiceClient),
    "reports": Served(REPORTS, reports_pb2, lambda c: c.local_reports, ReportServiceClient),
    "transactions": Served(
        TRANSACTIONS,
        transactions_pb2,
        lambda c: c.local_transactions,
        TransactionServiceClient,
        beside=(Served(PREVIEWS, previews_pb2, lambda c: c.local_previews, PreviewServiceClient),),
    ),
}


def every_contract() -> list[Served]:
    """Every contract served, those beside another included: what `rpc protos` writes."""
    return [part for served in SERVICES.values() for part in served.contracts]


def add_rpc_parser(sub: Any) -> None:
    rpc = sub.add_parser("rpc", help="the services over gRPC: serve one, write their contracts")
    rpc_sub = rpc.add_subparsers(dest="rpc_command", required=True)
    serve = rpc_sub.add_parser("serve", help="serve one service over gRPC (long-running)")
    serve.add_argument("service", choices=sorted(SERVICES))
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    serve.add_argument("--workers", type=int, default=16, help="threads answering calls")
    add_metrics_port_option(serve)
    protos = rpc_sub.add_parser("protos", help="write the proto files and their Python modules")
    protos.add_argument("--check", action="store_true", help="write nothing; exit 1 when anything differs")
    protos.add_argument("--release", action="store_true", help="record the current contracts as released")
    rpc.set_defaults(func=cmd_rpc)


def cmd_rpc(args: argparse.Namespace, settings: Settings) -> int:
    if args.rpc_command == "serve":
        return serve(
            settings, args.service, args.port, args.workers, metrics_port(args.metrics_port, settings)
        )
    if args.release:
        RELEASED.write_bytes(current_descriptor_set().SerializeToString(deterministic=True))
        print(f"released: {RELEASED}")
        return 0
    differing = write_protos(PROTOS, check=args.check)
    for path in differing:
        print(f"{'differs' if args.check else 'wrote'}: {path}")
    released = released_descriptor_set()
    problems = breaking_changes(released, current_descriptor_set()) if released is not None else []
    for problem in problems:
        print(f"breaking: {problem}", file=sys.stderr)
    return 1 if problems or (args.check and differing) else 0


def released_descriptor_set() -> descriptor_pb2.FileDescriptorSet | None:
    if not RELEASED.exists():
        return None
    return descriptor_pb2.FileDescriptorSet.FromString(RELEASED.read_bytes())


def current_descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    files = []
    for served in every_contract():
        proto = descriptor_pb2.FileDescriptorProto()
        served.messages.DESCRIPTOR.CopyToProto(proto)
        files.append(proto)
    return descriptor_set(*files)


def generated_files(root: Path) -> dict[Path, str]:
    """Every file `rpc protos` writes under `root`, with its text: each proto, and the
    modules protoc makes from it (run as a program: grpcio-tools is a build tool)."""
    released = released_descriptor_set()
    texts: dict[Path, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        for served in every_contract():
            relative = Path(served.contract.proto_path)
            text = proto_text(served.contract, released)
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            (out / relative).write_text(text)
            texts[root / relative] = text
            protoc = ["-m", "grpc_tools.protoc", f"-I{out}", f"--python_out={out}", f"--pyi_out={out}"]
            done = subprocess.run(  # noqa: S603 - our own interpreter, our own generated paths
                [sys.executable, *protoc, str(relative)],
                cwd=out,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"protoc failed on {relative} (is grpcio-tools installed?): {done.stderr}")
            for suffix in ("_pb2.py", "_pb2.pyi"):
                made = relative.with_name(relative.stem + suffix)
                texts[root / made] = (out / made).read_text()
    return texts


def write_protos(root: Path, *, check: bool) -> list[Path]:
    """Write (or with `check`, only compare) the generated files; returns those that differ."""
    differing = []
    for path, text in generated_files(root).items():
        if not path.exists() or path.read_text() != text:
            differing.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    return differing


ANNOUNCES_ACCESS_CHANGES = ("auth", "users")
"""The services whose commits end the access checks app servers reuse (an ended session, a
disabled user, a new role), announced through Redis (backend/auth/checked_sessions.py)."""


def serve(settings: Settings, service: str, port: int, workers: int, metrics: int | None = None) -> int:
    served = SERVICES[service]
    reused = settings.access_check_reuse_seconds > 0
    if service in ANNOUNCES_ACCESS_CHANGES and not settings.redis_url and reused:
        # Without Redis its logouts and revocations would reach no app server's reused checks.
        print(
            f"the {service} service needs REDIS_URL: app servers reuse an access check until a user or a "
            "session changes, and this service announces those changes there "
            "(or set ACCESS_CHECK_REUSE_SECONDS=0 everywhere)",
            file=sys.stderr,
        )
        return 2
    # This process is the service: its own calls to it stay in process, whatever the
    # deployment's SERVICE_ENDPOINTS says for everyone else.
    others = ",".join(f"{name}={target}" for name, target in settings.endpoints.items() if name != service)
    container = Container(load_settings(SERVICE_ENDPOINTS=others))
    servicers = [
        ContractServicer(
            part.contract, part.implementation(container), part.messages, container.internal_tokens
        )
        for part in served.contracts
    ]
    server, bound, health = build_server(servicers, address=f"{settings.host}:{port}", max_workers=workers)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with serving_metrics(metrics, settings):
        server.start()
        names = " and ".join(part.contract.full_service for part in served.contracts)
        print(f"serving {names} on {settings.host}:{bound}", flush=True)
        stop.wait()
        # Health first, so a balancer stops sending; then calls under way get 5 s to finish.
        health.enter_graceful_shutdown()
        server.stop(grace=5).wait()
    return 0
