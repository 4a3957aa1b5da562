"""The proto file of a contract, written from its Protocol (never by hand).

Field numbers are the contract's history: a field keeps the number it had in the last
released descriptor set, a new field takes the next free one, and a removed field's number
and name are reserved, so an old client and a new server (or the reverse) never read one
field as another. `backend.platform.rpc.compatibility` checks the result against the release.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from google.protobuf import descriptor_pb2

from backend.platform.rpc.contract import ServiceContract
from backend.platform.rpc.types import (
    Fixed,
    Mapping,
    Model,
    Node,
    OneOf,
    Optional,
    Repeated,
    Scalar,
    UnsupportedType,
    Wrapped,
    member_name,
    model_fields,
)

SET_FIELDS = "set_fields"
"""Every model message's list of the fields the sender set (pydantic's `model_fields_set`):
an update that names only `name` must not arrive as one that clears every other term."""
LIST_ITEMS = "items"
MAP_ENTRIES = "entries"
CHOICE = "value"
"""The oneof of a union's message of its own (a list's element, a map's value), or the field of
an element that may be None."""


@dataclass
class _History:
    """A message's numbers in the last release: by field name, and those reserved."""

    numbers: dict[str, int] = field(default_factory=dict)
    reserved_numbers: set[int] = field(default_factory=set)
    reserved_names: set[str] = field(default_factory=set)


def history_of(released: descriptor_pb2.FileDescriptorSet | None, package: str) -> dict[str, _History]:
    found: dict[str, _History] = {}
    for file in released.file if released is not None else ():
        if file.package != package:
            continue
        for message in file.message_type:
            history = found.setdefault(message.name, _History())
            history.numbers.update({f.name: f.number for f in message.field})
            for span in message.reserved_range:
                history.reserved_numbers.update(range(span.start, span.end))
            history.reserved_names.update(message.reserved_name)
    return found


@dataclass
class _Field:
    name: str
    declaration: str  # everything but "= N;"
    oneof: str | None = None


@dataclass
class _Message:
    name: str
    fields: list[_Field]
    comment: list[str] = field(default_factory=list)


