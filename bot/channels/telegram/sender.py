"""The outbox's sender for Telegram.

The Dispatcher is synchronous and calls a sender once a row; PTB's Bot is async. The sender owns
a thread running an event loop with a Bot of its own and waits there for each call, so any
synchronous caller (the worker's channel loop, the web process's hurry) can use it as it is.
It never waits on a limit before the first part of a message: a chat over its rate is a Pause.
"""

import asyncio
import threading
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.format import keyboard, split_text
from bot.channels.telegram.limits import ChatLimits
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.refusals import Pause, PermanentFailure, RetryLater

NETWORK_PAUSE = 30.0  # seconds before trying again a message that never reached Telegram
TOKEN_PAUSE = 300.0  # a refused token needs the operator: keep the messages until it is fixed
LATER_PART_TRIES = 3
INVITE_NAME = "invite.ics"
# Failures before the request reached Telegram: sending again cannot deliver twice.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

T = TypeVar("T")


class TelegramSender:
    def __init__(
        self,
        make_bot: Callable[[], Bot],
        limits: ChatLimits,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._make_bot = make_bot
        self._limits = limits
        self._sleep = sleep
        self._bot: Bot | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="telegram-sender", daemon=True
        )
        self._thread.start()

    def __call__(self, recipient: Recipient, message: Outbound) -> str:
        chat = recipient.address
        hold = self._limits.held(chat)
        if hold is not None:
            raise Pause(hold.reason, hold.seconds)
        wait = self._limits.take(chat)
        if wait > 0:
            hold = self._limits.hold(chat, "telegram:rate", wait)
            raise Pause(hold.reason, hold.seconds)
        self._start_bot()
        if message.document:  # a file alone (MY DATA's copy), its text as the caption
            content, name = message.document.content.encode(), message.document.name
            sending = self._send_document(int(chat), content, name, message.text or None)
            try:
                return str(self._run(sending))
            except TelegramError as error:
                raise self._refusal(chat, error) from None
        parts = split_text(message.text)
        markup = keyboard(message)
        last = len(parts) - 1  # the buttons go under the last part
        try:
            message_id = self._send(chat, parts[0], markup if last == 0 else None)
        except TelegramError as error:
            raise self._refusal(chat, error) from None
        for index in range(1, len(parts)):
            message_id = self._after_the_first(
                chat, partial(self._send, chat, parts[index], markup if index == last else None)
            )
        if message.invite:  # a counselor's notification carries the calendar invite
            self._after_the_first(chat, partial(self._send_invite, chat, message.invite.ics))
        return str(message_id)

    def close(self) -> None:
        if self._bot is not None:
            self._run(self._bot.shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _start_bot(self) -> None:
        try:
            self._run(self._started_bot())
        except InvalidToken:
            raise RetryLater("telegram:token", TOKEN_PAUSE) from None
        except TelegramError:
            raise RetryLater("telegram:unreachable", NETWORK_PAUSE) from None

    async def _started_bot(self) -> Bot:
        if self._bot is None:
            bot = self._make_bot()
            await bot.initialize()
            self._bot = bot
        return self._bot

    def _send(self, chat: str, text: str, markup: InlineKeyboardMarkup | None) -> int:
        return self._run(self._send_message(int(chat), text, markup))

    async def _send_message(self, chat: int, text: str, markup: InlineKeyboardMarkup | None) -> int:
        bot = await self._started_bot()
        message = await bot.send_message(chat_id=chat, text=text, reply_markup=markup)
        return message.message_id

    def _send_invite(self, chat: str, ics: str) -> int:
        return self._run(self._send_document(int(chat), ics.encode(), INVITE_NAME))

    async def _send_document(
        self, chat: int, content: bytes, name: str, caption: str | None = None
    ) -> int:
        bot = await self._started_bot()
        message = await bot.send_document(chat_id=chat, document=content, filename=name,
                                          caption=caption)  # fmt: skip
        return message.message_id

    def _after_the_first(self, chat: str, send: Callable[[], int]) -> int:
        # The first message is out: handing the row back to the outbox now would send it twice,
        # so the limits are waited out here, and a failure ends the row for good.
        for _ in range(LATER_PART_TRIES):
            while (wait := self._limits.take(chat)) > 0:
                self._sleep(wait)
            try:
                return send()
            except RetryAfter as error:
                self._sleep(retry_seconds(error))
            except TelegramError as error:
                refusal = refusal_for(error)
                if isinstance(refusal, PermanentFailure):
                    raise refusal from None
                raise PermanentFailure(f"{refusal} (message cut short)") from None
        raise PermanentFailure("telegram:429 (message cut short)")

    def _refusal(self, chat: str, error: TelegramError) -> Pause | RetryLater | PermanentFailure:
        if isinstance(error, RetryAfter):
            # Telegram says the bot as a whole is too fast: every chat waits as long.
            hold = self._limits.hold(chat, "telegram:429", retry_seconds(error))
            return Pause(hold.reason, hold.seconds, whole_channel=True)
        return refusal_for(error)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()


def refusal_for(error: TelegramError) -> RetryLater | PermanentFailure:
    """What a Bot API error means for the outbox row (RetryAfter is handled by the sender)."""
    if isinstance(error, Forbidden):  # blocked by the user, or the account is gone
        return PermanentFailure("telegram:403", unreachable=True)
    if isinstance(error, InvalidToken):
        return RetryLater("telegram:token", TOKEN_PAUSE)
    if isinstance(error, BadRequest):  # a NetworkError in PTB's hierarchy: test it first
        return PermanentFailure("telegram:400")
    if isinstance(error, NetworkError):
        if error.__cause__ is None or isinstance(error.__cause__, _NOT_SENT):
            return RetryLater("telegram:network", NETWORK_PAUSE)
        # No answer, but the request may have reached Telegram: a message is sent at most once.
        return PermanentFailure("telegram:no answer")
    return PermanentFailure(f"telegram:{type(error).__name__}")


def retry_seconds(error: RetryAfter) -> float:
    # PTB 22 warns that retry_after will become a timedelta; accept both, without the warning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
