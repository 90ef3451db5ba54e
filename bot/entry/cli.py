"""`percorso`: the command line of the whole application."""

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.channels.console.channel import ConsoleChannel
from bot.clock import wall_clock
from bot.entry import params
from bot.entry.booking import booking_app
from bot.entry.bootstrap import build_app, open_database, require_secret_key
from bot.entry.failures import run
from bot.entry.keys import register as register_keys
from bot.entry.links import links
from bot.entry.nlu import nlu_app
from bot.entry.report import register as register_report
from bot.entry.staff import register as register_staff
from bot.entry.telegram import register as register_telegram
from bot.entry.worker import register as register_worker
from bot.logs import configure as configure_logs
from bot.network.importer import NetworkFileInvalid, import_network
from bot.settings import get_settings
from dialogs import segments
from dialogs.check import check
from dialogs.diagram import mermaid
from dialogs.loader import intake_flow
from nlp import load as load_nlp
from storage import repositories as repo
from storage.appointments import appointments_for_export
from storage.db import unit_of_work

app = typer.Typer(help="percorso: orientation intake, booking and reminders for job seekers.",
                  no_args_is_help=True)
flows_app = typer.Typer(help="Flow definitions and their texts.", no_args_is_help=True)
export_app = typer.Typer(help="Export records as JSON or CSV.", no_args_is_help=True)
sms_app = typer.Typer(help="SMS tools for content writers.", no_args_is_help=True)
network_app = typer.Typer(help="Sites, counselors and services.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(flows_app, name="flows")
app.add_typer(export_app, name="export")
app.add_typer(sms_app, name="sms")
app.add_typer(network_app, name="network")
app.add_typer(db_app, name="db")
app.add_typer(nlu_app, name="nlu", help="Understanding free text.")
app.add_typer(booking_app, name="booking")
register_telegram(app)  # `percorso telegram ...` and `percorso counselor link`
register_worker(app)  # `percorso worker`, `percorso broadcast ...`, `percorso outbox ...`
register_staff(app)  # `percorso staff add|list|disable|totp`
app.command()(links)  # `percorso links --site CODE`: a poster's links and QR codes
register_keys(app)  # `percorso keys new|rotate`
register_report(app)  # `percorso report impact`


def main() -> None:
    """The `percorso` command: errors as one line, a traceback only with --debug."""
    sys.exit(run(app))


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Who is chatting: the console identity.")] = "console",
    lang: Annotated[str | None, typer.Option(help="Start in this language (pt, it, en, es, fr).",
                                             parser=params.language)] = None,
    jsonl: Annotated[bool, typer.Option(help="One JSON object per bot message.")] = False,
) -> None:
    """Chat with the bot on this terminal; end of input ends the chat."""
    settings = get_settings()
    application = build_app(settings, wall_clock, load_nlp().parse, seed=True)
    channel = ConsoleChannel(application.service, application.delivery, sys.stdout, jsonl,
                             prompt=sys.stdin.isatty())  # fmt: skip
    channel.run(user, sys.stdin, lang)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """The web app: webhooks, health, metrics and the desk under /desk."""
    import uvicorn

    from bot.entry.web import create_app

    settings = get_settings()
    require_secret_key(settings)
    configure_logs()
    application = build_app(settings, wall_clock, load_nlp().parse)
    # log_config=None: uvicorn's loggers go through bot.logs, as JSON, like everything else
    uvicorn.run(create_app(application), host=host, port=port, log_config=None)


@export_app.command("intakes")
def export_intakes(format: ExportFormat = ExportFormat.json) -> None:
    """Every completed intake (special-category answers are never exported)."""
    engine = open_database(get_settings(), seed=False)
    with unit_of_work(engine) as db:
        rows = repo.intakes_for_export(db)
    _print_rows(rows, format)


@export_app.command("appointments")
def export_appointments(format: ExportFormat = ExportFormat.json) -> None:
    """Every appointment, times in UTC and in the site's zone (schema: docs/export.md)."""
    engine = open_database(get_settings(), seed=False)
    with unit_of_work(engine) as db:
        rows = appointments_for_export(db)
    _print_rows(rows, format)


def _print_rows(rows: list[dict], format: ExportFormat) -> None:
    if format is ExportFormat.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})


def _csv_cell(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


@flows_app.command("check")
def flows_check(
    per_message: Annotated[
        bool, typer.Option("--per-message", help="Also list the SMS segments of every message.")
    ] = False,
) -> None:
    """Fail on a missing translation, an unreachable node, a dead end or a text over 3 SMS."""
    report = check(intake_flow())
    console = Console()
    for error in report.errors:
        console.print(f"[red]error[/red] {error}")
    for note in report.notes:
        console.print(f"[yellow]note[/yellow] {note}")
    if per_message and report.segments:
        languages = list(report.segments)
        table = Table("message", *languages, title="SMS segments per message")
        for key in sorted(report.segments[languages[0]]):
            table.add_row(key, *(str(report.segments[lang].get(key, "")) for lang in languages))
        console.print(table)
    if report.segments:
        table = Table("language", "messages", "most segments", "complete intake (segments)")
        for lang, costs in report.segments.items():
            worst = max(costs, key=costs.get)
            table.add_row(lang, str(len(costs)), f"{costs[worst]} ({worst})",
                          str(report.intake_segments[lang]))
        console.print(table)
    if not report.ok:
        raise typer.Exit(1)
    console.print("[green]flows ok[/green]")


@flows_app.command("eval")
def flows_eval(
    nlp: Annotated[bool, typer.Option(help="Read each answer with the NLP too, as in a chat.")]
    = True,
) -> None:
    """Natural answers to choice questions understood the first time, training vs held-out."""
    from dialogs.evaluation import NOW, report

    parse = None
    if nlp:
        from nlp.pipeline import load  # deferred: loading spaCy is the slow part of start-up

        pipeline = load()
        parse = lambda text, lang: pipeline.parse(text, lang, "Europe/Lisbon", NOW)  # noqa: E731
    typer.echo("\n".join(report(parse)))


@flows_app.command("diagram")
def flows_diagram() -> None:
    """The intake flow as a Mermaid diagram, drawn from its definition."""
    typer.echo(mermaid(intake_flow()))


@sms_app.command("segments")
def sms_segments(text: str) -> None:
    """How a text is encoded and how many SMS segments it costs."""
    typer.echo(json.dumps(segments.count(text).to_json(), ensure_ascii=False))


@network_app.command("import")
def network_import(
    file: Annotated[Path, typer.Argument(help="The network file (YAML).", exists=True,
                                         dir_okay=False, readable=True)],
) -> None:
    """Add or update the sites, counselors and services of a YAML file (checked whole first)."""
    try:
        counts = import_network(open_database(get_settings(), seed=False), file)
    except NetworkFileInvalid as invalid:
        for problem in invalid.problems:
            typer.echo(f"error: {file}:{problem.line}: {problem.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(counts))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the configured database to the latest schema."""
    open_database(get_settings(), seed=False)
