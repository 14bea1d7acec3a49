"""The user list read with SQLAlchemy Core alone, for `watchhouse users list`.

The command has no `Database` (whose ORM, table definitions and policy would cost it most of
its start-up, bench/cli_startup.py), so this opens one short connection, checks the store is
at the newest migration and reads the table with one SELECT; the columns are those of
`tables.UserRow`."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from watchhouse.db.migrate import at_head, sqlite_file_missing
from watchhouse.db.types import UTCDateTime
from watchhouse.domain.records import UserView
from watchhouse.domain.roles import Role

_USERS = text(
    "SELECT id, username, display_name, role_code, active, locked_until FROM users "
    "ORDER BY username"
).columns(
    id=Integer(),
    username=String(),
    display_name=String(),
    role_code=String(),
    active=Boolean(),
    locked_until=UTCDateTime(),
)


def users_if_current(url: str) -> list[UserView] | None:
    """Every user, by username, from the store at the URL; None when there is no store there
    or it is not at the newest migration (the caller then takes the full path, which says
    so or migrates)."""
    if sqlite_file_missing(url):
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not at_head(connection):
                return None
            return [
                UserView(
                    id=row.id,
                    username=row.username,
                    display_name=row.display_name,
                    role=Role(row.role_code),
                    active=bool(row.active),
                    locked_until=row.locked_until,
                )
                for row in connection.execute(_USERS)
            ]
    except SQLAlchemyError:  # no such table, unreachable: the full path reports it
        return None
    finally:
        engine.dispose()
