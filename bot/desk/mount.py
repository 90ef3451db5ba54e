"""Putting the desk into the web app: its pages, its static files, and its answers to a
logged-out visitor (the login page), a refused form (403) and a record not theirs (404).

The hand-over inbox joins as one more `DeskPage` given to `mount_desk`: its router is
included and its entry shown in the navigation (text key `nav.inbox`, already translated).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.desk import absence, agenda, login, record
from bot.desk.auth import CsrfRefused, LoggedOut
from bot.desk.context import Desk, NavEntry
from bot.desk.headers import DeskHeaders
from bot.desk.pages import page

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class DeskPage:
    """A page that another part of the application adds to the desk."""

    nav: NavEntry
    router: APIRouter


CORE_NAV = [
    NavEntry("nav.agenda", "/desk/agenda"),
    NavEntry("nav.absence", "/desk/absence", counselors_only=True),
]


def mount_desk(web: FastAPI, desk: Desk, pages: Sequence[DeskPage] = ()) -> None:
    """The desk's pages in the web app, with `desk` (built by the composition root) for them
    to read; `pages` adds pages of other parts of the application."""
    web.state.desk = replace(desk, nav=[*CORE_NAV, *(p.nav for p in pages)])
    for module in (login, agenda, record, absence):
        web.include_router(module.router)
    for extra in pages:
        web.include_router(extra.router)
    web.mount("/desk/static", StaticFiles(directory=STATIC_DIR), name="desk-static")
    web.add_middleware(DeskHeaders, always_tls=desk.secure_cookies)  # PUBLIC_URL is https
    web.add_exception_handler(LoggedOut, _to_login)
    web.add_exception_handler(CsrfRefused, _refused)
    web.add_exception_handler(record.NotYours, _not_found)


def _to_login(request: Request, _: Exception) -> Response:
    return RedirectResponse("/desk/login", status_code=303)


def _refused(request: Request, _: Exception) -> HTMLResponse:
    return page(request, request.app.state.desk, "error.html", None, 403, message="error.csrf")


def _not_found(request: Request, _: Exception) -> HTMLResponse:
    return page(
        request, request.app.state.desk, "error.html", None, 404, message="error.not_found"
    )
