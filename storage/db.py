"""Engine and unit of work: the same code on a SQLite file and on PostgreSQL."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import URL, Dialect, make_url
from sqlmodel import Session

import storage.tables  # noqa: F401  (every table known before an engine is used)
from storage.crypto import Cipher, dialect_cipher
from storage.keyring import index_key
from storage.models import Identity, Person
from storage.writer_turn import TurnTakingConnection, WriterTurn

_POSTGRES_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg"}
_READING = "percorso_reading"  # an execution option: this transaction only reads


def make_engine(url: str) -> Engine:
    """Build the engine for `url`; plain `postgresql://` URLs are served by psycopg 3.

    A PostgreSQL URL may carry libpq options in its query, e.g.
    `?options=-csearch_path%3Dmy_schema` to work inside one schema.
    """
    parsed = make_url(url)
    if parsed.drivername in _POSTGRES_DRIVERS:
        return create_engine(
            parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True, hide_parameters=True
        )
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    raise ValueError(f"unsupported database backend: {parsed.get_backend_name()}")


def _sqlite_engine(url: URL) -> Engine:
    turn = None
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        turn = WriterTurn(Path(url.database))
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "factory": TurnTakingConnection},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: TurnTakingConnection, _record: Any) -> None:
        # pysqlite's own BEGIN handling is switched off so that we can emit BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        # secure_delete: a deleted row's bytes are overwritten, not left in a free page.
        pragmas = ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=30000", "secure_delete=ON")
        for pragma in pragmas:
            dbapi_connection.execute(f"PRAGMA {pragma}")
        if turn is not None:
            dbapi_connection.take_turns(turn)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Taking the write lock at BEGIN serializes writers, so a check-then-write inside one
        # transaction cannot interleave with another, and no read lock is upgraded mid-way
        # (which SQLite would answer with SQLITE_BUSY instead of waiting); writers queue for it
        # in turn (storage.writer_turn). A transaction that only reads (`reading`) needs
        # neither: in WAL it reads the last commit without waiting.
        if connection.get_execution_options().get(_READING, False):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.connection.driver_connection.begin_writing()  # type: ignore[union-attr]

    return engine


def use_cipher(engine: Engine, cipher: Cipher) -> Cipher:
    """Make `cipher`, with its index key from the keyring, the engine's: the one that encrypted
    columns and address look-ups use (cipher_of). Call once the schema is migrated."""
    with engine.begin() as connection:
        keyed = cipher.with_index_key(index_key(connection, cipher))
    engine.dialect.percorso_cipher = keyed  # type: ignore[attr-defined]
    return keyed


def cipher_of(bind: Engine | Connection | Dialect) -> Cipher:
    return dialect_cipher(bind if isinstance(bind, Dialect) else bind.dialect)


def scrub(engine: Engine, tables: Collection[str]) -> None:
    """Leave no copy of deleted rows behind after an erasure.

    SQLite (with secure_delete on) overwrites deleted rows in the main file when the WAL is
    checkpointed; TRUNCATE then empties the WAL, which still held the old pages. PostgreSQL
    keeps deleted rows as dead tuples until a VACUUM of their table, run here outside any
    transaction (a VACUUM cannot run inside one).
    """
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside SQLAlchemy's transaction, which would block it
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.exec_driver_sql(f'VACUUM "{table}"')


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One session in one transaction: commit when the block ends, roll back on an exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session that only reads, in one transaction. On SQLite it neither waits for nor holds
    the write lock, so a look-up on the path of a request does not queue behind the writers
    (nor hold them up); writing in it fails with "database is locked"."""
    reader = engine.execution_options(**{_READING: True})
    with Session(reader, expire_on_commit=False) as session, session.begin():
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
