"""The document vault: issued notices and statements, stored once and never changed.

A capital call or a distribution notice is a formal document: once issued, what the investor
received must be what the platform can show later, byte for byte. So a vault stores each
document under a key exactly once (putting the same bytes again is a no-op, which makes issuing
idempotent; different bytes under a taken key are refused), and every read is checked against
the SHA-256 that `put` returned. The caller keeps that hash in the database, away from the
files, so a file edited or replaced behind the vault's back is detected on the next read
rather than served.

Two stores behind one Protocol: `FolderVault`, a folder on local disk (the embedded default),
and `S3Vault`, any S3-compatible object store. Keys are relative paths such as
"pool-3/capital-call/2026-12-04-inv-17-abc.pdf", restricted to [A-Za-z0-9._/-] so that the same
key is valid, and means the same file, in either store.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

__all__ = [
    "DocumentMissing",
    "DocumentTampered",
    "FolderVault",
    "S3Vault",
    "VaultStore",
    "VaultUnavailable",
    "sha256_hex",
    "validate_key",
]

_KEY = re.compile(r"[A-Za-z0-9._/-]+")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_KEY_LENGTH = 1024  # S3's limit, so a key valid for the folder is valid for S3 too


class DocumentTampered(Exception):
    """The stored bytes are not the ones issued: a read found a different hash, or a put tried
    to replace an issued document with different content."""


class DocumentMissing(Exception):
    """No document is stored under the key."""


class VaultUnavailable(Exception):
    """The store could not be reached (connection refused, timed out, or the service is
    failing): worth retrying later, unlike the two errors above."""


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def validate_key(key: str) -> str:
    """The key if it is a safe relative path; ValueError naming "key" otherwise.

    ".." anywhere is refused (not just as a path segment) so that no normalisation, here or
    in an S3-compatible server, can turn a key into a way out of the vault's root."""
    if not key or len(key) > _MAX_KEY_LENGTH:
        raise ValueError(f"key must be 1 to {_MAX_KEY_LENGTH} characters long, got {len(key)}")
    if not _KEY.fullmatch(key):
        raise ValueError(f"key {key!r} may contain only letters, digits and . _ / -")
    if key.startswith("/"):
        raise ValueError(f"key {key!r} must be a relative path, not an absolute one")
    if ".." in key:
        raise ValueError(f"key {key!r} must not contain '..'")
    segments = key.split("/")
    if any(segment in ("", ".") for segment in segments):
        raise ValueError(f"key {key!r} has an empty or '.' path segment")
    return key


def _expected_hash(sha256: str) -> str:
    expected = sha256.strip().lower()
    if not _SHA256.fullmatch(expected):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}")
    return expected


class VaultStore(Protocol):
    def put(self, key: str, content: bytes) -> str:
        """Store the document under the key and return the SHA-256 (hex) of its content.

        The same content again returns the same hash and changes nothing; different content
        under a key already taken raises DocumentTampered, since an issued notice cannot change.
        """

    def get(self, key: str, sha256: str) -> bytes:
        """The document stored under the key, checked against the hash the caller kept.

        DocumentMissing if nothing is stored there, DocumentTampered if the bytes differ."""


