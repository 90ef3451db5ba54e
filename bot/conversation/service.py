"""One unit of work per inbound message: dedupe, lock the person, step the dialog, apply events.

Every storage write of a step, the outbound messages included, happens in one transaction; the
dispatcher is nudged only after it commits, so a message is never sent for a change that was
rolled back.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session as DbSession
from sqlmodel import select

from bot.booking.answers import (
    cancel_appointment,
    find_slots,
    record_cancel_reason,
    record_follow_up,
    record_reminder_answer,
    release_before_erasure,
    take_slot,
)
from bot.clock import Clock
from bot.conversation.intake_record import intake_from
from bot.conversation.my_data import read_record
from bot.counselors import handovers
from bot.counselors.handovers import HandOverRules, Routed
from bot.delivery.outbound import Choice, Kind, Outbound, queue, written
from bot.jobs.reminders import ReminderTimes
from bot.metrics import INBOUND, STEP_SECONDS
from dialogs import engine as dialog
from dialogs.model import (
    CancellationExplained,
    CancellationRequested,
    ChoicePicked,
    ConsentRecorded,
    DialogState,
    ErasureRequested,
    Event,
    FirstNameGiven,
    Flow,
    FollowUpAnswered,
    HandOverClosed,
    HandOverRequested,
    IdentityLinked,
    Input,
    IntakeCompleted,
    LanguageChosen,
    LinkCodeGiven,
    LinkCodeIssued,
    LinkCodeWanted,
    LocationShared,
    MediaReceived,
    Message,
    MessageCreated,
    RecordWanted,
    ReminderAnswered,
    Request,
    SlotChosen,
    SlotsWanted,
    Start,
    Step,
)
from nlp.understanding import Place, Understanding
from storage import repositories as repo
from storage.crypto import Cipher
from storage.db import lock_person, lock_person_of, reading, scrub, unit_of_work
from storage.link_codes import issue_identity_code, redeem_identity_code
from storage.models import Counselor, Identity, Person, Site

log = logging.getLogger(__name__)

_ERASED = "person_erased"  # set in the database session's `info` by an erasure

MAX_HOST_ANSWERS = 4
"""Requests one input may chain: a booking, then (the slot was gone, no other fits the wish) slots
without the wish; with room to spare, as a dialog asking more is looping."""


class Understand(Protocol):
    """The NLP as the conversation calls it (`nlp.Pipeline.parse`): the text, its language, and
    the person's zone and time now, by the conversation's clock."""

    def __call__(self, text: str, lang: str, tz: str, now: datetime) -> Understanding: ...


class Locate(Protocol):
    """The gazetteer as the conversation calls it (`nlp.Pipeline.nearest_place`): the place
    nearest to a shared location, or None."""

    def __call__(self, latitude: float, longitude: float) -> Place | None: ...


class UnansweredRequest(RuntimeError):
    """The dialog asked for something the service has no answer for, or kept asking."""


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
    location: tuple[float, float] | None = None  # (latitude, longitude), with media "location"


Screen = Callable[[DbSession, Identity, Inbound, datetime], Inbound | None]
"""A channel's look at an inbound before the flow sees it (SMS opt-out keywords), inside the unit
of work and under the person's lock: returns what the flow should see, or None when the channel
has answered the message itself."""


@dataclass(frozen=True)
class Handled:
    duplicate: bool
    person_id: str | None
    identity_id: int | None
    outbox_ids: tuple[int, ...] = ()  # the rows its transaction wrote, to hurry after commit


@dataclass(frozen=True)
class _Understood:
    """A text understood before the unit of work, in the language and zone read then."""

    text: str
    lang: str
    tz: str
    understanding: Understanding


@dataclass
class _Context:
    """What the event handlers of one unit of work share."""

    db: DbSession
    identity: Identity
    session: DialogState
    now: datetime
    kind: Kind = "reply"  # what the messages written are: reply, reminder, nudge...
    erased: bool = False
    linked_to: str | None = None  # the person this channel was just linked to


class ConversationService:
    def __init__(
        self,
        engine: Engine,
        flow: Flow,
        cipher: Cipher,
        notice_version: str,
        understand: Understand | None,
        clock: Clock,
        link_code_minutes: int = 15,
        default_zone: str = "Europe/Lisbon",
        reminders: ReminderTimes | None = None,
        hand_over_rules: HandOverRules | None = None,
        locate: Locate | None = None,
    ) -> None:
        self.engine = engine
        self.flow = flow
        self.cipher = cipher
        self.notice_version = notice_version
        self.understand = understand
        self.locate = locate
        self.clock = clock
        self.default_zone = default_zone
        self.link_code_minutes = link_code_minutes
        self.reminders = reminders or ReminderTimes()
        self.hand_over_rules = hand_over_rules or HandOverRules()

    def handle(self, inbound: Inbound, screen: Screen | None = None) -> Handled:
        now = self.clock()
        ahead = self._understood_ahead(inbound, now)
        with unit_of_work(self.engine) as db:
            identity = repo.find_or_create_identity(db, inbound.channel, inbound.address, now)
            identity = lock_person_of(db, identity)  # the person first: see storage.db
            if not repo.record_inbound(
                db, inbound.channel, inbound.external_id, identity.person_id, now
            ):
                log.info("inbound %s/%s seen before", inbound.channel, inbound.external_id)
                return Handled(True, identity.person_id, identity.id)
            INBOUND.labels(inbound.channel).inc()
            given = screen(db, identity, inbound, now) if screen else inbound
            if given is not None:
                self._step(db, identity, given, now, ahead)
            queued = written(db)
            erased = db.info.get(_ERASED, False)
        if erased:
            scrub(self.engine, repo.ERASED_TABLES)
        return Handled(False, identity.person_id, identity.id, queued)

    def tell(
        self, person_id: str, given: Input, kind: Kind = "reply", once: str | None = None
    ) -> Handled:
        """Resume a person's conversation with something that happened outside it (a reminder
        is due, a counselor cancelled); the messages, queued as `kind`, go to the identity the
        person added last. With `once`, a key seen before changes nothing: a timer that fires
        again after a crash is not told twice."""
        now = self.clock()
        with unit_of_work(self.engine) as db:
            lock_person(db, person_id)  # before the inbound record: see storage.db
            if once and not repo.record_inbound(db, "timer", once, person_id, now):
                return Handled(True, person_id, None)
            identity = self.tell_in(db, person_id, given, now, kind)
            queued = written(db)
        return Handled(False, person_id, identity and identity.id, queued)

    def tell_in(
        self, db: DbSession, person_id: str, given: Input, now: datetime, kind: Kind = "reply"
    ) -> Identity | None:
        """`tell` inside the caller's transaction (a counselor's action that concerns the
        person commits with it); returns the identity written to, if any."""
        lock_person(db, person_id)
        identity = repo.latest_identity(db, person_id)
        if identity is not None:
            session = self._session(db, person_id)
            self._run(_Context(db, identity, session, now, kind=kind), given)
        return identity

    def _understood_ahead(self, inbound: Inbound, now: datetime) -> _Understood | None:
        """The NLP of a text, before the unit of work: on SQLite that transaction holds the
        database's only write lock, which the parse does not need. The language and the zone
        are read without the lock; `_input` uses this only if they are still the same."""
        text = inbound.text or ""
        if (self.understand is None or self.engine.dialect.name != "sqlite" or not text.strip()
                or inbound.start or inbound.picked or inbound.media):  # fmt: skip
            return None
        with reading(self.engine) as db:
            identity = repo.find_identity(db, inbound.channel, inbound.address)
            if identity is None:
                return None
            lang, tz = self._lang_and_zone(
                db, identity.person_id, self._session(db, identity.person_id)
            )
        with STEP_SECONDS.labels("understanding").time():
            return _Understood(text, lang, tz, self.understand(text, lang, tz, now))

    def _lang_and_zone(
        self, db: DbSession, person_id: str, session: DialogState
    ) -> tuple[str, str]:
        """What a text is understood in: the conversation's language, the person's zone."""
        tz = repo.person_zone(db, person_id) or self.default_zone
        return session.lang or self.flow.default_lang, tz

    def _step(
        self, db: DbSession, identity: Identity, inbound: Inbound, now: datetime,
        ahead: _Understood | None = None,
    ) -> None:  # fmt: skip
        # While a hand-over is open the person writes to a counselor, not to the dialog.
        said = _said(inbound)
        routed = handovers.route(db, self.cipher, self.flow, identity.person_id, said, now)
        if routed is Routed.THREAD:
            return
        session = self._session(db, identity.person_id)
        if routed is Routed.CLOSED:
            given: Input = HandOverClosed()
        else:
            given = self._input(db, identity.person_id, inbound, session, now, ahead)
        self._run(_Context(db, identity, session, now), given)

    def _session(self, db: DbSession, person_id: str) -> DialogState:
        stored = repo.load_conversation(db, person_id, self.cipher)
        return DialogState.from_json(stored) if stored else DialogState(flow=self.flow.id)

    def _run(self, context: _Context, given: Input) -> None:
        """Step the dialog, apply its events, and answer its request (slots, a booking) by
        stepping again, all in the caller's transaction."""
        facts = self._facts(context.db, context.session.lang)
        step = self._apply(context, given, facts)
        for _ in range(MAX_HOST_ANSWERS):
            if step.request is None:
                break
            answer = self._answer(context, step.request)
            if context.linked_to:
                # This channel now belongs to another person: go on with their conversation.
                session = self._session(context.db, context.linked_to)
                context = _Context(context.db, context.identity, session, context.now)
            step = self._apply(context, answer, facts)
        if step.request is not None:
            raise UnansweredRequest(
                f"still asking after {MAX_HOST_ANSWERS} answers: {type(step.request).__name__}"
            )
        if not context.erased:
            self._save(context)

    def _apply(self, context: _Context, given: Input, facts: dict[str, str]) -> Step:
        with STEP_SECONDS.labels("dialog").time():
            step = dialog.step(self.flow, context.session, given, context.now, facts)
        context.session = step.session
        for event in step.events:
            _HANDLERS[type(event)](self, context, event)
        return step

    def _answer(self, context: _Context, request: Request) -> Input:
        answer = _ANSWERS.get(type(request))
        if answer is None:
            raise UnansweredRequest(f"no answer for {type(request).__name__}")
        return answer(self, context, request)

    def _input(
        self, db: DbSession, person_id: str, inbound: Inbound, session: DialogState, now: datetime,
        ahead: _Understood | None = None,
    ) -> Input:  # fmt: skip
        if inbound.start:
            return Start(inbound.start_payload, inbound.lang)
        if inbound.picked:
            return ChoicePicked(*inbound.picked)
        if inbound.location:
            return LocationShared(self.locate(*inbound.location) if self.locate else None)
        if inbound.media:
            return MediaReceived(inbound.media)
        text = inbound.text or ""
        understanding = None
        if self.understand and text.strip():
            lang, tz = self._lang_and_zone(db, person_id, session)
            if ahead is not None and (ahead.text, ahead.lang, ahead.tz) == (text, lang, tz):
                understanding = ahead.understanding
            else:
                with STEP_SECONDS.labels("understanding").time():
                    understanding = self.understand(text, lang, tz, now)
        return Message(text, understanding)

    def _save(self, context: _Context) -> None:
        session = context.session
        repo.save_conversation(
            context.db,
            context.identity.person_id,
            session.flow,
            session.node,
            session.status,
            session.to_json(),
            self.cipher,
            context.now,
        )

    def _facts(self, db: DbSession, lang: str | None) -> dict[str, str]:
        """What texts may quote: read in each unit of work, so an import shows at once."""
        return {"sites": _sites_text(db, lang), "notice_version": self.notice_version}

    # --- one handler per event type, one answer per request type -----------------------------

    def _message_created(self, context: _Context, event: MessageCreated) -> None:
        expires_at, about = None, None
        appointment = context.session.answers.get("appointment") or {}
        if context.kind == "reminder":
            # A reminder held back by rate limits or retries must not arrive after the meeting.
            starts_at = appointment.get("starts_at")
            expires_at = datetime.fromisoformat(starts_at) if starts_at else None
        if context.kind != "reply":
            about = appointment.get("id")  # a WhatsApp template quotes its date, time and place
        message = Outbound(
            text=event.text,
            kind=context.kind,
            lang=event.lang,
            node=event.node,
            choices=tuple(Choice(c.id, c.label) for c in event.choices),
            multiple=event.multiple,
            sms_text=event.sms_text,
            expires_at=expires_at,
            appointment_id=about,
        )
        queue(context.db, context.identity, message, context.now)

    def _language_chosen(self, context: _Context, event: LanguageChosen) -> None:
        person = context.db.get(Person, context.identity.person_id)
        person.lang = event.lang
        context.db.add(person)

    def _first_name_given(self, context: _Context, event: FirstNameGiven) -> None:
        person = context.db.get(Person, context.identity.person_id)
        person.first_name = event.first_name
        context.db.add(person)

    def _consent_recorded(self, context: _Context, event: ConsentRecorded) -> None:
        repo.record_consent(
            context.db,
            context.identity.person_id,
            event.scope,
            event.granted,
            self.notice_version,
            context.identity.channel,
            context.now,
        )

    def _intake_completed(self, context: _Context, event: IntakeCompleted) -> None:
        intake = intake_from(event, context.identity, context.session, self.notice_version)
        repo.save_intake(context.db, intake, event.special or None, self.cipher)

    def _hand_over_requested(self, context: _Context, request: HandOverRequested) -> Input:
        session = context.session
        return handovers.open_for(
            context.db, self.cipher, self.hand_over_rules, context.identity,
            session.lang or self.flow.default_lang, session.answers, request.node, context.now,
        )  # fmt: skip

    def _slots_wanted(self, context: _Context, request: SlotsWanted) -> Input:
        return find_slots(context.db, request, context.now)

    def _slot_chosen(self, context: _Context, request: SlotChosen) -> Input:
        lang = context.session.lang or self.flow.default_lang
        return take_slot(context.db, context.identity.person_id, lang, request, context.now,
                         self.reminders)  # fmt: skip

    def _cancellation_requested(self, context: _Context, event: CancellationRequested) -> None:
        cancel_appointment(context.db, event, context.now)

    def _cancellation_explained(self, context: _Context, event: CancellationExplained) -> None:
        record_cancel_reason(context.db, event)

    def _link_code_wanted(self, context: _Context, request: LinkCodeWanted) -> Input:
        person_id = context.identity.person_id
        code = issue_identity_code(context.db, person_id, context.now, self.link_code_minutes)
        return LinkCodeIssued(code, self.link_code_minutes)

    def _link_code_given(self, context: _Context, request: LinkCodeGiven) -> Input:
        # A channel whose own person agreed to the notice has data of its own: linking it would
        # strand that data, out of reach of MY DATA and DELETE. It must be deleted first.
        if repo.has_consent(context.db, context.identity.person_id, "general"):
            return IdentityLinked(False, has_data=True)
        person_id = redeem_identity_code(context.db, request.code, context.now)
        if person_id is None or person_id == context.identity.person_id:
            return IdentityLinked(False)
        lock_person(context.db, person_id)  # their conversation goes on in this transaction
        # The blank person's inbound records follow the channel: they tell when it last wrote.
        repo.move_inbound(context.db, context.identity.person_id, person_id)
        context.identity.person_id = person_id
        context.db.add(context.identity)
        context.linked_to = person_id
        return IdentityLinked(True)

    def _record_wanted(self, context: _Context, request: RecordWanted) -> Input:
        lang = context.session.lang or self.flow.default_lang
        return read_record(context.db, self.cipher, context.identity, lang, context.now,
                           context.kind)  # fmt: skip

    def _reminder_answered(self, context: _Context, event: ReminderAnswered) -> None:
        record_reminder_answer(context.db, event, context.now)

    def _follow_up_answered(self, context: _Context, event: FollowUpAnswered) -> None:
        record_follow_up(context.db, event)

    def _erasure_requested(self, context: _Context, event: ErasureRequested) -> None:
        release_before_erasure(context.db, context.identity.person_id, context.now)
        # The identity now belongs to a blank person: the goodbye can still be sent to it.
        repo.erase_person(context.db, context.identity.person_id, context.now, context.identity)
        context.erased = True
        context.db.info[_ERASED] = True  # what is left of the deleted rows is scrubbed


