"""Counselors on Telegram: a chat is linked once with a one-time code, and from then on it is
staff. Nothing a staff chat sends reaches the job seekers' flows; its replies go through the
outbox like any other."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.channels.telegram.agenda import NODE as AGENDA_NODE
from bot.channels.telegram.agenda import (
    PERIODS,
    AgendaView,
    Mark,
    mark_attendance,
    marked_note,
)
from bot.conversation.service import ConversationService, Inbound
from bot.delivery.outbound import Outbound, queue
from storage.link_codes import redeem_counselor_code
from storage.models import Counselor, Identity, Site

TEXTS = {
    "en": {
        "linked": "This chat is now linked to {name}. Bookings will reach you here; the "
        "job-seeker conversation is not available in this chat.\n/agenda: your appointments.",
        "help": "You are linked as {name}, counselor.\n/agenda: today's appointments; its "
        "buttons show tomorrow or this week and record who attended.",
    },
    "pt": {
        "linked": "Este chat está agora ligado a {name}. As marcações vão chegar aqui; a "
        "conversa para candidatos não está disponível neste chat.\n/agenda: as suas marcações.",
        "help": "Está ligado como {name}, técnico/a.\n/agenda: as marcações de hoje; os botões "
        "mostram amanhã ou esta semana e registam quem compareceu.",
    },
    "it": {
        "linked": "Questa chat è ora collegata a {name}. Le prenotazioni arriveranno qui; la "
        "conversazione per chi cerca lavoro non è disponibile in questa chat.\n/agenda: i tuoi "
        "appuntamenti.",
        "help": "Sei collegato come {name}, orientatore.\n/agenda: gli appuntamenti di oggi; i "
        "pulsanti mostrano domani o questa settimana e segnano chi si è presentato.",
    },
}
FALLBACK_LANG = "en"


class StaffDesk:
    def __init__(self, service: ConversationService, default_timezone: str) -> None:
        self.service = service
        self.default_zone = ZoneInfo(default_timezone)

    def screen(
        self,
        db: Session,
        identity: Identity,
        inbound: Inbound,
        link_code: str | None,
        now: datetime,
    ) -> bool:
        """True when the update was staff business and has been answered here. A code that is
        no counselor's goes on to the flow, where it may link a person's channels."""
        for code in (link_code, inbound.start_payload):
            if code and self._link(db, identity, code, now):
                return True
        counselor = db.exec(
            select(Counselor).where(Counselor.telegram_chat_id == identity.address)
        ).first()
        if counselor is None:
            return False
        self._serve(db, identity, counselor, inbound, now)
        return True

    def _link(self, db: Session, identity: Identity, code: str, now: datetime) -> bool:
        counselor_id = redeem_counselor_code(db, code, now)
        if counselor_id is None:
            return False
        # A chat belongs to one counselor: free it first, as the column is unique.
        for other in db.exec(
            select(Counselor).where(Counselor.telegram_chat_id == identity.address)
        ):
            other.telegram_chat_id = None
            db.add(other)
        db.flush()
        counselor = db.get(Counselor, counselor_id)
        counselor.telegram_chat_id = identity.address
        db.add(counselor)
        self._say(db, identity, now, self._lang(counselor), "linked", name=counselor.name)
        return True

    def _serve(
        self,
        db: Session,
        identity: Identity,
        counselor: Counselor,
        inbound: Inbound,
        now: datetime,
    ) -> None:
        lang = self._lang(counselor)
        asked = _agenda_asked(inbound)
        if asked is None:
            self._say(db, identity, now, lang, "help", name=counselor.name)
            return
        period, mark = asked
        note = None
        if mark is not None:
            recorded = mark_attendance(self.service, db, counselor, mark, now)
            note = marked_note(mark, recorded, lang)
        view = AgendaView(lang, self._zone(db, counselor))
        queue(db, identity, view.message(db, counselor, period, now, note), now, about=None)

    def _lang(self, counselor: Counselor) -> str:
        spoken = [lang for lang in counselor.languages if lang in TEXTS]
        return spoken[0] if spoken else FALLBACK_LANG

    def _zone(self, db: Session, counselor: Counselor) -> ZoneInfo:
        codes = counselor.site_codes[:1]
        site = db.exec(select(Site).where(Site.code.in_(codes))).first() if codes else None
        return ZoneInfo(site.timezone) if site else self.default_zone

    def _say(
        self, db: Session, identity: Identity, now: datetime, lang: str, key: str, **values: Any
    ) -> None:
        message = Outbound(TEXTS[lang][key].format(**values), lang=lang)
        queue(db, identity, message, now, about=None)


def _agenda_asked(inbound: Inbound) -> tuple[str, Mark | None] | None:
    """The agenda's period asked for, with the attendance a button records; None when the
    update is not about the agenda."""
    if inbound.picked and inbound.picked[0] == AGENDA_NODE:
        choice = inbound.picked[1]
        if choice in PERIODS:
            return choice, None
        mark = Mark.parse(choice)
        return (mark.period, mark) if mark else None
    words = (inbound.text or "").split()
    if words and words[0] == "/agenda":
        wanted = words[1].lower() if len(words) > 1 else "today"
        return (wanted if wanted in PERIODS else "today"), None
    return None
