"""A gRPC server for one service: any implementation of the contract's Protocol, served
through the contract's generated messages, with the standard health service and reflection.

Each call: the internal token is verified (audience: this service) and names the actor; the
call runs as a server span continuing the caller's trace, under the caller's request id, so
its log lines and statements join the request that caused it; a domain error goes back as a
status with the error in the trailers (backend.platform.rpc.errors); anything else is
logged here and answered INTERNAL without its text."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent import futures
from types import ModuleType
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError

from backend.platform import trace_context, tracing
from backend.platform.errors import DomainError, Unauthenticated, ValidationFailed
from backend.platform.http import bearer_of
from backend.platform.observability import call_context
from backend.platform.rpc import codec, errors, metrics
from backend.platform.rpc.contract import Method, ServiceContract
from backend.platform.rpc.credentials import InternalTokens

log = logging.getLogger(__name__)

AUTHORIZATION = "authorization"
REQUEST_ID = "x-request-id"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""The largest message either side takes: a file (a document's PDF, a payment file, a statements
workbook) is one message, and gRPC's default of 4 MiB would refuse a large pool's."""
MESSAGE_SIZE_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]


def _metadata(context: grpc.ServicerContext) -> dict[str, str]:
    return {key: value for key, value in context.invocation_metadata() if isinstance(value, str)}


def _arguments(method: Method, request: Any) -> dict[str, Any]:
    """The call's arguments in the Protocol's types; a message that does not hold a valid one
    (another build of the contract, a hand-made call) is refused naming the parameter."""
    arguments: dict[str, Any] = {}
    for parameter in method.parameters:
        try:
            arguments[parameter.name] = parameter.adapter.validate_python(
                codec.get(request, parameter.name, parameter.node)
            )
        except ValidationError as exc:
            raise ValidationFailed(
                f"{parameter.name}: {exc.errors()[0]['msg']}", field=parameter.name
            ) from exc
    return arguments


class ContractServicer:
    """The handlers of one contract over `implementation`."""

    def __init__(
        self, contract: ServiceContract, implementation: object, messages: ModuleType, tokens: InternalTokens
    ) -> None:
        self.contract = contract
        self._implementation = implementation
        self._messages = messages
        self._tokens = tokens

    def handler(self) -> grpc.GenericRpcHandler:
        handlers = {
            method.rpc: grpc.unary_unary_rpc_method_handler(
                self._serve(method),
                request_deserializer=getattr(self._messages, method.request).FromString,
                response_serializer=getattr(self._messages, method.response).SerializeToString,
            )
            for method in self.contract.methods.values()
        }
        return grpc.method_handlers_generic_handler(self.contract.full_service, handlers)

    def _serve(self, method: Method) -> Callable[[Any, grpc.ServicerContext], Any]:
        function = getattr(self._implementation, method.name)
        response_type = getattr(self._messages, method.response)
        labels = (self.contract.name, method.rpc)

        def serve(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            metadata = _metadata(context)
            code = grpc.StatusCode.OK
            opened = tracing.begin_span(
                f"{self.contract.full_service}/{method.rpc}",
                trace_context.parse_traceparent(metadata.get(trace_context.TRACEPARENT)),
                SpanKind.SERVER,
                {"rpc.system": "grpc", "rpc.service": self.contract.full_service, "rpc.method": method.rpc},
            )
            try:
                caller = self._tokens.verify(bearer_of(metadata.get(AUTHORIZATION)), self.contract.name)
                user_id = caller.actor.user_id if caller.actor is not None else None
                with call_context(metadata.get(REQUEST_ID), user_id):
                    arguments = _arguments(method, request)
                    if method.actor is not None:
                        if caller.actor is None and not method.actor_optional:
                            raise Unauthenticated(f"{method.name} acts for a user and the call names none")
                        arguments[method.actor] = caller.actor
                    result = function(**arguments)
                response = response_type()
                if method.result is not None and method.result_adapter is not None:
                    dumped = method.result_adapter.dump_python(result, mode="json", exclude_unset=True)
                    codec.put(response, "result", method.result, dumped)
                return response
            except DomainError as exc:
                code = errors.status_of(exc)
                context.set_trailing_metadata(((errors.ERROR_METADATA, errors.encode(exc)),))
                context.abort(code, exc.detail)
            except Exception as exc:
                code = grpc.StatusCode.INTERNAL
                log.exception(
                    "rpc method failed", extra={"rpc_method": f"{self.contract.service}.{method.name}"}
                )
                opened.otel.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                context.abort(code, "internal error")
            finally:
                tracing.end_span(opened, {"rpc.grpc.status_code": code.value[0]})
                metrics.SERVER_HANDLED.labels(*labels, code.name).inc()
                metrics.SERVER_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            raise AssertionError("unreachable: abort raises")

        return serve


def build_server(
    servicers: list[ContractServicer], *, address: str, max_workers: int = 16
) -> tuple[grpc.Server, int, health.HealthServicer]:
    """A server for `servicers` bound to `address` ("127.0.0.1:0" picks a free port), with
    health (each service SERVING once started) and reflection. Returns the server, its port
    and its health servicer (a stop sets NOT_SERVING first, so balancers drain it)."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="rpc"),
        # Behind a Kubernetes Service a caller's one connection pins it to one pod: ending each
        # connection after five minutes (GOAWAY; calls under way finish) spreads callers onto
        # the pods an autoscaler added since.
        options=[
            ("grpc.max_connection_age_ms", 300_000),
            ("grpc.max_connection_age_grace_ms", 30_000),
            *MESSAGE_SIZE_OPTIONS,
        ],
    )
    for servicer in servicers:
        server.add_generic_rpc_handlers((servicer.handler(),))
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [s.contract.full_service for s in servicers]
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    for name in [*names, ""]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return server, port, health_servicer
