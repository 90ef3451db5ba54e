"""Counselors' weekly hours, date exceptions and the booking rules; the caller owns the
transaction (storage.db.unit_of_work)."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, delete, or_
from sqlmodel import Session, select

from storage.booking import AvailabilityException, BookingRules, WeeklyHours

RULES_ID = 1


def booking_rules(session: Session) -> BookingRules | None:
    return session.get(BookingRules, RULES_ID)


def save_booking_rules(session: Session, values: Mapping[str, Any]) -> BookingRules:
    """Set the fields given; a first save must give them all."""
    unknown = set(values) - (set(BookingRules.model_fields) - {"id"})
    if unknown:
        raise ValueError(f"booking_rules: unknown fields {sorted(unknown)}")
    rules = session.get(BookingRules, RULES_ID)
    if rules is None:
        rules = BookingRules.model_validate({**values, "id": RULES_ID})
    else:
        updated = BookingRules.model_validate({**rules.model_dump(), **values})
        for name in values:
            setattr(rules, name, getattr(updated, name))
    session.add(rules)
    session.flush()
    return rules


def replace_counselor_availability(
    session: Session,
    counselor_id: int,
    hours: Iterable[WeeklyHours],
    exceptions: Iterable[AvailabilityException],
) -> None:
    """The counselor's weekly hours and the exceptions of the network file become exactly those
    given; the absences they marked in the desk stay."""
    session.exec(delete(WeeklyHours).where(WeeklyHours.counselor_id == counselor_id))
    session.exec(
        delete(AvailabilityException).where(
            AvailabilityException.counselor_id == counselor_id,
            AvailabilityException.source == "file",
        )
    )
    session.add_all([*hours, *exceptions])
    session.flush()


def desk_absences(session: Session, counselor_id: int) -> list[AvailabilityException]:
    """The absences the counselor marked in the desk, by day."""
    return list(
        session.exec(
            select(AvailabilityException)
            .where(
                AvailabilityException.counselor_id == counselor_id,
                AvailabilityException.source == "desk",
            )
            .order_by(AvailabilityException.day)
        ).all()
    )


def replace_site_closures(
    session: Session, site_id: int, closures: Iterable[AvailabilityException]
) -> None:
    """The site's own closures (holidays: no counselor named) become exactly those given."""
    session.exec(
        delete(AvailabilityException).where(
            AvailabilityException.site_id == site_id,
            AvailabilityException.counselor_id.is_(None),
        )
    )
    session.add_all(list(closures))
    session.flush()


def weekly_hours(
    session: Session, counselor_ids: Collection[int], site_ids: Collection[int]
) -> Sequence[Row[Any]]:
    """The counselors' hours at the sites, as rows of the WeeklyHours columns (plain rows: a
    slot search reads many)."""
    return session.exec(
        select(*WeeklyHours.__table__.columns).where(
            WeeklyHours.counselor_id.in_(counselor_ids), WeeklyHours.site_id.in_(site_ids)
        )
    ).all()


def exceptions_between(
    session: Session,
    counselor_ids: Collection[int],
    site_ids: Collection[int],
    first: date,
    last: date,
) -> list[AvailabilityException]:
    """On the days `first`..`last`: the counselors' own exceptions at the sites or everywhere,
    and the sites' closures."""
    return list(
        session.exec(
            select(AvailabilityException).where(
                AvailabilityException.day.between(first, last),
                or_(
                    AvailabilityException.counselor_id.in_(counselor_ids),
                    AvailabilityException.counselor_id.is_(None),
                ),
                or_(
                    AvailabilityException.site_id.in_(site_ids),
                    AvailabilityException.site_id.is_(None),
                ),
            )
        ).all()
    )
