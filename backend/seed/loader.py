"""`python app.py seed`: build a world, plan each pool's history, post it through the books.

Three steps, each behind a progress bar on stderr:

1. people and pools, through the user, investor and pool services;
2. a plan per pool (backend.seed.plan): the ordered operations, checked against a shadow
   of the books built with the ledger's own posting rules;
3. posting: every operation through the TransactionService acting as the pool's manager,
   with an idempotency key derived from the seed, the pool and the operation's position,
   so every rule, authorisation check, lock and hash applies as for a manager's request.

Determinism: every random choice comes from one ``random.Random(seed)``, and history ends
on a fixed anchor date (backend.seed.scales.ANCHOR), so the same seed into an empty
database builds the same pools, investors, amounts, dates and entries.
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from backend.payments.interface import CollectionAccountIn
from backend.platform.actors import Actor
from backend.platform.orm import utcnow
from backend.seed.demo_logins import DemoLogin, seed_demo_users
from backend.seed.fx_rates import ecb_csv
from backend.seed.plan import PoolProfile, plan_closed_ended, plan_open_ended
from backend.seed.progress import Progress
from backend.seed.scales import Scale, anchor_for
from backend.seed.shadow_books import Operation, PoolPlan
from backend.seed.world import OPERATOR, World, build_world
from backend.service_directory import Services
from ledger.interface import (
    BatchRejected,
    BatchRow,
    CapitalCallRequest,
    DistributionRequest,
    TransactionRequest,
    ValuationRequest,
)

BATCH_ROWS = 500
"""Most TransactionRequest rows sent in one record_batch call (when the service has it)."""
_PLAN_PROCESSES = 2
"""Child processes that plan pools when there are many (the machines this runs on have two
cores or more)."""
_PLAN_APART_FROM = 50
"""Pools from which planning goes to child processes: below, starting them costs more."""


class SeedError(RuntimeError):
    """The database is not empty, or the posted books disagree with the plan."""


@dataclass
class SeedReport:
    scale: str
    seed: int
    anchor: date
    pools: int
    investors: int
    operations: int
    entries: int
    postings: int
    seconds: float
    batched: bool

    def describe(self) -> str:
        how = "record_batch" if self.batched else "one by one"
        return (
            f"seeded scale={self.scale} seed={self.seed}: {self.pools} pools, {self.investors} investors, "
            f"{self.operations} operations -> {self.entries} entries, {self.postings} postings "
            f"(history to {self.anchor}, posted {how}) in {self.seconds:.1f}s"
        )


class Poster:
    """Posts one pool's operations in order through the TransactionService.

    If the service offers ``record_batch(actor, pool_id, requests, idempotency_key)``, runs of
    consecutive transactions and valuations go in batches (all validated, then posted in one
    transaction); capital calls and distributions keep their own methods, in order, so a
    batch never spans one. Otherwise every operation is posted one by one.
    """

    def __init__(self, transactions: Any, *, batch: bool = True, batch_rows: int = BATCH_ROWS) -> None:
        self._service = transactions
        found: Callable[..., Any] | None = getattr(transactions, "record_batch", None)
        self._batch = found if batch else None
        self._batch_rows = batch_rows

    @property
    def batched(self) -> bool:
        return self._batch is not None

    def post(
        self, actor: Actor, pool_id: int, operations: list[Operation], key: str, done: Callable[[int], None]
    ) -> None:
        pending: list[tuple[int, Operation]] = []
        one_by_one = self._batch is None

        def flush() -> None:
            nonlocal one_by_one
            if not pending:
                return
            if self._batch is not None and not one_by_one:
                rows = [_batch_row(operation) for _, operation in pending]
                try:
                    self._batch(actor, pool_id, rows, f"{key}:batch:{pending[0][0]}")
                except BatchRejected:
                    # Nothing was written. Valuations a batch cannot take (a fee on the
                    # opening NAV) go one at a time, and so, from here on, does this pool.
                    one_by_one = True
                else:
                    done(len(pending))
                    pending.clear()
                    return
            for index, operation in pending:
                self._one(actor, pool_id, operation, f"{key}:{index}")
                done(1)
            pending.clear()

        for index, operation in enumerate(operations):
            if self._batch is not None and _batchable(operation):
                pending.append((index, operation))
                if len(pending) >= self._batch_rows:
                    flush()
                continue
            flush()
            self._one(actor, pool_id, operation, f"{key}:{index}")
            done(1)
        flush()

    def _one(self, actor: Actor, pool_id: int, operation: Operation, op_key: str) -> None:
        service = self._service
        if isinstance(operation, TransactionRequest):
            service.record(actor, pool_id, operation, op_key)
        elif isinstance(operation, ValuationRequest):
            service.record_valuation(actor, pool_id, operation, op_key)
        elif isinstance(operation, CapitalCallRequest):
            service.capital_call(actor, pool_id, operation, op_key)
        elif isinstance(operation, DistributionRequest):
            service.distribute(actor, pool_id, operation, op_key)
        else:  # pragma: no cover - Operation is a closed union
            raise TypeError(f"cannot post {operation!r}")


def _batchable(operation: Operation) -> bool:
    """Transactions, and valuations with no class FX rates or hedge results (a batch row
    carries the NAV only); capital calls and distributions keep their own methods."""
    if isinstance(operation, TransactionRequest):
        return True
    return isinstance(operation, ValuationRequest) and not operation.fx_rates and not operation.hedge_results


def _batch_row(operation: Operation) -> TransactionRequest | BatchRow:
    if isinstance(operation, ValuationRequest):
        return BatchRow.model_validate(
            {
                "type": "valuation",
                "amount": operation.net_asset_value,
                "effective_date": operation.as_of,
                "memo": operation.memo,
            }
        )
    if isinstance(operation, TransactionRequest):
        return operation
    raise TypeError(f"cannot batch {operation!r}")  # pragma: no cover - _batchable said so


def _plan_pool(profile: PoolProfile, pool_seed: int, anchor: date) -> PoolPlan:
    pool_rng = random.Random(pool_seed)  # noqa: S311 - reproducible make-believe, not secrecy
    planner = plan_open_ended if profile.pool.kind.value == "open_ended" else plan_closed_ended
    return planner(profile, pool_rng, anchor)


def _plans(
    profiles: list[PoolProfile],
    seeds: list[int],
    anchor: date,
    *,
    processes: int,
    tick: Callable[[], None],
) -> list[PoolPlan]:
    """Each pool's plan, in the pools' order. Planning is pure Python over the posting rules
    (the large set's 500 pools took over four minutes in one process), so it can run in
    child processes; they import the rules once and are sent only each pool's profile."""
    if processes <= 1:
        plans = []
        for profile, pool_seed in zip(profiles, seeds, strict=True):
            plans.append(_plan_pool(profile, pool_seed, anchor))
            tick()
        return plans
    # spawn: the children need none of this process's state (connections, threads).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as planners:
        plans = []
        for plan in planners.map(_plan_pool, profiles, seeds, itertools.repeat(anchor), chunksize=2):
            plans.append(plan)
            tick()
        return plans


def _database_is_empty(container: Services) -> bool:
    return not container.pools.list_pools(OPERATOR, limit=1).items


def needs_seed(container: Services) -> bool:
    """Whether `run` should seed the demo: no pool exists yet."""
    return _database_is_empty(container)


def demo_iban(pool_id: int) -> str:
    """A well-formed German IBAN for the demo pool's collection account (bank code 37040044,
    the account number the pool id): valid check digits, no real account."""
    bban = f"37040044{pool_id:010d}"
    check = 98 - int(bban + "131400") % 97  # "DE00" moved to the end, letters as numbers
    return f"DE{check:02d}{bban}"


def _collection_account(container: Services, actor: Actor, pool_id: int) -> None:
    name = container.pools.get_pool(actor, pool_id).name
    account = CollectionAccountIn(account_name=f"{name} collection account", iban=demo_iban(pool_id))
    container.payments.set_collection_account(actor, pool_id, account)


def seed(
    container: Services,
    scale: Scale,
    *,
    seed: int = 1,
    as_of: date | None = None,
    stream: TextIO | None = None,
    logins: list[DemoLogin] | None = None,
    batch: bool = True,
    workers: int = 1,
    plan_processes: int | None = None,
    books_apart: BooksApart | None = None,
) -> SeedReport:
    """Seed an empty database at ``scale``; returns what was built and how long it took.
    ``workers`` pools are posted at a time (one on SQLite: it has one writer).
    ``plan_processes`` plan pools side by side (default: _PLAN_PROCESSES from
    _PLAN_APART_FROM pools, below that in this process); the plans are the same either way.
    ``books_apart``: each pool planned and posted in a child process instead, that many at a
    time, each child on services of its own, once there are `from_pools` pools (the books are
    the same either way)."""
    started = time.monotonic()
    out = stream if stream is not None else sys.stderr
    if not _database_is_empty(container):
        raise SeedError(
            "the database already has pools; seed an empty one (a new VAR_DIR or DATABASE_URL) "
            "so that the same --seed builds the same books"
        )
    logins = logins if logins is not None else seed_demo_users(container)
    anchor = anchor_for(utcnow().date(), as_of)
    rng = random.Random(seed)  # noqa: S311 - reproducible make-believe, not secrecy
    setup_total = scale.managers - 1 + 2 * scale.investors - 1 + scale.pools
    with Progress(setup_total, f"seed {scale.name}: people and pools", stream=out) as bar:
        world = build_world(container, scale=scale, rng=rng, anchor=anchor, logins=logins, tick=bar.advance)
    # One generator per pool, seeded from the main one: a pool's history does not shift when
    # another pool's plan changes length, and pools can be planned anywhere, in any order.
    seeds = [rng.getrandbits(64) for _ in world.profiles]
    if books_apart is not None and len(world.profiles) >= books_apart.from_pools:
        label = f"seed {scale.name}: planning and posting"
        with Progress(len(world.profiles), label, stream=out, unit="pools") as bar:
            total_ops, postings = _books_apart(
                world, seeds, anchor=anchor, seed=seed, batch=batch, apart=books_apart, bar=bar
            )
        return _finish(
            container,
            world,
            scale=scale,
            seed=seed,
            anchor=anchor,
            operations=total_ops,
            postings=postings,
            started=started,
            batched=batch,
        )
    if plan_processes is None:
        plan_processes = _PLAN_PROCESSES if len(world.profiles) >= _PLAN_APART_FROM else 1
    with Progress(len(world.profiles), f"seed {scale.name}: planning", stream=out, unit="pools") as bar:
        plans = _plans(world.profiles, seeds, anchor, processes=plan_processes, tick=bar.advance)
    poster = Poster(container.transactions, batch=batch)
    total_ops = sum(len(p.operations) for p in plans)
    postings = 0

    def post_pool(plan: PoolPlan, bar: Progress) -> int:
        actor = world.pool_managers[plan.pool_id]
        _post_pool(container, poster, actor, plan, seed=seed, done=bar.advance)
        return plan.postings

    with (
        Progress(total_ops, f"seed {scale.name}: posting", stream=out, unit="ops") as bar,
        ThreadPoolExecutor(max(1, workers), thread_name_prefix="seed") as posting,
    ):
        # Each pool's books are its own (own lock, own seq, own plan): pools post side by
        # side, and each pool's entries are the same whatever the order between pools.
        for done in posting.map(lambda plan: post_pool(plan, bar), plans):
            postings += done
            bar.extra = f"{postings:,} postings"
    return _finish(
        container,
        world,
        scale=scale,
        seed=seed,
        anchor=anchor,
        operations=total_ops,
        postings=postings,
        started=started,
        batched=poster.batched,
    )


def _post_pool(
    container: Services,
    poster: Poster,
    actor: Actor,
    plan: PoolPlan,
    *,
    seed: int,
    done: Callable[[int], None],
) -> None:
    """Post one pool's plan and check its books against it; give it its collection account."""
    poster.post(actor, plan.pool_id, plan.operations, f"seed:{seed}:pool:{plan.pool_id}", done)
    books = container.transactions.pool_positions(actor, plan.pool_id)
    if books.net_asset_value != plan.net_asset_value:
        raise SeedError(
            f"pool {plan.pool_id}: the books show a NAV of {books.net_asset_value}, "
            f"the plan {plan.net_asset_value}"
        )
    _collection_account(container, actor, plan.pool_id)


def _finish(
    container: Services,
    world: World,
    *,
    scale: Scale,
    seed: int,
    anchor: date,
    operations: int,
    postings: int,
    started: float,
    batched: bool,
) -> SeedReport:
    """What every seed does once the pools' books are posted, and its report."""
    # The seeded books are history: their distributions and redemptions were paid long ago.
    container.payments.close_payout_history(anchor, "paid before payouts were tracked here (seeded history)")
    # FX rates for every pool currency over the whole history (and up to today, for the
    # portal's "now"), through the operator's own loader.
    first_day = min((p.pool.inception_date for p in world.profiles), default=anchor)
    rates = ecb_csv(first_day, max(anchor, utcnow().date()), seed, pivot=anchor)
    container.reports.load_fx_rates(OPERATOR, rates)
    entries = sum(container.ledger.ledger_version(p.pool.id) for p in world.profiles)
    return SeedReport(
        scale=scale.name,
        seed=seed,
        anchor=anchor,
        pools=len(world.profiles),
        investors=len(world.investor_ids),
        operations=operations,
        entries=entries,
        postings=postings,
        seconds=time.monotonic() - started,
        batched=batched,
    )


@dataclass(frozen=True)
class BooksApart:
    """Pools planned and posted in `processes` child processes, each on the services
    `open_services` builds there (it is sent to them: a module-level callable, or a partial
    of one, with picklable arguments)."""

    processes: int
    open_services: Callable[[], Services]
    from_pools: int = _PLAN_APART_FROM
    """Fewer pools are planned and posted here, as without it: starting children costs more."""


_child_services: Services | None = None
"""A child process's own services (BooksApart), opened once when it starts."""


def _open_child_services(open_services: Callable[[], Services]) -> None:
    global _child_services  # noqa: PLW0603 - one per child process, set as it starts
    _child_services = open_services()


@dataclass(frozen=True)
class _PoolBooks:
    """One pool's share of the seed, as a child process is sent it."""

    profile: PoolProfile
    pool_seed: int
    anchor: date
    manager: Actor
    seed: int
    batch: bool


def _plan_and_post(pool: _PoolBooks) -> tuple[int, int]:
    """In a child process: plan one pool and post it; (operations, postings)."""
    services = _child_services
    if services is None:  # pragma: no cover - the pool's initializer sets it
        raise RuntimeError("a seed child process without its services")
    plan = _plan_pool(pool.profile, pool.pool_seed, pool.anchor)
    poster = Poster(services.transactions, batch=pool.batch)
    _post_pool(services, poster, pool.manager, plan, seed=pool.seed, done=lambda _n: None)
    return len(plan.operations), plan.postings


def _books_apart(
    world: World,
    seeds: list[int],
    *,
    anchor: date,
    seed: int,
    batch: bool,
    apart: BooksApart,
    bar: Progress,
) -> tuple[int, int]:
    """Every pool planned and posted in child processes, a pool to a child at a time: a pool's
    planning (pure Python) runs beside another's posting, and the posting of pools side by
    side is not one interpreter's at a time, as it is in threads. (operations, postings)."""
    # spawn: the children need none of this process's state (connections, threads).
    context = multiprocessing.get_context("spawn")
    operations = postings = 0
    with ProcessPoolExecutor(
        apart.processes, mp_context=context, initializer=_open_child_services, initargs=(apart.open_services,)
    ) as children:
        pools = [
            children.submit(
                _plan_and_post,
                _PoolBooks(profile, pool_seed, anchor, world.pool_managers[profile.pool.id], seed, batch),
            )
            for profile, pool_seed in zip(world.profiles, seeds, strict=True)
        ]
        for done in as_completed(pools):
            ops, posted = done.result()
            operations += ops
            postings += posted
            bar.advance()
            bar.extra = f"{operations:,} ops, {postings:,} postings"
    return operations, postings
