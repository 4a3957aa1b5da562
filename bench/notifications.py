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
import multiprocessing
import os
import queue
import resource
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.composition.container import Container  # noqa: E402
from backend.platform.actors import Actor  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from bench.databases import drop_database  # noqa: E402
from bench.notification_report import Run, print_profile, report  # noqa: E402
from bench.notification_senders import send_until_done, smtp_process, worker_process  # noqa: E402
from bench.notification_setup import (  # noqa: E402
    bulk_investors,
    cheap_passwords,
    database,
    manager_and_pool,
)
from bench.notification_timers import Timers, instrument_call, instrument_senders  # noqa: E402
from ledger.interface import CapitalCallRequest  # noqa: E402

SHARE = Decimal("2500.00")


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
    workers = [spawn.Process(target=worker_process, args=(settings, *queues)) for _ in range(args.workers)]
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
        counts = send_until_done(c)
    return {"counts": dict(counts), "seconds": time.perf_counter() - started}


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
    smtp = spawn.Process(target=smtp_process, args=(smtp_ports, smtp_stop, smtp_results), daemon=True)
    smtp.start()
    port = smtp_ports.get(timeout=60)

    work = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    url = database(args.backend, work)
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
    cheap = cheap_passwords()
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
        instrument_senders(c, timers)  # before c.notifications is built
        manager, pool = manager_and_pool(c)
        investors = bulk_investors(c, manager, pool, args.investors, cheap.hash("p" * 16))
        instrument_call(c, timers)
        print(f"set-up: {len(investors)} investors in {time.perf_counter() - started:.1f} s", flush=True)

        run, profiles = _measure(args, c, manager=manager, pool=pool, settings=settings, timers=timers)
        smtp_stop.set()
        run.mail = smtp_results.get(timeout=60)
        smtp.join(timeout=30)
        report(c, run, timers, args)
        if profiles:
            print_profile(profiles[:1], "the call")
            if args.worker_mode == "thread":
                print_profile(profiles[1:], f"sending ({args.workers} threads, together)")
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
