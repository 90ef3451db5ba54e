"""The values the dialog engine reads and returns: flow definitions, inputs, requests, session,
events.

Everything here is plain, immutable data (the session is copied, never changed in place) so that
a conversation step is a pure function and a session can be stored as JSON between steps.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from nlp.understanding import Understanding

RETURN = "@return"
"""A `next` target meaning: go back to the node the person came from (corrections, help, stuck)."""

NodeKind = Literal["message", "route", "choice", "multi", "text", "summary", "end"]


# --- flow definition -------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """An answer offered; `label` is set instead of a text key for choices made at run time."""

    id: str
    text: str
    next: str | None = None
    value: Any = None
    action: str | None = None
    exclusive: bool = False
    label: str | None = None
    # The numbers the choice stands for, from and up to (not including) the second; None: no end.
    range: tuple[float, float | None] | None = None
    means: Literal["yes", "no"] | None = None  # the choice a plain yes or no picks


@dataclass(frozen=True)
class Route:
    """Go to `to` when the answers satisfy `when` (field -> accepted values); no `when` always."""

    to: str
    when: dict[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    text: str | None  # a route only chooses the way on, and says nothing
    field: str | None = None
    choices: tuple[Choice, ...] = ()
    routes: tuple[Route, ...] = ()
    action: str | None = None
    optional: bool = False
    special: bool = False
    help: str | None = None
    topic: str | None = None
    min_length: int = 2
    max_length: int = 1000
    choices_from: str | None = None
    choice_action: str | None = None
    extract: str | None = None
    request: str | None = None
    # What a free answer is read as besides the choices' words: an age, a duration in months;
    # on a text question, "name": a short name, never a sentence, a question or a yes.
    reads: Literal["age", "months", "name"] | None = None
    # Where to go on each answer of the host to `request` (node has a `field` of its own).
    outcomes: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def asks(self) -> bool:
        return self.kind not in ("message", "route", "end")


@dataclass(frozen=True)
class TrackRule:
    track: str
    reason: str
    when: dict[str, tuple[Any, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    """The texts of one language, plus the words that act as commands and choice synonyms."""

    lang: str
    name: str
    texts: dict[str, str]
    commands: dict[str, tuple[str, ...]]
    synonyms: dict[str, tuple[str, ...]]
    sms: dict[str, str] = field(default_factory=dict)
    same_as_english: frozenset[str] = frozenset()  # keys whose text is rightly the English one
    # Words people use for a choice of one question (node id -> choice id -> phrases), from
    # dialogs/words/<lang>.yaml: national names, acronyms, people and things for categories.
    answers: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    negations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    id: str
    start: str
    languages: tuple[str, ...]
    nodes: dict[str, Node]
    catalogues: dict[str, Catalogue]
    language_node: str
    consent_node: str
    first_question: str
    stuck_node: str
    erase_node: str
    booking_node: str
    cancel_node: str
    reminder_node: str
    follow_up_node: str
    summary_fields: tuple[str, ...]
    tracks: tuple[TrackRule, ...]
    default_lang: str
    switch_node: str | None = None  # "go on in the language you wrote in?"; None: never asked

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def field_node(self, field_name: str) -> Node | None:
        return next((n for n in self.nodes.values() if n.field == field_name), None)

    @property
    def special_fields(self) -> tuple[str, ...]:
        return tuple(n.field for n in self.nodes.values() if n.special and n.field)


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """The person opened the conversation (/start, a first SMS, the console starting)."""

    payload: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Message:
    """Free text, already read by the NLP layer."""

    text: str
    understanding: Understanding | None = None


@dataclass(frozen=True)
class ChoicePicked:
    """A button pressed: the choice `choice` offered at node `node`."""

    node: str
    choice: str


@dataclass(frozen=True)
class MediaReceived:
    """Something the bot cannot read: a voice note, a photo, a sticker, a document."""

    kind: str


@dataclass(frozen=True)
class SlotsFound:
    """The host's answer to SlotsWanted: each offer is {"id", "label", "data"}, data opaque."""

    offers: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class BookingMade:
    """The host booked the chosen slot: {"id", "when", "place", ...} for the confirmation."""

    appointment: dict[str, Any]


