"""Settings: one object read from the environment and `.env`, passed to whoever needs it."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The repository root, where `knowledge/` and `migrations/` live next to `bot/`.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting of kisanbot; each one is listed with a comment in `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Folder for the database and other data.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite at DATA_DIR/kisanbot.db."
    )
    knowledge_dir: Path = Field(
        default=PROJECT_ROOT / "knowledge", description="Folder with the advisory cards and lexicons."
    )
    default_language: str = Field(default="en", description="Language used before anything is known.")
    max_message_chars: int = Field(
        default=1000, description="Longer farmer messages are cut to this many characters before routing."
    )
    log_level: str = Field(default="INFO", description="Logging level: DEBUG, INFO, WARNING or ERROR.")
    sqlite_busy_timeout_ms: int = Field(
        default=5000, description="How long a SQLite write waits for a lock before failing."
    )

    model_dir: Path | None = Field(
        default=None, description="Folder of an ORT GenAI Phi model; unset or invalid: the cards engine."
    )
    model_threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1, description="CPU threads for generation."
    )
    prompt_token_budget: int = Field(
        default=800, description="Most tokens of system prompt, cards and history sent to the model."
    )
    reply_token_budget: int = Field(default=320, description="Most tokens the model may write in one answer.")
    generation_timeout_s: float = Field(
        default=90.0, description="Wall-clock limit of one answer; the partial answer is sent, marked."
    )
    queue_max_waiting: int = Field(default=32, description="Most questions waiting for the model at once.")
    queue_max_per_farmer: int = Field(default=2, description="Most questions one farmer may have waiting.")

    telegram_token: SecretStr | None = Field(default=None, description="The bot's token from BotFather.")
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API base URL (the token is appended); change it for a self-hosted Bot API server.",
    )
    telegram_webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL Telegram posts updates to; unset: long polling."
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, description="Secret Telegram sends in each webhook request; required with a webhook."
    )
    telegram_webhook_listen: str = Field(default="127.0.0.1", description="Address the webhook server binds.")
    telegram_webhook_port: int = Field(default=8443, description="Port the webhook server listens on.")
    telegram_read_timeout_s: float = Field(
        default=10.0, description="How long to wait for the Bot API's answer; then a send is 'uncertain'."
    )
    telegram_poll_timeout_s: int = Field(default=30, description="Long-polling wait per getUpdates call.")
    chat_min_interval_s: float = Field(
        default=1.0, description="Least time between two messages (edits and drafts too) to one chat."
    )
    messages_per_second: float = Field(default=25.0, description="Most messages per second over all chats.")
    draft_interval_s: float = Field(
        default=1.5, description="Least time between two updates of a streaming answer's draft."
    )
    flood_messages: int = Field(default=5, description="A farmer sending more messages than this ...")
    flood_window_s: float = Field(default=20.0, description="... within this many seconds is flooding.")
    outbox_max_attempts: int = Field(
        default=8, description="Sends of one message before it is marked failed (clear failures only)."
    )
    outbox_backoff_max_s: float = Field(default=60.0, description="Longest wait between two retries.")
    default_tip_time: str = Field(default="06:30", description="Morning tip time offered first (HH:MM).")

    open_meteo_url: str = Field(
        default="https://api.open-meteo.com/v1/forecast",
        description="Open-Meteo forecast endpoint (a self-hosted Open-Meteo works too).",
    )
    weather_timeout_s: float = Field(default=10.0, description="Timeout of one forecast request.")
    weather_retries: int = Field(default=3, description="Tries of a forecast request on 5xx and timeouts.")
    weather_backoff_s: float = Field(
        default=2.0, description="Wait before the first retry; doubles each time."
    )
    forecast_cache_s: int = Field(
        default=3600, description="How long a forecast is reused for its grid cell."
    )
    forecast_retry_s: int = Field(
        default=900, description="After a failed forecast, how long before its grid cell is asked again."
    )
    tip_max_forecast_age_s: int = Field(
        default=10800, description="A forecast older than this is stale: no tip is made from it."
    )
    default_timezone: str = Field(
        default="Asia/Kolkata", description="Time zone of farmers until their location's is known."
    )
    tip_sweep_interval_s: int = Field(
        default=300, description="How often the bot looks for tips that are due."
    )
    tip_grace_s: int = Field(
        default=7200,
        description="A tip missed by downtime is still sent this long after its time; then skipped.",
    )

    console_host: str = Field(default="127.0.0.1", description="Address the officer console listens on.")
    console_port: int = Field(default=8080, description="Port of the officer console.")
    console_secure_cookies: bool = Field(
        default=True, description="Session cookies only over HTTPS (keep on behind a TLS proxy)."
    )
    console_session_hours: float = Field(default=12.0, description="An idle console login ends after this.")
    login_max_failures: int = Field(default=5, description="Failed logins for one name or address ...")
    login_window_s: int = Field(default=900, description="... within this many seconds lock it for as long.")
    pseudonym_key: SecretStr | None = Field(
        default=None, description="Key of the farmers' pseudonymous ids; unset: a key file in DATA_DIR."
    )

    @field_validator(
        "model_dir",
        "database_url",
        "telegram_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "pseudonym_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kisanbot.db').resolve()}"
