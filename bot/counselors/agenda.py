"""A counselor's agenda: today's, tomorrow's or this week's appointments, each with its service,
site and the one-line intake summary the booking notice carries too, as one message whose
buttons show the other periods and record who attended. The counselor asks for it in their chat
(`/agenda`), and the morning job sends today's (bot.jobs.agenda)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from sqlmodel import Session, col, select

from bot import booking
from bot.conversation.intake_record import one_line_summary
from bot.conversation.service import ConversationService, Inbound
from bot.counselors.actions import record_attendance
from bot.counselors.texts import CounselorTexts
from bot.delivery.outbound import Choice, Kind, Outbound
from storage.booking import Appointment
from storage.models import Counselor, Intake, Person, Service, Site

NODE = "staff.agenda"  # the buttons' node: never a node of a flow
PERIODS = ("today", "tomorrow", "week")


@dataclass(frozen=True)
class Mark:
    """A press on an attendance button: `<appointment>.<yes|no>.<period>`."""

    appointment_id: int
    attended: bool
    period: str

    @property
    def choice_id(self) -> str:
        return f"{self.appointment_id}.{'yes' if self.attended else 'no'}.{self.period}"

    @classmethod
    def parse(cls, choice_id: str) -> "Mark | None":
        parts = choice_id.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or parts[1] not in ("yes", "no"):
            return None
        if parts[2] not in PERIODS:
            return None
        return cls(int(parts[0]), parts[1] == "yes", parts[2])


@dataclass(frozen=True)
class AgendaAsked:
    """The period the counselor wants to see, and the attendance a button records first."""

    period: str
    mark: Mark | None = None


def agenda_asked(inbound: Inbound) -> AgendaAsked | None:
    """What `/agenda [period]` or a press on the agenda's buttons asks; None when the message
    is not about the agenda."""
    if inbound.picked and inbound.picked[0] == NODE:
        choice = inbound.picked[1]
        if choice in PERIODS:
            return AgendaAsked(choice)
        mark = Mark.parse(choice)
        return AgendaAsked(mark.period, mark) if mark else None
    words = (inbound.text or "").split()
    if words and words[0] == "/agenda":
        wanted = words[1].lower() if len(words) > 1 else "today"
        return AgendaAsked(wanted if wanted in PERIODS else "today")
    return None


def counselor_zone(db: Session, counselor: Counselor, default_zone: str) -> ZoneInfo:
    """Days begin and end as at the counselor's first site."""
    codes = counselor.site_codes[:1]
    site = db.exec(select(Site).where(col(Site.code).in_(codes))).first() if codes else None
    return ZoneInfo(site.timezone if site else default_zone)


def mark_attendance(
    service: ConversationService, db: Session, counselor: Counselor, mark: Mark, now: datetime
) -> bool:
    """Record attendance of one of the counselor's own appointments, once it has begun."""
    appointment = db.get(Appointment, mark.appointment_id)
    if appointment is None or appointment.counselor_id != counselor.id:
        return False
    try:
        record_attendance(service, db, mark.appointment_id, mark.attended, now)
    except booking.NotActive:
        return False
    return True


@dataclass(frozen=True)
class AgendaView:
    """How one counselor reads the agenda: in their language, days as at their first site."""

    texts: CounselorTexts
    lang: str
    zone: ZoneInfo

    def message(
        self, db: Session, counselor: Counselor, period: str, now: datetime, note: str | None,
        kind: Kind = "reply",
    ) -> Outbound:  # fmt: skip
        """The message listing the period's appointments, under `note` if any."""
        first, last = _days(period, now.astimezone(self.zone).date())
        start = datetime.combine(first, time(), self.zone)
        end = datetime.combine(last + timedelta(days=1), time(), self.zone)
        rows = _appointments(db, counselor.id, start, end)
        intakes = _latest_intakes(db, {appointment.person_id for appointment, *_ in rows})
        title = self._text(period, first=self._day(first), last=self._day(last))
        entries = [self._entry(row, intakes.get(row[0].person_id), period) for row in rows]
        lines = [*([note] if note else []), title, *(entries or [self._text("empty")])]
        marks = [
            mark
            for appointment, *_ in rows
            if appointment.attended is None and appointment.starts_at <= now
            for mark in (Mark(appointment.id, True, period), Mark(appointment.id, False, period))
        ]
        choices = [Choice(mark.choice_id, self._mark_label(mark)) for mark in marks]
        choices += [Choice(other, self._text(f"button.{other}")) for other in PERIODS
                    if other != period]  # fmt: skip
        text = "\n\n".join(lines)
        people = tuple(sorted({appointment.person_id for appointment, *_ in rows}))
        return Outbound(text, kind, lang=self.lang, node=NODE, choices=tuple(choices),
                        mentions=people)  # fmt: skip

    def marked_note(self, mark: Mark, recorded: bool) -> str:
        if not recorded:
            return self._text("not_marked")
        return self._text("marked", id=mark.appointment_id, outcome=self._outcome(mark))

    def _text(self, key: str, **values: Any) -> str:
        return self.texts.text(self.lang, f"agenda.{key}", **values)

    def _outcome(self, mark: Mark) -> str:
        return self._text("attended" if mark.attended else "no_show")

    def _day(self, day: date) -> str:
        return format_date(day, "EEEE d MMMM", locale=self.lang)

    def _mark_label(self, mark: Mark) -> str:
        return f"#{mark.appointment_id} {self._outcome(mark)}"

    def _entry(
        self, row: tuple[Appointment, Service, Site, str | None], intake: Intake | None, period: str
    ) -> str:
        appointment, service, site, first_name = row
        shape = "EEE d MMM, HH:mm" if period == "week" else "HH:mm"
        zone = ZoneInfo(site.timezone)
        when = format_datetime(appointment.starts_at, shape, tzinfo=zone, locale=self.lang)
        marked = {True: " ✓", False: " ✗", None: ""}[appointment.attended]
        service_name = service.names.get(self.lang) or service.code
        who = f"{first_name} " if first_name else ""
        heading = f"{who}#{appointment.id} {when} · {service_name} · {site.name}{marked}"
        summary = one_line_summary(intake, self.lang) if intake else self._text("no_intake")
        return f"{heading}\n{summary}"


def _days(period: str, today: date) -> tuple[date, date]:
    if period == "tomorrow":
        tomorrow = today + timedelta(days=1)
        return tomorrow, tomorrow
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=6)
    return today, today


def _appointments(
    db: Session, counselor_id: int | None, start: datetime, end: datetime
) -> list[tuple[Appointment, Service, Site, str | None]]:
    return list(
        db.exec(
            select(Appointment, Service, Site, Person.first_name)
            .join(Service, Service.id == Appointment.service_id)
            .join(Site, Site.id == Appointment.site_id)
            .join(Person, Person.id == Appointment.person_id)
            .where(
                Appointment.counselor_id == counselor_id,
                Appointment.status.in_(("booked", "done")),
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at)
        ).all()
    )


def _latest_intakes(db: Session, person_ids: set[str]) -> dict[str, Intake]:
    intakes = db.exec(
        select(Intake).where(Intake.person_id.in_(person_ids)).order_by(Intake.id)
    ).all()
    return {intake.person_id: intake for intake in intakes}  # the latest wins
