"""The SQL a bulk write sends, built from the models: multi-row INSERTs with the driver's
placeholders, the column lists (read from the models, the one list of them), the balance
updates and the outbox rows a batch's entries would have written singly."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection, Dialect

from backend.platform import trace_context
from backend.platform.errors import ValidationFailed
from backend.platform.orm import Base
from ledger.batch.planning import PlannedEntry
from ledger.events import with_effective_date
from ledger.hash_chain import to_scaled
from ledger.models import Account, Balance, JournalEntry, OutboxEvent, Posting
from ledger.schemas import (
    EventType,
)

IN_CHUNK = 900  # ids per IN (...) list: under SQLite's default 999 bound variables


def placeholders(dialect: Dialect, count: int) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def binder(column: ColumnElement[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """How the column's type turns a Python value into what the driver is given."""
    processor = column.type.bind_processor(dialect)
    return processor if processor is not None else (lambda value: value)


def insert_sql(dialect: Dialect, table: str, columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({placeholders(dialect, len(columns))})"  # noqa: S608


def chunks(values: Sequence[int], size: int = IN_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def columns(model: type[Base], *, unset: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The columns a bulk insert fills, in table order, read from the model (the one list of
    them): every column but the generated key and those a batch never sets."""
    return tuple(c.name for c in model.__table__.columns if not c.primary_key and c.name not in unset)


POSTING_COLUMNS = columns(Posting)


ACCOUNT_COLUMNS = columns(Account)


ENTRY_COLUMNS = columns(JournalEntry, unset=("reverses_entry_id",))  # a batch never reverses


# -- balances: locked in ascending account id, then set ------------------------------------
def update_balances(
    conn: Connection, deltas: dict[int, int], last_entry: dict[int, int], now: datetime
) -> None:
    ids = sorted(deltas)
    current: dict[int, int] = {}
    pool_of: dict[int, int] = {}
    for chunk in chunks(ids):
        for account_id, balance, pool_id in conn.execute(
            select(Balance.__table__.c.account_id, Balance.__table__.c.balance, Balance.__table__.c.pool_id)
            .where(Balance.__table__.c.account_id.in_(list(chunk)))
            .order_by(Balance.__table__.c.account_id)
            .with_for_update()
        ):
            current[int(account_id)] = to_scaled(balance)  # read back as Decimal
            pool_of[int(account_id)] = int(pool_id)
    if len(current) != len(ids):
        raise ValidationFailed("a ledger account has no balance row; run `app.py ledger verify`")
    dialect = conn.dialect
    stored_now = binder(Balance.__table__.c.updated_at, dialect)(now)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # Every row exists and is locked (above): an upsert that always updates, written as a
    # multi-row INSERT so the driver sends the whole batch in a few statements instead of one
    # UPDATE per account.
    if dialect.name == "sqlite":
        conflict = (
            "ON CONFLICT(account_id) DO UPDATE SET balance = excluded.balance, "
            "last_entry_id = excluded.last_entry_id, updated_at = excluded.updated_at"
        )
    else:
        conflict = (
            "ON DUPLICATE KEY UPDATE balance = VALUES(balance), "
            "last_entry_id = VALUES(last_entry_id), updated_at = VALUES(updated_at)"
        )
    conn.exec_driver_sql(
        "INSERT INTO ledger_balances (account_id, pool_id, balance, last_entry_id, updated_at) "  # noqa: S608 - placeholders and a fixed clause only
        f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}) {conflict}",
        [
            (
                account_id,
                pool_of[account_id],
                current[account_id] + deltas[account_id],
                last_entry[account_id],
                stored_now,
            )
            for account_id in ids
        ],
    )


# -- the outbox: the events single writes would have written, in the same order ------------
OUTBOX_COLUMNS = columns(OutboxEvent, unset=("published_at",))  # the relay sets it


def outbox_rows(
    *,
    pool_id: int,
    entries: Sequence[PlannedEntry],
    entry_ids: Sequence[int],
    hashes: Sequence[tuple[str, str]],
    first_seq: int,
    stored_at: Any,
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    traceparent = trace_context.current_traceparent()  # the import's request, for every event
    for index, (entry, entry_id) in enumerate(zip(entries, entry_ids, strict=True)):
        draft = entry.draft
        # The same thin `entry.committed` body a single write sends (journal.committed_event).
        payload: dict[str, Any] = {
            "entry_id": entry_id,
            "pool_id": pool_id,
            "seq": first_seq + index,
            "entry_type": draft.entry_type.value,
            "effective_date": draft.effective_date.isoformat(),
            "reverses_entry_id": None,
            "hash": hashes[index][1],
            "investor_ids": sorted(
                {line.investor_id for line in draft.lines if line.investor_id is not None}
            ),
        }
        events = [(EventType.ENTRY_COMMITTED.value, payload)]
        events += [
            (event.event_type, with_effective_date(event.payload, draft.effective_date, draft.memo))
            for event in draft.events
        ]
        for event_type, body in events:
            rows.append(
                (
                    str(uuid.uuid4()),
                    event_type,
                    pool_id,
                    entry_id,
                    json.dumps(body, sort_keys=True, default=str),
                    stored_at,
                    traceparent,
                )
            )
    return rows
