"""Booking: the engine asks the host for slots and for a slot to be booked, and offers what the
host found.

The booking under way (how, which day was wished, places already offered, the appointment being
moved) is kept in the answers under "booking", the slots shown under "offers".
"""

from typing import Any

from dialogs.answers import Answer
from dialogs.engine.navigation import enter
from dialogs.engine.registry import action, request
from dialogs.engine.speech import ask, say
from dialogs.engine.turn import Turn
from dialogs.model import CancellationExplained, CancellationRequested, SlotChosen, SlotsWanted


@request("slots")
def want_slots(turn: Turn) -> None:
    answers, booking = turn.session.answers, _booking(turn)
    turn.ask_host(
        SlotsWanted(
            track=answers.get("track") or "orientation",
            lang=turn.lang,
            municipality=answers.get("municipality"),
            home=_coordinates(answers.get("home")),
            mode=booking.get("mode", "in_person"),
            wish=booking.get("wish"),
            after=booking.get("after"),
            elsewhere=tuple(booking.get("elsewhere", ())),
            moving=booking.get("moving"),
            availability=tuple(answers.get("availability") or ()),
            avoid=booking.get("avoid") or booking.get("moving"),
        )
    )


def _coordinates(home: dict[str, Any] | None) -> tuple[float, float] | None:
    return (home["latitude"], home["longitude"]) if home else None


def ask_for_slots(turn: Turn, **criteria: Any) -> None:
    """Offer slots again, the criteria changed ("other days", "by phone", "Friday")."""
    turn.keep(booking={**_booking(turn), **criteria})
    enter(turn, turn.flow.booking_node)


def slots_found(turn: Turn, offers: tuple[dict[str, Any], ...], gone: bool = False) -> None:
    node = turn.node
    turn.keep(offers=list(offers))
    if gone:
        say(turn, "book.taken")
    if not offers and _booking(turn).get("wish"):
        # Nothing when they wished: say so, and offer the first free times instead.
        say(turn, "book.no_fit")
        return ask_for_slots(turn, wish=None)
    if not offers and _booking(turn).get("moving"):
        # The meeting being moved still stands: say so, not "a counselor will book you".
        return enter(turn, node.outcomes["none_moving"])
    if not offers:
        return enter(turn, node.outcomes["none"])
    ask(turn, node)


def booking_made(turn: Turn, appointment: dict[str, Any]) -> None:
    turn.keep(appointment=appointment, booking={}, offers=[])
    enter(turn, turn.node.outcomes["booked"])


def offer_again(turn: Turn, appointment_id: int, news: str) -> None:
    """The meeting will not take place (cancelled by the counselor, or missed): say so,
    kindly, and offer new slots; nothing if it is no longer the person's current one."""
    current = turn.session.answers.get("appointment") or {}
    if current.get("id") != appointment_id:
        return
    if turn.session.status == "paused":
        turn.unpause()
    say(turn, news, **current)
    # The counselor cannot be there then: that time is not offered again.
    turn.keep(appointment=None, booking={"avoid": appointment_id})
    enter(turn, turn.flow.booking_node)


@action("new_booking")
def new_booking(turn: Turn, answer: Answer) -> None:
    turn.keep(booking={})


@action("later_slots")
def _later_slots(turn: Turn, answer: Answer) -> None:
    offers = turn.session.answers.get("offers") or []
    turn.keep(booking={**_booking(turn), "after": offers[-1]["starts_at"] if offers else None})


@action("other_place")
def _other_place(turn: Turn, answer: Answer) -> None:
    offered = {o["site"] for o in turn.session.answers.get("offers") or []}
    elsewhere = sorted({*_booking(turn).get("elsewhere", ()), *offered})
    turn.keep(booking={**_booking(turn), "elsewhere": elsewhere, "after": None})


@action("by_phone")
def _by_phone(turn: Turn, answer: Answer) -> None:
    turn.keep(booking={**_booking(turn), "mode": "phone", "elsewhere": [], "after": None})


@action("book_slot", navigates=True)
def _book_slot(turn: Turn, answer: Answer) -> None:
    offers = turn.session.answers.get("offers") or []
    offer = next(o for o in offers if o["id"] == answer.choice.id)
    turn.ask_host(SlotChosen(offer, _booking(turn).get("moving")))


@action("move_appointment")
def _move_appointment(turn: Turn, answer: Answer) -> None:
    appointment = turn.session.answers.get("appointment") or {}
    turn.keep(booking={"moving": appointment.get("id")})


@action("cancel_appointment")
def _cancel_appointment(turn: Turn, answer: Answer) -> None:
    appointment = turn.session.answers.get("appointment") or {}
    if appointment:
        turn.emit(CancellationRequested(appointment["id"]))
        say(turn, "book.cancelled", **appointment)
    turn.keep(appointment=None, booking={}, cancelled=appointment.get("id"))
    turn.evolve(return_to=())


@action("give_cancel_reason")
def _give_cancel_reason(turn: Turn, answer: Answer) -> None:
    cancelled = turn.session.answers.get("cancelled")
    if cancelled and answer.value:
        turn.emit(CancellationExplained(cancelled, answer.value))


def _booking(turn: Turn) -> dict[str, Any]:
    return turn.session.answers.get("booking") or {}
