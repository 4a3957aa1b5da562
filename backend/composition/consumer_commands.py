"""`python app.py notifications ...` and `python app.py payments ...`: the services that act on
the ledger's events, and their periodic chores run by hand.

    notifications consume | send
    payments consume | sweep | remind [--date D] | reconcile [--date D]

`consume` reads the ledger's RabbitMQ exchange until SIGTERM (needs an AMQP
CELERY_BROKER_URL; the embedded default acts on the events in the app's own process)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from backend.composition.container import Container
from backend.composition.metrics_server import add_metrics_port_option
from backend.composition.process_signals import stop_on_signals
from backend.platform.config import Settings
from ledger.interface import LedgerEvent


def add_consumer_parsers(sub: Any) -> None:
    """The commands of the services that consume the ledger's events."""
    notifications = sub.add_parser("notifications", help="in-app notifications from ledger events")
    notifications_sub = notifications.add_subparsers(dest="notifications_command", required=True)
    add_metrics_port_option(
        notifications_sub.add_parser("consume", help="consume the ledger's RabbitMQ exchange (long-running)")
    )
    notifications_sub.add_parser("send", help="send the emails that are due, once each")
    notifications.set_defaults(func=cmd_notifications)
    payments = sub.add_parser("payments", help="payment requests and the gateway's loose ends")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    payments_sub.add_parser("sweep", help="resume unanswered gateway attempts; post lagging contributions")
    add_metrics_port_option(
        payments_sub.add_parser("consume", help="open payment requests from capital calls (RabbitMQ)")
    )
    remind = payments_sub.add_parser("remind", help="the day's reminders of capital calls due or overdue")
    remind.add_argument("--date", help="the day (YYYY-MM-DD); today by default")
    reconcile = payments_sub.add_parser("reconcile", help="a day's gateway and bank money against the books")
    reconcile.add_argument("--date", help="YYYY-MM-DD (default: yesterday); exit 1 when anything differs")
    payments.set_defaults(func=cmd_payments)


def cmd_notifications(args: argparse.Namespace, settings: Settings) -> int:
    from notifications import amqp
    from notifications.consumer import EVENT_TYPES

    container = Container(settings)
    if args.notifications_command == "send":
        service = container.notifications
        for channel, counts in (("email", service.send_due_emails()), ("sms", service.send_due_sms())):
            print(f"{channel}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
        return 0
    return _consume(
        args,
        settings,
        container.notification_consumer,
        event_types=EVENT_TYPES,
        queue=amqp.QUEUE,
        embedded="notifies in-process",
    )


def cmd_payments(args: argparse.Namespace, settings: Settings) -> int:
    from backend.tasks.payments import sweep_payments

    container = Container(settings)
    if args.payments_command == "sweep":
        # What a crash, a lost answer or a webhook that never came left behind: ask the gateway
        # about unanswered attempts, then bring the books in line. Safe to run at any time.
        done = sweep_payments(container.payments, container.payment_catch_up)
        print(
            f"requests and payouts caught up: {done['caught_up']}; "
            f"gateway attempts looked at: {done['looked_at']}; ledger entries written: {done['written']}; "
            f"bank details re-sealed: {done['resealed']}"
        )
        return 0
    if args.payments_command == "remind":
        day = date.fromisoformat(args.date) if args.date else date.today()
        print(f"payment reminders sent for {day}: {container.payments.send_payment_reminders(day)}")
        return 0
    if args.payments_command == "reconcile":
        on = date.fromisoformat(args.date) if args.date else date.today() - timedelta(days=1)
        report = container.payments.reconcile(on)
        print(
            f"reconciliation {report.run_id} of {on}: {report.gateway_entries} gateway movements, "
            f"{report.statement_lines} statement lines, {len(report.differences)} differences"
        )
        if report.gateway_error:
            print(f"  {report.gateway_error}")
        for d in report.differences:
            print(f"  {d.kind.value}: {d.detail} -> {d.action}")
        return 1 if report.differences or report.gateway_error else 0
    from backend.payments.consumer import EVENT_TYPES

    return _consume(
        args,
        settings,
        container.payment_consumer,
        event_types=EVENT_TYPES,
        queue="payments.ledger-events",
        embedded="opens requests in-process",
    )


def _consume(
    args: argparse.Namespace,
    settings: Settings,
    handle: Callable[[LedgerEvent], None],
    *,
    event_types: Sequence[str],
    queue: str,
    embedded: str,
) -> int:
    """Consume `event_types` from the ledger's exchange on `queue` until SIGTERM."""
    from backend.composition.metrics_server import metrics_port, serving_metrics
    from ledger.outbox import amqp_url
    from notifications import amqp

    url = amqp_url(settings.celery_broker_url)
    if url is None:
        problem = f"error: CELERY_BROKER_URL is not an AMQP URL; the embedded default {embedded}"
        print(problem, file=sys.stderr)
        return 2
    stop = stop_on_signals()
    with serving_metrics(metrics_port(args.metrics_port, settings), settings):
        print(f"consuming {', '.join(event_types)} from queue {queue}", flush=True)
        amqp.consume(url, handle, list(event_types), stop, queue=queue)
    return 0
