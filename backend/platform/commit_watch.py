"""Calls made after a unit of work commits a change to rows of given models.

The gateway's remembered access checks (backend.auth.checked_sessions) must end when a user
or an auth session changes, by whatever path: a service method, a CLI command, one added
later. Noting the change where the ORM writes it (a flushed object, or an ORM UPDATE or
DELETE statement) covers every path that goes through a session; a unit of work then reports
what its transaction changed once it has committed (backend.platform.unit_of_work).

Raw SQL (text()) is not seen: the services write users and sessions through the ORM.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

log = logging.getLogger(__name__)

_CHANGED = "commit_watch.changed_models"


def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
    changed = {type(row) for row in chain(session.dirty, session.deleted)}
    if changed:
        session.info.setdefault(_CHANGED, set()).update(changed)


def _note_statement(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        state.session.info.setdefault(_CHANGED, set()).add(state.bind_mapper.class_)


# Every session of the process: the tests' sessions are made by a sessionmaker of their own.
event.listen(Session, "before_flush", _note_flush)
event.listen(Session, "do_orm_execute", _note_statement)


class CommitWatchers:
    """What to call after a commit that changed rows of which models."""

    def __init__(self) -> None:
        self._watchers: list[tuple[frozenset[type], Callable[[], None]]] = []

    def watch(self, models: Iterable[type], call: Callable[[], None]) -> None:
        self._watchers.append((frozenset(models), call))

    def committed(self, session: Session) -> None:
        """`session` has just committed: call whoever watches a model it changed. A failing
        call is logged, never raised: the transaction stands."""
        changed: set[type] = session.info.pop(_CHANGED, set())
        if not changed:
            return
        for models, call in self._watchers:
            if models & changed:
                try:
                    call()
                except Exception:
                    log.exception("a commit watcher failed")
