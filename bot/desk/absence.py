"""/desk/absence: a counselor marks a day, or a few hours of it, as absent."""

from datetime import date, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from bot.counselors.absence import mark_absent
from bot.desk.auth import CurrentStaff, FormStaff
from bot.desk.context import DeskContext
from bot.desk.pages import page
from storage.db import unit_of_work

router = APIRouter()


@router.get("/desk/absence")
def absence_form(
    request: Request, staff: CurrentStaff, context: DeskContext
) -> HTMLResponse:
    return page(request, context, "absence.html", staff)


@router.post("/desk/absence")
def absence(
    request: Request,
    staff: FormStaff,
    context: DeskContext,
    day: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
    ends: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> HTMLResponse:
    if staff.counselor_id is None:
        return page(request, context, "absence.html", staff, 403, error="absence.counselors_only")
    span = _span(day, starts, ends)
    if span is None:
        return page(request, context, "absence.html", staff, 422, error="absence.refused")
    with unit_of_work(context.engine) as db:
        cancelled = mark_absent(
            context.service, db, staff.counselor_id, *span, note.strip()[:200] or None,
            context.clock(),
        )
    return page(request, context, "absence.html", staff, cancelled=len(cancelled))


def _span(day: str, starts: str, ends: str) -> tuple[date, time | None, time | None] | None:
    """The day and the times, or None when they do not make a span."""
    try:
        parsed_day = date.fromisoformat(day)
        begin = time.fromisoformat(starts) if starts else None
        end = time.fromisoformat(ends) if ends else None
    except ValueError:
        return None
    if (begin is None) != (end is None) or (begin and end and begin >= end):
        return None
    return parsed_day, begin, end
