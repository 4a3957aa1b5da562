"""One command line for every role of the platform.

python app.py run                 migrate, seed the demo if empty, serve the portal (embedded)
python app.py serve [--workers N] serve the portal and API with gunicorn (production)
python app.py migrate             apply database migrations
python app.py seed [--scale demo|small|medium|large] [--seed N]   load a data set (empty db)
python app.py users create --email E --role R --password-stdin
python app.py users list
python app.py users disable --email E
python app.py ledger verify [--pool ID]   recompute hashes and balances; exit 1 on a break
python app.py ledger relay               publish committed ledger events (long-running)
python app.py worker [--concurrency N]   run Celery tasks (snapshots, purges) from RabbitMQ
python app.py beat                        schedule the nightly snapshots and hourly purges
python app.py notifications consume      turn ledger events on RabbitMQ into in-app notifications
python app.py notifications send         send the emails that are due (beat does it every 30 s)
python app.py import transactions FILE.csv|FILE.xlsx --pool ID [--as EMAIL]
                                          post a file of transactions, all rows or none
python app.py fx load FILE.csv [--as EMAIL]   load the ECB's FX reference rates (admins)
python app.py fx show [--date D]              each currency's FX rate in force

worker, beat, ledger relay, notifications consume and payments consume take --metrics-port N
(or METRICS_PORT): Prometheus metrics at http://METRICS_HOST:N/metrics (docs/operations.md).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask

from backend.composition.backup_commands import add_backup_parser
from backend.composition.container import Container
from backend.composition.fx_commands import add_fx_parser
from backend.composition.metrics_server import add_metrics_port_option
from backend.composition.rpc_commands import add_rpc_parser
from backend.composition.shard_commands import add_shards_parser
from backend.composition.stack_commands import add_stack_parser
from backend.platform.actors import Actor, Role
from backend.platform.config import Settings, load_settings
from backend.platform.errors import DomainError
from backend.platform.observability import logging_service, setup_logging, shared_metrics_dir
from ledger.interface import IMPORT_COLUMNS


def wsgi() -> Flask:
    """gunicorn entry point: `gunicorn 'app:wsgi()'`."""
    settings = load_settings()
    # A worker forked by `app.py serve` keeps the name "serve" it inherited; gunicorn run
    # on its own names it by SERVICE_NAME, else "app".
    setup_logging(settings.log_level, logging_service())
    return _create_server(Container(settings))


def _create_server(container: Container) -> Flask:
    from backend.composition.web import create_app
    from backend.platform.heap import freeze_startup_heap

    app = create_app(container)
    freeze_startup_heap()  # long-lived start-up objects out of the collector's full scans
    return app


def _migrate(settings: Settings) -> None:
    from sql.migrate import upgrade

    if settings.embedded:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.primary_url)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _migrate(settings)
    print(f"migrated {Container(settings).db.primary.url.render_as_string(hide_password=True)}")
    return 0


SEED_WORKERS = 2
"""Pools `seed` posts side by side on MariaDB: the client plans while the server writes."""


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from backend.seed.loader import SeedError, seed
    from backend.seed.scales import scale_named

    _migrate(settings)  # a fresh database is seeded as it is, not refused table by table
    container = Container(settings)
    try:
        # SQLite has one writer: its pools post one at a time.
        workers = 1 if settings.primary_url.startswith("sqlite") else SEED_WORKERS
        report = seed(
            container,
            scale_named(args.scale),
            seed=args.seed,
            as_of=args.as_of,
            batch=not args.one_by_one,
            workers=workers,
        )
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.describe())
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from backend.seed.demo import seed_demo

    _migrate(settings)
    settings, sandbox_note = _demo_gateway(settings)
    container = Container(settings)
    logins = seed_demo(container, lambda line: print(line, flush=True))
    stop_sending = _send_emails_in_background(container) if settings.celery_broker_url is None else None
    url = f"http://{settings.host}:{settings.port}"
    print(f"\n  Investment pools portal: {url}\n\n  Demo logins:")
    for login in logins:
        print(f"    {login.role.value:<9} {login.email:<22} {login.password}")
    print("\n  (passwords are generated on first run and kept in var/demo-logins.json)", flush=True)
    print(f"  {sandbox_note}\n", flush=True)
    try:
        _serve_embedded(settings)
    finally:
        if stop_sending is not None:
            stop_sending.set()  # the server is gone: so is the database it may be dropped with
    return 0


EMBEDDED_THREADS = 8


def _serve_embedded(settings: Settings) -> None:
    """The embedded portal under gunicorn, as production serves it, with one worker: the
    in-process cache, task runner and event bus are that worker's own, and a second worker
    would keep a second cache that never hears the first one's writes. Its threads serve
    requests side by side. The worker builds its own services: database connections are
    never carried across the fork."""
    _gunicorn(lambda: _create_server(Container(settings)), settings, workers=1, threads=EMBEDDED_THREADS)


def _send_emails_in_background(container: Container) -> threading.Event:
    """Without a broker there is no beat: the embedded demo sends its due emails (as .eml
    files in var/outbox/) itself, every 30 s, as the beat would, until the event is set."""
    import logging

    stop = threading.Event()

    def send_until_stopped() -> None:
        while not stop.is_set():
            try:
                container.notifications.send_due_emails()
                container.notifications.send_due_sms()
            except Exception:  # the demo keeps serving; the next round tries again
                logging.getLogger(__name__).exception("sending the demo's emails failed")
            stop.wait(30)

    threading.Thread(target=send_until_stopped, name="demo-emails", daemon=True).start()
    return stop


def _demo_gateway(settings: Settings) -> tuple[Settings, str]:
    """The embedded demo pays through a gateway sandbox in this process (test cards, bank
    debits that settle after 10 s, webhooks signed and sent back to this server), unless a
    real gateway is configured."""
    if settings.payment_gateway_api_key:
        return settings, "Payments: the configured gateway."
    from backend.payments.sandbox import SandboxGateway
    from backend.platform.secrets_store import load_or_create_webhook_secrets

    secrets = settings.payment_webhook_secrets or ",".join(load_or_create_webhook_secrets(settings.var_dir))
    key = "sk_test_demo"
    sandbox = SandboxGateway(
        api_key=key,
        webhook_url=f"http://{settings.host}:{settings.port}/api/v1/payments/webhooks/stripe",
        webhook_secrets=tuple(secrets.split(",")),
        bank_settle_after=10.0,
    )
    url = sandbox.start()
    gateway = {"payment_gateway_api_key": key, "payment_gateway_url": url, "payment_webhook_secrets": secrets}
    updated = settings.model_copy(update=gateway)
    return updated, f"Payments: a gateway sandbox at {url} (test cards such as tok_visa; no real money)."


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from backend.composition.metrics_server import share_metrics_between_processes

    # /metrics counts every gunicorn worker's requests, whichever worker answers.
    share_metrics_between_processes()
    _gunicorn(wsgi, settings, workers=args.workers, threads=args.threads)
    return 0


def _gunicorn(load_app: Callable[[], Flask], settings: Settings, *, workers: int, threads: int) -> None:
    """Serve the app ``load_app`` builds (in each worker, after the fork) with gunicorn."""
    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)
            # A stop (Ctrl-C, SIGTERM) waits this long for requests under way, not 30 s.
            self.cfg.set("graceful_timeout", 5)
            # One control socket per user home would make a second server on the machine (a
            # test run beside a demo) take over or refuse the first one's.
            self.cfg.set("control_socket_disable", True)
            if shared_metrics_dir():
                self.cfg.set("child_exit", _forget_worker_metrics)

        def load(self) -> Flask:
            return load_app()

    _Gunicorn().run()


def _forget_worker_metrics(_server: object, worker: Any) -> None:
    """gunicorn's child_exit: a worker that is gone no longer counts in live gauges."""
    from backend.composition.metrics_server import mark_process_dead

    mark_process_dead(worker.pid)


