"""A key left in flight by a dead process is taken over at once (ledger/claim_owners.py).

Each process claiming keys on MariaDB holds a named lock for its lifetime and names it in
its claims; a claim finding the key in flight looks at the owner's lock: free, the owner is
gone and the key is taken over now; held, the claimant waits a little for the owner to
finish, then answers 409 as before. `in_flight_timeout` is a day in these tests, so only the
lock can explain a takeover. SQLite claims name no lock and behave as they always did.
"""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import pytest
from sqlalchemy import select, text

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger.claim_owners import ClaimOwner, claim_owner_for, owner_lock
from ledger.errors import IdempotencyKeyInFlight
from ledger.idempotency import Claim, IdempotencyStore, Replay, request_fingerprint
from ledger.models import IdempotencyKey
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url

ROOT = Path(__file__).resolve().parents[2]
OPERATOR = Actor.operator("claim-owners-test")
FINGERPRINT = request_fingerprint("post_entry", {"pool_id": 1, "amount": "100.00"})
A_DAY = timedelta(days=1)
# Bounds, not timings: a dead owner's lock is free moments after its process ends, and the
# wait ends there; the bound only keeps a broken build from hanging the test.
LONG_WAIT = timedelta(seconds=30)

CLAIMANT = """
import sys
from backend.platform.db import Database
from backend.platform.actors import Actor
from backend.platform.orm import utcnow
from ledger.idempotency import IdempotencyStore

store = IdempotencyStore(Database(sys.argv[1]))
claim = store.claim(Actor.operator("claim-owners-test"), sys.argv[2], "post_entry", sys.argv[3], utcnow())
print(claim.token, flush=True)
sys.stdin.read()  # claimed and "still writing" until killed
"""


@pytest.fixture(scope="module")
def mariadb_url() -> str:
    url = mariadb_database_url("claim_owners")
    upgrade(url)
    return url


@pytest.fixture
def db(mariadb_url: str) -> Iterator[Database]:
    database = Database(mariadb_url)
    yield database
    database.dispose()


@pytest.fixture
def other_process(db: Database) -> Iterator[ClaimOwner]:
    """A process lock of its own: claims made under it are another live process's to us."""
    owner = ClaimOwner(db.primary.url._replace(database=None))
    yield owner
    owner.close()


def _key(request: pytest.FixtureRequest) -> str:
    return f"{request.node.name[:200]}"


def _claimed(store: IdempotencyStore, key: str) -> Claim:
    claimed = store.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow())
    assert isinstance(claimed, Claim)
    return claimed


def _complete(db: Database, store: IdempotencyStore, claim: Claim, entry_id: int) -> None:
    with UnitOfWork(db) as uow:
        store.complete(uow.session, claim, entry_id, f'{{"id": {entry_id}}}', utcnow())
        uow.commit()


def _owner_token(db: Database, key: str) -> str:
    with UnitOfWork(db) as uow:
        return str(
            uow.session.scalar(
                select(IdempotencyKey.owner_token).where(IdempotencyKey.idempotency_key == key)
            )
        )


class Pauses:
    """The claimant's pause between looks at the key: counts them, and runs `then` at the first."""

    def __init__(self, then: Callable[[], object] | None = None) -> None:
        self.count = 0
        self._then = then

    def __call__(self, _seconds: float) -> None:
        self.count += 1
        if self.count == 1 and self._then is not None:
            self._then()


def test_a_key_claimed_by_a_process_killed_with_sigkill_is_taken_over_at_once(
    db: Database, mariadb_url: str, request: pytest.FixtureRequest
) -> None:
    key = _key(request)
    child = subprocess.Popen(
        [sys.executable, "-c", CLAIMANT, mariadb_url, key, FINGERPRINT],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        dead_token = child.stdout.readline().strip()
        assert owner_lock(dead_token) is not None, f"the claim names its process lock: {dead_token!r}"
        # Alive, the owner keeps its key: a claimant that does not wait is told 409.
        impatient = IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=timedelta(0))
        with pytest.raises(IdempotencyKeyInFlight):
            impatient.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    store = IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=LONG_WAIT)
    taken = _claimed(store, key)
    assert taken.token != dead_token and _owner_token(db, key) == taken.token
    # Had the owner only been frozen, its completion would now find its token gone: no second entry.
    dead = Claim(taken.principal, taken.key_digest, dead_token)
    with pytest.raises(IdempotencyKeyInFlight, match="took over"):
        _complete(db, store, dead, 1)
    _complete(db, store, taken, 2)
    assert store.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow()) == Replay('{"id": 2}')


