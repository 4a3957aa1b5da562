"""Benchmark: a capital call to N investors, from the call to the last email delivered. A
script, not a test; it prints figures.

One closed-ended pool (with a collection account, so each notice carries wire instructions),
N KYC-approved investors each committed 100,000.00, then one capital call dated today through
TransactionService.capital_call. The in-process event bus hands the event to the notification
consumer, which issues one PDF capital call notice per investor (DocumentShelf.issue: render,
vault put, index row), records the in-app notifications and one email per person (the
investors and the manager), and to the payment consumer (one payment request per investor).
Then W senders run EmailOutbox.send_due (NotificationService.send_due_emails) until nothing is
due, each email with its PDF attached, to a real SMTP server (aiosmtpd on 127.0.0.1, in a
process of its own so it neither shares our interpreter nor counts in our memory).

Figures printed:
1. notices: PDFs issued per second (render + vault write + index row), and render alone;
2. emails handed to the SMTP server per second, with W senders (threads or processes);
3. seconds from the call until the server accepted the last email;
4. peak memory: ru_maxrss of this process, of each sender process and of the SMTP server
   (and each child's own VmHWM: Linux carries ru_maxrss over exec, so a spawned child's
   ru_maxrss never reads below the RSS its parent had when it started it);
sizes (N, documents, PDF bytes, emails recorded, sent, accepted by the server, with a PDF)
and failures (emails not sent, the senders' outcomes); and where the time went: the call
split into ledger posting, notices (render, vault put, index row), in-app and email
recording, payment requests; sending split into SMTP hand-over, attachment read (index row +
vault read + hash check), due queries, claims won and lost to another sender, finishing rows,
and the rest (building the message). A send_due that raises (say a deadlock) is counted as
"crashed in <function>" and run again at once, as beat would run it again 30 s later.

    python bench/notifications.py [--investors 20000] [--workers 4] [--worker-mode process|thread]
        [--backend mariadb|sqlite] [--profile] [--keep]

MariaDB (default): a private database bench_notifications_<pid> on root@127.0.0.1:3306,
created and migrated by the script, dropped at the end unless --keep. SQLite: a file in a
temporary folder. The vault (VAR_DIR/documents) is in a temporary folder, removed at the end
unless --keep. Set-up is not measured: the investors, their users and commitments are
bulk-inserted (one cheap argon2 hash shared by all); the manager, pool, collection account and
the call itself go through the services. --profile prints cProfile's top functions for the
call (and for sending, in thread mode).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import email
import email.policy
import functools
import io
import multiprocessing
import os
import pstats
import queue
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher, Type  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import notifications.documents as documents_module  # noqa: E402
from backend.composition.container import Container  # noqa: E402
from backend.payments.interface import CollectionAccountIn  # noqa: E402
from backend.platform import passwords  # noqa: E402
from backend.platform.actors import Actor, Role  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from backend.platform.orm import utcnow  # noqa: E402
from backend.seed.loader import demo_iban  # noqa: E402
from backend.users.interface import UserCreate  # noqa: E402
from bench.databases import drop_database  # noqa: E402
from ledger.interface import CapitalCallRequest  # noqa: E402
from sql.all_models import metadata  # noqa: E402
from sql.migrate import upgrade  # noqa: E402
from tests.integration.mail_support import Collector, MailServer  # noqa: E402
from tests.integration.pools_support import closed_pool  # noqa: E402

# The tables by name, not the services' models: set-up bulk-inserts rows no service would
# write in bulk, and a benchmark must not reach into another service's modules.
USERS = metadata.tables["users"]
INVESTORS = metadata.tables["investors"]
COMMITMENTS = metadata.tables["pool_commitments"]
DELIVERIES = metadata.tables["notification_deliveries"]
DOCUMENTS = metadata.tables["documents"]

OPERATOR = Actor.operator("bench-notifications")
COMMITMENT = Decimal("100000.00")
SHARE = Decimal("2500.00")
CHUNK = 2000
SAMPLE_EVERY = 250
"""The SMTP server parses every this many messages in full (and the first) to check the PDF."""

P = ParamSpec("P")
R = TypeVar("R")


# -- timing ------------------------------------------------------------------------------------


class Timers:
    """Seconds and calls per label, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def add(self, label: str, seconds: float, calls: int = 1) -> None:
        with self._lock:
            self.seconds[label] += seconds
            self.calls[label] += calls

    def wrap(self, label: str, fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - started)

        return timed

    def wrap_method(self, obj: object, name: str, label: str) -> None:
        """Time one object's method, as every caller of that object reaches it."""
        setattr(obj, name, self.wrap(label, getattr(obj, name)))

    def merge(self, seconds: dict[str, float], calls: dict[str, int]) -> None:
        for label, value in seconds.items():
            self.add(label, value, calls.get(label, 0))

    def line(self, label: str, name: str) -> str:
        s, n = self.seconds.get(label, 0.0), self.calls.get(label, 0)
        each = f", {s / n * 1000:.2f} ms each" if n else ""
        return f"    {name:<44} {s:8.1f} s  ({n} calls{each})"