def _password_from_stdin(args: argparse.Namespace) -> str | None:
    """The password on stdin's first line; None (after saying why) without --password-stdin."""
    if not args.password_stdin:
        print("error: --password-stdin is required (passwords never go on the command line)", file=sys.stderr)
        return None
    return sys.stdin.readline().rstrip("\n")


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    from backend.users.schemas import UserCreate

    container = Container(settings)
    operator = Actor.operator(getpass.getuser())
    if args.users_command == "create":
        password = _password_from_stdin(args)
        if password is None:
            return 2
        user = container.users.create_user(
            operator,
            UserCreate(
                email=args.email, role=Role(args.role), password=password, display_name=args.name or ""
            ),
        )
        print(f"created user {user.id} {user.email} ({user.role.value})")
    elif args.users_command == "list":
        for user in container.users.list_users(operator):
            state = "active" if user.is_active else "disabled"
            print(f"{user.id}\t{user.email}\t{user.role.value}\t{state}")
    elif args.users_command == "set-password":
        password = _password_from_stdin(args)
        if password is None:
            return 2
        found = container.users.find_by_email(operator, args.email)
        container.users.set_password(operator, found.id, password)
        print(f"set the password of user {found.id} {found.email}; their sessions have ended")
    elif args.users_command in ("disable", "enable"):
        found = container.users.find_by_email(operator, args.email)
        user = container.users.set_active(operator, found.id, args.users_command == "enable")
        print(f"{args.users_command}d user {user.id} {user.email}")
    return 0


