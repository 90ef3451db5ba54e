"""Values given on the command line, checked by the libraries that own them (zoneinfo, ISO 8601
parsing, YAML), their errors turned into plain words that say what is accepted.

Each is a Typer `parser`: its BadParameter reads "Invalid value for '--option': ...".
"""

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
import yaml

from nlp.understanding import LANGUAGES


def language(value: str) -> str:
    lang = value.strip().lower()
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{value!r} is not a language of the bot; one of: "
                                 f"{', '.join(LANGUAGES)}")
    return lang


def zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(f"unknown time zone {value!r}; use an IANA name such as "
                                 "Europe/Lisbon or Europe/Rome") from None
    return value


def instant(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date and time in ISO 8601, e.g. "
                                 "2026-12-01T10:00 or 2026-12-01T10:00+01:00") from None


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. "
                                 "2026-12-01") from None


def yaml_document(path: Path, option: str) -> Any:
    """The parsed file; a file that is not YAML is refused with the parser's line and reason."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise typer.BadParameter(f"{path} is not valid YAML ({line}{error.problem})",
                                 param_hint=option) from None
    except (OSError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"{path} cannot be read: {error}", param_hint=option) from None
