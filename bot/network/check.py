"""Checking a whole network file before anything of it is written: every problem, with its line.

The sites, counselors and services are checked by the tables' own pydantic models (the same that
the import writes), the booking sections by the parsers of bot.booking.network_file; codes may
name what the file defines or what the database already holds.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError
from sqlmodel import SQLModel

from bot.booking.network_file import BOOKING_RULES_FIELDS, WEEKDAYS, span
from storage.models import Counselor, Service, Site

Path = tuple[str | int, ...]
SECTIONS = ("sites", "counselors", "services", "booking_rules", "availability", "closures")
WEEKLY_FIELDS = {"site", "days", "hours", "breaks", "services", "valid_from", "valid_until"}
EXCEPTION_FIELDS = {"date", "site", "closed", "extra", "note"}


# Each kind of problem, in English (the command line's); the desk shows its own translation of
# the key (bot/desk/texts, `network.problem.KEY`) with the same values.
MESSAGES = {
    "yaml": "not valid YAML: {detail}",
    "not_network": "not a network file: it has none of {sections}",
    "unknown_section": "unknown section {name!r} (one of {sections})",
    "unknown_field": "unknown field (one of {fields})",
    "invalid": "{detail}",
    "timezone": "unknown time zone {value!r} (e.g. Europe/Lisbon)",
    "unknown_site": "no site {value!r} in the network",
    "unknown_counselor": "no counselor {value!r} in the network",
    "list": "a list of entries, each with a code",
    "entry": "an entry with fields such as code and name",
    "rules": "a mapping of rules, e.g. min_notice_minutes: 720",
    "unknown_rule": "unknown rule",
    "slot_step": "{value!r} must divide an hour",
    "mapping": "a mapping by code",
    "hours_entry": "weekly hours and exceptions of the counselor",
    "hours_field": "unknown field (weekly or exceptions)",
    "row": "an entry with {fields}",
    "day": "unknown day {value!r} (one of {days})",
    "date": "{value!r} is not a date (YYYY-MM-DD)",
    "span": "{value!r} is not a span of the day such as 09:00-13:00",
}


@dataclass(frozen=True)
class Problem:
    line: int
    message: str  # "where: what", in English
    key: str = "invalid"  # of MESSAGES
    where: str = ""  # the path in the file: "counselors 0 site_codes 0"
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    """Codes the database holds already: a file may name them without defining them."""

    sites: frozenset[str] = frozenset()
    counselors: frozenset[str] = frozenset()


def check_network(text: str, known: Known) -> tuple[Any, list[Problem]]:
    """The file's data and its problems (none: it can be imported)."""
    try:
        data = yaml.safe_load(text)
        lines = _lines(yaml.compose(text))
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        detail = str(error.problem)
        return None, [Problem(line, MESSAGES["yaml"].format(detail=detail), "yaml",
                              values={"detail": detail})]  # fmt: skip
    found = _Problems(lines)
    if not isinstance(data, dict) or not set(data) & set(SECTIONS):
        found.add((), "not_network", sections=", ".join(SECTIONS))
        return data, found.problems
    for key in set(data) - set(SECTIONS):
        found.add((key,), "unknown_section", name=key, sections=", ".join(SECTIONS))
    sites = known.sites | _codes(data.get("sites"))
    counselors = known.counselors | _codes(data.get("counselors"))
    _check_entries(found, data, "sites", Site, _check_site)
    _check_entries(found, data, "counselors", Counselor, _sites_of_counselor(sites))
    _check_entries(found, data, "services", Service, None)
    _check_booking_rules(found, data.get("booking_rules"))
    _check_availability(found, data.get("availability"), sites, counselors)
    _check_closures(found, data.get("closures"), sites)
    return data, sorted(found.problems, key=lambda p: p.line)


