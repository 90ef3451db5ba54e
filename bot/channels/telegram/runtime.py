"""The Telegram channel in a running process: adapter, sender and the hurry of the rows each
update wrote put together, and the long-polling loop for a machine without a public address.
Any other row (a broadcast, a reminder, a row the limits handed back for long) is the worker's.

PTB is the transport only: one catch-all handler into the adapter, no PTB persistence and no
JobQueue; the database and the outbox are the source of truth.
"""

import asyncio
import logging
from datetime import timedelta
from functools import partial

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, TypeHandler

from bot.channels.telegram.adapter import Contacts, TelegramAdapter
from bot.channels.telegram.limits import telegram_limits
from bot.channels.telegram.menu import set_menus
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.updates import ALLOWED_UPDATES, CHANNEL, bot_id_of
from bot.clock import monotonic_seconds
from bot.conversation.service import ConversationService
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.hurry import Hurry
from bot.delivery.policy import DeliveryPolicy
from bot.delivery.ratelimit import Limits
from bot.settings import Settings

log = logging.getLogger(__name__)

POLL_TIMEOUT = timedelta(seconds=10)  # how long one getUpdates call waits for news
CONCURRENT_UPDATES = 16  # several people at once; one person's updates stay in order (ChatLocks)


class TelegramNotConfigured(RuntimeError):
    """PERCORSO_TELEGRAM_TOKEN is not set."""


def token_of(settings: Settings) -> str:
    if settings.telegram_token is None:
        raise TelegramNotConfigured("set PERCORSO_TELEGRAM_TOKEN to the token from @BotFather")
    return settings.telegram_token.get_secret_value()


def _urls(settings: Settings) -> tuple[str, str]:
    """PTB appends the token to these: `<api>/bot<token>/<method>`."""
    api = settings.telegram_api_url.rstrip("/")
    return f"{api}/bot", f"{api}/file/bot"


def make_bot(settings: Settings) -> Bot:
    base_url, base_file_url = _urls(settings)
    return Bot(token_of(settings), base_url=base_url, base_file_url=base_file_url)


def application_builder(settings: Settings) -> ApplicationBuilder:
    base_url, base_file_url = _urls(settings)
    return (
        ApplicationBuilder()
        .token(token_of(settings))
        .base_url(base_url)
        .base_file_url(base_file_url)
        .job_queue(None)  # timed work lives in the outbox, not in PTB's memory
    )


class TelegramRuntime:
    def __init__(
        self,
        settings: Settings,
        service: ConversationService,
        contacts: Contacts,
        bot: Bot,
        delivery: DeliveryPolicy,
    ) -> None:
        limits = telegram_limits(settings, Limits.of(settings, service.engine, monotonic_seconds))
        self.bot = bot
        self.sender = TelegramSender(partial(make_bot, settings), limits)
        dispatcher = Dispatcher(service.engine, {CHANNEL: self.sender}, service.clock, delivery)
        self.hurry = Hurry(dispatcher)
        self.adapter = TelegramAdapter(
            service, contacts, bot, bot_id_of(token_of(settings)), self.hurry
        )

    async def start(self) -> None:
        self.hurry.start()

    async def stop(self) -> None:
        await asyncio.to_thread(self.hurry.stop)
        await asyncio.to_thread(self.sender.close)

    async def on_update(self, update: object, _context: object) -> None:
        """PTB's catch-all handler when polling."""
        if not isinstance(update, Update):
            return
        try:
            follow_up = await self.adapter.receive(update)
            await follow_up()
        except Exception as error:
            # Polling has confirmed the update to Telegram already: it is logged, the rest go on.
            log.error("telegram update %s failed: %s", update.update_id, type(error).__name__)


async def poll(
    settings: Settings,
    service: ConversationService,
    contacts: Contacts,
    delivery: DeliveryPolicy,
    stop: asyncio.Event,
    timeout: timedelta = POLL_TIMEOUT,
) -> None:
    """Fetch updates with getUpdates until `stop` is set (this removes any webhook)."""
    ptb = application_builder(settings).concurrent_updates(CONCURRENT_UPDATES).build()
    async with ptb:
        runtime = TelegramRuntime(settings, service, contacts, ptb.bot, delivery)
        ptb.add_handler(TypeHandler(Update, runtime.on_update))
        await publish_menus(ptb.bot)
        await runtime.start()
        try:
            await ptb.start()
            await ptb.updater.start_polling(timeout=timeout, allowed_updates=list(ALLOWED_UPDATES))
            await stop.wait()
        finally:
            if ptb.updater.running:
                await ptb.updater.stop()
            if ptb.running:
                await ptb.stop()
            await runtime.stop()


async def publish_menus(bot: Bot) -> None:
    try:
        await set_menus(bot)
    except TelegramError as error:
        log.warning("telegram command menus not set: %s", type(error).__name__)
