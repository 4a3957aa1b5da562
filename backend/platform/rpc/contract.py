"""A service's contract: its Protocol's methods as the wire sees them.

Each method of the Protocol is one unary RPC named in CamelCase (`create_pool` ->
`CreatePool`), taking a `<Method>Request` of its parameters and answering a
`<Method>Response` whose `result` is the return value. A parameter typed `Actor` is not a
field: the acting user travels in the call's signed internal token (backend.platform.rpc
.credentials), so a service never takes a user id on trust. One typed `Actor | None` (a
system call may act for nobody) is the token's actor too, None when the token names none.

A method returning an `Iterator[X]` (rows read lazily, a page at a time: an export's journal)
is a server-streaming RPC: each `<Method>Response` carries the next few of the items in
`result`, in order, and the call's errors are the same classes, raised where the iterator
would raise them (backend.platform.rpc.server and .client say how).

Reads are listed by the contract (`reads`): only they are retried by the channel when a
service is briefly unavailable, and they get the shorter deadline. A write is sent once; a
write that must survive a retry carries its idempotency key as a parameter, which crosses the
hop like any other."""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import TypeAdapter

from backend.platform.actors import Actor
from backend.platform.rpc.types import (
    Node,
    Repeated,
    UnsupportedType,
    adaptable,
    element_of,
    models_in,
    node_of,
)

PACKAGE_PREFIX = "investment_pools"


@dataclass(frozen=True)
class Parameter:
    name: str
    node: Node
    adapter: TypeAdapter[Any]
    default: Any = inspect.Parameter.empty


@dataclass(frozen=True)
class Method:
    name: str  # the Python name
    rpc: str  # the RPC's name
    parameters: tuple[Parameter, ...]
    actor: str | None  # the name of the Actor parameter, if the method takes one
    result: Node | None  # None: the method returns nothing
    result_adapter: TypeAdapter[Any] | None
    read: bool
    signature: inspect.Signature
    actor_optional: bool = False  # typed `Actor | None`: a call acting for nobody is allowed
    streams: bool = False  # returns an Iterator: `result` is a Repeated of the next items

    @property
    def request(self) -> str:
        return f"{self.rpc}Request"

    @property
    def response(self) -> str:
        return f"{self.rpc}Response"


@dataclass(frozen=True)
class ServiceContract:
    """`name` is the service's short name (`pools`): the proto package is
    `investment_pools.<name>.v1`, the service `<Protocol's name>`."""

    name: str
    protocol: type
    reads: frozenset[str] = field(default_factory=frozenset)

    @property
    def package(self) -> str:
        return f"{PACKAGE_PREFIX}.{self.name}.v1"

    @property
    def service(self) -> str:
        return self.protocol.__name__

    @property
    def full_service(self) -> str:
        return f"{self.package}.{self.service}"

    @property
    def proto_path(self) -> str:
        """The file's name in the descriptor pool, relative to the protos root."""
        return f"{PACKAGE_PREFIX}/{self.name}/v1/{self.name}.proto"

    @cached_property
    def methods(self) -> dict[str, Method]:
        names = [n for n, v in vars(self.protocol).items() if callable(v) and not n.startswith("_")]
        unknown = set(self.reads) - set(names)
        if unknown:
            raise UnsupportedType(f"{self.service}: reads names no method: {sorted(unknown)}")
        return {name: self._method(name, getattr(self.protocol, name)) for name in names}

    def models(self) -> list[type]:
        """Every model class a request or response reaches, each once, in first-use order."""
        found: list[type] = []
        for method in self.methods.values():
            nodes = [p.node for p in method.parameters] + ([method.result] if method.result else [])
            for node in nodes:
                for model in models_in(node):
                    if model not in found:
                        found.append(model)
        return found

    def _method(self, name: str, function: Callable[..., Any]) -> Method:
        hints = typing.get_type_hints(function, include_extras=True)
        signature = inspect.signature(function)
        parameters: list[Parameter] = []
        actor: str | None = None
        actor_optional = False
        for parameter in list(signature.parameters.values())[1:]:  # past self
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise UnsupportedType(f"{self.service}.{name}: *args and **kwargs have no wire form")
            annotation = hints[parameter.name]
            if annotation is Actor or _optional_actor(annotation):
                actor, actor_optional = parameter.name, annotation is not Actor
                continue
            try:
                node = node_of(annotation)
            except UnsupportedType as exc:
                raise UnsupportedType(f"{self.service}.{name}({parameter.name}): {exc}") from exc
            parameters.append(
                Parameter(parameter.name, node, TypeAdapter(adaptable(annotation)), parameter.default)
            )
        returns = hints.get("return", type(None))
        streams = typing.get_origin(returns) is collections.abc.Iterator
        try:
            if streams:
                (item,) = typing.get_args(returns) or (typing.Any,)
                result: Node | None = Repeated(element_of(item, returns))
                returns = list[item]  # type: ignore[valid-type]  # what one response carries
            else:
                result = None if returns is type(None) else node_of(returns)
        except UnsupportedType as exc:
            raise UnsupportedType(f"{self.service}.{name} -> {exc}") from exc
        return Method(
            name=name,
            rpc="".join(part.capitalize() for part in name.split("_")),
            parameters=tuple(parameters),
            actor=actor,
            result=result,
            result_adapter=None if result is None else TypeAdapter(adaptable(returns)),
            read=name in self.reads,
            signature=signature,
            actor_optional=actor_optional,
            streams=streams,
        )


def _optional_actor(annotation: Any) -> bool:
    """`Actor | None`: never a field either (a caller could name anyone in one)."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return False
    return set(typing.get_args(annotation)) == {Actor, type(None)}
