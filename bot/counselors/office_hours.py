"""A site's working time, from its counselors' weekly hours and the date exceptions: when a
span of working minutes that starts now ends ("within 2 working hours" on a Friday evening ends
on Monday morning)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.booking.availability import merge
from bot.booking.calendars import load_roster
from storage.models import Counselor, Site

LOOK_AHEAD = timedelta(days=21)  # beyond three weeks without hours, the site is taken as closed


def site_counselors(db: Session, site: Site) -> list[Counselor]:
    return [c for c in db.exec(select(Counselor).order_by(Counselor.id)).all()
            if site.code in c.site_codes]  # fmt: skip


def working_time_end(db: Session, site: Site, start: datetime, minutes: int) -> datetime:
    """When `minutes` of the site's working time have passed after `start`; plain minutes when
    the site has no hours in the coming weeks (nothing better can honestly be said)."""
    assert site.id is not None
    counselors = [c.id for c in site_counselors(db, site) if c.id is not None]
    zone = ZoneInfo(site.timezone)
    first, last = start.astimezone(zone).date(), (start + LOOK_AHEAD).astimezone(zone).date()
    roster = load_roster(db, counselors, {site.id: zone}, [site.id], first, last)
    periods = [p for c in counselors for p in roster.periods(c, first, last)]
    spans = merge([(p.start, p.end) for p in periods if p.site_id == site.id])
    left = timedelta(minutes=minutes)
    for opens, closes in spans:
        opens = max(opens, start)
        if closes <= opens:
            continue
        if opens + left <= closes:
            return opens + left
        left -= closes - opens
    return start + timedelta(minutes=minutes)