class _TimedVault:
    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner = inner
        self.put = timers.wrap("vault.put", inner.put)
        self.get = timers.wrap("vault.get", inner.get)


class _TimedMail:
    """The provider, its sessions' hand-overs timed (the outbox sends a pass in one session)."""

    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner = inner
        self._timers = timers
        self.send = timers.wrap("smtp.send", inner.send)

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        with self._inner.session() as session:
            yield _TimedSession(session, self._timers)


class _TimedSession:
    def __init__(self, inner: Any, timers: Timers) -> None:
        self.send = timers.wrap("smtp.send", inner.send)


def _instrument_senders(c: Container, timers: Timers) -> None:
    """Before c.notifications is built: time the SMTP hand-over, the attachment read and the
    claims (attempts against successes) of this container's outbox."""
    c.__dict__["mail_provider"] = _TimedMail(c.mail_provider, timers)
    c.__dict__["document_vault"] = _TimedVault(c.document_vault, timers)
    timers.wrap_method(c.documents, "content_for_email", "attachment")
    outbox = getattr(c.notifications, "_outbox", None)
    rows = getattr(outbox, "_rows", None)
    if rows is not None:
        claim = rows.claim

        def counted(delivery_id: int) -> bool:
            started = time.perf_counter()
            won = bool(claim(delivery_id))
            timers.add("claim.won" if won else "claim.lost", time.perf_counter() - started)
            return won

        rows.claim = counted
        timers.wrap_method(rows, "due", "due")
        timers.wrap_method(rows, "finish", "finish")


def _instrument_call(c: Container, timers: Timers) -> None:
    """The call's consumers, their steps, and the render inside each notice's issue."""
    consumer = c.notification_consumer
    timers.wrap_method(consumer, "handle", "notify")
    timers.wrap_method(consumer, "_addressees", "notify.addressees")
    timers.wrap_method(c.documents, "issue", "notify.issue")
    timers.wrap_method(documents_module, "render_capital_call", "render")  # looked up at each call
    n = c.notifications
    timers.wrap_method(n, "create_for_event", "notify.record")
    timers.wrap_method(n, "_create_in_app", "notify.record.in_app")
    for attr, label in (("_outbox", "notify.record.email"), ("_sms", "notify.record.sms")):
        if getattr(n, attr, None) is not None:
            timers.wrap_method(getattr(n, attr), "enqueue", label)
    timers.wrap_method(c.payments, "open_requests_for_call", "payments.requests")


# -- the database and the people ---------------------------------------------------------------


