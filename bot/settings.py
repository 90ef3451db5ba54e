"""Settings from the environment (prefix PERCORSO_), one object for the whole application."""

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
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

    @model_validator(mode="after")
    def _twilio_sends_from_somewhere(self) -> "Settings":
        if self.twilio_auth_token is not None and not (
            self.twilio_from or self.twilio_messaging_service_sid
        ):
            raise ValueError("PERCORSO_TWILIO_AUTH_TOKEN is set: set PERCORSO_TWILIO_FROM (the "
                             "sending number) or PERCORSO_TWILIO_MESSAGING_SERVICE_SID as well")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'percorso.sqlite3'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
