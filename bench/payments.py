"""Benchmark: the payment service's webhook path and its reconciliation. A script, not a test;
it prints figures.

1. Webhooks end to end: one closed-ended pool, N investors committed, one capital call (N
   payment requests), each request's payment as "Pay now" leaves it at the gateway
   (processing, with the gateway's id); then N signed `payment_intent.succeeded` events are
   applied by W threads through PaymentService.apply_webhook (verify the signature, dedupe
   by event id, move the payment, post the contribution to the ledger). Prints events/s and
   p50/p99 per event, then the same N events again (all duplicates).
2. The same postings as a bare ledger batch: a second pool of the same shape, its N
   contributions through TransactionService.record_batch (200 rows a batch). Prints
   entries/s and the ratio webhook events/s : batch entries/s.
3. Reconciliation: R gateway balance transactions for one day (a gateway stand-in returns
   them; R payments of ours are bulk-inserted to match), with a few hundred planted
   differences; prints seconds and checks the differences found are exactly those planted.

    python bench/payments.py [--investors 10000] [--workers 4] [--balance-txns 100000] [--keep]

The database is DATABASE_URL or mysql+pymysql://root@127.0.0.1:3306/pools_bench_payments,
created (dropped first) and migrated by the script, dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher, Type  # noqa: E402

from backend.composition.container import Container  # noqa: E402
from backend.investors.interface import (  # noqa: E402
    CommitmentCreate,
    InvestorCreate,
    InvestorType,
    InvestorUpdate,
    KycStatus,
)
from backend.payments.gateway import GatewayBalanceEntry  # noqa: E402
from backend.payments.reconciliation import Reconciler  # noqa: E402
from backend.payments.sandbox.staging import stage_processing_payments, stage_settled_payments  # noqa: E402
from backend.payments.webhook_signature import signature_header  # noqa: E402
from backend.platform import passwords  # noqa: E402
from backend.platform.actors import Actor, Role  # noqa: E402
from backend.platform.cache import InProcessCache  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from backend.platform.db import Database  # noqa: E402
from backend.pools.interface import PoolCreate  # noqa: E402
from backend.users.interface import UserCreate  # noqa: E402
from bench.databases import drop_database, fresh_database  # noqa: E402
from ledger.interface import CapitalCallRequest  # noqa: E402

OPERATOR = Actor.operator("bench-payments")
SHARE = Decimal("100.00")
DAY = date(2025, 6, 30)
DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_payments"


def _manager(c: Container) -> Actor:
    user = c.users.create_user(
        OPERATOR, UserCreate(email="manager@bench.test", role=Role.MANAGER, password="m" * 16)
    )
    return Actor(user_id=user.id, role=Role.MANAGER, label="manager@bench.test")


def _pool(c: Container, manager: Actor, name: str) -> int:
    terms = {
        "name": name,
        "kind": "closed_ended",
        "base_currency": "EUR",
        "inception_date": "2025-01-01",
        "management_fee": None,
        "waterfall": {"preferred_return_rate": "0.08", "catch_up_rate": "1", "carried_interest_rate": "0.2"},
    }
    return c.pools.create_pool(manager, PoolCreate.model_validate(terms)).id


def _investors(c: Container, manager: Actor, pools: list[int], count: int) -> list[int]:
    """KYC-approved investors, each committed 1,000.00 to every pool (set-up, not measured)."""
    ids = []
    for i in range(count):
        user = c.users.create_user(
            OPERATOR, UserCreate(email=f"payer{i}@bench.test", role=Role.INVESTOR, password="p" * 16)
        )
        investor = c.investors.create_investor(
            OPERATOR,
            InvestorCreate(
                user_id=user.id, legal_name=f"Payer {i}", investor_type=InvestorType.INDIVIDUAL, country="DE"
            ),
        )
        c.investors.update_investor(OPERATOR, investor.id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
        for pool in pools:
            commitment = CommitmentCreate.model_validate({"investor_id": investor.id, "amount": "1000.00"})
            c.investors.create_commitment(manager, pool, commitment)
        ids.append(investor.id)
    return ids


def _call(c: Container, manager: Actor, pool: int, investors: int) -> None:
    request = CapitalCallRequest(amount=SHARE * investors, due_date=DAY, effective_date=DAY)
    c.transactions.capital_call(manager, pool, request, str(uuid.uuid4()))


def _events(staged: dict[int, str]) -> list[bytes]:
    """The gateway's "succeeded" event for each staged payment."""
    events = []
    for payment_id, gateway_id in staged.items():
        obj = {
            "id": gateway_id,
            "object": "payment_intent",
            "amount": int(SHARE * 100),
            "currency": "eur",
            "metadata": {"payment_id": str(payment_id)},
        }
        event = {"id": f"evt_{payment_id}", "type": "payment_intent.succeeded", "data": {"object": obj}}
        events.append(json.dumps(event).encode())
    return events


