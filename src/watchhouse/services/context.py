"""What every use case needs: the store, the policy, the settings and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from watchhouse.config import Settings
from watchhouse.db.engine import Database
from watchhouse.db.migrate import upgrade
from watchhouse.policy import Policy, load_policy


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

    def now(self) -> datetime:
        """The current time as the context's clock tells it."""
        return self.clock()


def build_context(settings: Settings, *, migrate: bool = True) -> AppContext:
    """Load the policy (refusing an invalid one), connect, and bring the schema up to date."""
    policy = load_policy(settings.policy_file)
    url = settings.resolved_database_url
    if migrate:
        upgrade(url)
    database = Database(url, background_checkpoint=settings.sqlite_background_checkpoint)
    return AppContext(settings=settings, db=database, policy=policy)
