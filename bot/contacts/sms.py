"""What the SMS channel asks of the application besides the conversation: its keyword screen,
and recording what the provider reports on the messages sent."""

from bot.contacts.reports import DeliveryReport, record_report
from bot.contacts.sms_keywords import SmsKeywords
from bot.conversation.service import ConversationService


class SmsContacts:
    def __init__(self, service: ConversationService, contact: str) -> None:
        self.service = service
        self.screen = SmsKeywords(service.flow, contact)

    def delivery_reported(self, report: DeliveryReport) -> bool:
        """True when the message's record changed."""
        return record_report(self.service.engine, report, self.service.clock())
