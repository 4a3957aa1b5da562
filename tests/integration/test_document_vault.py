"""The document vault on real stores: a folder on disk (FolderVault) and an S3-compatible
server over HTTP (S3Vault against moto's server on 127.0.0.1). Each behaviour every vault
promises runs on both through one parametrised fixture; what only one store has follows."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from notifications.pdf import BankInstructions, CapitalCallNotice, render_capital_call
from notifications.vault import (
    DocumentMissing,
    DocumentTampered,
    FolderVault,
    S3Vault,
    VaultStore,
    VaultUnavailable,
)
from tests.integration.s3_support import ACCESS_KEY, REGION, SECRET_KEY, S3Server, s3_server, unique_bucket

KEY = "pool-3/capital-call/2026-12-04-inv-17-abc.pdf"
CONTENT = b"%PDF-1.3 the notice as issued"
OTHER = b"%PDF-1.3 a different notice"
BAD_KEYS = [
    "",
    "../escape.pdf",
    "pool-3/../../escape.pdf",
    "pool-3/..",
    "/etc/passwd",
    "pool-3//notice.pdf",
    "pool-3/./notice.pdf",
    "pool-3/",
    "pool 3/notice.pdf",
    "pool-3\\notice.pdf",
    "pool-3/notice.pdf?x=1",
    "pool-3/avis-é.pdf",
    "a" * 1025,
]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """One server for the module (each test takes its own bucket): stopping a server waits out
    werkzeug's half-second poll, which would add up over every test."""
    with s3_server() as server:
        yield server


@pytest.fixture
def own_s3() -> Iterator[S3Server]:
    """A server for one test alone, which may stop it."""
    with s3_server() as server:
        yield server