def test_a_live_owner_that_completes_during_the_wait_is_replayed(
    db: Database, other_process: ClaimOwner, request: pytest.FixtureRequest
) -> None:
    key = _key(request)
    owner = IdempotencyStore(db, owner=other_process)
    first = _claimed(owner, key)
    pauses = Pauses(then=lambda: _complete(db, owner, first, 41))
    claimant = IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=LONG_WAIT, pause=pauses)
    assert claimant.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow()) == Replay('{"id": 41}')
    assert pauses.count == 1, "it waited for the live owner instead of answering 409"


def test_a_live_owner_that_releases_during_the_wait_lets_the_claimant_run_afresh(
    db: Database, other_process: ClaimOwner, request: pytest.FixtureRequest
) -> None:
    key = _key(request)
    owner = IdempotencyStore(db, owner=other_process)
    first = _claimed(owner, key)
    pauses = Pauses(then=lambda: owner.release(first))
    claimant = IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=LONG_WAIT, pause=pauses)
    second = _claimed(claimant, key)
    assert second.token != first.token and _owner_token(db, key) == second.token
    assert pauses.count == 1


def test_a_live_owner_still_writing_after_the_wait_is_409(
    db: Database, other_process: ClaimOwner, request: pytest.FixtureRequest
) -> None:
    key = _key(request)
    first = _claimed(IdempotencyStore(db, owner=other_process), key)
    pauses = Pauses()
    claimant = IdempotencyStore(
        db, in_flight_timeout=A_DAY, owner_wait=timedelta(milliseconds=200), pause=pauses
    )
    with pytest.raises(IdempotencyKeyInFlight):
        claimant.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow())
    assert pauses.count >= 1, "it looked again before giving up"
    assert _owner_token(db, key) == first.token, "the live owner keeps its key"


def test_a_claim_whose_lock_connection_dropped_is_taken_over_and_its_live_owner_rolls_back(
    db: Database, other_process: ClaimOwner, request: pytest.FixtureRequest
) -> None:
    """A wrong "dead" verdict (the owner lives, its lock's connection does not): one entry."""
    key = _key(request)
    owner = IdempotencyStore(db, owner=other_process)
    first = _claimed(owner, key)
    lost = owner_lock(first.token)
    other_process.close()  # as a network blip or a database restart would
    claimant = IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=LONG_WAIT)
    taken = _claimed(claimant, key)
    with pytest.raises(IdempotencyKeyInFlight, match="took over"):
        _complete(db, owner, first, 1)
    _complete(db, claimant, taken, 2)
    assert owner.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow()) == Replay('{"id": 2}')
    # The owner's next claim takes a new lock under a new name.
    again = _claimed(owner, f"{key}-next")
    assert owner_lock(again.token) not in (None, lost)


def _claim_in_forked_child(url: str, key: str, answer: Connection) -> None:
    db = Database(url)
    answer.send(_claimed(IdempotencyStore(db), key).token)


def test_a_forked_child_takes_a_lock_of_its_own_and_leaves_its_parents_alone(
    db: Database, mariadb_url: str, request: pytest.FixtureRequest
) -> None:
    key = _key(request)
    mine = owner_lock(_claimed(IdempotencyStore(db), f"{key}-parent").token)
    assert mine is not None
    receiving, sending = multiprocessing.Pipe(duplex=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork beside threads: the point here
        child = multiprocessing.get_context("fork").Process(
            target=_claim_in_forked_child, args=(mariadb_url, key, sending)
        )
        child.start()
    child_token = receiving.recv()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert owner_lock(child_token) not in (None, mine), "the child named a lock of its own"
    with db.primary.connect() as look:
        assert look.scalar(text("SELECT IS_USED_LOCK(:name)"), {"name": mine}) is not None, (
            "the child's end did not release the parent's lock"
        )
    # The child is gone: its key is taken over at once.
    assert (
        _claimed(IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=LONG_WAIT), key).token
        != child_token
    )
    assert claim_owner_for(db.primary.url).holds(mine)


def test_on_sqlite_a_key_in_flight_is_409_at_once_as_before(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'claims.sqlite3'}"
    upgrade(url)
    db = Database(url)
    try:
        key = _key(request)
        first = _claimed(IdempotencyStore(db), key)
        assert owner_lock(first.token) is None, "one process: no lock to name"
        pauses = Pauses()
        claimant = IdempotencyStore(db, in_flight_timeout=A_DAY, owner_wait=LONG_WAIT, pause=pauses)
        with pytest.raises(IdempotencyKeyInFlight):
            claimant.claim(OPERATOR, key, "post_entry", FINGERPRINT, utcnow())
        assert pauses.count == 0
        # The timeout still takes over an abandoned key.
        patient = IdempotencyStore(db, in_flight_timeout=timedelta(0))
        assert _claimed(patient, key).token != first.token
    finally:
        db.dispose()
