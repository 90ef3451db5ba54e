"""The dialog engine: (flow, session, input, now) -> new session and past-tense events.

Pure by design: no I/O, no clock, no database, no channel. The conversation service applies the
events it returns (storing the intake, recording consent, queueing the messages).
"""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from dialogs.answers import Answer, Rejection, read_answer
from dialogs.matching import clean, is_command
from dialogs.model import (
    RETURN,
    AppointmentCancelledByCounselor,
    BookingMade,
    CancellationExplained,
    CancellationRequested,
    Choice,
    ChoicePicked,
    ChoiceView,
    ConsentRecorded,
    ErasureRequested,
    Event,
    FirstNameGiven,
    Flow,
    FollowUpAnswered,
    FollowUpDue,
    HandOverRequested,
    IdentityLinked,
    Input,
    IntakeCompleted,
    LanguageChosen,
    LinkCodeGiven,
    LinkCodeIssued,
    LinkCodeWanted,
    MediaReceived,
    MeetingMissed,
    Message,
    MessageCreated,
    Node,
    NudgeDue,
    ReminderAnswered,
    ReminderDue,
    Session,
    SlotChosen,
    SlotGone,
    SlotsFound,
    SlotsWanted,
    Start,
    Step,
)
from dialogs.render import render, summary_lines
from nlp.understanding import Understanding

RESUME_AFTER = timedelta(hours=6)
LINK_CODE = re.compile(r"(\w+)\s+([A-Za-z0-9]{5}-?[A-Za-z0-9]{5})")
ENGINE_TEXTS = (
    "help.generic",
    "back.none",
    "restart.done",
    "stop.done",
    "resume.topic",
    "resume.plain",
    "handover.done",
    "skip.not_optional",
    "data.show",
    "data.none",
    "booking.after_intake",
    "booking.none",
    "erase.done",
    "error.empty",
    "error.stale",
    "error.choice",
    "error.multi",
    "error.text_long",
    "error.text_words",
    "error.media",
    "book.taken",
    "book.no_fit",
    "book.cancelled",
    "book.cancelled_by_counselor",
    "book.missed",
    "reminder.confirmed",
    "followup.thanks",
    "nudge.topic",
    "nudge.plain",
    "link.code",
    "link.done",
    "link.invalid",
    "link.consent_first",
    "link.has_data",
)
TRIES_BEFORE_OFFERING_HELP = 2
INTENT_CONFIDENCE = 0.85
TAXONOMY_MIN_SCORE = 0.65
TAXONOMY_MAX_EACH = 2
COMMAND_OF_INTENT = {
    "help": "help",
    "human": "person",
    "stop": "stop",
    "restart": "restart",
    "change_language": "language",
    "my_data": "my_data",
    "delete_data": "delete",
    "book": "book",
    "cancel": "cancel",
    "reschedule": "move",
}


def step(
    flow: Flow,
    session: Session,
    given: Input,
    now: datetime,
    facts: Mapping[str, str] | None = None,
) -> Step:
    """Advance one conversation by one input."""
    turn = _Turn(flow, session, now, dict(facts or {}))
    match given:
        case Start():
            turn.start(given)
        case Message():
            turn.message(clean(given.text), given.understanding)
        case ChoicePicked():
            turn.picked(given)
        case MediaReceived():
            turn.media()
        case SlotsFound() | SlotGone():
            turn.slots_found(given.offers, gone=isinstance(given, SlotGone))
        case BookingMade():
            turn.booking_made(given.appointment)
        case AppointmentCancelledByCounselor():
            turn.offer_again(given.appointment_id, "book.cancelled_by_counselor")
        case MeetingMissed():
            turn.offer_again(given.appointment_id, "book.missed")
        case LinkCodeIssued():
            turn.link_code_issued(given.code, given.minutes)
        case IdentityLinked():
            turn.identity_linked(given.linked, given.has_data)
        case NudgeDue():
            turn.nudge()
        case ReminderDue():
            turn.about_appointment(given.appointment_id, turn.flow.reminder_node)
        case FollowUpDue():
            turn.about_appointment(given.appointment_id, turn.flow.follow_up_node)
    return Step(turn.session.evolve(updated_at=now.isoformat()), tuple(turn.events))


