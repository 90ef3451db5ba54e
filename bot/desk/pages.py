"""Rendering a desk page: the staff member's language, the navigation, and a header that keeps
records out of caches (the security headers of every desk answer: bot.desk.headers)."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from bot.desk.auth import Staff
from bot.desk.context import Desk, NavEntry
from bot.desk.texts import LANGUAGES, REFERENCE, Texts

HEADERS = {"Cache-Control": "no-store"}


def page(
    request: Request, context: Desk, template: str, staff: Staff | None, status: int = 200,
    **values: Any,
) -> HTMLResponse:  # fmt: skip
    texts = Texts(staff.lang if staff else browser_language(request))
    nav = [entry for entry in context.nav if staff is not None and _shown(entry, staff)]
    response = context.templates.TemplateResponse(
        request, template, {"t": texts, "staff": staff, "nav": nav, **values},
        status_code=status,
    )  # fmt: skip
    response.headers.update(HEADERS)
    return response


def _shown(entry: NavEntry, staff: Staff) -> bool:
    if staff.is_counselor:
        return not entry.coordinators_only
    return not entry.counselors_only


def browser_language(request: Request) -> str:
    """The first of the browser's languages that the desk speaks, before anyone logs in."""
    for part in request.headers.get("accept-language", "").split(","):
        lang = part.split(";")[0].strip()[:2].lower()
        if lang in LANGUAGES:
            return lang
    return REFERENCE
