"""One unit of work per inbound message: dedupe, lock the person, step the dialog, apply events.

Every storage write of a step, the outbound messages included, happens in one transaction; the
dispatcher is nudged only after it commits, so a message is never sent for a change that was
rolled back.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlmodel import Session as DbSession
from sqlmodel import select

from bot.intake_record import intake_from
from dialogs import engine as dialog
from dialogs.model import (
    ChoicePicked,
    ConsentRecorded,
    ErasureRequested,
    Event,
    Flow,
    HandOverRequested,
    Input,
    IntakeCompleted,
    LanguageChosen,
    MediaReceived,
    Message,
    MessageCreated,
    Session,
    Start,
)
from nlp.understanding import Understanding
from storage import repositories as repo
from storage.crypto import Cipher
from storage.db import lock_person, unit_of_work
from storage.models import Identity, Person, Site

log = logging.getLogger(__name__)

Understand = Callable[[str, str], Understanding]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Inbound:
    """One received message, whatever the channel: text, a pressed button, or a start."""

    channel: str
    address: str
    external_id: str
    text: str | None = None
    picked: tuple[str, str] | None = None
    start: bool = False
    start_payload: str | None = None
    lang: str | None = None
    media: str | None = None  # what arrived instead of text: voice, photo, sticker, document


@dataclass(frozen=True)
class Handled:
    duplicate: bool
    person_id: str | None
    identity_id: int | None


@dataclass
class _Context:
    """What the event handlers of one unit of work share."""

    db: DbSession
    identity: Identity
    session: Session
    now: datetime
    erased: bool = False


def utc_now() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    def __init__(
        self,
        engine: Engine,
        flow: Flow,
        cipher: Cipher,
        notice_version: str,
        understand: Understand | None = None,
        clock: Clock = utc_now,
        after_commit: Callable[[Handled], None] | None = None,
    ) -> None:
        self.engine = engine
        self.flow = flow
        self.cipher = cipher
        self.notice_version = notice_version
        self.understand = understand
        self.clock = clock
        self.after_commit = after_commit
        self.facts = {"sites": self._sites_text(), "notice_version": notice_version}

    def handle(self, inbound: Inbound) -> Handled:
        now = self.clock()
        with unit_of_work(self.engine) as db:
            identity = repo.find_or_create_identity(db, inbound.channel, inbound.address, now)
            if not repo.record_inbound(db, inbound.channel, inbound.external_id,
                                       identity.person_id, now):
                log.info("inbound %s/%s seen before", inbound.channel, inbound.external_id)
                return Handled(True, identity.person_id, identity.id)
            lock_person(db, identity.person_id)
            stored = repo.load_conversation(db, identity.person_id, self.cipher)
            session = Session.from_json(stored) if stored else Session(flow=self.flow.id)
            step = dialog.step(self.flow, session, self._input(inbound, session), now, self.facts)
            context = _Context(db, identity, step.session, now)
            for event in step.events:
                _HANDLERS[type(event)](self, context, event)
            if not context.erased:
                self._save(context)
        handled = Handled(False, identity.person_id, identity.id)
        if self.after_commit:
            self.after_commit(handled)
        return handled

    def _input(self, inbound: Inbound, session: Session) -> Input:
        if inbound.start:
            return Start(inbound.start_payload, inbound.lang)
        if inbound.picked:
            return ChoicePicked(*inbound.picked)
        if inbound.media:
            return MediaReceived(inbound.media)
        text = inbound.text or ""
        understanding = None
        if self.understand and text.strip():
            understanding = self.understand(text, session.lang or self.flow.default_lang)
        return Message(text, understanding)

    def _save(self, context: _Context) -> None:
        session = context.session
        repo.save_conversation(
            context.db, context.identity.person_id, session.flow, session.node, session.status,
            session.to_json(), self.cipher, context.now,
        )

    def _sites_text(self) -> str:
        with DbSession(self.engine) as db:
            sites = db.exec(select(Site).order_by(Site.id)).all()
        return "\n".join(f"{s.municipality}: {s.address}, tel. {s.phone}" for s in sites)

    # --- one handler per event type ---------------------------------------------------------

    def _message_created(self, context: _Context, event: MessageCreated) -> None:
        payload = {
            "text": event.text,
            "lang": event.lang,
            "node": event.node,
            "choices": [{"id": c.id, "label": c.label} for c in event.choices],
            "multiple": event.multiple,
            "sms_text": event.sms_text,
        }
        repo.enqueue(context.db, context.identity.id, context.identity.person_id,
                     context.identity.channel, "reply", payload, context.now)

    def _language_chosen(self, context: _Context, event: LanguageChosen) -> None:
        person = context.db.get(Person, context.identity.person_id)
        person.lang = event.lang
        context.db.add(person)

    def _consent_recorded(self, context: _Context, event: ConsentRecorded) -> None:
        repo.record_consent(context.db, context.identity.person_id, event.scope, event.granted,
                            self.notice_version, context.identity.channel, context.now)

    def _intake_completed(self, context: _Context, event: IntakeCompleted) -> None:
        intake = intake_from(event, context.identity, context.session, self.notice_version)
        repo.save_intake(context.db, intake, event.special or None, self.cipher)

    def _hand_over_requested(self, context: _Context, event: HandOverRequested) -> None:
        repo.request_hand_over(context.db, context.identity.person_id, event.node, context.now)

    def _erasure_requested(self, context: _Context, event: ErasureRequested) -> None:
        repo.erase_person(context.db, context.identity.person_id, context.now)
        # The identity now belongs to a blank person: the goodbye can still be sent to it.
        context.db.refresh(context.identity)
        context.erased = True


_HANDLERS: dict[type[Event], Callable[[ConversationService, _Context, Event], None]] = {
    MessageCreated: ConversationService._message_created,
    LanguageChosen: ConversationService._language_chosen,
    ConsentRecorded: ConversationService._consent_recorded,
    IntakeCompleted: ConversationService._intake_completed,
    HandOverRequested: ConversationService._hand_over_requested,
    ErasureRequested: ConversationService._erasure_requested,
}
