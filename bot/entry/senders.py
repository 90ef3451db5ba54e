"""The channel senders of a process, for the channels the settings set up."""

from functools import partial

from bot.channels.email.sender import EmailSender, SmtpServer
from bot.channels.telegram.limits import ChatLimits
from bot.channels.telegram.runtime import make_bot
from bot.channels.telegram.sender import TelegramSender
from bot.channels.twilio.sender import TwilioSender
from bot.clock import Clock, monotonic_seconds
from bot.delivery.dispatcher import Sender
from bot.settings import Settings


def telegram_sender(settings: Settings) -> TelegramSender:
    limits = ChatLimits(settings.telegram_rate_overall, settings.telegram_rate_per_chat,
                        monotonic_seconds)  # fmt: skip
    return TelegramSender(partial(make_bot, settings), limits)


def channel_senders(settings: Settings, clock: Clock) -> dict[str, Sender]:
    """Telegram when a token is set, SMS when a Twilio account is, e-mail when an SMTP server
    is."""
    found: dict[str, Sender] = {}
    if settings.telegram_token is not None:
        found["telegram"] = telegram_sender(settings)
    if settings.twilio_account_sid:
        found["sms"] = TwilioSender.from_settings(settings, monotonic_seconds)
    if settings.smtp_url is not None:
        server = SmtpServer.parse(settings.smtp_url.get_secret_value())
        found["email"] = EmailSender(server, settings.mail_from, clock)
    return found


def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        close = getattr(sender, "close", None)
        if close is not None:
            close()
