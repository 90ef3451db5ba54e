"""The few slots to offer a person: the right service, counselor, place and time."""

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.booking.calendars import CalendarReader, days_around, load_rules
from bot.booking.slots import Mode, Need, Search, Slot, Wish, all_free_slots, pick
from nlp.places import kilometres
from storage.booking import Appointment
from storage.models import Counselor, Service, Site

TRACK_SERVICES: dict[str, tuple[str, ...]] = {
    "orientation": ("orientation", "competence-assessment"),
    "job_search": ("job-search",),
    "training": ("training-advice",),
    "enterprise": ("start-activity",),
}
"""The services that follow from an intake's recommended track; the first is the usual one."""

FIRST_WINDOW = timedelta(days=2)
"""The search reads two days of meetings first (most searches end there), then twice as much
each time it needs more."""


@dataclass(frozen=True)
class SlotRequest:
    """What to look for. In person, `home` (latitude, longitude) puts the sites nearest to it
    first, by distance; without it, `municipality` puts that municipality's sites first.
    `specialism` asks for a counselor who has it (disability, justice, migrants, enterprise,
    youth); `per_day` keeps the offers spread over days unless a day is wished."""

    service_code: str
    lang: str
    municipality: str | None = None
    mode: Mode = "in_person"
    specialism: str | None = None
    wish: Wish = field(default_factory=Wish)
    count: int = 4
    per_day: int | None = 2
    home: tuple[float, float] | None = None


@dataclass(frozen=True)
class SlotOffer:
    """One slot offered to a person, with what it takes to show it and to book it. Plain data:
    `to_json`/`from_json` keep it in a conversation's session between messages."""

    counselor_id: int
    counselor_name: str
    site_id: int
    site_name: str
    municipality: str
    timezone: str
    service_id: int
    service_code: str
    mode: Mode
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    meeting_id: int | None = None  # a group session that already has people
    seats_left: int | None = None
    km: int | None = None  # from the person's home to the site, in person, when both are known

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["starts_at"] = self.starts_at.isoformat()
        data["ends_at"] = self.ends_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "SlotOffer":
        return cls(
            **{
                **data,
                "starts_at": datetime.fromisoformat(data["starts_at"]),
                "ends_at": datetime.fromisoformat(data["ends_at"]),
            }
        )


def offer_slots(
    db: Session,
    request: SlotRequest,
    now: datetime,
    ignoring_appointment_id: int | None = None,
) -> list[SlotOffer]:
    """The best `request.count` slots, earliest first; in person, the nearest sites before the
    others (see SlotRequest). Empty when no counselor fits or nothing is free.

    `ignoring_appointment_id`: the person's own appointment, being moved; its place counts as
    free. Raises ValueError for an unknown service or a mode the service is not given in.
    """
    service = db.exec(select(Service).where(Service.code == request.service_code)).first()
    if service is None:
        raise ValueError(f"unknown service {request.service_code!r}")
    if request.mode not in service.modes:
        raise ValueError(f"service {service.code!r} is not given {request.mode}")
    counselors = {c.id: c for c in db.exec(select(Counselor)).all()
                  if c.active and _fits(c, service, request)}  # fmt: skip
    sites = {site.id: site for site in db.exec(select(Site)).all()}
    if not counselors or not service.active:
        return []
    rules = load_rules(db)
    need = Need(
        service.code,
        timedelta(minutes=service.duration_minutes),
        request.mode,
        group=service.group_seats is not None,
    )
    start, end = _span(request.wish, now, rules.min_notice, rules.horizon)
    zones = {site_id: ZoneInfo(site.timezone) for site_id, site in sites.items()}
    calendars = CalendarReader(
        db, zones, days_around((start, end)), list(counselors), service.id,
        _meeting_of(db, ignoring_appointment_id),
    )  # fmt: skip
    slots = chain.from_iterable(
        _slots(
            calendars,
            _windows(start, end),
            Search(need, rules, now, (start, end), tier, request.wish),
        )
        for tier in _tiers({key: site for key, site in sites.items() if site.active}, request)
    )
    per_day = None if request.wish.day else request.per_day
    allowed = (slot for slot in slots if request.wish.allows(slot))
    chosen = pick(allowed, request.count, per_day, by_site=request.mode == "in_person")
    return [_offer(slot, counselors, sites, service, request) for slot in chosen]


