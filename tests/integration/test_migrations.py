"""The migrations build exactly the schema the models describe, on SQLite and MariaDB."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sql.all_models import metadata


@pytest.mark.parametrize("backend", ["sqlite", "mariadb"])
def test_models_and_migrations_agree(migrated_urls: dict[str, str], backend: str) -> None:
    engine = create_engine(migrated_urls[backend])
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == [], differences