def _database(backend: str, work: Path) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        url = f"mysql+pymysql://root@127.0.0.1:3306/bench_notifications_{os.getpid()}?charset=utf8mb4"
        parsed = make_url(url)
        server = create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
            conn.execute(
                text(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            )
        server.dispose()
    upgrade(url)
    return url


def _cheap_passwords() -> PasswordHasher:
    """Set-up only: bench users get cheap argon2 parameters (same code path)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    passwords._hasher = cheap  # type: ignore[attr-defined]
    passwords._DUMMY_HASH = cheap.hash("dummy password for timing")  # type: ignore[attr-defined]
    return cheap


def _pool(c: Container) -> tuple[Actor, int]:
    """The manager, through the services, and their pool with its collection account."""
    user = c.users.create_user(
        OPERATOR,
        UserCreate(
            email="manager@bench.test", role=Role.MANAGER, password="m" * 16, display_name="Mia Manager"
        ),
    )
    manager = Actor(user_id=user.id, role=Role.MANAGER, label="manager@bench.test")
    pool = c.pools.create_pool(manager, closed_pool(name="Harbour Notices Fund I")).id
    account = CollectionAccountIn(
        account_name="Harbour Notices Fund I collection account", iban=demo_iban(pool)
    )
    c.payments.set_collection_account(manager, pool, account)
    return manager, pool


def _bulk_investors(c: Container, manager: Actor, pool: int, count: int, password_hash: str) -> list[int]:
    """`count` investor users, approved profiles and commitments, multi-row inserts (set-up)."""
    now, today = utcnow(), date.today()
    names = [
        f"Investor {i:05d} {('Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'García')[i % 5]}"
        for i in range(count)
    ]
    with c.db.writer_session() as session:
        for start in range(0, count, CHUNK):
            session.execute(
                insert(USERS),
                [
                    {
                        "email": f"notice-{i:05d}@bench.test",
                        "display_name": names[i],
                        "role": Role.INVESTOR.value,
                        "password_hash": password_hash,
                        "is_active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(start + CHUNK, count))
                ],
            )
        found = session.execute(
            select(USERS.c.email, USERS.c.id).where(USERS.c.email.like("notice-%@bench.test"))
        )
        users = {address: user_id for address, user_id in found}
        for start in range(0, count, CHUNK):
            session.execute(
                insert(INVESTORS),
                [
                    {
                        "user_id": users[f"notice-{i:05d}@bench.test"],
                        "legal_name": names[i],
                        "investor_type": "individual",
                        "country": "DE",
                        "kyc_status": "approved",
                        "kyc_changed_at": now,
                        "created_by_user_id": manager.user_id,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(start + CHUNK, count))
                ],
            )
        ids = list(
            session.scalars(
                select(INVESTORS.c.id)
                .where(INVESTORS.c.user_id.in_(list(users.values())))
                .order_by(INVESTORS.c.id)
            )
        )
        for start in range(0, count, CHUNK):
            session.execute(
                insert(COMMITMENTS),
                [
                    {
                        "investor_id": investor,
                        "pool_id": pool,
                        "amount": COMMITMENT,
                        "currency": "EUR",
                        "effective_date": today,
                        "created_at": now,
                        "created_by_user_id": manager.user_id,
                    }
                    for investor in ids[start : start + CHUNK]
                ],
            )
        session.commit()
    return ids


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


def _smtp_process(ports: Any, stop: Any, results: Any) -> None:
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


def _send_until_done(c: Container) -> Counter[str]:
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


def _worker_process(settings: dict[str, str], ready: Any, go: Any, results: Any) -> None:
    timers = Timers()
    c = Container(load_settings(**settings))
    _instrument_senders(c, timers)
    c.db.writer_session().close()
    ready.put(os.getpid())
    go.wait()
    started = time.perf_counter()
    counts = _send_until_done(c)
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


# -- the run -----------------------------------------------------------------------------------


def _peak_kb() -> int:
    """This process's own peak resident set (VmHWM). Unlike ru_maxrss, it starts afresh at exec:
    Linux carries ru_maxrss over exec, so a spawned child's ru_maxrss is never below the RSS
    its parent had when it was started."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _mib(kb: int) -> str:
    return f"{kb / 1024:.0f} MiB"


@dataclass
class Run:
    """What one run measured (times from time.time() are comparable with the SMTP server's)."""

    n: int
    pool: int
    t_call: float
    call_seconds: float
    t_send: float
    send_seconds: float
    rss_before_kb: int
    rss_after_call_kb: int
    senders: list[dict[str, Any]] = field(default_factory=list)
    mail: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _profiled(profile: cProfile.Profile | None) -> Iterator[None]:
    if profile is None:
        yield
        return
    profile.enable()
    try:
        yield
    finally:
        profile.disable()


def _start_workers(args: argparse.Namespace, settings: dict[str, str], queues: tuple[Any, ...]) -> list[Any]:
    """The sender processes, each with its own container, ready and waiting for `go`."""
    if args.worker_mode != "process":
        return []
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_worker_process, args=(settings, *queues)) for _ in range(args.workers)]
    for process in workers:
        process.start()
    for _ in workers:
        queues[0].get(timeout=120)
    return workers


