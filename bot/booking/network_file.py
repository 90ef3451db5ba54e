"""The booking sections of a network file (`percorso network import`), read into the tables.

```yaml
booking_rules:            # the fields given are set; the first import must give them all
  min_notice_minutes: 720
  horizon_days: 60
  buffer_minutes: 15
  travel_buffer_minutes: 60   # between meetings at two different sites
  max_per_day: 6              # meetings per counselor and local day (null: no limit)
  slot_step_minutes: 30       # slots start on this grid of the wall clock; divides an hour
availability:             # per counselor: replaces their hours and the file's exceptions
                          # (the absences they marked in the desk stay)
  ana-silva:
    weekly:
      - site: porto
        days: [mon, tue, wed, thu, fri]
        hours: "09:00-17:00"          # or a list of spans
        breaks: ["13:00-14:00"]       # optional
        services: [info-session]      # optional: these services only; a group session
                                      # needs hours naming it, and starts when they start
        valid_from: 2026-01-01        # optional, inclusive
        valid_until: 2026-12-31       # optional, inclusive
    exceptions:
      - {date: 2026-12-24, closed: true}              # away all day
      - {date: 2026-12-22, closed: "09:00-11:00"}     # away part of the day (add site: to
      - {date: 2026-12-19, site: porto, extra: "09:00-13:00"}   # limit it to one site)
closures:                 # per site: replaces all its closures (holidays)
  porto:
    - {date: 2026-12-08, note: Imaculada Conceição}
```
Times are the site's wall clock. A counselor's weekly hours may not overlap (one place at a
time). Unknown fields and codes are refused, so a typo cannot pass unnoticed.
"""

from collections.abc import Mapping, Sequence
from datetime import date, time
from itertools import combinations
from typing import Any, TypeVar

from sqlmodel import Session, select

from storage import availability
from storage.booking import AvailabilityException, BookingRules, WeeklyHours
from storage.models import Counselor, Site

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BOOKING_RULES_FIELDS = set(BookingRules.model_fields) - {"id"}

Row = TypeVar("Row", Counselor, Site)


def import_booking(db: Session, data: Mapping[str, Any]) -> dict[str, int]:
    """Load the booking sections present in `data`; returns how many entries each held."""
    counselors = {c.code: c for c in db.exec(select(Counselor)).all()}
    sites = {s.code: s for s in db.exec(select(Site)).all()}
    if data.get("booking_rules"):
        step = data["booking_rules"].get("slot_step_minutes", 60)
        if not (isinstance(step, int) and 0 < step <= 60 and 60 % step == 0):
            raise ValueError(f"booking_rules: slot_step_minutes {step!r} must divide an hour")
        availability.save_booking_rules(db, data["booking_rules"])
    for code, entry in (data.get("availability") or {}).items():
        counselor = _known(counselors, code, "counselor")
        _only(entry, {"weekly", "exceptions"}, f"availability {code}")
        hours = [h for row in entry.get("weekly") or [] for h in _weekly(row, counselor, sites)]
        _refuse_overlaps(hours, code)
        exceptions = [_exception(row, counselor, sites) for row in entry.get("exceptions") or []]
        availability.replace_counselor_availability(db, _id(counselor), hours, exceptions)
    for code, rows in (data.get("closures") or {}).items():
        site = _known(sites, code, "site")
        availability.replace_site_closures(db, _id(site), [_closure(row, site) for row in rows])
    return {
        "booking_rules": int(bool(data.get("booking_rules"))),
        "availability": len(data.get("availability") or {}),
        "closures": len(data.get("closures") or {}),
    }


def _weekly(
    row: Mapping[str, Any], counselor: Counselor, sites: Mapping[str, Site]
) -> list[WeeklyHours]:
    where = f"availability {counselor.code}"
    _only(row, {"site", "days", "hours", "breaks", "services", "valid_from", "valid_until"}, where)
    site = _known(sites, row["site"], "site")
    if site.code not in counselor.site_codes:
        raise ValueError(f"{where}: {site.code} is not among the counselor's sites")
    spans = row["hours"] if isinstance(row["hours"], list) else [row["hours"]]
    breaks = [[_hhmm(a), _hhmm(b)] for a, b in map(span, row.get("breaks") or [])]
    return [
        WeeklyHours(
            counselor_id=_id(counselor),
            site_id=_id(site),
            weekday=_weekday(day, where),
            starts=starts,
            ends=ends,
            breaks=breaks,
            services=list(row.get("services") or []),
            valid_from=_date(row.get("valid_from")),
            valid_until=_date(row.get("valid_until")),
        )
        for day in row["days"]
        for starts, ends in map(span, spans)
    ]


def _exception(
    row: Mapping[str, Any], counselor: Counselor, sites: Mapping[str, Site]
) -> AvailabilityException:
    where = f"availability {counselor.code}"
    _only(row, {"date", "site", "closed", "extra", "note"}, where)
    site = _known(sites, row["site"], "site") if row.get("site") else None
    if ("closed" in row) == ("extra" in row):
        raise ValueError(f"{where}: an exception is either closed or extra")
    if "extra" in row and site is None:
        raise ValueError(f"{where}: extra hours need a site")
    kind = "closed" if "closed" in row else "extra"
    starts, ends = (None, None) if row.get(kind) is True else span(row[kind])
    return AvailabilityException(
        counselor_id=counselor.id,
        site_id=site and site.id,
        day=_date(row["date"]),
        kind=kind,
        starts=starts,
        ends=ends,
        note=row.get("note"),
    )


def _closure(row: Mapping[str, Any], site: Site) -> AvailabilityException:
    _only(row, {"date", "note"}, f"closures {site.code}")
    return AvailabilityException(
        site_id=site.id, day=_date(row["date"]), kind="closed", note=row.get("note")
    )


def _refuse_overlaps(hours: Sequence[WeeklyHours], code: str) -> None:
    for a, b in combinations(hours, 2):
        if (
            a.weekday == b.weekday
            and a.starts < b.ends
            and b.starts < a.ends
            and (a.valid_until or date.max) >= (b.valid_from or date.min)
            and (b.valid_until or date.max) >= (a.valid_from or date.min)
        ):
            raise ValueError(f"availability {code}: hours overlap on {WEEKDAYS[a.weekday]}")


def span(text: str) -> tuple[time, time]:
    """'09:00-13:00' as two wall-clock times; ValueError for anything else."""
    starts, ends = (time.fromisoformat(part.strip()) for part in str(text).split("-"))
    if not starts < ends:
        raise ValueError(f"span {text!r} ends before it starts")
    return starts, ends


def _hhmm(moment: time) -> str:
    return moment.isoformat("minutes")


def _weekday(name: str, where: str) -> int:
    if name not in WEEKDAYS:
        raise ValueError(f"{where}: unknown day {name!r} (one of {', '.join(WEEKDAYS)})")
    return WEEKDAYS.index(name)


def _date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _known(rows: Mapping[str, Row], code: str, what: str) -> Row:
    if code not in rows:
        raise ValueError(f"unknown {what} {code!r}")
    return rows[code]


def _only(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown fields {sorted(unknown)}")


def _id(row: Counselor | Site) -> int:
    assert row.id is not None  # read from the database
    return row.id
