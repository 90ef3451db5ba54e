"""The channel senders of a process, for the channels the settings set up."""

from functools import partial

from sqlalchemy import Engine

from bot.channels.email.sender import EmailSender, SmtpServer
from bot.channels.telegram.limits import telegram_limits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.channels.twilio.sender import TwilioSender
from bot.channels.twilio.whatsapp_sender import WhatsAppSender
from bot.clock import Clock, monotonic_seconds
from bot.contacts.whatsapp_window import WindowedSender
from bot.delivery.dispatcher import Sender
from bot.delivery.ratelimit import Limits
from bot.settings import Settings
from dialogs.loader import intake_flow


def telegram_sender(settings: Settings, limits: Limits) -> TelegramSender:
    return TelegramSender(partial(make_bot, settings), telegram_limits(settings, limits))


def whatsapp_sender(
    settings: Settings, engine: Engine, clock: Clock, default_lang: str
) -> WindowedSender:
    """Twilio's WhatsApp under the 24-hour window rule; outside it, a message without a template
    goes by Telegram or SMS when the person has them and this setup sends there."""
    others = tuple(channel for channel, configured in (
        ("telegram", settings.telegram_token is not None), ("sms", settings.sms_configured),
    ) if configured)  # fmt: skip
    limits = Limits.of(settings, engine, monotonic_seconds)
    bucket = limits.bucket("whatsapp", settings.whatsapp_rate_per_second)
    channel = WhatsAppSender.from_settings(settings, bucket)
    return WindowedSender(engine, channel, clock, settings.whatsapp_templates, default_lang,
                          others)  # fmt: skip


def channel_senders(settings: Settings, clock: Clock, engine: Engine) -> dict[str, Sender]:
    """Telegram when a token is set, SMS and WhatsApp when a Twilio account and their sending
    numbers are, e-mail when an SMTP server is."""
    found: dict[str, Sender] = {}
    limits = Limits.of(settings, engine, monotonic_seconds)
    if settings.telegram_token is not None:
        found["telegram"] = telegram_sender(settings, limits)
    if settings.sms_configured:
        sms = limits.bucket("sms", settings.sms_rate_per_second)
        found["sms"] = TwilioSender.from_settings(settings, sms)
    if settings.whatsapp_configured:
        found["whatsapp"] = whatsapp_sender(settings, engine, clock, intake_flow().default_lang)
    if settings.smtp_url is not None:
        server = SmtpServer.parse(settings.smtp_url.get_secret_value())
        found["email"] = EmailSender(server, settings.mail_from, clock)
    return found


def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        close = getattr(sender, "close", None)
        if close is not None:
            close()