@dataclass(frozen=True)
class SlotGone:
    """The chosen slot was taken meanwhile; fresh offers come with the news."""

    offers: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class AppointmentCancelledByCounselor:
    """The counselor cancelled; the person is told and offered new slots."""

    appointment_id: int


@dataclass(frozen=True)
class MeetingMissed:
    """The counselor recorded that the person did not come: no blame, a new slot offered."""

    appointment_id: int


@dataclass(frozen=True)
class NudgeDue:
    """The person left the intake half-way; `number` counts the nudges so far, this one included."""

    number: int


@dataclass(frozen=True)
class ReminderDue:
    appointment_id: int


@dataclass(frozen=True)
class ErasureDue:
    """The person has been silent so long that their data is erased in `days` unless they
    write (the retention job)."""

    days: int


@dataclass(frozen=True)
class FollowUpDue:
    """The day after a meeting: how did it go, and what next."""

    appointment_id: int


@dataclass(frozen=True)
class LinkCodeIssued:
    """The host's answer to LinkCodeWanted: the code to show, and for how long it works."""

    code: str
    minutes: int


@dataclass(frozen=True)
class IdentityLinked:
    """The host's answer to LinkCodeGiven: whether this channel now belongs to the person;
    `has_data` when it was refused because this channel's own person has data to keep."""

    linked: bool
    has_data: bool = False


@dataclass(frozen=True)
class HandOverOpened:
    """The host's answer to HandOverRequested: whose counselors will answer, usually within how
    many working hours, and by when at the latest as the person reads it ("wed 25 Nov, 11:00")."""

    site: str
    hours: int
    by: str


@dataclass(frozen=True)
class HandOverDelayed:
    """No counselor took the hand-over in time: the coordinator was told; an answer by `by`."""

    site: str
    by: str


@dataclass(frozen=True)
class HandOverClosed:
    """The hand-over ended (by the counselor, or the person's word for it): the bot is back."""


@dataclass(frozen=True)
class ConsentKept:
    """A consent decision as MY DATA shows it: its scope, yes or no, the day, the notice."""

    scope: Literal["general", "special"]
    granted: bool
    day: str
    notice: str


@dataclass(frozen=True)
class RecordRead:
    """The host's answer to RecordWanted: what the database keeps beyond the conversation's
    answers, ready to show (meetings as (when, place) in the person's language, channels with
    their addresses masked, the latest consent decision of each scope), and whether the whole
    record went out as a file just before (Telegram)."""

    meetings: tuple[tuple[str, str], ...] = ()
    channels: tuple[str, ...] = ()
    consents: tuple[ConsentKept, ...] = ()
    file_sent: bool = False


Input = (
    Start
    | Message
    | ChoicePicked
    | MediaReceived
    | SlotsFound
    | BookingMade
    | SlotGone
    | AppointmentCancelledByCounselor
    | MeetingMissed
    | NudgeDue
    | ReminderDue
    | FollowUpDue
    | ErasureDue
    | LinkCodeIssued
    | IdentityLinked
    | HandOverOpened
    | HandOverDelayed
    | HandOverClosed
    | RecordRead
)


# --- requests: what the engine needs the host to do before it can go on ----------------------
# The host answers each by stepping again with the answer as input (SlotsFound, BookingMade...).


@dataclass(frozen=True)
class SlotsWanted:
    """The engine needs slots to offer; the host answers with SlotsFound."""

    track: str
    lang: str
    municipality: str | None
    mode: str
    wish: dict[str, Any] | None = None
    after: str | None = None
    elsewhere: tuple[Any, ...] = ()
    moving: int | None = None
    availability: tuple[str, ...] = ()  # as the person said in the intake
    avoid: int | None = None  # an appointment whose time is not to be offered (moved, cancelled)
    home: tuple[float, float] | None = None  # latitude, longitude of where the person lives


