"""The SMS channel: Twilio's webhooks in, the outbox out through the Twilio REST API.

`POST /webhooks/twilio/sms` turns a signed inbound message into an `Inbound` (the MessageSid as
external id, so a retried webhook is processed once), lets the keyword screen and the flow handle
it, answers Twilio at once with empty TwiML and sends the replies after the commit.
`POST /webhooks/twilio/status` records delivery reports. See docs/sms.md.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import parse_qsl

import phonenumbers
from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response
from sqlalchemy import func
from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

from bot.channels.twilio.sender import STATUS_PATH, UNSUBSCRIBED, TwilioSender
from bot.clock import monotonic_seconds
from bot.contacts.reports import DeliveryReport
from bot.conversation.service import ConversationService, Inbound, Screen
from bot.delivery.dispatcher import Dispatcher
from bot.settings import Settings
from storage.db import unit_of_work
from storage.models import Outbox

log = logging.getLogger(__name__)

CHANNEL = "sms"
SMS_PATH = "/webhooks/twilio/sms"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
PATIENCE = timedelta(seconds=20)  # how long a nudge waits out the rate limit before the worker
SHORTEST_PAUSE = 0.01  # seconds; never spin while another dispatcher holds the rows


def e164(number: str, region: str) -> str | None:
    """The number in E.164, or None when it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    # "Possible", not "valid": a person must never be turned away because the library's
    # numbering plan is older than their number.
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def inbound_of(params: dict[str, str], region: str) -> Inbound | None:
    """Twilio's inbound parameters as an `Inbound`; None without a message id or a number."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    address = e164(params.get("From", ""), region)
    if not sid or address is None:
        return None
    text = params.get("Body", "")
    if not text.strip() and params.get("NumMedia", "0") != "0":
        return Inbound(CHANNEL, address, sid, media=_media_kind(params.get("MediaContentType0")))
    return Inbound(CHANNEL, address, sid, text=text)


def _media_kind(content_type: str | None) -> str:
    kind = (content_type or "").split("/")[0]
    return {"image": "photo", "audio": "voice"}.get(kind, "document")


class Signature:
    """Checks X-Twilio-Signature against the public URL, as Twilio computed it."""

    def __init__(self, settings: Settings) -> None:
        token = settings.twilio_auth_token
        self.validator = RequestValidator(token.get_secret_value()) if token else None
        self.public_url = settings.public_url.rstrip("/")

    async def verified_params(self, request: Request) -> dict[str, str]:
        """The form parameters of a genuine Twilio request; 403 for anything else."""
        body = (await request.body()).decode("utf-8", errors="replace")
        params = dict(parse_qsl(body, keep_blank_values=True))
        signature = request.headers.get("X-Twilio-Signature")
        if self.validator is None or not signature:
            raise HTTPException(403)
        # Behind a reverse proxy the app sees its own address; Twilio signed the public one.
        url = self.public_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        if not self.validator.validate(url, params, signature):
            log.warning("refused a Twilio request with a bad signature on %s", request.url.path)
            raise HTTPException(403)
        return params


class Courier:
    """Sends one person's due SMS right after their message was handled, waiting out the rate
    limit for a short while; whatever is due later is left to the worker."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        sleep: Callable[[float], None] = time.sleep,
        patience: timedelta = PATIENCE,
    ) -> None:
        self.dispatcher = dispatcher
        self.sleep = sleep
        self.patience = patience

    def deliver(self, identity_id: int) -> int:
        """Returns how many messages were sent."""
        deadline = self.dispatcher.clock() + self.patience
        sent = 0
        while True:
            sent += self.dispatcher.dispatch_due(channel=CHANNEL, identity_id=identity_id)
            due = self._next_due(identity_id)
            if due is None or due > deadline:
                return sent
            self.sleep(max(SHORTEST_PAUSE, (due - self.dispatcher.clock()).total_seconds()))

    def _next_due(self, identity_id: int) -> datetime | None:
        with unit_of_work(self.dispatcher.engine) as db:
            return db.exec(
                select(func.min(Outbox.not_before)).where(
                    Outbox.identity_id == identity_id,
                    Outbox.channel == CHANNEL,
                    Outbox.status == "pending",
                )
            ).one()


def report_of(params: dict[str, str]) -> DeliveryReport | None:
    """Twilio's status callback as a `DeliveryReport`; None without a message id or a status."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = params.get("MessageStatus") or params.get("SmsStatus")
    if not sid or not status:
        return None
    error_code = params.get("ErrorCode") or None
    return DeliveryReport(sid, status, error_code, unsubscribed=error_code == str(UNSUBSCRIBED))


class Contacts(Protocol):
    """What the SMS channel asks of the application besides the conversation; the composition
    root gives it (bot.contacts.sms.SmsContacts)."""

    screen: Screen  # the keywords, read before the flow

    def delivery_reported(self, report: DeliveryReport) -> bool: ...


def _twiml() -> Response:
    return Response(EMPTY_TWIML, media_type="text/xml")


def sms_router(
    settings: Settings,
    service: ConversationService,
    contacts: Contacts,
    courier: Courier | None = None,
) -> APIRouter:
    """The Twilio webhooks; `courier` defaults to one sending through the configured Twilio."""
    signature = Signature(settings)
    if signature.validator is None:
        log.warning("PERCORSO_TWILIO_AUTH_TOKEN is not set: every Twilio webhook gets 403")
    elif courier is None:
        sender = TwilioSender.from_settings(settings, monotonic_seconds)
        courier = Courier(Dispatcher(service.engine, {CHANNEL: sender}, service.clock))
    router = APIRouter()

    @router.post(SMS_PATH)
    async def inbound_sms(request: Request, background: BackgroundTasks) -> Response:
        params = await signature.verified_params(request)
        inbound = inbound_of(params, settings.default_region)
        if inbound is None:
            log.warning("Twilio message without a usable MessageSid or From: ignored")
            return _twiml()
        handled = await run_in_threadpool(service.handle, inbound, contacts.screen)
        if not handled.duplicate and handled.identity_id is not None and courier is not None:
            background.add_task(courier.deliver, handled.identity_id)  # after the response
        return _twiml()

    @router.post(STATUS_PATH)
    async def delivery_status(request: Request) -> Response:
        report = report_of(await signature.verified_params(request))
        if report is not None:
            await run_in_threadpool(contacts.delivery_reported, report)
        return _twiml()

    return router
