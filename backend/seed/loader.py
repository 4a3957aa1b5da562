"""`python app.py seed`: build a world, plan each pool's history, post it through the books.

Three steps, each behind a progress bar on stderr:

1. people, through the user and investor services, then pools through the pool and
   investor services (one at a time, the first ones already posting on MariaDB);
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

import contextlib
import itertools
import multiprocessing
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from backend.platform.orm import utcnow
from backend.seed.demo_logins import DemoLogin, seed_demo_users
from backend.seed.fx_rates import ecb_csv
from backend.seed.plan import PoolProfile
from backend.seed.pool_books import (
    APART_FROM,
    BooksApart,
    Poster,
    SeedError,
    children_started,
    plan_pool,
    post_pool,
    post_pools_apart,
)
from backend.seed.progress import Progress
from backend.seed.scales import Scale, anchor_for
from backend.seed.shadow_books import PoolPlan
from backend.seed.world import OPERATOR, World, build_world, draft_pools, open_pool
from backend.service_directory import Services

_PLAN_PROCESSES = 2
"""Child processes that plan pools when there are many (the machines this runs on have two
cores or more)."""


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
            plans.append(plan_pool(profile, pool_seed, anchor))
            tick()
        return plans
    # spawn: the children need none of this process's state (connections, threads).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as planners:
        plans = []
        for plan in planners.map(plan_pool, profiles, seeds, itertools.repeat(anchor), chunksize=2):
            plans.append(plan)
            tick()
        return plans


def _database_is_empty(container: Services) -> bool:
    return not container.pools.list_pools(OPERATOR, limit=1).items


def needs_seed(container: Services) -> bool:
    """Whether `run` should seed the demo: no pool exists yet."""
    return _database_is_empty(container)


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
    APART_FROM pools, below that in this process); the plans are the same either way.
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
    with contextlib.ExitStack() as stack:
        children = None
        if books_apart is not None and scale.pools >= books_apart.from_pools:
            children = stack.enter_context(children_started(books_apart))
        setup_total = scale.managers - 1 + 2 * scale.investors - 1
        with Progress(setup_total, f"seed {scale.name}: people", stream=out) as bar:
            world = build_world(
                container, scale=scale, rng=rng, anchor=anchor, logins=logins, tick=bar.advance
            )
        drafts = draft_pools(scale=scale, rng=rng, anchor=anchor, world=world)
        # One generator per pool, seeded from the main one: a pool's history does not shift
        # when another pool's plan changes length, and pools can be planned anywhere, in any
        # order.
        seeds = [rng.getrandbits(64) for _ in drafts]
        if children is not None:
            label = f"seed {scale.name}: pools opened, planned and posted"
            with Progress(len(drafts), label, stream=out, unit="pools") as bar:
                # Opened here one by one as the children take them: the first pools post
                # while later ones are opened (this process alone would leave a core idle).
                opened = (open_pool(container, world, draft) for draft in drafts)
                operations, postings = post_pools_apart(
                    children, world, opened, seeds, anchor=anchor, seed=seed, batch=batch, bar=bar
                )
            batched = batch
        else:
            with Progress(len(drafts), f"seed {scale.name}: pools", stream=out, unit="pools") as bar:
                for draft in drafts:
                    open_pool(container, world, draft)
                    bar.advance()
            operations, postings, batched = _books_here(
                container,
                world,
                seeds,
                label=f"seed {scale.name}",
                anchor=anchor,
                seed=seed,
                batch=batch,
                workers=workers,
                plan_processes=plan_processes,
                out=out,
            )
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


def _books_here(
    container: Services,
    world: World,
    seeds: list[int],
    *,
    label: str,
    anchor: date,
    seed: int,
    batch: bool,
    workers: int,
    plan_processes: int | None,
    out: TextIO,
) -> tuple[int, int, bool]:
    """Every pool planned (in child processes when there are many), then posted from this
    process, `workers` pools at a time; (operations, postings, whether batches were used)."""
    if plan_processes is None:
        plan_processes = _PLAN_PROCESSES if len(world.profiles) >= APART_FROM else 1
    with Progress(len(world.profiles), f"{label}: planning", stream=out, unit="pools") as bar:
        plans = _plans(world.profiles, seeds, anchor, processes=plan_processes, tick=bar.advance)
    poster = Poster(container.transactions, batch=batch)
    total_ops = sum(len(p.operations) for p in plans)
    postings = 0

    def post_one(plan: PoolPlan, bar: Progress) -> int:
        actor = world.pool_managers[plan.pool_id]
        post_pool(container, poster, actor, plan, seed=seed, done=bar.advance)
        return plan.postings

    with (
        Progress(total_ops, f"{label}: posting", stream=out, unit="ops") as bar,
        ThreadPoolExecutor(max(1, workers), thread_name_prefix="seed") as posting,
    ):
        # Each pool's books are its own (own lock, own seq, own plan): pools post side by
        # side, and each pool's entries are the same whatever the order between pools.
        for done in posting.map(lambda plan: post_one(plan, bar), plans):
            postings += done
            bar.extra = f"{postings:,} postings"
    return total_ops, postings, poster.batched
