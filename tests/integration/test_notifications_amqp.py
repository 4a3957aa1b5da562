"""The notifications consumer on real RabbitMQ: events from the ledger's exchange become
notifications once, redelivery is harmless, and a bad message is dead-lettered."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pika
import pytest

from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from ledger.interface import LedgerEvent
from ledger.outbox import RabbitPublisher, amqp_url
from notifications import amqp
from notifications.consumer import EVENT_TYPES
from sql.migrate import upgrade
from tests.conftest import AMQP_URL
from tests.integration.pools_support import World, make_world, open_pool

URL = amqp_url(AMQP_URL) or AMQP_URL


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'notify.sqlite3'}"
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    container = Container(load_settings(VAR_DIR=str(tmp_path / "var")), db=db, cache=InProcessCache())
    yield make_world(container)
    db.dispose()


def _wait(predicate: object, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_events_on_the_exchange_become_notifications_once(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    investor = world.investor_profile(world.investor)
    exchange, queue = f"test.ledger.{uuid.uuid4().hex[:8]}", f"test.notify.{uuid.uuid4().hex[:8]}"
    event = LedgerEvent(
        event_id=str(uuid.uuid4()),
        event_type="valuation.recorded",
        pool_id=pool,
        entry_id=1,
        occurred_at=datetime.now(UTC),
        payload={"net_asset_value": "1050.00", "allocation": {str(investor): "50.00"}},
    )
    stop = threading.Event()
    consumer = threading.Thread(
        target=amqp.consume,
        args=(URL, c.notification_consumer, EVENT_TYPES, stop),
        kwargs={"queue": queue, "exchange": exchange},
        daemon=True,
    )
    consumer.start()
    publisher = RabbitPublisher(URL, exchange=exchange)
    try:
        time.sleep(0.5)  # the consumer declares and binds its queue
        publisher.publish(event)
        assert _wait(lambda: c.notifications.unread_count(world.investor) == 1)
        assert c.notifications.unread_count(world.manager) == 1
        mine = c.notifications.list_for_user(world.investor).items[0]
        assert "50.00" in mine.body
        publisher.publish(event)  # a redelivery of the same event: nothing new
        connection = pika.BlockingConnection(pika.URLParameters(URL))
        channel = connection.channel()
        channel.basic_publish(exchange, "valuation.recorded", b"not a ledger event")
        assert _wait(lambda: channel.queue_declare(f"{queue}.dead", passive=True).method.message_count == 1)
        assert _wait(lambda: channel.queue_declare(queue, passive=True).method.message_count == 0)
        assert c.notifications.unread_count(world.investor) == 1
        assert c.notifications.unread_count(world.other_investor) == 0
    finally:
        stop.set()
        consumer.join(10)
        publisher.close()
        cleanup = pika.BlockingConnection(pika.URLParameters(URL)).channel()
        for name in (queue, f"{queue}.dead", f"{exchange}.unrouted"):
            cleanup.queue_delete(name)
        for name in (exchange, f"{queue}.dead", f"{exchange}.unrouted"):
            cleanup.exchange_delete(name)
