"""The web app (`percorso serve`): channel webhooks, health, metrics and the desk."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import func
from sqlmodel import select

from bot.channels.telegram.webhook import telegram_router
from bot.channels.twilio.sms import sms_router
from bot.channels.twilio.whatsapp import whatsapp_router
from bot.contacts.sms import SmsContacts
from bot.contacts.telegram import TelegramContacts
from bot.contacts.whatsapp import WhatsAppContacts
from bot.counselors.inbox import HandOverInbox
from bot.delivery.dispatcher import Dispatcher, Sender
from bot.delivery.hurry import Hurry, running
from bot.desk import exports, impact, network
from bot.desk.broadcasts import broadcasts_page
from bot.desk.context import Desk
from bot.desk.inbox import inbox_page
from bot.desk.mount import mount_desk
from bot.entry.bootstrap import App
from bot.entry.limits import WebhookBodyLimit
from bot.entry.senders import channel_senders, close_senders, whatsapp_sender
from storage.db import unit_of_work
from storage.models import Intake, Outbox


def create_app(application: App) -> FastAPI:
    settings, service = application.settings, application.service
    # The desk's answers and closes go out at once, from this process, on its own senders.
    senders = channel_senders(settings, service.clock, application.engine)
    hurry = Hurry(Dispatcher(application.engine, senders, service.clock, application.delivery))
    web = FastAPI(title="percorso", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_hurrying(hurry, senders))  # fmt: skip
    web.add_middleware(WebhookBodyLimit)
    web.state.percorso = application
    # channel routers, each with the application services it calls
    sms_contacts = SmsContacts(service, settings.support_contact)
    telegram_contacts = TelegramContacts(service, settings.default_timezone)
    delivery = application.delivery
    web.include_router(sms_router(settings, service, sms_contacts, delivery))
    web.include_router(telegram_router(settings, service, telegram_contacts, delivery))
    web.include_router(whatsapp_router(
        settings, service, WhatsAppContacts(service, settings.support_contact).screen,
        whatsapp_sender(settings, application.engine, service.clock, service.flow.default_lang)
        if settings.whatsapp_configured else None,
        delivery,
    ))  # fmt: skip
    pages = [inbox_page(HandOverInbox(service, hurry)), impact.PAGE, exports.PAGE,
             broadcasts_page(settings.whatsapp_templates), network.PAGE]  # fmt: skip
    mount_desk(web, desk_of(application), pages)

    @web.get("/healthz")
    def healthz() -> dict[str, str]:
        with unit_of_work(application.engine) as db:
            db.exec(select(1)).one()
        return {"status": "ok"}

    @web.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        return _metrics(application)

    return web


def _hurrying(
    hurry: Hurry, senders: dict[str, Sender]
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The hurry's thread runs while the app does; the senders close after it."""

    @asynccontextmanager
    async def lifespan(web: FastAPI) -> AsyncIterator[None]:
        async with running(hurry)(web):
            yield
        close_senders(senders)

    return lifespan


def _metrics(application: App) -> str:
    """Counts in the Prometheus text format; no label carries anything about a person."""
    with unit_of_work(application.engine) as db:
        intakes = db.exec(select(func.count()).select_from(Intake)).one()
        outbox = db.exec(select(Outbox.status, func.count()).group_by(Outbox.status)).all()
    lines = [
        "# TYPE percorso_intakes_total gauge",
        f"percorso_intakes_total {intakes}",
        "# TYPE percorso_outbox_messages gauge",
        *(f'percorso_outbox_messages{{status="{status}"}} {count}' for status, count in outbox),
    ]
    return "\n".join(lines) + "\n"


def desk_of(application: App) -> Desk:
    settings = application.settings
    return Desk(
        engine=application.engine,
        clock=application.service.clock,
        cipher=application.cipher,
        service=application.service,
        secure_cookies=settings.public_url.startswith("https://"),
        default_zone=settings.default_timezone,
    )
