"""Engine and unit of work: the same code on a SQLite file and on PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

import storage.tables  # noqa: F401  (every table known before an engine is used)
from storage.models import Identity, Person

_POSTGRES_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg"}


def make_engine(url: str) -> Engine:
    """Build the engine for `url`; plain `postgresql://` URLs are served by psycopg 3.

    A PostgreSQL URL may carry libpq options in its query, e.g.
    `?options=-csearch_path%3Dmy_schema` to work inside one schema.
    """
    parsed = make_url(url)
    if parsed.drivername in _POSTGRES_DRIVERS:
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    raise ValueError(f"unsupported database backend: {parsed.get_backend_name()}")


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling is switched off so that we can emit BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=30000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Taking the write lock at BEGIN serializes writers, so a check-then-write inside one
        # transaction cannot interleave with another, and no read lock is upgraded mid-way
        # (which SQLite would answer with SQLITE_BUSY instead of waiting).
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One session in one transaction: commit when the block ends, roll back on an exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def lock_person(session: Session, person_id: str) -> None:
    """Hold the person's row until the transaction ends, so their messages run one at a time.

    The lock order of every transaction that touches a person: this lock first, then anything
    else (the inbound record, their conversation, appointments, counselors, outbox rows). A row
    written with a foreign key to the person takes a shared lock on them; taken before this one,
    two transactions of one person would each wait for the other's shared lock.

    On PostgreSQL this is a row lock. SQLite ignores FOR UPDATE; running the statement still
    opens the transaction with BEGIN IMMEDIATE, which holds the database's write lock.
    Raises NoResultFound when the person does not exist.
    """
    session.execute(select(Person.id).where(Person.id == person_id).with_for_update()).scalar_one()


def lock_person_of(session: Session, identity: Identity) -> Identity:
    """Lock the identity's person (lock_person) and return the identity as it is under that lock.

    A link to another person or an erasure that committed since the identity was read has moved
    it, under the old person's lock: then the person it now belongs to is locked in turn.
    """
    while True:
        person_id = identity.person_id
        lock_person(session, person_id)
        session.refresh(identity)
        if identity.person_id == person_id:
            return identity
