"""Calendar invites (.ics, iTIP) for the counselor's calendar.

One UID for the life of an appointment; METHOD:REQUEST, with SEQUENCE raised on every change,
while it is booked; METHOD:CANCEL with STATUS:CANCELLED once cancelled. Times carry the site's
zone (TZID, with its VTIMEZONE). The invite names the service and the place, never the person:
it ends up in calendars the network does not control.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from bot.booking.labels import REMOTE
from storage.booking import Appointment
from storage.models import Counselor, Service, Site

PRODID = "-//percorso//booking//EN"


@dataclass(frozen=True)
class Invite:
    """What an invite says about an appointment."""

    appointment_id: int
    sequence: int
    cancelled: bool
    mode: str
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, appointment: Appointment) -> "Invite":
        assert appointment.id is not None  # stored before it is announced
        return cls(
            appointment.id,
            appointment.sequence,
            appointment.status == "cancelled",
            appointment.mode,
            appointment.starts_at,
            appointment.ends_at,
        )

    @property
    def uid(self) -> str:
        return f"appointment-{self.appointment_id}@percorso"


def calendar_invite(
    invite: Invite, counselor: Counselor, site: Site, service: Service, now: datetime, lang: str
) -> str:
    """The invite as iCalendar text; `site` is where the meeting is held (or given from)."""
    zone = ZoneInfo(site.timezone)
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", invite.starts_at.astimezone(zone))
    event.add("dtend", invite.ends_at.astimezone(zone))
    event.add("summary", service.names.get(lang) or service.names.get("en") or service.code)
    event.add("location", _location(invite.mode, site, lang))
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    if counselor.email:
        organizer = vCalAddress(f"mailto:{counselor.email}")
        organizer.params["cn"] = counselor.name
        event.add("organizer", organizer)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")
    calendar.add_component(event)
    # The zone's rules around the meeting only: enough for any calendar, and a small file.
    year = timedelta(days=366)
    calendar.add_missing_timezones((invite.starts_at - year).date(), (invite.ends_at + year).date())
    return calendar.to_ical().decode()


def _location(mode: str, site: Site, lang: str) -> str:
    if mode in REMOTE:
        return f"{REMOTE[mode].get(lang, REMOTE[mode]['en'])} ({site.name})"
    return f"{site.name}, {site.address}"
