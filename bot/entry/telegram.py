"""`percorso telegram --polling`, `percorso telegram set-webhook`, `percorso counselor link`."""

import asyncio
import re
import signal
from typing import Annotated

import typer
from sqlmodel import Session, select

from bot.channels.telegram.menu import set_menus
from bot.channels.telegram.runtime import TelegramNotConfigured, make_bot, poll, token_of
from bot.channels.telegram.updates import ALLOWED_UPDATES
from bot.channels.telegram.webhook import PATH
from bot.clock import wall_clock
from bot.contacts.telegram import TelegramContacts
from bot.conversation.service import Understand
from bot.counselors.link import issue_link_code
from bot.entry.bootstrap import App, build_app, open_database
from bot.entry.failures import CommandFailed
from bot.logs import configure as configure_logs
from bot.settings import Settings, get_settings
from storage.db import unit_of_work
from storage.models import Counselor

telegram_app = typer.Typer(help="The Telegram bot: long polling, or its webhook.")
counselor_app = typer.Typer(help="Counselors.", no_args_is_help=True)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret token


def register(app: typer.Typer) -> None:
    app.add_typer(telegram_app, name="telegram")
    app.add_typer(counselor_app, name="counselor")


@telegram_app.callback(invoke_without_command=True)
def telegram(
    context: typer.Context,
    polling: Annotated[
        bool, typer.Option("--polling", help="Fetch updates from Telegram (no public address).")
    ] = False,
) -> None:
    """Run the bot by long polling, or manage its webhook."""
    if context.invoked_subcommand is not None:
        return
    if not polling:
        typer.echo(context.get_help())
        raise typer.Exit(2)
    settings = get_settings()
    _require_token(settings)
    _log_to_console()
    application = build_app(settings, wall_clock, _understander())
    typer.echo("Polling Telegram for updates; Ctrl-C stops.")
    asyncio.run(_poll_until_signalled(application))


@telegram_app.command("set-webhook")
def set_webhook(
    url: Annotated[
        str | None,
        typer.Option(help=f"The webhook's public HTTPS address [default: PUBLIC_URL + {PATH}]."),
    ] = None,
    drop_pending: Annotated[
        bool, typer.Option(help="Forget the updates Telegram holds for the bot.")
    ] = False,
) -> None:
    """Register the webhook with Telegram, with the secret token and the updates the bot uses."""
    settings = get_settings()
    _require_token(settings)
    secret = settings.telegram_webhook_secret
    if secret is None or not _SECRET_TOKEN.fullmatch(secret.get_secret_value()):
        raise CommandFailed(
            "set PERCORSO_TELEGRAM_WEBHOOK_SECRET: 1 to 256 characters from A-Z, a-z, 0-9, _ and -"
        )
    address = url or settings.public_url.rstrip("/") + PATH
    asyncio.run(_set_webhook(settings, address, secret.get_secret_value(), drop_pending))
    typer.echo(f"Webhook set: {address}")


@counselor_app.command("link")
def counselor_link(
    who: Annotated[
        str, typer.Argument(metavar="CODE_OR_NAME", help="The counselor's code or name.")
    ],
) -> None:
    """Print a one-time code that links a counselor's Telegram chat to them."""
    settings = get_settings()
    engine = open_database(settings)
    with unit_of_work(engine) as db:
        counselor = _counselor(db, who)
        code = issue_link_code(db, counselor, wall_clock(), settings.link_code_minutes)
        name = counselor.name
    typer.echo(f"Link code for {name}: {code}")
    typer.echo(
        f"Valid once, for {settings.link_code_minutes} minutes. In Telegram, send the bot:\n"
        f"  /link {code}"
    )


def _counselor(db: Session, who: str) -> Counselor:
    """By code, else by name: the whole name, or a part that only one name contains."""
    by_code = db.exec(select(Counselor).where(Counselor.code == who)).first()
    if by_code is not None:
        return by_code
    wanted = who.casefold()
    counselors = db.exec(select(Counselor).order_by(Counselor.code)).all()
    exact = [c for c in counselors if c.name.casefold() == wanted]
    found = exact or [c for c in counselors if wanted in c.name.casefold()]
    if len(found) == 1:
        return found[0]
    if found:
        raise CommandFailed(f"several counselors match {who!r}; use a code: "
                            f"{', '.join(c.code for c in found)}")
    raise CommandFailed(f"no counselor has the code or name {who!r}")


async def _poll_until_signalled(application: App) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    contacts = TelegramContacts(application.service, application.settings.default_timezone)
    await poll(application.settings, application.service, contacts, application.delivery, stop)


async def _set_webhook(settings: Settings, address: str, secret: str, drop_pending: bool) -> None:
    async with make_bot(settings) as bot:
        await bot.set_webhook(
            address,
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )
        await set_menus(bot)


def _require_token(settings: Settings) -> None:
    try:
        token_of(settings)
    except TelegramNotConfigured as missing:
        raise CommandFailed(str(missing)) from None


def _log_to_console() -> None:
    configure_logs()


def _understander() -> Understand:
    from nlp import load as load_nlp  # spaCy loads for a while: only when the bot runs

    return load_nlp().parse
