"""The user list without building the application context (policy, ORM, migrations), for
`watchhouse users list` to start fast."""

from __future__ import annotations

from watchhouse.db.repositories.user_list import users_if_current
from watchhouse.domain.records import UserView


def quick_user_list(url: str) -> list[UserView] | None:
    """Every user, when the store at the URL exists and is up to date; otherwise None, and the
    caller builds the context (which refuses a missing store or brings the schema up to date)
    and uses `accounts.list_users`."""
    return users_if_current(url)
