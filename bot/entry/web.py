"""The web app (`percorso serve`): channel webhooks, health, metrics and the desk."""

import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Header, Response
from pydantic import SecretStr
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
from bot.entry.requests import RequestIds
from bot.entry.senders import channel_senders, close_senders, whatsapp_sender
from bot.metrics import CONTENT_TYPE, Backlog, exposition
from storage.db import unit_of_work


def create_app(application: App) -> FastAPI:
    settings, service = application.settings, application.service
    # The desk's answers and closes go out at once, from this process, on its own senders.
    senders = channel_senders(settings, service.clock, application.engine)
    hurry = Hurry(Dispatcher(application.engine, senders, service.clock, application.delivery))
    web = FastAPI(title="percorso", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=_hurrying(hurry, senders))  # fmt: skip
    web.add_middleware(WebhookBodyLimit)
    web.add_middleware(RequestIds)  # added last: outermost, it sees every failure
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

    backlog = Backlog(application.engine, service.clock)

    @web.get("/metrics", include_in_schema=False)
    def metrics(authorization: Annotated[str | None, Header()] = None) -> Response:
        return _metrics(settings.metrics_token, authorization, backlog)

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


def _metrics(token: SecretStr | None, authorization: str | None, backlog: Backlog) -> Response:
    """Prometheus's text, for the bearer of the token; without a token set, no /metrics."""
    if token is None:
        return Response(status_code=404)
    expected = f"Bearer {token.get_secret_value()}".encode()
    if not hmac.compare_digest((authorization or "").encode(), expected):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(exposition(backlog), media_type=CONTENT_TYPE)


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
