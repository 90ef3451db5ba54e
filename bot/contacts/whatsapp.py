"""What the WhatsApp channel asks of the application besides the conversation: its screen (a
poster's start code; the window reopening for what waited; the opt-out and help keywords of SMS,
with replies that speak of WhatsApp). Twilio's delivery reports arrive with the SMS ones."""

from datetime import datetime

from sqlmodel import Session

from bot.contacts.sms_keywords import SmsKeywords
from bot.contacts.source import take_start_code
from bot.contacts.whatsapp_window import reopen
from bot.conversation.service import ConversationService, Inbound
from storage.models import Identity


class WhatsAppContacts:
    def __init__(self, service: ConversationService, contact: str) -> None:
        self.keywords = SmsKeywords(service.flow, contact, texts="whatsapp_keyword")

    def screen(
        self, db: Session, identity: Identity, inbound: Inbound, now: datetime
    ) -> Inbound | None:
        """The `Screen` of the channel (bot.conversation.service)."""
        given = take_start_code(db, identity, inbound)
        reopen(db, identity, now)  # the person wrote: the window is open again
        return self.keywords(db, identity, given, now)
