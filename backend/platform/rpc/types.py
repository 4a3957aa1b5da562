"""What a Python type is on the wire: a tree of nodes read from type hints, shared by the
proto writer and the codec so both agree on every field.

Money and quantities (Decimal) travel as decimal strings, dates, times and durations as ISO
8601 text, enums as their values: never a float, with one marked exception: a `Measure` (a
return, a ratio, an index level: a binary float by design, published as a JSON number) travels
as a protobuf `double`, which holds a Python float bit for bit. Bytes (a PDF, a payment file, a
webhook's body) travel as protobuf `bytes`, exactly. A value marked `AS_JSON` (a posting
rule's workings, a row only its receiver validates) travels as its JSON text. Types with no
faithful proto form are refused when the contract is built, naming the type, rather than
approximated."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import functools
import operator
import types
import typing
import uuid
from collections import abc
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, PlainSerializer


class UnsupportedType(TypeError):
    """A type in a service's interface that has no faithful form on the wire."""


@dataclass(frozen=True)
class Scalar:
    proto: str  # int64, string, bool
    python: type
    json: bool = False  # a string field holding the value's JSON text (AS_JSON)


@dataclass(frozen=True)
class Model:
    """A pydantic model (or a dataclass): a message of its own, named after the class."""

    cls: type


@dataclass(frozen=True)
class Repeated:
    item: Node


@dataclass(frozen=True)
class Mapping:
    key: Scalar
    value: Node


@dataclass(frozen=True)
class Optional:
    """May be None: a scalar field with presence, a message, or a list in a wrapper message
    (proto3 cannot tell an empty repeated field from an absent one)."""

    inner: Node


@dataclass(frozen=True)
class OneOf:
    """A union of non-None types (`int | str`): one member field per alternative."""

    members: tuple[Node, ...]


@dataclass(frozen=True)
class Fixed:
    """A fixed tuple (`tuple[int, str]`): a message with one field per position."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Wrapped:
    """A list or a map where proto wants one message (an element of a list, a map's value):
    the wrapper message that holds it; or a union there (`dict[str, str | Amount]`): a message
    holding the oneof; or an element that may be None (`list[int | None]`): a message holding
    a field with presence."""

    inner: Repeated | Mapping | OneOf | Optional


Node = Scalar | Model | Repeated | Mapping | Optional | OneOf | Fixed | Wrapped
MESSAGES = (Model, Fixed, Wrapped)
"""The nodes that are a message of their own on the wire."""

INT64 = Scalar("int64", int)
STRING = Scalar("string", str)
BOOL = Scalar("bool", bool)
BYTES = Scalar("bytes", bytes)
DOUBLE = Scalar("double", float)
JSON = Scalar("string", str, json=True)


class _Measured:
    """The mark of a `Measure`; a plain `float` stays refused, so money never slips onto the
    wire as one."""

    def __repr__(self) -> str:
        return "MEASURED"


MEASURED = _Measured()
Measure = Annotated[float, MEASURED]
"""A measured figure that is a float by design (a return, a ratio, a risk figure, an index
level), not an amount: what a report publishes as a JSON number. On the wire: a `double`."""


class _AsJson:
    """The mark of a value that crosses as its JSON text; what the mark sits on is the Python
    type callers see, and its shape is not part of the contract."""

    def __repr__(self) -> str:
        return "AS_JSON"


AS_JSON = _AsJson()
"""`Annotated[dict[str, Any], AS_JSON]`: on the wire a string of the value's JSON text (as the
REST API answers it: a Decimal as its text, a date ISO, a tuple a list, an int key a text
key). For a posting rule's workings, whose shape is each rule's own (the ledger stores the
same JSON text), and for rows only their receiver validates (a batch's rows, each checked on
its own so every problem names its row): the receiver gets the JSON object, never a guessed
model. None of it is money the wire reads: an amount in it is the text its sender wrote."""


def _base64_text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _from_base64_text(value: Any) -> Any:
    return base64.b64decode(value, validate=True) if isinstance(value, str) else value


WireBytes = Annotated[
    bytes, PlainSerializer(_base64_text, when_used="json"), BeforeValidator(_from_base64_text)
]
"""`bytes` in the codec's JSON mode: base64 text (pydantic's own JSON form of bytes is UTF-8,
which a PDF is not), turned back into the raw bytes the message field carries."""
_TEXT_TYPES = (Decimal, dt.date, dt.datetime, dt.time, dt.timedelta, uuid.UUID)  # a duration: ISO 8601
_SEQUENCES = (
    list,
    tuple,
    set,
    frozenset,
    abc.Sequence,
    abc.Collection,
    abc.Set,
    abc.Iterable,
    abc.MutableSequence,
)
_MAPPINGS = (dict, abc.Mapping, abc.MutableMapping)


def node_of(annotation: Any) -> Node:
    """The wire form of `annotation` (a resolved type hint)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _annotated_node(*get_args(annotation))
    if origin in (Union, types.UnionType):
        return _union_node(annotation)
    if origin is Literal:
        return _literal_node(annotation)
    if origin in _SEQUENCES or origin in _MAPPINGS:
        return _collection_node(annotation, origin)
    if not isinstance(annotation, type):
        raise UnsupportedType(f"{annotation!r} has no wire form")
    return _class_node(annotation)