def _measure(
    args: argparse.Namespace,
    c: Container,
    *,
    manager: Actor,
    pool: int,
    settings: dict[str, str],
    timers: Timers,
) -> tuple[Run, list[cProfile.Profile]]:
    """The call, then the senders until nothing is due; the SMTP server is already up."""
    spawn = multiprocessing.get_context("spawn")
    ready, go, results = spawn.Queue(), spawn.Event(), spawn.Queue()
    workers = _start_workers(args, settings, (ready, go, results))
    profiles = [cProfile.Profile() for _ in range(2 if args.profile else 0)]
    call_profile, send_profile = (profiles[0], profiles[1]) if profiles else (None, None)
    try:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # 1. The call: the ledger posts it, then (synchronously, on the in-process bus) the
        # notification consumer and the payment consumer handle its event.
        today = date.today()
        request = CapitalCallRequest(
            amount=SHARE * args.investors, due_date=today + timedelta(days=14), effective_date=today
        )
        t_call, started = time.time(), time.perf_counter()
        with _profiled(call_profile):
            c.transactions.capital_call(manager, pool, request, str(uuid.uuid4()))
        call_seconds = time.perf_counter() - started
        rss_after_call = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        # 2. Sending, from the moment the call returned (beat would start it within 30 s).
        t_send, started = time.time(), time.perf_counter()
        if workers:
            go.set()
            senders = _collect(workers, results)
            for result in senders:
                timers.merge(result.get("timer_seconds", {}), result.get("timer_calls", {}))
        else:
            # cProfile sees only the thread it was enabled in: one profile per sender thread.
            thread_profiles = [cProfile.Profile() if send_profile else None for _ in range(args.workers)]
            with ThreadPoolExecutor(args.workers) as threads:
                senders = list(threads.map(lambda p: _timed_sender(c, p), thread_profiles))
            if send_profile:
                profiles[1:] = [p for p in thread_profiles if p is not None]
        send_seconds = time.perf_counter() - started
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()
    run = Run(
        args.investors, pool, t_call, call_seconds, t_send, send_seconds, rss_before, rss_after_call, senders
    )
    return run, profiles


def _collect(workers: list[Any], results: Any) -> list[dict[str, Any]]:
    """Each sender's result; a sender that died without one is reported, not waited for."""
    found: list[dict[str, Any]] = []
    while len(found) < len(workers):
        try:
            found.append(results.get(timeout=1))
        except queue.Empty:
            done = {r["pid"] for r in found}
            dead = [p for p in workers if not p.is_alive() and p.pid not in done]
            if dead and results.empty():
                for process in dead:
                    found.append({"pid": process.pid, "counts": {f"died:exit {process.exitcode}": 1}})
    for process in workers:
        process.join()
    return found


def _timed_sender(c: Container, profile: cProfile.Profile | None) -> dict[str, Any]:
    started = time.perf_counter()
    with _profiled(profile):
        counts = _send_until_done(c)
    return {"counts": dict(counts), "seconds": time.perf_counter() - started}


