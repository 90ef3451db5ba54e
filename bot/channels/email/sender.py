"""Sending outbox rows as e-mail through an SMTP server (PERCORSO_SMTP_URL).

`smtp://user:pass@host:587` speaks STARTTLS when the server offers it; `smtps://host:465` is
TLS from the start. A message's calendar invite goes as an iTIP attachment (text/calendar;
method=REQUEST or CANCEL), which calendars offer to add or remove.

Never doubled: the Message-ID is derived from the outbox row, so a message that does go twice is
recognisably one; and once the server may have the message (the connection broke during the
send), the row fails instead of being retried. Refusals the server states (4xx: later, 5xx:
never) are followed. Reasons and logs carry SMTP codes only, never an address.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from bot.clock import Clock
from bot.delivery.outbound import Outbound, Recipient
from bot.delivery.refusals import Pause, PermanentFailure, RetryLater

TIMEOUT = 30.0  # seconds for the connection and each SMTP reply
OUTAGE_PAUSE = 60.0  # the server unreachable or busy (4xx)
CREDENTIALS_PAUSE = 300.0  # the login refused: ours to fix, the messages wait rather than fail
INVITE_NAME = "invite.ics"
SUBJECT_LENGTH = 78


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps); otherwise STARTTLS when offered
    username: str | None = None
    password: str | None = None

    @classmethod
    def parse(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("PERCORSO_SMTP_URL: smtp://[user:pass@]host[:port] or smtps://...")
        tls = parts.scheme == "smtps"
        return cls(
            parts.hostname,
            parts.port or (465 if tls else 25),
            tls,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
        )


def compose(
    letter: Outbound, to: Recipient, sender: str, clock: Clock
) -> EmailMessage:
    """The message as an e-mail: its text as the body, its invite attached."""
    assert to.outbox_id is not None  # the dispatcher says which row it sends
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to.address
    message["Subject"] = letter.subject or _first_line(letter.text)
    message["Date"] = format_datetime(clock())
    message["Message-ID"] = message_id(to.outbox_id, sender)
    message.set_content(letter.text)
    if letter.invite is not None:
        message.add_attachment(
            letter.invite.ics, subtype="calendar", filename=INVITE_NAME,
            params={"method": letter.invite.method},
        )  # fmt: skip
    return message


def message_id(outbox_id: int, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "percorso"
    return f"<outbox-{outbox_id}@{domain}>"


class EmailSender:
    """The `Sender` of the "email" channel: one SMTP session per message."""

    def __init__(self, server: SmtpServer, sender: str, clock: Clock) -> None:
        self.server = server
        self.sender = sender
        self.clock = clock

    def __call__(self, recipient: Recipient, letter: Outbound) -> str:
        if "@" not in recipient.address:
            # A counselor without an address ("counselor:<code>"): to be fixed in the network.
            raise PermanentFailure("email:no address")
        message = compose(letter, recipient, self.sender, self.clock)
        smtp = self._connect()
        try:
            smtp.send_message(message)
        except smtplib.SMTPResponseException as error:
            raise refusal(error.smtp_code) from None
        except smtplib.SMTPRecipientsRefused as error:
            (code, _), = error.recipients.values()
            raise refusal(code) from None
        except (smtplib.SMTPException, OSError):
            # The server may hold the message already: sending again could deliver it twice.
            raise PermanentFailure("email:no answer") from None
        finally:
            _quit(smtp)
        return message["Message-ID"]

    def _connect(self) -> smtplib.SMTP:
        """A session ready to send; everything that fails here fails before any message."""
        server = self.server
        try:
            if server.tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=TIMEOUT,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
            if server.username:
                smtp.login(server.username, server.password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise Pause(f"email:{error.smtp_code} login", CREDENTIALS_PAUSE) from None
        except smtplib.SMTPResponseException as error:
            raise refusal(error.smtp_code) from None
        except (smtplib.SMTPException, OSError) as error:
            raise RetryLater(f"email:network {type(error).__name__}", OUTAGE_PAUSE) from None
        return smtp


def refusal(code: int) -> RetryLater | PermanentFailure:
    """What an SMTP reply code means for the row: 4xx try again later, 5xx never."""
    if 400 <= code < 500:
        return RetryLater(f"email:{code}", OUTAGE_PAUSE)
    return PermanentFailure(f"email:{code}")


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= SUBJECT_LENGTH else line[: SUBJECT_LENGTH - 1] + "…"


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
