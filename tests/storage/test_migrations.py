from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage.db import make_engine
from storage.migrate import upgrade
from storage.tables import metadata


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_upgrade_twice_is_harmless(engine: Engine, database_url: str) -> None:
    upgrade(database_url)
    assert "outbox" in inspect(engine).get_table_names()


def test_upgrade_works_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'nested' / 'fresh.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    assert {"person", "identity", "outbox"} <= set(inspect(engine).get_table_names())
    engine.dispose()
