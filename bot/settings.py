"""Settings from the environment (prefix PERCORSO_), one object for the whole application.

Only the entry points read them (`get_settings`); the layers below receive the values they need.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # An empty variable is an unset one: an env file's `PERCORSO_TELEGRAM_TOKEN=`, left to fill
    # in, must not turn a channel on with an empty token.
    model_config = SettingsConfigDict(
        env_prefix="PERCORSO_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    data_dir: Path = Path("var")
    database_url: str = ""
    # Fernet keys, newest first, comma-separated: required by `serve` and `worker`.
    secret_key: SecretStr | None = None
    # The demo's key, made on first use when no secret_key is set: outside the database
    # folder, so that one copy of that folder does not hold both.
    demo_key_file: Path = Path.home() / ".config" / "percorso" / "demo.key"
    default_timezone: str = "Europe/Lisbon"
    default_region: str = "PT"
    privacy_notice_version: str = "2026-11"
    support_contact: str = "+351 222 000 312 / +39 051 000 0808"
    link_code_minutes: int = 15

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    telegram_rate_overall: float = 30.0  # messages a second, all chats together
    telegram_rate_per_chat: float = 1.0
    telegram_bot_username: str = ""  # for the poster links (t.me/<bot>?start=...)

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    twilio_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_url: str = ""
    sms_rate_per_second: float = 1.0  # per sending number or messaging service (a long code: 1)
    twilio_whatsapp_from: str = ""  # the WhatsApp sender's number, E.164 (sandbox: +14155238886)
    whatsapp_rate_per_second: float = 20.0  # Twilio queues up to 80/s per WhatsApp sender
    # Approved templates (Content SIDs) for messages outside WhatsApp's 24-hour window, by kind
    # (reminder, follow_up, nudge, broadcast) and language; JSON in the env. See docs/whatsapp.md.
    whatsapp_templates: dict[str, dict[str, str]] = {}
    public_url: str = "http://localhost:8000"
    # The bearer token Prometheus scrapes /metrics with; unset, /metrics answers 404.
    metrics_token: SecretStr | None = None

    # Reminders, nudges and the agenda
    reminder_offsets_hours: list[float] = [24.0, 2.0]  # before the meeting; JSON in the env
    follow_up_hour: int = 10  # the day after a meeting, local time of its site
    nudge_after_days: list[int] = [1, 3]  # of silence in an unfinished intake; then silence
    agenda_hour: int = 8  # local time of the counselor's first site

    # Delivery
    quiet_hours: str = "21:00-08:00"  # in the person's zone
    outbox_max_attempts: int = 8
    outbox_lease_seconds: float = 300.0
    send_concurrency: int = 1  # sends at once per channel: raise it when a send takes > 30 ms
    rate_margin: float = 0.97  # the worker paces this much under a channel's limit
    sent_payload_days: int = 30  # a message's body is emptied this long after it is sent
    # The rate limits every process shares: Redis when set (redis://127.0.0.1:6379/0), else the
    # PostgreSQL database; a process on SQLite keeps its own. See docs/worker.md.
    redis_url: str = ""

    # Retention: silent this long, a person is erased, told `retention_notice_days` before
    retention_months: int = 24
    retention_notice_days: int = 30

    # E-mail and hand-overs
    smtp_url: SecretStr | None = None  # smtp://user:pass@host:587 (STARTTLS if offered), smtps://
    mail_from: str = "percorso@localhost"
    email_rate_per_second: float = 5.0

    handover_take_minutes: int = 120  # of the site's working time, before the coordinator is told
    handover_default_site: str = ""  # site code for people of no known site; "": the first site
    coordinator_email: str = ""  # the network's coordinator, for sites without one of their own

    @model_validator(mode="after")
    def _twilio_sends_from_somewhere(self) -> "Settings":
        if self.twilio_auth_token is not None and not (
            self.sms_configured or self.twilio_whatsapp_from
        ):
            raise ValueError("PERCORSO_TWILIO_AUTH_TOKEN is set: set PERCORSO_TWILIO_FROM (the "
                             "sending number), PERCORSO_TWILIO_MESSAGING_SERVICE_SID or "
                             "PERCORSO_TWILIO_WHATSAPP_FROM as well")
        return self

    @property
    def sms_configured(self) -> bool:
        return bool(self.twilio_account_sid and (self.twilio_from
                                                 or self.twilio_messaging_service_sid))

    @property
    def whatsapp_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_whatsapp_from)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'percorso.sqlite3'}"

    @property
    def secret_key_value(self) -> str | None:
        return self.secret_key.get_secret_value() if self.secret_key is not None else None



@lru_cache
def get_settings() -> Settings:
    return Settings()
