"""/desk/network/SECTION/CODE: a site, counselor or service in a form, and the booking rules.

A saved form becomes a small network document that goes through the network file's own check
and import (bot.desk.network_edit): a counselor's weekly hours and the exceptions of the file
are replaced by the form's rows, their own absences marked in the desk are kept."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import col, select
from starlette.datastructures import FormData

from bot.booking.network_file import WEEKDAYS
from bot.desk.auth import Staff
from bot.desk.context import Desk, DeskContext
from bot.desk.impact import Coordinator
from bot.desk.network_edit import FormCoordinator, apply_document
from bot.desk.pages import page
from bot.desk.record import NotYours
from bot.desk.texts import LANGUAGES, Texts
from bot.network.document import Document, network_document
from storage.availability import desk_absences
from storage.db import unit_of_work
from storage.models import Counselor, Service, Site

router = APIRouter()
TEXT, LIST, NUMBER = "text", "list", "number"
BLANK_ROWS = 2  # empty rows under the hours, exceptions and closed days, to add some


@dataclass(frozen=True)
class Input:
    name: str
    kind: str = TEXT


FIELDS = {
    "sites": [Input("code"), Input("name"), Input("municipality"), Input("address"),
              Input("timezone"), Input("latitude", NUMBER), Input("longitude", NUMBER),
              Input("phone"), Input("opening_notes"), Input("accessibility"),
              Input("coordinator_email")],
    "counselors": [Input("code"), Input("name"), Input("languages", LIST),
                   Input("specialisms", LIST), Input("site_codes", LIST), Input("email")],
    "services": [Input("code"), Input("kind"), Input("duration_minutes", NUMBER),
                 Input("modes", LIST), Input("specialisms", LIST), Input("group_seats", NUMBER),
                 *(Input(f"names.{lang}") for lang in LANGUAGES)],
}  # fmt: skip
RULES = [Input(name, NUMBER) for name in ("min_notice_minutes", "horizon_days", "buffer_minutes",
         "travel_buffer_minutes", "max_per_day", "slot_step_minutes")]  # fmt: skip
MODELS: dict[str, type[Site] | type[Counselor] | type[Service]] = {
    "sites": Site, "counselors": Counselor, "services": Service,
}  # fmt: skip
WEEKLY = ("site", "hours", "breaks", "services", "valid_from", "valid_until")
EXCEPTIONS = ("date", "kind", "hours", "site", "note")


@router.get("/desk/network/booking_rules")
def rules_form(request: Request, staff: Coordinator, context: DeskContext) -> HTMLResponse:
    with unit_of_work(context.engine) as db:
        rules = network_document(db).get("booking_rules") or {}
    return page(request, context, "network_rules.html", staff, fields=RULES,
                values={name: _shown(value) for name, value in rules.items()})  # fmt: skip


@router.post("/desk/network/booking_rules", response_model=None)
async def save_rules(
    request: Request, staff: FormCoordinator, context: DeskContext
) -> HTMLResponse | Response:
    form = await request.form()
    values = {field.name: _value(field, form) for field in RULES}
    problems = apply_document(context, staff, {"booking_rules": values}, Texts(staff.lang))
    if problems:
        return page(request, context, "network_rules.html", staff, 422, fields=RULES,
                    values=_posted(form), problems=problems)  # fmt: skip
    return RedirectResponse("/desk/network?saved=booking_rules", status_code=303)


@router.get("/desk/network/{section}/new")
def new_entry(
    request: Request, section: str, staff: Coordinator, context: DeskContext
) -> HTMLResponse:
    return _form(request, context, staff, section, None, {"active": "on"})


@router.get("/desk/network/{section}/{code}")
def entry(
    request: Request, section: str, code: str, staff: Coordinator, context: DeskContext
) -> HTMLResponse:
    with unit_of_work(context.engine) as db:
        document = network_document(db)
    found = [e for e in document.get(section) or [] if e["code"] == code]
    if section not in FIELDS or not found:
        raise NotYours
    values = _form_values(section, found[0], document)
    return _form(request, context, staff, section, code, values)


@router.post("/desk/network/{section}", response_model=None)
async def save_entry(
    request: Request, section: str, staff: FormCoordinator, context: DeskContext
) -> HTMLResponse | Response:
    if section not in FIELDS:
        raise NotYours
    form = await request.form()
    texts = Texts(staff.lang)
    document = _document(section, form)
    editing = str(form.get("editing") or "") or None
    if editing is not None:
        document[section][0]["code"] = editing  # a code is never changed once created
    code = str(document[section][0]["code"] or "")
    model = MODELS[section]
    with unit_of_work(context.engine) as db:
        taken = db.exec(select(model.id).where(model.code == code)).first() is not None
    if editing is None and taken:
        problems = [texts("network.code_taken", code=code)]
    else:
        problems = apply_document(context, staff, document, texts)
    if problems:
        return _form(request, context, staff, section, editing, _posted(form), problems)
    return RedirectResponse(f"/desk/network?saved={section}", status_code=303)


def _form(
    request: Request, context: Desk, staff: Staff, section: str, code: str | None,
    values: Mapping[str, Any], problems: list[str] | None = None,
) -> HTMLResponse:  # fmt: skip
    if section not in FIELDS:
        raise NotYours
    extra: dict[str, Any] = {"closure_rows": _row_count(values, "closures", "date")}
    if section == "counselors":
        extra |= _counselor_extra(context, code, values)
    heading = f"network.edit_{section}" if code else f"network.new_{section.removesuffix('s')}"
    return page(request, context, "network_entry.html", staff, 422 if problems else 200,
                section=section, code=code, heading=heading, fields=FIELDS[section], values=values,
                problems=problems or [], weekdays=WEEKDAYS, **extra)  # fmt: skip


def _counselor_extra(context: Desk, code: str | None, values: Mapping[str, Any]) -> dict:
    with unit_of_work(context.engine) as db:
        sites = list(db.exec(select(Site.code).order_by(col(Site.id))).all())
        counselor = db.exec(select(Counselor).where(Counselor.code == code)).first()
        absences = desk_absences(db, counselor.id) if counselor and counselor.id else []
    return {"sites": sites, "absences": absences,
            "weekly_rows": _row_count(values, "weekly", "site"),
            "exception_rows": _row_count(values, "exceptions", "date")}  # fmt: skip


def _posted(form: FormData) -> dict[str, Any]:
    """The form as sent, to show again with its problems (a row's days are a list)."""
    return {key: form.getlist(key) if key.endswith("-days") else form[key] for key in form}


def _row_count(values: Mapping[str, Any], part: str, field: str) -> int:
    """The rows the form shows: those it holds, and a few empty ones to add some."""
    rows = [key for key in values if key.startswith(f"{part}-") and key.endswith(f"-{field}")]
    return len(rows) + BLANK_ROWS


def _document(section: str, form: FormData) -> Document:
    entry: dict[str, Any] = {}
    for field in FIELDS[section]:
        if field.name.startswith("names."):
            entry.setdefault("names", {})[field.name[6:]] = _value(field, form) or ""
        else:
            entry[field.name] = _value(field, form)
    entry["active"] = form.get("active") == "on"
    document: Document = {section: [entry]}
    if section == "sites":
        document["closures"] = {entry["code"]: _rows(form, "closures", _closure_row)}
    if section == "counselors":
        document["availability"] = {entry["code"]: {
            "weekly": _rows(form, "weekly", _weekly_row),
            "exceptions": _rows(form, "exceptions", _exception_row),
        }}  # fmt: skip
    return document


def _value(field: Input, form: FormData) -> Any:
    raw = str(form.get(field.name) or "").strip()
    if field.kind == LIST:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if not raw:
        return None
    if field.kind == NUMBER:
        for number in (int, float):
            try:
                return number(raw)
            except ValueError:
                continue
    return raw  # a wrong number is left as written, for the check to tell


def _rows(form: FormData, part: str, row: Any) -> list[dict[str, Any]]:
    indexes = sorted({int(key.split("-")[1]) for key in form if key.startswith(f"{part}-")
                      and key.split("-")[1].isdigit()})  # fmt: skip
    found = (row(form, f"{part}-{index}-") for index in indexes)
    return [values for values in found if values]


def _weekly_row(form: FormData, prefix: str) -> dict[str, Any] | None:
    text = {name: str(form.get(prefix + name) or "").strip() for name in WEEKLY}
    days = [str(day) for day in form.getlist(prefix + "days")]
    if not text["hours"] and not days:
        return None  # an empty row
    row: dict[str, Any] = {"site": text["site"], "days": days, "hours": _spans(text["hours"])}
    for name in ("breaks", "services"):
        if text[name]:
            row[name] = [part.strip() for part in text[name].split(",") if part.strip()]
    return row | {name: text[name] for name in ("valid_from", "valid_until") if text[name]}


def _exception_row(form: FormData, prefix: str) -> dict[str, Any] | None:
    text = {name: str(form.get(prefix + name) or "").strip() for name in EXCEPTIONS}
    if not text["date"]:
        return None
    kind = "extra" if text["kind"] == "extra" else "closed"
    row: dict[str, Any] = {"date": text["date"], kind: text["hours"] or True}
    return row | {name: text[name] for name in ("site", "note") if text[name]}


def _closure_row(form: FormData, prefix: str) -> dict[str, Any] | None:
    text = {name: str(form.get(prefix + name) or "").strip() for name in ("date", "note")}
    if not text["date"]:
        return None
    return {name: value for name, value in text.items() if value}


def _spans(text: str) -> str | list[str]:
    spans = [part.strip() for part in text.split(",") if part.strip()]
    return spans[0] if len(spans) == 1 else spans


def _form_values(section: str, entry: Mapping[str, Any], document: Document) -> dict[str, Any]:
    values = {name: _shown(value) for name, value in entry.items() if name != "names"}
    values |= {f"names.{lang}": text for lang, text in (entry.get("names") or {}).items()}
    values["active"] = "on" if entry.get("active", True) else ""
    for index, row in enumerate(document["closures"].get(entry["code"]) or []):
        values |= {f"closures-{index}-{name}": _shown(row.get(name)) for name in ("date", "note")}
    availability = document["availability"].get(entry["code"])
    if section == "counselors" and availability:
        for index, row in enumerate(availability["weekly"]):
            values |= {f"weekly-{index}-{name}": _shown(row.get(name)) for name in WEEKLY}
            values[f"weekly-{index}-days"] = row["days"]
        for index, row in enumerate(availability["exceptions"]):
            kind = "extra" if "extra" in row else "closed"
            hours = row[kind] if row[kind] is not True else ""
            values |= {f"exceptions-{index}-{name}": _shown(row.get(name))
                       for name in ("date", "site", "note")}  # fmt: skip
            values |= {f"exceptions-{index}-kind": kind, f"exceptions-{index}-hours": hours}
    return values


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
