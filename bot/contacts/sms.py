"""What the SMS channel asks of the application besides the conversation: its screen (a
poster's start code, the keywords), and recording what the provider reports on the messages sent."""

from datetime import datetime

from sqlmodel import Session

from bot.contacts.reports import DeliveryReport, record_report
from bot.contacts.sms_keywords import SmsKeywords
from bot.contacts.source import take_start_code
from bot.conversation.service import ConversationService, Inbound
from storage.models import Identity


class SmsContacts:
    def __init__(self, service: ConversationService, contact: str) -> None:
        self.service = service
        self.keywords = SmsKeywords(service.flow, contact)

    def screen(
        self, db: Session, identity: Identity, inbound: Inbound, now: datetime
    ) -> Inbound | None:
        """The `Screen` of the channel: a poster's start code, then the keywords."""
        return self.keywords(db, identity, take_start_code(db, identity, inbound), now)

    def delivery_reported(self, report: DeliveryReport) -> bool:
        """True when the message's record changed."""
        return record_report(self.service.engine, report, self.service.clock())