@dataclass(frozen=True)
class FolderVault:
    """Documents as files under `root`: the embedded default, for one machine.

    A document becomes visible under its key only complete: it is written to a temporary file
    in the target folder, flushed to disk, made read-only (0o444) and then linked into place.
    A hard link rather than os.replace because linking fails when the name is already taken,
    so two racing issuers cannot overwrite each other: the loser compares contents instead.
    """

    root: Path

    def put(self, key: str, content: bytes) -> str:
        digest = sha256_hex(content)
        path = self._path(key)
        if path.exists():
            return self._same_as_stored(key, path, digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._temporary_copy(path, content) as temporary:
            try:
                os.link(temporary, path)
            except FileExistsError:
                return self._same_as_stored(key, path, digest)
        _fsync_directory(path.parent)
        return digest

    def get(self, key: str, sha256: str) -> bytes:
        expected = _expected_hash(sha256)
        path = self._path(key)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise DocumentMissing(f"no document under key {key!r}") from None
        actual = sha256_hex(content)
        if actual != expected:
            raise DocumentTampered(f"document {key!r} has sha256 {actual}, but {expected} was issued")
        return content

    def _path(self, key: str) -> Path:
        path = self.root / validate_key(key)
        # Defence in depth: validate_key already rules out every way out of the root.
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ValueError(f"key {key!r} leads outside the vault")
        return path

    def _same_as_stored(self, key: str, path: Path, digest: str) -> str:
        stored = sha256_hex(path.read_bytes())
        if stored != digest:
            raise DocumentTampered(
                f"key {key!r} already holds a document with sha256 {stored}; "
                f"an issued document cannot be replaced (new content has sha256 {digest})"
            )
        return digest

    @staticmethod
    @contextlib.contextmanager
    def _temporary_copy(path: Path, content: bytes) -> Iterator[Path]:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.chmod(0o444)
            yield temporary
        finally:
            temporary.unlink(missing_ok=True)


def _fsync_directory(folder: Path) -> None:
    """Make the new directory entry durable: an issued notice must survive a power cut."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class S3Vault:
    """Documents as objects in an S3-compatible bucket.

    Each object carries its SHA-256 twice: as user metadata (x-amz-meta-sha256), which `put`
    compares to tell an idempotent re-issue from an attempt to replace a document, and as the
    upload's ChecksumSHA256, so the store itself rejects a body corrupted on the way. The upload
    is conditional (If-None-Match: *): the HEAD before it answers the common case cheaply, the
    condition makes the store refuse the write if another issuer got there in between. Reads
    still verify the hash: the metadata travels with the object and is no proof of integrity
    on its own; the hash the caller kept in the database is.

    Calls time out (10 s to connect and to read by default) and are retried a few times by
    botocore; a store that stays unreachable raises VaultUnavailable.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
        connect_timeout: float = 10.0,
        read_timeout: float = 10.0,
        max_attempts: int = 3,
    ) -> None:
        self.bucket = bucket
        self.region = region
        self.prefix = f"{validate_key(prefix.strip('/'))}/" if prefix.strip("/") else ""
        config = Config(
            region_name=region,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": max_attempts, "mode": "standard"},
            # Self-hosted S3-compatible stores (MinIO, Ceph, moto) are addressed by path: their
            # endpoint is an IP or one host name, with no wildcard DNS for bucket subdomains.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        )
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (the embedded and test set-ups; in
        production the bucket is provisioned with its own retention policy)."""
        with _unavailable_on_connection_errors():
            try:
                self._client.head_bucket(Bucket=self.bucket)
                return
            except ClientError as error:
                if _status(error) != 404:
                    raise
            arguments: dict[str, Any] = {"Bucket": self.bucket}
            if self.region != "us-east-1":  # S3 rejects a LocationConstraint naming its default
                arguments["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            try:
                self._client.create_bucket(**arguments)
            except ClientError as error:
                if _code(error) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def put(self, key: str, content: bytes) -> str:
        digest = hashlib.sha256(content)
        hex_digest = digest.hexdigest()
        object_key = self._object_key(key)
        with _unavailable_on_connection_errors():
            stored = self._stored_hash(object_key)
            if stored is not None:
                return self._same_as_stored(key, stored, hex_digest)
            try:
                self._client.put_object(
                    Bucket=self.bucket,
                    Key=object_key,
                    Body=content,
                    ContentType=_content_type(key),
                    Metadata={"sha256": hex_digest},
                    ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),
                    IfNoneMatch="*",
                )
            except ClientError as error:
                if _status(error) not in (409, 412):
                    raise
                # Another issuer wrote the key between our HEAD and PUT.
                stored = self._stored_hash(object_key)
                if stored is None:
                    raise VaultUnavailable(f"a concurrent write to {key!r} is in progress; retry") from error
                return self._same_as_stored(key, stored, hex_digest)
        return hex_digest

    def get(self, key: str, sha256: str) -> bytes:
        expected = _expected_hash(sha256)
        object_key = self._object_key(key)
        with _unavailable_on_connection_errors():
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=object_key)
            except ClientError as error:
                if _code(error) in ("NoSuchKey", "404"):
                    raise DocumentMissing(f"no document under key {key!r}") from None
                raise
            content: bytes = response["Body"].read()
        actual = sha256_hex(content)
        if actual != expected:
            raise DocumentTampered(f"document {key!r} has sha256 {actual}, but {expected} was issued")
        return content

    def _object_key(self, key: str) -> str:
        return f"{self.prefix}{validate_key(key)}"

    def _stored_hash(self, object_key: str) -> str | None:
        """The sha256 metadata of the object under the key ("" if it has none), None if absent."""
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=object_key)
        except ClientError as error:
            if _status(error) == 404:
                return None
            raise
        return str(head.get("Metadata", {}).get("sha256", ""))

    @staticmethod
    def _same_as_stored(key: str, stored: str, digest: str) -> str:
        if stored != digest:
            raise DocumentTampered(
                f"key {key!r} already holds a document with sha256 {stored or '(none recorded)'}; "
                f"an issued document cannot be replaced (new content has sha256 {digest})"
            )
        return digest


def _content_type(key: str) -> str:
    return "application/pdf" if key.lower().endswith(".pdf") else "application/octet-stream"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


@contextlib.contextmanager
def _unavailable_on_connection_errors() -> Iterator[None]:
    """Connection failures and the store's own 5xx answers become VaultUnavailable, after
    botocore's retries; a refusal (403, a missing bucket) is a configuration error and is
    left as it is."""
    try:
        yield
    except (BotoConnectionError, HTTPClientError) as error:
        raise VaultUnavailable(f"the document store cannot be reached: {error}") from error
    except ClientError as error:
        if _status(error) >= 500:
            raise VaultUnavailable(f"the document store is failing: {error}") from error
        raise
