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
import functools
import os
import sys
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask

from backend.composition.backup_commands import add_backup_parser
from backend.composition.celery_commands import add_celery_parsers
from backend.composition.consumer_commands import add_consumer_parsers
from backend.composition.container import Container
from backend.composition.fx_commands import add_fx_parser
from backend.composition.ledger_commands import add_ledger_parser
from backend.composition.rpc_commands import add_rpc_parser
from backend.composition.shard_commands import add_shards_parser
from backend.composition.stack_commands import add_stack_parser
from backend.composition.user_commands import add_users_parser
from backend.platform.config import Settings, load_settings
from backend.platform.errors import DomainError
from backend.platform.observability import logging_service, setup_logging, shared_metrics_dir


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


SEED_PROCESSES = 3
"""Pools `seed` plans and posts side by side on MariaDB, each in a child process: on two cores
one plans or posts while another waits for the server."""
SEED_WORKERS = 2
"""Pools posted side by side from this process, on MariaDB, when there are too few for child
processes (backend.seed.pool_books.BooksApart.from_pools): the client works while the server writes."""


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from backend.seed.loader import seed
    from backend.seed.pool_books import BooksApart, SeedError
    from backend.seed.scales import scale_named

    _migrate(settings)  # a fresh database is seeded as it is, not refused table by table
    container = Container(settings)
    try:
        # SQLite has one writer: its pools post one at a time, in this process.
        embedded = settings.primary_url.startswith("sqlite")
        # Elsewhere each child process opens services of its own, from the same settings.
        apart = None if embedded else BooksApart(SEED_PROCESSES, functools.partial(Container, settings))
        report = seed(
            container,
            scale_named(args.scale),
            seed=args.seed,
            as_of=args.as_of,
            batch=not args.one_by_one,
            workers=1 if embedded else SEED_WORKERS,
            books_apart=apart,
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

    from backend.composition.whole_answers import install as install_whole_answers

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
            # Headers and body in one write: an app server killed mid-answer must leave nginx
            # a whole answer or none, which nginx resends (backend/composition/whole_answers.py).
            install_whole_answers()
            return load_app()

    _Gunicorn().run()


def _forget_worker_metrics(_server: object, worker: Any) -> None:
    """gunicorn's child_exit: a worker that is gone no longer counts in live gauges."""
    from backend.composition.metrics_server import mark_process_dead

    mark_process_dead(worker.pid)


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

    add_users_parser(sub)
    add_ledger_parser(sub)
    add_celery_parsers(sub)
    add_consumer_parsers(sub)
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
