"""Values in and out of messages, by the same nodes the proto file was written from.

A value goes through pydantic's JSON mode first (`TypeAdapter.dump_python(mode="json")`):
Decimal becomes its exact text, a date its ISO form, an enum its value, exactly as the REST
API answers; the receiver validates it back into the declared type with the same adapter.
Bytes are the exception JSON has no exact form for: base64 text between the adapter and the
codec (types.WireBytes), the raw bytes in the message's `bytes` field. A value marked
`AS_JSON` is its JSON text in a `string` field, written and read here. A
model sends only the fields its sender set, and names them (`set_fields`), so the receiver's
model has the same `model_fields_set` (an update that names one term changes only that term).
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

from google.protobuf.message import Message
from pydantic import TypeAdapter, ValidationError

from backend.platform.rpc.proto_text import CHOICE, LIST_ITEMS, MAP_ENTRIES, SET_FIELDS
from backend.platform.rpc.types import (
    JSON,
    MESSAGES,
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

_PYTHON_OF = {"int64": int, "string": str, "bool": bool, "double": float}


def put(message: Message, name: str, node: Node, value: Any) -> None:
    """Set field `name` of `message` to `value` (a JSON-mode value of `node`'s type)."""
    if value is None and node != JSON:  # JSON has a text for None: null
        if not isinstance(node, Optional):
            raise ValueError(f"{name}: None for a field that cannot be empty")
        return
    _PUT[type(node)](message, name, node, value)


def _put_optional(message: Message, name: str, node: Any, value: Any) -> None:
    inner = node.inner
    if isinstance(inner, (Repeated, Mapping)):
        put_message(getattr(message, name), Wrapped(inner), value)
    else:
        put(message, name, inner, value)


def _to_wire(node: Any, value: Any) -> Any:
    """A scalar's JSON-mode value as its field holds it: bytes arrive as base64 text, a JSON
    value leaves as its text."""
    if node.json:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return base64.b64decode(value) if node.proto == "bytes" else value


def _from_wire(node: Any, value: Any) -> Any:
    if node.json:
        return json.loads(value) if value else None  # "" is a field never set
    return base64.b64encode(value).decode("ascii") if node.proto == "bytes" else value


def _put_scalar(message: Message, name: str, node: Any, value: Any) -> None:
    setattr(message, name, _to_wire(node, value))


def _put_message(message: Message, name: str, node: Any, value: Any) -> None:
    put_message(getattr(message, name), node, value)


def _put_repeated(message: Message, name: str, node: Any, value: Any) -> None:
    target = getattr(message, name)
    plain = _plain_positions(node.item) if isinstance(node.item, Fixed) else None
    if plain is not None:  # journal lines: millions in an export, so no dispatch per field
        for item in value:
            line = target.add()
            for (field, optional), part in zip(plain, item, strict=True):
                if part is not None:
                    setattr(line, field, part)
                elif not optional:
                    raise ValueError(f"{field}: None for a field that cannot be empty")
        return
    if isinstance(node.item, MESSAGES):
        for item in value:
            put_message(target.add(), node.item, item)
    else:
        target.extend(_to_wire(node.item, item) for item in value)


def _put_mapping(message: Message, name: str, node: Any, value: Any) -> None:
    target = getattr(message, name)
    for key, item in value.items():
        wire_key = int(key) if node.key.proto == "int64" else str(key)  # JSON mode made it text
        if isinstance(node.value, MESSAGES):
            put_message(target[wire_key], node.value, item)
        else:
            target[wire_key] = _to_wire(node.value, item)


def _put_oneof(message: Message, name: str, node: Any, value: Any) -> None:
    member = _member_for(node, value)
    put(message, f"{name}_{member_name(member).lower()}", member, value)


_PUT = {
    Optional: _put_optional,
    Scalar: _put_scalar,
    Model: _put_message,
    Fixed: _put_message,
    Wrapped: _put_message,  # a list or map in a tuple's position
    Repeated: _put_repeated,
    Mapping: _put_mapping,
    OneOf: _put_oneof,
}


def put_message(message: Message, node: Model | Fixed | Wrapped, value: Any) -> None:
    """Fill a message of its own: a model's fields, a tuple's positions, a wrapper's list or map."""
    if isinstance(node, Model):
        put_model(message, node.cls, value)
        return
    message.SetInParent()
    if isinstance(node, Fixed):
        for index, (item, part) in enumerate(zip(node.items, value, strict=True), 1):
            put(message, f"item_{index}", item, part)
    else:
        put(message, _wrapped_field(node), node.inner, value)


@functools.cache
def _plain_positions(node: Fixed) -> tuple[tuple[str, bool], ...] | None:
    """(field, may be None) for each position of a tuple of plain scalars (text, integers,
    flags, each perhaps None), which go in and out of their fields as they are; None when a
    position needs more (bytes, JSON, a message)."""
    found = []
    for index, item in enumerate(node.items, 1):
        optional = isinstance(item, Optional)
        scalar = item.inner if isinstance(item, Optional) else item
        if not isinstance(scalar, Scalar) or scalar.json or scalar.proto == "bytes":
            return None
        found.append((f"item_{index}", optional))
    return tuple(found)


def _wrapped_field(node: Wrapped) -> str:
    if isinstance(node.inner, (OneOf, Optional)):
        return CHOICE
    return LIST_ITEMS if isinstance(node.inner, Repeated) else MAP_ENTRIES


def get_message(message: Message, node: Model | Fixed | Wrapped) -> Any:
    if isinstance(node, Model):
        return get_model(message, node.cls)
    if isinstance(node, Fixed):
        return [get(message, f"item_{index}", item) for index, item in enumerate(node.items, 1)]
    return get(message, _wrapped_field(node), node.inner)


def put_model(message: Message, cls: type, value: dict[str, Any]) -> None:
    message.SetInParent()
    sent = [(name, node) for name, node in model_fields(cls) if name in value]
    for name, node in sent:
        put(message, name, node, value[name])
    getattr(message, SET_FIELDS).extend(name for name, _ in sent)


def get(message: Message, name: str, node: Node) -> Any:
    """Field `name` of `message` as a JSON-mode value of `node`'s type (None when absent)."""
    return _GET[type(node)](message, name, node)


def _get_optional(message: Message, name: str, node: Any) -> Any:
    inner = node.inner
    if isinstance(inner, OneOf):
        return get(message, name, inner)  # a oneof has presence of its own
    if not message.HasField(name):
        return None
    if isinstance(inner, (Repeated, Mapping)):
        return get_message(getattr(message, name), Wrapped(inner))
    return get(message, name, inner)


def _get_scalar(message: Message, name: str, node: Any) -> Any:
    return _from_wire(node, getattr(message, name))


def _get_message(message: Message, name: str, node: Any) -> Any:
    return get_message(getattr(message, name), node)


def _get_repeated(message: Message, name: str, node: Any) -> Any:
    items = getattr(message, name)
    plain = _plain_positions(node.item) if isinstance(node.item, Fixed) else None
    if plain is not None:
        return [
            [getattr(line, f) if not optional or line.HasField(f) else None for f, optional in plain]
            for line in items
        ]
    if isinstance(node.item, MESSAGES):
        return [get_message(item, node.item) for item in items]
    return [_from_wire(node.item, item) for item in items]


def _get_mapping(message: Message, name: str, node: Any) -> Any:
    entries = getattr(message, name)
    if isinstance(node.value, MESSAGES):
        return {key: get_message(entries[key], node.value) for key in entries}
    return {key: _from_wire(node.value, entries[key]) for key in entries}


def _get_oneof(message: Message, name: str, node: Any) -> Any:
    chosen = message.WhichOneof(name)
    if chosen is None:
        return None
    member = next(m for m in node.members if f"{name}_{member_name(m).lower()}" == chosen)
    return get(message, chosen, member)


_GET = {
    Optional: _get_optional,
    Scalar: _get_scalar,
    Model: _get_message,
    Fixed: _get_message,
    Wrapped: _get_message,
    Repeated: _get_repeated,
    Mapping: _get_mapping,
    OneOf: _get_oneof,
}


def get_model(message: Message, cls: type) -> dict[str, Any]:
    sent = set(getattr(message, SET_FIELDS))
    return {name: get(message, name, node) for name, node in model_fields(cls) if name in sent}


def _member_for(node: OneOf, value: Any) -> Node:
    for member in node.members:
        if isinstance(member, Model) and isinstance(value, dict) and _is_a(member.cls, value):
            return member
        if isinstance(member, Scalar) and (member.json or type(value) is _PYTHON_OF[member.proto]):
            return member
    raise UnsupportedType(f"{value!r} matches no member of {node}")


def _is_a(cls: type, value: dict[str, Any]) -> bool:
    """Whether `value` (a model dumped in JSON mode) is one of `cls`: every key a field of it and
    valid as it. A union of several models (`str | Amount | Day`) needs the right one named:
    a message of another member would drop the fields that member lacks."""
    names = {name for name, _ in model_fields(cls)}
    if not set(value) <= names:
        return False
    try:
        _adapter(cls).validate_python(value)
    except ValidationError:
        return False
    return True


@functools.cache
def _adapter(cls: type) -> TypeAdapter[Any]:
    return TypeAdapter(cls)