def s3_client(endpoint_url: str) -> Any:
    """A plain client, for what the tests do behind the vault's back."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def s3_vault(server: S3Server, bucket: str, **options: Any) -> S3Vault:
    return S3Vault(
        bucket,
        endpoint_url=server.endpoint_url,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        **options,
    )


@dataclass
class Case:
    vault: VaultStore
    replace_behind_the_back: Callable[[str, bytes], None]
    """Overwrite the stored document directly in the store, as an intruder or a bad script would."""


@pytest.fixture(params=["folder", "s3"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Case:
    if request.param == "folder":
        root = tmp_path / "vault"

        def replace_file(key: str, content: bytes) -> None:
            path = root / key
            path.chmod(0o644)
            path.write_bytes(content)

        return Case(FolderVault(root), replace_file)

    server = request.getfixturevalue("s3")
    bucket = unique_bucket()
    vault = s3_vault(server, bucket)
    vault.ensure_bucket()
    client = s3_client(server.endpoint_url)

    def replace_object(key: str, content: bytes) -> None:
        # Keeps the old sha256 metadata: the read must check the bytes, not trust the label.
        client.put_object(Bucket=bucket, Key=key, Body=content, Metadata={"sha256": sha256(CONTENT)})

    return Case(vault, replace_object)


# --- every vault --------------------------------------------------------------------------


def test_put_returns_the_sha256_and_get_returns_the_bytes(case: Case) -> None:
    assert case.vault.put(KEY, CONTENT) == sha256(CONTENT)
    assert case.vault.get(KEY, sha256(CONTENT)) == CONTENT


def test_putting_the_same_content_again_is_a_no_op(case: Case) -> None:
    first = case.vault.put(KEY, CONTENT)
    assert case.vault.put(KEY, CONTENT) == first
    assert case.vault.get(KEY, first) == CONTENT


def test_different_content_under_an_issued_key_is_refused(case: Case) -> None:
    issued = case.vault.put(KEY, CONTENT)
    with pytest.raises(DocumentTampered, match="cannot be replaced"):
        case.vault.put(KEY, OTHER)
    assert case.vault.get(KEY, issued) == CONTENT


def test_a_document_changed_behind_the_vaults_back_is_detected_on_read(case: Case) -> None:
    issued = case.vault.put(KEY, CONTENT)
    case.replace_behind_the_back(KEY, OTHER)
    with pytest.raises(DocumentTampered, match=sha256(OTHER)):
        case.vault.get(KEY, issued)


def test_reading_with_a_hash_other_than_the_issued_one_fails(case: Case) -> None:
    case.vault.put(KEY, CONTENT)
    with pytest.raises(DocumentTampered):
        case.vault.get(KEY, sha256(OTHER))


def test_a_missing_document(case: Case) -> None:
    case.vault.put(KEY, CONTENT)
    with pytest.raises(DocumentMissing):
        case.vault.get("pool-3/capital-call/never-issued.pdf", sha256(CONTENT))


def test_documents_under_different_keys_are_independent(case: Case) -> None:
    other_key = "pool-3/distribution/2026-12-04-inv-17-def.pdf"
    case.vault.put(KEY, CONTENT)
    case.vault.put(other_key, OTHER)
    assert case.vault.get(KEY, sha256(CONTENT)) == CONTENT
    assert case.vault.get(other_key, sha256(OTHER)) == OTHER


@pytest.mark.parametrize("key", BAD_KEYS)
def test_unsafe_keys_are_refused(case: Case, key: str) -> None:
    with pytest.raises(ValueError, match="key"):
        case.vault.put(key, CONTENT)
    with pytest.raises(ValueError, match="key"):
        case.vault.get(key, sha256(CONTENT))


def test_a_rendered_capital_call_is_stored_and_read_back_intact(case: Case) -> None:
    notice = CapitalCallNotice(
        pool_name="Alpine Growth Fund II",
        currency="EUR",
        investor_name="Ana Lima",
        call_reference="CC-2026-04",
        notice_date=date(2026, 12, 4),
        due_date=date(2026, 12, 18),
        commitment=Decimal("1000000.00"),
        called_before=Decimal("400000.00"),
        amount_due=Decimal("250000.00"),
        unfunded_after=Decimal("350000.00"),
        payment_reference="AGF2-CC04-INV17",
        bank=BankInstructions("Alpine Growth Fund II SCSp", "LU28 0019 4006 4475 0000", "BCEELULL", "BCEE"),
        purpose="Investments and fees",
    )
    pdf = render_capital_call(notice)
    issued = case.vault.put(KEY, pdf)
    # Issuing again re-renders: the same notice must give the same bytes, so it is a no-op.
    assert case.vault.put(KEY, render_capital_call(notice)) == issued

    stored = case.vault.get(KEY, issued)
    assert stored == pdf
    text = PdfReader(io.BytesIO(stored)).pages[0].extract_text()
    assert "This call EUR 250,000.00" in text
    assert "Payment reference AGF2-CC04-INV17" in text


# --- the folder ---------------------------------------------------------------------------


def test_folder_vault_writes_read_only_files_at_the_keys_path(tmp_path: Path) -> None:
    vault = FolderVault(tmp_path / "vault")
    vault.put(KEY, CONTENT)
    path = tmp_path / "vault" / "pool-3" / "capital-call" / "2026-12-04-inv-17-abc.pdf"
    assert path.read_bytes() == CONTENT
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    # the temporary file it was written through is gone
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_folder_vault_writes_nothing_for_a_refused_key(tmp_path: Path) -> None:
    vault = FolderVault(tmp_path / "vault")
    with pytest.raises(ValueError, match="key"):
        vault.put("../escape.pdf", CONTENT)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_folder_vault_loses_a_race_to_a_different_document_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another issuer links its file into place between this put's check and its own link:
    this put must neither overwrite it nor report success."""
    vault = FolderVault(tmp_path / "vault")
    real_link = os.link

    def rival_first(source: Any, destination: Any) -> None:
        Path(destination).write_bytes(OTHER)
        real_link(source, destination)

    monkeypatch.setattr("notifications.vault.os.link", rival_first)
    with pytest.raises(DocumentTampered):
        vault.put(KEY, CONTENT)
    monkeypatch.undo()
    assert vault.get(KEY, sha256(OTHER)) == OTHER


