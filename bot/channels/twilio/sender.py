"""Sending outbox rows as SMS through the Twilio REST API, and what Twilio's refusals mean.

Reasons and logs carry Twilio's codes only: its error messages may quote the phone number.
"""

import logging

import requests
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.ratelimit import Bucket
from bot.delivery.refusals import Pause, PermanentFailure, RetryLater
from bot.settings import Settings
from dialogs import segments
from dialogs.render import numbered

log = logging.getLogger(__name__)

STATUS_PATH = "/webhooks/twilio/status"
REQUEST_TIMEOUT = 10.0  # seconds; Twilio answers a send in well under one
BUSY_PAUSE = 5.0  # after a 429: Twilio's queue for the account or number is full
OUTAGE_PAUSE = 30.0  # after a 5xx or a network error
CREDENTIALS_PAUSE = 300.0  # after a 401: ours to fix, the messages wait rather than fail
UNSUBSCRIBED = 21610  # the person sent STOP to our number; Twilio refuses until START
NOT_DELIVERABLE = {21211: "invalid number", 21614: "not a mobile number"}


def sms_body(message: Outbound) -> str:
    """A message as one SMS text: the short variant if any, choices as a numbered list,
    typography made plain so that a text without accents stays in the cheap GSM-7 alphabet."""
    labels = [choice.label for choice in message.choices]
    return segments.plain(numbered(message.sms_text or message.text, labels))


def twilio_client(settings: Settings) -> Client:
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else None
    client = Client(
        settings.twilio_account_sid, token, http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT)
    )
    if settings.twilio_api_url:
        # The library keeps each API's base URL on its domain object; changing it there keeps
        # every path, header and the authentication exactly as for api.twilio.com.
        client.api.base_url = settings.twilio_api_url
    return client


class TwilioSender:
    """The `Sender` of the SMS channel, keeping to one rate for the sending number or service."""

    def __init__(
        self, client: Client, origin: dict[str, str], status_callback: str, bucket: Bucket
    ) -> None:
        self.client = client
        self.origin = origin  # {"from_": number} or {"messaging_service_sid": sid}
        self.status_callback = status_callback
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings, bucket: Bucket) -> "TwilioSender":
        if settings.twilio_messaging_service_sid:
            origin = {"messaging_service_sid": settings.twilio_messaging_service_sid}
        elif settings.twilio_from:
            origin = {"from_": settings.twilio_from}
        else:
            raise ValueError("set PERCORSO_TWILIO_FROM or PERCORSO_TWILIO_MESSAGING_SERVICE_SID")
        status_callback = settings.public_url.rstrip("/") + STATUS_PATH
        return cls(twilio_client(settings), origin, status_callback, bucket)

    def __call__(self, recipient: Recipient, outbound: Outbound) -> str:
        wait = self.bucket.take()
        if wait:
            raise Pause("sms rate", wait)
        try:
            message = self.client.messages.create(
                to=recipient.address,
                body=sms_body(outbound),
                status_callback=self.status_callback,
                **self.origin,
            )
        except (TwilioRestException, TwilioServiceException) as error:
            raise refusal(error.status, error.code) from None
        except requests.RequestException as error:
            raise RetryLater(f"network {type(error).__name__}", OUTAGE_PAUSE) from None
        return message.sid


def refusal(status: int, code: int | None) -> PermanentFailure | Pause | RetryLater:
    """What an HTTP status and Twilio error code mean for the message and the number."""
    if code == UNSUBSCRIBED:
        return PermanentFailure(f"twilio {code} unsubscribed", opted_out=True)
    if code in NOT_DELIVERABLE:
        return PermanentFailure(f"twilio {code} {NOT_DELIVERABLE[code]}")
    if status == 429:
        return Pause(f"twilio 429 {code or ''}".strip(), BUSY_PAUSE, whole_channel=True)
    if status >= 500:
        return RetryLater(f"twilio {status}", OUTAGE_PAUSE)
    if status == 401:
        log.error("Twilio refused our credentials: check PERCORSO_TWILIO_ACCOUNT_SID/AUTH_TOKEN")
        return RetryLater(f"twilio 401 {code or ''}".strip(), CREDENTIALS_PAUSE)
    return PermanentFailure(f"twilio {status} {code or ''}".strip())
