"""The gRPC contracts: the committed protos and protoc's modules are what the Protocols and
the pinned grpcio-tools make today, nothing breaks a peer built from the last release, and
the rules that say so refuse what they must."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from pydantic import BaseModel

from backend.composition.rpc_commands import (
    PROTOS,
    SERVICES,
    current_descriptor_set,
    generated_files,
    released_descriptor_set,
)
from backend.platform.rpc.compatibility import breaking_changes, descriptor_set
from backend.platform.rpc.contract import ServiceContract
from backend.platform.rpc.proto_text import proto_text
from backend.platform.rpc.types import DOUBLE, Optional, UnsupportedType, model_fields


def test_the_committed_protos_and_modules_are_what_generation_makes_now() -> None:
    stale = [
        str(path.relative_to(PROTOS))
        for path, text in generated_files(PROTOS).items()
        if path.read_text() != text
    ]
    assert stale == [], f"run `python app.py rpc protos` and commit: {stale}"


def test_every_service_has_one_versioned_package_named_after_it() -> None:
    for name, served in SERVICES.items():
        assert served.contract.package == f"investment_pools.{name}.v1"
        assert served.messages.DESCRIPTOR.package == served.contract.package
        assert served.messages.DESCRIPTOR.services_by_name[served.contract.service]


def test_nothing_breaks_a_peer_built_from_the_last_release() -> None:
    released = released_descriptor_set()
    assert released is not None, "backend/protos/released.binpb is the contracts' last release"
    assert breaking_changes(released, current_descriptor_set()) == []


def test_no_message_carries_a_float_but_a_measured_figure() -> None:
    # A float travels only where a model marks it a Measure (a return or a ratio: a float by
    # design, published as a JSON number); money and every other figure never do.
    measured = {
        (model.__name__, name)
        for served in SERVICES.values()
        for model in served.contract.models()
        for name, node in model_fields(model)
        if node in (DOUBLE, Optional(DOUBLE))
    }
    floats = (descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT, descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE)
    carried = {
        (message.name, f.name)
        for file in current_descriptor_set().file
        for message in file.message_type
        for f in message.field
        if f.type in floats
    }
    assert carried == measured
    assert ("MoneyWeighted", "irr") in carried  # the rule has something to hold
    assert all(
        f.type != descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT
        for file in current_descriptor_set().file
        for message in file.message_type
        for f in message.field
    )


# -- the rules, on small contracts of their own -----------------------------------------------


class TermsV1(BaseModel):
    rate: str
    days: int


class TermsV2(BaseModel):
    """Release two's `Terms`: `rate` gone, `label` new."""

    days: int
    label: str


class QuotesV1:
    def quote(self, pool_id: int, terms: TermsV1) -> TermsV1:
        raise NotImplementedError


class QuotesV2:
    def quote(self, pool_id: int, terms: TermsV2) -> TermsV2:
        raise NotImplementedError


# Two releases of one contract: the same service and message names, as the wire sees them.
for _cls, _name in ((TermsV1, "Terms"), (TermsV2, "Terms"), (QuotesV1, "Quotes"), (QuotesV2, "Quotes")):
    _cls.__name__ = _name


def _compiled(text: str, tmp_path: Path, name: str) -> descriptor_pb2.FileDescriptorSet:
    """The descriptor set protoc makes of `text` (grpcio-tools, as `rpc protos` runs it)."""
    from grpc_tools import protoc  # a build tool: only the tests and `rpc protos` use it

    source = tmp_path / f"{name}.proto"
    source.write_text(text)
    out = tmp_path / f"{name}.binpb"
    assert protoc.main(["protoc", f"-I{tmp_path}", f"--descriptor_set_out={out}", source.name]) == 0
    return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def test_a_removed_field_keeps_its_number_reserved_and_a_new_one_takes_the_next(tmp_path: Path) -> None:
    released = _compiled(proto_text(ServiceContract("quotes", QuotesV1)), tmp_path, "v1")
    text = proto_text(ServiceContract("quotes", QuotesV2), released)
    block = text[text.index("message Terms {") :]
    block = block[: block.index("}")]
    assert "reserved 1;" in block and 'reserved "rate";' in block
    assert "int64 days = 2;" in block and "string label = 4;" in block  # set_fields was 3
    assert breaking_changes(released, _compiled(text, tmp_path, "v2")) == []


def test_the_rules_refuse_a_reused_number_a_dropped_field_and_a_removed_rpc(tmp_path: Path) -> None:
    released = _compiled(proto_text(ServiceContract("quotes", QuotesV1)), tmp_path, "v1")
    reused = released.file[0]
    changed = descriptor_pb2.FileDescriptorProto()
    changed.CopyFrom(reused)
    terms = next(m for m in changed.message_type if m.name == "Terms")
    terms.field[0].type = descriptor_pb2.FieldDescriptorProto.TYPE_INT64  # rate: string -> int64
    dropped = next(m for m in changed.message_type if m.name == "QuoteRequest")
    del dropped.field[0]  # pool_id gone, its number not reserved
    del changed.service[0].method[0]
    problems = breaking_changes(released, descriptor_set(changed))
    assert any("Terms field 1 was rate" in p for p in problems), problems
    assert any("QuoteRequest.pool_id (= 1) removed without reserving" in p for p in problems), problems
    assert any("rpc investment_pools.quotes.v1.Quotes/Quote removed" in p for p in problems), problems


def test_a_type_without_a_faithful_wire_form_is_refused_by_name() -> None:
    class Priced:
        def price(self, amount: float) -> int:
            raise NotImplementedError

    with pytest.raises(UnsupportedType, match=r"Priced.price\(amount\).*float"):
        _ = ServiceContract("prices", Priced).methods


# -- shapes beyond models: fixed tuples, lists and maps of lists ---------------------------


class Shapes:
    def spread(self, pairs: list[tuple[int, str]], groups: dict[int, list[int]]) -> tuple[str, bool]:
        raise NotImplementedError


def test_tuples_and_maps_of_lists_cross_the_wire_in_messages_of_their_own(tmp_path: Path) -> None:
    from google.protobuf import descriptor_pool, message_factory

    from backend.platform.rpc import codec

    contract = ServiceContract("shapes", Shapes)
    text = proto_text(contract)
    assert "message TupleIntText {" in text and "message TupleTextFlag {" in text
    assert "map<int64, IntList> groups = 2;" in text and "repeated TupleIntText pairs = 1;" in text
    pool = descriptor_pool.DescriptorPool()
    for file in _compiled(text, tmp_path, "shapes").file:
        pool.Add(file)

    def message(name: str) -> Any:
        return message_factory.GetMessageClass(
            pool.FindMessageTypeByName(f"investment_pools.shapes.v1.{name}")
        )()

    method = contract.methods["spread"]
    request = message(method.request)
    arguments: dict[str, Any] = {"pairs": [(1, "a"), (2, "")], "groups": {7: [1, 2], 8: []}}
    for parameter in method.parameters:
        dumped = parameter.adapter.dump_python(arguments[parameter.name], mode="json")
        codec.put(request, parameter.name, parameter.node, dumped)
    wire = type(request).FromString(request.SerializeToString())
    back = {p.name: p.adapter.validate_python(codec.get(wire, p.name, p.node)) for p in method.parameters}
    assert back == arguments
    assert method.result is not None and method.result_adapter is not None
    response = message(method.response)
    codec.put(response, "result", method.result, method.result_adapter.dump_python(("x", False), mode="json"))
    assert method.result_adapter.validate_python(codec.get(response, "result", method.result)) == ("x", False)
