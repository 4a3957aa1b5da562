"""Database triggers that make a table append-only: UPDATE and DELETE are refused on both
backends, so only someone who can drop a trigger (DDL) can rewrite the books."""

from __future__ import annotations

ACTIONS = ("UPDATE", "DELETE")


def trigger_name(table: str, action: str) -> str:
    return f"{table}_no_{action.lower()}"


def create_trigger_sql(dialect: str, table: str, action: str) -> str:
    """The trigger that makes `table` refuse `action`."""
    message = f"{table} is append-only: {action} refused; post a reversing entry instead"
    name = trigger_name(table, action)
    if dialect == "sqlite":
        return f"CREATE TRIGGER {name} BEFORE {action} ON {table} BEGIN SELECT RAISE(ABORT, '{message}'); END"
    return (
        f"CREATE TRIGGER {name} BEFORE {action} ON {table} FOR EACH ROW "
        f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'"
    )


def drop_trigger_sql(table: str, action: str) -> str:
    return f"DROP TRIGGER IF EXISTS {trigger_name(table, action)}"
