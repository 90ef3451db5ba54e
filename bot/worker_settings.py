"""The worker's settings, from the environment (prefix PERCORSO_) like bot.settings."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PERCORSO_", env_file=".env", extra="ignore")

    reminder_offsets_hours: list[float] = [24.0, 2.0]  # before the meeting; JSON in the env
    follow_up_hour: int = 10  # the day after a meeting, local time of its site
    nudge_after_days: list[int] = [1, 3]  # of silence in an unfinished intake; then silence
    agenda_hour: int = 8  # local time of the counselor's first site
    quiet_hours: str = "21:00-08:00"  # in the person's zone
    outbox_max_attempts: int = 8
    outbox_lease_seconds: float = 300.0
    send_concurrency: int = 1  # sends at once per channel: raise it when a send takes > 30 ms
    rate_margin: float = 0.97  # the worker paces this much under a channel's limit


@lru_cache
def get_worker_settings() -> WorkerSettings:
    return WorkerSettings()
