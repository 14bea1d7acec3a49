"""One validated settings object, read from WATCHHOUSE_* environment variables.

Read by a plain pydantic model rather than pydantic-settings, whose import alone cost every
command a fifth of a second of CPU (bench/cli_startup.py): values given to `Settings(...)` win,
then `WATCHHOUSE_<FIELD>` variables (the name in any case), then the defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_SECRET = "watchhouse-demo-secret-change-me"
ENV_PREFIX = "WATCHHOUSE_"


def environment_values(fields: set[str]) -> dict[str, str]:
    """The WATCHHOUSE_* variables naming one of the fields, keyed by field name."""
    prefix = ENV_PREFIX.lower()
    found: dict[str, str] = {}
    for name, value in os.environ.items():
        lowered = name.lower()
        if lowered.startswith(prefix) and lowered[len(prefix) :] in fields:
            found[lowered[len(prefix) :]] = value
    return found


class Settings(BaseModel):
    """Everything that differs between a demo, a test run and production."""

    model_config = ConfigDict(frozen=True, extra="forbid")

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
    # How many requests a server process runs in its thread pool at once (sync routes and the
    # session look-up); the others wait their turn on the event loop, holding no thread and
    # no database connection. anyio's default is 40: under overload 40 threads contend for
    # one interpreter and the CPU per request grows (bench/README.md, pgload6).
    request_threads: int = Field(default=8, ge=1, le=200)
    # How long a server process remembers a live session it looked up, so a request does not
    # look its token up again (0: never). Never past the session's expiry; ending or changing
    # a session is honoured at once on this machine and within this bound on another one
    # (services/session_cache.py).
    session_cache_seconds: float = Field(default=5, ge=0, le=60)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        return {**environment_values(set(cls.model_fields)), **given}

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