class _Turn:
    """The work of one step: the session as it evolves and the events it produced so far."""

    def __init__(self, flow: Flow, session: Session, now: datetime, facts: dict[str, str]):
        self.flow = flow
        self.session = session
        self.now = now
        self.facts = facts
        self.events: list[Event] = []
        self.understood: Understanding | None = None

    # --- inputs ---------------------------------------------------------------------------

    def start(self, given: Start) -> None:
        if self.session.status == "new":
            self._begin(given.lang if given.lang in self.flow.languages else None)
        else:
            self._resume()

    def message(self, text: str, understanding: Understanding | None) -> None:
        code = self._link_code_in(text)
        if code:
            return self.events.append(LinkCodeGiven(code))
        if self.session.status == "new":
            detected = understanding.detected_lang if understanding else None
            return self._begin(detected if detected in self.flow.languages else None)
        command = self._command_in(text) if text else None
        if self.session.status == "paused":
            if command is None:
                return self._resume()
            self._unpause()
        node = self._node
        if not text:
            return self._reject(node, Rejection("error.empty"))
        if node.id == self.flow.language_node and self.session.lang is None:
            detected = understanding.detected_lang if understanding else None
            if detected in self.flow.languages:
                return self._answered(node, Answer(detected, self._choice(node, detected)))
        self.understood = understanding
        outcome = read_answer(node, self._choices(node), text, self._catalogue)
        # A command word wins over free text, but not over a choice's own words: typing
        # "Talk to a person" where that is a choice does what the button does.
        if command and (node.kind == "text" or isinstance(outcome, Rejection)):
            return self._command(command)
        if isinstance(outcome, Rejection):
            outcome = self._yes_or_no(node, understanding) or outcome
        if isinstance(outcome, Answer):
            return self._answered(node, outcome)
        wish = _wish(understanding) if node.request == "slots" else None
        if wish:
            return self._ask_for_slots(wish=wish)
        intended = self._intended_command(node, text, understanding)
        if intended:
            return self._command(intended)
        if self._returning:
            return self._resume()
        self._reject(node, outcome)

    def _unpause(self) -> None:
        finished = bool(self.session.answers.get("track"))
        self.session = self.session.evolve(status="completed" if finished else "active")

    def _yes_or_no(self, node: Node, understanding: Understanding | None) -> Answer | None:
        """A yes or a no said in other words ("claro que sim"), where the question has one."""
        if understanding is None or node.kind != "choice":
            return None
        said = [e.value for e in understanding.entities if e.type == "yes_no"]
        sure = understanding.confidence >= INTENT_CONFIDENCE
        if len(said) == 1:
            intent = "yes" if said[0] else "no"
        elif understanding.intent in ("yes", "no") and sure:
            intent = understanding.intent
        else:
            return None
        choice = self._choice(node, intent)
        return Answer(choice.id, choice) if choice else None

    def picked(self, given: ChoicePicked) -> None:
        if self.session.status == "new":
            return self._begin(None)
        if self.session.status == "paused":
            self._unpause()
        node = self._node if self.session.node else None
        choice = self._choice(node, given.choice) if node and node.id == given.node else None
        if node is None or choice is None:
            return self._reject(node or self.flow.node(self.flow.start), Rejection("error.stale"))
        value = choice.value if choice.value is not None else choice.id
        if node.kind == "multi":
            value = [choice.id]
        self._answered(node, Answer(value, choice))

    def media(self) -> None:
        if self.session.status == "new":
            return self._begin(None)
        self._say("error.media")
        self._ask(self._node)

    # --- moving through the flow ----------------------------------------------------------

    def _begin(self, lang: str | None) -> None:
        self.session = self.session.evolve(status="active", started_at=self.now.isoformat())
        if lang:
            self._set_language(lang)
            self._enter(self.flow.node(self.flow.language_node).routes[0].to)
        else:
            self._enter(self.flow.language_node)

    def _answered(self, node: Node, answer: Answer) -> None:
        answers = dict(self.session.answers)
        if node.field:
            answers[node.field] = answer.value
        if node.extract == "taxonomy":
            # A first answer replaces what was understood before; an addition extends it.
            earlier = [] if node.field else answers.get("found") or []
            answers["found"] = _merged(earlier, _taxonomy(self.understood))
        history = self.session.history
        if node.id not in self._side_nodes:
            history = (*history, node.id)
        self.session = self.session.evolve(answers=answers, failures=0, history=history)
        actions = [a for a in (node.action, answer.choice and answer.choice.action) if a]
        for action in actions:
            getattr(self, f"_do_{action}")(answer)
        if not any(a in NAVIGATING_ACTIONS for a in actions):
            target = self._target(node, answer)
            if target:
                self._enter(target)

    @property
    def _side_nodes(self) -> tuple[str, ...]:
        """Nodes reached on the way (a reminder, a confirmation) that BACK never returns to."""
        flow = self.flow
        return (flow.stuck_node, flow.erase_node, flow.cancel_node, flow.reminder_node,
                flow.follow_up_node, "follow_up_next")

    def _target(self, node: Node, answer: Answer) -> str | None:
        choice = answer.choice
        returning = choice is not None and choice.next == RETURN
        if choice and choice.next and not returning:
            return choice.next
        if self.session.return_to:
            return self._pop_return()
        # "@return" with nowhere to return to (the node was reached directly): its own route.
        for route in node.routes:
            if _holds(route.when, self.session.answers):
                return route.to
        return None

    def _pop_return(self) -> str:
        *rest, last = self.session.return_to
        self.session = self.session.evolve(return_to=tuple(rest))
        return last

    def _divert(self, to: str) -> None:
        """Go to a side node (language, stuck, erase) and come back to where the person was."""
        if self.session.node and self.session.node != to:
            self.session = self.session.evolve(
                return_to=(*self.session.return_to, self.session.node)
            )
        self._enter(to)

    def _choices(self, node: Node) -> tuple[Choice, ...]:
        """The node's choices, after those the session holds for it (things understood, slots)."""
        made = self.session.answers.get(node.choices_from, ()) if node.choices_from else ()
        return (
            *(Choice(c["id"], "", label=c["label"], action=node.choice_action) for c in made),
            *node.choices,
        )

    def _choice(self, node: Node, choice_id: str) -> Choice | None:
        return next((c for c in self._choices(node) if c.id == choice_id), None)

    def _enter(self, node_id: str) -> None:
        node = self.flow.node(node_id)
        while not node.asks:
            if node.text:
                self._say(node.text)
            if node.kind == "end" or not node.routes:
                self.session = self.session.evolve(node=node.id)
                return
            node = self.flow.node(self._route(node))
        self.session = self.session.evolve(node=node.id)
        if node.request == "slots":
            return self._want_slots()
        self._ask(node)

    def _route(self, node: Node) -> str:
        return next(r.to for r in node.routes if _holds(r.when, self.session.answers))

    # --- booking: the engine asks, the host finds slots and books --------------------------

    @property
    def _booking(self) -> dict[str, Any]:
        return self.session.answers.get("booking") or {}

    def _keep(self, **values: Any) -> None:
        self.session = self.session.evolve(answers={**self.session.answers, **values})

    def _ask_for_slots(self, **criteria: Any) -> None:
        """Offer slots again, the criteria changed ("other days", "by phone", "Friday")."""
        self._keep(booking={**self._booking, **criteria})
        self._enter(self.flow.booking_node)

    def _want_slots(self) -> None:
        answers, booking = self.session.answers, self._booking
        self.events.append(
            SlotsWanted(
                track=answers.get("track") or "orientation",
                lang=self._lang,
                municipality=answers.get("municipality"),
                mode=booking.get("mode", "in_person"),
                wish=booking.get("wish"),
                after=booking.get("after"),
                elsewhere=tuple(booking.get("elsewhere", ())),
                moving=booking.get("moving"),
                availability=tuple(answers.get("availability") or ()),
            )
        )

    def slots_found(self, offers: tuple[dict[str, Any], ...], gone: bool = False) -> None:
        node = self._node
        self._keep(offers=list(offers))
        if gone:
            self._say("book.taken")
        if not offers and self._booking.get("wish"):
            # Nothing when they wished: say so, and offer the first free times instead.
            self._say("book.no_fit")
            return self._ask_for_slots(wish=None)
        if not offers:
            return self._enter(node.outcomes["none"])
        self._ask(node)

    def booking_made(self, appointment: dict[str, Any]) -> None:
        self._keep(appointment=appointment, booking={}, offers=[])
        self._enter(self._node.outcomes["booked"])

    def offer_again(self, appointment_id: int, news: str) -> None:
        """The meeting will not take place (cancelled by the counselor, or missed): say so,
        kindly, and offer new slots; nothing if it is no longer the person's current one."""
        current = self.session.answers.get("appointment") or {}
        if current.get("id") != appointment_id:
            return
        if self.session.status == "paused":
            self._unpause()
        self._say(news, **current)
        self._keep(appointment=None, booking={})
        self._enter(self.flow.booking_node)

    # --- one person on several channels ---------------------------------------------------

    def _link_code_in(self, text: str) -> str | None:
        """The code in "LINK K7QX2-9ZMBA" (a link word of any language, then a code)."""
        match = LINK_CODE.fullmatch(text.strip().lstrip("/"))
        if match and self._command_in(match.group(1)) == "link":
            return match.group(2)
        return None

    def _link(self) -> None:
        if not self.session.consent_general:
            self._say("link.consent_first")
            return self._ask(self._node)
        self.events.append(LinkCodeWanted())

    def link_code_issued(self, code: str, minutes: int) -> None:
        self._say("link.code", code=code, minutes=minutes)
        self._ask(self._node)

    def identity_linked(self, linked: bool, has_data: bool = False) -> None:
        """Said in the conversation the channel now belongs to, or in its own on a refusal."""
        self._say("link.done" if linked else "link.has_data" if has_data else "link.invalid")
        if self.session.status == "new":
            return self._begin(None)
        if self.session.status == "paused":
            self._unpause()
        self._ask(self._node)

    # --- timed messages: the worker says when, the session says whether it still applies --

    def nudge(self) -> None:
        """Bring back a person who left the intake half-way; nothing once it is over."""
        node = self._node
        if self.session.status != "active" or not node.asks:
            return
        topic = self._catalogue.texts[node.topic] if node.topic else ""
        self._say("nudge.topic" if topic else "nudge.plain", topic=topic)
        self._ask(node)

    def about_appointment(self, appointment_id: int, node_id: str) -> None:
        """A reminder or a follow-up, if it is about the person's current appointment."""
        current = self.session.answers.get("appointment") or {}
        if current.get("id") != appointment_id:
            return
        if self.session.status == "paused":
            self._unpause()
        self._divert(node_id)

    # --- speaking -------------------------------------------------------------------------

    @property
    def _lang(self) -> str:
        return self.session.lang or self.flow.default_lang

    @property
    def _catalogue(self):
        return self.flow.catalogues[self._lang]

    def _text(self, key: str, **values: Any) -> str:
        return render(self._catalogue.texts[key], self._context(values))

    def _context(self, values: dict[str, Any]) -> dict[str, Any]:
        answers = self.session.answers
        found = "; ".join(f["label"] for f in answers.get("found") or [])
        appointment = answers.get("appointment") or {}
        return {**self.facts, **self._track_values(), **appointment, "found": found, **values}

    def _sms_text(self, key: str, template: str | None = None, **values: Any) -> str | None:
        """The SMS variant of a text, when the catalogue has one (or a template is given)."""
        short = self._catalogue.sms.get(key) or template
        return render(short, self._context(values)) if short else None

    def _say(self, key: str, **values: Any) -> None:
        self.events.append(
            MessageCreated(
                self._text(key, **values), self._lang, sms_text=self._sms_text(key, **values)
            )
        )

    def _ask(self, node: Node) -> None:
        values, sms_values, sms_template = {}, {}, None
        if node.kind == "summary":
            values = {"summary": "\n".join(self._summary_lines())}
            # By SMS every segment costs: the answers alone, without their labels.
            sms_values = {"summary": "; ".join(self._summary_lines(labelled=False))}
            sms_template = self._catalogue.texts[node.text]
        choices = tuple(
            ChoiceView(c.id, c.label or self._catalogue.texts[c.text]) for c in self._choices(node)
        )
        self.events.append(
            MessageCreated(
                self._text(node.text, **values),
                self._lang,
                node.id,
                choices,
                node.kind == "multi",
                self._sms_text(node.text, sms_template, **(sms_values or values)),
            )
        )

    def _reject(self, node: Node, rejection: Rejection) -> None:
        failures = self.session.failures + 1
        self._say(rejection.key, count=len(self._choices(node)), **rejection.values)
        if failures >= TRIES_BEFORE_OFFERING_HELP and node.id != self.flow.stuck_node:
            self.session = self.session.evolve(failures=0)
            return self._divert(self.flow.stuck_node)
        self.session = self.session.evolve(failures=failures)
        self._ask(node)

    def _summary_lines(self, labelled: bool = True) -> list[str]:
        return summary_lines(self.flow, self._catalogue, self.session.answers, labelled)

    def _track_values(self) -> dict[str, str]:
        track = self.session.answers.get("track")
        if not track:
            return {}
        return {
            "track": self._catalogue.texts[f"track.{track}"],
            "reason": self._catalogue.texts[self.session.answers["track_reason"]],
        }

    # --- commands -------------------------------------------------------------------------

    @property
    def _node(self) -> Node:
        return self.flow.node(self.session.node or self.flow.start)

    @property
    def _returning(self) -> bool:
        last = self.session.updated_at
        return bool(last) and self.now - datetime.fromisoformat(last) > RESUME_AFTER

    def _command_in(self, text: str) -> str | None:
        for catalogue in self.flow.catalogues.values():
            for command, words in catalogue.commands.items():
                if is_command(text, words):
                    return command
        return None

    def _intended_command(
        self, node: Node, text: str, understanding: Understanding | None
    ) -> str | None:
        """A command meant in free words; on free-text questions only short, sure messages."""
        if understanding is None or understanding.confidence < INTENT_CONFIDENCE:
            return None
        if node.kind == "text" and len(text.split()) > 5:
            return None
        return COMMAND_OF_INTENT.get(understanding.intent)

    def _command(self, command: str) -> None:
        _COMMANDS[command](self)

    def _help(self) -> None:
        node = self._node
        self._say(node.help or "help.generic")
        self._ask(node)

    def _back(self) -> None:
        if not self.session.history:
            self._say("back.none")
            return self._ask(self._node)
        *earlier, previous = self.session.history
        self.session = self.session.evolve(history=tuple(earlier), return_to=())
        self._enter(previous)

    def _restart(self) -> None:
        # A new intake; the booked meeting and the name the counselor knows them by stay.
        kept = {k: v for k, v in self.session.answers.items() if k in ("appointment", "first_name")}
        self.session = self.session.evolve(
            answers=kept,
            history=(),
            return_to=(),
            failures=0,
            status="active",
            started_at=self.now.isoformat(),
        )
        self._say("restart.done")
        consented = self.session.consent_general
        self._enter(self.flow.first_question if consented else self.flow.consent_node)

    def _stop(self) -> None:
        self.session = self.session.evolve(status="paused")
        self._say("stop.done")

    def _resume(self) -> None:
        node = self._node
        topic = self._catalogue.texts[node.topic] if node.topic else ""
        self._unpause()
        self._say("resume.topic" if topic else "resume.plain", topic=topic)
        self._ask(node)

    def _person(self) -> None:
        self._do_hand_over(Answer(None, None))
        self._ask(self._node)

    def _skip(self) -> None:
        node = self._node
        if not node.optional:
            self._say("skip.not_optional")
            return self._ask(node)
        self._answered(node, Answer(None, None))

    def _my_data(self) -> None:
        self._show_data()
        self._ask(self._node)

    def _show_data(self) -> None:
        lines = self._summary_lines()
        self._say("data.show" if lines else "data.none", summary="\n".join(lines))

    def _delete(self) -> None:
        self._divert(self.flow.erase_node)

    def _book(self) -> None:
        if not self.session.answers.get("track"):
            self._say("booking.after_intake")
            return self._ask(self._node)
        self._do_new_booking(Answer(None, None))
        self._enter(self.flow.booking_node)

    def _cancel(self) -> None:
        if not self.session.answers.get("appointment"):
            self._say("booking.none")
            return self._ask(self._node)
        self._divert(self.flow.cancel_node)

    def _move(self) -> None:
        appointment = self.session.answers.get("appointment")
        if not appointment:
            self._say("booking.none")
            return self._ask(self._node)
        self._keep(booking={"moving": appointment["id"]})
        self._enter(self.flow.booking_node)

    # --- actions named in flows (`action:` in the YAML calls `_do_<action>`) --------------

    def _do_set_language(self, answer: Answer) -> None:
        self._set_language(answer.value)

    def _set_language(self, lang: str) -> None:
        self.session = self.session.evolve(lang=lang)
        self.events.append(LanguageChosen(lang))

    def _do_consent_general(self, answer: Answer) -> None:
        self._consent("general", True)

    def _do_refuse_general(self, answer: Answer) -> None:
        self._consent("general", False)

    def _do_consent_special(self, answer: Answer) -> None:
        self._consent("special", True)

    def _do_refuse_special(self, answer: Answer) -> None:
        """A no (or a change of mind after BACK): what was said under the consent goes too."""
        if self.session.consent_special:
            self._consent("special", False)
        answers = {k: v for k, v in self.session.answers.items()
                   if k not in self.flow.special_fields}
        self.session = self.session.evolve(answers=answers)

    def _consent(self, scope: str, granted: bool) -> None:
        self.session = self.session.evolve(**{f"consent_{scope}": granted})
        self.events.append(ConsentRecorded(scope, granted))  # type: ignore[arg-type]

    def _do_return_to_summary(self, answer: Answer) -> None:
        self.session = self.session.evolve(return_to=(*self.session.return_to, "summary"))

    def _do_hand_over(self, answer: Answer) -> None:
        self.events.append(HandOverRequested(self.session.node))
        self._say("handover.done")

    def _do_show_data(self, answer: Answer) -> None:
        self._show_data()

    def _do_show_help(self, answer: Answer) -> None:
        returning_to = self.session.return_to[-1] if self.session.return_to else None
        node_help = self.flow.node(returning_to).help if returning_to else None
        self._say(node_help or "help.generic")

    def _do_drop_found(self, answer: Answer) -> None:
        wrong = set(answer.value or ())
        kept = [f for f in self.session.answers.get("found") or [] if f["id"] not in wrong]
        self.session = self.session.evolve(answers={**self.session.answers, "found": kept})

    def _do_append_experience(self, answer: Answer) -> None:
        answers = self.session.answers
        told = "\n".join(t for t in (answers.get("experience_text"), answer.value) if t)
        self.session = self.session.evolve(answers={**answers, "experience_text": told})

    def _do_remember_name(self, answer: Answer) -> None:
        self.events.append(FirstNameGiven(answer.value))

    def _do_new_booking(self, answer: Answer) -> None:
        self._keep(booking={})

    def _do_later_slots(self, answer: Answer) -> None:
        offers = self.session.answers.get("offers") or []
        self._keep(booking={**self._booking, "after": offers[-1]["starts_at"] if offers else None})

    def _do_other_place(self, answer: Answer) -> None:
        offered = {o["site"] for o in self.session.answers.get("offers") or []}
        elsewhere = sorted({*self._booking.get("elsewhere", ()), *offered})
        self._keep(booking={**self._booking, "elsewhere": elsewhere, "after": None})

    def _do_by_phone(self, answer: Answer) -> None:
        self._keep(booking={**self._booking, "mode": "phone", "elsewhere": [], "after": None})

    def _do_book_slot(self, answer: Answer) -> None:
        offers = self.session.answers.get("offers") or []
        offer = next(o for o in offers if o["id"] == answer.choice.id)
        self.events.append(SlotChosen(offer, self._booking.get("moving")))

    def _do_move_appointment(self, answer: Answer) -> None:
        appointment = self.session.answers.get("appointment") or {}
        self._keep(booking={"moving": appointment.get("id")})

    def _do_cancel_appointment(self, answer: Answer) -> None:
        appointment = self.session.answers.get("appointment") or {}
        if appointment:
            self.events.append(CancellationRequested(appointment["id"]))
            self._say("book.cancelled", **appointment)
        self._keep(appointment=None, booking={}, cancelled=appointment.get("id"))
        self.session = self.session.evolve(return_to=())

    def _do_give_cancel_reason(self, answer: Answer) -> None:
        cancelled = self.session.answers.get("cancelled")
        if cancelled and answer.value:
            self.events.append(CancellationExplained(cancelled, answer.value))

    def _do_answer_reminder(self, answer: Answer) -> None:
        appointment = self.session.answers.get("appointment")
        if not appointment:
            return
        self.events.append(ReminderAnswered(appointment["id"], answer.choice.id))
        if answer.choice.id == "confirm":
            self._say("reminder.confirmed")

    def _do_answer_follow_up(self, answer: Answer) -> None:
        appointment = self.session.answers.get("appointment")
        rating = self.session.answers.get("follow_up_rating")
        if appointment:
            self.events.append(FollowUpAnswered(appointment["id"], rating, answer.choice.id))
        self._keep(appointment=None, booking={})
        self.session = self.session.evolve(return_to=())
        self._say("followup.thanks")

    def _do_restart(self, answer: Answer) -> None:
        self._restart()

    def _do_complete_intake(self, answer: Answer) -> None:
        answers = dict(self.session.answers)
        rule = next(t for t in self.flow.tracks if _holds(t.when, answers))
        answers.update(track=rule.track, track_reason=rule.reason)
        self.session = self.session.evolve(answers=answers, status="completed")
        record = dict(answers)
        special = {f: record.pop(f) for f in self.flow.special_fields if f in record}
        if not self.session.consent_special:
            special = {}
        started = self.session.started_at
        self.events.append(
            IntakeCompleted(
                answers=record,
                special=special,
                track=rule.track,
                track_reason=self._text(rule.reason),
                started_at=datetime.fromisoformat(started) if started else self.now,
                completed_at=self.now,
            )
        )

    def _do_erase(self, answer: Answer) -> None:
        self.events.append(ErasureRequested())
        self._say("erase.done")
        self.session = Session(flow=self.flow.id, lang=self.session.lang)