def _annotated_node(inner: Any, *marks: Any) -> Node:
    if any(mark is AS_JSON for mark in marks):
        return JSON
    if inner is float and MEASURED in marks:
        return DOUBLE
    return node_of(inner)


def _union_node(annotation: Any) -> Node:
    options = [arg for arg in get_args(annotation) if arg is not type(None)]
    inner = node_of(options[0]) if len(options) == 1 else OneOf(tuple(node_of(o) for o in options))
    if isinstance(inner, OneOf) and BYTES in inner.members:
        raise UnsupportedType(f"{annotation!r}: bytes in a union (text and bytes look alike in JSON mode)")
    if len(options) == len(get_args(annotation)):
        return inner
    if isinstance(inner, Optional):
        raise UnsupportedType(f"{annotation!r}: nested optionals")
    return Optional(inner)


def _literal_node(annotation: Any) -> Node:
    values = get_args(annotation)
    if all(isinstance(v, str) for v in values):
        return STRING
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return INT64
    raise UnsupportedType(f"{annotation!r}: a literal of mixed types")


def _collection_node(annotation: Any, origin: Any) -> Node:
    args = get_args(annotation)
    if origin in _MAPPINGS:
        key_node = node_of(args[0])
        if key_node not in (INT64, STRING):
            raise UnsupportedType(f"{annotation!r}: map keys are integers or text")
        return Mapping(key_node, _element(args[1], annotation))  # type: ignore[arg-type]
    if origin is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
        # A position is a field of the tuple's own message, so one that may be None has
        # presence there (`optional int64 item_2`), as a model's field would.
        return Fixed(tuple(_element(arg, annotation, optional=True) for arg in args))
    return Repeated(_element(args[0] if args else Any, annotation))


_CONCRETE_OF: dict[Any, Any] = {
    abc.Sequence: list,
    abc.Collection: list,
    abc.Iterable: list,
    abc.MutableSequence: list,
    abc.Set: frozenset,
    abc.Mapping: dict,
    abc.MutableMapping: dict,
    list: list,
    tuple: tuple,
    set: set,
    frozenset: frozenset,
    dict: dict,
}


def adaptable(annotation: Any) -> Any:
    """`annotation` with abstract collections made concrete (Collection[int] -> list[int]),
    which pydantic can validate into (a Protocol may promise the abstract one), and `bytes`
    made `WireBytes`."""
    if annotation is bytes:
        return WireBytes
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated and any(mark is AS_JSON for mark in args[1:]):
        return Any  # the JSON object as sent: its receiver validates it, not the wire
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, [adaptable(arg) for arg in args])
    concrete = _CONCRETE_OF.get(origin)
    if concrete is None:
        return annotation
    if not args:
        return concrete
    return concrete[tuple(arg if arg is Ellipsis else adaptable(arg) for arg in args)]


def _class_node(cls: type) -> Node:
    if issubclass(cls, enum.Enum):
        return _enum_node(cls)
    for base, node in ((bool, BOOL), (int, INT64), (bytes, BYTES), ((str, *_TEXT_TYPES), STRING)):
        if issubclass(cls, base):
            return node
    if issubclass(cls, BaseModel) or dataclasses.is_dataclass(cls):
        return Model(cls)
    raise UnsupportedType(f"{cls.__qualname__} has no wire form (float and Any are refused on purpose)")


def _enum_node(cls: type[enum.Enum]) -> Node:
    values = [member.value for member in cls]
    if all(isinstance(v, str) for v in values):
        return STRING
    if all(isinstance(v, int) for v in values):
        return INT64
    raise UnsupportedType(f"{cls.__name__}: an enum of mixed values")


def element_of(annotation: Any, whole: Any) -> Node:
    """The wire form of one item of `whole` (a list's, or a stream's: `Iterator[X]`)."""
    return _element(annotation, whole)


