"""The whole network as a document of the network file's shape (bot.network.importer reads it
back to the same network), and what changed between two such documents (the desk's log).

A counselor's own absences, marked in the desk, are not part of it: an import keeps them."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import time
from typing import Any

import yaml
from sqlmodel import Session, col, select

from bot.booking.network_file import WEEKDAYS
from storage.availability import booking_rules
from storage.booking import AvailabilityException, WeeklyHours
from storage.models import Counselor, Service, Site

Document = dict[str, Any]
ENTRY_SECTIONS = ("sites", "counselors", "services")
NOT_EXPORTED = {"id", "telegram_chat_id"}  # set by linking a chat, not by the network file


def network_document(db: Session) -> Document:
    sites = db.exec(select(Site).order_by(col(Site.id))).all()
    counselors = db.exec(select(Counselor).order_by(col(Counselor.id))).all()
    services = db.exec(select(Service).order_by(col(Service.id))).all()
    rules = booking_rules(db)
    document: Document = {
        "sites": [_entry(site) for site in sites],
        "counselors": [_entry(counselor) for counselor in counselors],
        "services": [_entry(service) for service in services],
    }
    if rules is not None:
        document["booking_rules"] = rules.model_dump(exclude={"id"})
    codes = {site.id: site.code for site in sites}
    document["availability"] = {c.code: _availability(db, c, codes) for c in counselors}
    document["closures"] = {site.code: _closures(db, site) for site in sites}
    return document


def network_yaml(document: Document, heading: str) -> str:
    """The document as a network file, `heading` as its first comment line."""
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return f"# {heading}\n{body}"


def _entry(row: Site | Counselor | Service) -> dict[str, Any]:
    values = row.model_dump(exclude=NOT_EXPORTED)
    if values.get("active") is True:
        del values["active"]  # the default: a file need not say it
    return {name: value for name, value in values.items() if value is not None}


def _availability(db: Session, counselor: Counselor, codes: Mapping[int | None, str]) -> Any:
    hours = db.exec(
        select(WeeklyHours).where(WeeklyHours.counselor_id == counselor.id)
        .order_by(col(WeeklyHours.id))
    ).all()  # fmt: skip
    rows: dict[tuple, list[str]] = defaultdict(list)  # a row of the file: its days
    for h in hours:
        key = (codes[h.site_id], _span(h.starts, h.ends), tuple(map(tuple, h.breaks)),
               tuple(h.services), h.valid_from, h.valid_until)  # fmt: skip
        rows[key].append(WEEKDAYS[h.weekday])
    exceptions = db.exec(
        select(AvailabilityException).where(
            AvailabilityException.counselor_id == counselor.id,
            AvailabilityException.source == "file",
        ).order_by(col(AvailabilityException.id))
    ).all()  # fmt: skip
    return {"weekly": [_weekly(key, days) for key, days in rows.items()],
            "exceptions": [_exception(e, codes) for e in exceptions]}  # fmt: skip


def _weekly(key: tuple, days: list[str]) -> dict[str, Any]:
    site, hours, breaks, services, valid_from, valid_until = key
    row: dict[str, Any] = {"site": site, "days": days, "hours": hours}
    optional = {
        "breaks": ["-".join(pair) for pair in breaks], "services": list(services),
        "valid_from": valid_from, "valid_until": valid_until,
    }  # fmt: skip
    return row | {name: value for name, value in optional.items() if value}


def _exception(exception: AvailabilityException, codes: Mapping[int | None, str]) -> Any:
    row: dict[str, Any] = {"date": exception.day}
    if exception.site_id is not None:
        row["site"] = codes[exception.site_id]
    times = exception.starts and exception.ends and _span(exception.starts, exception.ends)
    row[exception.kind] = times or True
    if exception.note:
        row["note"] = exception.note
    return row


def _closures(db: Session, site: Site) -> list[dict[str, Any]]:
    closures = db.exec(
        select(AvailabilityException).where(
            AvailabilityException.site_id == site.id,
            col(AvailabilityException.counselor_id).is_(None),
        ).order_by(col(AvailabilityException.id))
    ).all()  # fmt: skip
    return [{"date": c.day} | ({"note": c.note} if c.note else {}) for c in closures]


def _span(starts: time, ends: time) -> str:
    return f"{starts.isoformat('minutes')}-{ends.isoformat('minutes')}"


def changes(before: Document, after: Document) -> list[tuple[str, str, str, list[str]]]:
    """(created | changed, section, code, the fields that differ) for each entry that differs."""
    found = []
    for section in (*ENTRY_SECTIONS, "booking_rules", "availability", "closures"):
        old, new = _by_code(before, section), _by_code(after, section)
        for code, entry in new.items():
            if code not in old:
                found.append(("created", section, code, sorted(_fields(entry))))
            elif entry != old[code]:
                fields = _fields(entry) | _fields(old[code])
                differ = [f for f in sorted(fields) if _field(entry, f) != _field(old[code], f)]
                found.append(("changed", section, code, differ))
    return found


def _by_code(document: Document, section: str) -> dict[str, Any]:
    value = document.get(section)
    if section in ENTRY_SECTIONS:
        return {entry["code"]: entry for entry in value or []}
    if section == "booking_rules":
        return {"-": value} if value else {}
    return dict(value or {})


def _fields(entry: Any) -> set[str]:
    return set(entry) if isinstance(entry, dict) else set()


def _field(entry: Any, name: str) -> Any:
    return entry.get(name) if isinstance(entry, dict) else entry