def _wish(understanding: Understanding | None) -> dict[str, Any] | None:
    """The day and part of day a person asked for in words ("sexta de manhã")."""
    if understanding is None:
        return None
    moment, part = understanding.datetime, understanding.part_of_day
    if moment is None and part is None:
        return None
    if moment is not None and part is None:
        part = "morning" if moment.hour < 13 else "afternoon" if moment.hour < 18 else "evening"
    return {"day": moment.date().isoformat() if moment else None, "part_of_day": part}


def _taxonomy(understanding: Understanding | None) -> list[dict[str, str]]:
    """The occupations and transversal skills the NLP is sure enough of, best first."""
    if understanding is None:
        return []
    found = []
    kinds = (("occupation", understanding.occupations), ("skill", understanding.skills))
    for kind, matches in kinds:
        sure = [m for m in matches if m.score >= TAXONOMY_MIN_SCORE][:TAXONOMY_MAX_EACH]
        found += [{"kind": kind, "uri": m.uri, "label": m.label} for m in sure]
    return found


def _merged(found: list[dict[str, str]], more: list[dict[str, str]]) -> list[dict[str, str]]:
    """Both lists without repeating a URI, each item numbered for choosing."""
    unique = {f["uri"]: f for f in [*found, *more]}
    return [{**f, "id": f"f{i}"} for i, f in enumerate(unique.values(), 1)]


def _holds(when: Mapping[str, tuple[Any, ...]], answers: Mapping[str, Any]) -> bool:
    return all(answers.get(field) in accepted for field, accepted in when.items())


NAVIGATING_ACTIONS = {"restart", "erase", "book_slot"}

_COMMANDS = {
    "help": _Turn._help,
    "back": _Turn._back,
    "restart": _Turn._restart,
    "language": lambda turn: turn._divert(turn.flow.language_node),
    "stop": _Turn._stop,
    "person": _Turn._person,
    "skip": _Turn._skip,
    "my_data": _Turn._my_data,
    "delete": _Turn._delete,
    "book": _Turn._book,
    "cancel": _Turn._cancel,
    "move": _Turn._move,
    "link": _Turn._link,
}


def command_names() -> tuple[str, ...]:
    """The commands the engine understands; every catalogue must give words for each."""
    return tuple(_COMMANDS)
