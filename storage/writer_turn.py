"""Whose turn it is to write a SQLite file: one writer at a time, across threads and processes,
the next one woken as soon as the last commits.

SQLite lets one transaction write at a time and makes the others poll: a writer that finds the
lock taken sleeps, 1 ms at first and up to 100 ms after a while, and tries again. Under load the
lock then lies free while its waiters sleep, and a waiter that has waited long (the worker's
senders, between the web's requests) sleeps longest and loses most often. Here every write
transaction first queues for its turn with `flock` on a file beside the database, which the
kernel hands to a waiter the moment it is given back; SQLite's write lock is then free when the
turn's holder asks for it. SQLite's busy timeout stays for writers outside percorso (the
`sqlite3` shell).
"""

import fcntl
import os
import sqlite3
import threading
import weakref
from pathlib import Path


class NestedWrite(sqlite3.OperationalError):
    """A thread that holds the turn asked for it again: it would wait for itself forever."""


class WriterTurn:
    """The turn on one database file, for the connections of one engine. Each connection has
    the file open on its own, so its threads and other processes wait for one another alike."""

    def __init__(self, database: Path) -> None:
        self.path = f"{database}-writer"
        self._holders: set[int] = set()  # the threads holding the turn, through any connection

    def open(self) -> int:
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def take(self, file: int) -> int:
        """Wait for the turn; returns the thread that took it, which give_back needs (the
        transaction may end on another thread)."""
        taker = threading.get_ident()
        if taker in self._holders:
            raise NestedWrite("database is locked by a write transaction of this same thread")
        fcntl.flock(file, fcntl.LOCK_EX)
        self._holders.add(taker)
        return taker

    def give_back(self, file: int, taker: int) -> None:
        self._holders.discard(taker)
        fcntl.flock(file, fcntl.LOCK_UN)


class TurnTakingConnection(sqlite3.Connection):
    """A sqlite3 connection that takes the writer turn before BEGIN IMMEDIATE and gives it back
    once its transaction has ended: after the COMMIT or ROLLBACK itself, which SQLAlchemy's
    commit and rollback events precede."""

    turn: WriterTurn | None = None
    _file = -1
    _taker: int | None = None  # the thread that took the turn, while it is held

    def take_turns(self, turn: WriterTurn) -> None:
        self.turn, self._file = turn, turn.open()
        # A connection dropped without close() (an engine never disposed) must not leak its file.
        self._close_file = weakref.finalize(self, os.close, self._file)

    def begin_writing(self) -> None:
        if self.turn is not None:
            self._taker = self.turn.take(self._file)
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._give_back()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_back()
            if self.turn is not None:
                self._close_file()  # once: a finalizer runs at most once

    def _give_back(self) -> None:
        if self._taker is not None and self.turn is not None:
            taker, self._taker = self._taker, None
            self.turn.give_back(self._file, taker)
