"""A client implementing a service's Protocol over gRPC: the container binds it where the
in-process service would be, and callers cannot tell (the same types, the same errors).

    class PoolServiceClient(RpcClient):
        contract = POOLS
        create_pool = remote(PoolService.create_pool)
        ...

Every call has a deadline (reads a short one, writes a longer one, a stream one as long as its
slowest reader may need); reads are retried by the channel when the service is UNAVAILABLE
(gRPC's retry policy, from the contract's `reads`), writes are sent once. The call carries the
internal token (the acting user, when the method takes one), the request id and the trace
context.

A streaming method returns its iterator once the service has accepted the call (a refusal
raises here, at the call, as in process); the items then arrive as the caller reads them, and
an error met on the way raises from the iterator after the items before it. A caller that
stops reading early closes the iterator, which cancels the call."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, ClassVar, TypeVar, cast

import grpc
from opentelemetry.trace import SpanKind

from backend.platform import trace_context, tracing
from backend.platform.actors import Actor
from backend.platform.errors import DependencyUnavailable
from backend.platform.observability import current_request_id
from backend.platform.rpc import codec, errors, metrics
from backend.platform.rpc.contract import Method, ServiceContract
from backend.platform.rpc.credentials import InternalTokens
from backend.platform.rpc.server import AUTHORIZATION, MESSAGE_SIZE_OPTIONS, REQUEST_ID, STREAM_ACCEPTED

F = TypeVar("F", bound=Callable[..., Any])


def retry_config(contract: ServiceContract) -> str:
    """The channel's service config: reads retried on UNAVAILABLE, up to 3 attempts."""
    reads = [{"service": contract.full_service, "method": m.rpc} for m in contract.methods.values() if m.read]
    config: dict[str, Any] = {"methodConfig": []}
    if reads:
        config["methodConfig"].append(
            {
                "name": reads,
                "retryPolicy": {
                    "maxAttempts": 3,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        )
    return json.dumps(config)


def open_channel(target: str, contract: ServiceContract) -> grpc.Channel:
    return grpc.insecure_channel(
        target,
        options=[
            ("grpc.enable_retries", 1),
            ("grpc.service_config", retry_config(contract)),
            # A dead peer is noticed in seconds, not at the next call's deadline.
            ("grpc.keepalive_time_ms", 30_000),
            ("grpc.keepalive_timeout_ms", 5_000),
            # A service that comes back is found within two seconds: gRPC's default backoff
            # grows to two minutes, all of it answered 503 by a server that is up again.
            ("grpc.initial_reconnect_backoff_ms", 200),
            ("grpc.min_reconnect_backoff_ms", 200),
            ("grpc.max_reconnect_backoff_ms", 2_000),
            *MESSAGE_SIZE_OPTIONS,
        ],
    )


class RpcClient:
    contract: ClassVar[ServiceContract]
    messages: ClassVar[ModuleType]
    served_by: ClassVar[str | None] = None
    """The service whose process serves this contract beside its own (the previews: the
    transactions), named when it does not answer: what an operator finds down."""

    def __init__(
        self,
        target: str,
        tokens: InternalTokens,
        *,
        read_timeout: float = 5.0,
        write_timeout: float = 30.0,
        stream_timeout: float = 3600.0,
        channel: grpc.Channel | None = None,
    ) -> None:
        self.target = target
        self._tokens = tokens
        self._timeouts = (read_timeout, write_timeout)
        # A stream lasts as long as its reader takes (a download to a slow browser): the
        # deadline only bounds one that is stuck; keepalive notices a dead peer within seconds.
        self._stream_timeout = stream_timeout
        self._channel = channel if channel is not None else open_channel(target, self.contract)
        self._stubs: dict[str, Any] = {}

    def close(self) -> None:
        self._channel.close()

    def _stub(self, method: Method) -> Any:
        stub = self._stubs.get(method.rpc)
        if stub is None:
            make = self._channel.unary_stream if method.streams else self._channel.unary_unary
            stub = make(
                f"/{self.contract.full_service}/{method.rpc}",
                request_serializer=getattr(self.messages, method.request).SerializeToString,
                response_deserializer=getattr(self.messages, method.response).FromString,
            )
            self._stubs[method.rpc] = stub
        return stub

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        method, request, actor = self._request(name, args, kwargs)
        if method.streams:
            return self._stream(method, request, actor)
        labels = (self.contract.name, method.rpc)
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        opened = self._client_span(method)
        try:
            metadata = self._metadata(actor)
            response = self._stub(method)(request, timeout=self._timeout(method), metadata=metadata)
        except grpc.RpcError as exc:
            code = exc.code()  # type: ignore[attr-defined]
            raise self._failure(method, exc) from exc
        finally:
            metrics.CLIENT_HANDLED.labels(*labels, code.name).inc()
            metrics.CLIENT_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            tracing.end_span(opened)
        return self._result(method, response)

    def _client_span(self, method: Method) -> tracing.OpenSpan:
        """The call's client span, begun as this thread's current one (its ids go out in the
        call's traceparent)."""
        return tracing.begin_span(
            f"{self.contract.full_service}/{method.rpc}",
            tracing.current_parent(),
            SpanKind.CLIENT,
            {"rpc.system": "grpc", "rpc.service": self.contract.full_service, "rpc.method": method.rpc},
        )

    def _start(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Callable[[], Any]:
        """Send a unary call without waiting for it: returns the function that waits and gives
        its result (or raises its error), for a caller with other work to do meanwhile. The
        caller must call it, even when that other work fails: it ends the call's span."""
        method, request, actor = self._request(name, args, kwargs)
        if method.streams:
            raise TypeError(f"{name} streams: call it, and read the items as they come")
        labels = (self.contract.name, method.rpc)
        started = time.perf_counter()
        # The span lasts until the answer is taken, but is this thread's current span only
        # while the call is sent: the caller's own work in between is not part of it.
        opened = self._client_span(method)
        try:
            pending = self._stub(method).future(
                request, timeout=self._timeout(method), metadata=self._metadata(actor)
            )
        except BaseException:
            opened.otel.end()
            raise
        finally:
            trace_context.leave_span(opened.token)

        def answer() -> Any:
            code = grpc.StatusCode.OK
            try:
                response = pending.result()
            except grpc.RpcError as exc:
                code = exc.code()  # type: ignore[attr-defined]
                raise self._failure(method, exc) from exc
            finally:
                metrics.CLIENT_HANDLED.labels(*labels, code.name).inc()
                metrics.CLIENT_SECONDS.labels(*labels).observe(time.perf_counter() - started)
                opened.otel.end()
            return self._result(method, response)

        return answer

    def _timeout(self, method: Method) -> float:
        return self._timeouts[0 if method.read else 1]

    def _result(self, method: Method, response: Any) -> Any:
        if method.result is None or method.result_adapter is None:
            return None
        return method.result_adapter.validate_python(codec.get(response, "result", method.result))

    def _request(
        self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Method, Any, Actor | None]:
        """The method, its request message and the actor it is made for."""
        method = self.contract.methods[name]
        bound = method.signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        request = getattr(self.messages, method.request)()
        for parameter in method.parameters:
            given = bound.arguments[parameter.name]
            if isinstance(given, (set, frozenset)) and parameter.adapter.core_schema["type"] == "list":
                # A Protocol's Collection[int] is a list on the wire; a set given for it would
                # serialise the same, with a warning from pydantic on every call.
                given = list(given)
            value = parameter.adapter.dump_python(given, mode="json", exclude_unset=True)
            codec.put(request, parameter.name, parameter.node, value)
        actor = cast(Actor | None, bound.arguments[method.actor]) if method.actor else None
        return method, request, actor

    def _metadata(self, actor: Actor | None) -> list[tuple[str, str]]:
        """The token, trace context and request id a call carries (under the call's span)."""
        metadata = [(AUTHORIZATION, f"Bearer {self._tokens.mint(self.contract.name, actor)}")]
        traceparent = trace_context.current_traceparent()
        if traceparent:
            metadata.append((trace_context.TRACEPARENT, traceparent))
        request_id = current_request_id()
        if request_id:
            metadata.append((REQUEST_ID, request_id))
        return metadata

    def _stream(self, method: Method, request: Any, actor: Actor | None) -> Iterator[Any]:
        """Start a streaming call; once the service has accepted it, its items, lazily."""
        labels = (self.contract.name, method.rpc)
        started = time.perf_counter()
        # The span lasts as long as the stream, but is this thread's current span only while
        # the call starts: the caller reads the items later, between work of its own.
        opened = self._client_span(method)

        def finish(code: grpc.StatusCode) -> None:
            metrics.CLIENT_HANDLED.labels(*labels, code.name).inc()
            metrics.CLIENT_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            opened.otel.end()

        try:
            call = self._stub(method)(request, timeout=self._stream_timeout, metadata=self._metadata(actor))
            accepted = any(key == STREAM_ACCEPTED for key, _ in call.initial_metadata() or ())
        finally:
            trace_context.leave_span(opened.token)
        if not accepted:  # refused before any item, or never answered: raise now, at the call
            try:
                next(call)
            except grpc.RpcError as exc:
                finish(exc.code())  # type: ignore[attr-defined]
                raise self._failure(method, exc) from exc
            call.cancel()
            finish(grpc.StatusCode.UNKNOWN)
            raise errors.RemoteFailure(f"the {self.contract.name} service streamed {method.name} unasked")
        return self._items(method, call, finish)

    def _items(self, method: Method, call: Any, finish: Callable[[grpc.StatusCode], None]) -> Iterator[Any]:
        node, adapter = method.result, method.result_adapter
        if node is None or adapter is None:
            raise TypeError(f"{method.name}: a stream's result is a list of items")
        code = grpc.StatusCode.OK
        try:
            for response in call:
                yield from adapter.validate_python(codec.get(response, "result", node))
        except grpc.RpcError as exc:
            code = exc.code()  # type: ignore[attr-defined]
            raise self._failure(method, exc) from exc
        except GeneratorExit:
            code = grpc.StatusCode.CANCELLED  # the caller stopped reading: the service stops too
            call.cancel()
            raise
        finally:
            finish(code)

    def _failure(self, method: Method, exc: grpc.RpcError) -> Exception:
        code: grpc.StatusCode = exc.code()  # type: ignore[attr-defined]
        if code in errors.UNANSWERED:
            service = self.served_by or self.contract.name
            return DependencyUnavailable(
                f"the {service} service did not answer ({code.name.lower()}); try again shortly"
            )
        trailer = dict(exc.trailing_metadata() or ()).get(errors.ERROR_METADATA)  # type: ignore[attr-defined]
        domain = errors.decode(code, exc.details(), trailer)  # type: ignore[attr-defined]
        if domain is not None:
            return domain
        return errors.RemoteFailure(f"the {self.contract.name} service failed on {method.name}: {code.name}")


def remote(function: F) -> F:
    """The Protocol's method `function`, made a call to the service (typed as the Protocol's)."""
    name = function.__name__

    def call(self: RpcClient, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, args, kwargs)

    call.__name__ = name
    call.__doc__ = function.__doc__
    return cast(F, call)
