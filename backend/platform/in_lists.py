"""Long lists of keys, asked for in slices: `WHERE id IN (...)` with tens of thousands of
values is slow to build, past SQLite's limit on bound variables, and a packet MariaDB may
refuse; a thousand at a time is a handful of statements for any list a service is given."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from backend.platform.orm import Base

IN_LIST = 1000
"""Most values in one IN list."""

_Key = TypeVar("_Key")


def in_slices(values: Sequence[_Key]) -> Iterator[Sequence[_Key]]:
    """`values` in slices of at most IN_LIST, in order."""
    for at in range(0, len(values), IN_LIST):
        yield values[at : at + IN_LIST]


def read_back(session: Session, model: type[Base], ids: Sequence[int]) -> None:
    """Load the rows of `model` just written with these primary keys again as the database
    stored them (its defaults, its rounding: MariaDB keeps whole seconds), so what a service
    answers matches what a later read returns."""
    key = inspect(model).primary_key[0]
    for chunk in in_slices(ids):
        stored = select(model).where(key.in_(chunk)).execution_options(populate_existing=True)
        session.scalars(stored).all()
