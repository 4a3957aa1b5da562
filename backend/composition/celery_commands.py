"""`python app.py worker` and `python app.py beat`: the Celery worker and the one scheduler.

    worker [--concurrency N] [--pool prefork|threads|solo] [--queue Q] [--metrics-port N]
    beat [--metrics-port N]

Both need CELERY_BROKER_URL: the embedded default runs tasks in the app's own process."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from backend.composition.container import Container
from backend.composition.metrics_server import add_metrics_port_option
from backend.platform.config import Settings


def add_celery_parsers(sub: Any) -> None:
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
