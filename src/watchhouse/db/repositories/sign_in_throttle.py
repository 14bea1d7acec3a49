"""Failed sign-ins per source address in a fixed window, kept in the database so that every
server process counts the same failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from watchhouse.db.tables import SignInThrottleRow


def failures_in_window(*, session: Session, source: str, window_start: datetime) -> int:
    """Failed sign-ins from a source since the window began (0 if its window has passed)."""
    row = session.get(SignInThrottleRow, source)
    if row is None or row.window_started_at <= window_start:
        return 0
    return row.failures


def count_failure(*, session: Session, source: str, now: datetime, window_start: datetime) -> int:
    """Add one failure for a source in one statement (a window that has passed starts again)
    and return the count in the current window."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SignInThrottleRow.__table__
    expired = table.c.window_started_at <= window_start
    statement = (
        insert(SignInThrottleRow)
        .values(source=source, window_started_at=now, failures=1)
        .on_conflict_do_update(
            index_elements=[table.c.source],
            set_={
                "failures": case((expired, 1), else_=table.c.failures + 1),
                "window_started_at": case((expired, now), else_=table.c.window_started_at),
            },
        )
        .returning(table.c.failures)
    )
    return int(session.execute(statement).scalar_one())


def forget_old(*, session: Session, window_start: datetime) -> None:
    """Drop the rows of windows that have passed (keeps the table small)."""
    session.execute(
        delete(SignInThrottleRow).where(SignInThrottleRow.window_started_at <= window_start)
    )
