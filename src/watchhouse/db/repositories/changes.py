"""The change counter live queues poll: a number that rises with every change they show.

It is bumped in the same transaction as the change, so a reader sees the new number only with
the new rows; it never depends on a clock, so future-dated or skewed timestamps cannot hide a
change (issue 15, point 1).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from watchhouse.db.tables import ChangeCounterRow

COUNTER_ID = 1


def bump(*, session: Session) -> None:
    """Count one more change (the migration stores the counter's only row)."""
    done = session.execute(
        update(ChangeCounterRow)
        .where(ChangeCounterRow.id == COUNTER_ID)
        .values(value=ChangeCounterRow.value + 1)
    )
    if getattr(done, "rowcount", 1) == 0:
        session.add(ChangeCounterRow(id=COUNTER_ID, value=1))
        session.flush()


def current(*, session: Session) -> int:
    """The number of changes counted so far."""
    value = session.scalar(select(ChangeCounterRow.value).where(ChangeCounterRow.id == COUNTER_ID))
    return int(value or 0)
