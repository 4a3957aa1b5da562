"""On the embedded SQLite, a unit of work that reads and then writes takes the writer lock
first (UnitOfWork.write_first), so a concurrent writer queues behind it instead of one of
them failing with "database is locked" (two people signing in at once did)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView, UnitOfWork
from sql.migrate import upgrade

_NEW_BENCHMARK = text(
    "INSERT INTO reports_benchmarks (name, currency, description, created_at) "
    "VALUES (:name, 'USD', '', '2026-01-01')"
)


def test_a_unit_of_work_that_writes_first_makes_the_other_writer_wait(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.sqlite3'}"
    upgrade(url)
    db = Database(url)
    holding, other_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        holding.wait(5)
        try:
            with UnitOfWork(db) as uow:
                uow.write_first("reports_benchmarks", "name")  # waits up to busy_timeout
                uow.session.execute(_NEW_BENCHMARK, {"name": "B"})
                uow.commit()
        except BaseException as exc:
            errors.append(exc)
        other_done.set()

    thread = threading.Thread(target=other_writer)
    thread.start()
    with UnitOfWork(db) as uow:
        uow.write_first("reports_benchmarks", "name")
        # Read, as the sign-in does, let the other writer try, then write.
        uow.session.execute(text("SELECT count(*) FROM reports_benchmarks")).scalar()
        holding.set()
        assert not other_done.wait(0.5), errors  # queued behind this unit of work, not failed
        with ReadView(db) as view:  # readers are not held up by the writer lock
            assert view.session.execute(text("SELECT count(*) FROM reports_benchmarks")).scalar() == 0
        uow.session.execute(_NEW_BENCHMARK, {"name": "A"})
        uow.commit()
    thread.join(10)
    assert errors == []
    with db.primary.connect() as conn:
        names = conn.execute(text("SELECT name FROM reports_benchmarks ORDER BY id")).scalars().all()
    assert names == ["A", "B"]
    db.dispose()
