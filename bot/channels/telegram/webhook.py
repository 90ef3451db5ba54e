"""`POST /webhooks/telegram`: Telegram's webhook, in the web app (`percorso serve`).

The answer is 200 only once the update is recorded in the database (and processed); if that
fails it is 5xx, and Telegram delivers the update again, which the inbound table's unique key
then lets through once. PTB's own webhook server answers 200 before any handler has run, and
its `process_update` hands a handler's exception to error handlers instead of raising, so this
route awaits the adapter itself (the same one PTB's catch-all handler calls when polling).
"""

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import SecretStr
from starlette.background import BackgroundTask
from telegram import Update
from telegram.error import TelegramError

from bot.channels.telegram.adapter import Contacts
from bot.channels.telegram.runtime import TelegramRuntime, make_bot
from bot.conversation.service import ConversationService
from bot.delivery.policy import DeliveryPolicy
from bot.settings import Settings

log = logging.getLogger(__name__)

PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def telegram_router(
    settings: Settings, service: ConversationService, contacts: Contacts, delivery: DeliveryPolicy
) -> APIRouter:
    runtime: TelegramRuntime | None = None  # while the app runs, when a token is set

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal runtime
        if settings.telegram_token is None:
            yield
            return
        if settings.telegram_webhook_secret is None:
            log.warning("PERCORSO_TELEGRAM_WEBHOOK_SECRET unset: %s refuses every update", PATH)
        bot = make_bot(settings)
        try:
            await bot.initialize()
        except TelegramError as error:
            # Telegram being away must not keep the rest of the web app from starting.
            log.warning("telegram not reachable at start: %s", type(error).__name__)
        started = runtime = TelegramRuntime(settings, service, contacts, bot, delivery)
        await started.start()
        try:
            yield
        finally:
            runtime = None
            await started.stop()
            await bot.shutdown()

    router = APIRouter(lifespan=lifespan)

    @router.post(PATH)
    async def telegram_webhook(request: Request) -> Response:
        if not _signed(request.headers.get(SECRET_HEADER), settings.telegram_webhook_secret):
            return Response(status_code=403)
        current = runtime
        if current is None:
            return Response(status_code=503)
        try:
            body = await request.json()
            if not isinstance(body, dict):  # valid JSON, but no update: a list, a number
                return Response(status_code=400)
            update = Update.de_json(body, current.bot)
        except (ValueError, TypeError, KeyError):
            return Response(status_code=400)
        try:
            follow_up = await current.adapter.receive(update)
        except Exception as error:
            log.error("telegram update %s failed: %s", update.update_id, type(error).__name__)
            return Response(status_code=500)
        # Telegram waits for this answer before it sends the chat's next update: the courtesy
        # calls and the replies come after it.
        return Response(status_code=200, background=BackgroundTask(follow_up))

    return router


def _signed(given: str | None, secret: SecretStr | None) -> bool:
    """Without a configured secret nothing is accepted: an open webhook would let anyone speak
    for any chat."""
    if secret is None or not secret.get_secret_value() or given is None:
        return False
    return hmac.compare_digest(given.encode(), secret.get_secret_value().encode())
