"""The web app (`percorso serve`): channel webhooks, health, metrics and the desk."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import func
from sqlmodel import select

from bot.channels.telegram.webhook import telegram_router
from bot.channels.twilio.sms import sms_router
from bot.contacts.sms import SmsContacts
from bot.contacts.telegram import TelegramContacts
from bot.desk import exports, impact
from bot.desk.context import Desk
from bot.desk.mount import mount_desk
from bot.entry.bootstrap import App
from storage.db import unit_of_work
from storage.models import Intake, Outbox


def create_app(application: App) -> FastAPI:
    web = FastAPI(title="percorso", docs_url=None, redoc_url=None)
    web.state.percorso = application
    # channel routers, each with the application services it calls
    settings, service = application.settings, application.service
    sms_contacts = SmsContacts(service, settings.support_contact)
    telegram_contacts = TelegramContacts(service, settings.default_timezone)
    delivery = application.delivery
    web.include_router(sms_router(settings, service, sms_contacts, delivery))
    web.include_router(telegram_router(settings, service, telegram_contacts, delivery))
    # the hand-over inbox joins here as a DeskPage
    mount_desk(web, desk_of(application), [impact.PAGE, exports.PAGE])

    @web.get("/healthz")
    def healthz() -> dict[str, str]:
        with unit_of_work(application.engine) as db:
            db.exec(select(1)).one()
        return {"status": "ok"}

    @web.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        return _metrics(application)

    return web


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
