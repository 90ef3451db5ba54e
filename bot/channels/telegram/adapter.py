"""The Telegram channel: a thin adapter between Telegram updates and the conversation service.

It decides nothing. An update becomes an Inbound (text, a pressed button, a start, media) and the
conversation service processes it in one transaction, deduplicated by update id; replies leave
through the outbox. Around that it does what only Telegram needs: answering the button press,
editing the answered question, retiring a keyboard answered in words, and reporting that a
person blocked or unblocked the bot. What the application decides on an update before the flow
(a counselor's chat, a deep link's source) and on a membership change is behind `Contacts`.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from functools import partial
from typing import Protocol

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.telegram.format import answered
from bot.channels.telegram.updates import Received, read_update
from bot.contacts.membership import MembershipChanged
from bot.conversation.service import ConversationService, Handled, Screen

log = logging.getLogger(__name__)

Followup = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


class ChatLocks:
    """A lock per chat, kept while someone holds or waits for it: one person's updates are
    processed one at a time, in the order they came (asyncio locks wake waiters in turn)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, chat: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat, asyncio.Lock())
        self._users[chat] = self._users.get(chat, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat] -= 1
            if not self._users[chat]:
                del self._users[chat], self._locks[chat]


class Contacts(Protocol):
    """What the adapter asks of the application besides the conversation; the composition root
    gives it (bot.contacts.telegram.TelegramContacts)."""

    def screen(self, link_code: str | None) -> Screen:
        """The application's look at an update before the flow, given the code after `/link`."""
        ...

    def membership_changed(self, change: MembershipChanged) -> None: ...

    def keyboard_in_view(self, chat: str) -> str | None:
        """The provider's id of the last message sent to the chat, if it carries buttons."""
        ...


class TelegramAdapter:
    def __init__(
        self,
        service: ConversationService,
        contacts: Contacts,
        bot: Bot,
        bot_id: str,
        hurry: Callable[[Iterable[int]], None],
    ) -> None:
        self._service = service
        self._contacts = contacts
        self._bot = bot
        self._bot_id = bot_id
        self._hurry = hurry
        self._locks = ChatLocks()

    async def receive(self, update: Update) -> Followup:
        """Record and process one update; returns what follows (the courtesy calls to Telegram,
        then the send of the replies), for the caller to run once it has acknowledged the
        update: a webhook answers Telegram without waiting for Telegram. Raises when the update
        could not be recorded, so that the webhook answers 5xx and Telegram delivers it again."""
        received = read_update(update, self._bot_id, self._service.flow.languages)
        if received is None:
            return _nothing
        if isinstance(received, MembershipChanged):
            async with self._locks.hold(received.address):
                await asyncio.to_thread(self._contacts.membership_changed, received)
            return _nothing
        async with self._locks.hold(received.chat):
            handled, retired = await asyncio.to_thread(self._handle, received)
        if handled.duplicate:
            return partial(self._answer_press, received)
        return partial(self._follow_up, received, retired, handled.outbox_ids)

    async def _follow_up(
        self, received: Received, retired: str | None, rows: tuple[int, ...]
    ) -> None:
        await self._answer_press(received)
        await self._tidy(received, retired)
        self._hurry(rows)  # its own rows only, after the commit

    async def _answer_press(self, received: Received) -> None:
        if received.callback_id:
            await self._quietly(self._bot.answer_callback_query(received.callback_id))

    def _handle(self, received: Received) -> tuple[Handled, str | None]:
        # Looked up before the replies exist: the keyboard in view when the person wrote.
        picked = received.inbound.picked
        retired = None if picked else self._contacts.keyboard_in_view(received.chat)
        handled = self._service.handle(received.inbound, self._contacts.screen(received.link_code))
        return handled, retired

    async def _tidy(self, received: Received, retired: str | None) -> None:
        chat = int(received.chat)
        question = received.question
        if question is not None:
            # Without reply_markup the edit also removes the keyboard.
            await self._quietly(
                self._bot.edit_message_text(
                    answered(question.text, question.label),
                    chat_id=chat,
                    message_id=question.message_id,
                )
            )
        elif retired is not None:
            await self._quietly(
                self._bot.edit_message_reply_markup(
                    chat_id=chat, message_id=int(retired), reply_markup=None
                )
            )

    async def _quietly(self, call: Awaitable[object]) -> None:
        """Cosmetic calls (answering a press, editing) must not fail a recorded update."""
        try:
            await call
        except TelegramError as error:
            log.info("telegram courtesy call skipped: %s", type(error).__name__)

