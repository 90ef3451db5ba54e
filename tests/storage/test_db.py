import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import NoResultFound, StatementError

from storage import outbox
from storage.db import lock_person, lock_person_of, make_engine, reading, unit_of_work
from storage.models import Identity, Person
from storage.repositories import find_or_create_identity

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_plain_postgresql_urls_are_served_by_psycopg() -> None:
    for url in ("postgresql://u@db/percorso", "postgres://u@db/percorso"):
        assert make_engine(url).dialect.driver == "psycopg"


def test_sqlite_file_gets_its_directory_and_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    assert (tmp_path / "var" / "x.sqlite3").exists()
    engine.dispose()


def test_unit_of_work_rolls_back_on_error(engine: Engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        find_or_create_identity(session, "console", "ana", NOW)
        raise RuntimeError("boom")
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_times_come_back_aware_in_utc(engine: Engine) -> None:
    created = datetime(2026, 3, 29, 10, 30, tzinfo=ROME)  # the day Italy moves to summer time
    with unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "console", "ana", now=created).person_id
    with unit_of_work(engine) as session:
        stored = session.get(Person, person_id)
        assert stored is not None
        assert stored.created_at == created
        assert stored.created_at.tzinfo is UTC
        assert stored.created_at.hour == 8


def test_due_time_compares_as_an_instant_whatever_the_zone(engine: Engine) -> None:
    rome_morning = datetime(2026, 3, 29, 10, 30, tzinfo=ROME)  # 08:30 UTC
    utc = rome_morning.astimezone(UTC)
    with unit_of_work(engine) as session:
        identity = find_or_create_identity(session, "console", "ana", now=utc)
        row = outbox.NewRow(identity.id, identity.person_id, "console", "reminder", 20,
                            {"text": "tomorrow"}, not_before=rome_morning)  # fmt: skip
        outbox.add(session, row, now=utc)
    lease = utc + timedelta(hours=1)
    assert outbox.claim(engine, utc - timedelta(minutes=1), ["console"], 10, lease)[0] == []
    assert len(outbox.claim(engine, utc + timedelta(minutes=1), ["console"], 10, lease)[0]) == 1


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="naive"), unit_of_work(engine) as session:
        find_or_create_identity(session, "console", "ana", now=datetime(2026, 1, 1))


def test_a_locked_person_waits_for_the_holder(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        person_id = find_or_create_identity(session, "console", "ana", NOW).person_id

    def second_worker() -> None:
        with unit_of_work(engine) as session:
            lock_person(session, person_id)

    with ThreadPoolExecutor(1) as pool:
        with unit_of_work(engine) as session:
            lock_person(session, person_id)
            waiting = pool.submit(second_worker)
            time.sleep(0.5)  # a moment for it to get in (were it not kept waiting)
            assert not waiting.done()
        waiting.result(timeout=10)


def test_locking_an_unknown_person_fails(engine: Engine) -> None:
    with pytest.raises(NoResultFound), unit_of_work(engine) as session:
        lock_person(session, "no-such-person")


def test_an_identity_moved_before_its_person_was_locked_is_followed(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        read_earlier = find_or_create_identity(session, "console", "ana", NOW)
        other = Person(created_at=NOW)
        session.add(other)
    with unit_of_work(engine) as session:  # e.g. an erasure moves the identity to a blank person
        moved = session.get(Identity, read_earlier.id)
        moved.person_id = other.id
        session.add(moved)
    with unit_of_work(engine) as session:
        session.add(read_earlier)
        assert lock_person_of(session, read_earlier).person_id == other.id


def test_sqlite_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as first:
        first.execute(text("SELECT 1"))  # opens a transaction
        outsider = sqlite3.connect(path, timeout=0)  # a writer outside percorso: no turn taken
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            outsider.execute("BEGIN IMMEDIATE")
        outsider.close()
    engine.dispose()


def test_reading_on_sqlite_neither_waits_for_nor_holds_the_write_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with unit_of_work(engine) as writer:
        writer.exec(text("CREATE TABLE t (n INTEGER)"))
    with unit_of_work(engine) as writer:
        writer.exec(text("INSERT INTO t VALUES (1)"))
        writer.flush()  # the writer holds the write lock, its row not committed
        with reading(engine) as reader:
            reader.connection().connection.driver_connection.execute("PRAGMA busy_timeout=0")
            assert reader.exec(text("SELECT count(*) FROM t")).one() == (0,)
    with reading(engine) as reader, unit_of_work(engine) as writer:
        assert reader.exec(text("SELECT count(*) FROM t")).one() == (1,)
        writer.exec(text("INSERT INTO t VALUES (2)"))  # not held up by the open reader
    engine.dispose()


def test_writing_while_reading_is_refused_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with unit_of_work(engine) as writer:
        writer.exec(text("CREATE TABLE t (n INTEGER)"))
    with unit_of_work(engine) as writer:
        writer.exec(text("SELECT 1"))  # holds the write lock
        with pytest.raises(Exception, match="locked"), reading(engine) as reader:
            reader.connection().connection.driver_connection.execute("PRAGMA busy_timeout=0")
            reader.exec(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
