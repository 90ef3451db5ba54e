"""`percorso booking ...`: look at free slots, cancel a booking, record attendance."""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from sqlmodel import select

from bot.booking.appointment import NotActive
from bot.booking.labels import describe
from bot.booking.offers import SlotRequest, offer_slots
from bot.booking.slots import Wish
from bot.clock import wall_clock
from bot.counselors.actions import cancel_for_counselor, record_attendance
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.outbound import written
from bot.entry import params
from bot.entry.bootstrap import App, build_app, open_database
from bot.entry.failures import CommandFailed
from bot.entry.senders import channel_senders, close_senders
from bot.settings import get_settings
from storage.db import unit_of_work
from storage.models import Counselor, Service

booking_app = typer.Typer(help="Slots and appointments.", no_args_is_help=True)


class ModeOption(StrEnum):
    in_person = "in_person"
    phone = "phone"
    video = "video"


class PartOption(StrEnum):
    morning = "morning"
    afternoon = "afternoon"
    evening = "evening"


@booking_app.command("slots")
def slots(
    service: Annotated[str, typer.Argument(help="Service code, e.g. orientation.")],
    lang: Annotated[str, typer.Option(help="The person's language.", parser=params.language)]
    = "pt",
    municipality: Annotated[str | None, typer.Option(help="Sites here come first.")] = None,
    mode: ModeOption = ModeOption.in_person,
    specialism: Annotated[str | None, typer.Option(help="e.g. migrants, youth.")] = None,
    day: Annotated[date | None, typer.Option(help="A date, YYYY-MM-DD.", parser=params.day)]
    = None,
    part: Annotated[PartOption | None, typer.Option(help="Part of the day.")] = None,
    count: Annotated[int, typer.Option(help="How many slots.", min=1, max=50)] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per slot.")] = False,
) -> None:
    """The slots a person would be offered now."""
    wish = Wish(day=day, part_of_day=part and part.value)
    request = SlotRequest(service, lang, municipality, mode.value, specialism, wish, count)
    with unit_of_work(open_database(get_settings())) as db:
        _one_of(service, db.exec(select(Service.code)).all(), "SERVICE")
        if specialism is not None:
            known = {s for c in db.exec(select(Counselor)).all() for s in c.specialisms}
            _one_of(specialism, known, "--specialism")
        offers = offer_slots(db, request, wall_clock())
    if not offers:
        typer.echo("no free slot for this request", err=True)
    for offer in offers:
        line = (
            json.dumps(offer.to_json(), ensure_ascii=False)
            if as_json
            else (f"{describe(offer, lang)}  ({offer.counselor_name})")
        )
        typer.echo(line)


@booking_app.command("cancel")
def cancel_command(
    appointment_id: int,
    reason: Annotated[str | None, typer.Option(help="Told to no one; kept for the export.")] = None,
) -> None:
    """Cancel an appointment on the counselor's side; the person is told and offered new slots."""
    application = build_app(get_settings(), wall_clock)
    service = application.service
    with _refusals(), unit_of_work(service.engine) as db:
        appointment = cancel_for_counselor(service, db, appointment_id, reason, service.clock())
        queued = written(db)
    send_now(application, queued)
    typer.echo(json.dumps({"id": appointment.id, "status": appointment.status}))


@booking_app.command("attendance")
def attendance(
    appointment_id: int,
    attended: Annotated[bool, typer.Option("--attended/--no-show", help="Did the person come?")],
) -> None:
    """Record whether the person came; after a no-show they are offered a new slot."""
    application = build_app(get_settings(), wall_clock)
    service = application.service
    with _refusals(), unit_of_work(service.engine) as db:
        appointment = record_attendance(service, db, appointment_id, attended, service.clock())
        queued = written(db)
    send_now(application, queued)
    typer.echo(json.dumps({"id": appointment.id, "attended": appointment.attended}))


def _one_of(value: str, known: Iterable[str], option: str) -> None:
    if value not in known:
        raise typer.BadParameter(f"{value!r} is unknown; one of: {', '.join(sorted(known))}",
                                 param_hint=option)


def send_now(application: App, row_ids: tuple[int, ...]) -> None:
    """The person hears of the counselor's action at once, not at the worker's next look: the
    rows this command wrote go out now, on the channels set up here; a row the limits hand back
    (or on another channel) is the worker's."""
    senders = channel_senders(application.settings, application.service.clock,
                              application.engine)
    try:
        Dispatcher(application.engine, senders, application.service.clock,
                   application.delivery).dispatch_rows(row_ids)  # fmt: skip
    finally:
        close_senders(senders)


@contextmanager
def _refusals() -> Iterator[None]:
    """An unknown or closed appointment is the user's mistake: say so, without a traceback."""
    try:
        yield
    except (LookupError, NotActive) as refusal:
        raise CommandFailed(str(refusal)) from None