class _Writer:
    def __init__(self, contract: ServiceContract, released: descriptor_pb2.FileDescriptorSet | None) -> None:
        self.contract = contract
        self.history = history_of(released, contract.package)
        self.wrappers: dict[str, _Message] = {}
        self.method_messages = {n for m in contract.methods.values() for n in (m.request, m.response)}

    def model_name(self, cls: type) -> str:
        """A model's message: named after the class, unless an RPC's own request or response has
        that name (a `capital_call` taking a `CapitalCallRequest`): then `<class>Model`."""
        return f"{cls.__name__}Model" if cls.__name__ in self.method_messages else cls.__name__

    def type_of(self, node: Node) -> str:
        if isinstance(node, Scalar):
            return node.proto
        if isinstance(node, Model):
            return self.model_name(node.cls)
        if isinstance(node, (Fixed, Wrapped)):
            return self.helper_message(node)
        raise UnsupportedType(f"{node} is not a single type")

    def fields_of(self, name: str, node: Node) -> list[_Field]:
        if isinstance(node, Optional):
            return self._optional_fields(name, node.inner)
        if isinstance(node, Repeated):
            return [_Field(name, f"repeated {self.type_of(node.item)} {name}")]
        if isinstance(node, Mapping):
            return [_Field(name, f"map<{node.key.proto}, {self.type_of(node.value)}> {name}")]
        if isinstance(node, OneOf):
            members = [(f"{name}_{member_name(m).lower()}", m) for m in node.members]
            return [_Field(field, f"{self.type_of(m)} {field}", name) for field, m in members]
        return [_Field(name, f"{self.type_of(node)} {name}")]

    def _optional_fields(self, name: str, inner: Node) -> list[_Field]:
        if isinstance(inner, Scalar):
            return [_Field(name, f"optional {inner.proto} {name}")]
        if isinstance(inner, (Repeated, Mapping)):
            return [_Field(name, f"{self.type_of(Wrapped(inner))} {name}")]
        return self.fields_of(name, inner)  # messages and oneofs have presence

    def helper_message(self, node: Fixed | Wrapped) -> str:
        """The message of a fixed tuple (a field per position) or of a wrapper (a list or a
        map where proto wants one message, or where None and empty must differ)."""
        name = member_name(node)
        if name not in self.wrappers:
            if isinstance(node, Fixed):
                fields = [
                    f for i, item in enumerate(node.items, 1) for f in self.fields_of(f"item_{i}", item)
                ]
                self.wrappers[name] = _Message(name, fields, ["A fixed tuple: one field per position."])
            elif isinstance(node.inner, OneOf):
                comment = ["One of several types, where proto wants one message."]
                self.wrappers[name] = _Message(name, self.fields_of(CHOICE, node.inner), comment)
            elif isinstance(node.inner, Optional):
                comment = ["An element that may be None: a field with presence."]
                self.wrappers[name] = _Message(name, self.fields_of(CHOICE, node.inner), comment)
            else:
                body = LIST_ITEMS if isinstance(node.inner, Repeated) else MAP_ENTRIES
                self.wrappers[name] = _Message(
                    name, self.fields_of(body, node.inner), ["None and empty differ: a wrapper has presence."]
                )
        return name

    def messages(self) -> list[_Message]:
        made: list[_Message] = []
        for method in self.contract.methods.values():
            request = [f for p in method.parameters for f in self.fields_of(p.name, p.node)]
            made.append(_Message(method.request, request))
            result = self.fields_of("result", method.result) if method.result is not None else []
            made.append(_Message(method.response, result))
        for model in self.contract.models():
            fields = [f for name, node in model_fields(model) for f in self.fields_of(name, node)]
            fields.append(_Field(SET_FIELDS, f"repeated string {SET_FIELDS}"))
            made.append(_Message(self.model_name(model), fields, _first_paragraph(model.__doc__)))
        made.extend(self.wrappers[name] for name in sorted(self.wrappers))
        names = [m.name for m in made]
        clashes = sorted({n for n in names if names.count(n) > 1})
        if clashes:
            raise UnsupportedType(f"{self.contract.service}: two messages named {clashes}")
        return made

    def render(self, message: _Message) -> list[str]:
        history = self.history.get(message.name, _History())
        taken = set(history.numbers.values()) | history.reserved_numbers
        numbers: dict[str, int] = {}
        for f in message.fields:
            if f.name in history.numbers:
                numbers[f.name] = history.numbers[f.name]
        next_free = max(taken | set(numbers.values()), default=0) + 1
        for f in message.fields:
            if f.name not in numbers:
                numbers[f.name] = next_free
                next_free += 1
        gone = {n: num for n, num in history.numbers.items() if n not in numbers}
        reserved_numbers = sorted(history.reserved_numbers | set(gone.values()))
        reserved_names = sorted(history.reserved_names | set(gone))
        lines = [f"// {line}" for line in message.comment]
        lines.append(f"message {message.name} {{")
        if reserved_numbers:
            lines.append(f"  reserved {', '.join(str(n) for n in reserved_numbers)};")
        if reserved_names:
            lines.append(f"  reserved {', '.join(chr(34) + n + chr(34) for n in reserved_names)};")
        open_oneof: str | None = None
        for f in message.fields:
            if f.oneof != open_oneof:
                if open_oneof is not None:
                    lines.append("  }")
                if f.oneof is not None:
                    lines.append(f"  oneof {f.oneof} {{")
                open_oneof = f.oneof
            indent = "    " if f.oneof else "  "
            lines.append(f"{indent}{f.declaration} = {numbers[f.name]};")
        if open_oneof is not None:
            lines.append("  }")
        lines.append("}")
        return lines


def _first_paragraph(doc: str | None) -> list[str]:
    """A docstring's first paragraph, line by line, as the proto file's comment."""
    if not doc:
        return []
    return inspect.cleandoc(doc).split("\n\n", 1)[0].splitlines()


def proto_text(contract: ServiceContract, released: descriptor_pb2.FileDescriptorSet | None = None) -> str:
    """The contract's proto file, numbered after `released` (None: the first release)."""
    writer = _Writer(contract, released)
    messages = writer.messages()
    protocol = contract.protocol
    lines = [
        f"// The {contract.name} service's contract, from {protocol.__module__}.{protocol.__qualname__}",
        "// by `python app.py rpc protos`: edit the Protocol, never this file. Money and quantities are",
        "// decimal strings, dates and times ISO 8601 text, enums their values; never a float.",
    ]
    if any(f.declaration.split()[-2] == "double" for m in messages for f in m.fields):
        lines.append("// A measured return, ratio or index level (a float by design, not money) is a double.")
    lines += [
        'syntax = "proto3";',
        "",
        f"package {contract.package};",
        "",
        f"service {contract.service} {{",
    ]
    for method in contract.methods.values():
        lines.extend(f"  // {line}" for line in _first_paragraph(getattr(protocol, method.name).__doc__))
        stream = "stream " if method.streams else ""
        lines.append(f"  rpc {method.rpc}({method.request}) returns ({stream}{method.response});")
    lines.append("}")
    for message in messages:
        lines.append("")
        lines.extend(writer.render(message))
    return "\n".join(lines) + "\n"
