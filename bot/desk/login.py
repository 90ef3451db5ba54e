"""/desk/login and /desk/logout.

Logins are throttled per account and per address: after MAX_PER_ACCOUNT failures for one e-mail
address, or MAX_PER_ADDRESS from one network address, within WINDOW, every attempt is refused
until older failures leave the window. An unknown e-mail, a disabled account, a wrong password
and a wrong second-factor code get the same answer, in about the same time (a password check
is always made), and count the same: nothing tells whether an account exists.
"""

from datetime import timedelta
from typing import Annotated

import pyotp
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.desk import passwords
from bot.desk.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_login_form,
    checked_form,
    end_session,
    new_login_token,
    set_session_cookie,
    start_session,
)
from bot.desk.context import Desk, DeskContext
from bot.desk.pages import page
from storage import staff as accounts
from storage.db import unit_of_work
from storage.desk import StaffAccount

MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 30
WINDOW = timedelta(minutes=15)

router = APIRouter()


@router.get("/desk/login")
def login_form(request: Request, context: DeskContext) -> HTMLResponse:
    return _form(request, context)


@router.post("/desk/login", dependencies=[Depends(check_login_form)])
def login(
    request: Request,
    context: DeskContext,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    now = context.clock()
    address = request.client.host if request.client else "unknown"
    with unit_of_work(context.engine) as db:
        by_account, by_address = accounts.failed_logins(db, email, address, now - WINDOW)
        if by_account >= MAX_PER_ACCOUNT or by_address >= MAX_PER_ADDRESS:
            return _form(request, context, "login.throttled", 429)
        account = accounts.account_by_email(db, email)
        if account is not None and account.disabled_at is not None:
            account = None
        good = passwords.verify(account.password_hash if account else None, password)
        if not (good and account is not None and _second_factor(context, account, code)):
            accounts.record_failed_login(db, email, address, now)
            return _form(request, context, "login.failed", 401)
        token = start_session(db, account, now)
    response = RedirectResponse("/desk/agenda", status_code=303)
    set_session_cookie(response, token, context.secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/desk/login")
    return response


@router.post("/desk/logout", dependencies=[Depends(checked_form)])
def logout(request: Request, context: DeskContext) -> Response:
    with unit_of_work(context.engine) as db:
        end_session(db, request.cookies[SESSION_COOKIE], context.clock())
    response = RedirectResponse("/desk/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/desk")
    return response


def _second_factor(context: Desk, account: StaffAccount, code: str) -> bool:
    if account.totp_secret is None:
        return True
    secret = context.cipher.decrypt_json(account.totp_secret)
    moment = int(context.clock().timestamp())
    return pyotp.TOTP(secret).verify(code.replace(" ", ""), for_time=moment, valid_window=1)


def _form(request: Request, context: Desk, error: str | None = None, status: int = 200
          ) -> HTMLResponse:
    token = new_login_token()
    response = page(request, context, "login.html", None, status, error=error, csrf_token=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, path="/desk/login", secure=context.secure_cookies,
        httponly=True, samesite="strict",
    )  # fmt: skip
    return response
