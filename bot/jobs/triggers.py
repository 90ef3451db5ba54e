"""The sender of the trigger channel: a due trigger row tells the person's conversation.

The row carries ids only, and what it refers to is read again now: a reminder of a cancelled or
done appointment is dropped, and so is one whose meeting has begun (a reminder never arrives
late). The dialog engine then refuses what is stale for it (the person moved on).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.conversation.service import ConversationService
from bot.delivery.outbound import Recipient, Trigger
from bot.delivery.quiet_hours import URGENT_BEFORE, QuietHours
from bot.delivery.refusals import Dropped, Pause
from dialogs.model import FollowUpDue, NudgeDue, ReminderDue
from storage.booking import Appointment
from storage.models import Site


class TriggerRunner:
    def __init__(self, service: ConversationService, quiet: QuietHours) -> None:
        self.service = service
        self.quiet = quiet

    def __call__(self, recipient: Recipient, trigger: Trigger) -> None:
        person_id, once = recipient.person_id, trigger.once
        assert person_id is not None  # a trigger row is the person's
        if trigger.trigger == "reminder" and trigger.appointment_id is not None:
            self._reminder(person_id, trigger.appointment_id, trigger.superseded_at, once)
        elif trigger.trigger == "follow_up" and trigger.appointment_id is not None:
            self._follow_up(person_id, trigger.appointment_id, once)
        elif trigger.trigger == "nudge" and trigger.number is not None:
            self.service.tell(person_id, NudgeDue(trigger.number), kind="nudge", once=once)
        else:
            raise Dropped(f"incomplete trigger {trigger.trigger!r}")

    def _reminder(
        self, person_id: str, appointment_id: int, superseded_at: datetime | None, once: str
    ) -> None:
        appointment, zone = self._appointment(appointment_id)
        if appointment.status != "booked":
            raise Dropped(f"appointment {appointment.status}")
        now = self.service.clock()
        if now >= appointment.starts_at:
            raise Dropped("late: the meeting has begun")
        if superseded_at and now >= superseded_at:
            raise Dropped("superseded: a later reminder is due")
        morning = self.quiet.morning(now, zone)
        if morning is not None and morning <= appointment.starts_at - URGENT_BEFORE:
            raise Pause("quiet hours", (morning - now).total_seconds())
        self.service.tell(person_id, ReminderDue(appointment_id), kind="reminder", once=once)

    def _follow_up(self, person_id: str, appointment_id: int, once: str) -> None:
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
