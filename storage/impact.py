"""The facts the impact monitor counts, read in a few queries over a span of time: who wrote
and how far they got, the meetings, the stages counselors recorded, the reminders and nudges
that fired. Nothing here counts or hides: bot.impact does. Erased people are left out."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.booking import Appointment
from storage.columns import as_utc
from storage.desk import PathStage
from storage.models import (
    Consent,
    Conversation,
    Identity,
    InboundSeen,
    Intake,
    Outbox,
    Person,
    Site,
)  # fmt: skip

TIMER = "timer"  # the channel of trigger rows (bot.delivery.outbound.TIMER)


@dataclass(frozen=True)
class Profile:
    """What a person is grouped by. Plain intake columns only: special categories never."""

    channel: str | None = None
    lang: str | None = None
    municipality: str | None = None
    site: str | None = None  # the site code of their first meeting
    age_band: str | None = None
    unemployed_since: str | None = None
    benefits: str | None = None


@dataclass(frozen=True)
class Journey:
    """One person who first wrote in the span, and how far they got. (A person with no
    message received, such as a counselor's e-mail address for notices, is nobody's journey.)"""

    person_id: str
    wrote_at: datetime
    profile: Profile
    consented: bool
    node: str | None  # where the conversation stands now
    completed: bool
    booked: bool
    first_meeting_at: datetime | None


@dataclass(frozen=True)
class MeetingFact:
    person_id: str
    starts_at: datetime
    status: str  # booked | done | cancelled
    attended: bool | None


@dataclass(frozen=True)
class StageFact:
    person_id: str
    recorded_at: datetime
    stage: str
    outcome: str


@dataclass(frozen=True)
class TriggerFact:
    """A reminder or nudge that fired, and what came of it."""

    person_id: str
    kind: str  # reminder | nudge
    fired_at: datetime
    attended: bool | None = None  # a reminder's meeting
    completed_after: bool = False  # a nudge: the intake completed after it


@dataclass
class Facts:
    journeys: list[Journey] = field(default_factory=list)
    meetings: list[MeetingFact] = field(default_factory=list)
    stages: list[StageFact] = field(default_factory=list)
    triggers: list[TriggerFact] = field(default_factory=list)
    profiles: dict[str, Profile] = field(default_factory=dict)  # of everyone in any fact


def facts_between(session: Session, start: datetime, end: datetime) -> Facts:
    facts = Facts()
    wrote = select(InboundSeen.person_id).where(col(InboundSeen.person_id).is_not(None))
    newcomers = session.exec(
        select(Person).where(Person.created_at >= start, Person.created_at < end,
                             col(Person.erased_at).is_(None), col(Person.id).in_(wrote))
    ).all()  # fmt: skip
    facts.meetings = [
        MeetingFact(a.person_id, a.starts_at, a.status, a.attended)
        for a in session.exec(
            select(Appointment).where(Appointment.starts_at >= start, Appointment.starts_at < end)
        )
    ]
    facts.stages = [
        StageFact(s.person_id, s.recorded_at, s.stage, s.outcome)
        for s in session.exec(
            select(PathStage).where(PathStage.recorded_at >= start, PathStage.recorded_at < end)
        )
    ]
    facts.triggers = _triggers(session, start, end)
    people = {p.id for p in newcomers} | {
        f.person_id for f in [*facts.meetings, *facts.stages, *facts.triggers]
    }
    facts.profiles = profiles(session, people)
    facts.journeys = _journeys(session, newcomers, facts.profiles)
    return facts


def profiles(session: Session, person_ids: Iterable[str]) -> dict[str, Profile]:
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}
    intakes = _latest_intakes(session, ids)
    channels = _first_channels(session, ids)
    sites = _first_sites(session, ids)
    return {
        person_id: _profile(people.get(person_id), intakes.get(person_id),
                            channels.get(person_id), sites.get(person_id))
        for person_id in ids
    }  # fmt: skip


def _profile(
    person: Person | None, intake: Intake | None, channel: str | None, site: str | None
) -> Profile:
    if intake is None:
        return Profile(channel=channel, lang=person.lang if person else None, site=site)
    return Profile(
        channel=intake.channel, lang=intake.lang, municipality=intake.municipality, site=site,
        age_band=intake.age_band, unemployed_since=intake.unemployed_since,
        benefits=intake.benefits,
    )  # fmt: skip


def _journeys(
    session: Session, newcomers: list[Person], known: dict[str, Profile]
) -> list[Journey]:
    ids = [p.id for p in newcomers]
    if not ids:
        return []
    consented = set(session.exec(
        select(Consent.person_id).where(col(Consent.person_id).in_(ids),
                                        Consent.scope == "general", col(Consent.granted))
    ).all())  # fmt: skip
    nodes = dict(session.exec(
        select(Conversation.person_id, Conversation.node)
        .where(col(Conversation.person_id).in_(ids))
    ).all())  # fmt: skip
    completed = set(session.exec(
        select(Intake.person_id).where(col(Intake.person_id).in_(ids),
                                       col(Intake.completed_at).is_not(None))
    ).all())  # fmt: skip
    first_meetings = dict(session.exec(
        select(Appointment.person_id, func.min(Appointment.starts_at))
        .where(col(Appointment.person_id).in_(ids), Appointment.status != "cancelled")
        .group_by(Appointment.person_id)
    ).all())  # fmt: skip
    booked = set(session.exec(
        select(Appointment.person_id).where(col(Appointment.person_id).in_(ids))
    ).all())  # fmt: skip
    return [
        Journey(
            person_id=p.id, wrote_at=p.created_at, profile=known[p.id],
            consented=p.id in consented, node=nodes.get(p.id), completed=p.id in completed,
            booked=p.id in booked, first_meeting_at=_aware(first_meetings.get(p.id)),
        )
        for p in newcomers
    ]  # fmt: skip


def _triggers(session: Session, start: datetime, end: datetime) -> list[TriggerFact]:
    rows = session.exec(
        select(Outbox).where(Outbox.channel == TIMER, Outbox.status == "sent",
                             col(Outbox.kind).in_(("reminder", "nudge")),
                             col(Outbox.sent_at) >= start, col(Outbox.sent_at) < end,
                             col(Outbox.person_id).is_not(None))
    ).all()  # fmt: skip
    attended = _attendance(session, [r.reference for r in rows if r.kind == "reminder"])
    completions = dict(session.exec(
        select(Intake.person_id, func.max(Intake.completed_at))
        .where(col(Intake.person_id).in_({r.person_id for r in rows}))
        .group_by(Intake.person_id)
    ).all())  # fmt: skip
    facts = []
    for row in rows:
        assert row.person_id is not None and row.sent_at is not None  # selected so
        completed_at = _aware(completions.get(row.person_id))
        facts.append(TriggerFact(
            row.person_id, row.kind, row.sent_at, attended.get(row.reference or ""),
            completed_after=completed_at is not None and completed_at > row.sent_at,
        ))  # fmt: skip
    return facts


def _attendance(session: Session, references: list[str | None]) -> dict[str, bool | None]:
    ids = [int(r.split(":")[1]) for r in references if r and r.startswith("appointment:")]
    if not ids:
        return {}
    rows = session.exec(
        select(Appointment.id, Appointment.attended).where(col(Appointment.id).in_(ids))
    ).all()
    return {f"appointment:{appointment_id}": attended for appointment_id, attended in rows}


def _latest_intakes(session: Session, ids: list[str]) -> dict[str, Intake]:
    latest: dict[str, Intake] = {}
    for intake in session.exec(
        select(Intake).where(col(Intake.person_id).in_(ids)).order_by(col(Intake.id))
    ):
        latest[intake.person_id] = intake
    return latest


def _first_channels(session: Session, ids: list[str]) -> dict[str, str]:
    first: dict[str, str] = {}
    for person_id, channel in session.exec(
        select(Identity.person_id, Identity.channel)
        .where(col(Identity.person_id).in_(ids)).order_by(col(Identity.id).desc())
    ):  # fmt: skip
        first[person_id] = channel
    return first


def _first_sites(session: Session, ids: list[str]) -> dict[str, str]:
    first: dict[str, str] = {}
    for person_id, code in session.exec(
        select(Appointment.person_id, Site.code)
        .join(Site, Site.id == Appointment.site_id)
        .where(col(Appointment.person_id).in_(ids)).order_by(col(Appointment.id).desc())
    ):  # fmt: skip
        first[person_id] = code
    return first


def site_codes(session: Session) -> list[str]:
    return list(session.exec(select(Site.code).order_by(Site.code)).all())


def municipalities(session: Session) -> list[str]:
    """Every municipality people gave, as they wrote it; grouping folds case and accents."""
    return sorted({m for m in session.exec(select(Intake.municipality)).all() if m})


def _aware(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None