def _slots(
    calendars: CalendarReader, windows: list[tuple[datetime, datetime]], search: Search
) -> Iterator[Slot]:
    for window in windows:
        windowed = replace(search, window=window)
        yield from all_free_slots(calendars(windowed), windowed)


def _fits(counselor: Counselor, service: Service, request: SlotRequest) -> bool:
    return (
        request.lang in counselor.languages
        and (not service.specialisms or bool(set(service.specialisms) & set(counselor.specialisms)))
        and (request.specialism is None or request.specialism in counselor.specialisms)
    )


def _tiers(sites: Mapping[int, Site], request: SlotRequest) -> list[dict[int, ZoneInfo]]:
    """Groups of sites searched one after the other: from home, each site in order of distance
    (sites without coordinates last); else the person's municipality, then the rest."""
    allowed = {i: s for i, s in sites.items() if i not in request.wish.exclude_site_ids}
    if request.mode != "in_person" or not (request.home or request.municipality):
        groups = [allowed]
    elif request.home:
        home = request.home
        far = {i: s for i, s in allowed.items() if _distance(home, s) is None}
        placed = sorted((i for i in allowed if i not in far),
                        key=lambda i: _distance(home, allowed[i]) or 0.0)
        groups = [{i: allowed[i]} for i in placed] + [far]
    else:
        home_name = _folded(request.municipality or "")
        near = {i: s for i, s in allowed.items() if _folded(s.municipality) == home_name}
        groups = [near, {i: s for i, s in allowed.items() if i not in near}]
    return [{i: ZoneInfo(s.timezone) for i, s in group.items()} for group in groups if group]


def _distance(home: tuple[float, float], site: Site) -> float | None:
    if site.latitude is None or site.longitude is None:
        return None
    return kilometres(home, (site.latitude, site.longitude))


def _span(
    wish: Wish, now: datetime, min_notice: timedelta, horizon: timedelta
) -> tuple[datetime, datetime]:
    """The UTC span slots may start in; a wished day narrows it (a day ahead and behind, for
    the sites' offsets from UTC)."""
    start, end = now + min_notice, now + horizon + timedelta(microseconds=1)
    if wish.after is not None:
        start = max(start, wish.after)
    if wish.day is not None:
        midnight = datetime.combine(wish.day, time(), UTC)
        start = max(start, midnight - timedelta(days=1))
        end = min(end, midnight + timedelta(days=2))
    return start, max(start, end)


def _windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    windows, length = [], FIRST_WINDOW
    while start < end:
        windows.append((start, min(start + length, end)))
        start, length = start + length, length * 2
    return windows


def _meeting_of(db: Session, appointment_id: int | None) -> int | None:
    if appointment_id is None:
        return None
    appointment = db.get(Appointment, appointment_id)
    return None if appointment is None or appointment.status != "booked" else appointment.meeting_id


def _offer(
    slot: Slot,
    counselors: Mapping[int, Counselor],
    sites: Mapping[int, Site],
    service: Service,
    request: SlotRequest,
) -> SlotOffer:
    site = sites[slot.site_id]
    assert service.id is not None  # read from the database
    distance = _distance(request.home, site) if request.home else None
    in_person = request.mode == "in_person"
    return SlotOffer(
        counselor_id=slot.counselor_id,
        counselor_name=counselors[slot.counselor_id].name,
        site_id=slot.site_id,
        site_name=site.name,
        municipality=site.municipality,
        timezone=site.timezone,
        service_id=service.id,
        service_code=service.code,
        mode=request.mode,
        starts_at=slot.start,
        ends_at=slot.end,
        meeting_id=slot.meeting_id,
        seats_left=slot.seats_left,
        km=round(distance) if distance is not None and in_person else None,
    )


def _folded(name: str) -> str:
    """A municipality name compared without case or accents: "Sao Joao" finds "São João"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
