"""The worker's APScheduler: the dispatch tick and the cron jobs. It holds no state of its own:
every job reads the database and writes outbox rows, so a restart loses nothing."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.conversation.service import ConversationService
from bot.delivery.worker import Worker
from bot.jobs.agenda import queue_agendas
from bot.jobs.handovers import escalate_overdue
from bot.jobs.nudges import queue_nudges
from bot.jobs.purge import purge_sent_payloads
from bot.jobs.retention import Retention, apply_retention
from bot.settings import Settings

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
NUDGES_MINUTES = 15
AGENDA_MINUTES = 5
HANDOVERS_MINUTES = 1
DAILY_HOURS = 24


def scheduler(
    service: ConversationService, worker: Worker, settings: Settings
) -> BackgroundScheduler:
    clock = service.clock
    jobs = BackgroundScheduler(timezone=UTC)
    single: dict[str, Any] = {"max_instances": 1, "coalesce": True}
    at_start = {**single, "next_run_time": clock()}  # a restart catches up at once
    jobs.add_job(worker.wake, "interval", seconds=TICK_SECONDS, id="dispatch", **single)
    jobs.add_job(
        lambda: _run("nudges", queue_nudges, service.engine, clock(),
                     settings.nudge_after_days),
        "interval", minutes=NUDGES_MINUTES, id="nudges", **at_start,
    )  # fmt: skip
    jobs.add_job(
        lambda: _run("agenda", queue_agendas, service.engine, service.flow.catalogues, clock(),
                     settings.default_timezone, settings.agenda_hour),
        "interval", minutes=AGENDA_MINUTES, id="agenda", **at_start,
    )  # fmt: skip
    jobs.add_job(
        lambda: _run("hand-overs", escalate_overdue, service, service.hand_over_rules, clock()),
        "interval", minutes=HANDOVERS_MINUTES, id="handovers", **at_start,
    )  # fmt: skip
    jobs.add_job(
        lambda: _run("purge", purge_sent_payloads, service.engine, clock(),
                     settings.sent_payload_days),
        "interval", hours=DAILY_HOURS, id="purge", **at_start,
    )  # fmt: skip
    retention = Retention(settings.retention_months, settings.retention_notice_days)
    jobs.add_job(
        lambda: _retention(service, retention, clock()),
        "interval", hours=DAILY_HOURS, id="retention", **at_start,
    )  # fmt: skip
    return jobs


def _retention(service: ConversationService, retention: Retention, now: datetime) -> None:
    done = apply_retention(service, retention, now)
    if done.warned or done.erased:
        log.info("retention: %s warned, %s erased", done.warned, done.erased)


def _run(name: str, job: Callable[..., int], *args: Any) -> None:
    queued = job(*args)
    if queued:
        log.info("%s: queued %s", name, queued)