@dataclass(frozen=True)
class SlotChosen:
    """The person picked an offer; the host books it (or moves `moving` to it) and answers
    with BookingMade or SlotGone."""

    offer: dict[str, Any]
    moving: int | None = None


@dataclass(frozen=True)
class LinkCodeWanted:
    """The person wants to continue on another channel: the host issues a one-time code."""


@dataclass(frozen=True)
class LinkCodeGiven:
    """A code typed on this channel: the host links this channel to the code's person."""

    code: str


@dataclass(frozen=True)
class HandOverRequested:
    """The person asked for a person at `node`: the host opens a hand-over, tells the counselors
    and answers with HandOverOpened. Until it closes, the host keeps the person's messages in
    the hand-over's thread instead of stepping the dialog."""

    node: str | None


@dataclass(frozen=True)
class RecordWanted:
    """The person asked what is kept about them (MY DATA): the host reads the whole record,
    sends it as a file where the channel can carry one, and answers with RecordRead."""


Request = (
    SlotsWanted | SlotChosen | LinkCodeWanted | LinkCodeGiven | HandOverRequested | RecordWanted
)


# --- session ---------------------------------------------------------------------------------

DialogStatus = Literal["new", "active", "paused", "completed"]


@dataclass(frozen=True)
class DialogState:
    flow: str
    node: str | None = None
    lang: str | None = None
    status: DialogStatus = "new"
    answers: dict[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    return_to: tuple[str, ...] = ()
    failures: int = 0
    # What waits for a yes: a reading to confirm {"node", "choice"}, or {"lang", "was"}.
    pending: dict[str, Any] | None = None
    consent_general: bool = False
    consent_special: bool = False
    started_at: str | None = None
    updated_at: str | None = None

    def evolve(self, **changes: Any) -> DialogState:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["history"] = list(self.history)
        data["return_to"] = list(self.return_to)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DialogState:
        return cls(
            **{
                **data,
                "history": tuple(data.get("history", ())),
                "return_to": tuple(data.get("return_to", ())),
            }
        )


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceView:
    id: str
    label: str


@dataclass(frozen=True)
class MessageCreated:
    """A message for the person; `sms_text` is a shorter variant for SMS, when the text has one."""

    text: str
    lang: str
    node: str | None = None
    choices: tuple[ChoiceView, ...] = ()
    multiple: bool = False
    sms_text: str | None = None


@dataclass(frozen=True)
class LanguageChosen:
    lang: str


@dataclass(frozen=True)
class ConsentRecorded:
    scope: Literal["general", "special"]
    granted: bool


@dataclass(frozen=True)
class IntakeCompleted:
    answers: dict[str, Any]
    special: dict[str, Any]
    track: str
    track_reason: str
    started_at: datetime
    completed_at: datetime


@dataclass(frozen=True)
class ErasureRequested:
    pass


@dataclass(frozen=True)
class FirstNameGiven:
    """How the person wants to be called, for the counselor who meets them."""

    first_name: str


@dataclass(frozen=True)
class CancellationRequested:
    appointment_id: int


@dataclass(frozen=True)
class CancellationExplained:
    """Why the person cancelled, said after the cancellation (optional)."""

    appointment_id: int
    reason: str


@dataclass(frozen=True)
class ReminderAnswered:
    appointment_id: int
    answer: str  # confirm | cancel | move


@dataclass(frozen=True)
class FollowUpAnswered:
    appointment_id: int
    rating: int | None
    next_step: str | None


Event = (
    MessageCreated
    | LanguageChosen
    | ConsentRecorded
    | IntakeCompleted
    | ErasureRequested
    | CancellationRequested
    | CancellationExplained
    | FirstNameGiven
    | ReminderAnswered
    | FollowUpAnswered
)


@dataclass(frozen=True)
class Step:
    """What one step did (`events`), and what it needs the host to do before it can go on."""

    session: DialogState
    events: tuple[Event, ...]
    request: Request | None = None

    @property
    def messages(self) -> tuple[MessageCreated, ...]:
        return tuple(e for e in self.events if isinstance(e, MessageCreated))
