"""The sender of the trigger channel: a due trigger row tells the person's conversation.

The row carries ids only, and what it refers to is read again now: a reminder of a cancelled or
done appointment is dropped, and so is one whose meeting has begun (a reminder never arrives
late). The dialog engine then refuses what is stale for it (the person moved on).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.conversation.service import ConversationService
from bot.delivery.dispatcher import Dropped, RetryLater
from bot.delivery.quiet_hours import URGENT_BEFORE, QuietHours
from dialogs.model import FollowUpDue, NudgeDue, ReminderDue
from storage.booking import Appointment
from storage.models import Identity, Site


class TriggerRunner:
    def __init__(self, service: ConversationService, quiet: QuietHours) -> None:
        self.service = service
        self.quiet = quiet

    def __call__(self, identity: Identity, payload: dict[str, Any]) -> None:
        trigger = payload.get("trigger")
        person_id, once = identity.person_id, payload.get("once")
        if trigger == "reminder":
            self._reminder(person_id, payload["appointment_id"], payload.get("superseded_at"), once)
        elif trigger == "follow_up":
            self._follow_up(person_id, payload["appointment_id"], once)
        elif trigger == "nudge":
            self.service.tell(person_id, NudgeDue(payload["number"]), kind="nudge", once=once)
        else:
            raise Dropped(f"unknown trigger {trigger!r}")

    def _reminder(
        self, person_id: str, appointment_id: int, superseded_at: str | None, once: str | None
    ) -> None:
        appointment, zone = self._appointment(appointment_id)
        if appointment.status != "booked":
            raise Dropped(f"appointment {appointment.status}")
        now = self.service.clock()
        if now >= appointment.starts_at:
            raise Dropped("late: the meeting has begun")
        if superseded_at and now >= datetime.fromisoformat(superseded_at):
            raise Dropped("superseded: a later reminder is due")
        morning = self.quiet.morning(now, zone)
        if morning is not None and morning <= appointment.starts_at - URGENT_BEFORE:
            raise RetryLater("quiet hours", (morning - now).total_seconds())
        self.service.tell(person_id, ReminderDue(appointment_id), kind="reminder", once=once)

    def _follow_up(self, person_id: str, appointment_id: int, once: str | None) -> None:
        appointment, _ = self._appointment(appointment_id)
        if appointment.status == "cancelled" or appointment.attended is False:
            raise Dropped("no meeting held")
        self.service.tell(person_id, FollowUpDue(appointment_id), kind="nudge", once=once)

    def _appointment(self, appointment_id: int) -> tuple[Appointment, ZoneInfo]:
        with Session(self.service.engine) as db:
            appointment = db.get(Appointment, appointment_id)
            if appointment is None:
                raise Dropped("appointment gone")
            site = db.get(Site, appointment.site_id)
            assert site is not None  # a foreign key
            return appointment, ZoneInfo(site.timezone)
