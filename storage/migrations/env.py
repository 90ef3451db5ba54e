"""Alembic environment. The URL comes from `config.attributes["url"]` (storage.migrate), else
from `-x url=...`, else from PERCORSO_DATABASE_URL; storage reads no application settings."""

import os
from typing import Any

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel.sql.sqltypes import AutoString

from storage.columns import UTCDateTime
from storage.crypto import EncryptedJSON, EncryptedText
from storage.db import make_engine
from storage.tables import metadata

target_metadata = metadata


def _database_url() -> str:
    url = (
        context.config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("PERCORSO_DATABASE_URL")
    )
    if not url:
        raise SystemExit("which database? pass -x url=... or set PERCORSO_DATABASE_URL")
    return url


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Render our column types as plain SQLAlchemy ones, so that a migration keeps working
    whatever later happens to sqlmodel or to storage.models."""
    if type_ != "type":
        return False
    if isinstance(obj, AutoString):
        return "sa.String()"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, EncryptedText | EncryptedJSON):
        return "sa.Text()"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        compare_type=True,
        **options,
    )


def run_migrations_offline() -> None:
    url = sa.make_url(_database_url())
    _configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            is_sqlite = connection.dialect.name == "sqlite"
            if is_sqlite:
                # A batch migration recreates a table and drops the old one; with foreign keys
                # on, SQLite would cascade that drop into the rows that reference it. The
                # pragma only takes effect outside a transaction, hence the raw connection.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            _configure(connection=connection, render_as_batch=is_sqlite)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