def _said(inbound: Inbound) -> str:
    """The inbound as a line of a hand-over's thread."""
    if inbound.text is not None:
        return inbound.text
    if inbound.picked:
        return inbound.picked[1]
    return f"[{inbound.media or 'start'}]"


def _sites_text(db: DbSession, lang: str | None) -> str:
    """The sites where someone speaks the person's language (all, when none does)."""
    sites = [site for site in db.exec(select(Site).order_by(Site.id)).all() if site.active]
    spoken = {code for c in db.exec(select(Counselor)).all() if c.active and lang in c.languages
              for code in c.site_codes}  # fmt: skip
    fitting = [s for s in sites if s.code in spoken] or sites
    return "\n".join(f"{s.municipality}: {s.address}, tel. {s.phone}" for s in fitting)


# One handler per event type.
_HANDLERS: dict[type[Event], Callable[[ConversationService, _Context, Event], None]] = {
    MessageCreated: ConversationService._message_created,
    LanguageChosen: ConversationService._language_chosen,
    FirstNameGiven: ConversationService._first_name_given,
    ConsentRecorded: ConversationService._consent_recorded,
    IntakeCompleted: ConversationService._intake_completed,
    ErasureRequested: ConversationService._erasure_requested,
    CancellationRequested: ConversationService._cancellation_requested,
    CancellationExplained: ConversationService._cancellation_explained,
    ReminderAnswered: ConversationService._reminder_answered,
    FollowUpAnswered: ConversationService._follow_up_answered,
}

# One answer per request type: the input that carries it.
_ANSWERS: dict[type[Request], Callable[[ConversationService, _Context, Request], Input]] = {
    SlotsWanted: ConversationService._slots_wanted,
    SlotChosen: ConversationService._slot_chosen,
    LinkCodeWanted: ConversationService._link_code_wanted,
    LinkCodeGiven: ConversationService._link_code_given,
    HandOverRequested: ConversationService._hand_over_requested,
    RecordWanted: ConversationService._record_wanted,
}
