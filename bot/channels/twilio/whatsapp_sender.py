"""Sending to WhatsApp through Twilio's Messages API: free-form messages, and approved templates
(`ContentSid` + `ContentVariables`) for outside the 24-hour window.

The sender only sends and says what Twilio answered; whether a message may go free-form, as a
template, or not at all is the window rule's business (bot.contacts.whatsapp_window). Reasons
and logs carry Twilio's codes only: its error messages may quote the phone number.
"""

import json
from collections.abc import Mapping

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client

from bot.channels.twilio.sender import OUTAGE_PAUSE, STATUS_PATH, refusal, twilio_client
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.ratelimit import Bucket
from bot.delivery.refusals import OutsideWindow, Pause, PermanentFailure, RetryLater
from bot.settings import Settings

PREFIX = "whatsapp:"
OUTSIDE_WINDOW = 63016  # a free-form message more than 24 hours after the person's last one
UNREACHABLE = {
    63003: "not reachable on WhatsApp",  # the channel could not find the address
    63024: "not a WhatsApp number",
}
"""Failures that stay true of the address: nothing more is tried on it."""


def whatsapp_body(message: Outbound) -> str:
    """A message as WhatsApp shows it: the full text (no SMS variant: nothing is counted in
    segments), choices as a numbered list with the numbers in bold; the person answers by number,
    word or position, as on SMS."""
    lines = (f"*{i}.* {choice.label}" for i, choice in enumerate(message.choices, 1))
    return "\n".join([message.text, *lines])


def whatsapp_address(number: str) -> str:
    return PREFIX + number


class WhatsAppSender:
    """Twilio's Messages API with `whatsapp:` addresses, from the configured WhatsApp sender."""

    def __init__(self, client: Client, origin: str, status_callback: str, bucket: Bucket) -> None:
        self.client = client
        self.origin = whatsapp_address(origin)
        self.status_callback = status_callback
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings, bucket: Bucket) -> "WhatsAppSender":
        if not settings.twilio_whatsapp_from:
            raise ValueError("set PERCORSO_TWILIO_WHATSAPP_FROM, the WhatsApp sender's number")
        status_callback = settings.public_url.rstrip("/") + STATUS_PATH
        return cls(twilio_client(settings), settings.twilio_whatsapp_from, status_callback,
                   bucket)  # fmt: skip

    def send(self, recipient: Recipient, outbound: Outbound) -> str:
        """A free-form message; OutsideWindow when Twilio says the window is closed."""
        return self._create(recipient, body=whatsapp_body(outbound))

    def send_template(
        self, recipient: Recipient, content_sid: str, variables: Mapping[str, str]
    ) -> str:
        """An approved template, by its Content SID, with its numbered variables."""
        return self._create(
            recipient, content_sid=content_sid, content_variables=json.dumps(dict(variables))
        )

    def _create(self, recipient: Recipient, **content: str) -> str:
        wait = self.bucket.take()
        if wait:
            raise Pause("whatsapp rate", wait)
        try:
            message = self.client.messages.create(
                to=whatsapp_address(recipient.address),
                from_=self.origin,
                status_callback=self.status_callback,
                **content,
            )
        except (TwilioRestException, TwilioServiceException) as error:
            raise whatsapp_refusal(error.status, error.code) from None
        except requests.RequestException as error:
            raise RetryLater(f"network {type(error).__name__}", OUTAGE_PAUSE) from None
        return message.sid


def whatsapp_refusal(
    status: int, code: int | None
) -> OutsideWindow | PermanentFailure | Pause | RetryLater:
    """What an HTTP status and Twilio error code mean on WhatsApp: the window, an address that
    is no WhatsApp user, else as on SMS."""
    if code == OUTSIDE_WINDOW:
        return OutsideWindow(f"twilio {code} outside the 24-hour window")
    if code in UNREACHABLE:
        return PermanentFailure(f"twilio {code} {UNREACHABLE[code]}", unreachable=True)
    return refusal(status, code)
