"""`percorso whatsapp templates sync`: the button templates of the WhatsApp channel, created once
in the Twilio account through the Content API (bot.channels.twilio.whatsapp_content)."""

import json

import typer

from bot.channels.twilio.sender import twilio_client
from bot.channels.twilio.whatsapp_content import sync
from bot.entry.failures import CommandFailed
from bot.settings import get_settings

whatsapp_app = typer.Typer(help="The WhatsApp channel through Twilio.", no_args_is_help=True)
templates_app = typer.Typer(help="Content templates: buttons and list pickers.",
                            no_args_is_help=True)  # fmt: skip
whatsapp_app.add_typer(templates_app, name="templates")


def register(app: typer.Typer) -> None:
    app.add_typer(whatsapp_app, name="whatsapp")


@templates_app.command("sync")
def sync_templates() -> None:
    """Create the button templates the Twilio account lacks; print the setting naming them all."""
    settings = get_settings()
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        raise CommandFailed("set PERCORSO_TWILIO_ACCOUNT_SID and PERCORSO_TWILIO_AUTH_TOKEN")
    sids = sync(twilio_client(settings))
    typer.echo(f"PERCORSO_WHATSAPP_CHOICE_TEMPLATES='{json.dumps(sids)}'")