def _report_sizes(c: Container, run: Run) -> int:
    """Prints the sizes; returns the documents issued."""
    with c.db.writer_session() as session:
        issued, pdf_bytes = session.execute(
            select(func.count(), func.coalesce(func.sum(DOCUMENTS.c.size), 0)).where(
                DOCUMENTS.c.pool_id == run.pool
            )
        ).one()
        grouped = session.execute(
            select(DELIVERIES.c.status, func.count())
            .where(DELIVERIES.c.channel == "email", DELIVERIES.c.pool_id == run.pool)
            .group_by(DELIVERIES.c.status)
        )
        statuses: dict[str, int] = {status: count for status, count in grouped}
    outcomes: Counter[str] = Counter()
    for result in run.senders:
        outcomes.update(result["counts"])
    mail = run.mail
    not_sent = {k: v for k, v in statuses.items() if k != "sent"}
    print(
        f"sizes: N {run.n}; documents issued {issued}; PDF bytes {pdf_bytes:,} "
        f"({pdf_bytes / max(issued, 1) / 1024:.1f} KiB each); emails recorded {sum(statuses.values())}, "
        f"sent {statuses.get('sent', 0)} (the investors' and the manager's); accepted by the SMTP "
        f"server {mail['accepted']} ({mail['with_pdf']} with a PDF, {mail['bytes'] / 2**20:.0f} MiB; "
        f"parsed in full {mail['sampled_ok']}/{mail['sampled']} ok)"
    )
    print(
        f"failures: emails not sent {not_sent or 'none'}; senders' outcomes {dict(outcomes)}; "
        f"notices missing {run.n - issued}"
    )
    return int(issued)


