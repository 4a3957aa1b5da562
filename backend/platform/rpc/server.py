"""A gRPC server for one service: any implementation of the contract's Protocol, served
through the contract's generated messages, with the standard health service and reflection.

Each call: the internal token is verified (audience: this service) and names the actor; the
call runs as a server span continuing the caller's trace, under the caller's request id, so
its log lines and statements join the request that caused it; a domain error goes back as a
status with the error in the trailers (backend.platform.rpc.errors); anything else is
logged here and answered INTERNAL without its text.

A streaming method's call sends STREAM_ACCEPTED as initial metadata once the implementation has
returned its iterator (its checks passed), then the items in order, a few to a message; an
error while iterating ends the stream with that error's status, after the items made before
it. The span and the caller's request id are this call's only while its code runs: a stream
is suspended between messages, and the thread serves other calls then."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
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
from backend.platform.rpc.credentials import Caller, InternalTokens
from backend.platform.rpc.types import MESSAGES, Repeated

log = logging.getLogger(__name__)
_END = object()

AUTHORIZATION = "authorization"
REQUEST_ID = "x-request-id"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""The largest message either side takes: a file (a document's PDF, a payment file, a statements
workbook) is one message, and gRPC's default of 4 MiB would refuse a large pool's."""
MESSAGE_SIZE_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
]
STREAM_ACCEPTED = "x-stream-accepted"
"""Initial metadata of a streaming call whose method returned its iterator: the client waits for
it, so a refusal (authorisation, a missing pool) raises at the call, as in process, and not at
the first item."""
STREAM_CHUNK_ITEMS = 256
STREAM_CHUNK_BYTES = 1024 * 1024
"""A streamed message holds up to this many items, or about this many bytes: one message per
item would spend more on gRPC's per-message work than on the rows (an export has millions)."""


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
            method.rpc: (
                grpc.unary_stream_rpc_method_handler(
                    self._serve_stream(method),
                    request_deserializer=getattr(self._messages, method.request).FromString,
                    response_serializer=getattr(self._messages, method.response).SerializeToString,
                )
                if method.streams
                else grpc.unary_unary_rpc_method_handler(
                    self._serve(method),
                    request_deserializer=getattr(self._messages, method.request).FromString,
                    response_serializer=getattr(self._messages, method.response).SerializeToString,
                )
            )
            for method in self.contract.methods.values()
        }
        return grpc.method_handlers_generic_handler(self.contract.full_service, handlers)

    def _server_span(self, method: Method, metadata: dict[str, str]) -> tracing.OpenSpan:
        """The call's server span, continuing the caller's trace."""
        return tracing.begin_span(
            f"{self.contract.full_service}/{method.rpc}",
            trace_context.parse_traceparent(metadata.get(trace_context.TRACEPARENT)),
            SpanKind.SERVER,
            {"rpc.system": "grpc", "rpc.service": self.contract.full_service, "rpc.method": method.rpc},
        )

    def _serve_stream(self, method: Method) -> Callable[[Any, grpc.ServicerContext], Iterator[Any]]:
        function = getattr(self._implementation, method.name)
        response_type = getattr(self._messages, method.response)
        labels = (self.contract.name, method.rpc)

        def serve(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started = time.perf_counter()
            metadata = _metadata(context)
            code = grpc.StatusCode.OK
            opened = self._server_span(method, metadata)
            work = _Stretches(trace_context.current_span(), metadata.get(REQUEST_ID))
            trace_context.leave_span(opened.token)  # entered again around each stretch of work
            try:
                with work():
                    caller = self._tokens.verify(bearer_of(metadata.get(AUTHORIZATION)), self.contract.name)
                    work.user_id = caller.actor.user_id if caller.actor is not None else None
                    items = iter(function(**_call_arguments(method, request, caller)))
                context.send_initial_metadata(((STREAM_ACCEPTED, "1"),))
                yield from _chunks(method, response_type, items, work)
            except DomainError as exc:
                code = errors.status_of(exc)
                context.set_trailing_metadata(((errors.ERROR_METADATA, errors.encode(exc)),))
                context.abort(code, exc.detail)
            except GeneratorExit:
                code = grpc.StatusCode.CANCELLED  # the caller went away; its iterator is dropped
                raise
            except Exception as exc:
                code = grpc.StatusCode.INTERNAL
                log.exception(
                    "rpc method failed", extra={"rpc_method": f"{self.contract.service}.{method.name}"}
                )
                opened.otel.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                context.abort(code, "internal error")
            finally:
                opened.otel.set_attributes({"rpc.grpc.status_code": code.value[0]})
                opened.otel.end()
                metrics.SERVER_HANDLED.labels(*labels, code.name).inc()
                metrics.SERVER_SECONDS.labels(*labels).observe(time.perf_counter() - started)

        return serve

    def _serve(self, method: Method) -> Callable[[Any, grpc.ServicerContext], Any]:
        function = getattr(self._implementation, method.name)
        response_type = getattr(self._messages, method.response)
        labels = (self.contract.name, method.rpc)

        def serve(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            metadata = _metadata(context)
            code = grpc.StatusCode.OK
            opened = self._server_span(method, metadata)
            try:
                caller = self._tokens.verify(bearer_of(metadata.get(AUTHORIZATION)), self.contract.name)
                user_id = caller.actor.user_id if caller.actor is not None else None
                with call_context(metadata.get(REQUEST_ID), user_id):
                    result = function(**_call_arguments(method, request, caller))
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


def _call_arguments(method: Method, request: Any, caller: Caller) -> dict[str, Any]:
    """The implementation's arguments: the request's fields, and the acting user from the
    caller's signed token, never from a field."""
    arguments = _arguments(method, request)
    if method.actor is not None:
        if caller.actor is None and not method.actor_optional:
            raise Unauthenticated(f"{method.name} acts for a user and the call names none")
        arguments[method.actor] = caller.actor
    return arguments


class _Stretches:
    """A stream's server span and its caller's request id and user, made current around each
    stretch of the call's own work (never across a yield: between messages the thread is not
    this call's)."""

    def __init__(self, span: trace_context.Span | None, request_id: str | None) -> None:
        self.span = span
        self.request_id = request_id
        self.user_id: int | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        token = trace_context.enter_span(self.span) if self.span is not None else None
        try:
            with call_context(self.request_id, self.user_id):
                yield
        finally:
            if token is not None:
                trace_context.leave_span(token)


def _chunks(method: Method, response_type: Any, items: Iterator[Any], work: _Stretches) -> Iterator[Any]:
    """The items, a few to a response. An error while pulling the next one raises after the
    items before it went out, as a caller in process would have had them."""
    node, adapter = method.result, method.result_adapter
    if not isinstance(node, Repeated) or adapter is None:
        raise TypeError(f"{method.name}: a stream's result is a list of items")
    messages = isinstance(node.item, MESSAGES)
    pending, count, size = response_type(), 0, 0
    while True:
        try:
            with work():
                item = next(items, _END)
        except DomainError:
            if count:
                yield pending
            raise
        if item is _END:
            break
        dumped = adapter.dump_python([item], mode="json", exclude_unset=True)
        codec.put(pending, "result", node, dumped)
        count += 1
        size += pending.result[-1].ByteSize() if messages else len(str(dumped[0]))
        if count >= STREAM_CHUNK_ITEMS or size >= STREAM_CHUNK_BYTES:
            yield pending
            pending, count, size = response_type(), 0, 0
    if count:
        yield pending


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
