"""`python app.py ledger ...` and `python app.py import ...`: the books from the command line.

ledger verify [--pool ID]       recompute every hash and balance; exit 1 on a break
ledger relay [--metrics-port N] publish committed events (long-running; SIGTERM stops it)
import transactions FILE --pool ID [--as EMAIL] [--payouts-paid-until D]
                                post a CSV/XLSX file of transactions, all rows or none"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from typing import Any

from backend.composition.container import Container
from backend.composition.metrics_server import add_metrics_port_option
from backend.composition.process_signals import stop_on_signals
from backend.platform.actors import Actor
from backend.platform.config import Settings
from ledger.interface import IMPORT_COLUMNS


def add_ledger_parser(sub: Any) -> None:
    ledger = sub.add_parser("ledger", help="the books: verify them, relay their events")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    verify = ledger_sub.add_parser("verify", help="recompute every hash and balance; exit 1 on a break")
    verify.add_argument("--pool", type=int, help="only this pool (default: every pool)")
    add_metrics_port_option(
        ledger_sub.add_parser("relay", help="publish committed events: RabbitMQ if CELERY_BROKER_URL is AMQP")
    )
    ledger.set_defaults(func=cmd_ledger)
    importer = sub.add_parser("import", help="post a CSV/XLSX file of transactions, all or nothing")
    import_sub = importer.add_subparsers(dest="import_command", required=True)
    import_tx = import_sub.add_parser("transactions", help="columns: " + ", ".join(IMPORT_COLUMNS))
    import_tx.add_argument("file", help="a .csv or .xlsx file with a header row")
    import_tx.add_argument("--pool", type=int, required=True)
    import_tx.add_argument("--as", dest="as_email", help="act as this manager (default: the operator)")
    import_tx.add_argument(
        "--payouts-paid-until",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="history: distributions and redemptions up to this date were paid already; "
        "their payouts are recorded as paid, not queued to pay again",
    )
    importer.set_defaults(func=cmd_import)


def cmd_ledger(args: argparse.Namespace, settings: Settings) -> int:
    container = Container(settings)
    if args.ledger_command == "verify":
        report = container.ledger.verify(args.pool)
        print(report.describe())
        return 0 if report.ok else 1
    from backend.composition.metrics_server import metrics_port, serving_metrics

    stop = stop_on_signals()
    with serving_metrics(metrics_port(args.metrics_port, settings), settings):
        print(f"relaying ledger events to {type(container.ledger_publisher).__name__}", flush=True)
        container.ledger_relay.run_forever(stop)
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from ledger.importer import import_transactions

    container = Container(settings)
    actor = Actor.operator(getpass.getuser())
    if args.as_email:
        user = container.users.find_by_email(actor, args.as_email)
        actor = Actor(user_id=user.id, role=user.role, label=user.email)
    outcome = import_transactions(container.transactions, actor, args.pool, Path(args.file))
    if outcome.result is None:
        for error in outcome.errors:
            print(error.describe(), file=sys.stderr)
        print(f"nothing was written: {len(outcome.errors)} problem(s) in {args.file}", file=sys.stderr)
        return 1
    r = outcome.result
    print(
        f"imported {r.rows} rows into pool {r.pool_id}: {r.entries} entries, {r.postings} postings written"
        + (f" (seq {r.first_seq}..{r.last_seq})" if r.first_seq is not None else "")
    )
    if args.payouts_paid_until is not None:
        # Imported history: its distributions and redemptions were paid by the bank already.
        why = f"paid before payouts were tracked here (imported from {Path(args.file).name})"
        closed = container.payments.close_payout_history(args.payouts_paid_until, why, args.pool)
        print(f"payouts up to {args.payouts_paid_until}: {closed} recorded as paid outside the platform")
    return 0
