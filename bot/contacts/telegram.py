"""What the Telegram channel asks of the application besides the conversation: the look at an
update before the flow (a counselor's chat is the counselor chat's business; a deep link's
payload is remembered as where the person came from), a chat blocking or unblocking the bot, and
which of our messages a chat has in view."""

from datetime import datetime
from functools import partial

from sqlmodel import Session, select

from bot.contacts.membership import MembershipChanged, record_membership
from bot.contacts.source import remember_source
from bot.conversation.service import ConversationService, Inbound, Screen
from bot.counselors.chat import CounselorChat
from storage import repositories as repo
from storage.db import reading
from storage.models import Identity, Outbox

CHANNEL = "telegram"


class TelegramContacts:
    def __init__(self, service: ConversationService, default_zone: str) -> None:
        self.service = service
        self.counselors = CounselorChat(service, default_zone)

    def screen(self, link_code: str | None) -> Screen:
        """The screen of one update; `link_code` is what followed its `/link`, if anything."""
        return partial(self._screen, link_code)

    def membership_changed(self, change: MembershipChanged) -> None:
        record_membership(self.service.engine, change, self.service.clock())

    def keyboard_in_view(self, chat: str) -> str | None:
        """The provider's id of the last message sent to the chat, if it carries buttons."""
        with reading(self.service.engine) as db:
            identity = repo.find_identity(db, CHANNEL, chat)
            if identity is None:
                return None
            last = db.exec(
                select(Outbox)
                .where(Outbox.identity_id == identity.id, Outbox.status == "sent")
                .order_by(Outbox.sent_at.desc(), Outbox.id.desc())
                .limit(1)
            ).first()
        if last is None or not last.payload.get("choices") or not last.external_id:
            return None
        return last.external_id

    def _screen(
        self,
        link_code: str | None,
        db: Session,
        identity: Identity,
        inbound: Inbound,
        now: datetime,
    ) -> Inbound | None:
        if self.counselors.answer(db, identity, inbound, link_code, now):
            return None
        if inbound.start_payload:
            remember_source(db, identity.person_id, inbound.start_payload)
        return inbound
