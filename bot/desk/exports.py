"""/desk/exports: intakes and appointments as CSV or XLSX for the network's own systems, in the
schemas of the README and docs/export.md (those of `percorso export`); special-category
answers are never exported. Coordinators and admins only: a counselor gets 404."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.desk.context import DeskContext, NavEntry
from bot.desk.impact import Coordinator, download
from bot.desk.mount import DeskPage
from bot.desk.pages import page
from bot.desk.record import NotYours
from bot.impact.spreadsheets import csv_text, records_table, xlsx_bytes
from storage import repositories
from storage.appointments import appointments_for_export
from storage.db import unit_of_work

router = APIRouter()
RECORDS = {"intakes": repositories.intakes_for_export, "appointments": appointments_for_export}


@router.get("/desk/exports")
def exports(request: Request, staff: Coordinator, context: DeskContext) -> HTMLResponse:
    return page(request, context, "exports.html", staff, kinds=list(RECORDS))


@router.get("/desk/exports/{kind}.{extension}")
def export(kind: str, extension: str, staff: Coordinator, context: DeskContext) -> Response:
    if kind not in RECORDS or extension not in ("csv", "xlsx"):
        raise NotYours
    with unit_of_work(context.engine) as db:
        header, lines = records_table(RECORDS[kind](db))
    day = context.clock().date().isoformat()
    if extension == "csv":
        return download(csv_text(header, lines), "csv", f"{kind}-{day}")
    return download(xlsx_bytes(header, lines, kind), "xlsx", f"{kind}-{day}")


PAGE = DeskPage(NavEntry("nav.exports", "/desk/exports", coordinators_only=True), router)
