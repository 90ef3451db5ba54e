"""`percorso worker`, `percorso broadcast ...` and `percorso outbox ...`."""

import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session

from bot.clock import wall_clock
from bot.delivery.outbound import TIMER
from bot.delivery.worker import Channel, Worker
from bot.entry import params
from bot.entry.bootstrap import App, build_app, open_database, require_secret_key
from bot.entry.failures import CommandFailed
from bot.entry.senders import channel_senders
from bot.jobs.broadcast import (
    BadSegment,
    languages,
    missing_languages,
    parse_segment,
    progress,
    queue_broadcast,
    reach,
)
from bot.jobs.triggers import TriggerRunner
from bot.logs import configure as configure_logs
from bot.settings import get_settings
from storage import outbox
from storage.broadcasts import Broadcast
from storage.db import unit_of_work

broadcast_app = typer.Typer(
    help="Announcements to a segment of people.", invoke_without_command=True
)
outbox_app = typer.Typer(help="The outbox: failed messages, and retrying them.",
                         no_args_is_help=True)  # fmt: skip
POLL_SECONDS = 1.0
TRIGGERS_AT_ONCE = 50


def channels(application: App) -> list[Channel]:
    """The channels this worker sends on: triggers always, Telegram and SMS when set up. The
    worker paces itself a little under each channel's rate; a batch is about two seconds."""
    settings = application.settings
    rates = {"telegram": settings.telegram_rate_overall, "sms": settings.sms_rate_per_second,
             "whatsapp": settings.whatsapp_rate_per_second,
             "email": settings.email_rate_per_second}
    runner = TriggerRunner(application.service, application.delivery.quiet)
    found = [Channel(TIMER, runner, None, TRIGGERS_AT_ONCE)]
    for name, sender in channel_senders(settings, application.service.clock,
                                           application.engine).items():
        rate = rates[name] * settings.rate_margin
        found.append(Channel(name, sender, rate, max(10, int(2 * rate))))
    return found


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.add_typer(broadcast_app, name="broadcast")
    app.add_typer(outbox_app, name="outbox")


def worker() -> None:
    """Send the outbox on every configured channel and run the reminders, nudges and agendas."""
    from bot.jobs.scheduler import scheduler

    settings = get_settings()
    require_secret_key(settings)
    configure_logs()
    application = build_app(settings, wall_clock)
    running = Worker(application.engine, application.service.clock, application.delivery,
                     settings, channels(application))  # fmt: skip
    jobs = scheduler(application.service, running, settings)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    running.start()
    jobs.start()
    typer.echo(f"worker running: {', '.join(c.name for c in running.channels)}")
    stop.wait()
    jobs.shutdown(wait=True)
    running.stop()
    typer.echo("worker stopped")


