"""What the service counts for Prometheus, and the text `/metrics` answers.

Like bot/clock.py this module sits in no layer: the conversation, the dispatcher and the entry
points count here. No label carries anything about a person: channels, steps, reasons, statuses.

Several processes count (the web processes, the workers). With `PROMETHEUS_MULTIPROC_DIR` set to
a folder all the host's processes share (emptied before they start), prometheus-client writes
each process's counts there and `/metrics` of any web process adds them all up; without it a
process counts for itself, and `/metrics` shows the web process's counts only. The gauges read
from the database (outbox depth, oldest due row, bookings, hand-overs waiting) are the same
whichever process answers: they are read when scraped.
"""

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func
from sqlmodel import Session, col, select

from bot.clock import Clock
from storage.booking import Appointment
from storage.models import HandOver, Outbox

CONTENT_TYPE = CONTENT_TYPE_LATEST

INBOUND = Counter("percorso_inbound_messages", "Messages received, by channel.", ["channel"])
OUTBOUND = Counter("percorso_outbound_messages", "Messages sent, by channel.", ["channel"])
SEND_FAILURES = Counter(
    "percorso_send_failures",
    "Sends that did not happen, by channel and reason (rate_limited, temporary, unreachable, "
    "opted_out, permanent, dropped).",
    ["channel", "reason"],
)
STEP_SECONDS = Histogram(
    "percorso_step_seconds",
    "Time spent handling messages, by step: understanding (NLP), dialog (one engine step), "
    "database (one SQL statement).",
    ["step"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
_TIMER = "percorso_statement_timer"


def time_statements(engine: Engine) -> None:
    """Count every SQL statement of the engine in the `database` step."""

    # A connection runs one statement at a time: one timer a connection, begun before the
    # statement and ended after it (a statement that fails leaves its timer to be replaced).
    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection: Any, *_: Any) -> None:
        timer = STEP_SECONDS.labels("database").time()
        timer.__enter__()
        connection.info[_TIMER] = timer

    @event.listens_for(engine, "after_cursor_execute")
    def _after(connection: Any, *_: Any) -> None:
        timer = connection.info.pop(_TIMER, None)
        if timer is not None:
            timer.__exit__(None, None, None)


class Backlog(Collector):
    """The gauges read from the database when scraped."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.clock()
        pending = Outbox.status == "pending"
        with Session(self.engine) as db:
            depth = db.exec(
                select(Outbox.channel, func.count()).where(pending).group_by(Outbox.channel)
            ).all()
            due = db.exec(
                select(Outbox.channel, func.min(Outbox.not_before))
                .where(pending, col(Outbox.not_before) <= now)
                .group_by(Outbox.channel)
            ).all()
            bookings = db.exec(
                select(Appointment.status, func.count()).group_by(Appointment.status)
            ).all()
            waiting = db.exec(
                select(func.count())
                .select_from(HandOver)
                .where(HandOver.status == "open", col(HandOver.taken_by).is_(None))
            ).one()
        yield _gauge("percorso_outbox_pending", "Outbox rows not yet ended, by channel.",
                     "channel", depth)  # fmt: skip
        yield _gauge("percorso_outbox_oldest_due_seconds",
                     "How long the oldest due row of each channel has been waiting.", "channel",
                     ((channel, _age(now, oldest)) for channel, oldest in due))  # fmt: skip
        yield _gauge("percorso_appointments", "Appointments, by status.", "status", bookings)
        yield GaugeMetricFamily(
            "percorso_handovers_waiting",
            "Hand-overs open and not yet taken by a counselor.",
            value=waiting,
        )


def exposition(backlog: Backlog) -> bytes:
    """The text of /metrics: the processes' counts and the database's gauges."""
    registry = CollectorRegistry()
    registry.register(backlog)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # prometheus-client's own switch
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY) + generate_latest(registry)


def _gauge(name: str, documentation: str, label: str, values: Any) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values:
        gauge.add_metric([str(key)], value)
    return gauge


def _age(now: datetime, oldest: datetime) -> float:
    # SQLite hands back naive UTC times in a plain aggregate.
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - oldest).total_seconds())
