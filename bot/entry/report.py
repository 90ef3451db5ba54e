"""`percorso report impact`: the impact figures for scripted reporting, small counts hidden
exactly as in the desk."""

import sys
from datetime import date
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from bot.entry import params
from bot.entry.bootstrap import open_database
from bot.entry.failures import CommandFailed
from bot.impact.figures import By, impact_report
from bot.impact.periods import Per
from bot.impact.spreadsheets import csv_text, report_table, xlsx_bytes
from bot.settings import get_settings
from storage.db import unit_of_work

report_app = typer.Typer(help="Reports of what the network achieves.", no_args_is_help=True)


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("impact")
def impact(
    first: Annotated[date, typer.Option("--from", help="First day, YYYY-MM-DD.",
                                        parser=params.day)],
    last: Annotated[date, typer.Option("--to", help="Last day, YYYY-MM-DD.", parser=params.day)],
    by: Annotated[By, typer.Option(help="The breakdown.")] = By.site,
    per: Annotated[Per, typer.Option(help="Whole weeks or months.")] = Per.month,
    format: Annotated[Format, typer.Option(help="csv, or xlsx (binary, to stdout).")] = Format.csv,
) -> None:
    """The intake funnel, meetings, path and reminders per week or month; every count below 5
    reads "<5", and "x" hides what would let one be worked out."""
    if last < first:
        raise CommandFailed(f"--to {last} is before --from {first}")
    settings = get_settings()
    engine = open_database(settings, seed=False)
    with unit_of_work(engine) as db:
        report = impact_report(db, first, last, per, by, ZoneInfo(settings.default_timezone))
    header, lines = report_table(report)
    if format is Format.csv:
        typer.echo(csv_text(header, lines), nl=False)
        return
    sys.stdout.buffer.write(xlsx_bytes(header, lines, "impact"))
    sys.stdout.buffer.flush()
