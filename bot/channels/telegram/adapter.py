"""The Telegram channel: a thin adapter between Telegram updates and the conversation service.

It decides nothing. An update becomes an Inbound (text, a pressed button, a start, media) and the
conversation service processes it in one transaction, deduplicated by update id; replies leave
through the outbox. Around that it does what only Telegram needs: answering the button press,
editing the answered question, retiring a keyboard answered in words, and recording that a
person blocked or unblocked the bot.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial

from sqlmodel import Session as DbSession
from sqlmodel import select
from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.telegram.format import answered
from bot.channels.telegram.staff import StaffDesk
from bot.channels.telegram.updates import CHANNEL, Membership, Received, read_update
from bot.conversation.service import ConversationService, Handled, Inbound
from storage import repositories as repo
from storage.db import unit_of_work
from storage.models import Identity, Outbox, Person

log = logging.getLogger(__name__)


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


class TelegramAdapter:
    def __init__(
        self,
        service: ConversationService,
        bot: Bot,
        bot_id: str,
        staff: StaffDesk,
        hurry: Callable[[Iterable[int]], None],
    ) -> None:
        self._service = service
        self._bot = bot
        self._bot_id = bot_id
        self._staff = staff
        self._hurry = hurry
        self._locks = ChatLocks()

    async def receive(self, update: Update) -> None:
        """Record and process one update. Raises when it could not be recorded, so that the
        webhook answers 5xx and Telegram delivers it again."""
        received = read_update(update, self._bot_id, self._service.flow.languages)
        if received is None:
            return
        async with self._locks.hold(received.chat):
            if isinstance(received, Membership):
                await asyncio.to_thread(self._record_membership, received)
                return
            if received.callback_id:
                await self._quietly(self._bot.answer_callback_query(received.callback_id))
            handled, retired = await asyncio.to_thread(self._handle, received)
            if handled.duplicate:
                return
            await self._tidy(received, retired)
        self._hurry(handled.outbox_ids)  # its own rows only, after the commit

    def _handle(self, received: Received) -> tuple[Handled, int | None]:
        # Looked up before the replies exist: the keyboard in view when the person wrote.
        retired = None if received.inbound.picked else self._keyboard_in_view(received.chat)
        handled = self._service.handle(received.inbound, partial(self._screen, received))
        return handled, retired

    def _screen(
        self,
        received: Received,
        db: DbSession,
        identity: Identity,
        inbound: Inbound,
        now: datetime,
    ) -> Inbound | None:
        if self._staff.screen(db, identity, inbound, received.link_code, now):
            return None
        if inbound.start_payload:
            _remember_source(db, identity.person_id, inbound.start_payload)
        return inbound

    async def _tidy(self, received: Received, retired: int | None) -> None:
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
                    chat_id=chat, message_id=retired, reply_markup=None
                )
            )

    def _keyboard_in_view(self, chat: str) -> int | None:
        """The message id of the last message sent to the chat, if it carries buttons."""
        with DbSession(self._service.engine) as db:
            last = db.exec(
                select(Outbox)
                .join(Identity, Identity.id == Outbox.identity_id)
                .where(
                    Identity.channel == CHANNEL,
                    Identity.address == chat,
                    Outbox.status == "sent",
                )
                .order_by(Outbox.sent_at.desc(), Outbox.id.desc())
                .limit(1)
            ).first()
        if last is None or not last.payload.get("choices") or not last.external_id:
            return None
        return int(last.external_id)

    def _record_membership(self, membership: Membership) -> None:
        now = self._service.clock()
        with unit_of_work(self._service.engine) as db:
            identity = repo.find_identity(db, CHANNEL, membership.chat)
            person_id = identity.person_id if identity else None
            if not repo.record_inbound(db, CHANNEL, membership.external_id, person_id, now):
                return
            if identity is not None:
                identity.reachable = not membership.blocked
                db.add(identity)

    async def _quietly(self, call: Awaitable[object]) -> None:
        """Cosmetic calls (answering a press, editing) must not fail a recorded update."""
        try:
            await call
        except TelegramError as error:
            log.info("telegram courtesy call skipped: %s", type(error).__name__)


def _remember_source(db: DbSession, person_id: str, payload: str) -> None:
    """How the person first came (a site, a campaign): later deep links do not overwrite it."""
    person = db.get(Person, person_id)
    if person is not None and person.source is None:
        person.source = payload
        db.add(person)
