"""A counselor's own Telegram chat: linked once with a one-time code, and from then on staff.
Nothing a staff chat sends reaches the job seekers' flows: it gets the agenda, or a word on what
it can ask. Its replies go through the outbox like any other."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.conversation.service import ConversationService, Inbound
from bot.counselors.agenda import AgendaView, agenda_asked, counselor_zone, mark_attendance
from bot.counselors.link import counselor_of_chat, link_chat
from bot.counselors.texts import CounselorTexts
from bot.delivery.outbound import Outbound, queue
from storage.models import Counselor, Identity


class CounselorChat:
    def __init__(self, service: ConversationService, default_zone: str) -> None:
        self.service = service
        self.texts = CounselorTexts(service.flow.catalogues)
        self.default_zone = default_zone

    def answer(
        self, db: Session, identity: Identity, inbound: Inbound, link_code: str | None,
        now: datetime,
    ) -> bool:
        """True when the message was staff business and has been answered here. A code that is
        no counselor's goes on to the flow, where it may link a person's channels."""
        for code in (link_code, inbound.start_payload):
            linked = link_chat(db, identity.address, code, now) if code else None
            if linked is not None:
                lang = self.texts.lang_of(linked)
                self._say(db, identity, now, lang, "linked", name=linked.name)
                return True
        counselor = counselor_of_chat(db, identity.address)
        if counselor is None:
            return False
        self._serve(db, identity, counselor, inbound, now)
        return True

    def _serve(
        self, db: Session, identity: Identity, counselor: Counselor, inbound: Inbound,
        now: datetime,
    ) -> None:
        lang = self.texts.lang_of(counselor)
        asked = agenda_asked(inbound)
        if asked is None:
            self._say(db, identity, now, lang, "help", name=counselor.name)
            return
        view = AgendaView(self.texts, lang, counselor_zone(db, counselor, self.default_zone))
        note = None
        if asked.mark is not None:
            recorded = mark_attendance(self.service, db, counselor, asked.mark, now)
            note = view.marked_note(asked.mark, recorded)
        queue(db, identity, view.message(db, counselor, asked.period, now, note), now, about=None)

    def _say(
        self, db: Session, identity: Identity, now: datetime, lang: str, key: str, **values: Any
    ) -> None:
        message = Outbound(self.texts.text(lang, key, **values), lang=lang)
        queue(db, identity, message, now, about=None)