def _deliver(c: Container, events: list[bytes], workers: int) -> tuple[float, list[float]]:
    secrets = c.payment_webhook_secrets()

    def one(body: bytes) -> float:
        started = time.perf_counter()
        c.payments.apply_webhook(body, signature_header(body, secrets, int(time.time())))
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as threads:
        latencies = list(threads.map(one, events))
    return time.perf_counter() - started, latencies


def _p(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1] * 1000 if len(latencies) > 1 else latencies[0] * 1000


class _BalanceFeed:
    """A gateway stand-in answering the reconciler's one question: the day's movements."""

    def __init__(self, entries: list[GatewayBalanceEntry]) -> None:
        self.entries = entries

    def balance_entries(self, start: int, end: int) -> list[GatewayBalanceEntry]:
        return self.entries


def _reconciliation(c: Container, pool: int, count: int) -> tuple[float, int, int]:
    """Seconds to reconcile `count` gateway movements; (seconds, found, planted)."""
    ours = stage_settled_payments(c.db, pool, count, SHARE, DAY)
    planted = max(count // 500, 1)
    created = int(datetime(DAY.year, DAY.month, DAY.day, 12, tzinfo=UTC).timestamp())
    entries = [
        GatewayBalanceEntry(f"txn_{i}", "charge", int(SHARE * 100), 0, "EUR", ours[i], created)
        for i in range(count - 2 * planted)
    ]
    # Planted: charges no payment of ours has, and charges of another amount than ours.
    entries += [
        GatewayBalanceEntry(f"txn_stray_{i}", "charge", 4200, 0, "EUR", f"pi_stray_{i}", created)
        for i in range(planted)
    ]
    entries += [
        GatewayBalanceEntry(f"txn_diff_{i}", "charge", 9900, 0, "EUR", ours[count - 2 * planted + i], created)
        for i in range(planted)
    ]
    feed = _BalanceFeed(entries)
    reconciler = Reconciler(c.db, lambda: feed)  # type: ignore[arg-type, return-value]
    started = time.perf_counter()
    report = reconciler.run(DAY)
    seconds = time.perf_counter() - started
    # The last `planted` payments of ours were not charged in the feed: also differences.
    return seconds, len(report.differences), 3 * planted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--investors", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--balance-txns", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)  # type: ignore[attr-defined]
    fresh_database(url)
    db = Database(url, positions=InProcessCache())
    c = Container(load_settings(DATABASE_URL=url, VAR_DIR=tempfile.mkdtemp()), db=db, cache=InProcessCache())
    try:
        print(f"cores {os.cpu_count()}, investors {args.investors}, workers {args.workers}", flush=True)
        started = time.perf_counter()
        manager = _manager(c)
        paid, batched = _pool(c, manager, "Webhook Fund"), _pool(c, manager, "Batch Fund")
        investors = _investors(c, manager, [paid, batched], args.investors)
        _call(c, manager, paid, len(investors))
        _call(c, manager, batched, len(investors))
        events = _events(stage_processing_payments(c.db, paid))
        print(f"set-up: {time.perf_counter() - started:.1f} s", flush=True)

        seconds, latencies = _deliver(c, events, args.workers)
        rate = len(events) / seconds
        print(
            f"webhooks: {len(events)} events in {seconds:.1f} s = {rate:.1f} events/s; "
            f"p50 {_p(latencies, 50):.1f} ms, p99 {_p(latencies, 99):.1f} ms",
            flush=True,
        )
        seconds_dup, latencies_dup = _deliver(c, events, args.workers)
        print(
            f"the same events again (duplicates): {len(events) / seconds_dup:.1f} events/s; "
            f"p99 {_p(latencies_dup, 99):.1f} ms",
            flush=True,
        )
        if c.payments.post_contributions() != 0 or not c.ledger.verify(paid).ok:
            raise SystemExit("the webhook run left contributions unposted or books that do not verify")

        rows = [
            {
                "type": "contribution",
                "investor_id": i,
                "amount": str(SHARE),
                "effective_date": DAY.isoformat(),
            }
            for i in investors
        ]
        started = time.perf_counter()
        for start in range(0, len(rows), 200):
            c.transactions.record_batch(manager, batched, rows[start : start + 200], str(uuid.uuid4()))
        batch_seconds = time.perf_counter() - started
        batch_rate = len(rows) / batch_seconds
        print(
            f"ledger batch, the same contributions: {len(rows)} entries in {batch_seconds:.1f} s = "
            f"{batch_rate:.1f} entries/s; webhook : batch = {rate / batch_rate:.2f}",
            flush=True,
        )

        seconds, found, planted = _reconciliation(c, paid, args.balance_txns)
        print(
            f"reconciliation of {args.balance_txns} balance transactions: {seconds:.1f} s, "
            f"{found} differences"
        )
        if found != planted:
            raise SystemExit(f"reconciliation found {found} differences; {planted} were planted")
    finally:
        db.dispose()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
