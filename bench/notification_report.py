"""What one run of the benchmark measured, and the figures printed from it."""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from backend.composition.container import Container
from bench.notification_timers import Timers
from sql.all_models import metadata

# By name, not the services' models: a benchmark must not reach into another service's modules.
DELIVERIES = metadata.tables["notification_deliveries"]
DOCUMENTS = metadata.tables["documents"]


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


def report(c: Container, run: Run, timers: Timers, args: argparse.Namespace) -> None:
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


def print_profile(profiles: list[cProfile.Profile], title: str, top: int = 25) -> None:
    out = io.StringIO()
    stats = pstats.Stats(*profiles, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    print(f"-- cProfile, {title}, top {top} by own time --")
    print("\n".join(out.getvalue().splitlines()[4:]))
