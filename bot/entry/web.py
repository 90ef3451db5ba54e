"""The web app (`percorso serve`): channel webhooks, health, metrics and the desk."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from sqlalchemy import func
from sqlmodel import select

from bot.channels.telegram.webhook import telegram_router
from bot.channels.twilio.sms import sms_router
from bot.desk.mount import mount_desk
from bot.entry.bootstrap import App
from storage.db import unit_of_work
from storage.models import Intake, Outbox


def create_app(application: App) -> FastAPI:
    web = FastAPI(title="percorso", docs_url=None, redoc_url=None)
    web.state.percorso = application
    # channel routers
    web.include_router(sms_router(application))
    web.include_router(telegram_router(application))
    mount_desk(web, application)  # the hand-over inbox joins here as a DeskPage

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
