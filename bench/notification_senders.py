"""The benchmark's processes that carry the emails: the SMTP server, which counts what it
accepts, and the senders, each running send_due until nothing is due."""

from __future__ import annotations

import email
import email.policy
import os
import resource
import time
import traceback
from collections import Counter
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select

from backend.composition.container import Container
from backend.platform.config import load_settings
from backend.platform.orm import utcnow
from bench.notification_timers import Timers, instrument_senders
from sql.all_models import metadata
from tests.integration.mail_support import Collector, MailServer

# By name, not the notification service's model: a benchmark must not reach into its modules.
DELIVERIES = metadata.tables["notification_deliveries"]

SAMPLE_EVERY = 250
"""The SMTP server parses every this many messages in full (and the first) to check the PDF."""


def _peak_kb() -> int:
    """This process's own peak resident set (VmHWM). Unlike ru_maxrss, it starts afresh at exec:
    Linux carries ru_maxrss over exec, so a spawned child's ru_maxrss is never below the RSS
    its parent had when it was started."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# -- the SMTP server, in a process of its own --------------------------------------------------


class _CountingCollector(Collector):
    """Counts what it accepts instead of keeping it: N messages with PDFs would be our memory
    figure, not the platform's. Parses the first message and one in SAMPLE_EVERY in full."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted = 0
        self.with_pdf = 0
        self.bytes = 0
        self.sampled = 0
        self.sampled_ok = 0
        self.first_at = 0.0
        self.last_at = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content: bytes = envelope.content
        if self.accepted % SAMPLE_EVERY == 0:
            self.sampled += 1
            self.sampled_ok += int(_pdf_attached(content))
        self.accepted += 1
        self.bytes += len(content)
        self.with_pdf += int(b"application/pdf" in content)
        self.last_at = time.time()
        self.first_at = self.first_at or self.last_at
        return "250 Message accepted for delivery"


def _pdf_attached(content: bytes) -> bool:
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    if not isinstance(parsed, EmailMessage):
        return False
    if "@bench.test" in str(parsed["To"]) and str(parsed["To"]).startswith("manager@"):
        return True  # the manager's email carries no notice
    for part in parsed.iter_attachments():
        if part.get_content_type() == "application/pdf":
            data = part.get_content()
            return isinstance(data, bytes) and data.startswith(b"%PDF-") and len(data) > 1000
    return False


def smtp_process(ports: Any, stop: Any, results: Any) -> None:
    server = MailServer()
    collector = _CountingCollector()
    server.collector = collector
    server.start()
    ports.put(server.port)
    stop.wait()
    server.stop()
    results.put(
        {
            "accepted": collector.accepted,
            "with_pdf": collector.with_pdf,
            "bytes": collector.bytes,
            "sampled": collector.sampled,
            "sampled_ok": collector.sampled_ok,
            "first_at": collector.first_at,
            "last_at": collector.last_at,
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "peak_kb": _peak_kb(),
        }
    )


# -- sending -----------------------------------------------------------------------------------


def _due_left(c: Container) -> int:
    now = utcnow()
    with c.db.writer_session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(DELIVERIES)
                .where(
                    DELIVERIES.c.channel == "email",
                    DELIVERIES.c.status == "queued",
                    DELIVERIES.c.next_try_at.is_(None) | (DELIVERIES.c.next_try_at <= now),
                )
            )
            or 0
        )


MAX_CRASHES = 50


def send_until_done(c: Container) -> Counter[str]:
    """One sender: send_due again and again until nothing is due (others may hold the rest).

    A send_due that raises (a deadlock, say) is counted under "crashed:<error>" and run again,
    as beat runs the task again 30 s later (here at once)."""
    totals: Counter[str] = Counter()
    while True:
        try:
            counts = c.notifications.send_due_emails()
        except Exception as exc:
            code = getattr(getattr(exc, "orig", None), "args", (type(exc).__name__,))[0]
            where = [
                f.name for f in traceback.extract_tb(exc.__traceback__) if "/notifications/" in f.filename
            ]
            totals[f"crashed in {'.'.join(where[-1:]) or '?'}: {type(exc).__name__} {code}"] += 1
            if sum(v for k, v in totals.items() if k.startswith("crashed")) > MAX_CRASHES:
                return totals
            continue
        totals.update(counts)
        if counts.get("sent", 0) + counts.get("retry", 0) + counts.get("failed", 0) == 0 and not _due_left(c):
            return totals


def worker_process(settings: dict[str, str], ready: Any, go: Any, results: Any) -> None:
    timers = Timers()
    c = Container(load_settings(**settings))
    instrument_senders(c, timers)
    c.db.writer_session().close()
    ready.put(os.getpid())
    go.wait()
    started = time.perf_counter()
    counts = send_until_done(c)
    results.put(
        {
            "pid": os.getpid(),
            "counts": dict(counts),
            "seconds": time.perf_counter() - started,
            "timer_seconds": dict(timers.seconds),
            "timer_calls": dict(timers.calls),
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "peak_kb": _peak_kb(),
        }
    )
    c.db.dispose()