def _element(annotation: Any, whole: Any, *, optional: bool = False) -> Node:
    """An element of a list, a map or a fixed tuple: a scalar or a message (a nested list or
    map goes in a wrapper message). `optional`: a tuple's position, which may be None."""
    node = node_of(annotation)
    if isinstance(node, (Repeated, Mapping, OneOf)):
        return Wrapped(node)
    if isinstance(node, Optional):
        # A tuple's position is a field of the tuple's message, with presence of its own.
        return node if optional else Wrapped(node)
    return node


@functools.cache
def model_fields(cls: type) -> tuple[tuple[str, Node], ...]:
    """A model's fields in declaration order, with their wire forms. Worked out once per class:
    the codec reads them for every message it fills or reads, and resolving type hints is slow."""
    hints = typing.get_type_hints(cls, include_extras=True)
    if issubclass(cls, BaseModel):
        annotations = [(name, hints.get(name, info.annotation)) for name, info in cls.model_fields.items()]
    else:
        annotations = [(field.name, hints[field.name]) for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    fields: list[tuple[str, Node]] = []
    for name, annotation in annotations:
        try:
            fields.append((name, node_of(annotation)))
        except UnsupportedType as exc:
            raise UnsupportedType(f"{cls.__qualname__}.{name}: {exc}") from exc
    for name, node in fields:
        if _holds_bytes(node):
            # The model dumps itself in JSON mode, where bytes are UTF-8 text: not exact.
            raise UnsupportedType(f"{cls.__qualname__}.{name}: bytes in a model; carry them beside it")
    return tuple(fields)


def _holds_bytes(node: Node) -> bool:
    """Whether `node` has a bytes scalar outside any nested model (those check their own)."""
    if isinstance(node, Scalar):
        return node == BYTES
    if isinstance(node, Repeated):
        return _holds_bytes(node.item)
    if isinstance(node, (Mapping, Wrapped, Optional)):
        return _holds_bytes(node.value if isinstance(node, Mapping) else node.inner)
    if isinstance(node, (OneOf, Fixed)):
        return any(_holds_bytes(n) for n in (node.members if isinstance(node, OneOf) else node.items))
    return False


def models_in(node: Node) -> list[type]:
    """The model classes `node` reaches, directly or through nested models, each once."""
    found: list[type] = []

    def visit(n: Node) -> None:
        if isinstance(n, Model):
            if n.cls not in found:
                found.append(n.cls)
                for _, field in model_fields(n.cls):
                    visit(field)
        elif isinstance(n, (Repeated, Optional)):
            visit(n.item if isinstance(n, Repeated) else n.inner)
        elif isinstance(n, Mapping):
            visit(n.value)
        elif isinstance(n, (OneOf, Fixed)):
            for member in n.members if isinstance(n, OneOf) else n.items:
                visit(member)
        elif isinstance(n, Wrapped):
            visit(n.inner)

    visit(node)
    return found


_SCALAR_WORDS = {"int64": "int", "string": "text", "bool": "flag", "bytes": "data", "double": "number"}


def member_name(node: Node) -> str:
    """What a node is, as a word of a message or field name: a oneof member's suffix, the stem
    of a wrapper's or a fixed tuple's message name."""
    if isinstance(node, (Scalar, Optional)):
        return _simple_name(node)
    if isinstance(node, Model):
        return node.cls.__name__
    if isinstance(node, Fixed):
        return "Tuple" + "".join(_initial_capital(member_name(item)) for item in node.items)
    if isinstance(node, Wrapped):
        return _wrapper_name(node.inner)
    raise UnsupportedType(f"{node} cannot be named")


def _wrapper_name(inner: Repeated | Mapping | OneOf | Optional) -> str:
    if isinstance(inner, Repeated):
        return f"{_initial_capital(member_name(inner.item))}List"
    if isinstance(inner, OneOf):
        return "Or".join(_initial_capital(member_name(m)) for m in inner.members)
    if isinstance(inner, Optional):
        return _simple_name(inner)
    return f"{_initial_capital(member_name(inner.value))}By{_initial_capital(member_name(inner.key))}Map"


def _simple_name(node: Scalar | Optional) -> str:
    if isinstance(node, Optional):  # a tuple's position, or a list's element, that may be None
        return f"Maybe{_initial_capital(member_name(node.inner))}"
    return "json" if node.json else _SCALAR_WORDS[node.proto]


def _initial_capital(word: str) -> str:
    return word[:1].upper() + word[1:]
