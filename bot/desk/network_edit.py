"""Writing a change to the network from the desk: a network document (a form's entry, or an
uploaded file) goes through the very check and import of `percorso network import`, in one
transaction with the log of what it changed; with any problem nothing is written, and the
problems are told in the coordinator's language."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import Depends
from sqlmodel import Session, col, select

from bot.desk.auth import FormStaff, Staff
from bot.desk.context import Desk
from bot.desk.record import NotYours
from bot.desk.texts import Texts
from bot.network.check import Problem
from bot.network.document import Document, changes, network_document, network_yaml
from bot.network.importer import NetworkFileInvalid, import_text
from storage.db import unit_of_work
from storage.desk import NetworkChange, StaffAccount

LOG_LENGTH = 30


def form_coordinator(staff: FormStaff) -> Staff:
    """A coordinator's form with their CSRF token; a counselor gets 404, as on every page of the
    network."""
    if staff.is_counselor:
        raise NotYours
    return staff


FormCoordinator = Annotated[Staff, Depends(form_coordinator)]


def apply_network(
    context: Desk, staff: Staff, text: str, texts: Texts, in_file: bool = True
) -> list[str]:
    """Import the network file `text`; returns its problems, told in `texts`' language, with
    their lines `in_file` (none: it was written, and logged as the staff member's)."""
    try:
        with unit_of_work(context.engine) as db:
            before = network_document(db)
            import_text(db, text)
            _log(db, staff, before, network_document(db), context.clock())
    except NetworkFileInvalid as invalid:
        return [explain(problem, texts, in_file) for problem in invalid.problems]
    except ValueError as refused:  # what only the import finds, e.g. weekly hours that overlap
        return [texts("network.problem.refused", detail=str(refused))]
    return []


def apply_document(context: Desk, staff: Staff, document: Document, texts: Texts) -> list[str]:
    """Import a form's entries (a file the coordinator never sees: no lines in the problems)."""
    return apply_network(context, staff, network_yaml(document, "desk"), texts, in_file=False)


def explain(problem: Problem, texts: Texts, in_file: bool) -> str:
    """The problem in the coordinator's language, with the field (and line) it is about."""
    what = texts(f"network.problem.{problem.key}", **problem.values)
    if in_file:
        where = f" {problem.where}:" if problem.where else ""
        return f"{texts('network.line', line=problem.line)}{where} {what}"
    words = [word for word in problem.where.split() if not word.isdigit()]
    field = f"network.field.{words[-1]}" if words else ""
    return f"{texts(field)}: {what}" if texts.has(field) else what


def _log(db: Session, staff: Staff, before: Document, after: Document, now: datetime) -> None:
    for action, section, code, fields in changes(before, after):
        db.add(NetworkChange(account_id=staff.account_id, at=now, action=action,
                             section=section, code=code, fields=fields))  # fmt: skip


def recent_changes(context: Desk) -> Sequence[tuple[NetworkChange, str]]:
    """The last changes, newest first, with the e-mail of who made each."""
    with unit_of_work(context.engine) as db:
        return db.exec(
            select(NetworkChange, StaffAccount.email)
            .join(StaffAccount, col(StaffAccount.id) == NetworkChange.account_id)
            .order_by(col(NetworkChange.id).desc())
            .limit(LOG_LENGTH)
        ).all()
