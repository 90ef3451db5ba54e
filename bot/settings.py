"""Settings from the environment (prefix PERCORSO_), one object for the whole application."""

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PERCORSO_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str = ""
    secret_key: SecretStr | None = None
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

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    twilio_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_url: str = ""
    sms_rate_per_second: float = 1.0  # per sending number or messaging service (a long code: 1)
    public_url: str = "http://localhost:8000"

    smtp_url: SecretStr | None = None  # smtp://user:pass@host:587 (STARTTLS if offered), smtps://
    mail_from: str = "percorso@localhost"
    email_rate_per_second: float = 5.0

    handover_take_minutes: int = 120  # of the site's working time, before the coordinator is told
    handover_default_site: str = ""  # site code for people of no known site; "": the first site
    coordinator_email: str = ""  # the network's coordinator, for sites without one of their own

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'percorso.sqlite3'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
