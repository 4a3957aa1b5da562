"""Backup files compressed and encrypted as they stream: zlib, then AES-256-GCM per chunk.

A backup holds every investor's books, so it never touches the disk in clear. The stream is
cut into chunks sealed one by one (a whole backup does not fit in memory, and one GCM tag
at the end would release unchecked data); each chunk's associated data binds the file's
header, the chunk's index and whether it is the last, so a reordered, dropped, truncated or
spliced file fails to open instead of restoring something else.

    header   b"PBK1" | len(kid) | kid | 8-byte random nonce prefix
    chunk    4-byte big-endian length | AES-GCM(nonce prefix + 4-byte index, zlib bytes)
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PBK1"
CHUNK_BYTES = 1 << 20
_READ_BYTES = 1 << 20
_PREFIX_BYTES = 8
_TAG_BYTES = 16
# zlib level 3: backups are taken while the primary serves, so speed over the last few %.
_LEVEL = 3


class SealError(ValueError):
    """A sealed file cannot be opened: unknown key, altered, truncated or not a backup."""


@dataclass(frozen=True)
class SealedStats:
    plain_bytes: int
    sealed_bytes: int
    sha256: str


class _HashingSink:
    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self._sink.write(data)
        self.digest.update(data)
        self.size += len(data)


def _associated(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">IB", index, last)


def seal(source: IO[bytes], sink: IO[bytes], key: bytes, kid: str) -> SealedStats:
    """Compress and encrypt everything `source` yields into `sink` under (kid, key)."""
    encoded_kid = kid.encode()
    prefix = os.urandom(_PREFIX_BYTES)
    header = MAGIC + bytes([len(encoded_kid)]) + encoded_kid + prefix
    out = _HashingSink(sink)
    out.write(header)
    aead = AESGCM(key)
    compressor = zlib.compressobj(_LEVEL)
    pending = bytearray()
    index = 0
    plain = 0

    def emit(data: bytes, last: bool) -> None:
        nonlocal index
        nonce = prefix + struct.pack(">I", index)
        sealed = aead.encrypt(nonce, data, _associated(header, index, last))
        out.write(struct.pack(">I", len(sealed)) + sealed)
        index += 1

    def emit_full_chunks() -> None:
        while len(pending) > CHUNK_BYTES:
            emit(bytes(pending[:CHUNK_BYTES]), last=False)
            del pending[:CHUNK_BYTES]

    while block := source.read(_READ_BYTES):
        plain += len(block)
        pending += compressor.compress(block)
        emit_full_chunks()
    pending += compressor.flush()
    emit_full_chunks()
    emit(bytes(pending), last=True)
    return SealedStats(plain_bytes=plain, sealed_bytes=out.size, sha256=out.digest.hexdigest())


def _read_exact(source: IO[bytes], size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise SealError("the file is truncated")
    return data


def unseal(source: IO[bytes], sink: IO[bytes], keys: Mapping[str, bytes]) -> int:
    """Write the original bytes of a sealed file to `sink`; returns how many.

    What reaches `sink` before an error is unchecked: callers write into a scratch place
    and use it only when this returns.
    """
    if source.read(len(MAGIC)) != MAGIC:
        raise SealError("not a sealed backup file (bad magic)")
    kid_length = _read_exact(source, 1)[0]
    kid = _read_exact(source, kid_length).decode(errors="replace")
    prefix = _read_exact(source, _PREFIX_BYTES)
    header = MAGIC + bytes([kid_length]) + kid.encode() + prefix
    if kid not in keys:
        raise SealError(f"no key {kid!r} in BACKUP_KEYS to open this file")
    aead = AESGCM(keys[kid])
    decompressor = zlib.decompressobj()
    written = 0
    index = 0
    while True:
        length_bytes = source.read(4)
        if not length_bytes:
            raise SealError("the file is truncated (no last chunk)")
        if len(length_bytes) != 4:
            raise SealError("the file is truncated")
        (length,) = struct.unpack(">I", length_bytes)
        if length < _TAG_BYTES or length > CHUNK_BYTES + _TAG_BYTES:
            raise SealError(f"chunk {index} has an impossible length {length}")
        sealed = _read_exact(source, length)
        nonce = prefix + struct.pack(">I", index)
        data, last = _open_chunk(aead, nonce, sealed, header, index)
        plain = decompressor.decompress(data)
        sink.write(plain)
        written += len(plain)
        index += 1
        if last:
            break
    tail = decompressor.flush()
    sink.write(tail)
    written += len(tail)
    if source.read(1):
        raise SealError("the file has data after its last chunk")
    if not decompressor.eof:
        raise SealError("the compressed stream is incomplete")
    return written


def _open_chunk(aead: AESGCM, nonce: bytes, sealed: bytes, header: bytes, index: int) -> tuple[bytes, bool]:
    for last in (False, True):
        try:
            return aead.decrypt(nonce, sealed, _associated(header, index, last)), last
        except InvalidTag:
            continue
    raise SealError(f"chunk {index} was altered, reordered or sealed under another key")