def cmd_ledger(args: argparse.Namespace, settings: Settings) -> int:
    container = Container(settings)
    if args.ledger_command == "verify":
        report = container.ledger.verify(args.pool)
        print(report.describe())
        return 0 if report.ok else 1
    import signal
    import threading

    from backend.composition.metrics_server import metrics_port, serving_metrics

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with serving_metrics(metrics_port(args.metrics_port, settings), settings):
        print(f"relaying ledger events to {type(container.ledger_publisher).__name__}", flush=True)
        container.ledger_relay.run_forever(stop)
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from backend.composition import portal_jobs  # noqa: F401 - hooks worker_init: the portal's jobs
    from backend.composition.celery_app import QUEUE
    from backend.composition.metrics_server import metrics_port, serving_worker_metrics

    if settings.celery_broker_url is None:
        print(
            "error: CELERY_BROKER_URL is not set; the embedded default runs tasks in-process", file=sys.stderr
        )
        return 2
    celery = Container(settings).celery
    argv = [
        "worker",
        "--loglevel",
        settings.log_level,
        "--queues",
        args.queue or QUEUE,
        "--concurrency",
        str(args.concurrency),
    ]
    if args.pool:
        argv += ["--pool", args.pool]
    # With a metrics port the worker restarts itself once, so that its pool's children count.
    with serving_worker_metrics(metrics_port(args.metrics_port, settings), settings):
        celery.worker_main(argv)
    return 0


def cmd_beat(args: argparse.Namespace, settings: Settings) -> int:
    from backend.composition.metrics_server import metrics_port, serving_metrics
    from backend.composition.queue_metrics import CeleryQueueMetrics, broker_queue_metrics

    if settings.celery_broker_url is None:
        print("error: CELERY_BROKER_URL is not set; there is nothing to schedule onto", file=sys.stderr)
        return 2
    celery = Container(settings).celery
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    schedule = str(settings.var_dir / "celerybeat-schedule")
    # The one process that reads the Celery queues' depth for Prometheus: one beat runs, so
    # the figure is reported once (backend/composition/queue_metrics.py).
    def queue_depths() -> list[CeleryQueueMetrics]:
        return [broker_queue_metrics(str(settings.celery_broker_url), celery.conf)]

    with serving_metrics(metrics_port(args.metrics_port, settings), settings, read_when_scraped=queue_depths):
        celery.start(["beat", "--loglevel", settings.log_level, "--schedule", schedule])
    return 0


