"""Writers on a SQLite file take turns (storage.writer_turn): a waiting writer, in this process
or another, is handed the turn when the holder's transaction ends, however it ends."""

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from storage.db import make_engine, reading, unit_of_work
from storage.writer_turn import NestedWrite

WRITE_WITHOUT_WAITING_IN_SQLITE = """
import sys
from sqlalchemy import event, text
from storage.db import make_engine, unit_of_work
engine = make_engine(sys.argv[1])
event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA busy_timeout=0"))
engine.connect().close()
print("ready", flush=True)
with unit_of_work(engine) as db:
    db.exec(text("INSERT INTO t VALUES (2)"))
"""


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with unit_of_work(engine) as db:
        db.exec(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def _count(engine: Engine) -> int:
    with reading(engine) as db:
        return db.exec(text("SELECT count(*) FROM t")).one()[0]


def test_another_process_waits_for_its_turn_not_in_sqlite(sqlite_file: Engine) -> None:
    # With SQLite's busy timeout at 0 the other process would fail at once on the write lock:
    # it succeeds because it waits for the turn, which comes when this transaction commits.
    with unit_of_work(sqlite_file) as db:
        db.exec(text("INSERT INTO t VALUES (1)"))
        db.flush()
        other = subprocess.Popen(
            [sys.executable, "-c", WRITE_WITHOUT_WAITING_IN_SQLITE, str(sqlite_file.url)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert other.stdout is not None and other.stdout.readline() == b"ready\n"
        time.sleep(0.5)  # time to get to its write (were it not kept waiting)
        assert other.poll() is None
    _, errors = other.communicate(timeout=60)
    assert other.returncode == 0, errors.decode()
    assert _count(sqlite_file) == 2


def test_a_thread_gets_the_turn_when_the_holder_rolls_back(sqlite_file: Engine) -> None:
    def write() -> None:
        with unit_of_work(sqlite_file) as db:
            db.exec(text("INSERT INTO t VALUES (2)"))

    with (
        ThreadPoolExecutor(1) as pool,
        pytest.raises(RuntimeError),
        unit_of_work(sqlite_file) as db,
    ):
        db.exec(text("INSERT INTO t VALUES (1)"))
        waiting = pool.submit(write)
        time.sleep(0.3)
        assert not waiting.done()
        raise RuntimeError("the holder fails")
    waiting.result(timeout=10)
    assert _count(sqlite_file) == 1


def test_reading_needs_no_turn(sqlite_file: Engine) -> None:
    with unit_of_work(sqlite_file) as db, ThreadPoolExecutor(1) as pool:
        db.exec(text("INSERT INTO t VALUES (1)"))
        db.flush()
        assert pool.submit(_count, sqlite_file).result(timeout=10) == 0


def test_a_write_inside_a_write_on_one_thread_fails_at_once(sqlite_file: Engine) -> None:
    with unit_of_work(sqlite_file) as db:
        db.exec(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(NestedWrite, match="locked"), unit_of_work(sqlite_file) as inner:
            inner.exec(text("INSERT INTO t VALUES (2)"))
    with unit_of_work(sqlite_file) as db:  # the turn was given back: the thread writes again
        db.exec(text("INSERT INTO t VALUES (3)"))
    assert _count(sqlite_file) == 2
