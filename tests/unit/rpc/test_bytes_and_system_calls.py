"""Files cross the wire exactly (protobuf `bytes`, every byte value, beside a model in a tuple),
and a method that may act for nobody (`actor: Actor | None`) takes its actor from the signed
token, never from a field: through a real server and client on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar, Protocol

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from pydantic import BaseModel

from backend.platform.actors import Actor, Role
from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.contract import ServiceContract
from backend.platform.rpc.credentials import InternalTokens
from backend.platform.rpc.proto_text import proto_text
from backend.platform.rpc.server import ContractServicer, build_server
from backend.platform.rpc.types import UnsupportedType

KEY = "a key for these tests only, long enough to be accepted"
EVERY_BYTE = bytes(range(256)) + b"%PDF-1.7\n\xe2\x82\xac\x00\xff"
MANAGER = Actor(user_id=7, role=Role.MANAGER, label="manager:7")


class Filed(BaseModel):
    """What was filed, beside the file itself."""

    name: str
    size: int


class Archive(Protocol):
    def file(self, actor: Actor, name: str, body: bytes) -> tuple[Filed, bytes]:
        raise NotImplementedError

    def stored(self, names: list[str]) -> dict[str, bytes]:
        raise NotImplementedError

    def maybe(self, name: str) -> bytes | None:
        raise NotImplementedError

    def sweep(self, reason: str, actor: Actor | None = None) -> str:
        """A system call: acting for a user, or for nobody."""
        raise NotImplementedError


class MemoryArchive:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def file(self, actor: Actor, name: str, body: bytes) -> tuple[Filed, bytes]:
        self.files[name] = body
        return Filed(name=name, size=len(body)), body[::-1]

    def stored(self, names: list[str]) -> dict[str, bytes]:
        return {n: self.files[n] for n in names}

    def maybe(self, name: str) -> bytes | None:
        return self.files.get(name)

    def sweep(self, reason: str, actor: Actor | None = None) -> str:
        return f"{reason} by {actor.label if actor is not None else 'nobody'}"


ARCHIVE = ServiceContract("archive", Archive, reads=frozenset({"stored", "maybe"}))


class ArchiveClient(RpcClient):
    contract = ARCHIVE
    messages: ClassVar[Any]

    file = remote(Archive.file)
    stored = remote(Archive.stored)
    maybe = remote(Archive.maybe)
    sweep = remote(Archive.sweep)


def _messages(tmp_path: Path) -> SimpleNamespace:
    """The contract compiled by protoc (as `rpc protos` runs it), as a module-like namespace."""
    from grpc_tools import protoc  # a build tool: only the tests and `rpc protos` use it

    (tmp_path / "archive.proto").write_text(proto_text(ARCHIVE))
    out = tmp_path / "archive.binpb"
    assert protoc.main(["protoc", f"-I{tmp_path}", f"--descriptor_set_out={out}", "archive.proto"]) == 0
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file:
        pool.Add(file)
    [file] = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    return SimpleNamespace(
        **{
            m.name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{ARCHIVE.package}.{m.name}"))
            for m in file.message_type
        }
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[tuple[ArchiveClient, MemoryArchive]]:
    messages = _messages(tmp_path)
    tokens = InternalTokens(KEY, issuer="tests")
    implementation = MemoryArchive()
    server, port, _ = build_server(
        [ContractServicer(ARCHIVE, implementation, messages, tokens)],  # type: ignore[arg-type]
        address="127.0.0.1:0",
        max_workers=2,
    )
    server.start()
    ArchiveClient.messages = messages
    client = ArchiveClient(f"127.0.0.1:{port}", tokens)
    try:
        yield client, implementation
    finally:
        client.close()
        server.stop(grace=None)


def test_the_proto_declares_bytes_and_no_field_for_an_actor() -> None:
    text = proto_text(ARCHIVE)
    assert "bytes body = " in text and "TupleFiledData" in text and "map<string, bytes> result" in text
    sweep = text[text.index("message SweepRequest {") :]
    assert sweep[: sweep.index("}")].split("\n")[1:] == ["  string reason = 1;", ""], sweep
    assert ARCHIVE.methods["sweep"].actor == "actor" and ARCHIVE.methods["sweep"].actor_optional
    assert not ARCHIVE.methods["file"].actor_optional


def test_every_byte_value_crosses_exactly_in_each_shape(archive: tuple[ArchiveClient, MemoryArchive]) -> None:
    client, stored = archive
    filed, reversed_body = client.file(MANAGER, "statement.pdf", EVERY_BYTE)
    assert filed == Filed(name="statement.pdf", size=len(EVERY_BYTE))
    assert reversed_body == EVERY_BYTE[::-1] and type(reversed_body) is bytes
    assert stored.files["statement.pdf"] == EVERY_BYTE  # the server got the raw bytes
    client.file(MANAGER, "empty.txt", b"")
    assert client.stored(["statement.pdf", "empty.txt"]) == {"statement.pdf": EVERY_BYTE, "empty.txt": b""}
    assert client.maybe("empty.txt") == b""  # empty is not absent
    assert client.maybe("missing") is None


def test_a_system_call_acts_for_the_tokens_user_or_for_nobody(
    archive: tuple[ArchiveClient, MemoryArchive],
) -> None:
    client, _ = archive
    assert client.sweep("expired") == "expired by nobody"
    assert client.sweep("expired", MANAGER) == "expired by manager:7"


class Upload(BaseModel):
    content: bytes


class Uploads:
    def upload(self, item: Upload) -> int:
        raise NotImplementedError


def test_bytes_inside_a_model_are_refused_by_name() -> None:
    with pytest.raises(UnsupportedType, match=r"Upload.content: bytes in a model"):
        _ = ServiceContract("uploads", Uploads).models()