def cmd_notifications(args: argparse.Namespace, settings: Settings) -> int:
    import signal
    import threading

    from backend.composition.metrics_server import metrics_port, serving_metrics
    from ledger.outbox import amqp_url
    from notifications import amqp
    from notifications.consumer import EVENT_TYPES

    if args.notifications_command == "send":
        service = Container(settings).notifications
        for channel, counts in (("email", service.send_due_emails()), ("sms", service.send_due_sms())):
            print(f"{channel}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
        return 0
    url = amqp_url(settings.celery_broker_url)
    if url is None:
        print(
            "error: CELERY_BROKER_URL is not an AMQP URL; the embedded default notifies in-process",
            file=sys.stderr,
        )
        return 2
    container = Container(settings)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with serving_metrics(metrics_port(args.metrics_port, settings), settings):
        print(f"consuming {', '.join(EVENT_TYPES)} from queue {amqp.QUEUE}", flush=True)
        amqp.consume(url, container.notification_consumer, EVENT_TYPES, stop)
    return 0


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
        from datetime import timedelta

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
    import signal
    import threading

    from backend.composition.metrics_server import metrics_port, serving_metrics
    from backend.payments.consumer import EVENT_TYPES
    from ledger.outbox import amqp_url
    from notifications import amqp

    url = amqp_url(settings.celery_broker_url)
    if url is None:
        print(
            "error: CELERY_BROKER_URL is not an AMQP URL; the embedded default opens requests in-process",
            file=sys.stderr,
        )
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    queue = "payments.ledger-events"
    with serving_metrics(metrics_port(args.metrics_port, settings), settings):
        print(f"consuming {', '.join(EVENT_TYPES)} from queue {queue}", flush=True)
        amqp.consume(url, container.payment_consumer, EVENT_TYPES, stop, queue=queue)
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


def _add_celery_parsers(sub: Any) -> None:
    """The Celery worker and beat."""
    worker = sub.add_parser("worker", help="run Celery tasks from RabbitMQ (needs CELERY_BROKER_URL)")
    worker.add_argument("--concurrency", type=int, default=2)
    worker.add_argument("--pool", choices=["prefork", "threads", "solo"], default=None)
    worker.add_argument("--queue", default=None, help="consume this queue (default: pools)")
    add_metrics_port_option(worker)
    worker.set_defaults(func=cmd_worker)
    beat = sub.add_parser("beat", help="the Celery beat scheduler (one per deployment)")
    add_metrics_port_option(beat)
    beat.set_defaults(func=cmd_beat)


def _add_consumer_parsers(sub: Any) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description="Investment pools platform")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="embedded demo: migrate, seed, serve").set_defaults(func=cmd_run)
    serve = sub.add_parser("serve", help="serve with gunicorn (production)")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=4)
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply migrations").set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed", help="load a data set")
    seed.add_argument("--scale", choices=["demo", "small", "medium", "large"], default="demo")
    seed.add_argument("--seed", type=int, default=1, help="same seed, same data set (default 1)")
    seed.add_argument(
        "--as-of", type=date.fromisoformat, default=None, help="last day of history (default 2026-09-30)"
    )
    seed.add_argument(
        "--one-by-one",
        action="store_true",
        help="post every transaction singly, even when batches are available",
    )
    seed.set_defaults(func=cmd_seed)

    users = sub.add_parser("users", help="manage users without the portal")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    create = users_sub.add_parser("create")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--name")
    create.add_argument("--password-stdin", action="store_true")
    users_sub.add_parser("list")
    for verb in ("disable", "enable"):
        users_sub.add_parser(verb).add_argument("--email", required=True)
    set_password = users_sub.add_parser("set-password", help="reset a password (read from stdin)")
    set_password.add_argument("--email", required=True)
    set_password.add_argument("--password-stdin", action="store_true")
    users.set_defaults(func=cmd_users)

    ledger = sub.add_parser("ledger", help="the books: verify them, relay their events")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    verify = ledger_sub.add_parser("verify", help="recompute every hash and balance; exit 1 on a break")
    verify.add_argument("--pool", type=int, help="only this pool (default: every pool)")
    add_metrics_port_option(
        ledger_sub.add_parser("relay", help="publish committed events: RabbitMQ if CELERY_BROKER_URL is AMQP")
    )
    ledger.set_defaults(func=cmd_ledger)

    _add_celery_parsers(sub)
    _add_consumer_parsers(sub)
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
    add_fx_parser(sub)
    add_backup_parser(sub)
    add_rpc_parser(sub)
    add_shards_parser(sub)
    add_stack_parser(sub)
    return parser


def _service_name(args: argparse.Namespace) -> str:
    """What the process's log lines call it: the command, and its verb where it has one
    ("serve", "worker", "ledger-relay", "notifications-consume"); SERVICE_NAME wins."""
    verb = getattr(args, f"{args.command}_command", None)
    return os.environ.get("SERVICE_NAME") or "-".join(part for part in (args.command, verb) if part)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    setup_logging(settings.log_level, _service_name(args))
    try:
        result: Any = args.func(args, settings)
    except DomainError as exc:
        where = f" ({exc.field})" if exc.field else ""
        print(f"error{where}: {exc.detail}", file=sys.stderr)
        return 1
    except ValueError as exc:  # pydantic validation of CLI input
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return int(result)


if __name__ == "__main__":
    sys.exit(main())