def _report(c: Container, run: Run, timers: Timers, args: argparse.Namespace) -> None:
    issued = _report_sizes(c, run)
    t, mail = timers, run.mail
    issue, render, put = t.seconds["notify.issue"], t.seconds["render"], t.seconds["vault.put"]
    issue_rate = issued / issue if issue else 0.0
    render_rate = t.calls["render"] / render if render else 0.0
    print(f"1. notices: {issued} PDFs issued in {issue:.1f} s = {issue_rate:.0f} PDFs/s")
    print(f"   (render alone: {render_rate:.0f} PDFs/s)")
    window = mail["last_at"] - run.t_send if mail["last_at"] else 0.0
    kind = "processes" if args.worker_mode == "process" else "threads"
    print(
        f"2. emails: {mail['accepted']} handed to the SMTP server in {window:.1f} s = "
        f"{mail['accepted'] / window if window else 0:.1f} emails/s with {args.workers} sender {kind}"
    )
    print(
        f"3. call -> last email delivered: {mail['last_at'] - run.t_call:.1f} s "
        f"(the call itself {run.call_seconds:.1f} s; first email {mail['first_at'] - run.t_call:.1f} s "
        "after the call began)"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    senders = ", ".join(
        f"{_mib(r['maxrss_kb'])} (own {_mib(r['peak_kb'])})" for r in run.senders if "maxrss_kb" in r
    )
    print(
        f"4. peak memory, ru_maxrss: this process {_mib(own)} (before the call {_mib(run.rss_before_kb)}, "
        f"after it {_mib(run.rss_after_call_kb)}); sender processes [{senders or 'none: threads here'}]; "
        f"SMTP server {_mib(mail['maxrss_kb'])} (own {_mib(mail['peak_kb'])}); RUSAGE_CHILDREN "
        f"{_mib(children)}. (own = VmHWM: a spawned child's ru_maxrss starts at its parent's RSS)"
    )

    notify, payments = t.seconds["notify"], t.seconds["payments.requests"]
    print(f"where the call's {run.call_seconds:.1f} s went:")
    print(f"    {'ledger posting, relay (the rest)':<48} {run.call_seconds - notify - payments:8.1f} s")
    for label, name in (
        ("notify", "notification consumer"),
        ("notify.addressees", "  investor profiles, one read each"),
        ("notify.issue", "  notices issued (DocumentShelf.issue)"),
        ("render", "    render_capital_call"),
        ("vault.put", "    vault put (write, fsync, link, fsync dir)"),
    ):
        print(t.line(label, name))
    print(f"    {'    index rows, a transaction each (the rest)':<48} {issue - render - put:8.1f} s")
    for label, name in (
        ("notify.record", "  recording (create_for_event)"),
        ("notify.record.in_app", "    in-app notifications"),
        ("notify.record.email", "    emails (render bodies + insert)"),
        ("notify.record.sms", "    texts"),
        ("payments.requests", "payment consumer: payment requests"),
    ):
        print(t.line(label, name))
    busy = sum(r.get("seconds", 0.0) for r in run.senders)
    print(f"where the senders' {busy:.1f} s (summed over {args.workers}) went:")
    parts = (
        ("smtp.send", "SMTP hand-over (one connection a pass)"),
        ("attachment", "attachment (index row, vault read, hash check)"),
        ("due", "due() queries"),
        ("claim.won", "claims won"),
        ("claim.lost", "claims lost to another sender"),
        ("finish", "finishing rows (sent)"),
    )
    for label, name in parts:
        print(t.line(label, name))
    accounted = sum(t.seconds[label] for label, _ in parts)
    print(f"    {'the rest (message build, loop, due-left checks)':<48} {busy - accounted:8.1f} s")


def _print_profile(profiles: list[cProfile.Profile], title: str, top: int = 25) -> None:
    out = io.StringIO()
    stats = pstats.Stats(*profiles, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    print(f"-- cProfile, {title}, top {top} by own time --")
    print("\n".join(out.getvalue().splitlines()[4:]))


def _terminated(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--investors", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-mode", choices=("process", "thread"), default="process")
    parser.add_argument("--backend", choices=("mariadb", "sqlite"), default="mariadb")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminated)  # run the clean-up below (drop the database)

    spawn = multiprocessing.get_context("spawn")
    smtp_ports, smtp_stop, smtp_results = spawn.Queue(), spawn.Event(), spawn.Queue()
    smtp = spawn.Process(target=_smtp_process, args=(smtp_ports, smtp_stop, smtp_results), daemon=True)
    smtp.start()
    port = smtp_ports.get(timeout=60)

    work = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    url = _database(args.backend, work)
    settings = {
        "DATABASE_URL": url,
        "VAR_DIR": str(work / "var"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_STARTTLS": "false",
        # What the platform can hand over, not a provider's quota (SES's default is 14 a second).
        "EMAIL_RATE_PER_SECOND": "100000",
        "EMAIL_BURST": "100000",
    }
    cheap = _cheap_passwords()
    c = Container(load_settings(**settings))
    timers = Timers()  # the call's labels and the senders' are distinct
    try:
        kind = "processes" if args.worker_mode == "process" else "threads"
        print(
            f"cores {os.cpu_count()}, backend {args.backend}, investors {args.investors}, "
            f"senders {args.workers} {kind}",
            flush=True,
        )
        started = time.perf_counter()
        _instrument_senders(c, timers)  # before c.notifications is built
        manager, pool = _pool(c)
        investors = _bulk_investors(c, manager, pool, args.investors, cheap.hash("p" * 16))
        _instrument_call(c, timers)
        print(f"set-up: {len(investors)} investors in {time.perf_counter() - started:.1f} s", flush=True)

        run, profiles = _measure(args, c, manager=manager, pool=pool, settings=settings, timers=timers)
        smtp_stop.set()
        run.mail = smtp_results.get(timeout=60)
        smtp.join(timeout=30)
        _report(c, run, timers, args)
        if profiles:
            _print_profile(profiles[:1], "the call")
            if args.worker_mode == "thread":
                _print_profile(profiles[1:], f"sending ({args.workers} threads, together)")
    finally:
        smtp_stop.set()
        smtp.join(timeout=10)
        c.db.dispose()
        if args.keep:
            print(f"kept: {url}, {work}")
        else:
            drop_database(url)
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
