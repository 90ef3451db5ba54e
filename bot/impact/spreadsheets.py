"""Tables as CSV text or XLSX workbooks (openpyxl): the impact report and the exports share
these, so a download reads the same whatever the format."""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from bot.impact.figures import Report

REPORT_HEADER = ("period", "section", "measure")


def report_table(report: Report) -> tuple[list[str], list[list[str]]]:
    """The report as one table: a line per period and measure, a column per group and one for
    the whole network. Hidden counts read "<5" or "x", as on the page."""
    header = [*REPORT_HEADER, *(report.labels.get(g, g) for g in report.groups), "total"]
    lines = [
        [figures.period.label, row.section, row.measure, *row.cells, row.total]
        for figures in report.periods
        for row in figures.rows
    ]
    return header, lines


def records_table(records: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Exported records as a table: lists and objects as JSON in their cell, null as empty."""
    header = list(records[0]) if records else []
    return header, [[_cell(record[name]) for name in header] for record in records]


def csv_text(header: Sequence[str], lines: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def xlsx_bytes(header: Sequence[str], lines: Iterable[Sequence[Any]], title: str) -> bytes:
    """A workbook of one sheet; counts as numbers, a hidden count as its text ("<5", "x")."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = title[:31]
    sheet.append(list(header))
    for line in lines:
        sheet.append([_number(value) for value in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


