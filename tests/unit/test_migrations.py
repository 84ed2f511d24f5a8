"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.models import Base


def test_migrations_match_the_models(database):
    with database.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == [], f"models and migrations differ; add a migration: {diffs}"


def test_migrating_twice_is_harmless(database):
    database.migrate()
    with database.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
