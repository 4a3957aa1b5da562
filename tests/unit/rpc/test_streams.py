"""A method returning an Iterator is a server-streaming RPC: through a real server and client on
loopback, many rows arrive in order and in their types, a refusal raises at the call as in
process, an error met while streaming is the same domain error after the rows before it, and
a reader that stops early ends the server's work. Values marked AS_JSON (a rule's workings, a
batch's raw rows) cross as their JSON text, and elements that may be None keep their None."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, ClassVar, Protocol

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict, NotFound
from backend.platform.rpc.client import RpcClient, remote
from backend.platform.rpc.compatibility import breaking_changes
from backend.platform.rpc.contract import ServiceContract
from backend.platform.rpc.credentials import InternalTokens
from backend.platform.rpc.proto_text import proto_text
from backend.platform.rpc.server import STREAM_CHUNK_ITEMS, ContractServicer, build_server
from backend.platform.rpc.types import AS_JSON

KEY = "a key for these tests only, long enough to be accepted"
MANAGER = Actor(user_id=7, role=Role.MANAGER, label="manager:7")
HIDDEN_POOL = 99
ROWS = STREAM_CHUNK_ITEMS * 8 + 17  # many messages, the last one part full


@dataclass(frozen=True)
class Entry:
    """One journal entry with its lines, as an export reads it."""

    seq: int
    effective_date: date
    lines: tuple[tuple[str, int | None, Decimal], ...]
    memo: str = ""


class Broken(Conflict):
    """A refusal with attributes of its own, met half way through a stream."""

    def __init__(self, seq: int) -> None:
        super().__init__(f"entry {seq} cannot be read", field="seq")
        self.seq = seq


class Journal(Protocol):
    def entries(
        self, actor: Actor, pool_id: int, count: int, broken_at: int | None = None
    ) -> Iterator[Entry]:
        """The pool's entries, authorised before the first is read."""
        raise NotImplementedError

    def workings(
        self, rows: list[Annotated[Mapping[str, object], AS_JSON]]
    ) -> tuple[Annotated[dict[str, Any], AS_JSON], list[int | None]]:
        raise NotImplementedError


def _entry(seq: int) -> Entry:
    investor = None if seq % 3 == 0 else seq  # the pool's own lines name no investor
    amount = Decimal(seq).scaleb(-2) + Decimal("0.001")
    return Entry(
        seq=seq,
        effective_date=date(2024, 1, 1) + timedelta(days=seq),
        lines=(("cash", None, amount), ("capital", investor, -amount)),
        memo=f"entry {seq}",
    )


class MemoryJournal:
    def __init__(self) -> None:
        self.stopped = threading.Event()  # set when a stream's generator is closed or ends
        self.read = 0

    def entries(
        self, actor: Actor, pool_id: int, count: int, broken_at: int | None = None
    ) -> Iterator[Entry]:
        if pool_id == HIDDEN_POOL:  # refused now, before the generator exists
            raise NotFound(f"pool {pool_id} not found", field="pool_id")

        def rows() -> Iterator[Entry]:
            try:
                for seq in range(1, count + 1):
                    if seq == broken_at:
                        raise Broken(seq)
                    self.read += 1
                    yield _entry(seq)
            finally:
                self.stopped.set()

        return rows()

    def workings(
        self, rows: list[Annotated[Mapping[str, object], AS_JSON]]
    ) -> tuple[Annotated[dict[str, Any], AS_JSON], list[int | None]]:
        ids: list[int | None] = [
            None if row.get("type") == "valuation" else index for index, row in enumerate(rows)
        ]
        workings: dict[Any, Any] = {"rows": list(rows), "rate": Decimal("0.0125"), 7: (1, 2)}
        return workings, ids


JOURNAL = ServiceContract("journal", Journal, reads=frozenset({"entries"}))


class JournalClient(RpcClient):
    contract = JOURNAL
    messages: ClassVar[Any]

    entries = remote(Journal.entries)
    workings = remote(Journal.workings)


def _messages(tmp_path: Path, contract: ServiceContract) -> SimpleNamespace:
    """The contract compiled by protoc (as `rpc protos` runs it), as a module-like namespace."""
    compiled = _compiled(tmp_path, proto_text(contract), contract.name)
    pool = descriptor_pool.DescriptorPool()
    [file] = compiled.file
    pool.Add(file)
    return SimpleNamespace(
        **{
            m.name: message_factory.GetMessageClass(
                pool.FindMessageTypeByName(f"{contract.package}.{m.name}")
            )
            for m in file.message_type
        }
    )


def _compiled(tmp_path: Path, text: str, name: str) -> descriptor_pb2.FileDescriptorSet:
    from grpc_tools import protoc  # a build tool: only the tests and `rpc protos` use it

    (tmp_path / f"{name}.proto").write_text(text)
    out = tmp_path / f"{name}.binpb"
    assert protoc.main(["protoc", f"-I{tmp_path}", f"--descriptor_set_out={out}", f"{name}.proto"]) == 0
    return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[tuple[JournalClient, MemoryJournal]]:
    messages = _messages(tmp_path, JOURNAL)
    tokens = InternalTokens(KEY, issuer="tests")
    implementation = MemoryJournal()
    server, port, _ = build_server(
        [ContractServicer(JOURNAL, implementation, messages, tokens)],  # type: ignore[arg-type]
        address="127.0.0.1:0",
        max_workers=2,
    )
    server.start()
    JournalClient.messages = messages
    client = JournalClient(f"127.0.0.1:{port}", tokens)
    try:
        yield client, implementation
    finally:
        client.close()
        server.stop(grace=None)


