"""The desk's reads of meetings: the agenda of a span, and a person's whole record."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.booking import Appointment
from storage.desk import PathStage
from storage.models import Counselor, Identity, Intake, IntakeSpecial, Outbox, Person, Service, Site


@dataclass(frozen=True)
class AgendaEntry:
    appointment: Appointment
    first_name: str | None
    counselor: Counselor
    site: Site
    service: Service


def agenda_between(
    session: Session,
    start: datetime,
    end: datetime,
    site_ids: Collection[int] | None,
    counselor_id: int | None,
) -> list[AgendaEntry]:
    """Appointments (booked or held) starting in [start, end), by start; only at `site_ids`
    unless None, only of `counselor_id` unless None."""
    statement = (
        select(Appointment, Person.first_name, Counselor, Site, Service)
        .join(Person, col(Person.id) == Appointment.person_id)
        .join(Counselor, col(Counselor.id) == Appointment.counselor_id)
        .join(Site, col(Site.id) == Appointment.site_id)
        .join(Service, col(Service.id) == Appointment.service_id)
        .where(
            col(Appointment.status).in_(("booked", "done")),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    if site_ids is not None:
        statement = statement.where(col(Appointment.site_id).in_(site_ids))
    if counselor_id is not None:
        statement = statement.where(Appointment.counselor_id == counselor_id)
    return [AgendaEntry(*row) for row in session.exec(statement).all()]


def person_site_ids(session: Session, person_id: str) -> set[int]:
    """The sites where the person has or had an appointment: where their record belongs."""
    rows = session.exec(select(Appointment.site_id).where(Appointment.person_id == person_id))
    return set(rows.all())


def latest_intake(session: Session, person_id: str) -> tuple[Intake, IntakeSpecial | None] | None:
    intake = session.exec(
        select(Intake)
        .where(Intake.person_id == person_id, col(Intake.completed_at).is_not(None))
        .order_by(col(Intake.completed_at).desc())
    ).first()
    if intake is None:
        return None
    return intake, session.get(IntakeSpecial, intake.id)


def person_appointments(session: Session, person_id: str) -> list[AgendaEntry]:
    """All of the person's appointments, newest first."""
    statement = (
        select(Appointment, Person.first_name, Counselor, Site, Service)
        .join(Person, col(Person.id) == Appointment.person_id)
        .join(Counselor, col(Counselor.id) == Appointment.counselor_id)
        .join(Site, col(Site.id) == Appointment.site_id)
        .join(Service, col(Service.id) == Appointment.service_id)
        .where(Appointment.person_id == person_id)
        .order_by(col(Appointment.starts_at).desc())
    )
    return [AgendaEntry(*row) for row in session.exec(statement).all()]


def reminders_of(session: Session, references: Collection[str]) -> list[Outbox]:
    """The reminders and follow-ups queued under these references
    (bot.booking.appointment.reminders_reference)."""
    return list(
        session.exec(
            select(Outbox)
            .where(col(Outbox.reference).in_(references))
            .order_by(col(Outbox.not_before))
        )
    )


def channels_of(session: Session, person_id: str) -> list[str]:
    rows = session.exec(select(Identity.channel).where(Identity.person_id == person_id))
    return sorted(set(rows.all()))


def stages_of(session: Session, person_id: str) -> list[PathStage]:
    return list(
        session.exec(
            select(PathStage)
            .where(PathStage.person_id == person_id)
            .order_by(col(PathStage.recorded_at).desc(), col(PathStage.id).desc())
        )
    )


def latest_stages(session: Session, person_ids: Collection[str]) -> dict[str, str]:
    """The stage each of these people reached last, for those with one."""
    latest: dict[str, str] = {}
    for person_id, stage in session.exec(
        select(PathStage.person_id, PathStage.stage)
        .where(col(PathStage.person_id).in_(person_ids))
        .order_by(col(PathStage.recorded_at), col(PathStage.id))
    ):  # fmt: skip
        latest[person_id] = stage  # the latest wins
    return latest


def add_stage(session: Session, stage: PathStage) -> PathStage:
    session.add(stage)
    session.flush()
    return stage
