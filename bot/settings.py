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
    default_lang: str = "pt"
    default_timezone: str = "Europe/Lisbon"
    default_region: str = "PT"
    privacy_notice_version: str = "2026-11"

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    twilio_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_url: str = ""
    public_url: str = "http://localhost:8000"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'percorso.sqlite3'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