class _Problems:
    def __init__(self, lines: Mapping[Path, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: Path, key: str, **values: Any) -> None:
        where = " ".join(str(part) for part in path)
        message = MESSAGES[key].format(**values)
        self.problems.append(Problem(
            self._line(path), f"{where}: {message}" if where else message, key, where, values,
        ))  # fmt: skip

    def _line(self, path: Path) -> int:
        while path not in self.lines and path:
            path = path[:-1]  # a missing field: the line of the entry that lacks it
        return self.lines.get(path, 1)


def _lines(node: yaml.Node | None, path: Path = ()) -> dict[Path, int]:
    if node is None:
        return {}
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines |= _lines(value, (*path, key.value))
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines |= _lines(item, (*path, index))
    return lines


def _codes(entries: Any) -> frozenset[str]:
    rows = entries if isinstance(entries, list) else []
    return frozenset(str(row["code"]) for row in rows if isinstance(row, dict) and "code" in row)


def _check_entries(
    found: _Problems,
    data: Mapping[str, Any],
    section: str,
    model: type[SQLModel],
    more: Callable[[_Problems, Path, dict[str, Any]], None] | None,
) -> None:
    entries = data.get(section)
    if entries is None:
        return
    if not isinstance(entries, list):
        found.add((section,), "list")
        return
    fields = set(model.model_fields) - {"id"}
    for index, entry in enumerate(entries):
        path: Path = (section, index)
        if not isinstance(entry, dict):
            found.add(path, "entry")
            continue
        for name in sorted(set(entry) - fields):
            found.add((*path, name), "unknown_field", fields=", ".join(sorted(fields)))
        try:
            model.model_validate({k: v for k, v in entry.items() if k in fields})
        except ValidationError as invalid:
            for error in invalid.errors():
                found.add((*path, *error["loc"]), "invalid", detail=error["msg"])
        if more is not None:
            more(found, path, entry)


def _check_site(found: _Problems, path: Path, site: dict[str, Any]) -> None:
    zone = site.get("timezone")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            found.add((*path, "timezone"), "timezone", value=zone)


def _sites_of_counselor(sites: frozenset[str]) -> Callable[[_Problems, Path, dict], None]:
    def check(found: _Problems, path: Path, counselor: dict[str, Any]) -> None:
        for index, code in enumerate(counselor.get("site_codes") or []):
            if code not in sites:
                found.add((*path, "site_codes", index), "unknown_site", value=code)

    return check


def _check_booking_rules(found: _Problems, rules: Any) -> None:
    if rules is None:
        return
    if not isinstance(rules, dict):
        found.add(("booking_rules",), "rules")
        return
    for name in sorted(set(rules) - BOOKING_RULES_FIELDS):
        found.add(("booking_rules", name), "unknown_rule")
    step = rules.get("slot_step_minutes", 60)
    if not (isinstance(step, int) and 0 < step <= 60 and 60 % step == 0):
        found.add(("booking_rules", "slot_step_minutes"), "slot_step", value=step)


def _check_availability(
    found: _Problems, availability: Any, sites: frozenset[str], counselors: frozenset[str]
) -> None:
    for code, entry in _mapping(found, "availability", availability):
        path: Path = ("availability", code)
        if code not in counselors:
            found.add(path, "unknown_counselor", value=code)
        if not isinstance(entry, dict):
            found.add(path, "hours_entry")
            continue
        for name in sorted(set(entry) - {"weekly", "exceptions"}):
            found.add((*path, name), "hours_field")
        for index, row in enumerate(entry.get("weekly") or []):
            _check_row(found, (*path, "weekly", index), row, WEEKLY_FIELDS, sites)
        for index, row in enumerate(entry.get("exceptions") or []):
            _check_row(found, (*path, "exceptions", index), row, EXCEPTION_FIELDS, sites)


def _check_closures(found: _Problems, closures: Any, sites: frozenset[str]) -> None:
    for code, rows in _mapping(found, "closures", closures):
        if code not in sites:
            found.add(("closures", code), "unknown_site", value=code)
        for index, row in enumerate(rows or []):
            _check_row(found, ("closures", code, index), row, {"date", "note"}, sites)


def _mapping(found: _Problems, section: str, value: Any) -> Iterator[tuple[str, Any]]:
    if value is None:
        return
    if not isinstance(value, dict):
        found.add((section,), "mapping")
        return
    yield from value.items()


def _check_row(
    found: _Problems, path: Path, row: Any, fields: set[str], sites: frozenset[str]
) -> None:
    if not isinstance(row, dict):
        found.add(path, "row", fields=", ".join(sorted(fields)))
        return
    for name in sorted(set(row) - fields):
        found.add((*path, name), "unknown_field", fields=", ".join(sorted(fields)))
    if "site" in row and row["site"] not in sites:
        found.add((*path, "site"), "unknown_site", value=row["site"])
    for day in row.get("days") or []:
        if day not in WEEKDAYS:
            found.add((*path, "days"), "day", value=day, days=", ".join(WEEKDAYS))
    for name in ("date", "valid_from", "valid_until"):
        if isinstance(row.get(name), str):
            try:
                date.fromisoformat(row[name])
            except ValueError:
                found.add((*path, name), "date", value=row[name])
    for name in ("hours", "breaks", "closed", "extra"):
        for text in _spans(row.get(name)):
            try:
                span(text)
            except ValueError:
                found.add((*path, name), "span", value=text)


def _spans(value: Any) -> list[Any]:
    if value is None or value is True:
        return []
    return value if isinstance(value, list) else [value]
