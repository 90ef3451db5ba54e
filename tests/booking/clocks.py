"""Wall-clock helpers: the tests speak in local times, the code in UTC instants."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LISBON = ZoneInfo("Europe/Lisbon")
ROME = ZoneInfo("Europe/Rome")


def local(zone: ZoneInfo, text: str, fold: int = 0) -> datetime:
    """'2026-03-29 09:00' at the zone, as a UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold).astimezone(UTC)


def shown(zone: ZoneInfo, moment: datetime) -> str:
    """A UTC instant as the zone's wall clock, with the offset: '2026-03-29 09:00+01:00'."""
    return moment.astimezone(zone).isoformat(" ", "minutes")


def hhmm(text: str) -> time:
    return time.fromisoformat(text)


def day(text: str) -> date:
    return date.fromisoformat(text)
