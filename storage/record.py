"""Everything kept about one person, read back whole: the answer to MY DATA and the file of
GDPR article 20. Plain JSON-ready values; the caller decides what to show and how."""

from datetime import datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from storage.booking import Appointment
from storage.crypto import Cipher
from storage.desk import PathStage
from storage.handovers import thread
from storage.models import (
    Consent,
    HandOver,
    Identity,
    Intake,
    IntakeSpecial,
    Person,
    Service,
    Site,
)
from storage.repositories import load_conversation


def person_record(db: Session, cipher: Cipher, person_id: str) -> dict[str, Any]:
    """The person's record: who (first name, language), their channels, consent decisions,
    intakes with their special-category answers, meetings, hand-over threads, stages of their
    path and the conversation's answers so far. An empty section is an empty list."""
    person = db.get(Person, person_id)
    return {
        "person": _values(person, ("first_name", "lang", "created_at")) if person else {},
        "channels": [_values(i, ("channel", "address", "opted_out", "created_at"))
                     for i in _of(db, Identity, person_id, Identity.id)],
        "consents": [_values(c, ("scope", "granted", "notice_version", "channel", "recorded_at"))
                     for c in _of(db, Consent, person_id, Consent.id)],
        "intakes": [_intake(db, cipher, intake)
                    for intake in _of(db, Intake, person_id, Intake.id)],
        "meetings": [_meeting(db, appointment)
                     for appointment in _of(db, Appointment, person_id, Appointment.starts_at)],
        "hand_overs": [_hand_over(db, cipher, hand_over)
                       for hand_over in _of(db, HandOver, person_id, HandOver.id)],
        "path": [_values(s, ("stage", "outcome", "note", "recorded_at"))
                 for s in _of(db, PathStage, person_id, PathStage.id)],
        "conversation": (load_conversation(db, person_id, cipher) or {}).get("answers", {}),
    }  # fmt: skip


def _of(db: Session, model: type[SQLModel], person_id: str, order: Any) -> list[Any]:
    person = model.person_id  # type: ignore[attr-defined]
    return list(db.exec(select(model).where(person == person_id).order_by(col(order))).all())


def _intake(db: Session, cipher: Cipher, intake: Intake) -> dict[str, Any]:
    skipped = {"id", "person_id"}
    values = {name: _plain(getattr(intake, name)) for name in Intake.model_fields
              if name not in skipped}  # fmt: skip
    special = db.get(IntakeSpecial, intake.id)
    values["special"] = cipher.decrypt_json(special.payload) if special else {}
    return values


def _meeting(db: Session, appointment: Appointment) -> dict[str, Any]:
    site, service = db.get(Site, appointment.site_id), db.get(Service, appointment.service_id)
    return {
        **_values(appointment, ("starts_at", "ends_at", "mode", "status", "attended",
                                "cancel_reason", "follow_up_rating")),
        "site": site.name if site else None,
        "municipality": site.municipality if site else None,
        "timezone": site.timezone if site else None,
        "service": service.code if service else None,
    }  # fmt: skip


def _hand_over(db: Session, cipher: Cipher, hand_over: HandOver) -> dict[str, Any]:
    assert hand_over.id is not None
    return {
        **_values(hand_over, ("requested_at", "status", "closed_at")),
        "messages": [{"from": message.author, "text": text, "at": _plain(message.created_at)}
                     for message, text in thread(db, cipher, hand_over.id)],
    }  # fmt: skip


def _values(row: SQLModel, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in names}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
