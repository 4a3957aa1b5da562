"""Which database errors mean "unreachable just now, send it again" (503) and which are bugs (500)."""

from __future__ import annotations

import pymysql
import pytest
from sqlalchemy.exc import DisconnectionError, OperationalError, ProgrammingError

from backend.platform.db import database_unavailable


@pytest.mark.parametrize(
    ("code", "unavailable"),
    [
        (2003, True),  # cannot connect
        (2013, True),  # lost during a query
        (2006, True),  # server gone away
        (1053, True),  # shutting down
        (1290, True),  # read-only: a replica not promoted yet
        (1205, False),  # lock wait timeout: the service layer retries those itself
        (1054, False),  # unknown column: a bug
    ],
)
def test_mariadb_codes(code: int, unavailable: bool) -> None:
    error = OperationalError("SELECT 1", {}, pymysql.err.OperationalError(code, "message"))
    assert database_unavailable(error) is unavailable


def test_a_wrong_statement_and_other_exceptions_are_not_an_outage() -> None:
    assert not database_unavailable(
        ProgrammingError("SELECT", {}, pymysql.err.ProgrammingError(1146, "no table"))
    )
    assert not database_unavailable(ValueError("not a database error"))


def test_a_connection_the_pool_found_dead_is_an_outage() -> None:
    assert database_unavailable(DisconnectionError("stale"))
    invalidated = OperationalError(
        "SELECT 1", {}, pymysql.err.OperationalError(0, ""), connection_invalidated=True
    )
    assert database_unavailable(invalidated)
