"""Readiness: can this process reach the database, the cache and the broker right now?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kombu.connection import Connection
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from backend.platform.cache import Cache, CacheUnavailable
from backend.platform.config import Settings
from backend.platform.db import Database


class Reachable(Protocol):
    """What readiness probes: a process's settings, database and cache."""

    settings: Settings

    @property
    def db(self) -> Database: ...
    @property
    def cache(self) -> Cache: ...


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def readiness(container: Reachable) -> list[Check]:
    return [_database(container), _cache(container), _broker(container)]


def _database(container: Reachable) -> Check:
    try:
        with container.db.primary.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return Check("database", False, f"primary unreachable ({type(exc).__name__})")
    return Check("database", True, container.db.primary.dialect.name)


def _cache(container: Reachable) -> Check:
    if not container.settings.redis_url:
        return Check("cache", True, "in-process")
    try:
        container.cache.ping()
    except CacheUnavailable:
        return Check("cache", False, "redis unreachable")
    return Check("cache", True, "redis")


def _broker(container: Reachable) -> Check:
    url = container.settings.celery_broker_url
    if not url:
        return Check("broker", True, "in-process")
    try:
        with Connection(url, connect_timeout=2) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises transport-specific errors; any means "not reachable"
        return Check("broker", False, f"broker unreachable ({type(exc).__name__})")
    return Check("broker", True, "amqp")
