"""The outbox relay publishing to real RabbitMQ: committed events once each, with publisher
confirms, persistent, message_id = event id; nothing for a rolled-back entry."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pika
import pytest
from sqlalchemy import select

from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import AccountCode, EntryType, EventIn
from ledger.journal import DraftLine, EntryDraft, JournalEngine
from ledger.models import OutboxEvent
from ledger.outbox import DatabaseOutboxRelay, RabbitPublisher, amqp_url
from ledger.service import DatabaseLedgerService
from tests.conftest import AMQP_URL
from tests.ledger_entries import write_draft

OPERATOR = Actor.operator("outbox-test")
BROKER = amqp_url(AMQP_URL) or AMQP_URL  # the Celery-style URL, as the container would read it
POOL = 77


@pytest.fixture
def exchange() -> Iterator[tuple[str, str, Any]]:
    """A private exchange and a queue bound to every routing key; deleted afterwards."""
    name = f"test.ledger.{uuid.uuid4().hex[:12]}"
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    yield name, f"{name}.all", channel
    if not channel.is_open:
        channel = connection.channel()
    for queue in (f"{name}.all", f"{name}.unrouted"):
        channel.queue_delete(queue)
    for ex in (name, f"{name}.unrouted"):
        channel.exchange_delete(ex)
    connection.close()


def _draft(amount: str, events: tuple[EventIn, ...] = ()) -> EntryDraft:
    lines = (
        DraftLine(AccountCode.CASH, None, Decimal(amount)),
        DraftLine(AccountCode.INCOME, None, -Decimal(amount)),
    )
    return EntryDraft(POOL, "GBP", EntryType.INCOME, date(2026, 5, 1), "", lines, events)


def _drain_queue(channel: Any, queue: str) -> list[tuple[Any, dict[str, Any]]]:
    messages: list[tuple[Any, dict[str, Any]]] = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            return messages
        messages.append((properties, json.loads(body)))


def test_committed_events_are_published_once_to_rabbitmq(
    container: Container, exchange: tuple[str, str, Any]
) -> None:
    name, queue, channel = exchange
    publisher = RabbitPublisher(BROKER, exchange=name)
    relay = DatabaseOutboxRelay(container.db, publisher, batch_size=2)
    ledger = DatabaseLedgerService(container.db)  # no after-commit hook: the relay below publishes
    publisher.declare()  # the exchange and its unrouted fallback
    assert relay.run_once() == 0
    channel.queue_declare(queue, durable=True)
    channel.queue_bind(queue, name, routing_key="#")

    ledger.open_books(POOL, "GBP")
    with UnitOfWork(container.db) as uow:  # rolled back: its events must never leave
        JournalEngine().write(uow.session, OPERATOR, _draft("999.00"), utcnow())
    first = write_draft(ledger, OPERATOR, _draft("10.00"), "a")
    call = EventIn(event_type="capital_call.issued", payload={"call": 1})
    second = write_draft(ledger, OPERATOR, _draft("20.00", (call,)), "b")

    assert relay.drain() == 3 and relay.run_once() == 0
    publisher.close()
    with UnitOfWork(container.db) as uow:
        rows = uow.session.execute(select(OutboxEvent.event_id, OutboxEvent.published_at)).all()
    assert len(rows) == 3 and all(published is not None for _, published in rows)

    messages = _drain_queue(channel, queue)
    assert sorted(p.message_id for p, _ in messages) == sorted(event_id for event_id, _ in rows)
    assert [(body["event_type"], body["entry_id"]) for _, body in messages] == [
        ("entry.committed", first.id),
        ("entry.committed", second.id),
        ("capital_call.issued", second.id),
    ]
    assert all(p.delivery_mode == 2 and p.content_type == "application/json" for p, _ in messages)
    assert messages[0][1]["payload"]["hash"] == first.hash
    assert all(body["payload"].get("postings", [{}])[0].get("amount") != "999.00" for _, body in messages)


def test_unrouted_events_are_kept_not_dropped(container: Container, exchange: tuple[str, str, Any]) -> None:
    name, _queue, channel = exchange
    publisher = RabbitPublisher(BROKER, exchange=name)
    ledger = DatabaseLedgerService(container.db)
    write_draft(ledger, OPERATOR, _draft("1.00"), "x")
    assert DatabaseOutboxRelay(container.db, publisher).run_once() == 1  # no consumer queue bound yet
    publisher.close()
    channel.queue_declare(f"{name}.all", durable=True)  # so the fixture's cleanup finds it
    kept = _drain_queue(channel, f"{name}.unrouted")
    assert [body["event_type"] for _, body in kept] == ["entry.committed"]


def test_amqp_url_selects_rabbitmq_only_for_amqp_brokers() -> None:
    # Celery's "//" is the "/" vhost, which pika wants encoded.
    assert amqp_url("amqp://guest:guest@127.0.0.1:5672//") == "amqp://guest:guest@127.0.0.1:5672/%2F"
    assert amqp_url("pyamqp://u:p@mq/") == "amqp://u:p@mq/%2F"
    assert amqp_url("amqps://u:p@mq:5671/prod?heartbeat=30") == "amqps://u:p@mq:5671/prod?heartbeat=30"
    assert amqp_url("redis://localhost:6379/0") is None and amqp_url(None) is None