@broadcast_app.callback()
def broadcast(
    context: typer.Context,
    segment: Annotated[str | None, typer.Option(
        help="Fields, e.g. municipality=Porto,lang=pt,track=training|work,target_group=young "
             "(see docs/worker.md).")] = None,
    message_file: Annotated[Path | None, typer.Option(
        help="YAML with one text per language: {pt: ..., it: ...}.", exists=True,
        dir_okay=False)] = None,
    at: Annotated[datetime | None, typer.Option(
        help="Send from this time, ISO 8601 (without an offset: UTC).",
        parser=params.instant)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask to confirm.")] = False,
    wait: Annotated[bool, typer.Option(help="Show the progress until all is sent.")] = True,
) -> None:  # fmt: skip
    """Schedule a broadcast to a segment: `percorso broadcast --segment ... --message-file ...`."""
    if context.invoked_subcommand is not None:
        return
    if segment is None or message_file is None:
        raise typer.BadParameter("give --segment and --message-file (or: broadcast status ID)")
    try:
        wanted = parse_segment(segment)
    except BadSegment as error:
        raise typer.BadParameter(str(error)) from None
    texts = _texts(message_file)
    when = at.replace(tzinfo=at.tzinfo or UTC).astimezone(UTC) if at else None
    engine = open_database(get_settings(), seed=False)
    with Session(engine) as db:
        reached = reach(db, wanted, wall_clock())
    recipients = reached.recipients
    by_lang = ", ".join(f"{lang} {n}" for lang, n in sorted(languages(recipients).items()))
    left_out = f"{reached.opted_out} opted out, {reached.unreachable} unreachable"
    typer.echo(f"{len(recipients)} people will receive it ({by_lang or 'none'}); "
               f"left out: {left_out}.")  # fmt: skip
    missing = missing_languages(recipients, texts)
    if missing:
        raise CommandFailed(f"{message_file}: no text for {', '.join(missing)}; "
                            "every language of the audience needs one")  # fmt: skip
    if not recipients:
        raise typer.Exit(1)
    if not yes:
        typer.confirm("Send it?", abort=True)
    with unit_of_work(engine) as db:
        sent = queue_broadcast(db, wanted, texts, wall_clock(), when)
    typer.echo(f"broadcast {sent.id}: {sent.recipients} messages queued"
               + (f" for {sent.not_before.isoformat()}" if when else ""))  # fmt: skip
    if wait and not when:
        _follow(engine, sent.id, sent.recipients)


@broadcast_app.command("status")
def broadcast_status(broadcast_id: int) -> None:
    """Sent, failed, cancelled and pending messages of a broadcast."""
    engine = open_database(get_settings(), seed=False)
    with Session(engine) as db:
        if db.get(Broadcast, broadcast_id) is None:
            raise CommandFailed(f"no broadcast {broadcast_id}")
        counts = progress(db, broadcast_id)
    typer.echo(" ".join(f"{status}={n}" for status, n in counts.items()))


@outbox_app.command("failed")
def outbox_failed(limit: int = 100) -> None:
    """The messages that failed for good, newest first, with the reason."""
    engine = open_database(get_settings(), seed=False)
    with Session(engine) as db:
        rows = outbox.failed_rows(db, limit)
    table = Table("id", "kind", "channel", "attempts", "reason", "created")
    for row in rows:
        table.add_row(
            str(row.id),
            row.kind,
            row.channel,
            str(row.attempts),
            row.last_error or "",
            row.created_at.isoformat(timespec="seconds"),
        )
    Console().print(table)


@outbox_app.command("retry")
def outbox_retry(
    row_id: Annotated[int | None, typer.Argument(help="The failed message to retry.")] = None,
    all_failed: Annotated[bool, typer.Option("--all", help="Retry every failed message.")] = False,
) -> None:
    """Put a failed message (or all of them) back in the queue."""
    if (row_id is None) == (not all_failed):
        raise typer.BadParameter("give a message ID or --all")
    engine = open_database(get_settings(), seed=False)
    with unit_of_work(engine) as db:
        count = outbox.retry_failed(db, wall_clock(), row_id)
    if row_id is not None and count == 0:
        raise CommandFailed(f"no failed message {row_id} (see: percorso outbox failed)")
    typer.echo(f"{count} queued again")


def _texts(path: Path) -> dict[str, str]:
    texts = params.yaml_document(path, "--message-file")
    if (
        not isinstance(texts, dict)
        or not texts
        or not all(isinstance(v, str) and v.strip() for v in texts.values())
    ):
        raise typer.BadParameter(f"{path}: one text per language, e.g. {{pt: ..., it: ...}}",
                                 param_hint="--message-file")
    return {str(lang): text.strip() for lang, text in texts.items()}


def _follow(engine: Engine, broadcast_id: int, total: int) -> None:
    """A progress bar while the worker sends the rows (Ctrl-C leaves them to it)."""
    columns = (TextColumn("sending"), BarColumn(), MofNCompleteColumn(),
               TextColumn("failed {task.fields[failed]}"))  # fmt: skip
    with Progress(*columns) as bar:
        task = bar.add_task("broadcast", total=total, failed=0)
        while True:
            with Session(engine) as db:
                counts = progress(db, broadcast_id)
            done = total - counts["pending"]
            bar.update(task, completed=done, failed=counts["failed"])
            if done >= total:
                return
            time.sleep(POLL_SECONDS)
