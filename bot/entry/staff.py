"""`percorso staff ...`: the desk's accounts."""

import json
import sys
from enum import StrEnum
from typing import Annotated, NoReturn

import pyotp
import typer
from sqlmodel import select

from bot.clock import wall_clock
from bot.desk.passwords import WeakPassword, hash_password
from bot.desk.texts import LANGUAGES, REFERENCE
from bot.entry.bootstrap import open_database
from bot.entry.failures import CommandFailed
from bot.settings import get_settings
from storage import staff as accounts
from storage.db import cipher_of, unit_of_work
from storage.desk import StaffAccount
from storage.models import Counselor

staff_app = typer.Typer(help="Desk accounts of counselors, coordinators and admins.",
                        no_args_is_help=True)


class Role(StrEnum):
    coordinator = "coordinator"
    admin = "admin"


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")


@staff_app.command("add")
def add(
    email: str,
    counselor: Annotated[str | None, typer.Option(help="The network's counselor code.")] = None,
    role: Annotated[Role | None, typer.Option(help="coordinator or admin.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    lang: Annotated[str | None, typer.Option(help="The desk's language: pt, it, en, es, fr.")]
    = None,
) -> None:
    """Add a desk account: a counselor of the network, or a coordinator or admin."""
    if (counselor is None) == (role is None):
        _fail("give either --counselor CODE or --role coordinator|admin")
    if not password_stdin:
        _fail("give the password on standard input, with --password-stdin")
    if lang is not None and lang not in LANGUAGES:
        _fail(f"--lang: one of {', '.join(LANGUAGES)}")
    try:
        password_hash = hash_password(sys.stdin.readline().rstrip("\r\n"))
    except WeakPassword as weak:
        _fail(str(weak))
    with unit_of_work(open_database(get_settings(), seed=False)) as db:
        account = StaffAccount(
            email=email, password_hash=password_hash, role=role or "counselor",
            lang=lang or REFERENCE, created_at=wall_clock(),
        )  # fmt: skip
        if counselor is not None:
            found = db.exec(select(Counselor).where(Counselor.code == counselor)).first()
            if found is None:
                _fail(f"no counselor {counselor} in the network")
            account.counselor_id = found.id
            account.lang = lang or next((x for x in found.languages if x in LANGUAGES), REFERENCE)
        try:
            accounts.add_account(db, account)
        except accounts.AccountExists:
            _fail(f"an account {email.lower()} exists already")
    typer.echo(json.dumps({"email": account.email, "role": account.role, "lang": account.lang}))


@staff_app.command("list")
def list_accounts() -> None:
    """Every account: e-mail, role, counselor, language, second factor, disabled."""
    with unit_of_work(open_database(get_settings(), seed=False)) as db:
        codes = {c.id: c.code for c in db.exec(select(Counselor))}
        for account in accounts.accounts(db):
            typer.echo(json.dumps({
                "email": account.email, "role": account.role,
                "counselor": codes.get(account.counselor_id), "lang": account.lang,
                "totp": account.totp_secret is not None,
                "disabled": account.disabled_at is not None,
            }))  # fmt: skip


@staff_app.command("disable")
def disable(email: str) -> None:
    """Disable an account; its sessions end at once."""
    with unit_of_work(open_database(get_settings(), seed=False)) as db:
        try:
            accounts.disable_account(db, email, wall_clock())
        except LookupError:
            _fail(f"no account {email.lower()}")
    typer.echo(json.dumps({"email": email.lower(), "disabled": True}))


@staff_app.command("totp")
def totp(email: str) -> None:
    """Turn on the second factor: prints the otpauth:// address for an authenticator app."""
    engine = open_database(get_settings(), seed=False)
    cipher = cipher_of(engine)
    secret = pyotp.random_base32()
    with unit_of_work(engine) as db:
        account = accounts.account_by_email(db, email)
        if account is None:
            _fail(f"no account {email.lower()}")
        account.totp_secret = cipher.encrypt_json(secret)
        db.add(account)
    typer.echo(pyotp.TOTP(secret).provisioning_uri(name=email.lower(), issuer_name="percorso"))


def _fail(message: str) -> NoReturn:
    raise CommandFailed(message)
