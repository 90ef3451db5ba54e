"""Who is logged in: server-side sessions behind an opaque cookie, and the CSRF token of each.

The cookie holds a random token; the database keeps only its SHA-256, with the session's CSRF
token. A session ends at logout, after IDLE without a request, or LONGEST after login,
whichever comes first. Every POST of the desk carries the session's CSRF token in the form
field `csrf_token` (the login form, before any session, a token matched against a cookie of
its own); a form without it is refused with 403.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlmodel import Session, col, select

from bot.desk.context import DeskContext
from storage import staff as accounts
from storage.db import unit_of_work
from storage.desk import StaffAccount, StaffSession
from storage.models import Counselor, Site

SESSION_COOKIE = "percorso_desk"
LOGIN_CSRF_COOKIE = "percorso_desk_login"
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=10)


class LoggedOut(Exception):
    """No live session: the desk answers with its login page."""


class CsrfRefused(Exception):
    """A form came without the right CSRF token: the desk answers 403."""


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member and what they may see. `site_ids` None: the whole network."""

    account_id: int
    email: str
    role: str
    lang: str
    counselor_id: int | None
    site_ids: frozenset[int] | None
    csrf_token: str

    def sees_site(self, site_id: int) -> bool:
        return self.site_ids is None or site_id in self.site_ids

    @property
    def is_counselor(self) -> bool:
        return self.role == "counselor"


def start_session(db: Session, account: StaffAccount, now: datetime) -> str:
    """A new session for the account; returns the cookie's token."""
    assert account.id is not None  # read from the database
    token = secrets.token_urlsafe(32)
    accounts.open_session(
        db,
        StaffSession(
            token_hash=_hash(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
            created_at=now, last_seen_at=now,
        ),
    )  # fmt: skip
    return token


def end_session(db: Session, token: str, now: datetime) -> None:
    accounts.end_session(db, _hash(token), now)


def set_session_cookie(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(LONGEST.total_seconds()), path="/desk",
        secure=secure, httponly=True, samesite="strict",
    )  # fmt: skip


def current_staff(request: Request, context: DeskContext) -> Staff:
    """The staff member of the request's session (which stays alive), or LoggedOut."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoggedOut
    now = context.clock()
    with unit_of_work(context.engine) as db:
        found = accounts.live_session(db, _hash(token), now - IDLE, now - LONGEST)
        if found is None:
            raise LoggedOut
        staff_session, account = found
        staff_session.last_seen_at = now
        db.add(staff_session)
        return _staff(db, account, staff_session.csrf_token)


async def checked_form(
    request: Request, staff: Annotated[Staff, Depends(current_staff)]
) -> Staff:
    """The staff member, once the form's CSRF token is theirs."""
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf_token", "")), staff.csrf_token):
        raise CsrfRefused
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]
"""The logged-in staff member (a page)."""

FormStaff = Annotated[Staff, Depends(checked_form)]
"""The logged-in staff member, whose form carries their CSRF token (a POST)."""


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


async def check_login_form(request: Request) -> None:
    """The login form's token must match its cookie (a double-submit token: no session yet)."""
    form = await request.form()
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = str(form.get("csrf_token", ""))
    if not cookie or not hmac.compare_digest(sent, cookie):
        raise CsrfRefused


def _staff(db: Session, account: StaffAccount, csrf_token: str) -> Staff:
    assert account.id is not None  # read from the database
    return Staff(
        account_id=account.id, email=account.email, role=account.role, lang=account.lang,
        counselor_id=account.counselor_id, site_ids=_site_ids(db, account),
        csrf_token=csrf_token,
    )  # fmt: skip


def _site_ids(db: Session, account: StaffAccount) -> frozenset[int] | None:
    if account.role != "counselor":
        return None
    counselor = db.get(Counselor, account.counselor_id)
    codes = counselor.site_codes if counselor else []
    return frozenset(db.exec(select(Site.id).where(col(Site.code).in_(codes))).all())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
