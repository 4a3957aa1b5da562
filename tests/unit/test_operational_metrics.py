"""The pure parts of the operational metrics: a statement's kind, a pool's bounds, the queue
depth and verify collectors over given readings, a callback's label. Their figures against
MariaDB, RabbitMQ and a served app: tests/integration/test_operational_metrics.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from backend.composition.callback_metrics import OTHER, CallbackMetrics
from backend.composition.queue_metrics import CeleryQueueMetrics, QueueDepth, configured_queues
from backend.platform import db_metrics
from backend.platform.db import Database
from ledger.verify_metrics import VerifyMetrics
from ledger.verify_runs import LastVerifyRun


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("SELECT 1", "select"),
        ("  select id FROM pools", "select"),
        ("\n\tINSERT INTO ledger_postings VALUES (1)", "insert"),
        ("UPDATE ledger_balances SET balance = 1", "update"),
        ("delete from ledger_idempotency_keys", "delete"),
        ("WITH x AS (SELECT 1) SELECT * FROM x", "other"),
        ("BEGIN", "other"),
        ("SAVEPOINT sa_savepoint_1", "other"),
        ("SELECTED", "other"),
        ("", "other"),
        ("   ", "other"),
    ],
)
def test_a_statement_is_labelled_by_its_first_word_only(statement: str, kind: str) -> None:
    assert db_metrics.statement_kind(statement) == kind


def test_a_pools_bounds_are_its_size_and_overflow_and_none_without_a_bound(tmp_path: Path) -> None:
    """A file's QueuePool has SQLAlchemy's bounds; SQLite in memory shares one connection
    (StaticPool), which has none to saturate. (The gauges that follow checkouts and the
    statement counts, exactly, on MariaDB: tests/integration/test_operational_metrics.py.)"""
    on_file = Database(f"sqlite:///{tmp_path / 'pools.sqlite3'}")
    in_memory = Database("sqlite://")
    try:
        assert db_metrics.pool_capacity(on_file.primary) == (5, 10)
        assert db_metrics.pool_capacity(in_memory.primary) is None
    finally:
        on_file.dispose()
        in_memory.dispose()


def test_an_unknown_engine_role_is_refused_by_name() -> None:
    with pytest.raises(
        ValueError, match="engine role 'replica-2' is not one of primary, primary_reads, replica"
    ):
        db_metrics.instrument(Database("sqlite://").primary, "replica-2")


def _exposition(collector: Any) -> dict[str, float]:
    registry = CollectorRegistry()
    registry.register(collector)
    lines = generate_latest(registry).decode().splitlines()
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in lines if not line.startswith("#")
    }


def test_configured_queues_are_the_default_and_the_declared_ones_once() -> None:
    conf = SimpleNamespace(task_default_queue="pools", task_queues=[SimpleNamespace(name="exports"), "pools"])
    assert configured_queues(conf) == ("pools", "exports")
    assert configured_queues(SimpleNamespace(task_default_queue="pools", task_queues=None)) == ("pools",)


def test_every_configured_queue_is_reported_and_the_read_is_up() -> None:
    def read() -> Mapping[str, QueueDepth]:
        return {"pools": QueueDepth(ready=7, consumers=2), "unconfigured": QueueDepth(99, 0)}

    assert _exposition(CeleryQueueMetrics(("pools", "exports"), read)) == {
        'celery_queue_messages_ready{queue="pools"}': 7.0,
        'celery_queue_messages_ready{queue="exports"}': 0.0,  # not declared yet: nothing in it
        'celery_queue_consumers{queue="pools"}': 2.0,
        'celery_queue_consumers{queue="exports"}': 0.0,
        "celery_queue_reader_up": 1.0,
    }


def test_a_broker_that_does_not_answer_is_a_reader_down_and_no_depth() -> None:
    def read() -> Mapping[str, QueueDepth]:
        raise TimeoutError("timed out")

    assert _exposition(CeleryQueueMetrics(("pools",), read)) == {"celery_queue_reader_up": 0.0}


def test_books_never_verified_read_as_verified_at_the_epoch() -> None:
    assert _exposition(VerifyMetrics(lambda: None)) == {"ledger_verify_last_run_timestamp_seconds": 0.0}


def test_the_last_verification_is_its_time_result_entries_and_breaks() -> None:
    finished = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    broken = LastVerifyRun(finished_at=finished, ok=False, entries=1234, breaks=2)
    assert _exposition(VerifyMetrics(lambda: broken)) == {
        "ledger_verify_last_run_timestamp_seconds": finished.timestamp(),
        "ledger_verify_last_run_ok": 0.0,
        "ledger_verify_last_run_entries": 1234.0,
        "ledger_verify_last_run_breaks": 2.0,
    }


def test_an_unreadable_verification_record_leaves_the_gauges_out() -> None:
    def read() -> LastVerifyRun | None:
        raise OSError("database gone")

    assert _exposition(VerifyMetrics(read)) == {}


def test_a_callback_is_labelled_only_by_an_output_the_portal_registered() -> None:
    callbacks = CallbackMetrics(CollectorRegistry(), lambda: {"pool-table.data", "..a.children...b.style.."})
    assert callbacks.callback_of({"output": "pool-table.data"}) == "pool-table.data"
    assert callbacks.callback_of({"output": "..a.children...b.style.."}) == "..a.children...b.style.."
    assert callbacks.callback_of({"output": "made-up.children"}) == OTHER
    assert callbacks.callback_of({"output": ["pool-table.data"]}) == OTHER
    assert callbacks.callback_of(["pool-table.data"]) == OTHER
    assert callbacks.callback_of(None) == OTHER


def test_a_callback_is_counted_by_status_and_timed() -> None:
    registry = CollectorRegistry()
    callbacks = CallbackMetrics(registry, lambda: {"pool-table.data"})
    callbacks.observe("pool-table.data", 200, 0.02)
    callbacks.observe("pool-table.data", 200, 0.03)
    callbacks.observe("pool-table.data", 500, 0.5)
    value = registry.get_sample_value
    assert value("dash_callbacks_total", {"callback": "pool-table.data", "status": "200"}) == 2.0
    assert value("dash_callbacks_total", {"callback": "pool-table.data", "status": "500"}) == 1.0
    assert value("dash_callback_duration_seconds_count", {"callback": "pool-table.data"}) == 3.0
    assert (
        value("dash_callback_duration_seconds_bucket", {"callback": "pool-table.data", "le": "0.05"}) == 2.0
    )
