"""One validated settings object, read from WATCHHOUSE_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "watchhouse-demo-secret-change-me"


class Settings(BaseSettings):
    """Everything that differs between a demo, a test run and production."""

    model_config = SettingsConfigDict(env_prefix="WATCHHOUSE_", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = None
    policy_file: Path | None = None
    secret_key: str = DEFAULT_SECRET
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = False
    # SQLite only: checkpoint the write-ahead log from a background thread instead of inside
    # whichever request's commit fills it (see db/engine.py and bench/README.md).
    sqlite_background_checkpoint: bool = False

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "WATCHHOUSE_SECRET_KEY must be set to a random value of at least 32 "
                    "characters in production"
                )
            if not self.secure_cookies:
                raise ValueError("WATCHHOUSE_SECURE_COOKIES must be true in production (HTTPS)")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'watchhouse.sqlite3').resolve()}"
