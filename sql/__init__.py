"""Alembic environment and migrations: the schema's one source of truth."""
