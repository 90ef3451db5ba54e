"""The WhatsApp channel: Twilio's WhatsApp webhook in, the outbox out through the same Twilio
account (bot.channels.twilio.whatsapp_sender).

`POST /webhooks/twilio/whatsapp` takes a signed inbound message whose `From` is
`whatsapp:+E164` (signed and answered like SMS: bot.channels.twilio.sms), turns it into an
`Inbound` on the `whatsapp` channel with the bare E.164 number as address, lets the screen
(keywords, start codes) and the flow handle it, and answers Twilio with empty TwiML at once; the
rows its transaction wrote go out from the hurry's thread. Delivery reports, `read` included,
arrive on the status webhook SMS already serves. See docs/whatsapp.md.
"""

import logging

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from bot.channels.twilio.sms import EMPTY_TWIML, Signature, e164, media_kind
from bot.channels.twilio.whatsapp_sender import PREFIX
from bot.conversation.service import ConversationService, Inbound, Screen
from bot.delivery.dispatcher import Dispatcher, Sender
from bot.delivery.hurry import Hurry, running
from bot.delivery.policy import DeliveryPolicy
from bot.settings import Settings

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WHATSAPP_PATH = "/webhooks/twilio/whatsapp"


def inbound_of(params: dict[str, str], region: str) -> Inbound | None:
    """Twilio's WhatsApp parameters as an `Inbound`; None without a message id or without a
    `whatsapp:` number (an SMS posted here by mistake)."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    sender = params.get("From", "")
    if not sid or not sender.startswith(PREFIX):
        return None
    address = e164(sender.removeprefix(PREFIX), region)
    if address is None:
        return None
    location = _location(params)
    if location:  # its Body, if any, is the place's label, not something the person wrote
        return Inbound(CHANNEL, address, sid, media="location", location=location)
    text = params.get("Body", "")
    if text.strip():
        return Inbound(CHANNEL, address, sid, text=text)
    if params.get("Latitude") and params.get("Longitude"):
        return Inbound(CHANNEL, address, sid, media="location")
    if params.get("NumMedia", "0") != "0":
        return Inbound(CHANNEL, address, sid, media=media_kind(params.get("MediaContentType0")))
    return Inbound(CHANNEL, address, sid, text=text)


def _location(params: dict[str, str]) -> tuple[float, float] | None:
    """A shared location's `Latitude` and `Longitude`, when both are numbers on the globe."""
    try:
        latitude, longitude = float(params["Latitude"]), float(params["Longitude"])
    except (KeyError, ValueError):
        return None
    return (latitude, longitude) if abs(latitude) <= 90 and abs(longitude) <= 180 else None


def whatsapp_router(
    settings: Settings,
    service: ConversationService,
    screen: Screen,
    sender: Sender | None,
    delivery: DeliveryPolicy,
) -> APIRouter:
    """The WhatsApp webhook; `sender` (None when WhatsApp is not configured) sends the replies
    under the window rule the composition root gave it."""
    signature = Signature(settings)
    hurry: Hurry | None = None
    if signature.validator is None:
        log.warning("PERCORSO_TWILIO_AUTH_TOKEN is not set: every WhatsApp webhook gets 403")
    elif sender is not None:
        hurry = Hurry(Dispatcher(service.engine, {CHANNEL: sender}, service.clock, delivery))

    router = APIRouter(lifespan=running(hurry))

    @router.post(WHATSAPP_PATH)
    async def inbound_whatsapp(request: Request) -> Response:
        params = await signature.verified_params(request)
        inbound = inbound_of(params, settings.default_region)
        if inbound is None:
            log.warning("WhatsApp message without a MessageSid or a whatsapp: From: ignored")
            return Response(EMPTY_TWIML, media_type="text/xml")
        handled = await run_in_threadpool(service.handle, inbound, screen)
        if not handled.duplicate and hurry is not None:
            hurry(handled.outbox_ids)  # after the commit; sent from the hurry's thread
        return Response(EMPTY_TWIML, media_type="text/xml")

    return router
