"""`percorso links`: for a site's poster, a link per configured channel that opens the chat
with a start code (where the person came from, kept on the person), and a printable QR code of
each link, SVG and PNG."""

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import segno
import typer
from sqlmodel import select

from bot.contacts.source import start_code
from bot.entry.bootstrap import open_database
from bot.settings import Settings, get_settings
from dialogs.loader import intake_flow
from storage.db import unit_of_work
from storage.models import Site


def poster_links(settings: Settings, code: str, hello: str) -> dict[str, str]:
    """channel -> the link that opens a chat with `code`: Telegram carries it as the /start
    payload, WhatsApp and SMS write it after `hello` in the person's first message."""
    first_message = quote(f"{hello} [{code}]")
    links: dict[str, str] = {}
    if settings.twilio_whatsapp_from:
        links["whatsapp"] = (f"https://wa.me/{settings.twilio_whatsapp_from.lstrip('+')}"
                             f"?text={first_message}")  # fmt: skip
    if settings.telegram_bot_username:
        links["telegram"] = f"https://t.me/{settings.telegram_bot_username.lstrip('@')}?start={code}"
    if settings.twilio_from:
        links["sms"] = f"sms:{settings.twilio_from}?body={first_message}"
    return links


def write_qr(link: str, stem: Path) -> list[Path]:
    """The link's QR code as `stem`.svg and `stem`.png, large enough to print on a poster."""
    qr = segno.make(link, error="m")
    written = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    qr.save(written[0], scale=10, border=4)
    qr.save(written[1], scale=10, border=4)
    return written


def links(
    site: Annotated[str, typer.Option("--site", help="The site's code, as in the network file.")],
    lang: Annotated[str | None, typer.Option("--lang", help="First message language.")] = None,
    medium: Annotated[str, typer.Option(help="poster, event...")] = "poster",
    out: Annotated[Path, typer.Option(help="Folder for the QR codes.")] = Path("."),
) -> None:
    """Links and QR codes that open the chat on each configured channel, with a start code that
    records the site and medium on the person."""
    settings = get_settings()
    with unit_of_work(open_database(settings)) as db:
        if db.exec(select(Site).where(Site.code == site)).first() is None:
            raise typer.BadParameter(f"no site {site!r}", param_hint="--site")
    flow = intake_flow()
    lang = lang or flow.default_lang
    if lang not in flow.catalogues:
        raise typer.BadParameter(f"one of {', '.join(flow.catalogues)}", param_hint="--lang")
    code = start_code(site, medium)
    found = poster_links(settings, code, flow.catalogues[lang].texts["poster.hello"])
    if not found:
        raise typer.BadParameter("no channel is configured: set PERCORSO_TWILIO_WHATSAPP_FROM, "
                                 "PERCORSO_TELEGRAM_BOT_USERNAME or PERCORSO_TWILIO_FROM")
    out.mkdir(parents=True, exist_ok=True)
    for channel, link in found.items():
        files = write_qr(link, out / f"{code}-{channel}")
        typer.echo(f"{channel}\t{link}\t" + "\t".join(str(path) for path in files))
