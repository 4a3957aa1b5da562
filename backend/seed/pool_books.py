"""One pool's share of `python app.py seed`: its plan, its posting through the books, and the
child processes that plan and post pools side by side (backend.seed.loader runs the whole)."""

from __future__ import annotations

import contextlib
import multiprocessing
import random
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.payments.interface import CollectionAccountIn
from backend.platform.actors import Actor
from backend.seed.plan import PoolProfile, plan_closed_ended, plan_open_ended
from backend.seed.progress import Progress
from backend.seed.shadow_books import Operation, PoolPlan
from backend.seed.world import World
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
APART_FROM = 50
"""Pools from which planning (and on MariaDB posting) goes to child processes: below,
starting them costs more."""


class SeedError(RuntimeError):
    """The database is not empty, or the posted books disagree with the plan."""


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


def plan_pool(profile: PoolProfile, pool_seed: int, anchor: date) -> PoolPlan:
    pool_rng = random.Random(pool_seed)  # noqa: S311 - reproducible make-believe, not secrecy
    planner = plan_open_ended if profile.pool.kind.value == "open_ended" else plan_closed_ended
    return planner(profile, pool_rng, anchor)


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


def post_pool(
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


@dataclass(frozen=True)
class BooksApart:
    """Pools planned and posted in `processes` child processes, each on the services
    `open_services` builds there (it is sent to them: a module-level callable, or a partial
    of one, with picklable arguments)."""

    processes: int
    open_services: Callable[[], Services]
    from_pools: int = APART_FROM
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
    plan = plan_pool(pool.profile, pool.pool_seed, pool.anchor)
    poster = Poster(services.transactions, batch=pool.batch)
    post_pool(services, poster, pool.manager, plan, seed=pool.seed, done=lambda _n: None)
    return len(plan.operations), plan.postings


def _started() -> None:
    """A first task for each child: sent at once, so that each child imports the app and opens
    its services while this process is still creating the people."""


@contextlib.contextmanager
def children_started(apart: BooksApart) -> Iterator[ProcessPoolExecutor]:
    """The child processes of `apart`, starting now (their start is seconds of imports each,
    done while the people are created on one core, not while pools wait for them)."""
    # spawn: the children need none of this process's state (connections, threads).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        apart.processes, mp_context=context, initializer=_open_child_services, initargs=(apart.open_services,)
    ) as children:
        # One task each: the executor starts a child per task sent while none is idle.
        for _ in range(apart.processes):
            children.submit(_started)
        yield children


def post_pools_apart(
    children: ProcessPoolExecutor,
    world: World,
    profiles: Iterable[PoolProfile],
    seeds: list[int],
    *,
    anchor: date,
    seed: int,
    batch: bool,
    bar: Progress,
) -> tuple[int, int]:
    """Every pool planned and posted in the `children` (children_started), a pool to a child
    at a time: a pool's planning (pure Python) runs beside another's posting, and the posting
    of pools side by side is not one interpreter's at a time, as it is in threads.
    (operations, postings)."""
    operations = postings = 0
    posting: set[Future[tuple[int, int]]] = set()

    def settle(done: Future[tuple[int, int]]) -> None:
        nonlocal operations, postings
        posting.discard(done)
        ops, posted = done.result()
        operations += ops
        postings += posted
        bar.advance()
        bar.extra = f"{operations:,} ops, {postings:,} postings"

    try:
        # `profiles` may open each pool as it is asked for: children post the first pools
        # meanwhile, and a child's failure stops the opening of further pools.
        for profile, pool_seed in zip(profiles, seeds, strict=True):
            manager = world.pool_managers[profile.pool.id]
            books = _PoolBooks(profile, pool_seed, anchor, manager, seed, batch)
            posting.add(children.submit(_plan_and_post, books))
            for done in [future for future in posting if future.done()]:
                settle(done)
        for done in as_completed(list(posting)):
            settle(done)
    except BaseException:
        # A pool that failed (or Ctrl-C) stops the seed: the pools not yet begun are not.
        children.shutdown(wait=True, cancel_futures=True)
        raise
    return operations, postings
