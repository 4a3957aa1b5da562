"""Sealed backup files: what goes in comes out, and any change to the file is refused."""

from __future__ import annotations

import io
import os
import struct

import pytest

from backend.backup.sealing import CHUNK_BYTES, MAGIC, SealError, seal, unseal
from backend.platform.key_ring import new_key_entry, parse_key_ring

KEYS, ACTIVE = parse_key_ring(new_key_entry("b1"))
# Random bytes do not compress: more than two chunks' worth gives several sealed chunks.
PLAIN = os.urandom(2 * CHUNK_BYTES + 12345) + b"books " * 50000


def _sealed(plain: bytes = PLAIN) -> bytes:
    out = io.BytesIO()
    stats = seal(io.BytesIO(plain), out, KEYS[ACTIVE], ACTIVE)
    assert stats.plain_bytes == len(plain)
    assert stats.sealed_bytes == len(out.getvalue())
    return out.getvalue()


def _opened(sealed: bytes, keys: dict[str, bytes] = KEYS) -> bytes:
    out = io.BytesIO()
    written = unseal(io.BytesIO(sealed), out, keys)
    assert written == len(out.getvalue())
    return out.getvalue()


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    header_length = len(MAGIC) + 1 + sealed[len(MAGIC)] + 8
    header, rest, chunks = sealed[:header_length], sealed[header_length:], []
    while rest:
        (length,) = struct.unpack(">I", rest[:4])
        chunks.append(rest[: 4 + length])
        rest = rest[4 + length :]
    return header, chunks


def test_what_is_sealed_opens_to_the_same_bytes() -> None:
    sealed = _sealed()
    assert PLAIN[:4096] not in sealed
    assert len(_chunks(sealed)[1]) >= 3
    assert _opened(sealed) == PLAIN


def test_an_empty_stream_seals_and_opens() -> None:
    assert _opened(_sealed(b"")) == b""


def test_repetitive_data_is_compressed() -> None:
    plain = b"2026-10-01,contribution,1000.00\n" * 100000
    assert len(_sealed(plain)) < len(plain) // 10


def test_a_flipped_byte_is_refused() -> None:
    sealed = bytearray(_sealed())
    sealed[len(sealed) // 2] ^= 0x01
    with pytest.raises(SealError, match="altered"):
        _opened(bytes(sealed))


def test_a_truncated_file_is_refused_even_at_a_chunk_boundary() -> None:
    header, chunks = _chunks(_sealed())
    with pytest.raises(SealError, match="truncated"):
        _opened(header + b"".join(chunks[:-1]))
    with pytest.raises(SealError, match="truncated"):
        _opened(_sealed()[:-7])


def test_reordered_or_dropped_chunks_are_refused() -> None:
    header, chunks = _chunks(_sealed())
    with pytest.raises(SealError, match="chunk 0"):
        _opened(header + chunks[1] + chunks[0] + b"".join(chunks[2:]))
    with pytest.raises(SealError, match="chunk 1"):
        _opened(header + chunks[0] + b"".join(chunks[2:]))


def test_chunks_of_another_file_do_not_splice_in() -> None:
    header, chunks = _chunks(_sealed())
    _, other = _chunks(_sealed())
    with pytest.raises(SealError):
        _opened(header + other[0] + b"".join(chunks[1:]))


def test_data_after_the_last_chunk_is_refused() -> None:
    with pytest.raises(SealError, match="after its last chunk"):
        _opened(_sealed() + b"\x00")


def test_an_unknown_key_is_named() -> None:
    other, _ = parse_key_ring(new_key_entry("b2"))
    with pytest.raises(SealError, match="no key 'b1'"):
        _opened(_sealed(), other)


def test_the_same_key_id_with_another_key_is_refused() -> None:
    impostor, _ = parse_key_ring(new_key_entry("b1"))
    with pytest.raises(SealError, match=r"altered|another key"):
        _opened(_sealed(), impostor)


def test_a_file_that_is_not_a_backup_is_named() -> None:
    with pytest.raises(SealError, match="bad magic"):
        _opened(b"-- MariaDB dump 10.19\n")