def test_the_proto_streams_the_items_a_few_to_a_message() -> None:
    text = proto_text(JOURNAL)
    assert "rpc Entries(EntriesRequest) returns (stream EntriesResponse);" in text
    assert "repeated Entry result = 1;" in text
    # a line's investor may be None: that position has presence of its own
    assert "message TupleTextMaybeIntText {" in text and "optional int64 item_2 = 2;" in text


def test_many_rows_arrive_in_order_and_in_their_types(journal: tuple[JournalClient, MemoryJournal]) -> None:
    client, _ = journal
    arrived = list(client.entries(MANAGER, 1, ROWS))
    assert arrived == [_entry(seq) for seq in range(1, ROWS + 1)]
    first_pool_line = arrived[2].lines[1]  # seq 3: the pool's own line, no investor
    assert first_pool_line[1] is None
    assert all(isinstance(e, Entry) and isinstance(e.effective_date, date) for e in arrived)
    assert all(isinstance(line[2], Decimal) for e in arrived for line in e.lines)
    assert str(arrived[-1].lines[0][2]) == str(_entry(ROWS).lines[0][2])  # exponent kept, not only value


def test_a_refusal_raises_at_the_call_before_any_row_is_read(
    journal: tuple[JournalClient, MemoryJournal],
) -> None:
    client, implementation = journal
    with pytest.raises(NotFound) as refused:
        client.entries(MANAGER, HIDDEN_POOL, ROWS)  # not iterated: the call itself raises
    assert refused.value.field == "pool_id" and "pool 99 not found" in refused.value.detail
    assert implementation.read == 0


def test_an_error_mid_stream_is_the_same_domain_error_after_the_rows_before_it(
    journal: tuple[JournalClient, MemoryJournal],
) -> None:
    client, _ = journal
    broken_at = STREAM_CHUNK_ITEMS * 2 + 5  # inside a message that was only part filled
    received: list[Entry] = []
    with pytest.raises(Broken) as failed:
        received.extend(client.entries(MANAGER, 1, ROWS, broken_at=broken_at))
    assert received == [_entry(seq) for seq in range(1, broken_at)]
    assert type(failed.value) is Broken
    assert (failed.value.detail, failed.value.field, failed.value.seq) == (
        f"entry {broken_at} cannot be read",
        "seq",
        broken_at,
    )


def test_a_reader_that_stops_early_ends_the_servers_work(
    journal: tuple[JournalClient, MemoryJournal],
) -> None:
    client, implementation = journal
    rows = client.entries(MANAGER, 1, 10 * ROWS)
    first = list(itertools.islice(rows, 3))
    rows.close()  # type: ignore[attr-defined]  # what dropping a half-read download does
    assert [e.seq for e in first] == [1, 2, 3]
    # The server's generator is closed once the cancellation reaches it (a bound, not a pace).
    assert implementation.stopped.wait(timeout=30)
    assert implementation.read < 10 * ROWS


def test_json_marked_values_cross_as_their_json_and_none_elements_stay_none(
    journal: tuple[JournalClient, MemoryJournal],
) -> None:
    client, _ = journal
    rows: list[Annotated[Mapping[str, object], AS_JSON]] = [
        {"type": "subscription", "amount": Decimal("100.50"), "effective_date": date(2024, 3, 31)},
        {"type": "valuation", "amount": 1821.5, "nested": {"a": [1, None, "x"]}},
    ]
    details, ids = client.workings(rows)
    assert ids == [0, None]
    # The receiver gets JSON: a Decimal as its text, a date ISO, a float as written, int keys as text.
    assert details == {
        "rows": [
            {"type": "subscription", "amount": "100.50", "effective_date": "2024-03-31"},
            {"type": "valuation", "amount": 1821.5, "nested": {"a": [1, None, "x"]}},
        ],
        "rate": "0.0125",
        "7": [1, 2],
    }


def test_turning_a_call_into_a_stream_breaks_a_peer_built_from_the_last_release(tmp_path: Path) -> None:
    class OneAtATime:
        def entries(
            self, actor: Actor, pool_id: int, count: int, broken_at: int | None = None
        ) -> list[Entry]:
            raise NotImplementedError

    class Streamed:
        def entries(
            self, actor: Actor, pool_id: int, count: int, broken_at: int | None = None
        ) -> Iterator[Entry]:
            raise NotImplementedError

    for cls in (OneAtATime, Streamed):
        cls.__name__ = "Journal"
    (tmp_path / "v1").mkdir()
    released = _compiled(tmp_path / "v1", proto_text(ServiceContract("journal", OneAtATime)), "journal")
    current = _compiled(tmp_path, proto_text(ServiceContract("journal", Streamed), released), "journal")
    assert breaking_changes(released, current) == [
        "rpc investment_pools.journal.v1.Journal/Entries changed between one response and a stream"
    ]
