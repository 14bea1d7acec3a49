"""What every use case needs: the store, the policy, the settings and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from watchhouse.config import Settings
from watchhouse.db.engine import Database
from watchhouse.db.migrate import store_exists, upgrade_if_needed
from watchhouse.policy import Policy, load_policy
from watchhouse.services.recent import Recent
from watchhouse.services.session_cache import SessionCache


def system_clock() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass
class AppContext:
    """The store, policy, settings and clock, built once at start-up."""

    settings: Settings
    db: Database
    policy: Policy
    clock: Callable[[], datetime] = field(default=system_clock)
    # Results that never change once stored (a forecast run's or a plan's intervals), kept
    # for this store only, so each view does not read and convert them again.
    stored: Recent[object] = field(default_factory=lambda: Recent(32))
    # Live sessions this process looked up lately (services/session_cache.py).
    sessions: SessionCache[Any] = field(default_factory=SessionCache)

    def now(self) -> datetime:
        """The current time as the context's clock tells it."""
        return self.clock()


class StoreMissing(RuntimeError):
    """A command that only reads was pointed at a store that does not exist."""

    def __init__(self, settings: Settings) -> None:
        url = settings.resolved_database_url
        where = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
        super().__init__(
            f"no watchhouse store at {where} (data directory {settings.data_dir}); nothing "
            "created. Create one with `watchhouse db upgrade` and `watchhouse users add`, or "
            "use the demo that `watchhouse demo` built: set WATCHHOUSE_DATA_DIR="
            f"{settings.data_dir / 'demo'}"
        )
        self.location = where


def build_context(settings: Settings, *, migrate: bool = True, create: bool = True) -> AppContext:
    """Load the policy (refusing an invalid one), connect, and bring the schema up to date.

    With `create=False` (commands that only read or act on existing records) a store that
    does not exist yet is refused with StoreMissing rather than created empty.
    """
    policy = load_policy(settings.policy_file)
    url = settings.resolved_database_url
    if not create and not store_exists(url):
        raise StoreMissing(settings)
    if migrate:
        upgrade_if_needed(url)
    database = Database(url, background_checkpoint=settings.sqlite_background_checkpoint)
    return AppContext(settings=settings, db=database, policy=policy)