def test_folder_vault_loses_a_race_to_the_same_document_idempotently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = FolderVault(tmp_path / "vault")
    real_link = os.link

    def rival_first(source: Any, destination: Any) -> None:
        Path(destination).write_bytes(CONTENT)
        real_link(source, destination)

    monkeypatch.setattr("notifications.vault.os.link", rival_first)
    assert vault.put(KEY, CONTENT) == sha256(CONTENT)


# --- S3 -----------------------------------------------------------------------------------


def test_s3_object_carries_its_hash_type_and_upload_checksum(s3: S3Server) -> None:
    bucket = unique_bucket()
    vault = s3_vault(s3, bucket, prefix="/notices/")
    vault.ensure_bucket()
    vault.ensure_bucket()  # a second call finds the bucket and leaves it be
    sent: list[dict[str, Any]] = []
    vault._client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers))
    )

    vault.put(KEY, CONTENT)

    head = s3_client(s3.endpoint_url).head_object(Bucket=bucket, Key=f"notices/{KEY}")
    assert head["Metadata"] == {"sha256": sha256(CONTENT)}
    assert head["ContentType"] == "application/pdf"
    # The store is asked to verify the body against its SHA-256 (moto does not; S3 does).
    assert len(sent) == 1
    expected = base64.b64encode(hashlib.sha256(CONTENT).digest())
    assert sent[0]["x-amz-checksum-sha256"] == expected
    assert sent[0]["If-None-Match"] == b"*"


def test_s3_object_with_other_content_before_the_first_put_is_not_overwritten(s3: S3Server) -> None:
    bucket = unique_bucket()
    vault = s3_vault(s3, bucket)
    vault.ensure_bucket()
    client = s3_client(s3.endpoint_url)
    client.put_object(Bucket=bucket, Key=KEY, Body=OTHER)  # no sha256 metadata at all

    with pytest.raises(DocumentTampered, match="none recorded"):
        vault.put(KEY, CONTENT)
    assert client.get_object(Bucket=bucket, Key=KEY)["Body"].read() == OTHER


@pytest.mark.parametrize(("rival", "outcome"), [(OTHER, "refused"), (CONTENT, "same")])
def test_s3_put_that_loses_a_race_neither_overwrites_nor_fails_an_identical_issue(
    s3: S3Server, rival: bytes, outcome: str
) -> None:
    """Another issuer writes the key between this put's HEAD and its PUT: the conditional
    upload is refused by the store, and the put then judges the rival's document."""
    bucket = unique_bucket()
    vault = s3_vault(s3, bucket)
    vault.ensure_bucket()
    client = s3_client(s3.endpoint_url)

    def rival_writes_first(**_: Any) -> None:
        client.put_object(Bucket=bucket, Key=KEY, Body=rival, Metadata={"sha256": sha256(rival)})

    vault._client.meta.events.register("before-call.s3.PutObject", rival_writes_first)
    if outcome == "refused":
        with pytest.raises(DocumentTampered):
            vault.put(KEY, CONTENT)
    else:
        assert vault.put(KEY, CONTENT) == sha256(CONTENT)
    assert client.get_object(Bucket=bucket, Key=KEY)["Body"].read() == rival


def test_s3_server_down_raises_vault_unavailable(own_s3: S3Server) -> None:
    bucket = unique_bucket()
    vault = s3_vault(own_s3, bucket, connect_timeout=1, read_timeout=1, max_attempts=1)
    vault.ensure_bucket()
    vault.put(KEY, CONTENT)
    own_s3.stop()  # the port now refuses connections at once: nothing here waits on a timeout

    with pytest.raises(VaultUnavailable):
        vault.get(KEY, sha256(CONTENT))
    with pytest.raises(VaultUnavailable):
        vault.put("pool-3/capital-call/another.pdf", OTHER)
    with pytest.raises(VaultUnavailable):
        vault.ensure_bucket()
